// How many active series one stack host's Prometheus holds: for 50k, 100k and 200k synthetic
// series shaped like the stack's metrics (harness/synthetic-stack.ts, the full rule
// catalogue, production 15s scrape), Prometheus' resident memory, bytes per series, rule
// evaluation time and ingestion rate, then the series that fit its memory limit.
//
//   npm run bench:capacity -- [sizes...]                  (default: 50000 100000 200000)
//   BENCH_CAPACITY_MEMORY_MB=4096 ...                     (default: the stack's Prometheus limit)
//
// The estimate uses the memory each extra series costs (the slope between the smallest and the
// largest size, so Prometheus' fixed overhead is not spread over the series) and keeps
// HEADROOM of the limit free: head compaction every 2 hours, WAL replay after a restart and
// heavy dashboard queries all need memory above the steady state this run measures (it runs
// minutes, not hours). Output, one line per size and one for the limit:
//   capacity series=<n> head_series=<n> rss_mb=<mb> bytes_per_series=<b> rule_eval_ms=<ms> ingestion_samples_per_second=<n>
//   capacity memory_limit_mb=<mb> marginal_bytes_per_series=<b> fixed_mb=<mb> headroom=<f> estimated_series_at_limit=<n>
import { CATALOG } from "../catalog/containers";
import type { SizeResult } from "../harness/synthetic-stack";
import { Command, counts, parseCommand, progress, refuse } from "./lib/args";
import { ensureTools } from "./lib/tools";

const COMMAND: Command = {
  script: "bench:capacity",
  synopsis: "[sizes...]",
  about:
    "How many active series one stack host's Prometheus holds: for each size, Prometheus' resident memory,\n" +
    "bytes per series, rule evaluation time and ingestion on synthetic targets with the full rule catalogue,\n" +
    "then the series that fit its memory limit (estimated_series_at_limit=<n>). About 5 minutes for the\n" +
    "default sizes. Fetches the Prometheus tools into .tools/bin first if they are missing.",
  args: { sizes: "exposed series per run, at least two different ones (default 50000 100000 200000)" },
  env: { BENCH_CAPACITY_MEMORY_MB: "memory limit to estimate for (default: the stack's Prometheus limit)" },
  max: 10,
};

/** Share of the memory limit kept free for compaction, restarts and queries. */
const HEADROOM = 0.3;

export interface CapacityEstimate {
  readonly marginalBytesPerSeries: number;
  readonly fixedBytes: number;
  readonly estimatedSeries: number;
}

/** Series that fit `limitMb` with HEADROOM free, from a straight line through the measurements. */
export function estimateCapacity(results: readonly SizeResult[], limitMb: number): CapacityEstimate {
  const sorted = [...results].sort((a, b) => a.headSeries - b.headSeries);
  const lo = sorted[0];
  const hi = sorted[sorted.length - 1];
  if (!lo || !hi || hi.headSeries === lo.headSeries) throw new Error("need at least two different sizes to estimate the cost of a series");
  const mib = 2 ** 20;
  const marginal = ((hi.rssMb - lo.rssMb) * mib) / (hi.headSeries - lo.headSeries);
  const fixed = lo.rssMb * mib - marginal * lo.headSeries;
  const usable = limitMb * mib * (1 - HEADROOM);
  return { marginalBytesPerSeries: marginal, fixedBytes: fixed, estimatedSeries: Math.floor((usable - fixed) / marginal) };
}

async function main(): Promise<void> {
  const { positionals } = parseCommand(COMMAND);
  const sizes = positionals.length ? counts(COMMAND, positionals, "size") : [50000, 100000, 200000];
  if (new Set(sizes).size < 2) refuse(COMMAND, "give at least two different sizes: the estimate is the slope between them");
  const [limitMb] = counts(
    COMMAND,
    [process.env.BENCH_CAPACITY_MEMORY_MB ?? String(CATALOG.prometheus.limits.memoryMb)],
    "BENCH_CAPACITY_MEMORY_MB",
  );
  ensureTools();
  const { benchSize } = require("../harness/synthetic-stack") as typeof import("../harness/synthetic-stack");
  const results: SizeResult[] = [];
  for (const [i, n] of sizes.entries()) {
    progress(i + 1, sizes.length, `${n} series: start Prometheus and the synthetic targets, measure memory, rule evaluation and ingestion`);
    results.push(await benchSize(n));
  }
  const lines = results.map(
    (r) =>
      `capacity series=${r.series} head_series=${r.headSeries} rss_mb=${r.rssMb.toFixed(0)} ` +
      `bytes_per_series=${((r.rssMb * 2 ** 20) / r.headSeries).toFixed(0)} rule_eval_ms=${r.ruleEvalMs.toFixed(1)} ` +
      `ingestion_samples_per_second=${r.samplesPerSecond.toFixed(0)}`,
  );
  const e = estimateCapacity(results, limitMb);
  lines.push(
    `capacity memory_limit_mb=${limitMb} marginal_bytes_per_series=${e.marginalBytesPerSeries.toFixed(0)} ` +
      `fixed_mb=${(e.fixedBytes / 2 ** 20).toFixed(0)} headroom=${HEADROOM} estimated_series_at_limit=${e.estimatedSeries}`,
  );
  console.log(`\n${lines.join("\n")}`);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
