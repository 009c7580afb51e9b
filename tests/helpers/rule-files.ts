// The alerts of the rule files, read straight from rules/*.yml and integrations/*.rules.yml
// (PromQL) and rules/loki/*.yml (LogQL), whatever configs/rules.ts deploys: the threshold and alert-reference tests check
// every file in the repository.
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

export const ROOT = path.join(__dirname, "..", "..");

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly language: "promql" | "logql";
  /** Path of the rule file, relative to the repository root. */
  readonly file: string;
}

function read(dir: string, language: AlertRule["language"], include: (file: string) => boolean = (f) => f.endsWith(".yml")): AlertRule[] {
  return fs
    .readdirSync(dir)
    .filter(include)
    .sort()
    .flatMap((f) => {
      const file = path.relative(ROOT, path.join(dir, f));
      const doc = yaml.load(fs.readFileSync(path.join(dir, f), "utf8")) as { groups: { rules: Partial<AlertRule>[] }[] };
      return doc.groups
        .flatMap((g) => g.rules)
        .flatMap((r) =>
          typeof r.alert === "string" && typeof r.expr === "string"
            ? [{ alert: r.alert, expr: r.expr, annotations: r.annotations, language, file }]
            : [],
        );
    });
}

/** Every alert rule of rules/*.yml, the integrations' integrations/*.rules.yml and rules/loki/*.yml. */
export function ruleFileAlerts(): AlertRule[] {
  return [
    ...read(path.join(ROOT, "rules"), "promql"),
    ...read(path.join(ROOT, "integrations"), "promql", (f) => f.endsWith(".rules.yml")),
    ...read(path.join(ROOT, "rules", "loki"), "logql"),
  ];
}
