// A real Prometheus (.tools/bin) running the full rule catalogue against synthetic targets
// shaped like the stack's real metrics, at a chosen number of active series. Shared by
// `npm run bench:rules` (rule evaluation cost) and `npm run bench:capacity` (memory per series,
// ingestion, what fits the memory limit).
//
// Prometheus loads the rendered prometheus.yml and every rule area (integrations
// postgres/redis/rabbitmq/blackbox and backup on) and scrapes synthetic targets served from
// this process: application services (prom-client style http_requests_total and the
// http_request_duration_seconds histogram per method/route/status, plus default process
// metrics), a cAdvisor with many containers (limits, CFS, start times; some re-created
// containers with an old id; system cgroups without a name), a large Docker host's
// node_exporter metrics (CPUs, filesystems, NICs incl. one veth per container, backup textfile
// metrics), postgres/redis/rabbitmq exporters; blackbox_exporter and Alertmanager are the real
// binaries.
//
// Timings: scrape 2s until the 5m windows hold as many samples as production's 15s scrape
// gives them (20), then a reload to the production 15s scrape so ingestion load matches a real
// stack while the rounds are measured; evaluation 5s (a group's cost does not depend on it).
// Windows longer than the run (deriv 1h, predict_linear 6h, increase 3h) hold fewer samples
// than in production, so those rules cost less here than they would after hours.
import * as http from "node:http";
import * as net from "node:net";
import { WebhookReceiver, EXPOSITION_CONTENT_TYPE, PromRuleGroup, isZeroTime, sleep, waitFor } from "./processes";
import { LiveStack } from "./live-stack";
import { ServiceSettings } from "../configs/service-settings";
import { durationSeconds } from "../configs/prometheus";

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const ROUTES: [string, string][] = [
  ["GET", "/"],
  ["GET", "/api/items"],
  ["GET", "/api/items/:id"],
  ["POST", "/api/items"],
  ["PUT", "/api/items/:id"],
  ["DELETE", "/api/items/:id"],
  ["POST", "/api/login"],
  ["GET", "/health"],
];
/** Scrape interval while the rounds are measured (the stack's default). */
const PRODUCTION_SCRAPE = "15s";
/** Time for the reloaded scrape loops to settle into the new interval. */
const RELOAD_SETTLE_MS = 16000;
/** Evaluation rounds measured per size; each group's median is reported. */
const ROUNDS = 5;
/** Rules listed individually, most expensive first. */
const TOP_RULES = 10;
const STATUSES = ["200", "404", "500", "503"];

enum Kind {
  Counter = 0, // base + slope * t
  Gauge = 1, // base * (1 + 0.05 sin(t/30 + phase))
  Constant = 2,
  Comment = 3,
  /**
   * base * (1 + slope * t): container memory. A wobbling gauge would look like a leak to the
   * 1h deriv() of PossibleMemoryLeak after a run of a minute, and hundreds of pending alerts
   * (each templated every round) would be measured instead of the rules.
   */
  Linear = 4,
}

/** One scrape target: pre-rendered series prefixes and a value model per series. */
class Target {
  private text: string[] = [];
  private kind: number[] = [];
  private base: number[] = [];
  private slope: number[] = [];
  series = 0;

  type(name: string, type: string): void {
    this.text.push(`# TYPE ${name} ${type}\n`);
    this.kind.push(Kind.Comment);
    this.base.push(0);
    this.slope.push(0);
  }

  add(name: string, labels: string, kind: Kind, base: number, slope = 0): void {
    this.text.push(labels ? `${name}{${labels}} ` : `${name} `);
    this.kind.push(kind);
    this.base.push(base);
    this.slope.push(slope);
    this.series++;
  }

  render(t: number): string {
    const out: string[] = new Array(this.text.length);
    for (let i = 0; i < this.text.length; i++) {
      const k = this.kind[i];
      if (k === Kind.Comment) {
        out[i] = this.text[i];
        continue;
      }
      let v = this.base[i];
      if (k === Kind.Counter) v += this.slope[i] * t;
      else if (k === Kind.Gauge) v *= 1 + 0.05 * Math.sin(t / 30 + i) + this.slope[i] * t;
      else if (k === Kind.Linear) v *= 1 + this.slope[i] * t;
      out[i] = `${this.text[i]}${Math.round(v * 1000) / 1000}\n`;
    }
    return out.join("");
  }
}

