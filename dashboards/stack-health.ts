// Observability stack health ("who watches the watchers"): scrape targets, Prometheus (series,
// ingestion, rule evaluation, notifications), Loki (ingestion, requests, errors), the log
// agent, Alertmanager, Grafana, and the stack containers' CPU and memory against their limits.
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { STACK_JOBS } from "../catalog/containers";
import { addRow, alertAnnotation, DashboardMeta, finalize, newDashboard } from "./lib/dashboard";
import { lokiDatasourceVariable, prometheusDatasourceVariable } from "./lib/datasources";
import { DashboardInput } from "./lib/input";
import { logsPanel, PanelBuilder, statPanel, tablePanel, timeSeries } from "./lib/panels";
import {
  containerCpuCores,
  containerCpuLimitCores,
  containerMemoryBytes,
  containerMemoryLimitBytes,
  containerRestarts,
  errorLogSelector,
  RANGE_WINDOW,
  RATE_WINDOW,
} from "./lib/promql";
import { pairPanels } from "./pair-panels";
import { remoteWritePanels } from "./remote-write-panels";
import { ALERTMANAGERS_DISCOVERED_STEPS, anyOccurrence, CONTAINER_CPU_STEPS, CONTAINER_MEMORY_STEPS, RESTART_STEPS } from "./lib/steps";

export const STACK_HEALTH: DashboardMeta = {
  uid: "stack-health",
  title: "Observability stack health",
  description: "Is the monitoring itself healthy: scrapes, Prometheus, Loki, the log agent, Alertmanager, Grafana and their containers.",
  tags: ["meta", "prometheus", "loki", "alertmanager"],
};

const PROM = `job="${STACK_JOBS.prometheus}"`;
const LOKI_JOB = `job="${STACK_JOBS.loki}"`;
const AGENT = `job="${STACK_JOBS.alloy}"`;
const AM = `job="${STACK_JOBS.alertmanager}"`;
const GRAFANA = `job="${STACK_JOBS.grafana}"`;

/** Scrape jobs of the stack itself (not the application services). */
export function stackJobs(input: Pick<DashboardInput, "integrations">): string[] {
  const jobs: string[] = [
    STACK_JOBS.prometheus,
    STACK_JOBS.alertmanager,
    STACK_JOBS.grafana,
    STACK_JOBS.loki,
    STACK_JOBS.alloy,
    STACK_JOBS.nodeExporter,
    STACK_JOBS.cadvisor,
  ];
  return [...jobs, ...input.integrations.map((i) => i.job)];
}

function targetPanels(input: DashboardInput): PanelBuilder[] {
  const jobs = `job=~"${stackJobs(input).join("|")}"`;
  return [
    statPanel("Scrape targets", [{ expr: `min by (job) (up{${jobs}})`, legend: "{{job}}" }], {
      description: "Each stack job; DOWN means Prometheus cannot scrape at least one of its targets.",
      mappings: [
        { value: "1", text: "UP", color: "green" },
        { value: "0", text: "DOWN", color: "red" },
      ],
      colorBackground: true,
      w: 24,
      h: 4,
    }),
    timeSeries("Failing targets by job", [{ expr: `sum by (job) (1 - up)`, legend: "{{job}}" }], {
      description: "Targets whose last scrape failed, per job (application services included).",
      min: 0,
      decimals: 0,
      w: 12,
    }),
    timeSeries("Scrape duration by job", [{ expr: `max by (job) (scrape_duration_seconds)`, legend: "{{job}}" }], {
      description: "Slowest target of each job; approaching the scrape timeout means failing scrapes soon.",
      unit: "s",
      min: 0,
      w: 12,
    }),
  ];
}

