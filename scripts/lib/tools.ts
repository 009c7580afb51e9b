// The real Prometheus tools the benchmarks run (.tools/bin): fetched by
// scripts/fetch-prometheus-tools.sh, once, after a benchmark has parsed its arguments, so
// `--help` or a refused argument never downloads anything.
import { spawnSync } from "node:child_process";
import * as path from "node:path";

export function ensureTools(): void {
  process.stderr.write("fetching the Prometheus tools if missing (scripts/fetch-prometheus-tools.sh)\n");
  const r = spawnSync("bash", [path.join(__dirname, "..", "fetch-prometheus-tools.sh")], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
