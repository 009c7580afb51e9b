// Every dashboard builds for the smallest and the largest input, with stable uids, the agreed
// folders, tags, time window and refresh, and panels Grafana can render against the
// provisioned datasources.
import * as fs from "fs";
import { DATASOURCE_UIDS } from "../../configs/grafana-datasources";
import { buildDashboards, FOLDERS, generatedDashboards } from "../../dashboards";
import { DEFAULT_REFRESH, DEFAULT_TIME, STACK_TAG } from "../../dashboards/lib/dashboard";
import { DashboardInput } from "../../dashboards/lib/input";
import { EnabledIntegrations, dashboardInput } from "../../integrations";
import { system } from "../../configs/thresholds";
import { MEMBER_LABEL, PAIR_MEMBERS } from "../../configs/cluster";
import { allPanels, DashboardJson, datasourceKind, panelLinks, PanelJson, exploreQueries } from "../helpers/query-check";
import { emptyDir, EMPTY_INPUT, FULL_INPUT, INPUTS, MANY_SERVICES_INPUT } from "../helpers/dashboard-fixtures";

const PROVISIONED = new Set<string>(Object.values(DATASOURCE_UIDS));

function build(input: DashboardInput): Record<string, DashboardJson> {
  const dir = emptyDir();
  try {
    const files = buildDashboards(input, { dir });
    return Object.fromEntries(Object.entries(files).map(([k, v]) => [k, JSON.parse(v) as DashboardJson]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Problems with a datasource reference, resolved through the dashboard's variables. */
function datasourceProblems(d: DashboardJson, ds: PanelJson["datasource"], where: string): string[] {
  if (!ds || typeof ds.uid !== "string") return [`${where}: no datasource`];
  if (PROVISIONED.has(ds.uid)) return [];
  const m = /^\$\{(\w+)\}$/.exec(ds.uid) ?? /^\$(\w+)$/.exec(ds.uid);
  if (!m) return [`${where}: datasource uid "${ds.uid}" is neither provisioned nor a variable`];
  const v = d.templating?.list?.find((x) => x.name === m[1]);
  if (!v) return [`${where}: datasource variable $${m[1]} is not defined`];
  const problems: string[] = [];
  if (v.type !== "datasource") problems.push(`${where}: $${m[1]} is a ${v.type} variable, not a datasource variable`);
  if (ds.type && v.query !== ds.type) problems.push(`${where}: $${m[1]} lists ${String(v.query)} datasources but the panel is ${ds.type}`);
  const current = v.current?.value;
  if (typeof current !== "string" || !PROVISIONED.has(current)) {
    problems.push(`${where}: $${m[1]} defaults to ${JSON.stringify(current)}, not a provisioned datasource uid`);
  }
  return problems;
}

describe("the datasource check", () => {
  const d: DashboardJson = {
    templating: {
      list: [
        { name: "datasource", type: "datasource", query: "prometheus", current: { value: DATASOURCE_UIDS.prometheus } },
        { name: "elsewhere", type: "datasource", query: "prometheus", current: { value: "some-other-prometheus" } },
        { name: "service", type: "query", query: "label_values(up, service)" },
      ],
    },
  };
  it("accepts provisioned uids and variables defaulting to them", () => {
    expect(datasourceProblems(d, { type: "prometheus", uid: DATASOURCE_UIDS.prometheus }, "p")).toEqual([]);
    expect(datasourceProblems(d, { type: "prometheus", uid: "${datasource}" }, "p")).toEqual([]);
  });
  it("rejects unknown uids, undefined or non-datasource variables, wrong types and foreign defaults", () => {
    expect(datasourceProblems(d, { type: "prometheus", uid: "P1809F7CD0C75ACF3" }, "p")).toHaveLength(1);
    expect(datasourceProblems(d, { type: "prometheus", uid: "${nope}" }, "p")).toHaveLength(1);
    expect(datasourceProblems(d, { type: "prometheus", uid: "${service}" }, "p").length).toBeGreaterThan(0);
    expect(datasourceProblems(d, { type: "loki", uid: "${datasource}" }, "p")).toHaveLength(1);
    expect(datasourceProblems(d, { type: "prometheus", uid: "${elsewhere}" }, "p")).toHaveLength(1);
    expect(datasourceProblems(d, undefined, "p")).toHaveLength(1);
  });
});

describe.each(INPUTS)("dashboards for %s", (_label, input) => {
  const files = build(input);
  const entries = Object.entries(files);

  it("builds at least the always-on dashboards", () => {
    for (const key of [
      "Overview/overview.json",
      "Service/service.json",
      "Logs/logs.json",
      "Infrastructure/infrastructure.json",
      "Alerts/alerts.json",
      "Observability stack health/stack-health.json",
    ]) {
      expect(files[key]).toBeDefined();
    }
  });

  it("keys every file as <folder>/<uid>.json in a known folder", () => {
    const folders = new Set<string>(Object.values(FOLDERS));
    for (const [key, d] of entries) {
      const [folder, file, ...rest] = key.split("/");
      expect(rest).toEqual([]);
      expect(folders.has(folder)).toBe(true);
      expect(file).toBe(`${d.uid}.json`);
    }
  });

  it("gives each dashboard a unique, valid uid, a title, tags, a 1h window and a 30s refresh", () => {
    const uids = entries.map(([, d]) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const [, d] of entries) {
      expect(d.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
      expect(typeof d.title).toBe("string");
      expect(d.tags).toContain(STACK_TAG);
      expect(d.time).toEqual(DEFAULT_TIME);
      expect(d.refresh).toBe(DEFAULT_REFRESH);
    }
  });

  it("gives every panel (rows and nested panels too) a title and a unique id", () => {
    for (const [key, d] of entries) {
      const panels = allPanels(d);
      expect(panels.length).toBeGreaterThan(0);
      const ids = panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of panels) {
        expect({ key, title: p.title }).toEqual({ key, title: expect.stringMatching(/\S/) });
      }
    }
  });

  it("points every panel and target at a provisioned datasource or a variable defaulting to one", () => {
    const problems: string[] = [];
    for (const [, d] of entries) {
      for (const p of allPanels(d)) {
        if (p.type === "row") continue;
        const where = `${d.uid} › "${p.title}"`;
        problems.push(...datasourceProblems(d, p.datasource, where));
        for (const t of p.targets ?? []) {
          problems.push(...datasourceProblems(d, t.datasource ?? p.datasource, `${where} › ${t.refId}`));
          if (t.datasource && p.datasource) {
            expect(datasourceKind(d, t.datasource)).toBe(datasourceKind(d, p.datasource));
          }
        }
      }
      for (const a of d.annotations?.list ?? []) {
        if (a.datasource?.uid === "-- Grafana --") continue;
        problems.push(...datasourceProblems(d, a.datasource, `${d.uid} › annotation "${a.name}"`));
      }
      for (const v of d.templating?.list ?? []) {
        if (v.type === "query") problems.push(...datasourceProblems(d, v.datasource, `${d.uid} › variable ${v.name}`));
      }
    }
    expect(problems).toEqual([]);
  });

  it("gives every panel targets, each with its own explicit refId", () => {
    for (const [, d] of entries) {
      for (const p of allPanels(d)) {
        if (p.type === "row") continue;
        const targets = p.targets ?? [];
        expect({ panel: `${d.uid} › ${p.title}`, targets: targets.length }).toEqual({
          panel: `${d.uid} › ${p.title}`,
          targets: expect.any(Number),
        });
        expect(targets.length).toBeGreaterThan(0);
        const refIds = targets.map((t) => t.refId);
        for (const r of refIds) expect(r).toMatch(/^[A-Za-z][\w-]*$/);
        expect(new Set(refIds).size).toBe(refIds.length);
      }
    }
  });

  it("keeps every panel inside the 24-column grid", () => {
    for (const [, d] of entries) {
      for (const p of allPanels(d)) {
        const g = p.gridPos as { x: number; y: number; w: number; h: number };
        expect(g.x + g.w).toBeLessThanOrEqual(24);
        expect(g.w).toBeGreaterThan(0);
        expect(g.h).toBeGreaterThan(0);
      }
    }
  });
});

describe("dashboard selection", () => {
  it("builds no database/messaging and no KPI dashboard when nothing is enabled", () => {
    const keys = Object.keys(build(EMPTY_INPUT)).sort();
    expect(keys).toEqual(
      [
        "Alerts/alerts.json",
        "Infrastructure/infrastructure.json",
        "Logs/logs.json",
        "Observability stack health/stack-health.json",
        "Overview/overview.json",
        "Service/service.json",
      ].sort(),
    );
  });

  it("builds all eight dashboards when everything is enabled", () => {
    const keys = Object.keys(build(FULL_INPUT));
    expect(keys).toContain("Database, cache and messaging/data-services.json");
    expect(keys).toContain("Business KPIs/business-kpis.json");
    expect(keys).toHaveLength(8);
  });

  it("shows only the rows of the enabled integrations", () => {
    const rows = (integrations: EnabledIntegrations) =>
      (build(dashboardInput({ services: [], kpis: [], integrations }))["Database, cache and messaging/data-services.json"]?.panels ?? [])
        .filter((p) => p.type === "row")
        .map((p) => p.title);
    expect(rows({ postgres: {} })).toEqual(["PostgreSQL"]);
    expect(rows({ redis: { address: "r:6379" } })).toEqual(["Redis"]);
    expect(rows({ rabbitmq: { targets: ["r:15692"] } })).toEqual(["RabbitMQ"]);
    expect(rows({ mysql: { address: "db:3306", user: "exporter" } })).toEqual(["MySQL"]);
    expect(rows({ blackbox: { httpTargets: ["https://x"] } })).toEqual([]);
  });

  it("shows the redundant pair's row on Stack health only for the pair: each member's services and the gossip cluster", () => {
    const stackHealth = (input: DashboardInput) => build(input)["Observability stack health/stack-health.json"].panels ?? [];
    const rows = (input: DashboardInput) =>
      stackHealth(input)
        .filter((p) => p.type === "row")
        .map((p) => p.title);
    expect(rows(EMPTY_INPUT)).not.toContain("Redundant pair");
    expect(rows(dashboardInput({ services: [], kpis: [], integrations: {}, pair: false }))).not.toContain("Redundant pair");
    const pair = dashboardInput({ services: [], kpis: [], integrations: {}, pair: true });
    expect(rows(pair)).toContain("Redundant pair");
    const panels = stackHealth(pair);
    const start = panels.findIndex((p) => p.title === "Redundant pair");
    const next = panels.findIndex((p, i) => i > start && p.type === "row");
    const row = panels.slice(start + 1, next);
    const exprs = row.flatMap((p) => (p.targets ?? []).map((t) => (t as { expr: string }).expr)).join("\n");
    for (const member of PAIR_MEMBERS) expect(exprs).toContain(`${MEMBER_LABEL}="${member}"`);
    for (const metric of ["alertmanager_cluster_members", "alertmanager_cluster_failed_peers", "alertmanager_cluster_health_score"])
      expect(exprs).toContain(metric);
    expect(row.map((p) => p.title)).toEqual([
      "Member a: services",
      "Member b: services",
      "Alertmanager cluster members",
      "Alertmanager failed peers",
      "Alertmanager gossip health score",
    ]);
  });

  it("collapses the per-service rows of a long service list, keeping their panels nested", () => {
    const overview = build(MANY_SERVICES_INPUT)["Overview/overview.json"];
    const rows = (overview.panels ?? []).filter((p) => p.type === "row" && p.title?.startsWith("Service: "));
    expect(rows.map((r) => r.title)).toEqual(MANY_SERVICES_INPUT.services.map((s) => `Service: ${s.name}`));
    for (const r of rows) {
      expect(r.collapsed).toBe(true);
      expect(r.panels?.length).toBeGreaterThan(0);
    }
    const expanded = (build(FULL_INPUT)["Overview/overview.json"].panels ?? []).filter((p) => p.title?.startsWith("Service: "));
    for (const r of expanded) expect(r.panels).toEqual([]);
  });

  it("is deterministic", () => {
    const dir = emptyDir();
    expect(buildDashboards(FULL_INPUT, { dir })).toEqual(buildDashboards(FULL_INPUT, { dir }));
    fs.rmSync(dir, { recursive: true });
  });

  it("builds with the default dashboards directory (user JSON there must be valid)", () => {
    expect(() => buildDashboards(EMPTY_INPUT)).not.toThrow();
  });
});

describe("dashboard content", () => {
  const files = build(FULL_INPUT);
  const overview = files["Overview/overview.json"];
  const service = files["Service/service.json"];

  it("links each configured service to its Service dashboard and its error logs in Explore", () => {
    for (const s of FULL_INPUT.services) {
      const links = allPanels(overview).flatMap(panelLinks);
      expect(links.some((l) => l.url?.startsWith(`/d/service?var-service=${s.name}&`))).toBe(true);
      const logQueries = links.flatMap((l) => exploreQueries(l.url ?? ""));
      expect(logQueries).toContain(`{service="${s.name}", level=~"error|critical"}`);
    }
    // The services table links any scraped service, configured or not.
    const table = allPanels(overview).find((p) => p.title === "Services");
    const tableLinks = panelLinks(table as PanelJson).map((l) => l.url ?? "");
    expect(tableLinks.some((u) => u.startsWith("/d/service?var-service=${__value.raw}&${__url_time_range}"))).toBe(true);
    expect(tableLinks.some((u) => u.startsWith("/explore?"))).toBe(true);
  });

  it("marks alert state changes on the Overview and Service time series (ALERTS annotation)", () => {
    for (const d of [overview, service]) {
      const a = d.annotations?.list?.find((x) => x.expr?.startsWith("ALERTS{"));
      expect(a).toBeDefined();
      expect(a?.datasource).toEqual({ type: "prometheus", uid: "${datasource}" });
    }
    expect(service.annotations?.list?.some((x) => x.expr?.includes(`service="$service"`))).toBe(true);
  });

  it('has a $service variable on the Service dashboard from up{tier="app"}', () => {
    const v = service.templating?.list?.find((x) => x.name === "service");
    expect(v?.query).toBe(`label_values(up{tier="app"}, service)`);
    expect(v?.current?.value).toBe("api");
  });

  it("colours disk usage per mount where the disk alerts fire: yellow from 85 % used (DiskSpaceLow), red from 90 % (DiskSpaceCritical)", () => {
    const disk = allPanels(files["Infrastructure/infrastructure.json"]).find((p) => p.title === "Disk usage per mount");
    const fc = disk?.fieldConfig as { defaults: { thresholds: { steps: unknown[] }; unit: string } };
    expect(fc.defaults.unit).toBe("percentunit");
    expect(fc.defaults.thresholds.steps).toEqual([
      { value: null, color: "green" },
      { value: 1 - system.DiskSpaceLow.freeRatio, color: "yellow" },
      { value: 1 - system.DiskSpaceCritical.freeRatio, color: "red" },
    ]);
    expect(fc.defaults.thresholds.steps.slice(1)).toEqual([
      { value: 0.85, color: "yellow" },
      { value: 0.9, color: "red" },
    ]);
  });

  it("renders one stat and one trend per KPI with its unit and sorted thresholds", () => {
    const kpis = allPanels(files["Business KPIs/business-kpis.json"]);
    for (const k of FULL_INPUT.kpis) {
      const stat = kpis.find((p) => p.type === "stat" && p.title === k.title);
      expect(stat?.targets?.[0]?.expr).toBe(k.expr);
      const fc = stat?.fieldConfig as { defaults: { unit: string; thresholds: { steps: { value: number | null }[] } } };
      expect(fc.defaults.unit).toBe(k.unit);
      const values = fc.defaults.thresholds.steps.map((s) => s.value);
      expect(values[0]).toBeNull();
      expect(values.slice(1)).toEqual([...(k.thresholds ?? [])].map((t) => t.value).sort((a, b) => a - b));
      expect(kpis.some((p) => p.type === "timeseries" && p.title === `${k.title} over time`)).toBe(true);
    }
  });

  it("uses the provisioned Loki uid in Explore links", () => {
    for (const d of Object.values(files)) {
      for (const l of allPanels(d).flatMap(panelLinks)) {
        if (!l.url?.startsWith("/explore")) continue;
        const panes = JSON.parse(decodeURIComponent(/panes=([^&]*)/.exec(l.url)?.[1] ?? "")) as Record<string, { datasource: string }>;
        for (const p of Object.values(panes)) expect(p.datasource).toBe(DATASOURCE_UIDS.loki);
      }
    }
  });

  it("exposes the generated dashboards with their folders", () => {
    expect(generatedDashboards(FULL_INPUT).map((g) => `${g.folder}/${g.uid}`)).toEqual([
      "Overview/overview",
      "Service/service",
      "Logs/logs",
      "Infrastructure/infrastructure",
      "Database, cache and messaging/data-services",
      "Alerts/alerts",
      "Business KPIs/business-kpis",
      "Observability stack health/stack-health",
    ]);
  });
});
