// The settings table: every key a stack file may set, with its type, default and description.
// Settings are flat keys of simple types because that is what Pulumi.yaml's `config:` schema
// can declare (string, integer, boolean, array of those); `npm run docs` writes this table into
// Pulumi.yaml and the README, and a test keeps them in step.
import { CatalogEntry } from "../../catalog/containers";
import { ALL_CONTAINERS, ContainerKey, INTEGRATION_NAMES, INTEGRATION_SECRETS, integrationSettings } from "../../integrations";
import { SettingSpec } from "../../catalog/setting-spec";
import { COMMITTED_RUNBOOK_BASE } from "../../configs/rules";
import { backup as backupAlerts } from "../../configs/thresholds";

export const PROJECT = "observability-stack";

export const TARGETS = ["local", "ec2"] as const;
export type Target = (typeof TARGETS)[number];
export const RECEIVER_KINDS = ["slack", "email", "pagerduty", "webhook", "heartbeat"] as const;
export type ReceiverKind = (typeof RECEIVER_KINDS)[number];

/** Secret settings (never in the typed schema: they have no default and are optional). */
export const SECRET_KEYS = {
  slackWebhookUrl: "Slack incoming-webhook URL (receiver slack)",
  pagerdutyRoutingKey: "PagerDuty Events v2 routing key (receiver pagerduty)",
  webhookUrl: "URL of a generic webhook that receives every alert (receiver webhook)",
  heartbeatUrl: "Dead man's switch URL that receives Watchdog every minute (receiver heartbeat)",
  smtpPassword: "SMTP password (receiver email with smtpUsername)",
  ...Object.fromEntries(Object.entries(INTEGRATION_SECRETS).map(([k, s]) => [k, s.description])),
  sshPrivateKey:
    "Private key (unencrypted OpenSSH or PEM) for the ec2 host's readiness check; Docker over SSH always uses your ssh client (agent or ~/.ssh)",
  remoteWritePassword: "Basic-auth password for remoteWrite (an https URL, with remoteWriteUsername); delivered to Prometheus as a file",
  remoteWriteBearerToken: "Bearer token for remoteWrite (an https URL, without remoteWriteUsername); delivered to Prometheus as a file",
} as const;
export type SecretKey = keyof typeof SECRET_KEYS;

/** Age of the newest backup at which BackupTooOld fires, in hours. */
const BACKUP_TOO_OLD_HOURS = backupAlerts.BackupTooOld.secondsSinceSuccess / 3600;
/** Backups must run at least an hour more often than BackupTooOld's threshold, or it fires between two good runs. */
export const MAX_BACKUP_INTERVAL_HOURS = BACKUP_TOO_OLD_HOURS - 1;

export type { SettingSpec, SimpleType } from "../../catalog/setting-spec";