/** Deterministic pseudo-random numbers. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 48271) % 2147483647;
    return s / 2147483647;
  };
}

const hex = (n: number, len = 64) => n.toString(16).padStart(len, "0");

function appServiceTarget(name: string, idx: number, rand: () => number): Target {
  const t = new Target();
  const rps = 1 + rand() * 50;
  const errorShare = idx % 20 === 3 ? 0.1 : 0.002; // a few services with many 5xx
  const slow = idx % 25 === 7; // and a few slow ones
  const combos = ROUTES.flatMap(([m, r]) => STATUSES.map((s) => ({ m, r, s })));
  const share = (s: string) => (s === "200" ? 0.95 : s === "404" ? 0.03 : s === "500" ? errorShare : 0.001);
  const lbl = (c: { m: string; r: string; s: string }) => `service="${name}",method="${c.m}",route="${c.r}",status="${c.s}"`;
  t.type("http_requests_total", "counter");
  for (const c of combos) t.add("http_requests_total", lbl(c), Kind.Counter, 0, (rps / ROUTES.length) * share(c.s));
  t.type("http_request_duration_seconds", "histogram");
  for (const c of combos) {
    const slope = (rps / ROUTES.length) * share(c.s);
    const median = slow ? 0.8 : 0.03 + rand() * 0.05;
    for (const le of BUCKETS) {
      // Share of requests at or below le: a log-logistic curve around the median.
      const frac = 1 / (1 + Math.pow(median / le, 3));
      t.add("http_request_duration_seconds_bucket", `${lbl(c)},le="${le}"`, Kind.Counter, 0, slope * frac);
    }
    t.add("http_request_duration_seconds_bucket", `${lbl(c)},le="+Inf"`, Kind.Counter, 0, slope);
    t.add("http_request_duration_seconds_sum", lbl(c), Kind.Counter, 0, slope * median);
    t.add("http_request_duration_seconds_count", lbl(c), Kind.Counter, 0, slope);
  }
  const now = Date.now() / 1000;
  t.type("process_start_time_seconds", "gauge");
  t.add("process_start_time_seconds", "", Kind.Constant, Math.floor(now - 3600 - rand() * 86400));
  t.type("process_cpu_user_seconds_total", "counter");
  t.add("process_cpu_user_seconds_total", "", Kind.Counter, 100, 0.05);
  t.type("process_cpu_system_seconds_total", "counter");
  t.add("process_cpu_system_seconds_total", "", Kind.Counter, 20, 0.01);
  t.type("process_resident_memory_bytes", "gauge");
  t.add("process_resident_memory_bytes", "", Kind.Gauge, 80e6 + rand() * 200e6);
  t.type("process_open_fds", "gauge");
  t.add("process_open_fds", "", Kind.Gauge, 40);
  t.type("nodejs_eventloop_lag_seconds", "gauge");
  t.add("nodejs_eventloop_lag_seconds", "", Kind.Gauge, 0.002);
  t.type("nodejs_heap_size_used_bytes", "gauge");
  t.add("nodejs_heap_size_used_bytes", "", Kind.Gauge, 40e6);
  t.type("nodejs_heap_size_total_bytes", "gauge");
  t.add("nodejs_heap_size_total_bytes", "", Kind.Gauge, 60e6);
  t.type("nodejs_active_handles_total", "gauge");
  t.add("nodejs_active_handles_total", "", Kind.Gauge, 12);
  t.type("nodejs_gc_duration_seconds_count", "counter");
  for (const kind of ["minor", "major", "incremental"]) t.add("nodejs_gc_duration_seconds_count", `kind="${kind}"`, Kind.Counter, 0, 0.5);
  t.type("websocket_connections_active", "gauge");
  t.add("websocket_connections_active", `service="${name}"`, Kind.Gauge, 50 + rand() * 500);
  t.type("websocket_disconnections_total", "counter");
  t.add("websocket_disconnections_total", `service="${name}"`, Kind.Counter, 0, 0.02);
  t.type("db_connection_errors_total", "counter");
  t.add("db_connection_errors_total", `service="${name}"`, Kind.Counter, 0, 0);
  return t;
}
const SERIES_PER_SERVICE = appServiceTarget("x", 0, rng(1)).series;
const SERIES_PER_CONTAINER = 15;

interface ContainerDef {
  id: string;
  name: string;
  service: string;
  image: string;
  cpuLimitCores: number; // 0 = none
  memLimit: number; // 0 = none
  cpuCores: number;
  mem: number;
  memLeakPerSec: number;
  startTime: number;
  frozen: boolean; // an old id of a re-created container
}

/** One cAdvisor series of a container: metric name, extra labels, value model. */
type ContainerSeries = [name: string, extra: string, kind: Kind, base: number, slope: number];

