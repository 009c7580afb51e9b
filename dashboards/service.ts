// Service: one application service, picked with the `$service` variable. Traffic by route and
// status, error ratios, latency percentiles and heatmap, the busiest, slowest and most failing
// endpoints, the service container's CPU and memory against its limits (cAdvisor, matched on
// the container's `service` label), restarts, and recent error logs.
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { STACK_JOBS } from "../catalog/containers";
import { DashboardInput } from "./lib/input";
import { addRow, alertAnnotation, DashboardMeta, finalize, newDashboard } from "./lib/dashboard";
import { labelValuesVariable, lokiDatasourceVariable, PROMETHEUS, prometheusDatasourceVariable } from "./lib/datasources";
import { exploreLogsUrl, SERVICE_DASHBOARD_UID } from "./lib/links";
import { heatmapPanel, logsPanel, logTimeSeries, PanelBuilder, statPanel, tablePanel, timeSeries } from "./lib/panels";
import {
  containerCpuCores,
  containerCpuLimitCores,
  containerMemoryBytes,
  containerMemoryLimitBytes,
  containerRestarts,
  errorLogSelector,
  latencyQuantile,
  LOG_WINDOW,
  RANGE_WINDOW,
  RATE_WINDOW,
  requestRate,
  statusRatio,
} from "./lib/promql";
import {
  AVAILABILITY_STEPS,
  CLIENT_ERROR_RATIO_STEPS,
  ERROR_RATIO_STEPS,
  LATENCY_STEPS,
  RESTART_STEPS,
  SERVER_ERROR_LINE,
  THROTTLING_STEPS,
} from "./lib/steps";

export const SERVICE: DashboardMeta = {
  uid: SERVICE_DASHBOARD_UID,
  title: "Service",
  description: "One application service in depth: traffic, errors, latency, endpoints, container resources and error logs.",
  tags: ["service"],
};

const M = `service="$service"`;
/** cAdvisor series of the service's containers: the scrape turns their Docker label into `service`. */
const CONTAINER = `job="${STACK_JOBS.cadvisor}",service="$service"`;

function serviceVariable(input: DashboardInput): dashboard.QueryVariableBuilder {
  const v = labelValuesVariable("service", "Service", PROMETHEUS, `label_values(up{tier="app"}, service)`);
  const first = input.services[0];
  if (first) v.current({ selected: true, text: first.name, value: first.name });
  return v;
}

function trafficPanels(): PanelBuilder[] {
  return [
    statPanel("Requests/s", [{ expr: requestRate(M) }], { unit: "reqps", sparkline: true, w: 6 }),
    statPanel("5xx ratio", [{ expr: statusRatio(M, "5..") }], {
      unit: "percentunit",
      decimals: 2,
      thresholds: ERROR_RATIO_STEPS,
      sparkline: true,
      w: 6,
    }),
    statPanel("4xx ratio", [{ expr: statusRatio(M, "4..") }], {
      description: "Client errors; a jump usually means a broken client or a changed API.",
      unit: "percentunit",
      decimals: 2,
      thresholds: CLIENT_ERROR_RATIO_STEPS,
      sparkline: true,
      w: 6,
    }),
    statPanel("Availability", [{ expr: `avg(avg_over_time(up{${M}, tier="app"}[${RANGE_WINDOW}]))` }], {
      description: "Share of successful scrapes of the service over the time range.",
      unit: "percentunit",
      decimals: 2,
      baseColor: "red",
      thresholds: AVAILABILITY_STEPS,
      w: 6,
    }),
    timeSeries("Request rate by route and status", [{ expr: requestRate(M, ["route", "status"]), legend: "{{route}} {{status}}" }], {
      unit: "reqps",
      stack: true,
    }),
    timeSeries(
      "4xx and 5xx ratio",
      [
        { expr: statusRatio(M, "4.."), legend: "4xx" },
        { expr: statusRatio(M, "5.."), legend: "5xx" },
      ],
      {
        unit: "percentunit",
        min: 0,
        thresholds: SERVER_ERROR_LINE,
        showThresholds: true,
        seriesColors: { "4xx": "orange", "5xx": "red" },
      },
    ),
  ];
}

function latencyPanels(): PanelBuilder[] {
  return [
    timeSeries(
      "Latency percentiles",
      [
        { expr: latencyQuantile(0.5, M), legend: "p50" },
        { expr: latencyQuantile(0.95, M), legend: "p95" },
        { expr: latencyQuantile(0.99, M), legend: "p99" },
      ],
      { unit: "s", thresholds: LATENCY_STEPS, showThresholds: true },
    ),
    heatmapPanel(
      "Latency distribution",
      { expr: `sum by (le) (increase(http_request_duration_seconds_bucket{${M}}[${RATE_WINDOW}]))` },
      { description: "Requests per latency bucket; darker cells hold more requests.", unit: "s" },
    ),
  ];
}

