// Allow-list of every metric name the core stack's dashboards query (CORE_METRICS) and its alert
// rules select besides (CORE_RULE_ONLY_METRICS), with the component that exposes it; each
// integration lists its own names in its module, and integrations/index.ts joins them all into
// METRICS and RULE_ONLY_METRICS. tests/dashboards checks both directions: every metric a panel
// selects is listed, and every name listed is used. Names marked `live` are also checked against
// the real binaries (node_exporter, prometheus, alertmanager, blackbox_exporter, mysqld_exporter)
// in tests/dashboards/exporters.test.ts; the others were checked against the upstream source
// named in `source` (the components are containers we cannot run in the unit tests).
import { STACK_JOBS } from "../catalog/containers";

/** The core stack's exporters; an integration names its own (integrations/<name>.ts). */
export type CoreExporter = "application" | "prometheus" | "alertmanager" | "grafana" | "loki" | "alloy" | "node-exporter" | "cadvisor";
export type Exporter = CoreExporter | (string & {});

/**
 * How a name is known to exist:
 * - `live`: found in the /metrics output of the real binary by the exporter test;
 * - `synthetic`: written by Prometheus itself (per target or by rule evaluation), found through
 *   the live Prometheus' query API by the exporter test;
 * - `source`: read from the exporter's source (see `source`);
 * - `contract`: the application metric contract every service must follow (docs/operating.md).
 */
export type Verification = "live" | "synthetic" | "source" | "contract";

export interface MetricSource {
  readonly exporter: Exporter;
  /** Scrape job that carries the series ("<service>" for application metrics). */
  readonly job: string;
  readonly verification: Verification;
  /** Where the name is defined upstream. */
  readonly source: string;
  /** When the series exists only under a condition. */
  readonly note?: string;
}

/** Names of one exporter checked the same way (how integrations list theirs). */
export interface MetricGroup {
  readonly verification: Verification;
  readonly source: string;
  readonly names: readonly string[];
  readonly note?: string;
  /** Selected by the alert rules only, not by any dashboard panel. */
  readonly ruleOnly?: boolean;
}

const SOURCES = {
  application: "metric contract: http_requests_total{service,method,route,status}, http_request_duration_seconds{...,le}",
  prometheus: "prometheus/prometheus (checked against the prometheus binary)",
  synthetic: "prometheus/prometheus: scrape loop (up, scrape_*) and rule manager (ALERTS)",
  alertmanager: "prometheus/alertmanager (checked against the alertmanager binary)",
  nodeExporter: "prometheus/node_exporter (checked against the node_exporter binary)",
  cadvisor: "google/cadvisor metrics/prometheus.go (container_* families, label `name`, container_label_<label>)",
  loki: "grafana/loki pkg/distributor (distributor_*_received_total), pkg/validation (discarded_samples_total), dskit server instrumentation (loki_request_duration_seconds), pkg/compactor (retention/compaction last-run timestamps), pkg/ruler (loki_prometheus_rule_evaluation_failures_total)",
  alloy:
    "grafana/alloy internal/component/common/loki/client/metrics.go (loki_write_*), loki/source/docker metrics (loki_source_docker_target_entries_total), internal/runtime component controller (alloy_component_controller_running_components)",
  backup:
    "configs/backup-metrics.ts and configs/backup-verify.ts (written by the backup job's scripts, run by tests/configs/backup.test.ts and tests/live/backup-faults.live.test.ts)",
  grafana: "grafana/grafana pkg/middleware request metrics (grafana_http_request_duration_seconds{handler,method,status_code})",
} as const;

/** The allow-list rows of one group of names. */
export function metricRows(exporter: Exporter, job: string, g: MetricGroup): [string, MetricSource][] {
  return group(exporter, job, g.verification, g.source, g.names, g.note);
}

function group(
  exporter: Exporter,
  job: string,
  verification: Verification,
  source: string,
  names: readonly string[],
  note?: string,
): [string, MetricSource][] {
  return names.map((n) => [n, { exporter, job, verification, source, ...(note ? { note } : {}) }]);
}

