// The alert catalogue as data: conventions every alert must meet, a runbook section for each,
// a promtool test on both sides of every `for:`, and every LogQL rule parsed by Loki's grammar.
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { logqlSyntaxErrors, promqlSyntaxErrors } from "../helpers/grammars";
import { promqlMetricNames } from "../helpers/query-check";
import { INTEGRATIONS, METRICS, RULE_ONLY_METRICS } from "../../integrations";
import { alerts, allAreas, catalogue, readRuleFile } from "../../harness/alert-catalogue";
import { COMMITTED_RUNBOOK_BASE, CORE_RULE_AREAS, OPTIONAL_RULE_AREAS, RULES_DIR } from "../../configs/rules";
import { durationSeconds } from "../../configs/prometheus";

const ROOT = path.join(__dirname, "..", "..");
const RUNBOOKS = path.join(ROOT, "docs", "runbooks.md");
const INTEGRATIONS_DIR = path.join(ROOT, "integrations");

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, -N for repeats. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of markdown.split("\n")) {
    const m = /^#{1,6}\s+(.*?)\s*$/.exec(line);
    if (!m) continue;
    const base = m[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

const promqlErrors = promqlSyntaxErrors;
const logqlErrors = logqlSyntaxErrors;

const all = alerts();

test("the catalogue has at least 69 alerts, each name once", () => {
  expect(all.length).toBeGreaterThanOrEqual(69);
  const names = all.map((a) => a.rule.alert);
  expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
});

test("every area has its rule file and its tests; no stray files", () => {
  const files = fs.readdirSync(RULES_DIR).filter((f) => f.endsWith(".yml"));
  expect(files.sort()).toEqual([...CORE_RULE_AREAS, ...Object.keys(OPTIONAL_RULE_AREAS)].map((a) => `${a}.yml`).sort());
  const integrationFiles = fs.readdirSync(INTEGRATIONS_DIR).filter((f) => f.endsWith(".yml"));
  expect(integrationFiles.sort()).toEqual(
    INTEGRATIONS.flatMap((i) => [i.rules.file, i.rules.test].map((f) => path.relative(INTEGRATIONS_DIR, f))).sort(),
  );
  for (const a of allAreas()) expect({ test: a.test, exists: fs.existsSync(a.test) }).toEqual({ test: a.test, exists: true });
  // Rendered names are unique: two areas with one name would overwrite each other in Prometheus's rules directory.
  const names = allAreas().map((a) => a.area);
  expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
});

test("every test file of an area with recording rules pins the group order, recording rules first", () => {
  // promtool evaluates groups in a random order unless group_eval_order is set, so a boundary
  // case that reads a recorded series would pass or fail by chance.
  for (const { area, file, test } of allAreas()) {
    const groups = readRuleFile(file).groups.map((g) => g.name);
    if (!groups.some((g) => g.endsWith(".rules"))) continue;
    const tests = yaml.load(fs.readFileSync(test, "utf8")) as { group_eval_order?: string[] };
    const order = tests.group_eval_order ?? [];
    expect({ area, order: [...order].sort() }).toEqual({ area, order: [...groups].sort() });
    const firstAlertGroup = order.findIndex((g) => !g.endsWith(".rules"));
    expect({ area, recordingFirst: order.slice(firstAlertGroup).every((g) => !g.endsWith(".rules")) }).toEqual({
      area,
      recordingFirst: true,
    });
  }
});

test("groups are named after their area; recording rules follow level:metric:operations in *.rules groups", () => {
  for (const e of catalogue()) {
    if (e.engine === "loki") continue;
    if (e.rule.record) {
      expect({ rule: e.rule.record, group: e.group }).toEqual({ rule: e.rule.record, group: `${e.area}.rules` });
      expect(e.rule.record).toMatch(/^[a-z_]+:[a-zA-Z0-9_]+:[a-zA-Z0-9_]+$/);
    } else {
      expect({ alert: e.rule.alert, group: e.group }).toEqual({ alert: e.rule.alert, group: e.area });
    }
  }
});

describe.each(all.map((a) => [a.rule.alert, a] as const))("%s", (name, e) => {
  const { labels = {}, annotations = {} } = e.rule;

  test("has a severity, a static summary, a templated description and a runbook link", () => {
    if (name === "Watchdog") expect(labels.severity).toBe("none");
    else expect(["critical", "warning", "info"]).toContain(labels.severity);
    expect(annotations.summary).toBeTruthy();
    expect(annotations.summary).not.toContain("{{");
    expect(annotations.description).toMatch(/\{\{.*\}\}/);
    expect(annotations.runbook_url).toBe(`${COMMITTED_RUNBOOK_BASE}#${name.toLowerCase()}`);
  });

  test("its runbook section exists with the five parts", () => {
    const md = fs.readFileSync(RUNBOOKS, "utf8");
    expect(anchors(md).has(name.toLowerCase())).toBe(true);
    const start = md.indexOf(`\n### ${name}\n`);
    expect(start).toBeGreaterThanOrEqual(0);
    const next = md.indexOf("\n### ", start + 5);
    const section = md.slice(start, next < 0 ? undefined : next);
    for (const part of ["What it means", "Why it fired", "How to investigate", "How to resolve", "Escalation"]) {
      expect({ name, part, present: section.includes(part) }).toEqual({ name, part, present: true });
    }
  });

  test("its expression parses", () => {
    const errors = e.engine === "loki" ? logqlErrors(e.rule.expr) : promqlErrors(e.rule.expr);
    expect(errors).toEqual([]);
  });

  if (e.engine === "prometheus") {
    test("its promtool tests cover both sides of for:", () => {
      const tests = yaml.load(fs.readFileSync(e.test!, "utf8")) as {
        evaluation_interval?: string;
        tests: { alert_rule_test?: { eval_time: string; alertname: string; exp_alerts: unknown[] }[] }[];
      };
      const cases = tests.tests.flatMap((t) => t.alert_rule_test ?? []).filter((c) => c.alertname === name);
      const silent = cases.filter((c) => (c.exp_alerts ?? []).length === 0).map((c) => durationSeconds(c.eval_time));
      const firing = cases.filter((c) => (c.exp_alerts ?? []).length > 0).map((c) => durationSeconds(c.eval_time));
      expect({ name, firing: firing.length > 0 }).toEqual({ name, firing: true });
      // Watchdog fires by design at every evaluation: it has no healthy case to test.
      if (name !== "Watchdog") expect({ name, silent: silent.length > 0 }).toEqual({ name, silent: true });
      const forSeconds = durationSeconds(e.rule.for ?? "0s");
      if (forSeconds > 0 && name !== "Watchdog") {
        // Some silent case must sit before a firing case and within one `for:` of it.
        const boundary = firing.some((f) => silent.some((s) => s < f && f - s <= forSeconds));
        expect({ name, boundaryChecked: boundary }).toEqual({ name, boundaryChecked: true });
      }
    });
  }
});

test("every metric a rule selects is produced by a deployed exporter, the metric contract or a recording rule", () => {
  const recorded = new Set(catalogue().flatMap((e) => (e.rule.record ? [e.rule.record] : [])));
  const unknown = new Set<string>();
  for (const e of catalogue()) {
    if (e.engine !== "prometheus") continue;
    const { names, unnamed } = promqlMetricNames(e.rule.expr);
    for (const n of names) if (!recorded.has(n) && !(n in METRICS) && !(n in RULE_ONLY_METRICS)) unknown.add(`${e.area}: ${n}`);
    for (const u of unnamed) unknown.add(`${e.area}: selector without a metric name ${u}`);
  }
  expect([...unknown].sort()).toEqual([]);
  // And every rule-only name is really used by a rule.
  const used = new Set(catalogue().flatMap((e) => (e.engine === "prometheus" ? promqlMetricNames(e.rule.expr).names : [])));
  expect(Object.keys(RULE_ONLY_METRICS).filter((n) => !used.has(n))).toEqual([]);
});

test("the checker itself rejects broken queries", () => {
  expect(promqlErrors("sum(rate(http_requests_total[5m])")).not.toEqual([]);
  expect(logqlErrors('sum by (service) (count_over_time({service="x"} |= "error" [5m])')).not.toEqual([]);
  expect(promqlErrors('sum by (service) (rate(http_requests_total{status=~"5.."}[5m]))')).toEqual([]);
});

test("the runbook has no section for an alert that does not exist", () => {
  const md = fs.readFileSync(RUNBOOKS, "utf8");
  const sections = [...md.matchAll(/^### (\S+)\s*$/gm)].map((m) => m[1]);
  const names = new Set(all.map((a) => a.rule.alert));
  expect(sections.filter((s) => !names.has(s))).toEqual([]);
});
