// `npm run deploy -- <stack>`: which pulumi commands it runs, in which order, decided by the
// backend in the environment and by each command's exit status. A fake `pulumi` first on PATH
// records its argv (the real CLI cannot be downloaded here) and exits as the test says.
// The script is transpiled once into a copy of the repository's top level (its stack files), so
// each run is a plain `node` process rather than a ts-node start.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.join(__dirname, "..", "..");
let fakeDir: string;
let copyRoot: string;
let POLICY: string;

beforeAll(() => {
  fakeDir = fs.mkdtempSync(path.join(os.tmpdir(), "obs-deploy-"));
  copyRoot = path.join(fakeDir, "repo");
  fs.mkdirSync(path.join(copyRoot, "scripts"), { recursive: true });
  for (const f of fs.readdirSync(ROOT).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) fs.copyFileSync(path.join(ROOT, f), path.join(copyRoot, f));
  const source = fs.readFileSync(path.join(ROOT, "scripts", "deploy.ts"), "utf8");
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  fs.writeFileSync(path.join(copyRoot, "scripts", "deploy.js"), js);
  POLICY = path.join(copyRoot, "policy");
  const fake = path.join(fakeDir, "pulumi");
  // Exit status per subcommand from FAKE_<SUBCOMMAND>_EXIT (default 0).
  fs.writeFileSync(
    fake,
    [
      "#!/bin/sh",
      'printf "%s\\n" "$*" >>"$FAKE_LOG"',
      'sub=$(printf "%s" "$1" | tr a-z A-Z)',
      'eval "code=\\${FAKE_${sub}_EXIT:-0}"',
      'exit "$code"',
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
});
afterAll(() => fs.rmSync(fakeDir, { recursive: true, force: true }));

function deploy(args: string[], env: Record<string, string> = {}): { status: number | null; calls: string[]; stderr: string } {
  const log = path.join(fakeDir, `log-${Math.random().toString(36).slice(2)}`);
  const base: NodeJS.ProcessEnv = { ...process.env };
  delete base.PULUMI_BACKEND_URL;
  delete base.PULUMI_ACCESS_TOKEN;
  const r = spawnSync(process.execPath, [path.join(copyRoot, "scripts", "deploy.js"), ...args], {
    cwd: copyRoot,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...base, PATH: `${fakeDir}${path.delimiter}${process.env.PATH}`, FAKE_LOG: log, ...env },
  });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
  return { status: r.status, calls, stderr: r.stderr };
}

test("no backend anywhere: logs in to the local backend, creates or selects the stack, runs up with the policy pack", () => {
  const r = deploy(["dev"], { FAKE_WHOAMI_EXIT: "255" });
  expect(r.calls).toEqual(["whoami --non-interactive --verbose", "login --local", "stack select --create dev", `up --stack dev --policy-pack ${POLICY}`]);
  expect(r.status).toBe(0);
  expect(r.stderr).toContain("logging in to the local file backend");
});

test("already logged in: keeps that backend; extra arguments go to pulumi up", () => {
  const r = deploy(["prod", "--yes", "--skip-preview"]);
  expect(r.calls).toEqual(["whoami --non-interactive --verbose", "stack select --create prod", `up --stack prod --policy-pack ${POLICY} --yes --skip-preview`]);
  expect(r.status).toBe(0);
});

test("PULUMI_BACKEND_URL set: neither asks who you are nor logs in", () => {
  const r = deploy(["dev"], { PULUMI_BACKEND_URL: "s3://state-bucket", FAKE_WHOAMI_EXIT: "255" });
  expect(r.calls).toEqual(["stack select --create dev", `up --stack dev --policy-pack ${POLICY}`]);
});

test("a failing step stops the script with that step's exit status", () => {
  const select = deploy(["dev"], { FAKE_STACK_EXIT: "4" });
  expect(select.calls).toEqual(["whoami --non-interactive --verbose", "stack select --create dev"]);
  expect(select.status).toBe(4);
  const login = deploy(["dev"], { FAKE_WHOAMI_EXIT: "1", FAKE_LOGIN_EXIT: "5" });
  expect(login.calls).toEqual(["whoami --non-interactive --verbose", "login --local"]);
  expect(login.status).toBe(5);
  const up = deploy(["dev"], { FAKE_UP_EXIT: "3" });
  expect(up.calls[up.calls.length - 1]).toBe(`up --stack dev --policy-pack ${POLICY}`);
  expect(up.status).toBe(3);
});

test("no stack, or a bad one: a usage message naming the committed stacks, and no pulumi call", () => {
  const none = deploy([]);
  expect(none.status).toBe(2);
  expect(none.calls).toEqual([]);
  expect(none.stderr).toContain("usage: npm run deploy -- <stack> [pulumi up flags]; committed stacks: dev, prod");
  const bad = deploy(["dev;rm"]);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain('stack name "dev;rm" is not accepted');
});