/** The SERIES_PER_CONTAINER series cAdvisor exports for one container. */
function containerSeries(c: ContainerDef): ContainerSeries[] {
  const k = c.frozen ? Kind.Constant : Kind.Counter;
  const periods = c.cpuLimitCores > 0 ? 10 : 0; // CFS periods per second (100ms period)
  return [
    ["container_cpu_usage_seconds_total", 'cpu="total"', k, 1000, c.cpuCores],
    ["container_cpu_user_seconds_total", "", k, 700, c.cpuCores * 0.7],
    ["container_cpu_system_seconds_total", "", k, 300, c.cpuCores * 0.3],
    ["container_cpu_cfs_periods_total", "", k, 5000, periods],
    [
      "container_cpu_cfs_throttled_periods_total",
      "",
      k,
      100,
      periods * (c.cpuLimitCores > 0 && c.cpuCores / c.cpuLimitCores > 0.8 ? 0.4 : 0.01),
    ],
    ["container_spec_cpu_quota", "", Kind.Constant, c.cpuLimitCores * 100000, 0],
    ["container_spec_cpu_period", "", Kind.Constant, 100000, 0],
    ["container_memory_working_set_bytes", "", c.frozen ? Kind.Constant : Kind.Linear, c.mem, c.memLeakPerSec / c.mem],
    ["container_memory_usage_bytes", "", Kind.Gauge, c.mem * 1.3, 0],
    ["container_spec_memory_limit_bytes", "", Kind.Constant, c.memLimit, 0],
    ["container_start_time_seconds", "", Kind.Constant, c.startTime, 0],
    ["container_oom_events_total", "", Kind.Constant, 0, 0],
    ["container_network_receive_bytes_total", 'interface="eth0"', k, 1e6, 2e4],
    ["container_network_transmit_bytes_total", 'interface="eth0"', k, 1e6, 2e4],
    ["container_fs_writes_bytes_total", 'device="/dev/nvme0n1"', k, 1e6, 1e4],
  ];
}

/**
 * A cAdvisor target: one metric family after the other, each with every container, as the real
 * cAdvisor writes its exposition (and so the order in which Prometheus creates the series).
 */
function cadvisorTarget(defs: readonly ContainerDef[]): Target {
  const t = new Target();
  const perContainer = defs.map(containerSeries);
  const families = perContainer[0]?.length ?? 0;
  for (let f = 0; f < families; f++) {
    const family = perContainer[0][f][0];
    t.type(family, /_total$/.test(family) ? "counter" : "gauge");
    defs.forEach((c, i) => {
      const [name, extra, kind, base, slope] = perContainer[i][f];
      const l = `id="${c.id}",image="${c.image}",name="${c.name}",container_label_service="${c.service}"`;
      t.add(name, extra ? `${l},${extra}` : l, kind, base, slope);
    });
  }
  return t;
}

