// PostgreSQL through postgres-exporter: the connection string is a secret, split into the three
// files the exporter reads (DATA_SOURCE_*_FILE), so no part of it is ever an environment value.
import * as path from "node:path";
import { promBusyboxContract } from "../catalog/image-contracts";
import { NOBODY } from "../catalog/containers";
import { checkPostgresDsn } from "../configs/value-checks";
import { UP_DOWN_MAPPINGS, statPanel, timeSeries } from "../dashboards/lib/panels";
import { RANGE_WINDOW, RATE_WINDOW } from "../dashboards/lib/promql";
import { HIT_RATIO_STEPS, SATURATED_RATIO, anyOccurrence } from "../dashboards/lib/steps";
import { defineIntegration } from "./integration";

const JOB = "postgres-exporter";
const DSN = "postgresDataSourceName";
const ACCEPTED_DSN = "use postgresql://user:pass@host:5432/db?sslmode=require (user and host are required)";

/** Alert thresholds of postgres.rules.yml. */
export const thresholds = {
  HighDatabaseConnections: {
    /** 80 % of max_connections leaves room to react before new connections are refused. */
    usedRatio: 0.8,
  },
  PostgreSQLDeadlocks: {
    /** More than 5 deadlocks in 10 minutes: a lock-ordering bug, not a single unlucky transaction. */
    deadlocks: 5,
  },
} as const;

/** postgresql://user:pass@host:5432/db?sslmode=require → the exporter's three parts. */
export function splitPostgresDsn(dsn: string): { uri: string; user: string; password: string } {
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    throw new Error(`observability-stack:${DSN}: is not a URL; ${ACCEPTED_DSN}`);
  }
  if (!["postgres:", "postgresql:"].includes(url.protocol) || !url.hostname || !url.username) {
    throw new Error(`observability-stack:${DSN}: ${ACCEPTED_DSN}`);
  }
  return {
    uri: `${url.host}${url.pathname}${url.search}`,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
}

const SOURCE =
  "prometheus-community/postgres_exporter collector/pg_stat_database.go, pg_database.go, pg_locks.go; pg_up and pg_settings_* from cmd/postgres_exporter";

export const postgres = defineIntegration({
  name: "postgres",
  title: "PostgreSQL",
  settings: {},
  secrets: {
    [DSN]: {
      description: "postgresql://user:pass@host:5432/db?sslmode=... (integration postgres)",
      required: true,
      accepts: "a postgresql:// URL",
      example: "postgresql://exporter:<password>@db:5432/app?sslmode=require",
      check: checkPostgresDsn,
    },
  },
  read: (): Record<string, never> => ({}),
  exporter: {
    key: "postgresExporter",
    entry: {
      container: "postgres-exporter",
      title: "postgres-exporter (integration postgres)",
      image: "prometheuscommunity/postgres-exporter:v0.20.1",
      limits: { cpus: 0.1, memoryMb: 64 },
      minMemoryMb: 16,
      port: 9187,
      job: JOB,
      user: NOBODY,
    },
    contract: promBusyboxContract("postgres_exporter", {
      tag: "prometheus-community/postgres_exporter: git tag v0.20.1 (2026-07-07) in the stored snapshot",
      dockerfile:
        "prometheus-community/postgres_exporter@v0.20.1:Dockerfile: FROM quay.io/prometheus/busybox; /bin/postgres_exporter; USER nobody",
    }),
    writes: [],
    run: () => ({
      env: {
        DATA_SOURCE_URI_FILE: "/run/secrets/postgres_uri",
        DATA_SOURCE_USER_FILE: "/run/secrets/postgres_user",
        DATA_SOURCE_PASS_FILE: "/run/secrets/postgres_password",
      },
      secretFiles: [
        { name: "postgres_uri", content: (s) => splitPostgresDsn(s[DSN]).uri },
        { name: "postgres_user", content: (s) => splitPostgresDsn(s[DSN]).user },
        { name: "postgres_password", content: (s) => splitPostgresDsn(s[DSN]).password },
      ],
      appNetworks: true,
    }),
  },
  job: JOB,
  metricsExporter: JOB,
  scrapeConfigs: (_c, ctx) => [{ job_name: JOB, static_configs: [{ targets: [ctx.exporter ?? `${JOB}:9187`] }] }],
  rules: { area: "database", file: path.join(__dirname, "postgres.rules.yml"), test: path.join(__dirname, "postgres.rules.test.yml") },
  targetDownAlerts: ["PostgresExporterDown"],
  dashboardRows: [{ dashboard: "data-services", title: "PostgreSQL", panels }],
  metrics: [
    {
      verification: "source",
      source: SOURCE,
      names: [
        "pg_database_size_bytes",
        "pg_locks_count",
        "pg_settings_max_connections",
        "pg_stat_database_blks_hit",
        "pg_stat_database_blks_read",
        "pg_stat_database_deadlocks",
        "pg_stat_database_numbackends",
        "pg_stat_database_temp_bytes",
        "pg_stat_database_tup_deleted",
        "pg_stat_database_tup_fetched",
        "pg_stat_database_tup_inserted",
        "pg_stat_database_tup_updated",
        "pg_stat_database_xact_commit",
        "pg_stat_database_xact_rollback",
        "pg_up",
      ],
    },
    { verification: "source", source: SOURCE, names: ["pg_stat_activity_count"], ruleOnly: true },
  ],
  thresholds,
});

function panels() {
  const j = `job="${JOB}"`;
  const rate = (metric: string) => `sum(rate(${metric}{${j}}[${RATE_WINDOW}]))`;
  return [
    statPanel("PostgreSQL", [{ expr: `min(pg_up{${j}})` }], {
      description: "Whether the exporter can connect to the database.",
      mappings: UP_DOWN_MAPPINGS,
      colorBackground: true,
      noValue: "exporter down",
      w: 4,
    }),
    statPanel("Connections used", [{ expr: `sum(pg_stat_database_numbackends{${j}}) / max(pg_settings_max_connections{${j}})` }], {
      description: "Backends connected, as a share of max_connections.",
      unit: "percentunit",
      // Yellow where HighDatabaseConnections fires.
      thresholds: [
        { value: thresholds.HighDatabaseConnections.usedRatio, color: "yellow" },
        { value: SATURATED_RATIO, color: "red" },
      ],
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
