// What docs/settings.md says of each key beyond its type and default: accepted values, the
// targets it applies to and an example (a stack-file value), for the typed, structured and secret
// settings alike; integrations declare theirs in their modules. `npm run docs` generates the page
// from it, and tests/scripts/docs.test.ts checks every key has a row.
import { CatalogEntry } from "../../catalog/containers";
import { SettingDoc } from "../../catalog/setting-spec";
import { RESTORE_ID_ACCEPTED } from "../../configs/backup-restore";
import { ALL_CONTAINERS, ContainerKey, INTEGRATION_NAMES, integrationSettingDocs } from "../../integrations";
import { MAX_BACKUP_INTERVAL_HOURS, RECEIVER_KINDS, TARGETS } from "./schema";

export type { Applies, SettingDoc } from "../../catalog/setting-spec";

const DURATION = "a Prometheus duration such as 30s, 5m, 1h30m";
const URL_ACCEPTS = "an http(s) URL without `{{`";

/** Accepted values, targets and an example for every key (typed, structured and secret); docs/settings.md is generated from it. */
export const SETTING_DOCS: Readonly<Record<string, SettingDoc>> = {
  target: { accepts: TARGETS.join(", "), targets: "both", example: "ec2" },
  dockerHost: {
    accepts: "empty, or unix://, tcp://, ssh:// or npipe:// followed by an address",
    targets: "local",
    example: "ssh://deploy@build-host",
  },
  grafanaBindAddress: { accepts: "empty or an IPv4 address (on ec2 only 127.0.0.1)", targets: "both", example: "0.0.0.0" },
  grafanaPort: { accepts: "1-65535, distinct from the other published ports; on ec2 not 22, 80 or 443", targets: "both", example: "3001" },
  grafanaDomain: { accepts: "empty or a DNS name without scheme", targets: "both", example: "grafana.example.com" },
  proxyBindAddress: {
    accepts: "empty, or an IPv4 address (0.0.0.0 only with allowWideIngress); required on local with grafanaDomain",
    targets: "local",
    example: "192.168.1.20",
  },
  acmeEmail: { accepts: "empty or an email address; only with grafanaDomain", targets: "both", example: "ops@example.com" },
  acmeCa: {
    accepts: "empty or the https URL of an ACME directory; only with grafanaDomain",
    targets: "both",
    example: "https://acme-staging-v02.api.letsencrypt.org/directory",
  },
  route53ZoneId: {
    accepts: "empty or a hosted zone id (Z + up to 31 capitals and digits); only with grafanaDomain",
    targets: "ec2",
    example: "Z0123456789ABCDEFGHIJ",
  },
  prometheusPort: {
    accepts: "1-65535, distinct from the other published ports; on ec2 not 22, 80 or 443",
    targets: "both",
    example: "9091",
  },
  alertmanagerPort: {
    accepts: "1-65535, distinct from the other published ports; on ec2 not 22, 80 or 443",
    targets: "both",
    example: "9094",
  },
  lokiPort: { accepts: "1-65535, distinct from the other published ports; on ec2 not 22, 80 or 443", targets: "both", example: "3101" },
  grafanaAdminUser: { accepts: '1-64 letters, digits, ".", "_", "@" or "-"', targets: "both", example: "grafana-admin" },
  scrapeInterval: { accepts: `${DURATION}, from 1s to 5m`, targets: "both", example: "30s" },
  evaluationInterval: { accepts: `${DURATION}, from 1s to 5m`, targets: "both", example: "30s" },
  prometheusRetentionTime: { accepts: `${DURATION}, from 2h to 10y`, targets: "both", example: "90d" },
  prometheusRetentionSize: {
    accepts: "a whole number with B, KB, MB, GB, TB, PB or EB (base 2), not zero",
    targets: "both",
    example: "200GB",
  },
  lokiRetentionPeriod: {
    accepts: "a whole number of days (30d, or hours in multiples of 24), from 1d to 10y",
    targets: "both",
    example: "14d",
  },
  ...componentDocs(),
  trustedRegistries: {
    accepts: "registry host names (e.g. registry.example.com), each once",
    targets: "both",
    example: "[registry.example.com]",
  },
  networks: {
    accepts: "names of existing user-defined Docker networks, each once (not observability or a built-in network)",
    targets: "both",
    example: "[myapp_default]",
  },
  receivers: {
    accepts: `any of ${RECEIVER_KINDS.join(", ")}, each once; each needs its secret`,
    targets: "both",
    example: "[slack, heartbeat]",
  },
  slackChannelCritical: { accepts: "a channel: # or @ then 1-80 of a-z 0-9 _ . -", targets: "both", example: "'#oncall'" },
  slackChannelWarning: { accepts: "a channel: # or @ then 1-80 of a-z 0-9 _ . -", targets: "both", example: "'#team-alerts'" },
  slackChannelInfo: { accepts: "a channel: # or @ then 1-80 of a-z 0-9 _ . -", targets: "both", example: "'#team-info'" },
  emailTo: { accepts: "an email address; required by receiver email", targets: "both", example: "oncall@example.com" },
  emailFrom: { accepts: "an email address; required by receiver email", targets: "both", example: "alertmanager@example.com" },
  smtpSmarthost: { accepts: "host:port; required by receiver email", targets: "both", example: "smtp.example.com:587" },
  smtpUsername: { accepts: "empty or a user name without `{{`; needs smtpPassword", targets: "both", example: "alertmanager" },
  smtpRequireTls: { accepts: "true or false", targets: "both", example: "false" },
  smtpAllowPlainAuth: { accepts: "true or false", targets: "both", example: "true" },
  integrations: { accepts: `any of ${INTEGRATION_NAMES.join(", ")}, each once`, targets: "both", example: "[postgres, blackbox]" },
  ...integrationSettingDocs(),
  remoteWrite: {
    accepts: "empty, amp (target ec2 only) or an https URL",
    targets: "both",
    example: "https://mimir.example.com/api/v1/push",
  },
  remoteWriteUsername: {
    accepts: 'empty or a user name without spaces or ":"; needs remoteWritePassword',
    targets: "both",
    example: "tenant-1",
  },
  remoteWriteExpectedSeries: { accepts: "1000-100000000", targets: "both", example: "500000" },
  runbookBaseUrl: { accepts: URL_ACCEPTS, targets: "both", example: "https://wiki.example.com/runbooks" },
  backupEnabled: { accepts: "true or false", targets: "both", example: "false" },
  backupIntervalHours: { accepts: `1-${MAX_BACKUP_INTERVAL_HOURS}`, targets: "both", example: "4" },
  backupRetentionDays: { accepts: "1-3650", targets: "both", example: "90" },
  restoreFrom: {
    accepts: "empty, latest, or a backup stamp such as 20261202T050000Z; needs backupEnabled",
    targets: "both",
    example: "latest",
  },
  restoreOverwrite: { accepts: "true or false; only with restoreFrom, and needs restoreId", targets: "both", example: "true" },
  restoreId: {
    accepts: `empty, or ${RESTORE_ID_ACCEPTED}; required with restoreOverwrite`,
    targets: "both",
    example: "2026-12-07-host-lost",
  },
  awsRegion: { accepts: "an AWS region name", targets: "ec2", example: "eu-west-1" },
  instanceType: { accepts: "an EC2 instance type (family.size)", targets: "ec2", example: "m7i.xlarge" },
  rootVolumeGb: {
    accepts: "30-16384, at least prometheusRetentionSize + 20 GB (twice the retention size + 20 GB with backups on)",
    targets: "ec2",
    example: "200",
  },
  vpcId: { accepts: "empty or vpc- and 8-17 hex digits", targets: "ec2", example: "vpc-0123456789abcdef0" },
  subnetId: { accepts: "empty or subnet- and 8-17 hex digits; needs vpcId", targets: "ec2", example: "subnet-0123456789abcdef0" },
  sshPublicKey: {
    accepts: "one OpenSSH public key line; required on ec2",
    targets: "ec2",
    example: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... me@laptop",
  },
  grafanaAllowedCidrs: {
    accepts: "canonical IPv4 CIDR blocks, at most a /16 in total (a /8 with allowWideIngress); required with grafanaDomain",
    targets: "ec2",
    example: "[203.0.113.0/24]",
  },
  sshAllowedCidrs: {
    accepts: "canonical IPv4 CIDR blocks, at most a /16 in total (a /8 with allowWideIngress); required on ec2",
    targets: "ec2",
    example: "[198.51.100.7/32]",
  },
  protectBuckets: { accepts: "true or false", targets: "ec2", example: "false" },
  highAvailability: { accepts: "true or false; true only on target ec2", targets: "ec2", example: "true" },
  subnetIds: {
    accepts:
      "empty, or two distinct subnet ids (subnet- and 8-17 hex digits) in two availability zones; only with highAvailability and vpcId",
    targets: "ec2",
    example: "[subnet-0123456789abcdef0, subnet-0fedcba9876543210]",
  },
  allowWideIngress: { accepts: "true or false", targets: "both", example: "true" },
  services: {
    accepts:
      "objects {name (lower-case, unique, not a stack job), targets (host:port list), metricsPath? (/metrics), scheme? (http or https), labels? (not job, instance, service, tier)}",
    targets: "both",
    example: "[{name: api, targets: ['api:8080'], labels: {team: payments}}]",
  },
  kpis: {
    accepts: "objects {title, expr (PromQL that parses), unit? (Grafana unit id, short), thresholds? (ascending {value, color})}",
    targets: "both",
    example: "[{title: Signups per hour, expr: 'sum(increase(user_registrations_total[1h]))'}]",
  },
  ec2Discovery: {
    accepts: "objects {name (unique job name), port (1-65535), tags (non-empty EC2 tag key → value; * any value)}",
    targets: "ec2",
    example: "[{name: app-nodes, port: 9100, tags: {'observability:scrape': node}}]",
  },
  slackWebhookUrl: { accepts: "an https:// URL", targets: "both", example: "https://hooks.slack.com/services/T000/B000/XXXX" },
  pagerdutyRoutingKey: {
    accepts: "the 32-character integration key of a PagerDuty Events v2 service",
    targets: "both",
    example: "0123456789abcdef0123456789abcdef",
  },
  webhookUrl: { accepts: "an https:// URL", targets: "both", example: "https://hooks.example.com/alerts" },
  heartbeatUrl: { accepts: "an https:// URL", targets: "both", example: "https://hc-ping.com/<uuid>" },
  smtpPassword: { accepts: "a non-empty password; needs smtpUsername", targets: "both", example: "<password>" },
  sshPrivateKey: { accepts: "an OpenSSH private key", targets: "ec2", example: "-----BEGIN OPENSSH PRIVATE KEY----- ..." },
  remoteWritePassword: {
    accepts: "a non-empty password; with remoteWriteUsername and an https remoteWrite",
    targets: "both",
    example: "<password>",
  },
  remoteWriteBearerToken: { accepts: "a token; with an https remoteWrite and no remoteWriteUsername", targets: "both", example: "<token>" },
};

function componentDocs(): Record<string, SettingDoc> {
  const out: Record<string, SettingDoc> = {};
  for (const [c, e] of Object.entries(ALL_CONTAINERS) as [ContainerKey, CatalogEntry][]) {
    out[`${c}Image`] = {
      accepts: "repository:tag with an exact release (major.minor.patch) or a repository@sha256 digest",
      targets: "both",
      example: e.image,
    };
    out[`${c}MilliCpus`] = { accepts: "10-64000", targets: "both", example: String(Math.round(e.limits.cpus * 2000)) };
    out[`${c}MemoryMb`] = { accepts: "6-262144", targets: "both", example: String(e.limits.memoryMb * 2) };
  }
  return out;
}
