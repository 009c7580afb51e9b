// Database, cache and messaging: PostgreSQL (postgres-exporter), Redis (redis-exporter) and
// RabbitMQ (its built-in Prometheus plugin). One row per enabled integration; no dashboard at
// all when none is enabled.
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { STACK_JOBS } from "../components/catalog";
import { EnabledIntegrations } from "../configs/types";
import { addRow, alertAnnotation, DashboardMeta, finalize, newDashboard } from "./lib/dashboard";
import { prometheusDatasourceVariable } from "./lib/datasources";
import { PanelBuilder, statPanel, timeSeries } from "./lib/panels";
import { RANGE_WINDOW, RATE_WINDOW } from "./lib/promql";
import {
  anyOccurrence,
  DB_CONNECTION_STEPS,
  HIT_RATIO_STEPS,
  READY_MESSAGES_STEPS,
  REDIS_MEMORY_STEPS,
} from "./lib/steps";

export const DATA_SERVICES: DashboardMeta = {
  uid: "data-services",
  title: "Database, cache and messaging",
  description: "PostgreSQL, Redis and RabbitMQ health, load and capacity, for the integrations that are enabled.",
  tags: ["database", "cache", "messaging"],
};

const UP_MAPPINGS = [
  { value: "1", text: "UP", color: "green" },
  { value: "0", text: "DOWN", color: "red" },
];

function postgresPanels(): PanelBuilder[] {
  const j = `job="${STACK_JOBS.postgresExporter}"`;
  const rate = (metric: string) => `sum(rate(${metric}{${j}}[${RATE_WINDOW}]))`;
  return [
    statPanel("PostgreSQL", [{ expr: `min(pg_up{${j}})` }], {
      description: "Whether the exporter can connect to the database.",
      mappings: UP_MAPPINGS,
      colorBackground: true,
      noValue: "exporter down",
      w: 4,
    }),
    statPanel("Connections used", [{ expr: `sum(pg_stat_database_numbackends{${j}}) / max(pg_settings_max_connections{${j}})` }], {
      description: "Backends connected, as a share of max_connections.",
      unit: "percentunit",
      thresholds: DB_CONNECTION_STEPS,
      sparkline: true,
      w: 5,
    }),
    statPanel(
      "Buffer cache hit ratio",
      [{ expr: `${rate("pg_stat_database_blks_hit")} / (${rate("pg_stat_database_blks_hit")} + ${rate("pg_stat_database_blks_read")})` }],
      { unit: "percentunit", decimals: 2, baseColor: "red", thresholds: HIT_RATIO_STEPS, w: 5 },
    ),
    statPanel("Deadlocks", [{ expr: `sum(increase(pg_stat_database_deadlocks{${j}}[${RANGE_WINDOW}]))` }], {
      description: "Deadlocks detected within the time range.",
      decimals: 0,
      thresholds: anyOccurrence("red"),
      w: 5,
    }),
    statPanel("Database size", [{ expr: `sum(pg_database_size_bytes{${j}})` }], { unit: "bytes", sparkline: true, w: 5 }),
    timeSeries(
      "Connections by database",
      [
        { expr: `sum by (datname) (pg_stat_database_numbackends{${j}})`, legend: "{{datname}}" },
        { expr: `max(pg_settings_max_connections{${j}})`, legend: "max_connections limit" },
      ],
      { min: 0, limitSeries: "/limit$/", w: 8 },
    ),
    timeSeries(
      "Transactions",
      [
        { expr: rate("pg_stat_database_xact_commit"), legend: "commits" },
        { expr: rate("pg_stat_database_xact_rollback"), legend: "rollbacks" },
      ],
      { unit: "ops", min: 0, seriesColors: { rollbacks: "red" }, w: 8 },
    ),
    timeSeries(
      "Rows",
      [
        { expr: rate("pg_stat_database_tup_fetched"), legend: "fetched" },
        { expr: rate("pg_stat_database_tup_inserted"), legend: "inserted" },
        { expr: rate("pg_stat_database_tup_updated"), legend: "updated" },
        { expr: rate("pg_stat_database_tup_deleted"), legend: "deleted" },
      ],
      { unit: "rowsps", min: 0, w: 8 },
    ),
    timeSeries("Locks by mode", [{ expr: `sum by (mode) (pg_locks_count{${j}})`, legend: "{{mode}}" }], { min: 0, w: 8 }),
    timeSeries("Database size by database", [{ expr: `sum by (datname) (pg_database_size_bytes{${j}})`, legend: "{{datname}}" }], {
      unit: "bytes",
      w: 8,
    }),
    timeSeries(
      "Deadlocks and temporary files",
      [
        { expr: rate("pg_stat_database_deadlocks"), legend: "deadlocks/s" },
        { expr: rate("pg_stat_database_temp_bytes"), legend: "temp bytes/s" },
      ],
      { min: 0, w: 8 },
    ),
  ];
}

