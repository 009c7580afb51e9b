// `ts-node scripts/lib/review/dump.ts <source root> <stack> <out.json>`: runs the program found in
// <source root> under mocks (with this checkout's mocks, so a commit that predates this script
// can be rendered too) and writes every recorded resource as JSON. One program per process:
// Pulumi's runtime state is global.
import * as fs from "node:fs";
import * as path from "node:path";
import { runProgram } from "../../../harness/mock-program";
import { Snapshot } from "./model";

async function main(): Promise<void> {
  const [root, stack, out] = process.argv.slice(2);
  if (!root || !stack || !out) {
    console.error("usage: ts-node scripts/lib/review/dump.ts <source root> <stack> <out.json>");
    process.exit(2);
  }
  const run = await runProgram({ stack, root: path.resolve(root) });
  const snapshot: Snapshot = { stack, resources: run.resources.map(({ type, name, inputs }) => ({ type, name, inputs })) };
  fs.writeFileSync(out, JSON.stringify(snapshot));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