function endpointPanels(): PanelBuilder[] {
  const endpoint = ["method", "route"];
  return [
    tablePanel("Top 10 endpoints by traffic", [{ expr: `topk(10, ${requestRate(M, endpoint, RANGE_WINDOW)})` }], {
      description: "Average request rate over the time range.",
      w: 8,
      rename: { method: "Method", route: "Route", Value: "Requests/s" },
      sortBy: { field: "Requests/s", desc: true },
      columns: [{ field: "Requests/s", unit: "reqps", decimals: 2 }],
    }),
    tablePanel("Slowest 10 endpoints (p95)", [{ expr: `topk(10, ${latencyQuantile(0.95, M, endpoint, RANGE_WINDOW)})` }], {
      description: "95th percentile latency over the time range.",
      w: 8,
      rename: { method: "Method", route: "Route", Value: "p95" },
      sortBy: { field: "p95", desc: true },
      columns: [{ field: "p95", unit: "s", thresholds: LATENCY_STEPS }],
    }),
    tablePanel(
      "Top 10 endpoints by 5xx",
      [
        {
          expr: `topk(10, sum by (method, route) (rate(http_requests_total{${M}, status=~"5.."}[${RANGE_WINDOW}])) > 0)`,
        },
      ],
      {
        description: "Server errors per second over the time range.",
        w: 8,
        rename: { method: "Method", route: "Route", Value: "5xx/s" },
        sortBy: { field: "5xx/s", desc: true },
        noValue: "no server errors",
        columns: [{ field: "5xx/s", unit: "reqps", decimals: 3 }],
      },
    ),
  ];
}

function containerPanels(): PanelBuilder[] {
  return [
    timeSeries(
      "Container CPU vs limit",
      [
        { expr: containerCpuCores(CONTAINER), legend: "{{name}} used" },
        { expr: containerCpuLimitCores(CONTAINER), legend: "{{name}} limit" },
      ],
      {
        description: "CPU in cores (cAdvisor). The dashed line is the container's CPU limit, when it has one.",
        unit: "short",
        decimals: 2,
        min: 0,
        limitSeries: "/limit$/",
        w: 8,
      },
    ),
    timeSeries(
      "Container memory vs limit",
      [
        { expr: containerMemoryBytes(CONTAINER), legend: "{{name}} working set" },
        { expr: containerMemoryLimitBytes(CONTAINER), legend: "{{name}} limit" },
      ],
      {
        description: "Working set (what the kernel compares with the limit). The dashed line is the memory limit.",
        unit: "bytes",
        min: 0,
        limitSeries: "/limit$/",
        w: 8,
      },
    ),
    statPanel("Container restarts", [{ expr: containerRestarts(CONTAINER), legend: "{{name}}" }], {
      description: "Container starts within the time range (restart policy or re-creation).",
      noValue: "0",
      thresholds: RESTART_STEPS,
      colorBackground: true,
      w: 4,
      h: 8,
    }),
    statPanel(
      "CPU throttling",
      [
        {
          expr:
            `max by (name) (rate(container_cpu_cfs_throttled_periods_total{${CONTAINER}}[${RATE_WINDOW}])` +
            ` / rate(container_cpu_cfs_periods_total{${CONTAINER}}[${RATE_WINDOW}]))`,
          legend: "{{name}}",
        },
      ],
      {
        description: "Share of CPU scheduling periods in which the container hit its CPU limit.",
        unit: "percentunit",
        noValue: "no CPU limit",
        thresholds: THROTTLING_STEPS,
        w: 4,
        h: 8,
      },
    ),
  ];
}

function logPanels(): PanelBuilder[] {
  const errors = errorLogSelector(M);
  return [
    logTimeSeries("Error log lines", [{ expr: `sum by (level) (count_over_time(${errors}[${LOG_WINDOW}]))`, legend: "{{level}}" }], {
      w: 24,
      h: 6,
      seriesColors: { error: "red", critical: "dark-red" },
    }),
    logsPanel("Recent error logs", errors, {
      description: "Lines the log agent labelled error or critical.",
      links: [{ title: "Open in Explore", url: exploreLogsUrl(errors.replace("$service", "${service}")) }],
      h: 12,
    }),
  ];
}

export function buildServiceDashboard(input: DashboardInput): dashboard.Dashboard {
  const d = newDashboard(
    SERVICE,
    [prometheusDatasourceVariable(), lokiDatasourceVariable(), serviceVariable(input)],
    [alertAnnotation(`service="$service"`)],
  );
  addRow(d, "Traffic and errors", trafficPanels());
  addRow(d, "Latency", latencyPanels());
  addRow(d, "Endpoints", endpointPanels());
  addRow(d, "Container", containerPanels());
  addRow(d, "Error logs", logPanels());
  return finalize(d);
}
