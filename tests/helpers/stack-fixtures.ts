// Settings shared by the program tests: the prod stack with every receiver, integration and
// structured setting on, and a value for every secret (each easy to search for in the graph).

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
  services: [{ name: "api", targets: ["api:8080"], labels: { team: "payments" } }, { name: "web", targets: ["web:3000"], metricsPath: "/internal/metrics" }],
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