function redisPanels(): PanelBuilder[] {
  const j = `job="${STACK_JOBS.redisExporter}"`;
  const rate = (metric: string) => `sum(rate(${metric}{${j}}[${RATE_WINDOW}]))`;
  const hitRatio = `${rate("redis_keyspace_hits_total")} / (${rate("redis_keyspace_hits_total")} + ${rate("redis_keyspace_misses_total")})`;
  return [
    statPanel("Redis", [{ expr: `min(redis_up{${j}})` }], {
      description: "Whether the exporter can reach Redis.",
      mappings: UP_MAPPINGS,
      colorBackground: true,
      noValue: "exporter down",
      w: 4,
    }),
    statPanel("Memory used of maxmemory", [{ expr: `sum(redis_memory_used_bytes{${j}}) / sum(redis_memory_max_bytes{${j}} > 0)` }], {
      unit: "percentunit",
      thresholds: REDIS_MEMORY_STEPS,
      noValue: "no maxmemory set",
      w: 5,
    }),
    statPanel("Keyspace hit ratio", [{ expr: hitRatio }], {
      unit: "percentunit",
      decimals: 2,
      baseColor: "red",
      thresholds: HIT_RATIO_STEPS,
      w: 5,
    }),
    statPanel("Connected clients", [{ expr: `sum(redis_connected_clients{${j}})` }], { sparkline: true, w: 5 }),
    statPanel("Evicted keys", [{ expr: `sum(increase(redis_evicted_keys_total{${j}}[${RANGE_WINDOW}]))` }], {
      description: "Keys evicted to stay under maxmemory within the time range.",
      decimals: 0,
      thresholds: anyOccurrence("orange"),
      w: 5,
    }),
    timeSeries("Commands/s", [{ expr: rate("redis_commands_processed_total"), legend: "commands" }], { unit: "ops", min: 0, w: 8 }),
    timeSeries(
      "Memory",
      [
        { expr: `sum(redis_memory_used_bytes{${j}})`, legend: "used" },
        { expr: `sum(redis_memory_max_bytes{${j}} > 0)`, legend: "maxmemory limit" },
      ],
      { unit: "bytes", min: 0, limitSeries: "/limit$/", w: 8 },
    ),
    timeSeries(
      "Clients",
      [
        { expr: `sum(redis_connected_clients{${j}})`, legend: "connected" },
        { expr: `sum(redis_blocked_clients{${j}})`, legend: "blocked" },
        { expr: rate("redis_rejected_connections_total"), legend: "rejected/s" },
      ],
      { min: 0, w: 8 },
    ),
    timeSeries("Keyspace hit ratio", [{ expr: hitRatio, legend: "hit ratio" }], { unit: "percentunit", min: 0, max: 1, w: 8 }),
    timeSeries("Keys by database", [{ expr: `sum by (db) (redis_db_keys{${j}})`, legend: "{{db}}" }], { min: 0, w: 8 }),
    timeSeries(
      "Evictions and expirations",
      [
        { expr: rate("redis_evicted_keys_total"), legend: "evicted" },
        { expr: rate("redis_expired_keys_total"), legend: "expired" },
      ],
      { unit: "ops", min: 0, w: 8 },
    ),
  ];
}

