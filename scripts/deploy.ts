// `npm run deploy -- <stack> [--create] [--preview] [--no-doctor] [pulumi flags...]`: one command
// from a fresh clone to a running, checked stack. Each phase says what it does before doing it,
// and every refusal says why and what to do:
//
//   1. CLI: a `pulumi` on PATH outside node_modules/.bin, else the npm launcher (which downloads
//      the matching CLI on first use); if neither runs, the cause and how to install one.
//   2. Placeholders: at `up` (not `--preview`), the stack file's example values (the example SSH
//      key, documentation addresses, example.com) are refused, each by key (lib/placeholders.ts).
//   3. Backend: PULUMI_BACKEND_URL if set, else whatever `pulumi whoami` says you are logged in
//      to, else the local file backend in your home directory (`pulumi login --local`).
//   4. Stack: an existing stack, or one with a committed Pulumi.<stack>.yaml, is selected; any
//      other name is refused unless --create is given (a typo must not create a new stack).
//   5. Docker: the host the stack deploys to must answer before any container is touched (the
//      stack's dockerHost, DOCKER_HOST or the local socket; on ec2 the host over SSH once it
//      exists).
//   6. `pulumi up --stack <stack> --policy-pack policy` (or `preview`), further flags passed on.
//   7. After up: how to open each UI (from the stack outputs), then `npm run doctor -- <stack>`.
import { spawn, spawnSync, SpawnSyncOptions } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { findPlaceholders } from "./lib/placeholders";
import { DockerProbe, dockerFix, probeDockerHost } from "./lib/docker-probe";
import { PulumiCli, checkPulumi, findPulumi } from "./lib/pulumi-cli";
import { howToOpen, parseOutputs, tunnelsOf } from "./lib/stack-outputs";

const ROOT = path.join(__dirname, "..");
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const PROJECT = "observability-stack";
/** The user the program logs in as on the EC2 host (components/settings/aws.ts). */
const EC2_SSH_USER = "ec2-user";

// The usage in the layout of scripts/lib/args.ts, written out: unknown flags are pulumi's, passed on.
const USAGE = `usage: npm run deploy -- <stack> [--create] [--preview] [--no-doctor] [pulumi up flags...]

Deploys a stack, printing each phase: finds a Pulumi CLI (one on PATH first, else the npm launcher),
refuses placeholder values (the example SSH key, documentation addresses, example.com) at up, picks
the backend (PULUMI_BACKEND_URL, else the one you are logged in to, else the local file backend
~/.pulumi), selects the stack, checks that the Docker host answers, then runs
\`pulumi up --stack <stack> --policy-pack policy\` with the flags you add (e.g. --yes or --refresh),
prints how to open each UI and runs \`npm run doctor\`.

arguments:
  stack                      a committed stack (Pulumi.<stack>.yaml: dev, prod), or a new name with --create
  pulumi up flags            passed on to pulumi up

options:
  --create                   create a stack that neither the backend nor a stack file knows
  --preview                  run pulumi preview instead of up (placeholders are listed, not refused)
  --no-doctor                skip the post-deploy check
  --help, -h                 print this help and exit

environment:
  PULUMI_BACKEND_URL         the state backend to use
  PULUMI_CONFIG_PASSPHRASE   passphrase of the stack's secrets (local backend)
`;

export interface DeployPlan {
  readonly stack: string;
  /** Create the stack when neither the backend nor a committed stack file knows it. */
  readonly create: boolean;
  /** `pulumi preview` instead of `up`: placeholders are reported, not refused. */
  readonly preview: boolean;
  /** Skip the post-deploy check (CI runs `npm run doctor` itself, with --notify). */
  readonly doctor: boolean;
  readonly upArgs: string[];
}

function committedStacks(root: string): string[] {
  return fs
    .readdirSync(root)
    .flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? [])
    .sort();
}

/** Parses `<stack> [flags...]`; throws with a usage message on anything else. */
export function parseArgs(argv: readonly string[], root = ROOT): DeployPlan {
  const [stack, ...rest] = argv;
  const committed = committedStacks(root);
  if (stack === undefined || stack.startsWith("-")) {
    throw new Error(
      `usage: npm run deploy -- <stack> [--create] [--preview] [--no-doctor] [pulumi up flags]; committed stacks: ${committed.join(", ")}`,
    );
  }
  if (!STACK_NAME.test(stack)) {
    throw new Error(
      `stack name ${JSON.stringify(stack)} is not accepted; use letters, digits, ".", "_" or "-" (committed stacks: ${committed.join(", ")})`,
    );
  }
  const own = new Set(["--create", "--preview", "--no-doctor"]);
  return {
    stack,
    create: rest.includes("--create"),
    preview: rest.includes("--preview"),
    doctor: !rest.includes("--no-doctor"),
    upArgs: rest.filter((a) => !own.has(a)),
  };
}

