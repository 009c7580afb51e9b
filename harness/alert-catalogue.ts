// Reads the alert catalogue from the rule files, rendered as a stack loads them (named thresholds
// filled in, committed runbook links): what docs/alerts.md's table, the runbook checks and the
// catalogue tests are built from.
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { COMMITTED_RUNBOOK_BASE, LOKI_RULES_DIR, RULES_DIR, RuleArea, renderRuleFile, ruleAreas } from "../configs/rules";
import { ALERT_THRESHOLDS, INTEGRATIONS } from "../integrations";

const ROOT = path.join(__dirname, "..");

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
  /** Its promtool test file (Prometheus rules; Loki's rules have none). */
  readonly test?: string;
  readonly group: string;
  readonly engine: "prometheus" | "loki";
  readonly rule: Rule;
}

interface RuleFile {
  groups: { name: string; interval?: string; rules: Rule[] }[];
}

/** A rule file with its promtool test: rules/tests/<area>.test.yml, or beside an integration's module. */
export interface TestedRuleArea extends RuleArea {
  readonly test: string;
}

/** Every area that has a rule file: core, optional and every integration's, each with its promtool test. */
export function allAreas(): TestedRuleArea[] {
  const tests = new Map(INTEGRATIONS.map((i) => [i.rules.file, i.rules.test]));
  return ruleAreas({ integrationAreas: INTEGRATIONS.map((i) => i.rules), backup: true, remoteWrite: true, cluster: true }).map((a) => ({
    ...a,
    test: tests.get(a.file) ?? path.join(RULES_DIR, "tests", `${a.area}.test.yml`),
  }));
}

/** A rule file as the stack loads it: placeholders filled with ALERT_THRESHOLDS, runbook links as committed. */
export function renderedRuleFile(file: string): string {
  return renderRuleFile(
    fs.readFileSync(file, "utf8"),
    { runbookBaseUrl: COMMITTED_RUNBOOK_BASE, thresholds: ALERT_THRESHOLDS },
    path.relative(ROOT, file),
  );
}

/** A rule file, rendered (renderedRuleFile), parsed. */
export function readRuleFile(file: string): RuleFile {
  return yaml.load(renderedRuleFile(file)) as RuleFile;
}

export function catalogue(): CatalogueEntry[] {
  const out: CatalogueEntry[] = [];
  for (const { area, file, test } of allAreas()) {
    for (const g of readRuleFile(file).groups)
      for (const rule of g.rules) out.push({ area, file, test, group: g.name, engine: "prometheus", rule });
  }
  if (fs.existsSync(LOKI_RULES_DIR)) {
    for (const f of fs
      .readdirSync(LOKI_RULES_DIR)
      .filter((x) => x.endsWith(".yml"))
      .sort()) {
      const file = path.join(LOKI_RULES_DIR, f);
      for (const g of readRuleFile(file).groups)
        for (const rule of g.rules) out.push({ area: "logs", file, group: g.name, engine: "loki", rule });
    }
  }
  return out;
}

export function alerts(): (CatalogueEntry & { rule: Rule & { alert: string } })[] {
  return catalogue().filter((e): e is CatalogueEntry & { rule: Rule & { alert: string } } => typeof e.rule.alert === "string");
}
