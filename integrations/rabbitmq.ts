// RabbitMQ through its built-in Prometheus plugin (rabbitmq_prometheus, port 15692): Prometheus
// scrapes the brokers directly, so this integration runs no container of its own.
import * as path from "node:path";
import { checkHostPort, each } from "../configs/value-checks";
import { UP_DOWN_MAPPINGS, statPanel, timeSeries } from "../dashboards/lib/panels";
import { RATE_WINDOW } from "../dashboards/lib/promql";
import { defineIntegration } from "./integration";

const JOB = "rabbitmq";

/** Alert thresholds of rabbitmq.rules.yml. */
export const thresholds = {
  HighUnackedMessages: {
    /** More than 1000 delivered but unacknowledged messages: consumers are stuck or too slow. */
    messages: 1000,
  },
  RabbitMQQueueBacklog: {
    /** More than 10000 ready messages: producers outpace consumers for good. */
    messages: 10000,
  },
} as const;

/** Ready messages where the dashboard turns yellow: a tenth of the backlog alert, a queue building up. */
const READY_MESSAGES_BUILDING = thresholds.RabbitMQQueueBacklog.messages / 10;

export interface RabbitmqConfig {
  /** host:port of each broker's Prometheus endpoint. */
  readonly targets: readonly string[];
}

const SOURCE =
  "rabbitmq/rabbitmq-server deps/rabbitmq_prometheus: collectors/prometheus_rabbitmq_core_metrics_collector.erl (aggregated /metrics) and rabbit_global_counters (rabbitmq_global_*, asserted in rabbit_prometheus_http_SUITE)";

export const rabbitmq = defineIntegration({
  name: "rabbitmq",
  title: "RabbitMQ",
  settings: {
    rabbitmqTargets: {
      type: "array",
      default: [],
      description: "RabbitMQ Prometheus-plugin targets, host:15692 (integration rabbitmq).",
      doc: { accepts: "host:port entries; required by integration rabbitmq", targets: "both", example: "[rabbitmq:15692]" },
    },
  },
  secrets: {},
  read(v): RabbitmqConfig {
    const targets = v.value<readonly string[]>("rabbitmqTargets", each(checkHostPort));
    if (targets.length === 0 && !v.hasProblem("rabbitmqTargets")) {
      v.fail("rabbitmqTargets", "is empty; integration rabbitmq needs the broker's Prometheus endpoints, e.g. [rabbitmq:15692]");
    }
    return { targets };
  },
  job: JOB,
  metricsExporter: JOB,
  scrapeConfigs: (c) => [{ job_name: JOB, static_configs: [{ targets: [...c.targets] }] }],
  rules: { area: "messaging", file: path.join(__dirname, "rabbitmq.rules.yml"), test: path.join(__dirname, "rabbitmq.rules.test.yml") },
  targetDownAlerts: ["RabbitMQDown"],
  dashboardRows: [{ dashboard: "data-services", title: "RabbitMQ", panels }],
  metrics: [
    {
      verification: "source",
      source: SOURCE,
      names: [
        "rabbitmq_channels",
        "rabbitmq_connections",
        "rabbitmq_consumers",
        "rabbitmq_disk_space_available_bytes",
        "rabbitmq_disk_space_available_limit_bytes",
        "rabbitmq_global_messages_acknowledged_total",
        "rabbitmq_global_messages_delivered_total",
        "rabbitmq_global_messages_received_total",
        "rabbitmq_global_messages_redelivered_total",
        "rabbitmq_global_messages_unroutable_dropped_total",
        "rabbitmq_process_resident_memory_bytes",
        "rabbitmq_queue_messages_ready",
        "rabbitmq_queue_messages_unacked",
        "rabbitmq_queues",
        "rabbitmq_resident_memory_limit_bytes",
      ],
    },
    {
      verification: "source",
      source: SOURCE,
      names: [
        "rabbitmq_alarms_file_descriptor_limit",
        "rabbitmq_alarms_free_disk_space_watermark",
        "rabbitmq_alarms_memory_used_watermark",
      ],
      ruleOnly: true,
    },
  ],
  thresholds,
});

function panels() {
  const j = `job="${JOB}"`;
  const sum = (metric: string) => `sum(${metric}{${j}})`;
  const rate = (metric: string) => `sum(rate(${metric}{${j}}[${RATE_WINDOW}]))`;
  return [
    statPanel("RabbitMQ", [{ expr: `min(up{${j}})` }], {
      description: "Whether Prometheus can scrape the RabbitMQ Prometheus plugin.",
      mappings: UP_DOWN_MAPPINGS,
      colorBackground: true,
      noValue: "not scraped",
      w: 4,
    }),
    statPanel("Messages ready", [{ expr: sum("rabbitmq_queue_messages_ready") }], {
      description: "Messages waiting for a consumer, all queues.",
      sparkline: true,
      // Red where RabbitMQQueueBacklog fires.
      thresholds: [
        { value: READY_MESSAGES_BUILDING, color: "yellow" },
        { value: thresholds.RabbitMQQueueBacklog.messages, color: "red" },
      ],
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
      {
        description: "Publishers are blocked when memory reaches the high watermark.",
        unit: "bytes",
        min: 0,
        limitSeries: "/limit$/",
        w: 8,
      },
    ),
    timeSeries(
      "Free disk vs low watermark",
      [
        { expr: sum("rabbitmq_disk_space_available_bytes"), legend: "free" },
        { expr: sum("rabbitmq_disk_space_available_limit_bytes"), legend: "low watermark limit" },
      ],
      {
        description: "Publishers are blocked when free disk falls to the low watermark.",
        unit: "bytes",
        min: 0,
        limitSeries: "/limit$/",
        w: 8,
      },
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