function nodeTarget(veths: number, hwmon: number): Target {
  const t = new Target();
  t.type("node_cpu_seconds_total", "counter");
  for (let cpu = 0; cpu < 32; cpu++) {
    for (const [mode, share] of [
      ["idle", 0.6],
      ["user", 0.25],
      ["system", 0.1],
      ["iowait", 0.02],
      ["irq", 0.01],
      ["softirq", 0.01],
      ["nice", 0],
      ["steal", 0.01],
    ] as const) {
      t.add("node_cpu_seconds_total", `cpu="${cpu}",mode="${mode}"`, Kind.Counter, 1e5 * share, share);
    }
  }
  for (const [name, v] of [
    ["node_load1", 8],
    ["node_load5", 7],
    ["node_load15", 6],
  ] as const) {
    t.type(name, "gauge");
    t.add(name, "", Kind.Gauge, v);
  }
  const mem: [string, number][] = [
    ["MemTotal", 128e9],
    ["MemFree", 20e9],
    ["MemAvailable", 60e9],
    ["Buffers", 2e9],
    ["Cached", 30e9],
    ["SwapTotal", 0],
    ["SwapFree", 0],
    ["Active", 50e9],
    ["Inactive", 30e9],
    ["Dirty", 1e7],
    ["Shmem", 1e9],
    ["Slab", 3e9],
    ["SReclaimable", 2e9],
    ["SUnreclaim", 1e9],
    ["PageTables", 5e8],
    ["Committed_AS", 90e9],
    ["HugePages_Total", 0],
    ["Mapped", 2e9],
    ["AnonPages", 40e9],
    ["KernelStack", 1e8],
  ];
  for (const [n, v] of mem) {
    t.type(`node_memory_${n}_bytes`, "gauge");
    t.add(`node_memory_${n}_bytes`, "", Kind.Gauge, v);
  }
  const fs: [string, string, string, number][] = [
    ["/dev/nvme0n1p1", "/", "ext4", 200e9],
    ["/dev/nvme0n1p15", "/boot/efi", "vfat", 1e8],
    ["/dev/nvme1n1", "/var/lib/docker", "xfs", 1e12],
    ["/dev/nvme2n1", "/data", "xfs", 2e12],
    ["tmpfs", "/run", "tmpfs", 1e10],
    ["tmpfs", "/dev/shm", "tmpfs", 6e10],
    ["tmpfs", "/run/lock", "tmpfs", 5e6],
    ["/dev/nvme0n1p1", "/etc/hosts", "ext4", 200e9],
  ];
  for (const metric of ["size_bytes", "avail_bytes", "free_bytes", "files", "files_free", "readonly", "device_error"]) {
    t.type(`node_filesystem_${metric}`, "gauge");
    for (const [dev, mp, fstype, size] of fs) {
      const v =
        metric === "size_bytes"
          ? size
          : metric.endsWith("bytes")
            ? size * 0.55
            : metric === "files"
              ? 6e7
              : metric === "files_free"
                ? 5e7
                : 0;
      t.add(
        `node_filesystem_${metric}`,
        `device="${dev}",fstype="${fstype}",mountpoint="${mp}"`,
        metric === "size_bytes" || v === 0 ? Kind.Constant : Kind.Gauge,
        v,
      );
    }
  }
  for (const metric of [
    "reads_completed_total",
    "writes_completed_total",
    "read_bytes_total",
    "written_bytes_total",
    "io_time_seconds_total",
    "io_now",
  ]) {
    t.type(`node_disk_${metric}`, metric.endsWith("total") ? "counter" : "gauge");
    for (const dev of ["nvme0n1", "nvme1n1", "nvme2n1"])
      t.add(`node_disk_${metric}`, `device="${dev}"`, metric.endsWith("total") ? Kind.Counter : Kind.Gauge, 1e6, 100);
  }
  const nics = ["lo", "ens5", "docker0", "br-observability", ...Array.from({ length: veths }, (_, i) => `veth${hex(i * 7919 + 11, 7)}`)];
  for (const metric of [
    "receive_bytes",
    "transmit_bytes",
    "receive_packets",
    "transmit_packets",
    "receive_errs",
    "transmit_errs",
    "receive_drop",
    "transmit_drop",
  ]) {
    t.type(`node_network_${metric}_total`, "counter");
    for (const dev of nics) {
      const slope = metric.endsWith("bytes") ? 1e5 : metric.endsWith("packets") ? 100 : 0;
      t.add(`node_network_${metric}_total`, `device="${dev}"`, Kind.Counter, 1000, slope);
    }
  }
  const timex: [string, number][] = [
    ["sync_status", 1],
    ["maxerror_seconds", 0.01],
    ["offset_seconds", 0.0001],
    ["estimated_error_seconds", 0.0001],
    ["frequency_adjustment_ratio", 1],
    ["status", 8193],
  ];
  for (const [n, v] of timex) {
    t.type(`node_timex_${n}`, "gauge");
    t.add(`node_timex_${n}`, "", Kind.Constant, v);
  }
  t.type("node_vmstat_oom_kill", "untyped");
  t.add("node_vmstat_oom_kill", "", Kind.Constant, 0);
  t.type("node_boot_time_seconds", "gauge");
  t.add("node_boot_time_seconds", "", Kind.Constant, Math.floor(Date.now() / 1000 - 864000));
  t.type("node_time_seconds", "gauge");
  t.add("node_time_seconds", "", Kind.Counter, Date.now() / 1000, 0);
  // The backup job's textfile metrics (the stack's backup area).
  const now = Math.floor(Date.now() / 1000);
  t.type("observability_backup_last_run_timestamp_seconds", "gauge");
  t.add("observability_backup_last_run_timestamp_seconds", "", Kind.Constant, now - 1800);
  t.type("observability_backup_last_success_timestamp_seconds", "gauge");
  t.add("observability_backup_last_success_timestamp_seconds", "", Kind.Constant, now - 1800);
  t.type("observability_backup_last_run_success", "gauge");
  t.add("observability_backup_last_run_success", "", Kind.Constant, 1);
  t.type("node_hwmon_temp_celsius", "gauge");
  for (let i = 0; i < hwmon; i++) t.add("node_hwmon_temp_celsius", `chip="platform_coretemp_0",sensor="temp${i + 1}"`, Kind.Gauge, 50);
  return t;
}

function postgresTarget(): Target {
  const t = new Target();
  const dbs = ["app", "orders", "users", "analytics", "postgres"];
  t.type("pg_up", "gauge");
  t.add("pg_up", "", Kind.Constant, 1);
  t.type("pg_settings_max_connections", "gauge");
  t.add("pg_settings_max_connections", 'server="postgres:5432"', Kind.Constant, 200);
  t.type("pg_stat_activity_count", "gauge");
  for (const d of dbs) {
    for (const s of ["active", "idle", "idle in transaction", "idle in transaction (aborted)", "fastpath function call", "disabled"]) {
      t.add(
        "pg_stat_activity_count",
        `datname="${d}",server="postgres:5432",state="${s}"`,
        Kind.Gauge,
        s === "idle" ? 10 : s === "active" ? 3 : 0,
      );
    }
  }
  for (const m of [
    "deadlocks",
    "xact_commit",
    "xact_rollback",
    "blks_read",
    "blks_hit",
    "tup_returned",
    "tup_fetched",
    "tup_inserted",
    "conflicts",
  ]) {
    t.type(`pg_stat_database_${m}`, "counter");
    for (const d of dbs)
      t.add(
        `pg_stat_database_${m}`,
        `datid="${dbs.indexOf(d) + 16384}",datname="${d}",server="postgres:5432"`,
        Kind.Counter,
        100,
        m === "deadlocks" ? 0 : 10,
      );
  }
  return t;
}

