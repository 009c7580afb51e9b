// `npm run docs`: regenerates the documentation that comes from the code (scripts/lib/reference.ts):
// Pulumi.yaml's `config:` schema and the settings table in docs/settings.md from
// components/settings/schema.ts, the alert catalogue in docs/alerts.md from rules/ and
// configs/thresholds.ts, the thresholds stated in docs/runbooks.md from their names.
// `--check` only compares. Unit tests fail when any drifts.
import * as fs from "node:fs";
import * as path from "node:path";
import { Command, parseCommand } from "./lib/args";

const COMMAND: Command = {
  script: "docs",
  synopsis: "[--check]",
  about:
    "Regenerates the reference that comes from the code: Pulumi.yaml's config schema and the settings table\n" +
    "in docs/settings.md (from components/settings/schema.ts), and the alert catalogue in docs/alerts.md\n" +
    "(from rules/ and configs/thresholds.ts), and the thresholds docs/runbooks.md states between its\n" +
    "<!-- threshold Alert.name --> markers. Writes only those four files.",
  flags: { check: "write nothing; exit 1 and name each file that is out of date" },
};

async function main(): Promise<void> {
  const { flags } = parseCommand(COMMAND);
  // Loaded after parsing: the settings bring Pulumi's SDK, too slow for --help.
  const { ROOT, generated } = require("./lib/reference") as typeof import("./lib/reference");
  const files = generated();
  const stale = files.filter((f) => f.current !== f.wanted);
  const all = files.map((f) => f.file).join(", ");
  if (flags.has("check")) {
    for (const f of stale) console.error(`${f.file} is out of date: run npm run docs`);
    if (stale.length === 0) console.log(`${all} are in step with the code`);
    process.exit(stale.length ? 1 : 0);
  }
  for (const f of stale) fs.writeFileSync(path.join(ROOT, f.file), f.wanted);
  console.log(
    `${stale.length ? `rewrote ${stale.map((f) => f.file).join(", ")}` : "nothing to rewrite"}; ${all} are in step with the code`,
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
