// The one place that reads stack configuration. Everything else receives a typed, validated
// StackSettings, so a bad value fails `pulumi preview` with a sentence naming the key instead
// of surfacing later as a container that restarts forever.
//
// Settings are flat keys of simple types because that is what Pulumi.yaml's `config:` schema
// can declare (string, integer, boolean, array of those); SETTINGS below is the single table
// of key, type, default and description, and a test keeps Pulumi.yaml and the README in step.
import * as pulumi from "@pulumi/pulumi";
import {
  Problem,
  checkCidr,
  checkDuration,
  checkEmail,
  checkHostPort,
  checkIPv4,
  checkName,
  checkPinnedImage,
  checkPort,
  checkSize,
  checkUrl,
  show,
} from "./validate";
import { KpiSettings, ServiceSettings } from "../configs/types";
import { COMMITTED_RUNBOOK_BASE } from "../configs/rules";

export type { KpiSettings, ServiceSettings };

export const PROJECT = "observability-stack";

/** Every container this program can run; each has an `<key>Image`, `<key>MilliCpus` and `<key>MemoryMb` setting. */
export const COMPONENTS = [
  "prometheus",
  "alertmanager",
  "grafana",
  "loki",
  "alloy",
  "nodeExporter",
  "cadvisor",
  "postgresExporter",
  "redisExporter",
  "blackboxExporter",
  "backup",
] as const;
export type ComponentKey = (typeof COMPONENTS)[number];

const COMPONENT_TITLES: Record<ComponentKey, string> = {
  prometheus: "Prometheus",
  alertmanager: "Alertmanager",
  grafana: "Grafana",
  loki: "Loki",
  alloy: "the Alloy log agent",
  nodeExporter: "node-exporter",
  cadvisor: "cAdvisor",
  postgresExporter: "postgres-exporter (integration postgres)",
  redisExporter: "redis-exporter (integration redis)",
  blackboxExporter: "blackbox-exporter (integration blackbox)",
  backup: "the backup job",
};

/** Pinned default images. */
export const DEFAULT_IMAGES: Record<ComponentKey, string> = {
  prometheus: "prom/prometheus:v3.13.3",
  alertmanager: "prom/alertmanager:v0.34.0",
  grafana: "grafana/grafana:13.2.0",
  loki: "grafana/loki:3.7.8",
  alloy: "grafana/alloy:v1.18.1",
  nodeExporter: "prom/node-exporter:v1.12.1",
  cadvisor: "ghcr.io/google/cadvisor:v0.60.6",
  postgresExporter: "prometheuscommunity/postgres-exporter:v0.20.1",
  redisExporter: "oliver006/redis_exporter:v1.91.1",
  blackboxExporter: "prom/blackbox-exporter:v0.29.1",
  backup: "amazon/aws-cli:2.37.12",
};

export interface Limits {
  /** CPU cores (Docker --cpus). */
  readonly cpus: number;
  /** Memory limit in MB (Docker's unit for `memory`). */
  readonly memoryMb: number;
}

/** From the source design's resource table: ~4.3 cores and ~4.2 GB for the core stack. */
export const DEFAULT_LIMITS: Record<ComponentKey, Limits> = {
  prometheus: { cpus: 2, memoryMb: 2048 },
  loki: { cpus: 1, memoryMb: 1024 },
  grafana: { cpus: 0.5, memoryMb: 512 },
  alertmanager: { cpus: 0.2, memoryMb: 256 },
  alloy: { cpus: 0.2, memoryMb: 128 },
  nodeExporter: { cpus: 0.1, memoryMb: 64 },
  cadvisor: { cpus: 0.3, memoryMb: 256 },
  postgresExporter: { cpus: 0.1, memoryMb: 64 },
  redisExporter: { cpus: 0.1, memoryMb: 64 },
  blackboxExporter: { cpus: 0.1, memoryMb: 64 },
  backup: { cpus: 0.25, memoryMb: 256 },
};

export const TARGETS = ["local", "ec2"] as const;
export type Target = (typeof TARGETS)[number];
export const RECEIVER_KINDS = ["slack", "email", "pagerduty", "webhook", "heartbeat"] as const;
export type ReceiverKind = (typeof RECEIVER_KINDS)[number];
export const INTEGRATION_KINDS = ["postgres", "redis", "rabbitmq", "blackbox"] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];