function rabbitmqPanels(): PanelBuilder[] {
  const j = `job="${STACK_JOBS.rabbitmq}"`;
  const sum = (metric: string) => `sum(${metric}{${j}})`;
  const rate = (metric: string) => `sum(rate(${metric}{${j}}[${RATE_WINDOW}]))`;
  return [
    statPanel("RabbitMQ", [{ expr: `min(up{${j}})` }], {
      description: "Whether Prometheus can scrape the RabbitMQ Prometheus plugin.",
      mappings: UP_MAPPINGS,
      colorBackground: true,
      noValue: "not scraped",
      w: 4,
    }),
    statPanel("Messages ready", [{ expr: sum("rabbitmq_queue_messages_ready") }], {
      description: "Messages waiting for a consumer, all queues.",
      sparkline: true,
      thresholds: READY_MESSAGES_STEPS,
      w: 4,
    }),
    statPanel("Messages unacknowledged", [{ expr: sum("rabbitmq_queue_messages_unacked") }], { sparkline: true, w: 4 }),
    statPanel("Consumers", [{ expr: sum("rabbitmq_consumers") }], { w: 4 }),
    statPanel("Connections", [{ expr: sum("rabbitmq_connections") }], { w: 4 }),
    statPanel("Queues", [{ expr: sum("rabbitmq_queues") }], { w: 4 }),
    timeSeries(
      "Message rates",
      [
        { expr: rate("rabbitmq_global_messages_received_total"), legend: "published" },
        { expr: rate("rabbitmq_global_messages_delivered_total"), legend: "delivered" },
        { expr: rate("rabbitmq_global_messages_acknowledged_total"), legend: "acknowledged" },
        { expr: rate("rabbitmq_global_messages_redelivered_total"), legend: "redelivered" },
        { expr: rate("rabbitmq_global_messages_unroutable_dropped_total"), legend: "unroutable dropped" },
      ],
      { unit: "ops", min: 0, seriesColors: { "unroutable dropped": "red" }, w: 12 },
    ),
    timeSeries(
      "Queue depth",
      [
        { expr: sum("rabbitmq_queue_messages_ready"), legend: "ready" },
        { expr: sum("rabbitmq_queue_messages_unacked"), legend: "unacknowledged" },
      ],
      { min: 0, stack: true, w: 12 },
    ),
    timeSeries(
      "Memory vs high watermark",
      [
        { expr: sum("rabbitmq_process_resident_memory_bytes"), legend: "used" },
        { expr: sum("rabbitmq_resident_memory_limit_bytes"), legend: "high watermark limit" },
      ],
      { description: "Publishers are blocked when memory reaches the high watermark.", unit: "bytes", min: 0, limitSeries: "/limit$/", w: 8 },
    ),
    timeSeries(
      "Free disk vs low watermark",
      [
        { expr: sum("rabbitmq_disk_space_available_bytes"), legend: "free" },
        { expr: sum("rabbitmq_disk_space_available_limit_bytes"), legend: "low watermark limit" },
      ],
      { description: "Publishers are blocked when free disk falls to the low watermark.", unit: "bytes", min: 0, limitSeries: "/limit$/", w: 8 },
    ),
    timeSeries(
      "Connections, channels, consumers",
      [
        { expr: sum("rabbitmq_connections"), legend: "connections" },
        { expr: sum("rabbitmq_channels"), legend: "channels" },
        { expr: sum("rabbitmq_consumers"), legend: "consumers" },
      ],
      { min: 0, w: 8 },
    ),
  ];
}

/** The dashboard, or undefined when no database, cache or messaging integration is on. */
export function buildDataServicesDashboard(integrations: EnabledIntegrations): dashboard.Dashboard | undefined {
  if (!integrations.postgres && !integrations.redis && !integrations.rabbitmq) return undefined;
  const d = newDashboard(DATA_SERVICES, [prometheusDatasourceVariable()], [alertAnnotation()]);
  if (integrations.postgres) addRow(d, "PostgreSQL", postgresPanels());
  if (integrations.redis) addRow(d, "Redis", redisPanels());
  if (integrations.rabbitmq) addRow(d, "RabbitMQ", rabbitmqPanels());
  return finalize(d);
}
