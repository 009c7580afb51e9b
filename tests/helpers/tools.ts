// Runs the real Prometheus tools installed by scripts/fetch-prometheus-tools.sh.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export { TOOLS_BIN } from "../../harness/processes";
import { TOOLS_BIN } from "../../harness/processes";

export function tool(
  name: "promtool" | "amtool" | "prometheus" | "alertmanager" | "node_exporter" | "blackbox_exporter" | "caddy",
): string {
  const p = path.join(TOOLS_BIN, name);
  if (!fs.existsSync(p)) throw new Error(`${p} is missing: run \`npm run tools\` (scripts/fetch-prometheus-tools.sh)`);
  return p;
}

/**
 * A tool from the system's own release, which scripts/fetch-prometheus-tools.sh installs (as root)
 * and links into .tools/bin: that link, else the same name on PATH. Throws when neither exists:
 * a test that needs the tool fails rather than passing without it.
 */
export function systemTool(name: "systemd-analyze"): string {
  const dirs = [TOOLS_BIN, ...(process.env.PATH ?? "").split(path.delimiter).filter((d) => d !== "")];
  for (const d of dirs) {
    const p = path.join(d, name);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(
    `${name} is missing: run \`npm run tools\` as root (scripts/fetch-prometheus-tools.sh installs it from the system's release)`,
  );
}

export interface ToolResult {
  readonly status: number | null;
  readonly stdout: string;
  /** stdout and stderr together, for messages. */
  readonly output: string;
}

export function run(name: Parameters<typeof tool>[0], args: string[], cwd?: string): ToolResult {
  const r = spawnSync(tool(name), args, { cwd, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout ?? "", output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `obs-${prefix}-`));
}

/** Writes files (absolute container paths) under root, returning root-relative placement. */
export function writeTree(root: string, files: Record<string, string>): void {
  for (const [p, content] of Object.entries(files)) {
    const dest = path.join(root, p);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, content);
  }
}

/**
 * Writes the files uploaded into the Prometheus container to a temp tree, points the absolute
 * rule_files paths into it, and runs `promtool check config` (which also checks the rules).
 */
export function promtoolCheckUploads(files: Record<string, string>, label: string): ToolResult {
  const dir = tempDir(label);
  writeTree(dir, files);
  const cfgPath = path.join(dir, "etc/prometheus/prometheus.yml");
  fs.writeFileSync(cfgPath, files["/etc/prometheus/prometheus.yml"].split("/etc/prometheus/rules/").join(`${dir}/etc/prometheus/rules/`));
  return run("promtool", ["check", "config", cfgPath]);
}