/** Secret settings (never in the typed schema: they have no default and are optional). */
export const SECRET_KEYS = {
  slackWebhookUrl: "Slack incoming-webhook URL (receiver slack)",
  pagerdutyRoutingKey: "PagerDuty Events v2 routing key (receiver pagerduty)",
  webhookUrl: "URL of a generic webhook that receives every alert (receiver webhook)",
  heartbeatUrl: "Dead man's switch URL that receives Watchdog every minute (receiver heartbeat)",
  smtpPassword: "SMTP password (receiver email with smtpUsername)",
  postgresDataSourceName: "postgresql://user:pass@host:5432/db?sslmode=... (integration postgres)",
  redisPassword: "Redis password, if Redis requires one (integration redis)",
  sshPrivateKey: "Private key for the ec2 host's readiness check; Docker over SSH always uses your ssh client (agent or ~/.ssh)",
} as const;
export type SecretKey = keyof typeof SECRET_KEYS;

type SimpleType = "string" | "integer" | "boolean" | "array";
export interface SettingSpec {
  readonly type: SimpleType;
  readonly default: string | number | boolean | readonly string[];
  readonly description: string;
}

/** The typed settings, in README order. Each is declared in Pulumi.yaml with this default. */
export const SETTINGS: Readonly<Record<string, SettingSpec>> = {
  target: { type: "string", default: "local", description: "Where the stack runs: local (a Docker host) or ec2 (an EC2 host this program creates)." },
  dockerHost: { type: "string", default: "", description: "Docker host for target local; empty means $DOCKER_HOST or unix:///var/run/docker.sock." },
  grafanaBindAddress: { type: "string", default: "", description: "Host address Grafana's port is published on; empty means 127.0.0.1 on local and 0.0.0.0 on ec2 (where the security group limits it)." },
  grafanaPort: { type: "integer", default: 3000, description: "Published Grafana port." },
  prometheusPort: { type: "integer", default: 9090, description: "Published Prometheus port (always on 127.0.0.1)." },
  alertmanagerPort: { type: "integer", default: 9093, description: "Published Alertmanager port (always on 127.0.0.1)." },
  lokiPort: { type: "integer", default: 3100, description: "Published Loki port (always on 127.0.0.1)." },
  grafanaAdminUser: { type: "string", default: "admin", description: "Grafana admin user; its password is generated and exported as a secret." },
  scrapeInterval: { type: "string", default: "15s", description: "Prometheus scrape interval." },
  evaluationInterval: { type: "string", default: "15s", description: "Prometheus rule evaluation interval." },
  prometheusRetentionTime: { type: "string", default: "30d", description: "How long Prometheus keeps samples." },
  prometheusRetentionSize: { type: "string", default: "50GB", description: "Most disk Prometheus's TSDB may use; oldest blocks go first." },
  lokiRetentionPeriod: { type: "string", default: "30d", description: "How long Loki keeps logs (a whole number of days)." },
  ...componentSettings(),
  networks: { type: "array", default: [], description: "Existing Docker networks Prometheus (and the integration exporters) join to reach application services by name." },
  receivers: { type: "array", default: [], description: `Alert receivers to enable: any of ${RECEIVER_KINDS.join(", ")}; each needs its secret.` },
  slackChannelCritical: { type: "string", default: "#alerts-critical", description: "Slack channel for critical alerts." },
  slackChannelWarning: { type: "string", default: "#alerts-warning", description: "Slack channel for warnings." },
  slackChannelInfo: { type: "string", default: "#alerts-info", description: "Slack channel for info alerts." },
  emailTo: { type: "string", default: "", description: "Recipient of alert email (receiver email)." },
  emailFrom: { type: "string", default: "", description: "Sender of alert email (receiver email)." },
  smtpSmarthost: { type: "string", default: "", description: "SMTP server host:port (receiver email)." },
  smtpUsername: { type: "string", default: "", description: "SMTP user; empty means no authentication." },
  smtpRequireTls: { type: "boolean", default: true, description: "Require STARTTLS to the SMTP server." },
  integrations: { type: "array", default: [], description: `Optional integrations: any of ${INTEGRATION_KINDS.join(", ")}.` },
  redisAddress: { type: "string", default: "", description: "Redis host:port (integration redis)." },
  rabbitmqTargets: { type: "array", default: [], description: "RabbitMQ Prometheus-plugin targets, host:15692 (integration rabbitmq)." },
  blackboxTargets: { type: "array", default: [], description: "URLs to probe over HTTP(S) (integration blackbox)." },
  runbookBaseUrl: { type: "string", default: COMMITTED_RUNBOOK_BASE, description: "Base URL of the runbooks; every alert links to <base>#<alertname>." },
  backupEnabled: { type: "boolean", default: true, description: "Run the backup job (Prometheus snapshot, Grafana and Alertmanager data)." },
  backupIntervalHours: { type: "integer", default: 6, description: "Hours between backups (1-7; BackupTooOld fires at 8h)." },
  backupRetentionDays: { type: "integer", default: 30, description: "Days backups are kept (S3 lifecycle on ec2, pruning on local)." },
  awsRegion: { type: "string", default: "us-east-1", description: "AWS region (target ec2)." },
  instanceType: { type: "string", default: "t3.xlarge", description: "EC2 instance type; 4 vCPU / 16 GiB: the default limits add up to 4.55 CPU / 4.4 GB with the backup job (ceilings, rarely all reached at once), leaving memory for the OS and page cache." },
  rootVolumeGb: { type: "integer", default: 100, description: "Encrypted gp3 root volume size in GB (Prometheus's retention size plus headroom)." },
  vpcId: { type: "string", default: "", description: "VPC for the host; empty means the default VPC." },
  subnetId: { type: "string", default: "", description: "Subnet for the host; empty lets AWS choose in the VPC." },
  sshPublicKey: { type: "string", default: "", description: "SSH public key installed on the host (required for ec2)." },
  grafanaAllowedCidrs: { type: "array", default: [], description: "CIDR blocks allowed to reach Grafana on ec2; empty means only through an SSH tunnel." },
  sshAllowedCidrs: { type: "array", default: [], description: "CIDR blocks allowed to SSH to the host (required for ec2: the Docker API is reached over SSH)." },
  protectBuckets: { type: "boolean", default: true, description: "Protect the S3 buckets from deletion by pulumi destroy." },
};