/** The typed settings, in README order. Each is declared in Pulumi.yaml with this default. */
export const SETTINGS = {
  target: {
    type: "string",
    default: "local",
    description: "Where the stack runs: local (a Docker host) or ec2 (an EC2 host this program creates).",
  },
  dockerHost: {
    type: "string",
    default: "",
    description: "Docker host for target local; empty means $DOCKER_HOST or unix:///var/run/docker.sock.",
  },
  grafanaBindAddress: {
    type: "string",
    default: "",
    description:
      "Host address Grafana's port is published on (target local); empty means 127.0.0.1. On ec2 Grafana is always on the host's loopback: reach it through grafanaDomain or the SSH tunnel.",
  },
  grafanaPort: {
    type: "integer",
    default: 3000,
    description: "Published Grafana port (on ec2 on the host's loopback, forwarded by sshTunnelCommand).",
  },
  grafanaDomain: {
    type: "string",
    default: "",
    description:
      "Public DNS name of Grafana (no scheme): a Caddy proxy gets a certificate for it from an ACME CA and serves Grafana over HTTPS on 443 (80 only redirects). Empty: no proxy; on ec2 Grafana is reached through the SSH tunnel.",
  },
  acmeEmail: { type: "string", default: "", description: "Contact e-mail of the ACME account (expiry warnings); with grafanaDomain." },
  acmeCa: {
    type: "string",
    default: "",
    description:
      "ACME directory URL; empty means Let's Encrypt (https://acme-staging-v02.api.letsencrypt.org/directory for its staging CA); with grafanaDomain.",
  },
  proxyBindAddress: {
    type: "string",
    default: "",
    description:
      "Host address the TLS proxy publishes 80 and 443 on (target local with grafanaDomain; required there: e.g. the LAN address Grafana's users reach; 0.0.0.0 only with allowWideIngress). On ec2 the security group fences the proxy instead.",
  },
  route53ZoneId: {
    type: "string",
    default: "",
    description:
      "Route 53 hosted zone in which the program creates grafanaDomain's A record (the Elastic IP); target ec2 with grafanaDomain. Empty: create the record yourself.",
  },
  prometheusPort: { type: "integer", default: 9090, description: "Published Prometheus port (always on 127.0.0.1)." },
  alertmanagerPort: { type: "integer", default: 9093, description: "Published Alertmanager port (always on 127.0.0.1)." },
  lokiPort: { type: "integer", default: 3100, description: "Published Loki port (always on 127.0.0.1)." },
  grafanaAdminUser: {
    type: "string",
    default: "admin",
    description: "Grafana admin user; its password is generated and exported as a secret.",
  },
  scrapeInterval: { type: "string", default: "15s", description: "Prometheus scrape interval." },
  evaluationInterval: { type: "string", default: "15s", description: "Prometheus rule evaluation interval." },
  prometheusRetentionTime: { type: "string", default: "30d", description: "How long Prometheus keeps samples." },
  prometheusRetentionSize: { type: "string", default: "50GB", description: "Most disk Prometheus's TSDB may use; oldest blocks go first." },
  lokiRetentionPeriod: { type: "string", default: "30d", description: "How long Loki keeps logs (a whole number of days)." },
  ...componentSettings(),
  trustedRegistries: {
    type: "array",
    default: [],
    description:
      "Registry hosts (e.g. registry.example.com) the images of privileged containers (Docker socket, instance role, added capabilities) may come from besides their default repository; an image pinned by digest is accepted from anywhere.",
  },
  networks: {
    type: "array",
    default: [],
    description: "Existing Docker networks Prometheus (and the integration exporters) join to reach application services by name.",
  },
  receivers: {
    type: "array",
    default: [],
    description: `Alert receivers to enable: any of ${RECEIVER_KINDS.join(", ")}; each needs its secret.`,
  },
  slackChannelCritical: { type: "string", default: "#alerts-critical", description: "Slack channel for critical alerts." },
  slackChannelWarning: { type: "string", default: "#alerts-warning", description: "Slack channel for warnings." },
  slackChannelInfo: { type: "string", default: "#alerts-info", description: "Slack channel for info alerts." },
  emailTo: { type: "string", default: "", description: "Recipient of alert email (receiver email)." },
  emailFrom: { type: "string", default: "", description: "Sender of alert email (receiver email)." },
  smtpSmarthost: { type: "string", default: "", description: "SMTP server host:port (receiver email)." },
  smtpUsername: { type: "string", default: "", description: "SMTP user; empty means no authentication." },
  smtpRequireTls: { type: "boolean", default: true, description: "Require STARTTLS to the SMTP server." },
  smtpAllowPlainAuth: {
    type: "boolean",
    default: false,
    description:
      "Allow smtpUsername/smtpPassword over a connection without TLS (smtpRequireTls false, not port 465): the password then crosses the network in clear. Off: refused.",
  },
  integrations: { type: "array", default: [], description: `Optional integrations: any of ${INTEGRATION_NAMES.join(", ")}.` },
  ...integrationSettings(),
  remoteWrite: {
    type: "string",
    default: "",
    description:
      "Also write every sample to a long-term store: amp (an Amazon Managed Service for Prometheus workspace this program creates; target ec2) or the https URL of a remote-write receiver (Mimir, Thanos Receive, VictoriaMetrics, Cortex). Empty: off.",
  },
  remoteWriteUsername: {
    type: "string",
    default: "",
    description: "Basic-auth user for a remoteWrite URL (password in the secret remoteWritePassword).",
  },
  remoteWriteExpectedSeries: {
    type: "integer",
    default: 200000,
    description: "Active series the remote-write queue is sized for (shards and capacity; see docs/scale.md).",
  },
  runbookBaseUrl: {
    type: "string",
    default: COMMITTED_RUNBOOK_BASE,
    description: "Base URL of the runbooks; every alert links to <base>#<alertname>.",
  },
  backupEnabled: {
    type: "boolean",
    default: true,
    description: "Run the backup job (Prometheus snapshot, Grafana and Alertmanager data).",
  },
  backupIntervalHours: {
    type: "integer",
    default: 6,
    description: `Hours between backups (1-${MAX_BACKUP_INTERVAL_HOURS}; BackupTooOld fires at ${BACKUP_TOO_OLD_HOURS}h).`,
  },
  backupRetentionDays: {
    type: "integer",
    default: 30,
    description: "Days a backup's manifest is kept (the newest is always kept); a Prometheus block goes when no kept manifest names it.",
  },
  restoreFrom: {
    type: "string",
    default: "",
    description:
      "Restore on this `up`, before Prometheus, Grafana and Alertmanager start: `latest` or a backup stamp (e.g. 20261202T050000Z); empty: no restore. See Disaster recovery.",
  },
  restoreOverwrite: {
    type: "boolean",
    default: false,
    description:
      "Let restoreFrom replace data volumes that are not empty (otherwise the restore refuses and the `up` fails); needs restoreId.",
  },
  restoreId: {
    type: "string",
    default: "",
    description:
      "Names this restore (e.g. 2026-12-07-host-lost; required with restoreOverwrite). A restore that succeeds writes it into each volume, and a later `up` that re-creates the restore container with the same id leaves the volumes alone.",
  },
  awsRegion: { type: "string", default: "us-east-1", description: "AWS region (target ec2)." },
  instanceType: {
    type: "string",
    default: "t3.xlarge",
    description:
      "EC2 instance type, x86_64: a size of t3, t3a, m5(a), m6i/a, m7i/a, c5(a), c6i/a, c7i/a, r5(a), r6i/a or r7i/a; the running containers' memory limits must fit its memory less 1 GB for the host. Default 4 vCPU / 16 GiB: the default limits add up to 4.55 CPU / 4.4 GB with the backup job (ceilings, rarely all reached at once), leaving memory for the OS and page cache.",
  },
  rootVolumeGb: {
    type: "integer",
    default: 120,
    description:
      "Encrypted gp3 root volume size in GB: Prometheus's retention size, as much again for the daily restore check's scratch copy when backups are on, and 20 GB of headroom.",
  },
  vpcId: { type: "string", default: "", description: "VPC for the host; empty means the default VPC." },
  subnetId: { type: "string", default: "", description: "Subnet for the host; empty lets AWS choose in the VPC." },
  sshPublicKey: { type: "string", default: "", description: "SSH public key installed on the host (required for ec2)." },
  grafanaAllowedCidrs: {
    type: "array",
    default: [],
    description:
      "CIDR blocks allowed to reach Grafana's HTTPS port on ec2 (required with grafanaDomain; at most a /16 in total, a /8 with allowWideIngress; canonical network addresses).",
  },
  sshAllowedCidrs: {
    type: "array",
    default: [],
    description:
      "CIDR blocks allowed to SSH to the host (required for ec2: the Docker API is reached over SSH; at most a /16 in total, a /8 with allowWideIngress; canonical network addresses).",
  },
  allowWideIngress: {
    type: "boolean",
    default: false,
    description:
      "Acknowledge an ingress wider than a /16: sshAllowedCidrs or grafanaAllowedCidrs covering up to a /8 in total, or proxyBindAddress 0.0.0.0 on target local.",
  },
  protectBuckets: { type: "boolean", default: true, description: "Protect the S3 buckets from deletion by pulumi destroy." },
  highAvailability: {
    type: "boolean",
    default: false,
    description:
      "Run the stack on a redundant pair (target ec2): two hosts in two availability zones, each with the whole stack; Alertmanager clustered, both Prometheus scraping both hosts, two Lokis written by both log agents. Losing either host loses no notification (docs/scale.md, Redundant pair).",
  },
  subnetIds: {
    type: "array",
    default: [],
    description:
      "The pair's two subnets, in distinct availability zones (highAvailability; needs vpcId); empty means the default VPC's default subnets of two zones.",
  },
} satisfies Readonly<Record<string, SettingSpec>>;
/** A key of the settings table: a typo in a setting's name fails to compile. */
export type SettingKey = keyof typeof SETTINGS;
/** The table looked up by a key read from outside (a stack file, a docs generator). */
export const SETTINGS_TABLE: Readonly<Record<string, SettingSpec>> = SETTINGS;

