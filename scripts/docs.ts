// Generated documentation: the settings table (components/settings/schema.ts SETTINGS) into Pulumi.yaml's
// `config:` schema and docs/settings.md, and the alert catalogue (rules/) into docs/alerts.md
// (scripts/lib/reference.ts renders both). `npm run docs` rewrites them; `--check` only compares;
// unit tests fail when either drifts from the code or the rules.
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { SECRET_KEYS, SETTINGS, STRUCTURED_SETTINGS } from "../components/settings";
import { Command, parseCommand } from "./lib/args";
import { SECTIONS, renderSection } from "./lib/reference";

export const ROOT = path.join(__dirname, "..");

const COMMAND: Command = {
  script: "docs",
  synopsis: "[--check]",
  about:
    "Regenerates the reference that comes from the code: Pulumi.yaml's config schema and the settings table\n" +
    "in docs/settings.md (from components/settings/schema.ts), and the alert catalogue in docs/alerts.md\n" +
    "(from rules/ and configs/thresholds.ts). Writes only those three files.",
  flags: { check: "write nothing; exit 1 and name each file that is out of date" },
};

export function pulumiConfigSchema(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(SETTINGS)) {
    out[key] = {
      type: spec.type,
      ...(spec.type === "array" ? { items: { type: "string" } } : {}),
      default: spec.default,
      description: spec.description,
    };
  }
  return out;
}

export function renderPulumiYaml(current: string): string {
  const doc = yaml.load(current) as Record<string, unknown>;
  doc.config = pulumiConfigSchema();
  const header =
    "# Project file. The config schema below is generated from components/settings/schema.ts\n" +
    "# (npm run docs). Structured settings (" +
    Object.keys(STRUCTURED_SETTINGS).join(", ") +
    ") and secrets (" +
    Object.keys(SECRET_KEYS).join(", ") +
    ")\n# cannot be declared in this schema; docs/settings.md documents them.\n";
  return header + yaml.dump(doc, { lineWidth: -1, noRefs: true });
}

/** Every generated file with its text now and as the code says it should be. */
export function generated(): { file: string; current: string; wanted: string }[] {
  const out: { file: string; current: string; wanted: string }[] = [];
  const pulumiYaml = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
  out.push({ file: "Pulumi.yaml", current: pulumiYaml, wanted: renderPulumiYaml(pulumiYaml) });
  for (const [name, section] of Object.entries(SECTIONS)) {
    const current = fs.readFileSync(path.join(ROOT, section.file), "utf8");
    out.push({ file: section.file, current, wanted: renderSection(name, current) });
  }
  return out;
}

if (require.main === module) {
  const { flags } = parseCommand(COMMAND);
  const files = generated();
  const stale = files.filter((f) => f.current !== f.wanted);
  if (flags.has("check")) {
    for (const f of stale) console.error(`${f.file} is out of date: run npm run docs`);
    if (stale.length === 0) console.log(`${files.map((f) => f.file).join(", ")} are in step with the code`);
    process.exit(stale.length ? 1 : 0);
  }
  for (const f of stale) fs.writeFileSync(path.join(ROOT, f.file), f.wanted);
  console.log(`${stale.length ? `rewrote ${stale.map((f) => f.file).join(", ")}` : "nothing to rewrite"}; ${files.map((f) => f.file).join(", ")} are in step with the code`);
}
