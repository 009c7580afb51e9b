// Every PromQL and LogQL query of every dashboard parses with the upstream grammars (after
// Grafana's template variables are replaced by concrete values), every metric it selects is
// in the allow-list of dashboards/metrics.ts, and the LogQL selectors only use the stream
// labels the log agent produces.
import * as fs from "fs";
import { ALLOY_STREAM_LABELS, LEVEL_ALIASES } from "../../configs/alloy";
import { buildDashboards } from "../../dashboards";
import { INTEGRATIONS, METRICS, RESERVED_JOBS } from "../../integrations";
import {
  collectQueries,
  DashboardJson,
  FoundQuery,
  logqlErrors,
  logqlLevelValues,
  logqlStreamLabels,
  promqlErrors,
  promqlMetricNames,
  queryErrors,
  GLOBAL_VARIABLES,
  substituteVariables,
  variableReferences,
} from "../helpers/query-check";
import { emptyDir, INPUTS, FULL_INPUT } from "../helpers/dashboard-fixtures";

function dashboardsFor(input: (typeof INPUTS)[number][1]): DashboardJson[] {
  const dir = emptyDir();
  try {
    return Object.values(buildDashboards(input, { dir })).map((t) => JSON.parse(t) as DashboardJson);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("the query checker", () => {
  it("rejects broken PromQL", () => {
    expect(promqlErrors(`sum(rate(http_requests_total{service="api"}[5m])`)).not.toEqual([]);
    expect(promqlErrors(`http_requests_total{service="api"`)).not.toEqual([]);
    expect(promqlErrors(`sum by (le (rate(x[5m]))`)).not.toEqual([]);
    expect(promqlErrors(`up{tier="app"} +`)).not.toEqual([]);
    expect(promqlErrors("")).not.toEqual([]);
  });

  it("rejects broken LogQL", () => {
    expect(logqlErrors(`{service="api"`)).not.toEqual([]);
    expect(logqlErrors(`sum(count_over_time({service="api"}[5m])`)).not.toEqual([]);
    expect(logqlErrors(`rate({service="api"})`)).not.toEqual([]);
    expect(logqlErrors(`{service="api"} |~`)).not.toEqual([]);
  });

  it("accepts valid queries and needs the variable substitution to do so", () => {
    const promql = `sum by (route) (rate(http_requests_total{service="$service"}[$__rate_interval]))`;
    expect(promqlErrors(promql)).toEqual([]);
    expect(substituteVariables(promql)).toBe(`sum by (route) (rate(http_requests_total{service="api"}[5m]))`);
    expect(substituteVariables("${service:regex} [[level]] ${__range_s} ${1}")).toBe("api error 3600 ${1}");
    const logql = `sum by (level) (count_over_time({service=~"\${service:regex}"} |~ "(?i)$search" [$__auto]))`;
    expect(logqlErrors(logql)).toEqual([]);
  });

  it("finds a broken query hidden in a built dashboard", () => {
    const d = dashboardsFor(FULL_INPUT).find((x) => x.uid === "overview") as DashboardJson;
    const target = d.panels?.find((p) => p.targets?.length)?.targets?.[0] as { expr: string };
    target.expr = target.expr.replace(/\)$/, "");
    const broken = collectQueries(d).filter((q) => queryErrors(q).length > 0);
    expect(broken).toHaveLength(1);
  });

  it("spots references to undefined variables", () => {
    expect(variableReferences(`rate(x{a="$servcie"}[$__rate_interval]) ${"$"}{1} ${"$"}{level:regex} [[container]]`)).toEqual([
      "__rate_interval",
      "container",
      "level",
      "servcie",
    ]);
  });

  it("reads stream labels and levels from LogQL selectors only", () => {
    expect(logqlStreamLabels(`{service="api", level=~"error|critical"} | json | pod="x"`)).toEqual(["level", "service"]);
    expect(logqlLevelValues(`{service="api", level=~"error|critical"}`)).toEqual(["critical", "error"]);
  });

  it("extracts metric names from the parse tree, not from label values or strings", () => {
    expect(
      promqlMetricNames(
        `sum(rate(http_requests_total{route="node_cpu_seconds_total"}[5m])) / on() group_left count(up) + label_replace(vector(1), "a", "$1", "b", "(x)")`,
      ),
    ).toEqual({ names: ["http_requests_total", "up"], unnamed: [] });
    expect(promqlMetricNames(`{__name__=~"node_.*"}`).unnamed).toHaveLength(1);
  });
});

describe.each(INPUTS)("queries of the dashboards for %s", (_label, input) => {
  const dashboards = dashboardsFor(input);
  const queries: FoundQuery[] = dashboards.flatMap(collectQueries);

  it("finds PromQL and LogQL queries", () => {
    expect(queries.filter((q) => q.kind === "prometheus").length).toBeGreaterThan(50);
    expect(queries.filter((q) => q.kind === "loki").length).toBeGreaterThan(5);
  });

  it("parses every PromQL and LogQL query", () => {
    const failures = queries.flatMap((q) => queryErrors(q).map((e) => `${q.where}: ${e}\n  ${q.expr}`));
    expect(failures).toEqual([]);
  });

  it("refers only to variables the dashboard defines or Grafana provides", () => {
    const problems: string[] = [];
    for (const d of dashboards) {
      const defined = new Set((d.templating?.list ?? []).map((v) => v.name));
      for (const q of collectQueries(d)) {
        for (const name of variableReferences(q.expr)) {
          if (!defined.has(name) && !GLOBAL_VARIABLES.has(name)) problems.push(`${q.where}: unknown variable $${name}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("selects only allow-listed metrics, always by name", () => {
    const problems: string[] = [];
    for (const q of queries.filter((x) => x.kind === "prometheus")) {
      const { names, unnamed } = promqlMetricNames(q.expr);
      for (const n of names)
        if (!(n in METRICS))
          problems.push(`${q.where}: ${n} is not in the metric allow-list (dashboards/metrics.ts or its integration's module)`);
      for (const u of unnamed) problems.push(`${q.where}: selector without a metric name: ${u}`);
    }
    expect(problems).toEqual([]);
  });

  it("uses only the log agent's stream labels and canonical levels in LogQL selectors", () => {
    const labels = new Set<string>(ALLOY_STREAM_LABELS);
    const levels = new Set(Object.keys(LEVEL_ALIASES));
    const problems: string[] = [];
    let selectors = 0;
    for (const q of queries.filter((x) => x.kind === "loki")) {
      for (const label of logqlStreamLabels(q.expr)) {
        selectors++;
        if (!labels.has(label)) problems.push(`${q.where}: stream label "${label}" is not one the log agent sets`);
      }
      for (const level of logqlLevelValues(q.expr)) {
        if (!levels.has(level)) problems.push(`${q.where}: level "${level}" is not a canonical level`);
      }
    }
    expect(selectors).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });
});

describe("the metric allow-list", () => {
  const used = new Set(
    dashboardsFor(FULL_INPUT)
      .flatMap(collectQueries)
      .filter((q) => q.kind === "prometheus")
      .flatMap((q) => promqlMetricNames(q.expr).names),
  );

  it("lists no metric the dashboards do not use", () => {
    expect(Object.keys(METRICS).filter((m) => !used.has(m))).toEqual([]);
  });

  it("records the exporter, scrape job and upstream source of every metric", () => {
    const jobs = new Set<string>([...RESERVED_JOBS, "<service>", "<every job>"]);
    for (const [name, m] of Object.entries(METRICS)) {
      expect(name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
      expect(jobs.has(m.job)).toBe(true);
      expect(m.source.length).toBeGreaterThan(10);
    }
  });

  it("matches each exporter's naming (prefix) so a misfiled metric stands out", () => {
    const prefixes: Record<string, RegExp> = {
      "node-exporter": /^node_/,
      cadvisor: /^container_/,
      alertmanager: /^alertmanager_/,
      loki: /^loki_/,
      alloy: /^loki_(write|source)_/,
      promtail: /^promtail_/,
      grafana: /^grafana_/,
      application: /^http_request/,
    };
    const integrationExporters = new Set(INTEGRATIONS.map((i) => i.metricsExporter));
    for (const [name, m] of Object.entries(METRICS)) {
      const p = prefixes[m.exporter];
      if (p) expect([name, p.test(name)]).toEqual([name, true]);
      else if (!integrationExporters.has(m.exporter)) expect(m.exporter).toBe("prometheus");
    }
    // An integration's names share one prefix (pg_, redis_, rabbitmq_, probe_, mysql_, ...).
    for (const i of INTEGRATIONS) {
      const prefixesOfModule = new Set(i.metrics.flatMap((g) => g.names.map((n) => n.split("_")[0])));
      expect({ integration: i.name, prefixes: prefixesOfModule.size }).toEqual({ integration: i.name, prefixes: 1 });
    }
  });
});
