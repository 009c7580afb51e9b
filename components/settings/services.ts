// Application services to scrape and the business KPI panels: structured settings (lists of
// objects) that Pulumi's schema cannot type, so every field is checked here.
import { RESERVED_JOBS } from "../../integrations";
import { KpiSettings, ServiceSettings } from "../../configs/service-settings";
import { checkHostPort, checkLabelName, checkName, checkPromql, each, isRecord, show } from "./checks";
import { Reader } from "./reader";

export function readServices(r: Reader): ServiceSettings[] {
  const v = r.structured("services");
  if (v === undefined) return [];
  const shape = "a list of {name, targets, metricsPath?, scheme?, labels?}";
  if (!Array.isArray(v)) {
    r.fail("services", `${show(v)} is not accepted; use ${shape}`);
    return [];
  }
  const out: ServiceSettings[] = [];
  const names = new Set<string>();
  v.forEach((s: unknown, i) => {
    const key = `services[${i}]`;
    if (!isRecord(s)) {
      r.fail(key, `${show(s)} is not accepted; use an object {name, targets, metricsPath?, scheme?, labels?}`);
      return;
    }
    const allowed = ["name", "targets", "metricsPath", "scheme", "labels"];
    r.failUnknownFields(key, s, allowed);
    const name = s.name;
    const nameProblem = checkName(name);
    if (nameProblem) r.fail(`${key}.name`, nameProblem);
    else if (RESERVED_JOBS.includes(name as string)) {
      r.fail(`${key}.name`, `${show(name)} is the job of a stack component; choose another (reserved: ${RESERVED_JOBS.join(", ")})`);
    } else if (names.has(name as string)) r.fail(`${key}.name`, `${show(name)} is used by two services; names must be unique`);
    names.add(name as string);
    const targets = s.targets;
    if (!Array.isArray(targets) || targets.length === 0) {
      r.fail(`${key}.targets`, `${show(targets)} is not accepted; a service needs a non-empty list of host:port targets`);
    } else {
      const p = each(checkHostPort)(targets);
      if (p) r.fail(`${key}.targets`, p);
    }
    const metricsPath = s.metricsPath ?? "/metrics";
    if (typeof metricsPath !== "string" || !/^\/\S*$/.test(metricsPath)) {
      r.fail(`${key}.metricsPath`, `${show(metricsPath)} is not accepted; use an absolute path such as /metrics`);
    }
    const scheme = s.scheme ?? "http";
    if (scheme !== "http" && scheme !== "https") r.fail(`${key}.scheme`, `${show(scheme)} is not accepted; use http or https`);
    const labels = s.labels ?? {};
    if (!isRecord(labels)) {
      r.fail(`${key}.labels`, `${show(labels)} is not accepted; use a mapping of label name to string value`);
    } else {
      for (const [ln, lv] of Object.entries(labels)) {
        const problem = checkLabelName(ln);
        if (problem) r.fail(`${key}.labels.${ln}`, problem);
        else if (typeof lv !== "string") r.fail(`${key}.labels.${ln}`, `${show(lv)} is not accepted; use a string`);
      }
    }
    out.push({
      name: name as string,
      targets: Array.isArray(targets) ? (targets as string[]) : [],
      metricsPath: metricsPath as string,
      scheme: scheme as "http" | "https",
      labels: isRecord(labels) ? (labels as Record<string, string>) : {},
    });
  });
  return out;
}

export function readKpis(r: Reader): KpiSettings[] {
  const v = r.structured("kpis");
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    r.fail("kpis", `${show(v)} is not accepted; use a list of {title, expr, unit?, thresholds?}`);
    return [];
  }
  const out: KpiSettings[] = [];
  v.forEach((k: unknown, i) => {
    const key = `kpis[${i}]`;
    if (!isRecord(k)) {
      r.fail(key, `${show(k)} is not accepted; use an object {title, expr, unit?, thresholds?}`);
      return;
    }
    const allowed = ["title", "expr", "unit", "thresholds"];
    r.failUnknownFields(key, k, allowed);
    if (typeof k.title !== "string" || k.title.trim() === "")
      r.fail(`${key}.title`, `${show(k.title)} is not accepted; use a non-empty title`);
    if (typeof k.expr !== "string" || k.expr.trim() === "")
      r.fail(`${key}.expr`, `${show(k.expr)} is not accepted; use a PromQL expression`);
    else {
      const problem = checkPromql(k.expr);
      if (problem) r.fail(`${key}.expr`, `${problem}; use a PromQL expression that Prometheus accepts, e.g. sum(rate(signups_total[5m]))`);
    }
    const unit = k.unit ?? "short";
    if (typeof unit !== "string" || !/^[A-Za-z0-9:_./-]+$/.test(unit))
      r.fail(`${key}.unit`, `${show(unit)} is not accepted; use a Grafana unit id such as short, percentunit, currencyUSD`);
    const thresholds = k.thresholds ?? [];
    const okThresholds =
      Array.isArray(thresholds) &&
      thresholds.every((t) => isRecord(t) && typeof t.value === "number" && typeof t.color === "string") &&
      thresholds.every((t, j) => j === 0 || (t as { value: number }).value > (thresholds[j - 1] as { value: number }).value);
    if (!okThresholds)
      r.fail(`${key}.thresholds`, `${show(thresholds)} is not accepted; use an ascending list of {value: number, color: string}`);
    out.push({
      title: String(k.title),
      expr: String(k.expr),
      unit: String(unit),
      thresholds: okThresholds ? (thresholds as { value: number; color: string }[]) : [],
    });
  });
  return out;
}
