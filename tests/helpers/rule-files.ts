// The alerts of the rule files in the repository, rules/*.yml and integrations/*.rules.yml (PromQL)
// and rules/loki/*.yml (LogQL), whatever configs/rules.ts deploys: the threshold and
// alert-reference tests check every file. Each alert as rendered (its named thresholds filled in,
// what Prometheus, Loki and promtool read) and as written (with its `${name}` placeholders).
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { COMMITTED_RUNBOOK_BASE, renderRuleFile } from "../../configs/rules";
import { AlertThresholds } from "../../configs/threshold-text";
import { ALERT_THRESHOLDS } from "../../integrations";

export const ROOT = path.join(__dirname, "..", "..");

interface RuleText {
  readonly alert: string;
  readonly expr: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface AlertRule extends RuleText {
  readonly language: "promql" | "logql";
  /** Path of the rule file, relative to the repository root. */
  readonly file: string;
  /** The rule as written in the file, placeholders and all. */
  readonly source: RuleText;
}

function alertsOf(text: string): RuleText[] {
  const doc = yaml.load(text) as { groups: { rules: Partial<RuleText>[] }[] };
  return doc.groups
    .flatMap((g) => g.rules)
    .flatMap((r) =>
      typeof r.alert === "string" && typeof r.expr === "string" ? [{ alert: r.alert, expr: r.expr, annotations: r.annotations }] : [],
    );
}

/** The rule file, rendered with these thresholds as a stack renders it (committed runbook links). */
export function renderRepositoryRuleFile(file: string, thresholds: AlertThresholds = ALERT_THRESHOLDS): string {
  return renderRuleFile(fs.readFileSync(path.join(ROOT, file), "utf8"), { runbookBaseUrl: COMMITTED_RUNBOOK_BASE, thresholds }, file);
}

function read(
  dir: string,
  language: AlertRule["language"],
  thresholds: AlertThresholds,
  include: (file: string) => boolean = (f) => f.endsWith(".yml"),
): AlertRule[] {
  return fs
    .readdirSync(path.join(ROOT, dir))
    .filter(include)
    .sort()
    .flatMap((f) => {
      const file = path.join(dir, f);
      const source = alertsOf(fs.readFileSync(path.join(ROOT, file), "utf8"));
      return alertsOf(renderRepositoryRuleFile(file, thresholds)).map((r, i) => ({ ...r, language, file, source: source[i] }));
    });
}

/**
 * Every alert rule of rules/*.yml, the integrations' integrations/*.rules.yml and rules/loki/*.yml,
 * rendered with `thresholds` (the stack's, unless a test renders with others).
 */
export function ruleFileAlerts(thresholds: AlertThresholds = ALERT_THRESHOLDS): AlertRule[] {
  return [
    ...read("rules", "promql", thresholds),
    ...read("integrations", "promql", thresholds, (f) => f.endsWith(".rules.yml")),
    ...read(path.join("rules", "loki"), "logql", thresholds),
  ];
}
