// A canonical, diffable record of one program run under mocks: every resource (type, name,
// provider, inputs, which inputs are secret) and every stack output. The golden test compares it
// with the committed record, so a change to what `pulumi up` would create is always deliberate
// and visible in review (`UPDATE_GOLDEN=1 npx jest tests/program/golden` rewrites the records).
import * as fs from "node:fs";
import * as path from "node:path";
import { ProgramRun, RunOptions } from "./mock-program";

export const GOLDEN_DIR = path.join(__dirname, "..", "program", "golden");

/** Scenarios recorded: the two committed stacks, and prod with every optional feature on. */
export const GOLDEN_SCENARIOS: Readonly<Record<string, RunOptions>> = {
  dev: { stack: "dev" },
  prod: { stack: "prod" },
  "prod-full": {
    stack: "prod",
    config: {
      receivers: ["slack", "email", "pagerduty", "webhook", "heartbeat"],
      emailTo: "oncall@example.com",
      emailFrom: "alerts@example.com",
      smtpSmarthost: "smtp.example.com:587",
      smtpUsername: "alerts",
      integrations: ["postgres", "redis", "rabbitmq", "blackbox"],
      redisAddress: "redis:6379",
      rabbitmqTargets: ["rabbitmq:15692"],
      blackboxTargets: ["https://example.com/", "http://web:3000/health"],
      services: [{ name: "api", targets: ["api:8080"], labels: { team: "payments" } }, { name: "web", targets: ["web:3000"], metricsPath: "/internal/metrics" }],
      kpis: [{ title: "Orders per minute", expr: "sum(rate(orders_total[5m])) * 60", unit: "short" }],
      networks: ["app_default"],
      grafanaDomain: "grafana.example.com",
      acmeEmail: "ops@example.com",
      route53ZoneId: "Z0123456789ABCDEFGHIJ",
      grafanaAllowedCidrs: ["203.0.113.0/24"],
    },
    secrets: {
      slackWebhookUrl: "https://hooks.slack.com/services/T000/B000/secret-slack-token",
      pagerdutyRoutingKey: "secretPagerdutyRoutingKey0000001",
      webhookUrl: "https://hooks.example.com/secret-webhook-path",
      heartbeatUrl: "https://heartbeat.example.com/secret-heartbeat-id",
      smtpPassword: "secret-smtp-password",
      postgresDataSourceName: "postgresql://app:secret-db-password@db:5432/app?sslmode=require",
      redisPassword: "secret-redis-password",
    },
  },
};

export interface GraphRecord {
  readonly resources: {
    readonly type: string;
    readonly name: string;
    readonly provider?: string;
    readonly secretPaths: readonly string[];
    readonly inputs: Record<string, unknown>;
  }[];
  readonly outputs: Record<string, { value: unknown; secret: boolean }>;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(
      Object.keys(v as Record<string, unknown>)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** The run as a stable record: resources sorted by type and name, object keys sorted. */
export function graphRecord(run: ProgramRun): GraphRecord {
  const resources = [...run.resources]
    .sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type.localeCompare(b.type)))
    .map((r) => ({
      type: r.type,
      name: r.name,
      provider: r.provider,
      secretPaths: [...r.secretPaths].sort(),
      inputs: sortKeys(r.inputs) as Record<string, unknown>,
    }));
  const outputs = sortKeys(run.outputs) as GraphRecord["outputs"];
  return { resources, outputs };
}

export function goldenPath(scenario: string): string {
  return path.join(GOLDEN_DIR, `${scenario}.json`);
}

export function readGolden(scenario: string): GraphRecord {
  return JSON.parse(fs.readFileSync(goldenPath(scenario), "utf8")) as GraphRecord;
}

export function writeGolden(scenario: string, record: GraphRecord): void {
  fs.mkdirSync(GOLDEN_DIR, { recursive: true });
  fs.writeFileSync(goldenPath(scenario), JSON.stringify(record, null, 1) + "\n");
}