function componentSettings(): Record<string, SettingSpec> {
  const out: Record<string, SettingSpec> = {};
  for (const c of COMPONENTS) {
    out[`${c}Image`] = { type: "string", default: DEFAULT_IMAGES[c], description: `Image of ${COMPONENT_TITLES[c]}, pinned to an exact tag.` };
  }
  for (const c of COMPONENTS) {
    out[`${c}MilliCpus`] = { type: "integer", default: Math.round(DEFAULT_LIMITS[c].cpus * 1000), description: `CPU limit of ${COMPONENT_TITLES[c]} in thousandths of a core.` };
    out[`${c}MemoryMb`] = { type: "integer", default: DEFAULT_LIMITS[c].memoryMb, description: `Memory limit of ${COMPONENT_TITLES[c]} in MB.` };
  }
  return out;
}

/** Structured settings Pulumi's schema cannot type (lists of objects); documented in README. */
export const STRUCTURED_SETTINGS = {
  services: "Application services to scrape: a list of {name, targets, metricsPath?, scheme?, labels?}.",
  kpis: "Business KPI panels: a list of {title, expr, unit?, thresholds?}.",
} as const;

export interface SlackSettings {
  readonly webhookUrl: pulumi.Output<string>;
  readonly channels: { readonly critical: string; readonly warning: string; readonly info: string };
}
export interface EmailSettings {
  readonly to: string;
  readonly from: string;
  readonly smarthost: string;
  readonly username?: string;
  readonly password?: pulumi.Output<string>;
  readonly requireTls: boolean;
}
export interface ReceiverSettings {
  readonly slack?: SlackSettings;
  readonly email?: EmailSettings;
  readonly pagerduty?: { readonly routingKey: pulumi.Output<string> };
  readonly webhook?: { readonly url: pulumi.Output<string> };
  readonly heartbeat?: { readonly url: pulumi.Output<string> };
}

export interface IntegrationSettings {
  readonly postgres?: { readonly dataSourceName: pulumi.Output<string> };
  readonly redis?: { readonly address: string; readonly password?: pulumi.Output<string> };
  readonly rabbitmq?: { readonly targets: readonly string[] };
  readonly blackbox?: { readonly httpTargets: readonly string[] };
}

export interface AwsSettings {
  readonly region: string;
  readonly instanceType: string;
  readonly rootVolumeGb: number;
  readonly vpcId?: string;
  readonly subnetId?: string;
  readonly sshPublicKey: string;
  readonly sshUser: string;
  /** Optional; without it the SSH agent is used. */
  readonly sshPrivateKey?: pulumi.Output<string>;
  readonly sshAgentSocket?: string;
  readonly grafanaAllowedCidrs: readonly string[];
  readonly sshAllowedCidrs: readonly string[];
  readonly protectBuckets: boolean;
}

export interface StackSettings {
  readonly stack: string;
  readonly target: Target;
  readonly dockerHost: string;
  readonly grafanaBindAddress: string;
  readonly ports: { readonly grafana: number; readonly prometheus: number; readonly alertmanager: number; readonly loki: number };
  readonly images: Readonly<Record<ComponentKey, string>>;
  readonly limits: Readonly<Record<ComponentKey, Limits>>;
  readonly prometheus: {
    readonly scrapeInterval: string;
    readonly evaluationInterval: string;
    readonly retentionTime: string;
    readonly retentionSize: string;
  };
  readonly loki: { readonly retentionPeriod: string };
  readonly grafana: { readonly adminUser: string };
  readonly backup: { readonly enabled: boolean; readonly intervalHours: number; readonly retentionDays: number };
  readonly services: readonly ServiceSettings[];
  readonly kpis: readonly KpiSettings[];
  readonly networks: readonly string[];
  readonly receivers: ReceiverSettings;
  readonly integrations: IntegrationSettings;
  readonly runbookBaseUrl: string;
  readonly aws?: AwsSettings;
}