function prometheusPanels(): PanelBuilder[] {
  return [
    timeSeries("Head series", [{ expr: `sum(prometheus_tsdb_head_series{${PROM}})`, legend: "series" }], {
      description: "Active series in memory; the main driver of Prometheus memory use.",
      min: 0,
      w: 8,
    }),
    timeSeries(
      "Ingestion rate",
      [{ expr: `sum(rate(prometheus_tsdb_head_samples_appended_total{${PROM}}[${RATE_WINDOW}]))`, legend: "samples/s" }],
      { unit: "short", min: 0, w: 8 },
    ),
    timeSeries(
      "Rule group evaluation duration",
      [
        { expr: `max by (rule_group) (prometheus_rule_group_last_duration_seconds{${PROM}})`, legend: "{{rule_group}}" },
        { expr: `max(prometheus_rule_group_interval_seconds{${PROM}})`, legend: "evaluation interval limit" },
      ],
      {
        description: "A group that takes longer than its interval misses evaluations.",
        unit: "s",
        min: 0,
        limitSeries: "/limit$/",
        w: 8,
      },
    ),
    timeSeries(
      "Rule evaluation problems",
      [
        {
          expr: `sum by (rule_group) (rate(prometheus_rule_evaluation_failures_total{${PROM}}[${RATE_WINDOW}]))`,
          legend: "{{rule_group}} failures",
        },
        {
          expr: `sum by (rule_group) (rate(prometheus_rule_group_iterations_missed_total{${PROM}}[${RATE_WINDOW}]))`,
          legend: "{{rule_group}} missed",
        },
      ],
      { unit: "ops", min: 0, w: 8 },
    ),
    timeSeries(
      "Notifications to Alertmanager",
      [
        { expr: `sum(rate(prometheus_notifications_sent_total{${PROM}}[${RATE_WINDOW}]))`, legend: "sent" },
        { expr: `sum(rate(prometheus_notifications_errors_total{${PROM}}[${RATE_WINDOW}]))`, legend: "errors" },
        { expr: `sum(rate(prometheus_notifications_dropped_total{${PROM}}[${RATE_WINDOW}]))`, legend: "dropped" },
      ],
      { unit: "ops", min: 0, seriesColors: { errors: "orange", dropped: "red" }, w: 8 },
    ),
    timeSeries(
      "Scrape problems",
      [
        {
          expr: `sum(rate(prometheus_target_scrapes_exceeded_sample_limit_total{${PROM}}[${RATE_WINDOW}]))`,
          legend: "sample limit exceeded",
        },
        {
          expr: `sum(rate(prometheus_target_scrapes_sample_out_of_order_total{${PROM}}[${RATE_WINDOW}]))`,
          legend: "out-of-order samples",
        },
        {
          expr: `sum(rate(prometheus_target_scrapes_sample_duplicate_timestamp_total{${PROM}}[${RATE_WINDOW}]))`,
          legend: "duplicate timestamps",
        },
      ],
      { unit: "ops", min: 0, w: 8 },
    ),
    statPanel("Config reload", [{ expr: `min(prometheus_config_last_reload_successful{${PROM}})` }], {
      mappings: [
        { value: "1", text: "OK", color: "green" },
        { value: "0", text: "FAILED", color: "red" },
      ],
      colorBackground: true,
      w: 6,
    }),
    statPanel("TSDB size on disk", [{ expr: `sum(prometheus_tsdb_storage_blocks_bytes{${PROM}})` }], {
      unit: "bytes",
      sparkline: true,
      w: 6,
    }),
    statPanel("Compactions failed", [{ expr: `sum(increase(prometheus_tsdb_compactions_failed_total{${PROM}}[${RANGE_WINDOW}]))` }], {
      decimals: 0,
      thresholds: anyOccurrence("red"),
      w: 6,
    }),
    statPanel("Alertmanagers discovered", [{ expr: `min(prometheus_notifications_alertmanagers_discovered{${PROM}})` }], {
      baseColor: "red",
      thresholds: ALERTMANAGERS_DISCOVERED_STEPS,
      colorBackground: true,
      w: 6,
    }),
  ];
}

