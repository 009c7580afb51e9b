// Panels that show what an alert watches change colour where that alert fires: their steps come
// from configs/thresholds.ts, so changing a threshold there moves the panels with it.
import { generatedDashboards } from "../../dashboards";
import * as t from "../../configs/thresholds";
import { allPanels, DashboardJson, PanelJson } from "../helpers/query-check";
import { FULL_INPUT } from "../helpers/dashboard-fixtures";
import { thresholds as blackbox } from "../../integrations/blackbox";
import { thresholds as mysql } from "../../integrations/mysql";
import { thresholds as postgres } from "../../integrations/postgres";
import { thresholds as rabbitmq } from "../../integrations/rabbitmq";
import { thresholds as redis } from "../../integrations/redis";

const dashboards = new Map(generatedDashboards(FULL_INPUT).map((g) => [g.uid, JSON.parse(JSON.stringify(g.dashboard)) as DashboardJson]));

interface Step {
  value: number | null;
  color: string;
}

/** The steps after the base colour: of the panel, or of one table column when `field` is given. */
function steps(uid: string, title: string, field?: string): Step[] {
  const panel = allPanels(dashboards.get(uid) ?? {}).find((p: PanelJson) => p.title === title);
  if (!panel) throw new Error(`no panel "${title}" on dashboard ${uid}`);
  const fc = panel.fieldConfig as {
    defaults?: { thresholds?: { steps: Step[] } };
    overrides?: { matcher?: { options?: unknown }; properties?: { id: string; value?: { steps?: Step[] } }[] }[];
  };
  const found = field
    ? fc.overrides?.find((o) => o.matcher?.options === field)?.properties?.find((p) => p.id === "thresholds")?.value?.steps
    : fc.defaults?.thresholds?.steps;
  return (found ?? []).filter((s) => s.value !== null);
}

const values = (s: Step[]) => s.map((x) => x.value);

test.each([
  ["overview", "p95 latency", undefined],
  ["overview", "p95 latency by service", undefined],
  ["overview", "Services", "p95"],
  ["service", "Latency percentiles", undefined],
  ["service", "Slowest 10 endpoints (p95)", "p95"],
])("latency on %s / %s %s: yellow at HighLatencyP95, red at HighLatencyP99", (uid, title, field) => {
  expect(steps(uid, title, field)).toEqual([
    { value: t.latency.HighLatencyP95.seconds, color: "yellow" },
    { value: t.latency.HighLatencyP99.seconds, color: "red" },
  ]);
});

test.each([
  ["overview", "5xx error ratio", undefined],
  ["overview", "Services", "5xx ratio"],
  ["service", "5xx ratio", undefined],
])("5xx ratio on %s / %s %s turns red at HighServerErrorRate", (uid, title, field) => {
  expect(values(steps(uid, title, field))).toEqual([t.errors.ErrorSpike.minErrorRatio, t.errors.HighServerErrorRate.errorRatio]);
});

test.each([
  ["infrastructure", "CPU against limit", [t.resources.HighCPUUsage.limitRatio, t.resources.CriticalCPUUsage.limitRatio]],
  ["stack-health", "Stack containers: CPU against limit", [t.resources.HighCPUUsage.limitRatio, t.resources.CriticalCPUUsage.limitRatio]],
  ["infrastructure", "Memory against limit", [t.resources.HighMemoryUsage.limitRatio, t.resources.CriticalMemoryUsage.limitRatio]],
  [
    "stack-health",
    "Stack containers: memory against limit",
    [t.resources.HighMemoryUsage.limitRatio, t.resources.CriticalMemoryUsage.limitRatio],
  ],
  ["infrastructure", "Root filesystem used", [1 - t.system.DiskSpaceLow.freeRatio, 1 - t.system.DiskSpaceCritical.freeRatio]],
  ["infrastructure", "Disk usage over time", [1 - t.system.DiskSpaceLow.freeRatio, 1 - t.system.DiskSpaceCritical.freeRatio]],
  ["service", "CPU throttling", [t.dashboardOnly.throttledRatio, t.resources.ContainerCPUThrottling.throttledRatio]],
  ["service", "4xx ratio", [t.errors.HighClientErrorRate.errorRatio]],
  ["data-services", "Connections used", [postgres.HighDatabaseConnections.usedRatio, t.dashboardOnly.usage.saturatedRatio]],
  ["data-services", "MySQL connections used", [mysql.MySQLTooManyConnections.usedRatio, t.dashboardOnly.usage.saturatedRatio]],
  ["data-services", "Slow queries", [mysql.MySQLSlowQueries.queries]],
  ["data-services", "Memory used of maxmemory", [t.dashboardOnly.usage.busyRatio, redis.RedisHighMemory.usedRatio]],
  ["data-services", "Messages ready", [rabbitmq.RabbitMQQueueBacklog.messages / 10, rabbitmq.RabbitMQQueueBacklog.messages]],
  ["overview", "Probe duration", [blackbox.SlowProbe.seconds]],
  [
    "overview",
    "TLS certificate expires in",
    [blackbox.TLSCertificateExpiryCritical.secondsLeft, blackbox.TLSCertificateExpiringSoon.secondsLeft],
  ],
  ["stack-health", "Alertmanagers discovered", [t.prometheus.PrometheusNotConnectedToAlertmanagers.minAlertmanagers]],
] as const)("%s / %s steps at the named thresholds", (uid, title, expected) => {
  expect(values(steps(uid, title))).toEqual([...expected]);
});

/** Every step value of every panel and table column of the dashboards. */
function allStepValues(): number[] {
  const out: number[] = [];
  const walk = (v: unknown, key = ""): void => {
    if (Array.isArray(v)) {
      if (key === "steps") for (const s of v as Step[]) if (typeof s.value === "number") out.push(s.value);
      v.forEach((x) => walk(x));
    } else if (typeof v === "object" && v !== null) {
      for (const [k, x] of Object.entries(v)) walk(x, k);
    }
  };
  for (const d of dashboards.values()) walk(d);
  return out;
}

test("every dashboard-only level colours some panel (no dead names in configs/thresholds.ts)", () => {
  const used = new Set(allStepValues());
  const leaves = (v: unknown, name: string): [string, number][] =>
    typeof v === "number" ? [[name, v]] : Object.entries(v as object).flatMap(([k, x]) => leaves(x, `${name}.${k}`));
  expect(leaves(t.dashboardOnly, "dashboardOnly").filter(([, v]) => !used.has(v))).toEqual([]);
});