/** What settings.ts needs from pulumi.Config; tests may hand in pulumi.Config over setAllConfig. */
export interface ConfigSource {
  get(key: string): string | undefined;
  getSecret(key: string): pulumi.Output<string> | undefined;
}

export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid stack settings (${problems.length}):\n` +
        problems.map((p) => `  - ${p}`).join("\n") +
        `\nFix with \`pulumi config set ${PROJECT}:<key> <value>\` (lists and objects: edit the stack file or use --path).`,
    );
    this.name = "SettingsError";
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads typed values and collects problems with the key they belong to, so one run reports them all. */
class Reader {
  readonly problems: string[] = [];
  private readonly known = new Set<string>();
  constructor(private readonly cfg: ConfigSource) {}

  fail(key: string, message: string): void {
    this.problems.push(`${PROJECT}:${key}: ${message}`);
  }

  isSet(key: string): boolean {
    return this.cfg.get(key) !== undefined;
  }

  private parsed(key: string): unknown {
    const text = this.cfg.get(key);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }

  /** A declared setting, type-checked against SETTINGS, then by `check`. */
  value<T extends string | number | boolean | readonly string[]>(key: string, check?: (v: T) => Problem): T {
    const spec = SETTINGS[key];
    if (!spec) throw new Error(`setting ${key} is not declared in SETTINGS`);
    this.known.add(key);
    const raw = spec.type === "string" ? this.cfg.get(key) : this.parsed(key);
    if (raw === undefined) return spec.default as T;
    const typeProblem = typeCheck(spec.type, raw);
    if (typeProblem) {
      this.fail(key, typeProblem);
      return spec.default as T;
    }
    const problem = check?.(raw as T);
    if (problem) {
      this.fail(key, problem);
      return spec.default as T;
    }
    return raw as T;
  }

  structured(key: keyof typeof STRUCTURED_SETTINGS): unknown {
    return this.parsed(key);
  }

  secret(key: SecretKey): pulumi.Output<string> | undefined {
    return this.cfg.getSecret(key);
  }
}

function typeCheck(type: SimpleType, v: unknown): Problem {
  switch (type) {
    case "string":
      return typeof v === "string" ? undefined : `${show(v)} is not accepted; use a string`;
    case "integer":
      return typeof v === "number" && Number.isInteger(v) ? undefined : `${show(v)} is not accepted; use a whole number`;
    case "boolean":
      return typeof v === "boolean" ? undefined : `${show(v)} is not accepted; use true or false`;
    case "array":
      return Array.isArray(v) && v.every((x) => typeof x === "string")
        ? undefined
        : `${show(v)} is not accepted; use a list of strings`;
  }
}

function each(check: (v: unknown) => Problem): (v: readonly string[]) => Problem {
  return (list) => {
    for (const x of list) {
      const p = check(x);
      if (p) return p;
    }
    return undefined;
  };
}

function oneOf(accepted: readonly string[]): (v: unknown) => Problem {
  return (v) => (typeof v === "string" && accepted.includes(v) ? undefined : `${show(v)} is not accepted; use one of ${accepted.join(", ")}`);
}

function range(min: number, max: number, unit: string): (v: number) => Problem {
  return (v) => (v >= min && v <= max ? undefined : `${show(v)} is not accepted; use a whole number of ${unit} from ${min} to ${max}`);
}

function unique(list: readonly string[]): Problem {
  const dup = list.find((x, i) => list.indexOf(x) !== i);
  return dup === undefined ? undefined : `${show(dup)} is listed twice`;
}

