// `npm run deploy -- <stack>`: which pulumi commands it runs, in which order, and what it refuses.
// Stand-ins, since neither the Pulumi CLI nor a Docker engine exists here:
// - `pulumi`: a shell script that records its argv (and which copy ran) and answers as the test
//   says. The real CLI prints `pulumi version` as "v3.x.y", `stack ls --json` as an array of
//   {name,...} and `stack output --json` as an object (pulumi.com/docs/iac/cli/commands).
// - the npm launcher: the same script under node_modules/.bin, as `npm run` puts it first on PATH.
// - the Docker engine: an HTTP server on a unix socket answering GET /_ping with 200 "OK", the
//   Docker Engine API's ping (docs.docker.com/reference/api/engine, "Ping").
// The script and its lib/ modules are transpiled once into a copy of the repository's top level
// (its stack files), so each run is a plain `node` process rather than a ts-node start.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import { DeployDeps, deploy as deployInProcess, parseArgs } from "../../scripts/deploy";
import { ProbeResult } from "../../scripts/lib/docker-probe";

const ROOT = path.join(__dirname, "..", "..");
let tmp: string;
let copyRoot: string;
let sysDir: string;
let launcherDir: string;
let POLICY: string;
let engine: http.Server;
let ENGINE: string;

const FAKE = (who: string) =>
  [
    "#!/bin/sh",
    `printf "${who}: %s\\n" "$*" >>"$FAKE_LOG"`,
    // Key: STACK_<SUB> for `stack <sub>`, else the subcommand; exit status FAKE_<KEY>_EXIT, stdout FAKE_<KEY>_OUT.
    'key=$(printf "%s" "$1" | tr a-z- A-Z_)',
    'if [ "$1" = stack ]; then key="STACK_$(printf "%s" "$2" | tr a-z A-Z)"; fi',
    'if [ "$1" = version ]; then echo v3.265.0; fi',
    'eval "out=\\${FAKE_${key}_OUT:-}"',
    '[ -n "$out" ] && printf "%s\\n" "$out"',
    'eval "code=\\${FAKE_${key}_EXIT:-0}"',
    'exit "$code"',
    "",
  ].join("\n");

function transpile(rel: string): void {
  const source = fs.readFileSync(path.join(ROOT, rel), "utf8");
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  fs.mkdirSync(path.dirname(path.join(copyRoot, rel)), { recursive: true });
  fs.writeFileSync(path.join(copyRoot, rel.replace(/\.ts$/, ".js")), js);
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "obs-deploy-"));
  copyRoot = path.join(tmp, "repo");
  fs.mkdirSync(copyRoot, { recursive: true });
  for (const f of fs.readdirSync(ROOT).filter((f) => /^Pulumi\..+\.yaml$/.test(f)))
    fs.copyFileSync(path.join(ROOT, f), path.join(copyRoot, f));
  for (const f of [
    "scripts/deploy.ts",
    "scripts/lib/placeholders.ts",
    "scripts/lib/docker-probe.ts",
    "scripts/lib/pulumi-cli.ts",
    "scripts/lib/stack-outputs.ts",
  ])
    transpile(f);
  // node_modules of the copy: js-yaml (the one dependency) and the launcher stand-in.
  launcherDir = path.join(copyRoot, "node_modules", ".bin");
  fs.mkdirSync(launcherDir, { recursive: true });
  fs.symlinkSync(path.join(ROOT, "node_modules", "js-yaml"), path.join(copyRoot, "node_modules", "js-yaml"));
  fs.writeFileSync(path.join(launcherDir, "pulumi"), FAKE("launcher"), { mode: 0o755 });
  sysDir = path.join(tmp, "bin");
  fs.mkdirSync(sysDir);
  fs.writeFileSync(path.join(sysDir, "pulumi"), FAKE("system"), { mode: 0o755 });
  POLICY = path.join(copyRoot, "policy");
  // A stack whose own dockerHost points at a closed port.
  const closed = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
  fs.writeFileSync(
    path.join(copyRoot, "Pulumi.remote.yaml"),
    `config:\n  observability-stack:target: local\n  observability-stack:dockerHost: tcp://127.0.0.1:${closed}\n`,
  );
  ENGINE = path.join(tmp, "docker.sock");
  engine = http.createServer((req, res) =>
    req.url === "/_ping" ? res.writeHead(200, { "content-type": "text/plain" }).end("OK") : res.writeHead(404).end(),
  );
  await new Promise<void>((resolve) => engine.listen(ENGINE, resolve));
});
afterAll(async () => {
  await new Promise((resolve) => engine.close(resolve));
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface Run {
  status: number | null;
  calls: string[];
  stderr: string;
}

/** Runs the script as `npm run` would: node_modules/.bin first on PATH (then, unless `noSystem`, the system stand-in). */
function run(args: string[], env: Record<string, string> = {}, opts: { noSystem?: boolean } = {}): Promise<Run> {
  const log = path.join(tmp, `log-${Math.random().toString(36).slice(2)}`);
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ["PULUMI_BACKEND_URL", "PULUMI_ACCESS_TOKEN", "DOCKER_HOST"]) delete base[k];
  const PATH = [launcherDir, ...(opts.noSystem ? [] : [sysDir]), "/usr/bin", "/bin"].join(path.delimiter);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(copyRoot, "scripts", "deploy.js"), ...args], {
      cwd: copyRoot,
      env: { ...base, PATH, FAKE_LOG: log, DOCKER_HOST: `unix://${ENGINE}`, ...env },
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (status) => {
      clearTimeout(timer);
      const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
      resolve({ status, calls, stderr });
    });
  });
}