function redisTarget(): Target {
  const t = new Target();
  const g: [string, Kind, number, number][] = [
    ["redis_up", Kind.Constant, 1, 0],
    ["redis_memory_used_bytes", Kind.Gauge, 2e9, 0],
    ["redis_memory_max_bytes", Kind.Constant, 4e9, 0],
    ["redis_rejected_connections_total", Kind.Constant, 0, 0],
    ["redis_connected_clients", Kind.Gauge, 80, 0],
    ["redis_commands_processed_total", Kind.Counter, 1e6, 500],
    ["redis_keyspace_hits_total", Kind.Counter, 1e6, 400],
    ["redis_keyspace_misses_total", Kind.Counter, 1e5, 40],
    ["redis_evicted_keys_total", Kind.Counter, 0, 0],
    ["redis_uptime_in_seconds", Kind.Counter, 1e5, 1],
  ];
  for (const [n, k, b, s] of g) {
    t.type(n, n.endsWith("total") ? "counter" : "gauge");
    t.add(n, "", k, b, s);
  }
  t.type("redis_db_keys", "gauge");
  for (let db = 0; db < 4; db++) t.add("redis_db_keys", `db="db${db}"`, Kind.Gauge, 1e4);
  return t;
}

function rabbitTarget(): Target {
  const t = new Target();
  for (const m of [
    "rabbitmq_queue_messages_ready",
    "rabbitmq_queue_messages_unacked",
    "rabbitmq_queue_messages",
    "rabbitmq_queue_consumers",
  ]) {
    t.type(m, "gauge");
    for (let q = 0; q < 30; q++) t.add(m, `queue="queue-${q}",vhost="/"`, Kind.Gauge, 10 + q);
  }
  for (const m of [
    "rabbitmq_alarms_memory_used_watermark",
    "rabbitmq_alarms_free_disk_space_watermark",
    "rabbitmq_alarms_file_descriptor_limit",
  ]) {
    t.type(m, "gauge");
    t.add(m, "", Kind.Constant, 0);
  }
  t.type("rabbitmq_identity_info", "gauge");
  t.add("rabbitmq_identity_info", 'rabbitmq_node="rabbit@rabbitmq",rabbitmq_cluster="rabbit"', Kind.Constant, 1);
  return t;
}

interface Synthetic {
  services: { name: string; target: Target }[];
  node: Target;
  cadvisor: Target;
  postgres: Target;
  redis: Target;
  rabbitmq: Target;
  total: number;
  layout: string;
}