export function loadSettings(cfg: ConfigSource, stack: string, env: NodeJS.ProcessEnv = process.env): StackSettings {
  const r = new Reader(cfg);

  const target = r.value<string>("target", oneOf(TARGETS)) as Target;
  const dockerHost =
    r.value<string>("dockerHost", (v) =>
      v === "" || /^(unix|tcp|ssh|npipe):\/\/./.test(v)
        ? undefined
        : `${show(v)} is not a Docker host; use unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host`,
    ) ||
    env.DOCKER_HOST ||
    "unix:///var/run/docker.sock";
  if (target === "ec2" && r.isSet("dockerHost")) {
    r.fail("dockerHost", "is only used with target local; on ec2 the program reaches Docker on the host it creates over SSH");
  }
  const grafanaBindAddress =
    r.value<string>("grafanaBindAddress", (v) => (v === "" ? undefined : checkIPv4(v))) || (target === "ec2" ? "0.0.0.0" : "127.0.0.1");

  const ports = {
    grafana: r.value<number>("grafanaPort", checkPort),
    prometheus: r.value<number>("prometheusPort", checkPort),
    alertmanager: r.value<number>("alertmanagerPort", checkPort),
    loki: r.value<number>("lokiPort", checkPort),
  };
  const seen = new Map<number, string>();
  for (const [k, p] of Object.entries(ports)) {
    const other = seen.get(p);
    if (other) r.fail(`${k}Port`, `${p} is already used by ${other}Port; every published port must be different`);
    seen.set(p, k);
  }

  const images = {} as Record<ComponentKey, string>;
  const limits = {} as Record<ComponentKey, Limits>;
  for (const c of COMPONENTS) {
    images[c] = r.value<string>(`${c}Image`, checkPinnedImage);
    limits[c] = {
      cpus: r.value<number>(`${c}MilliCpus`, range(10, 64000, "thousandths of a core")) / 1000,
      memoryMb: r.value<number>(`${c}MemoryMb`, range(6, 262144, "MB")),
    };
  }

  const prometheus = {
    scrapeInterval: r.value<string>("scrapeInterval", checkDuration),
    evaluationInterval: r.value<string>("evaluationInterval", checkDuration),
    retentionTime: r.value<string>("prometheusRetentionTime", checkDuration),
    retentionSize: r.value<string>("prometheusRetentionSize", checkSize),
  };
  const loki = {
    retentionPeriod: r.value<string>("lokiRetentionPeriod", (v) =>
      /^[1-9]\d*d$/.test(v) || (/^[1-9]\d*h$/.test(v) && parseInt(v, 10) % 24 === 0)
        ? undefined
        : `${show(v)} is not accepted; Loki retention must be a whole number of days (its index period is 24h), e.g. 30d or 720h`,
    ),
  };
  const grafana = {
    adminUser: r.value<string>("grafanaAdminUser", (v) =>
      /^[A-Za-z0-9_.@-]{1,64}$/.test(v) ? undefined : `${show(v)} is not accepted; use 1-64 letters, digits, ".", "_", "@" or "-"`,
    ),
  };
  const backup = {
    enabled: r.value<boolean>("backupEnabled"),
    intervalHours: r.value<number>("backupIntervalHours", range(1, 7, "hours")),
    retentionDays: r.value<number>("backupRetentionDays", range(1, 3650, "days")),
  };

  const networks = r.value<readonly string[]>("networks", (v) => each(checkName)(v) ?? unique(v));
  const receivers = readReceivers(r);
  const integrations = readIntegrations(r);
  const runbookBaseUrl = r.value<string>("runbookBaseUrl", (v) => checkUrl(v));
  const services = readServices(r);
  const kpis = readKpis(r);
  const aws = readAws(r, target, env);

  if (r.problems.length > 0) throw new SettingsError(r.problems);
  return {
    stack,
    target,
    dockerHost,
    grafanaBindAddress,
    ports,
    images,
    limits,
    prometheus,
    loki,
    grafana,
    backup,
    services,
    kpis,
    networks,
    receivers,
    integrations,
    runbookBaseUrl,
    aws,
  };
}

/** Job names of the stack's own scrape jobs; a service may not take one. */
const RESERVED_JOBS = [
  "prometheus",
  "alertmanager",
  "grafana",
  "loki",
  "log-agent",
  "node-exporter",
  "cadvisor",
  "postgres-exporter",
  "redis-exporter",
  "rabbitmq",
  "blackbox",
];