const START = ["system: version", "system: whoami --non-interactive --verbose", "system: stack ls --json"];

test("a pulumi on PATH is used before the npm launcher that `npm run` puts first", async () => {
  const r = await run(["dev", "--no-doctor"], { FAKE_WHOAMI_EXIT: "255" });
  expect(r.calls).toEqual([
    "system: version",
    "system: whoami --non-interactive --verbose",
    "system: login --local",
    "system: stack ls --json",
    "system: stack select --create dev",
    `system: up --stack dev --policy-pack ${POLICY}`,
    "system: stack output --json --stack dev",
  ]);
  expect(r.status).toBe(0);
  expect(r.stderr).toContain(`using ${path.join(sysDir, "pulumi")} (on PATH), v3.265.0`);
  expect(r.stderr).toContain("logging in to the local file backend");
  // Progress before each phase, in order.
  const phases = [...r.stderr.matchAll(/\[(\d)\/7\]/g)].map((m) => m[1]);
  expect(phases).toEqual(["1", "2", "3", "4", "5", "6", "7"]);
});

test("without one on PATH the npm launcher is used", async () => {
  const r = await run(["dev", "--no-doctor"], {}, { noSystem: true });
  expect(r.calls.every((c) => c.startsWith("launcher: "))).toBe(true);
  expect(r.calls).toContain(`launcher: up --stack dev --policy-pack ${POLICY}`);
  expect(r.stderr).toContain("(npm launcher), v3.265.0");
});

test("no CLI to be had: the launcher's own cause and how to install one, nothing else run", async () => {
  // The real launcher here prints "Downloading pulumi v3.265.0..." then "pulumi: fetch failed" on stderr, exit 1.
  const r = await run(["dev"], { FAKE_VERSION_EXIT: "1", FAKE_VERSION_OUT: "Downloading pulumi v3.265.0..." }, { noSystem: true });
  expect(r.calls).toEqual(["launcher: version"]);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/no Pulumi CLI: the npm launcher \(.*node_modules\/\.bin\/pulumi\) could not get the CLI: exit status 1/);
  expect(r.stderr).toContain("https://www.pulumi.com/docs/install/");
  expect(r.stderr).toContain("curl -fsSL https://get.pulumi.com | sh");
  expect(r.stderr).not.toMatch(/backend/);
});

test("the launcher's last stderr line is the cause given", async () => {
  // Rewrite the launcher stand-in to fail as the real one does here, then restore it.
  const launcher = path.join(launcherDir, "pulumi");
  const saved = fs.readFileSync(launcher, "utf8");
  fs.writeFileSync(launcher, '#!/bin/sh\necho "Downloading pulumi v3.265.0..."\necho "pulumi: fetch failed" >&2\nexit 1\n', {
    mode: 0o755,
  });
  try {
    const failed = await run(["dev"], {}, { noSystem: true });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain("could not get the CLI: pulumi: fetch failed");
    expect(failed.calls).toEqual([]);
  } finally {
    fs.writeFileSync(launcher, saved, { mode: 0o755 });
  }
});

