// PromQL and LogQL fragments shared by several dashboards. Everything here reads raw metrics
// from the metric contract (dashboards/metrics.ts), never recording rules: the dashboards must
// work whatever rule files are loaded.

/** Rate window Grafana sizes to the scrape interval and the panel resolution. */
export const RATE_WINDOW = "$__rate_interval";
/** Window covering the whole dashboard time range (instant queries in tables and stats). */
export const RANGE_WINDOW = "$__range";
/** Loki's counterpart of $__interval for log metric queries. */
export const LOG_WINDOW = "$__auto";

/**
 * Canonical `level` stream label values that count as errors. The log agent (configs/alloy.ts)
 * maps every spelling it recognises onto critical|error|warning|info|debug|trace.
 */
export const ERROR_LEVELS = ["error", "critical"] as const;
export const ERROR_LEVEL_REGEX = ERROR_LEVELS.join("|");

/** Alerts that fire on purpose (heartbeat) and would only be noise on a dashboard. */
export const ALWAYS_FIRING_ALERTS = ["Watchdog"] as const;
const NOT_HEARTBEAT = `alertname!~"${ALWAYS_FIRING_ALERTS.join("|")}"`;

/** Selector body for firing alerts, without the heartbeat. */
export function firingAlerts(extra = ""): string {
  return `ALERTS{alertstate="firing", ${NOT_HEARTBEAT}${extra ? `, ${extra}` : ""}}`;
}

/** `sum` or `sum by (a, b) `, ready to be followed by "(". */
function sum(labels: readonly string[]): string {
  return labels.length > 0 ? `sum by (${labels.join(", ")}) ` : "sum";
}

/** Requests per second from http_requests_total. */
export function requestRate(matchers: string, groupBy: readonly string[] = [], window = RATE_WINDOW): string {
  return `${sum(groupBy)}(rate(http_requests_total{${matchers}}[${window}]))`;
}

/** Share of requests whose status matches `statusRegex` (e.g. "5.."), 0..1. */
export function statusRatio(matchers: string, statusRegex: string, groupBy: readonly string[] = [], window = RATE_WINDOW): string {
  return (
    `${sum(groupBy)}(rate(http_requests_total{${matchers}, status=~"${statusRegex}"}[${window}]))` +
    ` / ${sum(groupBy)}(rate(http_requests_total{${matchers}}[${window}]))`
  );
}

/** Latency quantile from the http_request_duration_seconds histogram. */
export function latencyQuantile(quantile: number, matchers: string, groupBy: readonly string[] = [], window = RATE_WINDOW): string {
  return (
    `histogram_quantile(${quantile}, sum by (${[...groupBy, "le"].join(", ")}) ` +
    `(rate(http_request_duration_seconds_bucket{${matchers}}[${window}])))`
  );
}

/** Container CPU in cores per container name (max over ids: a re-created container keeps its name). */
export function containerCpuCores(matchers: string, window = RATE_WINDOW): string {
  return `max by (name) (sum without (cpu) (rate(container_cpu_usage_seconds_total{${matchers}}[${window}])))`;
}

/** CPU limit in cores (quota / period); containers without a limit yield no series. */
export function containerCpuLimitCores(matchers: string): string {
  return `max by (name) (container_spec_cpu_quota{${matchers}} / (container_spec_cpu_period{${matchers}} > 0) > 0)`;
}

/** Working-set memory per container name: the figure the kernel compares with the limit. */
export function containerMemoryBytes(matchers: string): string {
  return `max by (name) (container_memory_working_set_bytes{${matchers}})`;
}

/** Memory limit per container name; cAdvisor reports 0 for "no limit", which is filtered out. */
export function containerMemoryLimitBytes(matchers: string): string {
  return `max by (name) (container_spec_memory_limit_bytes{${matchers}} > 0)`;
}

/**
 * Times each container (by name) started during `window`: catches restarts by the restart
 * policy (same id, new start time) and re-creations (new id under the same name).
 */
export function containerRestarts(matchers: string, window = RANGE_WINDOW): string {
  return `changes(max by (name) (container_start_time_seconds{${matchers}})[${window}:])`;
}

/** A Loki stream selector for the error levels, plus extra matchers. */
export function errorLogSelector(matchers: string): string {
  return `{${matchers}${matchers ? ", " : ""}level=~"${ERROR_LEVEL_REGEX}"}`;
}