function readServices(r: Reader): ServiceSettings[] {
  const v = r.structured("services");
  if (v === undefined) return [];
  const shape = "a list of {name, targets, metricsPath?, scheme?, labels?}";
  if (!Array.isArray(v)) {
    r.fail("services", `${show(v)} is not accepted; use ${shape}`);
    return [];
  }
  const out: ServiceSettings[] = [];
  const names = new Set<string>();
  v.forEach((s: unknown, i) => {
    const key = `services[${i}]`;
    if (!isRecord(s)) {
      r.fail(key, `${show(s)} is not accepted; use an object {name, targets, metricsPath?, scheme?, labels?}`);
      return;
    }
    const allowed = ["name", "targets", "metricsPath", "scheme", "labels"];
    for (const k of Object.keys(s)) if (!allowed.includes(k)) r.fail(`${key}.${k}`, `unknown key; accepted keys are ${allowed.join(", ")}`);
    const name = s.name;
    const nameProblem = checkName(name);
    if (nameProblem) r.fail(`${key}.name`, nameProblem);
    else if (RESERVED_JOBS.includes(name as string)) {
      r.fail(`${key}.name`, `${show(name)} is the job of a stack component; choose another (reserved: ${RESERVED_JOBS.join(", ")})`);
    } else if (names.has(name as string)) r.fail(`${key}.name`, `${show(name)} is used by two services; names must be unique`);
    names.add(name as string);
    const targets = s.targets;
    if (!Array.isArray(targets) || targets.length === 0) {
      r.fail(`${key}.targets`, `${show(targets)} is not accepted; a service needs a non-empty list of host:port targets`);
    } else {
      const p = each(checkHostPort)(targets);
      if (p) r.fail(`${key}.targets`, p);
    }
    const metricsPath = s.metricsPath ?? "/metrics";
    if (typeof metricsPath !== "string" || !/^\/\S*$/.test(metricsPath)) {
      r.fail(`${key}.metricsPath`, `${show(metricsPath)} is not accepted; use an absolute path such as /metrics`);
    }
    const scheme = s.scheme ?? "http";
    if (scheme !== "http" && scheme !== "https") r.fail(`${key}.scheme`, `${show(scheme)} is not accepted; use http or https`);
    const labels = s.labels ?? {};
    if (!isRecord(labels)) {
      r.fail(`${key}.labels`, `${show(labels)} is not accepted; use a mapping of label name to string value`);
    } else {
      for (const [ln, lv] of Object.entries(labels)) {
        if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(ln) || ln.startsWith("__")) {
          r.fail(`${key}.labels.${ln}`, "is not a label name; use [a-zA-Z_][a-zA-Z0-9_]* not starting with __");
        } else if (["job", "instance", "service", "tier"].includes(ln)) {
          r.fail(`${key}.labels.${ln}`, "is set by the stack (job, instance, service, tier); choose another label name");
        } else if (typeof lv !== "string") r.fail(`${key}.labels.${ln}`, `${show(lv)} is not accepted; use a string`);
      }
    }
    out.push({
      name: name as string,
      targets: Array.isArray(targets) ? (targets as string[]) : [],
      metricsPath: metricsPath as string,
      scheme: scheme as "http" | "https",
      labels: isRecord(labels) ? (labels as Record<string, string>) : {},
    });
  });
  return out;
}

function readKpis(r: Reader): KpiSettings[] {
  const v = r.structured("kpis");
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    r.fail("kpis", `${show(v)} is not accepted; use a list of {title, expr, unit?, thresholds?}`);
    return [];
  }
  const out: KpiSettings[] = [];
  v.forEach((k: unknown, i) => {
    const key = `kpis[${i}]`;
    if (!isRecord(k)) {
      r.fail(key, `${show(k)} is not accepted; use an object {title, expr, unit?, thresholds?}`);
      return;
    }
    const allowed = ["title", "expr", "unit", "thresholds"];
    for (const f of Object.keys(k)) if (!allowed.includes(f)) r.fail(`${key}.${f}`, `unknown key; accepted keys are ${allowed.join(", ")}`);
    if (typeof k.title !== "string" || k.title.trim() === "") r.fail(`${key}.title`, `${show(k.title)} is not accepted; use a non-empty title`);
    if (typeof k.expr !== "string" || k.expr.trim() === "") r.fail(`${key}.expr`, `${show(k.expr)} is not accepted; use a PromQL expression`);
    const unit = k.unit ?? "short";
    if (typeof unit !== "string" || !/^[A-Za-z0-9:_./-]+$/.test(unit)) r.fail(`${key}.unit`, `${show(unit)} is not accepted; use a Grafana unit id such as short, percentunit, currencyUSD`);
    const thresholds = k.thresholds ?? [];
    const okThresholds =
      Array.isArray(thresholds) &&
      thresholds.every((t) => isRecord(t) && typeof t.value === "number" && typeof t.color === "string") &&
      thresholds.every((t, j) => j === 0 || (t as { value: number }).value > (thresholds[j - 1] as { value: number }).value);
    if (!okThresholds) r.fail(`${key}.thresholds`, `${show(thresholds)} is not accepted; use an ascending list of {value: number, color: string}`);
    out.push({
      title: String(k.title),
      expr: String(k.expr),
      unit: String(unit),
      thresholds: okThresholds ? (thresholds as { value: number; color: string }[]) : [],
    });
  });
  return out;
}

