// Rule evaluation cost and Prometheus memory with the full rule catalogue at 10k, 100k and 200k
// active series shaped like the stack's real metrics (tests/helpers/synthetic-stack.ts).
//
//   npx ts-node scripts/bench-rules.ts [sizes...]      (default: 10000 100000 200000)
//   BENCH_RULES_SOAK_MINUTES=40 ...                     (then measure every round for 40 more minutes)
//
// Output per size: each group's evaluation time (median of 5 evaluations), the ten most
// expensive rules, head series, Prometheus RSS, ingestion, and the size's result line:
//   series=<n> rule_eval_ms=<total> rss_mb=<mb>
// and the last lines of every size again at the end. The five rounds come a minute after start,
// with the head chunks about a third full; a soak of more than 30 minutes also gives what a
// long-running Prometheus pays on average (a `soak series=...` line per size, see soakRounds).
import { benchSize } from "../tests/helpers/synthetic-stack";

async function main(): Promise<void> {
  const args = process.argv.slice(2).map(Number).filter((x) => x > 0);
  const sizes = args.length ? args : (process.env.BENCH_RULES_SIZES ?? "10000,100000,200000").split(",").map(Number);
  const lines: string[] = [];
  const soakMinutes = Number(process.env.BENCH_RULES_SOAK_MINUTES ?? 0);
  for (const n of sizes) lines.push((await benchSize(n, soakMinutes)).line);
  console.log(`\n${lines.join("\n")}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
