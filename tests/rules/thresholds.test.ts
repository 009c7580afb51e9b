// A threshold is written once, as a named value (configs/thresholds.ts, or the `thresholds` of an
// integration's module), and everything else reads the name: the rule files write `${name}` in
// expressions and `${name|format}` in annotations (filled by configs/rules.ts when rendered), the
// promtool tests' expected annotations do the same, and docs/runbooks.md states each threshold
// between markers `npm run docs` refreshes. These tests hold that together: every number an
// alert compares with comes from one of its placeholders (no literal left in a rule file), every
// named threshold is used by its alert, and no threshold is stated in words outside a
// placeholder or marker. Annotations keep stating thresholds in words on purpose: the summary is
// static by convention and $value holds the measured value, not the threshold, so prose is the
// only place an on-call reader sees it.
import * as fs from "node:fs";
import * as path from "node:path";
import { renderRuleFile } from "../../configs/rules";
import { THRESHOLD_FORMATS, placeholderNames } from "../../configs/threshold-text";
import { ALERT_THRESHOLDS } from "../../integrations";
import { thresholdMarkers } from "../../scripts/lib/threshold-markers";
import { ROOT, ruleFileAlerts } from "../helpers/rule-files";
import { comparedNumbers, sameNumber, statedThresholds } from "../helpers/rule-numbers";

const alerts = ruleFileAlerts();
const byName = new Map(alerts.map((a) => [a.alert, a]));
const runbooks = fs.readFileSync(path.join(ROOT, "docs", "runbooks.md"), "utf8");

/**
 * Every threshold replaced by a distinct sentinel: rendered with these, a number an expression
 * compares with that is not a sentinel was written as a literal in the rule file.
 */
const SENTINEL_BASE = 7_654_321;
const sentinelValues: number[] = [];
const SENTINELS = Object.fromEntries(
  Object.entries(ALERT_THRESHOLDS).map(([alert, named]) => [
    alert,
    Object.fromEntries(Object.keys(named).map((k) => [k, SENTINEL_BASE + sentinelValues.push(SENTINEL_BASE + sentinelValues.length) - 1])),
  ]),
);
const withSentinels = new Map(ruleFileAlerts(SENTINELS).map((a) => [a.alert, a]));

/** Compared numbers of an expression that no placeholder wrote (given sentinel rendering). */
function literalsIn(expr: string, language: "promql" | "logql"): string[] {
  return comparedNumbers(expr, language)
    .filter((n) => !sentinelValues.some((s) => sameNumber(s, n.value)))
    .map((n) => `${n.text} (${n.value})`);
}