/** The core stack's names its dashboards select (integrations/index.ts adds the integrations'). */
export const CORE_METRICS: Readonly<Record<string, MetricSource>> = Object.fromEntries([
  ...group("application", "<service>", "contract", SOURCES.application, ["http_requests_total", "http_request_duration_seconds_bucket"]),

  ...group("prometheus", "<every job>", "synthetic", SOURCES.synthetic, ["up", "scrape_duration_seconds"]),
  ...group(
    "prometheus",
    STACK_JOBS.prometheus,
    "synthetic",
    SOURCES.synthetic,
    ["ALERTS"],
    "series written by rule evaluation for every pending or firing alert",
  ),
  ...group("prometheus", STACK_JOBS.prometheus, "live", SOURCES.prometheus, [
    "prometheus_config_last_reload_successful",
    "prometheus_notifications_alertmanagers_discovered",
    "prometheus_notifications_dropped_total",
    "prometheus_notifications_errors_total",
    "prometheus_notifications_sent_total",
    "prometheus_rule_evaluation_failures_total",
    "prometheus_rule_group_interval_seconds",
    "prometheus_rule_group_iterations_missed_total",
    "prometheus_rule_group_last_duration_seconds",
    "prometheus_target_scrapes_exceeded_sample_limit_total",
    "prometheus_target_scrapes_sample_duplicate_timestamp_total",
    "prometheus_target_scrapes_sample_out_of_order_total",
    "prometheus_tsdb_compactions_failed_total",
    "prometheus_tsdb_head_samples_appended_total",
    "prometheus_tsdb_head_series",
    "prometheus_tsdb_storage_blocks_bytes",
  ]),
  ...group(
    "prometheus",
    STACK_JOBS.prometheus,
    "live",
    SOURCES.prometheus,
    [
      "prometheus_remote_storage_highest_timestamp_in_seconds",
      "prometheus_remote_storage_queue_highest_sent_timestamp_seconds",
      "prometheus_remote_storage_samples_failed_total",
      "prometheus_remote_storage_samples_pending",
      "prometheus_remote_storage_samples_retried_total",
      "prometheus_remote_storage_samples_total",
      "prometheus_remote_storage_shards",
      "prometheus_remote_storage_shards_desired",
      "prometheus_remote_storage_shards_max",
    ],
    "remote write on (the `remoteWrite` setting)",
  ),

  ...group("alertmanager", STACK_JOBS.alertmanager, "live", SOURCES.alertmanager, [
    "alertmanager_alerts",
    "alertmanager_alerts_invalid_total",
    "alertmanager_alerts_received_total",
    "alertmanager_config_last_reload_successful",
    "alertmanager_notification_latency_seconds_bucket",
    "alertmanager_notifications_failed_total",
    "alertmanager_notifications_total",
    "alertmanager_silences",
  ]),
  ...group(
    "alertmanager",
    STACK_JOBS.alertmanager,
    "live",
    SOURCES.alertmanager,
    ["alertmanager_cluster_failed_peers", "alertmanager_cluster_health_score", "alertmanager_cluster_members"],
    "clustering on (the `highAvailability` setting; v0.34 app/app.go registers them only with --cluster.listen-address)",
  ),

  ...group("node-exporter", STACK_JOBS.nodeExporter, "live", SOURCES.nodeExporter, [
    "node_boot_time_seconds",
    "node_cpu_seconds_total",
    "node_disk_read_bytes_total",
    "node_disk_written_bytes_total",
    "node_filesystem_avail_bytes",
    "node_filesystem_size_bytes",
    "node_load1",
    "node_load5",
    "node_load15",
    "node_memory_Buffers_bytes",
    "node_memory_Cached_bytes",
    "node_memory_MemAvailable_bytes",
    "node_memory_MemTotal_bytes",
    "node_memory_SwapFree_bytes",
    "node_memory_SwapTotal_bytes",
    "node_network_receive_bytes_total",
    "node_network_receive_drop_total",
    "node_network_receive_errs_total",
    "node_network_transmit_bytes_total",
    "node_network_transmit_errs_total",
  ]),

  ...group("cadvisor", STACK_JOBS.cadvisor, "source", SOURCES.cadvisor, [
    "container_cpu_cfs_periods_total",
    "container_cpu_cfs_throttled_periods_total",
    "container_cpu_usage_seconds_total",
    "container_memory_working_set_bytes",
    "container_network_receive_bytes_total",
    "container_network_transmit_bytes_total",
    "container_spec_cpu_period",
    "container_spec_cpu_quota",
    "container_spec_memory_limit_bytes",
    "container_start_time_seconds",
  ]),
  ...group(
    "cadvisor",
    STACK_JOBS.cadvisor,
    "source",
    SOURCES.cadvisor,
    ["container_oom_events_total"],
    "oom_event metrics, enabled by default",
  ),

  ...group("loki", STACK_JOBS.loki, "source", SOURCES.loki, [
    "loki_discarded_samples_total",
    "loki_distributor_bytes_received_total",
    "loki_distributor_lines_received_total",
    "loki_request_duration_seconds_bucket",
    "loki_request_duration_seconds_count",
  ]),

  ...group("alloy", STACK_JOBS.alloy, "source", SOURCES.alloy, [
    "loki_source_docker_target_entries_total",
    "loki_write_dropped_entries_total",
    "loki_write_request_duration_seconds_bucket",
    "loki_write_sent_entries_total",
  ]),

  ...group("grafana", STACK_JOBS.grafana, "source", SOURCES.grafana, [
    "grafana_http_request_duration_seconds_bucket",
    "grafana_http_request_duration_seconds_count",
  ]),
]);

