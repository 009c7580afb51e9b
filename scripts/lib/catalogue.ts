// Reads the alert catalogue from the rule files: what docs/alerts.md's table, the runbook checks and
// the catalogue tests are built from.
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { LOKI_RULES_DIR, RULES_DIR, ruleAreas } from "../../configs/rules";

export interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export interface CatalogueEntry {
  readonly area: string;
  readonly file: string;
  readonly group: string;
  readonly engine: "prometheus" | "loki";
  readonly rule: Rule;
}

interface RuleFile {
  groups: { name: string; interval?: string; rules: Rule[] }[];
}

/** Every area that has a rule file, core and optional alike. */
export function allAreas(): string[] {
  const enabled = ruleAreas({
    integrations: { postgres: true, redis: true, rabbitmq: { targets: [] }, blackbox: { httpTargets: [] } },
    backup: true,
    remoteWrite: true,
  });
  return enabled;
}

export function readRuleFile(file: string): RuleFile {
  return yaml.load(fs.readFileSync(file, "utf8")) as RuleFile;
}

export function catalogue(): CatalogueEntry[] {
  const out: CatalogueEntry[] = [];
  for (const area of allAreas()) {
    const file = path.join(RULES_DIR, `${area}.yml`);
    for (const g of readRuleFile(file).groups) for (const rule of g.rules) out.push({ area, file, group: g.name, engine: "prometheus", rule });
  }
  if (fs.existsSync(LOKI_RULES_DIR)) {
    for (const f of fs.readdirSync(LOKI_RULES_DIR).filter((x) => x.endsWith(".yml")).sort()) {
      const file = path.join(LOKI_RULES_DIR, f);
      for (const g of readRuleFile(file).groups) for (const rule of g.rules) out.push({ area: "logs", file, group: g.name, engine: "loki", rule });
    }
  }
  return out;
}

export function alerts(): (CatalogueEntry & { rule: Rule & { alert: string } })[] {
  return catalogue().filter((e): e is CatalogueEntry & { rule: Rule & { alert: string } } => typeof e.rule.alert === "string");
}
