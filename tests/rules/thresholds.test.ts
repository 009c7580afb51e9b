// The rule files keep their thresholds as literals (promtool, Prometheus and Loki read them as
// they are); configs/thresholds.ts names each one. These tests hold the two together in both
// directions: every number an alert compares with is a named threshold of that alert, and every
// named threshold is used by its alert. A threshold stated in words, in an alert's annotations or
// in its runbook section, must be one of its named thresholds too. Annotations keep stating
// thresholds in words on purpose: the summary is static by convention and $value holds the
// measured value, not the threshold, so prose is the only place an on-call reader sees it; this
// test keeps that prose honest.
import * as fs from "node:fs";
import * as path from "node:path";
import { ALERT_THRESHOLDS } from "../../integrations";
import { ROOT, ruleFileAlerts } from "../helpers/rule-files";
import { comparedNumbers, sameNumber, statedThresholds } from "../helpers/rule-numbers";

const alerts = ruleFileAlerts();
const byName = new Map(alerts.map((a) => [a.alert, a]));
const runbooks = fs.readFileSync(path.join(ROOT, "docs", "runbooks.md"), "utf8");

/** The "What it means" and "Why it fired" parts of an alert's runbook section, code spans left out. */
function runbookReasons(alert: string): string {
  const start = runbooks.indexOf(`\n### ${alert}\n`);
  if (start < 0) return "";
  const next = runbooks.indexOf("\n### ", start + 5);
  const section = runbooks.slice(start, next < 0 ? undefined : next);
  const reasons = /\*\*What it means\.\*\*([\s\S]*?)\*\*How to investigate/.exec(section)?.[1] ?? "";
  return reasons.replace(/`[^`]*`/g, "");
}

/** Names of an alert's thresholds that equal a value. */
function namesFor(alert: string, value: number): string[] {
  return Object.entries(ALERT_THRESHOLDS[alert] ?? {})
    .filter(([, v]) => sameNumber(v, value))
    .map(([k]) => k);
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
    expect(values("sum(count_over_time({a=~\".+\"}[5m])) > 20 and sum(count_over_time({a=~\".+\"}[5m])) > (3 * (sum(count_over_time({a=~\".+\"}[1h])) / 12))", "logql")).toEqual([20, 3]);
    expect(values("sum(count_over_time({a=\"b\"}[5m])) >= -2", "logql")).toEqual([2]);
  });

  test("reads thresholds stated in words, and not for: durations, ages or windows", () => {
    const stated = (s: string) => statedThresholds(s).map((t) => t.value);
    expect(stated("is {{ $value | humanizeDuration }} over the last 5 minutes (threshold 500ms).")).toEqual([0.5]);
    expect(stated("more than 90% of maxmemory, within 14 days, (threshold 100k), above 2.0, more than 3 times")).toEqual([0.9, 14 * 86400, 100000, 2, 3]);
    expect(stated("has failed for more than 2 minutes; failed more than 10 minutes ago; in the last 8 hours")).toEqual([]);
    expect(stated("has taken more than 2s for 5 minutes")).toEqual([2]);
    expect(stated("above 100 MiB per hour; more than 100,000 active series; above 0")).toEqual([100 * 1024 * 1024, 100000]);
  });
});

describe.each(alerts.map((a) => [a.alert, a] as const))("%s", (name, a) => {
  test("every number its expression compares with is one of its named thresholds", () => {
    const unnamed = comparedNumbers(a.expr, a.language)
      .filter((n) => namesFor(name, n.value).length === 0)
      .map((n) => `${n.text} (${n.value}) in ${a.file} is not named in configs/thresholds.ts: change it there too, or name it under ${name}`);
    expect({ alert: name, unnamed }).toEqual({ alert: name, unnamed: [] });
  });

  test("every named threshold is used by its expression", () => {
    const used = comparedNumbers(a.expr, a.language);
    const unused = Object.entries(ALERT_THRESHOLDS[name] ?? {})
      .filter(([, v]) => !used.some((n) => sameNumber(n.value, v)))
      .map(([k, v]) => `${k}: ${v} in configs/thresholds.ts is not in ${name}'s expression in ${a.file}: change the rule too, or remove the name`);
    expect({ alert: name, unused }).toEqual({ alert: name, unused: [] });
  });

  test("a threshold its summary or description states in words is one of its named thresholds", () => {
    const text = `${a.annotations?.summary ?? ""}\n${a.annotations?.description ?? ""}`;
    const wrong = statedThresholds(text)
      .filter((t) => namesFor(name, t.value).length === 0)
      .map((t) => `"${t.phrase}" (${t.value}) in ${a.file}; named in configs/thresholds.ts: ${JSON.stringify(ALERT_THRESHOLDS[name] ?? {})}`);
    expect({ alert: name, wrong }).toEqual({ alert: name, wrong: [] });
  });

  test("a threshold its runbook states (what it means, why it fired) is one of its named thresholds", () => {
    const wrong = statedThresholds(runbookReasons(name))
      .filter((t) => namesFor(name, t.value).length === 0)
      .map((t) => `"${t.phrase}" (${t.value}) in docs/runbooks.md; named in configs/thresholds.ts: ${JSON.stringify(ALERT_THRESHOLDS[name] ?? {})}`);
    expect({ alert: name, wrong }).toEqual({ alert: name, wrong: [] });
  });
});

test("every alert named in configs/thresholds.ts exists in the rule files", () => {
  expect(Object.keys(ALERT_THRESHOLDS).filter((n) => !byName.has(n))).toEqual([]);
});

test("named thresholds are positive finite numbers (a bound below zero is written as its size)", () => {
  const bad = Object.entries(ALERT_THRESHOLDS).flatMap(([alert, t]) =>
    Object.entries(t).filter(([, v]) => !(Number.isFinite(v) && v > 0)).map(([k, v]) => `${alert}.${k} = ${v}`),
  );
  expect(bad).toEqual([]);
});

test("the checks are not vacuous: most alerts have thresholds, and annotations state many of them", () => {
  const withNumbers = alerts.filter((a) => comparedNumbers(a.expr, a.language).length > 0);
  expect(withNumbers.length).toBeGreaterThanOrEqual(Object.keys(ALERT_THRESHOLDS).length);
  const stated = alerts.flatMap((a) => statedThresholds(`${a.annotations?.summary ?? ""}\n${a.annotations?.description ?? ""}`));
  expect(stated.length).toBeGreaterThanOrEqual(30);
  const inRunbooks = alerts.flatMap((a) => statedThresholds(runbookReasons(a.alert)));
  expect(inRunbooks.length).toBeGreaterThanOrEqual(45);
});

test("a drifted literal or description would fail: the checks catch a changed value", () => {
  const drifted = byName.get("HighLatencyP95")!.expr.replace("> 0.5", "> 0.75");
  expect(comparedNumbers(drifted, "promql").filter((n) => namesFor("HighLatencyP95", n.value).length === 0).map((n) => n.value)).toEqual([0.75]);
  expect(statedThresholds("(threshold 2s)").filter((t) => namesFor("HighLatencyP95", t.value).length === 0)).toHaveLength(1);
});
