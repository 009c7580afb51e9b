// Every npm script helps: `npm run <script> -- --help` prints its usage and exits 0 within
// seconds, writing nothing and starting nothing (no tool download, no Prometheus, no Pulumi);
// an unknown option is refused with the usage and exit status 2. Scripts that are a tool's own
// command line (tsc, eslint, jest) answer with that tool's help.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const SCRIPTS = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
/** Scripts that are one upstream tool's command line: its own --help answers. */
const TOOL_COMMANDS = /^(tsc|eslint|jest)\b/;
/** Scripts whose further arguments go to jest, which has its own refusals. */
const PASSES_TO_JEST = new Set(["test", "test:live"]);

function npmRun(script: string, arg: string): { status: number | null; stdout: string; stderr: string; ms: number } {
  const start = Date.now();
  const r = spawnSync("npm", ["run", "--silent", script, "--", arg], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 30_000,
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - start };
}

/** What a script could have written: the work tree's status (ignored files included) and the tools folder. */
function footprint(): string {
  const status = spawnSync("git", ["status", "--porcelain", "--ignored"], { cwd: ROOT, encoding: "utf8" }).stdout;
  const tools = path.join(ROOT, ".tools", "bin");
  const toolsState = fs.existsSync(tools) ? `${fs.statSync(tools).mtimeMs} ${fs.readdirSync(tools).sort().join(",")}` : "none";
  return `${status}\n${toolsState}`;
}

test("package.json has the scripts this test expects to find", () => {
  for (const s of ["render", "review", "deploy", "docs", "tools", "bench:notify", "bench:rules", "bench:backup", "bench:capacity"])
    expect(Object.keys(SCRIPTS)).toContain(s);
});

describe.each(Object.keys(SCRIPTS))("npm run %s", (script) => {
  test("--help prints the usage, exits 0 within seconds and writes nothing", () => {
    const before = footprint();
    const r = npmRun(script, "--help");
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    if (TOOL_COMMANDS.test(SCRIPTS[script])) expect(r.stdout.length).toBeGreaterThan(200);
    else expect(r.stdout).toMatch(new RegExp(`^usage: npm (run ${script.replace(/[:]/g, "\\:")}|test)\\b`));
    // Seconds on an idle machine; the bound leaves room for a busy CI runner, the 30 s timeout catches a script that starts working.
    expect(r.ms).toBeLessThan(25_000);
    expect(footprint()).toBe(before);
  });

  if (!TOOL_COMMANDS.test(SCRIPTS[script]) && !PASSES_TO_JEST.has(script)) {
    test("an unknown option is refused with the usage and exit status 2, before anything runs", () => {
      const before = footprint();
      const r = npmRun(script, "--no-such-option");
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/usage: npm run /);
      expect(r.stdout).toBe("");
      expect(footprint()).toBe(before);
    });
  }
});