type ComponentSettingKey = `${ContainerKey}${"Image" | "MilliCpus" | "MemoryMb"}`;

function componentSettings(): Record<ComponentSettingKey, SettingSpec> {
  const out = {} as Record<ComponentSettingKey, SettingSpec>;
  for (const [c, e] of Object.entries(ALL_CONTAINERS) as [ContainerKey, CatalogEntry][]) {
    out[`${c}Image`] = { type: "string", default: e.image, description: `Image of ${e.title}, pinned to an exact tag.` };
  }
  for (const [c, e] of Object.entries(ALL_CONTAINERS) as [ContainerKey, CatalogEntry][]) {
    out[`${c}MilliCpus`] = {
      type: "integer",
      default: Math.round(e.limits.cpus * 1000),
      description: `CPU limit of ${e.title} in thousandths of a core.`,
    };
    out[`${c}MemoryMb`] = { type: "integer", default: e.limits.memoryMb, description: `Memory limit of ${e.title} in MB.` };
  }
  return out;
}

/** Structured settings Pulumi's schema cannot type (lists of objects); documented in README. */
export const STRUCTURED_SETTINGS = {
  services: "Application services to scrape: a list of {name, targets, metricsPath?, scheme?, labels?}.",
  kpis: "Business KPI panels: a list of {title, expr, unit?, thresholds?}.",
  ec2Discovery:
    'Fleets to scrape, found through EC2 (target ec2): a list of {name, port, tags}; each becomes a scrape job of the running instances carrying all the tags (value "*": any value).',
} as const;
