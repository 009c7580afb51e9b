// scripts/fetch-prometheus-tools.sh as an unprivileged user (GitHub's runners are not root): run
// on a copy of the script in a temporary tree, as `nobody` when the tests run as root (this
// machine's CI) or as the current user otherwise. No network: the tools come from what this
// machine already has (the links in .tools/bin, or the cached .debs / verified release archives
// the first run left behind), and the tampered-archive case reads a local file:// mirror.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const TOOLS = fs.realpathSync(path.join(ROOT, ".tools"));
const SCRIPT = path.join(ROOT, "scripts", "fetch-prometheus-tools.sh");
const asRoot = process.getuid?.() === 0;
const made: string[] = [];

afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** A tree with the script and a .tools/bin holding links to this machine's tools, minus `drop`. */
function tree(drop: string[] = []): string {
  const t = fs.mkdtempSync(path.join(os.tmpdir(), "obs-tools-"));
  made.push(t);
  fs.mkdirSync(path.join(t, "scripts"));
  fs.copyFileSync(SCRIPT, path.join(t, "scripts", "fetch-prometheus-tools.sh"));
  fs.mkdirSync(path.join(t, ".tools", "bin"), { recursive: true });
  for (const name of fs.readdirSync(path.join(TOOLS, "bin"))) {
    if (drop.includes(name)) continue;
    fs.symlinkSync(fs.realpathSync(path.join(TOOLS, "bin", name)), path.join(t, ".tools", "bin", name));
  }
  return t;
}

function run(t: string, env: Record<string, string> = {}): { status: number | null; stderr: string } {
  if (asRoot) spawnSync("chown", ["-R", "nobody:nogroup", t]);
  const envList = Object.entries({ HOME: t, PATH: "/usr/bin:/bin", ...env }).map(([k, v]) => `${k}=${v}`);
  const cmd = [
    ...(asRoot ? ["runuser", "-u", "nobody", "--"] : []),
    "env",
    "-i",
    ...envList,
    "bash",
    path.join(t, "scripts", "fetch-prometheus-tools.sh"),
  ];
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: "utf8", timeout: 120_000 });
  return { status: r.status, stderr: r.stderr };
}

function runsAsUser(t: string, tool: string): string {
  const exe = path.join(t, ".tools", "bin", tool);
  const cmd = asRoot ? ["runuser", "-u", "nobody", "--", exe, "--version"] : [exe, "--version"];
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: "utf8", timeout: 30_000 });
  return `${r.stdout}${r.stderr}`;
}

test("with every tool already in .tools/bin it succeeds unprivileged and changes nothing", () => {
  const t = tree();
  const before = fs.readdirSync(path.join(t, ".tools", "bin")).map((n) => [n, fs.readlinkSync(path.join(t, ".tools", "bin", n))]);
  const r = run(t);
  expect(r.stderr).toContain("prometheus tools ready in");
  expect(r.status).toBe(0);
  const after = fs.readdirSync(path.join(t, ".tools", "bin")).map((n) => [n, fs.readlinkSync(path.join(t, ".tools", "bin", n))]);
  expect(after).toEqual(expect.arrayContaining(before));
});

test("missing tools are installed unprivileged from the source this machine used, without fetching again", () => {
  const t = tree(["node_exporter", "blackbox_exporter"]);
  const debs = path.join(TOOLS, "debs");
  const archives = path.join(TOOLS, "upstream");
  let env: Record<string, string>;
  if (fs.existsSync(debs) && fs.readdirSync(debs).some((f) => f.startsWith("prometheus-node-exporter_"))) {
    fs.mkdirSync(path.join(t, ".tools", "debs"));
    for (const f of fs.readdirSync(debs).filter((f) => /^prometheus-(node|blackbox)-exporter_.*\.deb$/.test(f))) {
      fs.symlinkSync(path.join(debs, f), path.join(t, ".tools", "debs", f));
    }
    env = { TOOLS_SOURCE: "debian" };
  } else {
    // A runner: the first run verified and kept the release archives.
    fs.mkdirSync(path.join(t, ".tools", "upstream"));
    for (const f of fs.readdirSync(archives).filter((f) => f.endsWith(".tar.gz")))
      fs.symlinkSync(path.join(archives, f), path.join(t, ".tools", "upstream", f));
    env = { TOOLS_SOURCE: "upstream", TOOLS_UPSTREAM_MIRROR: "http://127.0.0.1:9/unreachable" };
  }
  const r = run(t, env);
  expect(r.stderr).not.toMatch(/fetching/);
  expect(r.status).toBe(0);
  for (const tool of ["node_exporter", "blackbox_exporter"]) {
    const link = fs.readlinkSync(path.join(t, ".tools", "bin", tool));
    expect(link.startsWith(path.join(t, ".tools"))).toBe(true);
    expect(runsAsUser(t, tool)).toMatch(new RegExp(`${tool}, version \\d+\\.\\d+\\.\\d+`));
  }
});

test("an upstream archive whose sha256 differs from the pinned sum is refused and nothing is installed", () => {
  const t = tree(["node_exporter"]);
  const mirror = path.join(t, "mirror");
  const rel = "prometheus/node_exporter/releases/download/v1.12.1";
  fs.mkdirSync(path.join(mirror, rel), { recursive: true });
  const fake = path.join(mirror, rel, "node_exporter-1.12.1.linux-amd64.tar.gz");
  const staging = path.join(t, "staging", "node_exporter-1.12.1.linux-amd64");
  fs.mkdirSync(staging, { recursive: true });
  fs.writeFileSync(path.join(staging, "node_exporter"), "#!/bin/sh\necho 'node_exporter, version 1.12.1'\n", { mode: 0o755 });
  spawnSync("tar", ["-czf", fake, "-C", path.dirname(staging), path.basename(staging)]);
  const r = run(t, { TOOLS_SOURCE: "upstream", TOOLS_UPSTREAM_MIRROR: `file://${mirror}` });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(
    "sha256 mismatch for node_exporter-1.12.1.linux-amd64.tar.gz: expected b51d8a76aa2a9156a55d501aca6276fae09e262259a5e4e831d2c2222f084e63",
  );
  expect(fs.existsSync(path.join(t, ".tools", "bin", "node_exporter"))).toBe(false);
  expect(fs.existsSync(path.join(t, ".tools", "upstream", "node_exporter-1.12.1.linux-amd64"))).toBe(false);
});

test("an unknown TOOLS_SOURCE is refused with what is accepted", () => {
  const r = run(tree(), { TOOLS_SOURCE: "brew" });
  expect(r.status).toBe(2);
  expect(r.stderr).toContain("TOOLS_SOURCE=brew is not accepted; use debian or upstream");
});