/** Exactly `n` synthetic series: ~65% application services, the rest containers and the host. */
function synthesize(n: number): Synthetic {
  const rand = rng(42);
  const postgres = postgresTarget();
  const redis = redisTarget();
  const rabbitmq = rabbitTarget();
  const systemCgroups = 10;
  const fixed = nodeTarget(0, 0).series + postgres.series + redis.series + rabbitmq.series + systemCgroups * SERIES_PER_CONTAINER;
  const remaining = n - fixed;
  if (remaining < SERIES_PER_SERVICE + 23) throw new Error(`size ${n} is too small (fixed part ${fixed})`);
  const nServices = Math.max(1, Math.round((remaining * 0.65) / SERIES_PER_SERVICE));
  const perVeth = 8;
  const nContainers = Math.floor((remaining - nServices * SERIES_PER_SERVICE) / (SERIES_PER_CONTAINER + perVeth));
  const rest = remaining - nServices * SERIES_PER_SERVICE - nContainers * SERIES_PER_CONTAINER;
  const veths = Math.floor(rest / perVeth);
  const hwmon = rest % perVeth;

  const services = Array.from({ length: nServices }, (_, i) => {
    const name = `svc-${String(i).padStart(4, "0")}`;
    return { name, target: appServiceTarget(name, i, rand) };
  });

  const now = Math.floor(Date.now() / 1000);
  const defs: ContainerDef[] = [];
  for (let i = 0; i < systemCgroups; i++) {
    defs.push({
      id: `/system.slice/unit-${i}.service`,
      name: "",
      service: "",
      image: "",
      cpuLimitCores: 0,
      memLimit: 0,
      cpuCores: 0.01,
      mem: 5e7,
      memLeakPerSec: 0,
      startTime: now - 864000,
      frozen: false,
    });
  }
  for (let i = 0; i < nContainers; i++) {
    // App containers carry the Docker label service (one or more replicas per service); the
    // rest are infrastructure containers. Every 50th is the old id of the next container,
    // re-created under the same name (cAdvisor exports both while the old one is in a window).
    const svc = i < nServices * 2 ? services[i % nServices].name : "";
    const name = svc ? `${svc}-${Math.floor(i / nServices) + 1}` : `infra-${i}`;
    const memLimit = i % 3 === 0 ? 0 : 512e6 * (1 + (i % 4));
    const cpuLimitCores = i % 4 === 0 ? 0 : 0.5 * (1 + (i % 3));
    const hot = i % 97 === 5; // close to its limits
    defs.push({
      id: `/system.slice/docker-${hex(i * 2654435761 + 1)}.scope`,
      name: i % 50 === 49 ? defs[defs.length - 1].name : name,
      service: i % 50 === 49 ? defs[defs.length - 1].service : svc,
      image: svc ? `registry.example.com/${svc}:1.${i % 10}.0` : `docker.io/library/infra:${i % 5}`,
      cpuLimitCores,
      memLimit,
      cpuCores: cpuLimitCores > 0 ? cpuLimitCores * (hot ? 0.97 : 0.1 + rand() * 0.5) : 0.05 + rand() * 0.3,
      mem: memLimit > 0 ? memLimit * (hot ? 0.96 : 0.2 + rand() * 0.5) : 1e8 + rand() * 4e8,
      memLeakPerSec: i % 101 === 9 ? 1e5 : 0,
      startTime: now - 3600 - Math.floor(rand() * 864000),
      frozen: i % 50 === 48,
    });
  }
  const cadvisor = cadvisorTarget(defs);
  const node = nodeTarget(veths, hwmon);
  const total =
    services.reduce((s, x) => s + x.target.series, 0) + cadvisor.series + node.series + postgres.series + redis.series + rabbitmq.series;
  if (total !== n) throw new Error(`synthesized ${total} series, wanted ${n}`);
  const layout =
    `${nServices} services x ${SERIES_PER_SERVICE} series (${ROUTES.length} routes x ${STATUSES.length} statuses x histogram), ` +
    `${nContainers + systemCgroups} cAdvisor cgroups x ${SERIES_PER_CONTAINER}, node ${node.series} (incl. ${veths} veths), ` +
    `postgres ${postgres.series}, redis ${redis.series}, rabbitmq ${rabbitmq.series}`;
  return { services, node, cadvisor, postgres, redis, rabbitmq, total, layout };
}