function lokiPanels(): PanelBuilder[] {
  return [
    timeSeries(
      "Lines received",
      [{ expr: `sum(rate(loki_distributor_lines_received_total{${LOKI_JOB}}[${RATE_WINDOW}]))`, legend: "lines/s" }],
      { min: 0, w: 8 },
    ),
    timeSeries(
      "Bytes received",
      [{ expr: `sum(rate(loki_distributor_bytes_received_total{${LOKI_JOB}}[${RATE_WINDOW}]))`, legend: "bytes/s" }],
      { unit: "Bps", min: 0, w: 8 },
    ),
    timeSeries(
      "Discarded samples by reason",
      [{ expr: `sum by (reason) (rate(loki_discarded_samples_total{${LOKI_JOB}}[${RATE_WINDOW}]))`, legend: "{{reason}}" }],
      { description: "Lines Loki refused (rate limits, too old, too long, ...): these are lost.", min: 0, w: 8 },
    ),
    timeSeries(
      "Requests by route",
      [
        {
          expr: `sum by (route) (rate(loki_request_duration_seconds_count{${LOKI_JOB}}[${RATE_WINDOW}]))`,
          legend: "{{route}}",
        },
      ],
      { unit: "reqps", min: 0, w: 8 },
    ),
    timeSeries(
      "Request errors by route",
      [
        {
          expr: `sum by (route, status_code) (rate(loki_request_duration_seconds_count{${LOKI_JOB}, status_code=~"5.."}[${RATE_WINDOW}]))`,
          legend: "{{route}} {{status_code}}",
        },
      ],
      { unit: "reqps", min: 0, w: 8 },
    ),
    timeSeries(
      "Request latency p99",
      [
        {
          expr: `histogram_quantile(0.99, sum by (route, le) (rate(loki_request_duration_seconds_bucket{${LOKI_JOB}, route=~"loki_api_v1_push|loki_api_v1_query_range|loki_api_v1_query"}[${RATE_WINDOW}])))`,
          legend: "{{route}}",
        },
      ],
      { unit: "s", min: 0, w: 8 },
    ),
  ];
}

function logAgentPanels(): PanelBuilder[] {
  return [
    timeSeries(
      "Entries read vs sent",
      [
        { expr: `sum(rate(loki_source_docker_target_entries_total{${AGENT}}[${RATE_WINDOW}]))`, legend: "read from Docker" },
        { expr: `sum(rate(loki_write_sent_entries_total{${AGENT}}[${RATE_WINDOW}]))`, legend: "sent to Loki" },
      ],
      { description: "Read and sent should track each other; a gap means lines pile up or get lost.", min: 0, w: 8 },
    ),
    timeSeries(
      "Entries dropped",
      [{ expr: `sum by (reason) (rate(loki_write_dropped_entries_total{${AGENT}}[${RATE_WINDOW}]))`, legend: "{{reason}}" }],
      { description: "Lines given up on after all retries.", min: 0, w: 8 },
    ),
    timeSeries(
      "Push latency p99",
      [
        {
          expr: `histogram_quantile(0.99, sum by (le) (rate(loki_write_request_duration_seconds_bucket{${AGENT}}[${RATE_WINDOW}])))`,
          legend: "p99",
        },
      ],
      { unit: "s", min: 0, w: 8 },
    ),
  ];
}