describe("a Docker host that does not answer: a clear message, the fix, and no pulumi up", () => {
  test("the local socket (DOCKER_HOST)", async () => {
    const r = await run(["dev"], { DOCKER_HOST: `unix://${path.join(tmp, "no-engine.sock")}` });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(`unix://${path.join(tmp, "no-engine.sock")} does not answer: connect ENOENT`);
    expect(r.stderr).toMatch(/fix: start the Docker engine/);
    expect(r.stderr).toContain("nothing was deployed");
    expect(r.calls).toEqual([...START, "system: stack select --create dev"]);
  });
  test("the stack's own dockerHost setting, before DOCKER_HOST", async () => {
    const r = await run(["remote"]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/tcp:\/\/127\.0\.0\.1:\d+ does not answer: connect ECONNREFUSED/);
    expect(r.stderr).toContain("fix: check that the engine at 127.0.0.1:");
    expect(r.calls.some((c) => c.includes(" up "))).toBe(false);
  });
  test("a socket that answers /_ping is accepted", async () => {
    const r = await run(["dev", "--no-doctor"]);
    expect(r.stderr).toContain(`unix://${ENGINE} answers`);
    expect(r.calls).toContain(`system: up --stack dev --policy-pack ${POLICY}`);
  });
});

describe("stack names", () => {
  test("an unknown stack is refused, naming the known ones; nothing selected or created", async () => {
    const r = await run(["dve"], { FAKE_STACK_LS_OUT: '[{"name":"dev","current":true}]' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      'refusing: no stack "dve" in the backend and no Pulumi.dve.yaml (known: dev, prod, remote); to create it, run again with --create',
    );
    expect(r.calls).toEqual(START);
  });
  test("--create creates it", async () => {
    const r = await run(["dve", "--create", "--no-doctor"]);
    expect(r.calls).toContain("system: stack select --create dve");
    expect(r.calls).toContain(`system: up --stack dve --policy-pack ${POLICY}`);
  });
  test("a stack the backend has is selected, not created; a name in an organisation counts", async () => {
    const r = await run(["mine", "--no-doctor"], { FAKE_STACK_LS_OUT: '[{"name":"acme/mine"}]' });
    expect(r.calls).toContain("system: stack select mine");
  });
});

describe("placeholders in the committed prod stack", () => {
  test("refused at up, naming each key, before anything is run", async () => {
    const r = await run(["prod"]);
    expect(r.status).toBe(2);
    for (const key of ["sshPublicKey", "sshAllowedCidrs[0]", "blackboxTargets[0]"])
      expect(r.stderr).toContain(`observability-stack:${key}: `);
    expect(r.stderr).toMatch(/refusing `pulumi up`: 3 placeholder value\(s\)/);
    expect(r.calls).toEqual(["system: version"]);
  });
  test("reported but accepted at preview; the EC2 host does not exist yet, so its Docker is not probed", async () => {
    const r = await run(["prod", "--preview"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("observability-stack:sshPublicKey: ");
    expect(r.stderr).toContain("not checked: the EC2 host does not exist yet");
    expect(r.calls.slice(-2)).toEqual(["system: stack output --json --stack prod", `system: preview --stack prod --policy-pack ${POLICY}`]);
  });
});

test("a failing step stops the script with that step's exit status", async () => {
  const select = await run(["dev"], { FAKE_STACK_SELECT_EXIT: "4" });
  expect(select.calls).toEqual([...START, "system: stack select --create dev"]);
  expect(select.status).toBe(4);
  const login = await run(["dev"], { FAKE_WHOAMI_EXIT: "1", FAKE_LOGIN_EXIT: "5" });
  expect(login.calls).toEqual(["system: version", "system: whoami --non-interactive --verbose", "system: login --local"]);
  expect(login.status).toBe(5);
  const up = await run(["dev", "--yes"], { FAKE_UP_EXIT: "3" });
  expect(up.calls[up.calls.length - 1]).toBe(`system: up --stack dev --policy-pack ${POLICY} --yes`);
  expect(up.status).toBe(3);
});

test("PULUMI_BACKEND_URL set: neither asks who you are nor logs in", async () => {
  const r = await run(["dev", "--no-doctor"], { PULUMI_BACKEND_URL: "file:///state", FAKE_WHOAMI_EXIT: "255" });
  expect(r.calls.slice(0, 2)).toEqual(["system: version", "system: stack ls --json"]);
});

test("no stack, or a bad one: a usage message naming the committed stacks, and no pulumi call", async () => {
  const none = await run([]);
  expect(none.status).toBe(2);
  expect(none.calls).toEqual([]);
  expect(none.stderr).toContain(
    "usage: npm run deploy -- <stack> [--create] [--preview] [--no-doctor] [pulumi up flags]; committed stacks: dev, prod",
  );
  const bad = await run(["dev;rm"]);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain('stack name "dev;rm" is not accepted');
});

describe("after up (in process, probe and doctor injected)", () => {
  const fakeEnv = (outputs: object): NodeJS.ProcessEnv => ({
    PATH: [launcherDir, sysDir, "/usr/bin", "/bin"].join(path.delimiter),
    FAKE_LOG: path.join(tmp, "inproc-log"),
    FAKE_STACK_OUTPUT_OUT: JSON.stringify(outputs),
    PULUMI_BACKEND_URL: "file:///state",
  });
  function deps(
    env: NodeJS.ProcessEnv,
    probed: string[],
    doctored: string[],
    lines: string[],
    tunnels: string[] = [],
    tunnelProblem?: string,
  ): DeployDeps {
    return {
      root: copyRoot,
      env,
      openTunnel: async (command) => {
        tunnels.push(command);
        return tunnelProblem ? { problem: tunnelProblem } : { close: () => tunnels.push("closed") };
      },
      probeDocker: async (host): Promise<ProbeResult> => {
        probed.push(host);
        return { state: "ok", detail: `${host} answers` };
      },
      doctor: (stack) => {
        doctored.push(stack);
        return 7;
      },
      log: (l) => lines.push(l),
    };
  }

  test("dev: each UI's address is printed, then the doctor runs and its status is the script's", async () => {
    const probed: string[] = [];
    const doctored: string[] = [];
    const lines: string[] = [];
    const code = await deployInProcess(
      parseArgs(["dev"], copyRoot),
      deps(
        fakeEnv({
          grafanaUrl: "http://localhost:3000",
          grafanaAdminUser: "admin",
          grafanaAdminPassword: "s3cret",
          prometheusUrl: "http://127.0.0.1:9090",
          prometheusUser: "admin",
          alertmanagerUrl: "http://127.0.0.1:9093",
          lokiUrl: "http://127.0.0.1:3100",
        }),
        probed,
        doctored,
        lines,
      ),
    );
    expect(code).toBe(7);
    expect(doctored).toEqual(["dev"]);
    const text = lines.join("\n");
    expect(text).toContain(
      "Grafana: http://localhost:3000  (user admin, password: npx pulumi stack output grafanaAdminPassword --show-secrets --stack dev)",
    );
    expect(text).toContain("Prometheus: http://127.0.0.1:9090");
    expect(text).toContain("Alertmanager: http://127.0.0.1:9093");
    expect(text).not.toContain("s3cret");
  });

  test("prod without a domain: the EC2 host is probed over SSH, the tunnel command is printed, and the check runs through the tunnel", async () => {
    const probed: string[] = [];
    const doctored: string[] = [];
    const lines: string[] = [];
    const tunnels: string[] = [];
    const tunnel = "ssh -N -L 3000:127.0.0.1:3000 -L 9090:127.0.0.1:9090 ec2-user@198.18.0.10";
    // A stack file without placeholders, on ec2.
    fs.writeFileSync(path.join(copyRoot, "Pulumi.ec2.yaml"), "config:\n  observability-stack:target: ec2\n");
    const code = await deployInProcess(
      parseArgs(["ec2"], copyRoot),
      deps(
        fakeEnv({ grafanaUrl: "http://localhost:3000", publicIp: "198.18.0.10", sshTunnelCommand: tunnel }),
        probed,
        doctored,
        lines,
        tunnels,
      ),
    );
    // The doctor's own exit status, with the tunnel opened before it and closed after.
    expect(code).toBe(7);
    expect(probed).toEqual(["ssh://ec2-user@198.18.0.10"]);
    expect(doctored).toEqual(["ec2"]);
    expect(tunnels).toEqual([tunnel, "closed"]);
    expect(lines.join("\n")).toContain(`open the tunnel first (leave it running):\n    ${tunnel}`);
  });

  test("the pair: each host's tunnel is printed, and the check runs on each host through its own tunnel, one after the other", async () => {
    const doctored: string[] = [];
    const lines: string[] = [];
    const tunnels: string[] = [];
    const a = "ssh -N -L 3000:127.0.0.1:3000 ec2-user@198.18.0.10";
    const b = "ssh -N -L 3000:127.0.0.1:3000 ec2-user@198.18.0.11";
    fs.writeFileSync(path.join(copyRoot, "Pulumi.ec2.yaml"), "config:\n  observability-stack:target: ec2\n");
    const code = await deployInProcess(
      parseArgs(["ec2"], copyRoot),
      deps(
        fakeEnv({
          grafanaUrl: "https://grafana.example.com",
          publicIp: "198.18.0.10",
          sshTunnelCommand: a,
          pairHosts: { a: { publicIp: "198.18.0.10", sshTunnelCommand: a }, b: { publicIp: "198.18.0.11", sshTunnelCommand: b } },
        }),
        [],
        doctored,
        lines,
        tunnels,
      ),
    );
    expect(code).toBe(7);
    expect(doctored).toEqual(["ec2", "ec2"]);
    expect(tunnels).toEqual([a, "closed", b, "closed"]);
    const text = lines.join("\n");
    expect(text).toContain(`host a (198.18.0.10): ${a}`);
    expect(text).toContain(`host b (198.18.0.11): ${b}`);
    expect(text).toContain("opening the SSH tunnel to host b (198.18.0.11) for the check");
  });

  test("prod without a domain: a tunnel that cannot open fails the deploy's check with the reason and the commands to run by hand", async () => {
    const doctored: string[] = [];
    const lines: string[] = [];
    const tunnel = "ssh -N -L 3000:127.0.0.1:3000 ec2-user@198.18.0.10";
    fs.writeFileSync(path.join(copyRoot, "Pulumi.ec2.yaml"), "config:\n  observability-stack:target: ec2\n");
    const code = await deployInProcess(
      parseArgs(["ec2"], copyRoot),
      deps(
        fakeEnv({ publicIp: "198.18.0.10", sshTunnelCommand: tunnel }),
        [],
        doctored,
        lines,
        [],
        "the tunnel exited (255): Permission denied (publickey)",
      ),
    );
    expect(code).toBe(1);
    expect(doctored).toEqual([]);
    expect(lines.join("\n")).toContain("Permission denied (publickey); open it yourself (above), then run `npm run doctor -- ec2`");
  });
});

describe("the tunnel deploy opens for the check, with a stand-in ssh on PATH (no sshd here)", () => {
  // The stand-in does what `ssh -N -L p:127.0.0.1:p user@host` does locally: it listens on each
  // forwarded port until it is stopped; given the host "refused" it fails as ssh does (255).
  function fakeSsh(dir: string): string {
    const bin = path.join(dir, "ssh");
    fs.writeFileSync(
      bin,
      `#!${process.execPath}
const net = require("node:net");
const args = process.argv.slice(2);
if (!args.includes("BatchMode=yes") || !args.includes("ExitOnForwardFailure=yes")) { console.error("missing -o options: " + args.join(" ")); process.exit(2); }
if (args[args.length - 1].endsWith("@refused")) { console.error("Permission denied (publickey)."); process.exit(255); }
args.forEach((a, i) => { if (a === "-L") net.createServer((s) => s.end()).listen(Number(args[i + 1].split(":")[0]), "127.0.0.1"); });
`,
      { mode: 0o755 },
    );
    return dir;
  }

  test("it resolves once the forwarded ports answer, and close() stops it; a refused login is a problem, not a hang", async () => {
    const { defaultDeps } = require("../../scripts/deploy") as typeof import("../../scripts/deploy");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-ssh-"));
    const env = { ...process.env, PATH: `${fakeSsh(dir)}${path.delimiter}${process.env.PATH ?? ""}` };
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const open = await defaultDeps(ROOT, env).openTunnel(`ssh -N -L ${port}:127.0.0.1:${port} ec2-user@host`);
    expect("close" in open).toBe(true);
    if ("close" in open) open.close();
    const refused = await defaultDeps(ROOT, env).openTunnel(`ssh -N -L ${port}:127.0.0.1:${port} ec2-user@refused`);
    expect(refused).toEqual({ problem: expect.stringContaining("Permission denied (publickey)") });
    fs.rmSync(dir, { recursive: true, force: true });
  }, 40_000);
});