/** The "What it means" and "Why it fired" parts of an alert's runbook section, code spans left out. */
function runbookReasons(alert: string): string {
  const start = runbooks.indexOf(`\n### ${alert}\n`);
  if (start < 0) return "";
  const next = runbooks.indexOf("\n### ", start + 5);
  const section = runbooks.slice(start, next < 0 ? undefined : next);
  const reasons = /\*\*What it means\.\*\*([\s\S]*?)\*\*How to investigate/.exec(section)?.[1] ?? "";
  return reasons.replace(/`[^`]*`/g, "");
}

/** Text with its threshold markers (and what they show) left out: what remains states thresholds literally. */
function withoutMarkers(text: string): string {
  return text.replace(/<!-- threshold [^>]*-->[^<]*<!-- \/threshold -->/g, "(named)");
}

function proseOf(r: { annotations?: Readonly<Record<string, string>> }): string {
  return `${r.annotations?.summary ?? ""}\n${r.annotations?.description ?? ""}`;
}

describe("the extraction the tests rely on", () => {
  test("reads constants, folded arithmetic, negative bounds, right-hand factors and predict_linear horizons", () => {
    const values = (expr: string, language: "promql" | "logql" = "promql") => comparedNumbers(expr, language).map((n) => n.value);
    expect(values("time() - x > 8 * 3600")).toEqual([28800]);
    expect(values("x >= 2 * (x offset 10m) and on (s) x > 0.01")).toEqual([2, 0.01]);
    expect(values("x < -0.05 and deriv(x[5m]) <= 0")).toEqual([0.05]);
    expect(values("deriv(x[1h]) * 3600 > 100 * 1024 * 1024")).toEqual([104857600]);
    expect(values("x < 0.4 and predict_linear(x[6h], 24 * 3600) < 0")).toEqual([0.4, 86400]);
    expect(values("up == 0 or absent(up) and y != 1 and count(z == 1) > 0")).toEqual([]);
    expect(values("x > bool 1h")).toEqual([3600]);
    expect(
      values(
        'sum(count_over_time({a=~".+"}[5m])) > 20 and sum(count_over_time({a=~".+"}[5m])) > (3 * (sum(count_over_time({a=~".+"}[1h])) / 12))',
        "logql",
      ),
    ).toEqual([20, 3]);
    expect(values('sum(count_over_time({a="b"}[5m])) >= -2', "logql")).toEqual([2]);
  });

  test("reads thresholds stated in words, and not for: durations, ages or windows", () => {
    const stated = (s: string) => statedThresholds(s).map((t) => t.value);
    expect(stated("is {{ $value | humanizeDuration }} over the last 5 minutes (threshold 500ms).")).toEqual([0.5]);
    expect(stated("more than 90% of maxmemory, within 14 days, (threshold 100k), above 2.0, more than 3 times")).toEqual([
      0.9,
      14 * 86400,
      100000,
      2,
      3,
    ]);
    expect(stated("has failed for more than 2 minutes; failed more than 10 minutes ago; in the last 8 hours")).toEqual([]);
    expect(stated("has taken more than 2s for 5 minutes")).toEqual([2]);
    expect(stated("above 100 MiB per hour; more than 100,000 active series; above 0")).toEqual([100 * 1024 * 1024, 100000]);
  });

  test("the formats write thresholds as the prose always has", () => {
    const f = THRESHOLD_FORMATS;
    expect([
      f.number(0.05),
      f.percent(0.05),
      f.percent(0.9),
      f.duration(0.5),
      f.duration(2),
      f.duration(3 * 3600),
      f.duration(14 * 86400),
    ]).toEqual(["0.05", "5%", "90%", "500ms", "2s", "3h", "14d"]);
    expect([
      f.minutes(120),
      f.hours(8 * 3600),
      f.days(86400),
      f.bytes(100 * 1024 * 1024),
      f.count(100000),
      f.fixed1(2),
      f.fixed2(0.9),
    ]).toEqual(["2 minutes", "8 hours", "1 day", "100 MiB", "100,000", "2.0", "0.90"]);
  });
});

describe.each(alerts.map((a) => [a.alert, a] as const))("%s", (name, a) => {
  test("every number its expression compares with comes from one of its named thresholds (no literal in the rule file)", () => {
    const literal = literalsIn(withSentinels.get(name)!.expr, a.language).map(
      (t) =>
        `${t} in ${a.file} is written as a number: name it under ${name} (configs/thresholds.ts or the integration's module) and write \${name}`,
    );
    expect({ alert: name, literal }).toEqual({ alert: name, literal: [] });
  });

  test("every named threshold is used by its expression", () => {
    const used = placeholderNames(a.source.expr);
    const unused = Object.keys(ALERT_THRESHOLDS[name] ?? {})
      .filter((k) => !used.includes(k))
      .map((k) => `${k} is named for ${name} but its expression in ${a.file} has no \${${k}}: use it, or remove the name`);
    expect({ alert: name, unused }).toEqual({ alert: name, unused: [] });
  });

  test("its summary and description state thresholds through placeholders only", () => {
    const literal = statedThresholds(proseOf(a.source)).map((t) => `"${t.phrase}" in ${a.file}: write the alert's \${name|format} instead`);
    expect({ alert: name, literal }).toEqual({ alert: name, literal: [] });
  });

  test("its runbook states thresholds (what it means, why it fired) between threshold markers only", () => {
    const literal = statedThresholds(withoutMarkers(runbookReasons(name))).map(
      (t) => `"${t.phrase}" in docs/runbooks.md: write <!-- threshold ${name}.<name>|<format> --><!-- /threshold --> and run npm run docs`,
    );
    expect({ alert: name, literal }).toEqual({ alert: name, literal: [] });
  });
});