function alertmanagerAndGrafanaPanels(): PanelBuilder[] {
  return [
    timeSeries(
      "Alertmanager: alerts received",
      [
        { expr: `sum(rate(alertmanager_alerts_received_total{${AM}}[${RATE_WINDOW}]))`, legend: "received" },
        { expr: `sum(rate(alertmanager_alerts_invalid_total{${AM}}[${RATE_WINDOW}]))`, legend: "invalid" },
      ],
      { unit: "ops", min: 0, seriesColors: { invalid: "red" }, w: 8 },
    ),
    timeSeries(
      "Alertmanager: notifications",
      [
        { expr: `sum(rate(alertmanager_notifications_total{${AM}}[${RATE_WINDOW}]))`, legend: "sent" },
        { expr: `sum(rate(alertmanager_notifications_failed_total{${AM}}[${RATE_WINDOW}]))`, legend: "failed" },
      ],
      { unit: "ops", min: 0, seriesColors: { failed: "red" }, w: 8 },
    ),
    statPanel("Alertmanager config reload", [{ expr: `min(alertmanager_config_last_reload_successful{${AM}})` }], {
      mappings: [
        { value: "1", text: "OK", color: "green" },
        { value: "0", text: "FAILED", color: "red" },
      ],
      colorBackground: true,
      w: 8,
    }),
    timeSeries(
      "Grafana: requests by status",
      [
        {
          expr: `sum by (status_code) (rate(grafana_http_request_duration_seconds_count{${GRAFANA}}[${RATE_WINDOW}]))`,
          legend: "{{status_code}}",
        },
      ],
      { unit: "reqps", min: 0, stack: true, w: 12 },
    ),
    timeSeries(
      "Grafana: request latency p95",
      [
        {
          expr: `histogram_quantile(0.95, sum by (le) (rate(grafana_http_request_duration_seconds_bucket{${GRAFANA}}[${RATE_WINDOW}])))`,
          legend: "p95",
        },
      ],
      { unit: "s", min: 0, w: 12 },
    ),
  ];
}

/** Panels of the stack's containers (their names are also their `service` label, which the log agent keys on). */
function containerPanels(containers: readonly string[]): PanelBuilder[] {
  const m = `name=~"${containers.join("|")}"`;
  return [
    timeSeries(
      "Stack containers: CPU against limit",
      [{ expr: `${containerCpuCores(m)} / ${containerCpuLimitCores(m)}`, legend: "{{name}}" }],
      { unit: "percentunit", min: 0, thresholds: CONTAINER_CPU_STEPS, showThresholds: true, w: 12 },
    ),
    timeSeries(
      "Stack containers: memory against limit",
      [{ expr: `${containerMemoryBytes(m)} / ${containerMemoryLimitBytes(m)}`, legend: "{{name}}" }],
      { unit: "percentunit", min: 0, thresholds: CONTAINER_MEMORY_STEPS, showThresholds: true, w: 12 },
    ),
    tablePanel(
      "Stack containers: usage and limits",
      [
        { expr: containerCpuCores(m) },
        { expr: containerCpuLimitCores(m) },
        { expr: containerMemoryBytes(m) },
        { expr: containerMemoryLimitBytes(m) },
        { expr: containerRestarts(m) },
      ],
      {
        merge: true,
        w: 24,
        rename: {
          name: "Container",
          "Value #A": "CPU (cores)",
          "Value #B": "CPU limit (cores)",
          "Value #C": "Memory",
          "Value #D": "Memory limit",
          "Value #E": "Restarts",
        },
        sortBy: { field: "Container", desc: false },
        columns: [
          { field: "CPU (cores)", decimals: 3 },
          { field: "CPU limit (cores)", decimals: 2 },
          { field: "Memory", unit: "bytes" },
          { field: "Memory limit", unit: "bytes" },
          { field: "Restarts", decimals: 0, thresholds: RESTART_STEPS },
        ],
      },
    ),
    logsPanel("Stack error logs", errorLogSelector(`service=~"${containers.join("|")}"`), {
      description: "Error and critical lines written by the stack's own containers.",
      h: 10,
    }),
  ];
}

export function buildStackHealthDashboard(input: DashboardInput): dashboard.Dashboard {
  const d = newDashboard(STACK_HEALTH, [prometheusDatasourceVariable(), lokiDatasourceVariable()], [alertAnnotation()]);
  addRow(d, "Scrape targets", targetPanels(input));
  if (input.pair === true) addRow(d, "Redundant pair", pairPanels());
  addRow(d, "Prometheus", prometheusPanels());
  if (input.remoteWrite === true) addRow(d, "Remote write", remoteWritePanels());
  addRow(d, "Loki", lokiPanels());
  addRow(d, "Log agent", logAgentPanels());
  addRow(d, "Alertmanager and Grafana", alertmanagerAndGrafanaPanels());
  addRow(d, "Stack containers", containerPanels(input.containers));
  return finalize(d);
}
