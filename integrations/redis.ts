// Redis through redis-exporter in multi-target mode: Prometheus scrapes
// /scrape?target=redis://<address>, the only mode in which the exporter reads its password from
// a file.
import * as path from "node:path";
import { checkHostPort, checkSecretToken } from "../configs/value-checks";
import { UP_DOWN_MAPPINGS, statPanel, timeSeries } from "../dashboards/lib/panels";
import { RANGE_WINDOW, RATE_WINDOW } from "../dashboards/lib/promql";
import { BUSY_RATIO, HIT_RATIO_STEPS, anyOccurrence } from "../dashboards/lib/steps";
import { defineIntegration } from "./integration";

const JOB = "redis-exporter";
const PASSWORD = "redisPassword";
const PASSWORD_FILE = "redis_passwords.json";

/** Alert thresholds of redis.rules.yml. */
export const thresholds = {
  RedisHighMemory: {
    /** Above 90 % of maxmemory Redis is about to evict keys or refuse writes. */
    usedRatio: 0.9,
  },
} as const;

export interface RedisConfig {
  /** host:port of Redis. */
  readonly address: string;
}

const SOURCE = "oliver006/redis_exporter exporter/exporter.go (metricMapGauges, metricMapCounters, db_keys, up)";

export const redis = defineIntegration({
  name: "redis",
  title: "Redis",
  settings: {
    redisAddress: {
      type: "string",
      default: "",
      description: "Redis host:port (integration redis).",
      doc: { accepts: "host:port; required by integration redis", targets: "both", example: "redis:6379" },
    },
  },
  secrets: {
    [PASSWORD]: {
      description: "Redis password, if Redis requires one (integration redis)",
      required: false,
      accepts: "the Redis password: one line, not empty",
      example: "<password>",
      check: (text) => checkSecretToken(text, "Redis password"),
    },
  },
  read(v): RedisConfig {
    const address = v.value<string>("redisAddress", (x) => (x === "" ? undefined : checkHostPort(x)));
    if (address === "" && !v.hasProblem("redisAddress"))
      v.fail("redisAddress", "is missing; integration redis needs the Redis host:port, e.g. redis:6379");
    return { address };
  },
  exporter: {
    key: "redisExporter",
    entry: {
      container: "redis-exporter",
      title: "redis-exporter (integration redis)",
      image: "oliver006/redis_exporter:v1.91.1",
      limits: { cpus: 0.1, memoryMb: 64 },
      minMemoryMb: 16,
      port: 9121,
      job: JOB,
      // A scratch image whose binary runs as 59000.
      user: { uid: 59000, gid: 59000 },
    },
    contract: {
      tag: "tag",
      base: "scratch (the default tag; an -alpine variant exists)",
      entrypoint: ["/redis_exporter"],
      commands: { "/redis_exporter": "dockerfile" },
      user: { name: "59000", uid: 59000, gid: 59000, source: "dockerfile" },
      sources: {
        tag: "indirect: docker.io/oliver006/redis_exporter:v1.91.1@sha256:c67a432d… pinned by digest in public code; v1.92.x and v1.93.0 are newer",
        dockerfile:
          "oliver006/redis_exporter@v1.88.0:Dockerfile (newest tag in the snapshot): FROM scratch stage, COPY /redis_exporter; USER 59000:59000; ENTRYPOINT /redis_exporter",
      },
    },
    writes: [],
    run: (c, present) =>
      present.includes(PASSWORD)
        ? {
            command: [`--redis.password-file=/run/secrets/${PASSWORD_FILE}`],
            secretFiles: [{ name: PASSWORD_FILE, content: (s) => JSON.stringify({ [`redis://${c.address}`]: s[PASSWORD] }) }],
            appNetworks: true,
          }
        : { command: [], appNetworks: true },
  },
  job: JOB,
  metricsExporter: JOB,
  // Multi-target: the Redis URI is the target, the exporter only the transport.
  scrapeConfigs: (c, ctx) => [
    {
      job_name: JOB,
      metrics_path: "/scrape",
      static_configs: [{ targets: [`redis://${c.address}`] }],
      relabel_configs: [
        { source_labels: ["__address__"], target_label: "__param_target" },
        { source_labels: ["__param_target"], target_label: "instance" },
        { target_label: "__address__", replacement: ctx.exporter ?? `${JOB}:9121` },
      ],
    },
  ],
  rules: { area: "cache", file: path.join(__dirname, "redis.rules.yml"), test: path.join(__dirname, "redis.rules.test.yml") },
  targetDownAlerts: [],
  dashboardRows: [{ dashboard: "data-services", title: "Redis", panels }],
  metrics: [
    {
      verification: "source",
      source: SOURCE,
      names: [
        "redis_blocked_clients",
        "redis_commands_processed_total",
        "redis_connected_clients",
        "redis_db_keys",
        "redis_evicted_keys_total",
        "redis_expired_keys_total",
        "redis_keyspace_hits_total",
        "redis_keyspace_misses_total",
        "redis_memory_max_bytes",
        "redis_memory_used_bytes",
        "redis_rejected_connections_total",
        "redis_up",
      ],
    },
  ],
  thresholds,
});

function panels() {
  const j = `job="${JOB}"`;
  const rate = (metric: string) => `sum(rate(${metric}{${j}}[${RATE_WINDOW}]))`;
  const hitRatio = `${rate("redis_keyspace_hits_total")} / (${rate("redis_keyspace_hits_total")} + ${rate("redis_keyspace_misses_total")})`;
  return [
    statPanel("Redis", [{ expr: `min(redis_up{${j}})` }], {
      description: "Whether the exporter can reach Redis.",
      mappings: UP_DOWN_MAPPINGS,
      colorBackground: true,
      noValue: "exporter down",
      w: 4,
    }),
    statPanel("Memory used of maxmemory", [{ expr: `sum(redis_memory_used_bytes{${j}}) / sum(redis_memory_max_bytes{${j}} > 0)` }], {
      unit: "percentunit",
      // Red where RedisHighMemory fires.
      thresholds: [
        { value: BUSY_RATIO, color: "yellow" },
        { value: thresholds.RedisHighMemory.usedRatio, color: "red" },
      ],
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