test("every alert named in configs/thresholds.ts exists in the rule files", () => {
  expect(Object.keys(ALERT_THRESHOLDS).filter((n) => !byName.has(n))).toEqual([]);
});

test("named thresholds are positive finite numbers (a bound below zero is written as its size)", () => {
  const bad = Object.entries(ALERT_THRESHOLDS).flatMap(([alert, t]) =>
    Object.entries(t)
      .filter(([, v]) => !(Number.isFinite(v) && v > 0))
      .map(([k, v]) => `${alert}.${k} = ${v}`),
  );
  expect(bad).toEqual([]);
});

test("every runbook marker names an existing threshold and shows its value (npm run docs refreshes them)", () => {
  const markers = thresholdMarkers(runbooks);
  const bad = markers
    .filter(
      (m) =>
        ALERT_THRESHOLDS[m.alert]?.[m.name] === undefined ||
        THRESHOLD_FORMATS[m.format ?? "number"]?.(ALERT_THRESHOLDS[m.alert][m.name]) !== m.shown,
    )
    .map((m) => `<!-- threshold ${m.alert}.${m.name}${m.format ? `|${m.format}` : ""} --> shows "${m.shown}"`);
  expect(bad).toEqual([]);
  expect(markers.length).toBeGreaterThanOrEqual(50);
});

test("the checks are not vacuous: rendered expressions compare with the thresholds, and prose states many of them", () => {
  const withNumbers = alerts.filter((a) => comparedNumbers(a.expr, a.language).length > 0);
  expect(withNumbers.length).toBeGreaterThanOrEqual(Object.keys(ALERT_THRESHOLDS).length);
  expect(alerts.flatMap((a) => placeholderNames(a.source.expr)).length).toBeGreaterThanOrEqual(65);
  // Rendered, the prose states the thresholds in words again.
  expect(alerts.flatMap((a) => statedThresholds(proseOf(a))).length).toBeGreaterThanOrEqual(30);
  // And the runbooks, read as GitHub shows them (the markers' comments hidden).
  expect(
    alerts.flatMap((a) => statedThresholds(runbookReasons(a.alert).replace(/<!-- \/?threshold[^>]*-->/g, ""))).length,
  ).toBeGreaterThanOrEqual(45);
});

test("a literal written back into a rule file, an unknown placeholder or a stray marker would fail", () => {
  const redis = withSentinels.get("RedisHighMemory")!;
  expect(literalsIn(redis.expr, "promql")).toEqual([]);
  expect(literalsIn(redis.expr.replace(String(SENTINELS.RedisHighMemory.usedRatio), "0.90"), "promql")).toEqual(["0.90 (0.9)"]);
  expect(statedThresholds(proseOf({ annotations: { summary: "Redis is using more than 90% of maxmemory" } }))).toHaveLength(1);
  const file = "groups:\n  - name: g\n    rules:\n      - alert: RedisHighMemory\n        expr: x > ${usedRatoi}\n";
  expect(() => renderRuleFile(file, { runbookBaseUrl: "", thresholds: ALERT_THRESHOLDS }, "integrations/redis.rules.yml")).toThrow(
    "integrations/redis.rules.yml: alert RedisHighMemory expr: ${usedRatoi} names no threshold; its named thresholds are usedRatio",
  );
  expect(() => renderRuleFile(file.replace("usedRatoi", "usedRatio|percnt"), { runbookBaseUrl: "", thresholds: ALERT_THRESHOLDS })).toThrow(
    /unknown threshold format "percnt"; accepted: number, percent/,
  );
  expect(
    statedThresholds(withoutMarkers("above <!-- threshold RedisHighMemory.usedRatio|fixed2 -->0.90<!-- /threshold --> for 5 minutes")),
  ).toEqual([]);
});