async function serve(handler: (url: string) => string | undefined): Promise<{ server: http.Server; addr: string }> {
  const server = http.createServer((req, res) => {
    const body = handler(req.url ?? "/");
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": EXPOSITION_CONTENT_TYPE });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return { server, addr: `127.0.0.1:${(server.address() as net.AddressInfo).port}` };
}

/** What one size measured. */
export interface SizeResult {
  /** Synthetic series served (the size asked for). */
  readonly series: number;
  /** prometheus_tsdb_head_series at the end (synthetic + Prometheus' own + recorded). */
  readonly headSeries: number;
  /** Sum over groups of each group's median evaluation time, per round. */
  readonly ruleEvalMs: number;
  /** Resident memory of the Prometheus process (VmRSS), MiB. */
  readonly rssMb: number;
  /** Samples stored per second from scrapes at the production interval (rules' samples not counted). */
  readonly samplesPerSecond: number;
  /** The size's result line, `series=<n> rule_eval_ms=<total> rss_mb=<mb>`, and with a soak its `soak series=...` line. */
  readonly line: string;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Minutes of a head chunk's life at the production scrape: 120 samples every 15s. */
const CHUNK_CYCLE_MINUTES = (120 * durationSeconds(PRODUCTION_SCRAPE)) / 60;

/**
 * Rounds measured for `minutes` more at the production scrape. Reading a series' newest sample
 * decodes its head chunk from the start (and the previous chunk too while that is still inside
 * the 5m window), so the cost of a round grows as the chunks fill and drops when they are cut:
 * five rounds a minute after start see chunks about a third full. Only a run longer than one
 * chunk cycle (120 samples, 30 minutes at 15s) sees what a long-running Prometheus pays on
 * average. Prints the total per round by 5-minute stretch, then the median, p90 and maximum
 * over the last full chunk cycle (or the whole soak when shorter):
 *   soak series=<n> minutes=<m> window_minutes=<w> rounds=<k> rule_eval_ms_median=<ms> rule_eval_ms_p90=<ms> rule_eval_ms_max=<ms>
 */
async function soakRounds(series: number, nextRound: () => Promise<PromRuleGroup[]>, minutes: number): Promise<string> {
  const start = Date.now();
  const rounds: { at: number; ms: number }[] = [];
  while (Date.now() - start < minutes * 60000) {
    const groups = await nextRound();
    // The round that ends past the deadline counts in the last stretch.
    rounds.push({ at: Math.min(minutes, (Date.now() - start) / 60000), ms: groups.reduce((sum, g) => sum + g.evaluationTime * 1000, 0) });
  }
  for (let from = 0; from < minutes; from += 5) {
    const final = from + 5 >= minutes;
    const part = rounds.filter((r) => r.at >= from && (r.at < from + 5 || final)).map((r) => r.ms);
    if (part.length)
      console.log(
        `soak minutes=${from}-${Math.min(from + 5, minutes)} rounds=${part.length} rule_eval_ms_median=${median(part).toFixed(1)} max=${Math.max(...part).toFixed(1)}`,
      );
  }
  const window = Math.min(minutes, CHUNK_CYCLE_MINUTES);
  const last = rounds.filter((r) => r.at >= minutes - window).map((r) => r.ms);
  const sorted = [...last].sort((a, b) => a - b);
  // Nearest rank: the smallest value with at least 90% of the rounds at or below it.
  const p90 = sorted[Math.max(0, Math.ceil(sorted.length * 0.9) - 1)] ?? NaN;
  return (
    `soak series=${series} minutes=${minutes} window_minutes=${window} rounds=${last.length} ` +
    `rule_eval_ms_median=${median(last).toFixed(1)} rule_eval_ms_p90=${p90.toFixed(1)} rule_eval_ms_max=${(sorted[sorted.length - 1] ?? NaN).toFixed(1)}`
  );
}

/**
 * Runs the catalogue at `n` synthetic series and prints each group's cost; see SizeResult. With
 * `soakMinutes`, keeps measuring afterwards (see soakRounds) and appends its line to `line`.
 */
export async function benchSize(n: number, soakMinutes = 0): Promise<SizeResult> {
  const syn = synthesize(n);
  console.log(`\n=== ${n} series: ${syn.layout}`);
  const t0 = Date.now() / 1000;
  const elapsed = () => Date.now() / 1000 - t0;
  // Exporters answer on any path: redis_exporter is scraped multi-target style (/scrape?target=).
  const single = (t: Target) => () => t.render(elapsed());
  const byPath = new Map(syn.services.map((s) => [`/svc/${s.name}/metrics`, s.target]));
  const servers = await Promise.all([
    serve((url) => (url.split("?")[0] === "/health" ? "ok" : byPath.get(url)?.render(elapsed()))),
    serve(single(syn.node)),
    serve(single(syn.cadvisor)),
    serve(single(syn.postgres)),
    serve(single(syn.redis)),
    serve(single(syn.rabbitmq)),
  ]);
  const [apps, node, cadvisor, postgres, redis, rabbitmq] = servers.map((s) => s.addr);
  const hooks = new WebhookReceiver();
  await hooks.start();
  const services: ServiceSettings[] = syn.services.map((s) => ({
    name: s.name,
    targets: [apps],
    metricsPath: `/svc/${s.name}/metrics`,
    scheme: "http",
    labels: {},
  }));
  const stack = await LiveStack.create({
    name: `bench-rules-${n}`,
    scrapeInterval: "2s",
    evaluationInterval: "5s",
    timeScale: 1,
    routeTimings: "production",
    services,
    integrations: {
      postgres: {},
      redis: { address: "redis:6379" },
      rabbitmq: { targets: [rabbitmq] },
      blackbox: { httpTargets: Array.from({ length: 5 }, (_, i) => `http://${apps}/health?probe=${i}`) },
    },
    backup: true,
    components: { grafana: false, loki: false, alloy: false, cadvisor: true },
    run: { nodeExporter: false, blackbox: true, alertmanager: true },
    endpointOverrides: { nodeExporter: node, cadvisor, postgresExporter: postgres, redisExporter: redis },
    webhookUrl: hooks.url("/webhook"),
    heartbeatUrl: hooks.url("/heartbeat"),
  });
  try {
    await stack.startAll();
    const targets = await waitFor(
      "every target up",
      async () => {
        const t = await stack.prom.targets();
        const down = t.filter((x) => x.health !== "up");
        // prometheus, alertmanager, node, cadvisor, postgres, redis, rabbitmq, 5 probes, services
        if (t.length < services.length + 12) throw new Error(`${t.length} targets discovered`);
        if (down.length) throw new Error(`${down.length} not up, e.g. ${down[0].scrapeUrl} ${down[0].lastError}`);
        return t;
      },
      120000,
      1000,
    );
    console.log(`${targets.length} targets up after ${elapsed().toFixed(0)}s`);
    // Warm-up: the 5m windows hold 20 samples, as with production's 15s scrape over 5m.
    await waitFor(
      "20 samples per series in the 5m windows",
      async () => Number((await stack.prom.query(`min(count_over_time(up{job="cadvisor"}[5m]))`))[0]?.value?.[1] ?? 0) >= 20,
      180000,
      2000,
    );
    // Measure under production's ingestion load: 100k series scraped every 2s would keep the
    // 2 cores busy with ingestion and inflate every evaluation. The windows keep their samples.
    await stack.reloadWithScrapeInterval(PRODUCTION_SCRAPE);
    await sleep(RELOAD_SETTLE_MS);
    const perGroup = new Map<string, { file: string; rules: number; times: number[] }>();
    const perRule = new Map<string, number[]>();
    let lastRound = new Map<string, string>();
    /** The groups once every one has been evaluated again since the previous call. */
    const nextRound = async () => {
      const groups = await waitFor(
        "a new evaluation of every group",
        async () => {
          const g = await stack.prom.ruleGroups();
          return g.every((x) => !isZeroTime(x.lastEvaluation) && lastRound.get(x.name) !== x.lastEvaluation) ? g : undefined;
        },
        60000,
        500,
      );
      lastRound = new Map(groups.map((g) => [g.name, g.lastEvaluation]));
      return groups;
    };
    for (let round = 0; round < ROUNDS; round++) {
      const groups = await nextRound();
      for (const g of groups) {
        const e = perGroup.get(g.name) ?? { file: g.file.split("/").pop() ?? g.file, rules: g.rules.length, times: [] };
        e.times.push(g.evaluationTime * 1000);
        perGroup.set(g.name, e);
        g.rules.forEach((r, i) => {
          const key = `${g.name}[${i}] ${r.name}`;
          perRule.set(key, [...(perRule.get(key) ?? []), r.evaluationTime * 1000]);
        });
      }
    }
    const finalGroups = await stack.prom.ruleGroups();
    const broken = finalGroups.flatMap((g) =>
      g.rules.filter((r) => r.health !== "ok").map((r) => `${g.name}/${r.name}: ${r.health} ${r.lastError ?? ""}`),
    );
    let total = 0;
    const rows = [...perGroup.entries()].map(([name, e]) => ({ name, ...e, ms: median(e.times) }));
    rows.sort((a, b) => b.ms - a.ms);
    for (const r of rows) {
      total += r.ms;
      console.log(
        `group=${r.name} file=${r.file} rules=${r.rules} eval_ms=${r.ms.toFixed(2)} (${r.times.map((x) => x.toFixed(1)).join("/")})`,
      );
    }
    const topRules = [...perRule.entries()]
      .map(([k, t]) => [k, median(t)] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP_RULES);
    console.log(`most expensive rules: ${topRules.map(([k, ms]) => `${k}=${ms.toFixed(1)}ms`).join(", ")}`);
    const active = finalGroups.flatMap((g) =>
      g.rules.filter((r) => r.state === "firing" || r.state === "pending").map((r) => `${r.name}:${r.state}(${r.alerts?.length ?? 0})`),
    );
    console.log(`rules with errors: ${broken.length ? broken.join("; ") : "none"}`);
    console.log(`alerts pending/firing on the synthetic data: ${active.join(", ") || "none"}`);
    const head = Number((await stack.prom.query("prometheus_tsdb_head_series"))[0]?.value?.[1] ?? NaN);
    const rssApi = Number((await stack.prom.query('process_resident_memory_bytes{job="prometheus"}'))[0]?.value?.[1] ?? NaN) / 2 ** 20;
    const rss = stack.prometheusRssMb() ?? rssApi;
    console.log(
      `head_series=${head} (synthetic ${syn.total} + own/exporter/recorded series) rss_mb(VmRSS)=${rss.toFixed(0)} process_resident_memory_mb=${rssApi.toFixed(0)} uptime_s=${elapsed().toFixed(0)}`,
    );
    // Exact rather than a counter's rate over a window of a few scrapes: every target's last
    // scrape, after metric relabelling (what is stored), once per scrape interval.
    const perScrape = Number((await stack.prom.query("sum(scrape_samples_post_metric_relabeling)"))[0]?.value?.[1] ?? NaN);
    const samplesPerSecond = perScrape / durationSeconds(PRODUCTION_SCRAPE);
    console.log(`ingestion_samples_per_second=${samplesPerSecond.toFixed(0)} (${perScrape} samples per ${PRODUCTION_SCRAPE} scrape round)`);
    let line = `series=${syn.total} rule_eval_ms=${total.toFixed(1)} rss_mb=${rss.toFixed(0)}`;
    console.log(line);
    if (soakMinutes > 0) {
      const soak = await soakRounds(syn.total, nextRound, soakMinutes);
      line += `\n${soak}`;
      console.log(soak);
    }
    return { series: syn.total, headSeries: head, ruleEvalMs: total, rssMb: rss, samplesPerSecond, line };
  } catch (e) {
    console.error(stack.logTails(30));
    throw e;
  } finally {
    await stack.stopAll();
    await hooks.stop();
    for (const s of servers) {
      s.server.closeAllConnections();
      s.server.close();
    }
    stack.cleanup();
    await sleep(500);
  }
}
