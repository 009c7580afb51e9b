// Rule evaluation cost and Prometheus memory with the full rule catalogue at 10k, 100k and 200k
// active series shaped like the stack's real metrics (harness/synthetic-stack.ts).
//
//   npm run bench:rules -- [sizes...]                  (default: 10000 100000 200000)
//   BENCH_RULES_SOAK_MINUTES=40 ...                     (then measure every round for 40 more minutes)
//
// Output per size: each group's evaluation time (median of 5 evaluations), the ten most
// expensive rules, head series, Prometheus RSS, ingestion, and the size's result line:
//   series=<n> rule_eval_ms=<total> rss_mb=<mb>
// and the last lines of every size again at the end. The five rounds come a minute after start,
// with the head chunks about a third full; a soak of more than 30 minutes also gives what a
// long-running Prometheus pays on average (a `soak series=...` line per size, see soakRounds).
import { Command, counts, parseCommand, progress, refuse } from "./lib/args";
import { ensureTools } from "./lib/tools";

const COMMAND: Command = {
  script: "bench:rules",
  synopsis: "[sizes...]",
  about:
    "Rule evaluation cost and Prometheus memory with the full rule catalogue on a real Prometheus scraping\n" +
    "synthetic targets shaped like the stack's metrics. Per size: each group's evaluation time, the ten most\n" +
    "expensive rules and a line series=<n> rule_eval_ms=<total> rss_mb=<mb>. About 5 minutes for the default\n" +
    "sizes. Fetches the Prometheus tools into .tools/bin first if they are missing.",
  args: { sizes: "exposed series per run (default 10000 100000 200000)" },
  env: {
    BENCH_RULES_SIZES: "comma-separated sizes when no argument is given",
    BENCH_RULES_SOAK_MINUTES: "then measure every round for this many more minutes (40 covers a chunk cycle)",
  },
  max: 10,
};

async function main(): Promise<void> {
  const { positionals } = parseCommand(COMMAND);
  const sizes = counts(
    COMMAND,
    positionals.length ? positionals : (process.env.BENCH_RULES_SIZES ?? "10000,100000,200000").split(","),
    "size",
  );
  const soak = process.env.BENCH_RULES_SOAK_MINUTES ?? "0";
  if (!/^\d+$/.test(soak)) refuse(COMMAND, `BENCH_RULES_SOAK_MINUTES=${soak} is not accepted; use a whole number of minutes`);
  const soakMinutes = Number(soak);
  ensureTools();
  const { benchSize } = require("../harness/synthetic-stack") as typeof import("../harness/synthetic-stack");
  const lines: string[] = [];
  for (const [i, n] of sizes.entries()) {
    progress(
      i + 1,
      sizes.length,
      `${n} series: start Prometheus and the synthetic targets, fill the windows, measure 5 rounds${soakMinutes ? ` and soak ${soakMinutes} minutes` : ""}`,
    );
    lines.push((await benchSize(n, soakMinutes)).line);
  }
  console.log(`\n${lines.join("\n")}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