function readReceivers(r: Reader): ReceiverSettings {
  const kinds = r.value<readonly string[]>("receivers", (v) => each(oneOf(RECEIVER_KINDS))(v) ?? unique(v)) as readonly ReceiverKind[];
  const secretOf: Record<ReceiverKind, SecretKey> = {
    slack: "slackWebhookUrl",
    pagerduty: "pagerdutyRoutingKey",
    webhook: "webhookUrl",
    heartbeat: "heartbeatUrl",
    email: "smtpPassword",
  };
  const needSecret = (kind: ReceiverKind): pulumi.Output<string> | undefined => {
    const s = r.secret(secretOf[kind]);
    if (s === undefined) {
      r.fail(
        "receivers",
        `${kind} is enabled but its credential is missing; set it with \`pulumi config set --secret ${PROJECT}:${secretOf[kind]} <value>\``,
      );
    }
    return s;
  };
  for (const kind of RECEIVER_KINDS) {
    if (!kinds.includes(kind) && r.secret(secretOf[kind]) !== undefined) {
      r.fail(secretOf[kind], `is set but receiver ${kind} is not enabled; add ${kind} to receivers or remove the secret`);
    }
  }
  const channel = (key: string) =>
    r.value<string>(key, (v) => (/^[#@][a-z0-9_.-]{1,80}$/.test(v) ? undefined : `${show(v)} is not accepted; use a channel such as #alerts-critical`));
  const channels = { critical: channel("slackChannelCritical"), warning: channel("slackChannelWarning"), info: channel("slackChannelInfo") };

  const out: { -readonly [K in keyof ReceiverSettings]: ReceiverSettings[K] } = {};
  for (const kind of ["slack", "pagerduty", "webhook", "heartbeat"] as const) {
    if (!kinds.includes(kind)) continue;
    const secret = needSecret(kind);
    if (!secret) continue;
    if (kind === "slack") out.slack = { webhookUrl: secret, channels };
    else if (kind === "pagerduty") out.pagerduty = { routingKey: secret };
    else if (kind === "webhook") out.webhook = { url: secret };
    else out.heartbeat = { url: secret };
  }

  const emailOn = kinds.includes("email");
  const required = (key: string, check: (v: string) => Problem): string =>
    r.value<string>(key, (v) => (v === "" ? (emailOn ? "is required by receiver email" : undefined) : check(v)));
  const to = required("emailTo", checkEmail);
  const from = required("emailFrom", checkEmail);
  const smarthost = required("smtpSmarthost", checkHostPort);
  const username = r.value<string>("smtpUsername");
  const requireTls = r.value<boolean>("smtpRequireTls");
  if (emailOn) {
    for (const [key, v] of [["emailTo", to], ["emailFrom", from], ["smtpSmarthost", smarthost]] as const) {
      if (v === "" && !r.isSet(key)) r.fail(key, `is missing; receiver email needs emailTo, emailFrom and smtpSmarthost`);
    }
    const password = r.secret("smtpPassword");
    if (username !== "" && password === undefined) {
      r.fail("smtpUsername", `is set but the SMTP password is missing; set it with \`pulumi config set --secret ${PROJECT}:smtpPassword <value>\``);
    }
    if (username === "" && password !== undefined) r.fail("smtpPassword", "is set but smtpUsername is empty; set the user or remove the password");
    out.email = { to, from, smarthost, username: username || undefined, password, requireTls };
  }
  return out;
}

function readIntegrations(r: Reader): IntegrationSettings {
  const kinds = r.value<readonly string[]>("integrations", (v) => each(oneOf(INTEGRATION_KINDS))(v) ?? unique(v)) as readonly IntegrationKind[];
  const on = (k: IntegrationKind) => kinds.includes(k);
  const out: { -readonly [K in keyof IntegrationSettings]: IntegrationSettings[K] } = {};

  const dsn = r.secret("postgresDataSourceName");
  if (on("postgres")) {
    if (!dsn) {
      r.fail(
        "integrations",
        `postgres is enabled but its connection string is missing; set it with \`pulumi config set --secret ${PROJECT}:postgresDataSourceName postgresql://user:pass@host:5432/db?sslmode=require\``,
      );
    } else out.postgres = { dataSourceName: dsn };
  } else if (dsn) r.fail("postgresDataSourceName", "is set but integration postgres is not enabled; add postgres to integrations or remove the secret");

  const address = r.value<string>("redisAddress", (v) => (v === "" ? undefined : checkHostPort(v)));
  const redisPassword = r.secret("redisPassword");
  if (on("redis")) {
    if (address === "") r.fail("redisAddress", "is missing; integration redis needs the Redis host:port, e.g. redis:6379");
    else out.redis = { address, password: redisPassword };
  } else {
    if (r.isSet("redisAddress")) r.fail("redisAddress", "is set but integration redis is not enabled; add redis to integrations");
    if (redisPassword) r.fail("redisPassword", "is set but integration redis is not enabled; add redis to integrations or remove the secret");
  }

  const rabbit = r.value<readonly string[]>("rabbitmqTargets", each(checkHostPort));
  if (on("rabbitmq")) {
    if (rabbit.length === 0) r.fail("rabbitmqTargets", "is empty; integration rabbitmq needs the broker's Prometheus endpoints, e.g. [rabbitmq:15692]");
    else out.rabbitmq = { targets: rabbit };
  } else if (rabbit.length > 0) r.fail("rabbitmqTargets", "is set but integration rabbitmq is not enabled; add rabbitmq to integrations");

  const probes = r.value<readonly string[]>("blackboxTargets", each((v) => checkUrl(v)));
  if (on("blackbox")) {
    if (probes.length === 0) r.fail("blackboxTargets", "is empty; integration blackbox needs the http(s) URLs to probe");
    else out.blackbox = { httpTargets: probes };
  } else if (probes.length > 0) r.fail("blackboxTargets", "is set but integration blackbox is not enabled; add blackbox to integrations");
  return out;
}

const AWS_KEYS = [
  "awsRegion",
  "instanceType",
  "rootVolumeGb",
  "vpcId",
  "subnetId",
  "sshPublicKey",
  "grafanaAllowedCidrs",
  "sshAllowedCidrs",
  "protectBuckets",
];

function readAws(r: Reader, target: Target, env: NodeJS.ProcessEnv): AwsSettings | undefined {
  const region = r.value<string>("awsRegion", (v) => (/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(v) ? undefined : `${show(v)} is not an AWS region; use e.g. us-east-1 or eu-west-1`));
  const instanceType = r.value<string>("instanceType", (v) => (/^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(v) ? undefined : `${show(v)} is not an EC2 instance type; use e.g. t3.xlarge`));
  const rootVolumeGb = r.value<number>("rootVolumeGb", range(30, 16384, "GB"));
  const vpcId = r.value<string>("vpcId", (v) => (v === "" || /^vpc-[0-9a-f]{8,17}$/.test(v) ? undefined : `${show(v)} is not a VPC id; use vpc-0123456789abcdef0`));
  const subnetId = r.value<string>("subnetId", (v) => (v === "" || /^subnet-[0-9a-f]{8,17}$/.test(v) ? undefined : `${show(v)} is not a subnet id; use subnet-0123456789abcdef0`));
  const sshPublicKey = r.value<string>("sshPublicKey", (v) =>
    v === "" || /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+( .*)?$/.test(v.trim())
      ? undefined
      : `${show(v)} is not an SSH public key; use the one line from ~/.ssh/id_ed25519.pub`,
  );
  // Amazon Linux 2023 installs the key pair for this user only.
  const sshUser = "ec2-user";
  const grafanaAllowedCidrs = r.value<readonly string[]>("grafanaAllowedCidrs", each(checkCidr));
  const sshAllowedCidrs = r.value<readonly string[]>("sshAllowedCidrs", (v) =>
    each(checkCidr)(v) ??
    (v.includes("0.0.0.0/0") ? `"0.0.0.0/0" is not accepted: the Docker API is reached over SSH, so allow only your own addresses` : undefined),
  );
  const protectBuckets = r.value<boolean>("protectBuckets");
  const sshPrivateKey = r.secret("sshPrivateKey");

  if (target !== "ec2") {
    const stray = AWS_KEYS.filter((k) => r.isSet(k));
    if (stray.length > 0) r.fail(stray[0], `is only used with target ec2 (this stack's target is ${target}); remove ${stray.join(", ")} or set target to ec2`);
    return undefined;
  }
  if (sshPublicKey === "") r.fail("sshPublicKey", "is missing; target ec2 needs your SSH public key (the line from ~/.ssh/id_ed25519.pub)");
  if (sshAllowedCidrs.length === 0 && !r.problems.some((p) => p.includes(":sshAllowedCidrs:"))) {
    r.fail("sshAllowedCidrs", "is empty; target ec2 reaches Docker on the host over SSH, so allow at least your own address (e.g. [203.0.113.7/32])");
  }
  if (subnetId !== "" && vpcId === "") r.fail("subnetId", "is set without vpcId; set both (the security group lives in the VPC)");
  if (sshPrivateKey === undefined && !env.SSH_AUTH_SOCK) {
    // Not fatal for preview: the key may be in an agent by the time `up` runs. Pulumi warns.
    pulumi.log.warn(`${PROJECT}: neither sshPrivateKey nor SSH_AUTH_SOCK is set; 'pulumi up' needs your key in an SSH agent or ~/.ssh to reach the ec2 host`);
  }
  return {
    region,
    instanceType,
    rootVolumeGb,
    vpcId: vpcId || undefined,
    subnetId: subnetId || undefined,
    sshPublicKey: sshPublicKey.trim(),
    sshUser,
    sshPrivateKey,
    sshAgentSocket: env.SSH_AUTH_SOCK,
    grafanaAllowedCidrs,
    sshAllowedCidrs,
    protectBuckets,
  };
}