/**
 * Metrics the alert rules select that no dashboard shows. Same checks as METRICS (the `live`
 * ones against the real binaries); tests/rules checks that every rule's metric is listed here,
 * in METRICS or recorded by a rule.
 */
export const CORE_RULE_ONLY_METRICS: Readonly<Record<string, MetricSource>> = Object.fromEntries([
  ...group(
    "application",
    "<service>",
    "contract",
    SOURCES.application,
    ["db_connection_errors_total", "websocket_connections_active", "websocket_disconnections_total"],
    "optional part of the metric contract (docs/operating.md)",
  ),
  ...group("prometheus", STACK_JOBS.prometheus, "live", SOURCES.prometheus, [
    "process_start_time_seconds",
    "prometheus_notifications_queue_capacity",
    "prometheus_notifications_queue_length",
    "prometheus_target_scrape_pool_exceeded_label_limits_total",
    "prometheus_target_scrape_pool_exceeded_target_limit_total",
    "prometheus_target_scrapes_exceeded_body_size_limit_total",
    "prometheus_tsdb_head_chunks_storage_size_bytes",
    "prometheus_tsdb_retention_limit_bytes",
    "prometheus_tsdb_wal_corruptions_total",
    "prometheus_tsdb_wal_storage_size_bytes",
  ]),
  ...group(
    "prometheus",
    STACK_JOBS.prometheus,
    "source",
    "prometheus/prometheus storage/remote/queue_manager.go (samples_dropped_total{reason}, a counter vector: no series until a sample is dropped)",
    ["prometheus_remote_storage_samples_dropped_total"],
    "remote write on, after the first dropped sample",
  ),
  ...group("node-exporter", STACK_JOBS.nodeExporter, "live", SOURCES.nodeExporter, [
    "node_filesystem_files",
    "node_filesystem_files_free",
    "node_filesystem_readonly",
    "node_network_receive_packets_total",
    "node_network_transmit_packets_total",
    "node_timex_maxerror_seconds",
    "node_timex_offset_seconds",
    "node_timex_sync_status",
    "node_vmstat_oom_kill",
  ]),
  ...group(
    "node-exporter",
    STACK_JOBS.nodeExporter,
    "source",
    SOURCES.backup,
    [
      "observability_backup_future_stamped_backups",
      "observability_backup_last_run_success",
      "observability_backup_last_run_timestamp_seconds",
      "observability_backup_last_success_timestamp_seconds",
      "observability_backup_verify_last_run_skipped",
      "observability_backup_verify_last_run_success",
      "observability_backup_verify_last_success_timestamp_seconds",
    ],
    "written by the backup job and its restore check into the textfile collector",
  ),
  ...group("loki", STACK_JOBS.loki, "source", SOURCES.loki, [
    "loki_boltdb_shipper_compact_tables_operation_last_successful_run_timestamp_seconds",
    "loki_compactor_apply_retention_last_successful_run_timestamp_seconds",
    "loki_prometheus_rule_evaluation_failures_total",
  ]),
  ...group("alloy", STACK_JOBS.alloy, "source", SOURCES.alloy, [
    "alloy_component_controller_running_components",
    "loki_write_request_duration_seconds_count",
  ]),
]);

/** Names listed for one exporter in an allow-list (e.g. to check them against its /metrics). */
export function metricNamesOf(
  lists: readonly Readonly<Record<string, MetricSource>>[],
  exporter: Exporter,
  verification?: Verification,
): string[] {
  return Object.entries(Object.assign({}, ...lists) as Record<string, MetricSource>)
    .filter(([, m]) => m.exporter === exporter && (verification === undefined || m.verification === verification))
    .map(([name]) => name)
    .sort();
}