export interface DeployDeps {
  readonly root: string;
  readonly env: NodeJS.ProcessEnv;
  readonly probeDocker: DockerProbe;
  /** Runs the post-deploy check; returns its exit status. */
  readonly doctor: (stack: string, pulumiPath: string) => number;
  /**
   * Opens the stack's SSH tunnel (the sshTunnelCommand output) for the check; resolves once its
   * forwarded ports answer, with a function that closes it, or with a reason it could not.
   */
  readonly openTunnel: (command: string) => Promise<{ readonly close: () => void } | { readonly problem: string }>;
  readonly log: (line: string) => void;
}

function defaultDoctor(root: string, env: NodeJS.ProcessEnv): DeployDeps["doctor"] {
  return (stack, pulumiPath) => {
    const tsNode = path.join(root, "node_modules", "ts-node", "dist", "bin.js");
    // Right after up the first backup and the first log lines are still on their way: retry for 3 minutes.
    const r = spawnSync(process.execPath, [tsNode, path.join(root, "scripts", "doctor.ts"), stack, "--wait", "180"], {
      stdio: "inherit",
      cwd: root,
      env: { ...env, PULUMI_CLI: pulumiPath },
    });
    return r.status ?? 1;
  };
}

/**
 * The tunnel as the output prints it (`ssh -N -L p:127.0.0.1:p ... user@ip`, plain words), run with
 * BatchMode (no prompt can hang the deploy) and ExitOnForwardFailure (a taken local port fails at
 * once instead of checking something else that listens there).
 */
