// Settings shared by the program tests: the prod stack with every receiver, integration and
// structured setting on, and a value for every secret (each easy to search for in the graph);
// and the same as a stack file whose secrets are encrypted, as a user has it.
import * as fs from "node:fs";
import * as yaml from "js-yaml";
import { PROJECT } from "../../components/settings/schema";

export const FULL_PROD_CONFIG: Readonly<Record<string, unknown>> = {
  receivers: ["slack", "email", "pagerduty", "webhook", "heartbeat"],
  emailTo: "oncall@example.com",
  emailFrom: "alerts@example.com",
  smtpSmarthost: "smtp.example.com:587",
  smtpUsername: "alerts",
  integrations: ["postgres", "redis", "rabbitmq", "blackbox", "mysql"],
  redisAddress: "redis:6379",
  mysqlAddress: "mysql:3306",
  rabbitmqTargets: ["rabbitmq:15692"],
  blackboxTargets: ["https://example.com/", "http://web:3000/health"],
  services: [
    { name: "api", targets: ["api:8080"], labels: { team: "payments" } },
    { name: "web", targets: ["web:3000"], metricsPath: "/internal/metrics" },
  ],
  kpis: [{ title: "Orders per minute", expr: "sum(rate(orders_total[5m])) * 60", unit: "short" }],
  networks: ["app_default"],
};

/** Grafana published over HTTPS on a domain (prod only). */
export const DOMAIN_CONFIG: Readonly<Record<string, unknown>> = {
  grafanaDomain: "grafana.example.com",
  acmeEmail: "ops@example.com",
  route53ZoneId: "Z0123456789ABCDEFGHIJ",
  grafanaAllowedCidrs: ["203.0.113.0/24"],
};

/**
 * The redundant pair behind its load balancer, with everything else on (prod only): the domain
 * without ACME settings (the load balancer serves an ACM certificate), remote write to AMP (the
 * pair's deduplication labels).
 */
export const PAIR_CONFIG: Readonly<Record<string, unknown>> = {
  ...FULL_PROD_CONFIG,
  highAvailability: true,
  grafanaDomain: DOMAIN_CONFIG.grafanaDomain,
  route53ZoneId: DOMAIN_CONFIG.route53ZoneId,
  grafanaAllowedCidrs: DOMAIN_CONFIG.grafanaAllowedCidrs,
  remoteWrite: "amp",
};

export const ALL_SECRETS: Readonly<Record<string, string>> = {
  slackWebhookUrl: "https://hooks.slack.com/services/T000/B000/secret-slack-token",
  pagerdutyRoutingKey: "secretPagerdutyRoutingKey0000001",
  webhookUrl: "https://hooks.example.com/secret-webhook-path",
  heartbeatUrl: "https://heartbeat.example.com/secret-heartbeat-id",
  smtpPassword: "secret-smtp-password",
  postgresDataSourceName: "postgresql://app:secret-db-password@db:5432/app?sslmode=require",
  redisPassword: "secret-redis-password",
  mysqlPassword: "secret-mysql-password",
};

/** Remote write to a URL with basic auth, the variant whose secret is remoteWritePassword. */
export const REMOTE_WRITE_BASIC_CONFIG: Readonly<Record<string, unknown>> = {
  remoteWrite: "https://mimir.example.com/api/v1/push",
  remoteWriteUsername: "tenant-1",
};

/**
 * What `pulumi config set --secret` writes into a stack file: `{secure: v1:<ciphertext>}`. The
 * ciphertext here is not one (the offline tools never decrypt; they see only that it is secure).
 */
export function secureValue(key: string): { secure: string } {
  return { secure: `v1:${Buffer.from(`fixture ciphertext of ${key}`).toString("base64")}` };
}

/**
 * The secret keys a stack with everything on holds: those of ALL_SECRETS (every receiver and
 * integration of FULL_PROD_CONFIG), the SSH key, and remote write's basic-auth password (the
 * bearer token excludes it; tests/components/settings-secure.test.ts loads that variant too and
 * checks that the two cover every key of SECRET_KEYS).
 */
export const SECURE_STACK_SECRETS: readonly string[] = [...new Set([...Object.keys(ALL_SECRETS), "sshPrivateKey", "remoteWritePassword"])];

/**
 * A stack file as a user who enabled everything would have it: the committed stack file's
 * config, every receiver and integration on, remote write with basic auth, and every secret
 * set with `pulumi config set --secret` (so held as `secure:`). Keys carry the project prefix
 * and values are YAML, as Pulumi writes them.
 */
export function secureStackYaml(committedFile: string, secrets: readonly string[] = SECURE_STACK_SECRETS): string {
  const doc = (yaml.load(fs.readFileSync(committedFile, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const config: Record<string, unknown> = { ...(doc.config ?? {}) };
  for (const [k, v] of Object.entries({ ...FULL_PROD_CONFIG, ...REMOTE_WRITE_BASIC_CONFIG })) config[`${PROJECT}:${k}`] = v;
  for (const k of secrets) config[`${PROJECT}:${k}`] = secureValue(k);
  return yaml.dump({ config }, { lineWidth: -1 });
}