function defaultOpenTunnel(env: NodeJS.ProcessEnv): DeployDeps["openTunnel"] {
  return async (command) => {
    const [bin, ...args] = command.split(/\s+/);
    const ports = [...command.matchAll(/-L (\d+):/g)].map((m) => Number(m[1]));
    const child = spawn(bin, ["-o", "BatchMode=yes", "-o", "ExitOnForwardFailure=yes", ...args], {
      stdio: ["ignore", "ignore", "pipe"],
      env,
    });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const close = () => child.kill("SIGTERM");
    for (let i = 0; i < 60; i++) {
      if (child.exitCode !== null) return { problem: `the tunnel exited (${child.exitCode}): ${stderr.trim() || "no output"}` };
      const open = await Promise.all(ports.map((port) => portAnswers(port)));
      if (open.every(Boolean)) return { close };
      await new Promise((r) => setTimeout(r, 500));
    }
    close();
    return { problem: `the tunnel's ports ${ports.join(", ")} did not answer within 30 s` };
  };
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export function defaultDeps(root = ROOT, env: NodeJS.ProcessEnv = process.env): DeployDeps {
  return {
    root,
    env,
    openTunnel: defaultOpenTunnel(env),
    probeDocker: probeDockerHost(10_000, env),
    doctor: defaultDoctor(root, env),
    log: (l) => process.stderr.write(`deploy: ${l}\n`),
  };
}

/** The stack file's `config:` map, or undefined when there is none. */
function stackFileConfig(root: string, stack: string): Record<string, unknown> | undefined {
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) return undefined;
  const doc = (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  return doc.config ?? {};
}

class Pulumi {
  constructor(
    readonly cli: PulumiCli,
    private readonly deps: DeployDeps,
  ) {}

  run(args: string[], opts: SpawnSyncOptions = {}): number {
    const r = spawnSync(this.cli.path, args, { stdio: "inherit", cwd: this.deps.root, env: this.deps.env, ...opts });
    if (r.error) throw new Error(`could not run pulumi ${args[0]}: ${r.error.message}`);
    return r.status ?? 1;
  }

  /** stdout of a command that must succeed, or undefined (its stderr is shown). */
  capture(args: string[]): string | undefined {
    const r = spawnSync(this.cli.path, args, {
      stdio: ["ignore", "pipe", "inherit"],
      cwd: this.deps.root,
      env: this.deps.env,
      encoding: "utf8",
    });
    return r.status === 0 ? r.stdout : undefined;
  }
}

/** Which Docker host this stack deploys to, or why it cannot be checked yet. */
function dockerHostOf(
  p: Pulumi,
  plan: DeployPlan,
  config: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): { host?: string; note?: string } {
  if (config[`${PROJECT}:target`] === "ec2") {
    const out = parseOutputs(p.capture(["stack", "output", "--json", "--stack", plan.stack]) ?? "");
    if (!out.publicIp) return { note: "the EC2 host does not exist yet: the program waits for Docker on it after creating it" };
    return { host: `ssh://${EC2_SSH_USER}@${out.publicIp}` };
  }
  const own = config[`${PROJECT}:dockerHost`];
  return { host: (typeof own === "string" && own) || env.DOCKER_HOST || "unix:///var/run/docker.sock" };
}

export async function deploy(plan: DeployPlan, deps: DeployDeps): Promise<number> {
  const { log, env, root } = deps;
  const verb = plan.preview ? "preview" : "up";

  log("[1/7] Pulumi CLI");
  const found = findPulumi(root, env);
  const checked = checkPulumi(found, root, env);
  if (!checked.ok) {
    log(checked.message);
    return 1;
  }
  const p = new Pulumi(found!, deps);
  log(`using ${found!.path} (${found!.source === "PATH" ? "on PATH" : "npm launcher"}), ${checked.version}`);

  const config = stackFileConfig(root, plan.stack);
  log(`[2/7] placeholder values in Pulumi.${plan.stack}.yaml`);
  const placeholders = config ? findPlaceholders(config) : [];
  for (const ph of placeholders) log(`  ${ph.key}: ${JSON.stringify(ph.value)} ${ph.reason}`);
  if (placeholders.length > 0 && !plan.preview) {
    log(
      `refusing \`pulumi up\`: ${placeholders.length} placeholder value(s) above; set your own with \`pulumi config set\` (or edit Pulumi.${plan.stack}.yaml), then run again (a preview accepts them: --preview)`,
    );
    return 2;
  }
  if (placeholders.length === 0) log("none");

  log("[3/7] backend");
  if (env.PULUMI_BACKEND_URL) {
    log(`${env.PULUMI_BACKEND_URL} (PULUMI_BACKEND_URL)`);
  } else if (p.run(["whoami", "--non-interactive", "--verbose"], { stdio: ["ignore", "inherit", "ignore"] }) === 0) {
    log("the backend you are logged in to (pulumi whoami)");
  } else {
    log("not logged in to any: logging in to the local file backend (~/.pulumi); set PULUMI_BACKEND_URL to use another");
    const code = p.run(["login", "--local"]);
    if (code !== 0) return code;
  }

  log(`[4/7] stack ${plan.stack}`);
  const listed = p.capture(["stack", "ls", "--json"]);
  const known = new Set<string>(
    listed ? (JSON.parse(listed.trim() || "[]") as { name: string }[]).map((s) => s.name.split("/").pop()!) : [],
  );
  let select: string[];
  if (known.has(plan.stack)) select = ["stack", "select", plan.stack];
  else if (config !== undefined || plan.create) select = ["stack", "select", "--create", plan.stack];
  else {
    const names = [...new Set([...committedStacks(root), ...known])].sort();
    log(
      `refusing: no stack ${JSON.stringify(plan.stack)} in the backend and no Pulumi.${plan.stack}.yaml (known: ${names.join(", ") || "none"}); to create it, run again with --create`,
    );
    return 2;
  }
  let code = p.run(select);
  if (code !== 0) return code;

  log("[5/7] Docker host");
  const target = dockerHostOf(p, plan, config ?? {}, env);
  if (target.host) {
    const probe = await deps.probeDocker(target.host);
    if (probe.state === "down") {
      log(`${probe.detail}\n  fix: ${dockerFix(target.host)}`);
      log("nothing was deployed");
      return 3;
    }
    log(probe.detail);
  } else {
    log(`not checked: ${target.note}`);
  }

  const args = [verb, "--stack", plan.stack, "--policy-pack", path.join(root, "policy"), ...plan.upArgs];
  log(`[6/7] pulumi ${args.join(" ")}`);
  code = p.run(args);
  if (code !== 0 || plan.preview) return code;

  log("[7/7] how to open it, and the post-deploy check");
  const outputs = parseOutputs(p.capture(["stack", "output", "--json", "--stack", plan.stack]) ?? "");
  for (const line of howToOpen(plan.stack, outputs)) log(line);
  if (!plan.doctor) {
    log(`post-deploy check skipped (--no-doctor); run it with \`npm run doctor -- ${plan.stack}\``);
    return 0;
  }
  // Prometheus, Alertmanager and Loki are on each host's loopback: only its tunnel reaches them.
  // The pair's members are checked one after the other (their tunnels share the local ports).
  const tunnels = tunnelsOf(outputs);
  if (tunnels.length > 0) {
    let worst = 0;
    for (const { host, command } of tunnels) {
      log(`opening the SSH tunnel to ${host} for the check`);
      const tunnel = await deps.openTunnel(command);
      if ("problem" in tunnel) {
        log(`the check needs the tunnel, and ${tunnel.problem}; open it yourself (above), then run \`npm run doctor -- ${plan.stack}\``);
        return 1;
      }
      try {
        worst = Math.max(worst, deps.doctor(plan.stack, found!.path));
      } finally {
        tunnel.close();
      }
    }
    return worst;
  }
  return deps.doctor(plan.stack, found!.path);
}

if (require.main === module) {
  const first = process.argv[2];
  if (first === "--help" || first === "-h") {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  let plan: DeployPlan;
  try {
    plan = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`deploy: ${(e as Error).message}\n`);
    process.exit(2);
  }
  deploy(plan, defaultDeps()).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`deploy: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
