// Every bad stack setting is refused before anything is deployed, with a message that names the
// key, shows the bad value and says what is accepted; good settings come out typed.
import { settingsSource } from "../helpers/settings-source";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { SETTINGS, SettingsError, loadSettings } from "../../components/settings";
import { checkPinnedImage } from "../../components/settings/checks";
import { ALL_CONTAINERS } from "../../integrations";
import { ROOT, generated, renderPulumiYaml } from "../../scripts/lib/reference";
import { ALL_SECRETS, DOMAIN_CONFIG, FULL_PROD_CONFIG } from "../helpers/stack-fixtures";

const EC2_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIBCt215KpDas5Dt4ZLwGVIXApwaumyXtt6mDi+n4DHZ me@example.com";
const EC2_BASE = { target: "ec2", sshPublicKey: EC2_KEY, sshAllowedCidrs: ["198.51.100.7/32"] };

const source = settingsSource;

function load(values: Record<string, unknown>, secrets: Record<string, string> = {}) {
  return loadSettings(source(values, secrets), "test", { SSH_AUTH_SOCK: "/tmp/agent.sock" });
}

function failure(values: Record<string, unknown>, secrets: Record<string, string> = {}): string {
  try {
    load(values, secrets);
  } catch (e) {
    expect(e).toBeInstanceOf(SettingsError);
    return (e as Error).message;
  }
  throw new Error(`settings ${JSON.stringify(values)} were accepted`);
}

describe("defaults", () => {
  test("an empty stack is a valid local stack with the documented defaults", () => {
    const s = loadSettings(source({}), "dev", {});
    expect(s.target).toBe("local");
    expect(s.dockerHost).toBe("unix:///var/run/docker.sock");
    expect(s.grafanaBindAddress).toBe("127.0.0.1");
    expect(s.ports).toEqual({ grafana: 3000, prometheus: 9090, alertmanager: 9093, loki: 3100 });
    expect(s.prometheus).toEqual({ scrapeInterval: "15s", evaluationInterval: "15s", retentionTime: "30d", retentionSize: "50GB" });
    expect(s.loki.retentionPeriod).toBe("30d");
    expect(s.limits.prometheus).toEqual({ cpus: 2, memoryMb: 2048 });
    expect(s.limits.loki).toEqual({ cpus: 1, memoryMb: 1024 });
    expect(s.limits.grafana).toEqual({ cpus: 0.5, memoryMb: 512 });
    expect(s.limits.alertmanager).toEqual({ cpus: 0.2, memoryMb: 256 });
    expect(s.limits.alloy).toEqual({ cpus: 0.2, memoryMb: 128 });
    expect(s.limits.nodeExporter).toEqual({ cpus: 0.1, memoryMb: 64 });
    expect(s.limits.cadvisor).toEqual({ cpus: 0.3, memoryMb: 256 });
    expect(s.receivers).toEqual({});
    expect(s.integrations).toEqual({});
    expect(s.secrets).toEqual({ receivers: {}, integrations: {} });
    expect(s.aws).toBeUndefined();
  });

  test("DOCKER_HOST is honoured when dockerHost is not set", () => {
    expect(loadSettings(source({}), "dev", { DOCKER_HOST: "tcp://10.0.0.2:2376" }).dockerHost).toBe("tcp://10.0.0.2:2376");
  });

  test("restoreFrom takes latest or a stamp, with overwrite off unless asked", () => {
    expect(loadSettings(source({}), "dev", {}).backup.restore).toBeUndefined();
    expect(load({ restoreFrom: "latest" }).backup.restore).toEqual({ from: "latest", overwrite: false });
    expect(load({ restoreFrom: "20261202T050000Z", restoreOverwrite: true, restoreId: "incident-7" }).backup.restore).toEqual({
      from: "20261202T050000Z",
      overwrite: true,
      id: "incident-7",
    });
  });

  test("every default image is pinned", () => {
    for (const image of Object.values(ALL_CONTAINERS).map((e) => e.image))
      expect({ image, problem: checkPinnedImage(image) }).toEqual({ image, problem: undefined });
  });

  test("a full ec2 stack parses into typed settings, secrets apart", () => {
    const s = load({ ...EC2_BASE, ...FULL_PROD_CONFIG, ...DOMAIN_CONFIG, prometheusMilliCpus: 1500 }, ALL_SECRETS);
    expect(s.target).toBe("ec2");
    expect(s.grafanaBindAddress).toBe("127.0.0.1");
    expect(s.tls).toEqual({
      domain: "grafana.example.com",
      acmeEmail: "ops@example.com",
      acmeCa: undefined,
      route53ZoneId: "Z0123456789ABCDEFGHIJ",
    });
    expect(s.aws?.sshAllowedCidrs).toEqual(["198.51.100.7/32"]);
    expect(s.aws?.sshAgentSocket).toBe("/tmp/agent.sock");
    expect(Object.keys(s.receivers).sort()).toEqual(["email", "heartbeat", "pagerduty", "slack", "webhook"]);
    expect(s.receivers.email).toMatchObject({ to: "oncall@example.com", username: "alerts", requireTls: true });
    expect(Object.keys(s.secrets.receivers).sort()).toEqual(["email", "heartbeat", "pagerduty", "slack", "webhook"]);
    const plain = JSON.stringify({ receivers: s.receivers, integrations: s.integrations });
    for (const secret of Object.values(ALL_SECRETS)) expect(plain).not.toContain(secret);
    expect(s.integrations.redis).toEqual({ address: "redis:6379" });
    expect(s.integrations.postgres).toEqual({});
    expect(Object.fromEntries(Object.entries(s.secrets.integrations).map(([k, v]) => [k, Object.keys(v)]))).toEqual({
      postgres: ["postgresDataSourceName"],
      redis: ["redisPassword"],
      rabbitmq: [],
      blackbox: [],
      mysql: ["mysqlPassword"],
    });
    expect(s.integrations.blackbox?.httpTargets).toEqual(["https://example.com/", "http://web:3000/health"]);
    expect(s.services[0]).toEqual({
      name: "api",
      targets: ["api:8080"],
      metricsPath: "/metrics",
      scheme: "http",
      labels: { team: "payments" },
    });
    expect(s.services[1]).toMatchObject({ name: "web", metricsPath: "/internal/metrics" });
    expect(s.kpis[0].title).toBe("Orders per minute");
    expect(s.limits.prometheus.cpus).toBe(1.5);
  });
});

// [what, settings, secrets, fragments every message must contain]
const BAD: [string, Record<string, unknown>, Record<string, string>, string[]][] = [
  ["unknown target", { target: "kubernetes" }, {}, ["observability-stack:target", '"kubernetes"', "local, ec2"]],
  ["bad Docker host", { dockerHost: "/var/run/docker.sock" }, {}, ["dockerHost", "/var/run/docker.sock", "unix://"]],
  ["bad bind address", { grafanaBindAddress: "localhost" }, {}, ["grafanaBindAddress", '"localhost"', "IPv4"]],
  ["port out of range", { grafanaPort: 70000 }, {}, ["grafanaPort", "70000", "1-65535"]],
  ["port not a number", { prometheusPort: "ninety" }, {}, ["prometheusPort", "ninety", "whole number"]],
  ["port used twice", { lokiPort: 3000 }, {}, ["lokiPort", "3000", "already the port of grafanaPort"]],
  ["malformed duration", { scrapeInterval: "15 seconds" }, {}, ["scrapeInterval", '"15 seconds"', "15s"]],
  ["zero duration", { evaluationInterval: "0s" }, {}, ["evaluationInterval", '"0s"', "is zero"]],
  ["bad retention time", { prometheusRetentionTime: "thirty days" }, {}, ["prometheusRetentionTime", "thirty days", "Prometheus duration"]],
  ["bad retention size", { prometheusRetentionSize: "50 gigs" }, {}, ["prometheusRetentionSize", "50 gigs", "GB"]],
  ["loki retention not whole days", { lokiRetentionPeriod: "36h" }, {}, ["lokiRetentionPeriod", '"36h"', "whole number of days"]],
  [
    "unpinned image (latest)",
    { prometheusImage: "prom/prometheus:latest" },
    {},
    ["prometheusImage", "prom/prometheus:latest", "moving tag"],
  ],
  ["unpinned image (no tag)", { grafanaImage: "grafana/grafana" }, {}, ["grafanaImage", "grafana/grafana", "no tag"]],
  ["cpu limit out of range", { lokiMilliCpus: 0 }, {}, ["lokiMilliCpus", "0", "10 to 64000"]],
  ["memory limit not an integer", { grafanaMemoryMb: 512.5 }, {}, ["grafanaMemoryMb", "512.5", "whole number"]],
  ["bad admin user", { grafanaAdminUser: "ad min" }, {}, ["grafanaAdminUser", "ad min", "letters"]],
  ["backup interval beyond BackupTooOld", { backupIntervalHours: 12 }, {}, ["backupIntervalHours", "12", "1 to 7"]],
  [
    "restore from a date that is not a stamp",
    { restoreFrom: "2026-12-02" },
    {},
    ["restoreFrom", '"2026-12-02"', "`latest` or a backup stamp like 20261202T050000Z"],
  ],
  ["restore from a path", { restoreFrom: "../latest" }, {}, ["restoreFrom", '"../latest"', "`latest` or a backup stamp"]],
  ["restore with backups off", { restoreFrom: "latest", backupEnabled: false }, {}, ["restoreFrom", "backupEnabled is false"]],
  ["overwrite without a restore", { restoreOverwrite: true }, {}, ["restoreOverwrite", "restoreFrom is empty"]],
  ["bad network name", { networks: ["My Net"] }, {}, ["networks", "My Net", "not a Docker network name"]],
  ["unknown receiver", { receivers: ["teams"] }, {}, ["receivers", '"teams"', "slack, email, pagerduty, webhook, heartbeat"]],
  [
    "slack without its webhook",
    { receivers: ["slack"] },
    {},
    ["receivers", "slack is enabled but its credential is missing", "slackWebhookUrl"],
  ],
  ["pagerduty without its key", { receivers: ["pagerduty"] }, {}, ["pagerdutyRoutingKey", "--secret"]],
  ["webhook without its url", { receivers: ["webhook"] }, {}, ["webhookUrl"]],
  ["heartbeat without its url", { receivers: ["heartbeat"] }, {}, ["heartbeatUrl"]],
  ["secret without its receiver", {}, { slackWebhookUrl: "https://x" }, ["slackWebhookUrl", "receiver slack is not enabled"]],
  ["email without recipients", { receivers: ["email"] }, {}, ["emailTo", "emailFrom", "smtpSmarthost"]],
  [
    "email with a bad address",
    { receivers: ["email"], emailTo: "oncall", emailFrom: "a@example.com", smtpSmarthost: "smtp:25" },
    {},
    ["emailTo", '"oncall"', "email address"],
  ],
  [
    "smtp user without password",
    { receivers: ["email"], emailTo: "a@example.com", emailFrom: "b@example.com", smtpSmarthost: "smtp:25", smtpUsername: "u" },
    {},
    ["smtpUsername", "smtpPassword"],
  ],
  ["bad slack channel", { slackChannelCritical: "alerts" }, {}, ["slackChannelCritical", '"alerts"', "#alerts-critical"]],
  ["unknown integration", { integrations: ["mongodb"] }, {}, ["integrations", '"mongodb"', "postgres, redis, rabbitmq, blackbox, mysql"]],
  ["postgres without its DSN", { integrations: ["postgres"] }, {}, ["integrations", "postgresDataSourceName"]],
  ["redis without an address", { integrations: ["redis"] }, {}, ["redisAddress", "host:port"]],
  ["redis address malformed", { integrations: ["redis"], redisAddress: "redis" }, {}, ["redisAddress", '"redis"', "host:port"]],
  ["rabbitmq without targets", { integrations: ["rabbitmq"] }, {}, ["rabbitmqTargets", "15692"]],
  [
    "blackbox with a bad URL",
    { integrations: ["blackbox"], blackboxTargets: ["example.com"] },
    {},
    ["blackboxTargets", "example.com", "https://"],
  ],
  ["blackbox targets without the integration", { blackboxTargets: ["https://example.com"] }, {}, ["blackboxTargets", "not enabled"]],
  ["service without targets", { services: [{ name: "api", targets: [] }] }, {}, ["services[0].targets", "non-empty list"]],
  ["service with a bad target", { services: [{ name: "api", targets: ["api"] }] }, {}, ["services[0].targets", '"api"', "host:port"]],
  ["service without a name", { services: [{ targets: ["api:80"] }] }, {}, ["services[0].name", "(missing)"]],
  ["service named like a stack job", { services: [{ name: "prometheus", targets: ["x:1"] }] }, {}, ["services[0].name", "reserved"]],
  [
    "two services with one name",
    {
      services: [
        { name: "api", targets: ["a:1"] },
        { name: "api", targets: ["b:1"] },
      ],
    },
    {},
    ["services[1].name", "unique"],
  ],
  [
    "service label the stack owns",
    { services: [{ name: "api", targets: ["a:1"], labels: { tier: "x" } }] },
    {},
    ["services[0].labels.tier", "set by the stack"],
  ],
  [
    "service with an unknown key",
    { services: [{ name: "api", targets: ["a:1"], port: 80 }] },
    {},
    ["services[0].port", "accepted keys are name, targets"],
  ],
  [
    "service with a misspelt key",
    { services: [{ name: "api", targets: ["a:1"], metricPath: "/m" }] },
    {},
    ["services[0].metricPath", "did you mean metricsPath?"],
  ],
  [
    "kpi with a misspelt key",
    { kpis: [{ title: "Signups", expr: "up", treshholds: [] }] },
    {},
    ["kpis[0].treshholds", "did you mean thresholds?"],
  ],
  [
    "unknown key, with the command that removes it",
    { grafanaPrt: 3001 },
    {},
    ["did you mean grafanaPort?", "`npx pulumi config rm observability-stack:grafanaPrt`"],
  ],
  [
    "kpi whose PromQL stops early",
    { kpis: [{ title: "Signups", expr: "sum(rate(signups_total[5m])" }] },
    {},
    ["kpis[0].expr", "at line 1, column 28 the grammar found the end of the expression", "`)`"],
  ],
  ["services not a list", { services: { name: "api" } }, {}, ["services", "list of {name, targets"]],
  ["kpi without an expression", { kpis: [{ title: "Revenue" }] }, {}, ["kpis[0].expr", "PromQL"]],
  [
    "kpi thresholds not ascending",
    {
      kpis: [
        {
          title: "x",
          expr: "up",
          thresholds: [
            { value: 2, color: "red" },
            { value: 1, color: "green" },
          ],
        },
      ],
    },
    {},
    ["kpis[0].thresholds", "ascending"],
  ],
  ["aws setting on a local stack", { instanceType: "t3.large" }, {}, ["instanceType", "only used with target ec2"]],
  ["ec2 without an SSH key", { target: "ec2", sshAllowedCidrs: ["198.51.100.7/32"] }, {}, ["sshPublicKey", "is missing"]],
  ["ec2 with a bad SSH key", { ...EC2_BASE, sshPublicKey: "not-a-key" }, {}, ["sshPublicKey", '"not-a-key"', "public key"]],
  ["ec2 without SSH CIDRs", { target: "ec2", sshPublicKey: EC2_KEY }, {}, ["sshAllowedCidrs", "is empty"]],
  ["SSH open to the world", { ...EC2_BASE, sshAllowedCidrs: ["0.0.0.0/0"] }, {}, ["sshAllowedCidrs", "0.0.0.0/0", "more than a /8"]],
  ["malformed CIDR", { ...EC2_BASE, grafanaAllowedCidrs: ["10.0.0.0/33"] }, {}, ["grafanaAllowedCidrs", "10.0.0.0/33", "prefix /33"]],
  [
    "CIDR without prefix",
    { ...EC2_BASE, grafanaAllowedCidrs: ["10.0.0.1"] },
    {},
    ["grafanaAllowedCidrs", "10.0.0.1", "missing its /prefix"],
  ],
  ["bad region", { ...EC2_BASE, awsRegion: "europe" }, {}, ["awsRegion", '"europe"', "us-east-1"]],
  ["bad instance type", { ...EC2_BASE, instanceType: "large" }, {}, ["instanceType", '"large"', "t3.xlarge"]],
  ["root volume too small", { ...EC2_BASE, rootVolumeGb: 8 }, {}, ["rootVolumeGb", "8", "30 to 16384"]],
  ["subnet without VPC", { ...EC2_BASE, subnetId: "subnet-0123456789abcdef0" }, {}, ["subnetId", "vpcId"]],
  ["dockerHost on ec2", { ...EC2_BASE, dockerHost: "unix:///var/run/docker.sock" }, {}, ["dockerHost", "only used with target local"]],
  ["bad runbook base", { runbookBaseUrl: "docs/runbooks.md" }, {}, ["runbookBaseUrl", "docs/runbooks.md", "https://"]],
  ["list setting given a string", { receivers: "slack" }, {}, ["receivers", '"slack"', "list of strings"]],
  // ec2Discovery
  [
    "ec2Discovery on a local stack",
    { ec2Discovery: [{ name: "nodes", port: 9100, tags: { role: "web" } }] },
    {},
    ["ec2Discovery", "only used with target ec2"],
  ],
  ["ec2Discovery not a list", { ...EC2_BASE, ec2Discovery: { name: "nodes" } }, {}, ["ec2Discovery", "list of {name, port, tags}"]],
  [
    "ec2Discovery port out of range",
    { ...EC2_BASE, ec2Discovery: [{ name: "nodes", port: 70000, tags: { role: "web" } }] },
    {},
    ["ec2Discovery[0].port", "70000", "1 to 65535"],
  ],
  [
    "ec2Discovery port missing",
    { ...EC2_BASE, ec2Discovery: [{ name: "nodes", tags: { role: "web" } }] },
    {},
    ["ec2Discovery[0].port", "(missing)", "1 to 65535"],
  ],
  [
    "ec2Discovery duplicate names",
    {
      ...EC2_BASE,
      ec2Discovery: [
        { name: "nodes", port: 9100, tags: { a: "1" } },
        { name: "nodes", port: 9101, tags: { b: "2" } },
      ],
    },
    {},
    ["ec2Discovery[1].name", '"nodes"', "unique", "taken: nodes"],
  ],
  [
    "ec2Discovery named like a service",
    { ...EC2_BASE, services: [{ name: "api", targets: ["a:1"] }], ec2Discovery: [{ name: "api", port: 9100, tags: { a: "1" } }] },
    {},
    ["ec2Discovery[0].name", '"api"', "unique", "taken: api"],
  ],
  [
    "ec2Discovery named like a stack job",
    { ...EC2_BASE, ec2Discovery: [{ name: "node-exporter", port: 9100, tags: { a: "1" } }] },
    {},
    ["ec2Discovery[0].name", "reserved"],
  ],
  [
    "ec2Discovery tags as a string",
    { ...EC2_BASE, ec2Discovery: [{ name: "nodes", port: 9100, tags: "role=web" }] },
    {},
    ["ec2Discovery[0].tags", '"role=web"', "mapping of EC2 tag key to value"],
  ],
  [
    "ec2Discovery without tags",
    { ...EC2_BASE, ec2Discovery: [{ name: "nodes", port: 9100, tags: {} }] },
    {},
    ["ec2Discovery[0].tags", "non-empty", "every running instance"],
  ],
  [
    "ec2Discovery bad tag key",
    { ...EC2_BASE, ec2Discovery: [{ name: "nodes", port: 9100, tags: { "role#1": "web" } }] },
    {},
    ["ec2Discovery[0].tags", '"role#1"', "EC2 tag key"],
  ],
  [
    "ec2Discovery reserved tag key",
    { ...EC2_BASE, ec2Discovery: [{ name: "nodes", port: 9100, tags: { "aws:autoscaling:groupName": "x" } }] },
    {},
    ["ec2Discovery[0].tags", "aws:"],
  ],
  [
    "ec2Discovery tag value not a string",
    { ...EC2_BASE, ec2Discovery: [{ name: "nodes", port: 9100, tags: { role: ["web"] } }] },
    {},
    ["ec2Discovery[0].tags.role", '["web"]', "EC2 tag value"],
  ],
  [
    "ec2Discovery unknown key",
    { ...EC2_BASE, ec2Discovery: [{ name: "nodes", port: 9100, tags: { a: "1" }, region: "eu-west-1" }] },
    {},
    ["ec2Discovery[0].region", "accepted keys are name, port, tags"],
  ],
  // remoteWrite
  [
    "remoteWrite over plain http",
    { remoteWrite: "http://mimir:9009/api/v1/push" },
    {},
    ["remoteWrite", '"http://mimir:9009/api/v1/push"', "amp or the https URL"],
  ],
  ["remoteWrite neither amp nor a URL", { remoteWrite: "mimir" }, {}, ["remoteWrite", '"mimir"', "amp or the https URL"]],
  [
    "remoteWrite with credentials in the URL",
    { remoteWrite: "https://u:p@mimir.example.com/api/v1/push" },
    {},
    ["remoteWrite", "carries a credential", "remoteWritePassword"],
  ],
  ["remoteWrite amp on a local stack", { remoteWrite: "amp" }, {}, ["remoteWrite", "amp is only available with target ec2"]],
  [
    "remoteWrite amp with a password",
    { ...EC2_BASE, remoteWrite: "amp" },
    { remoteWritePassword: "pw" },
    ["remoteWritePassword", "not used with remoteWrite amp"],
  ],
  [
    "remoteWrite user without password",
    { remoteWrite: "https://mimir.example.com/api/v1/push", remoteWriteUsername: "tenant" },
    {},
    ["remoteWritePassword", "is missing"],
  ],
  [
    "remoteWrite password without user",
    { remoteWrite: "https://mimir.example.com/api/v1/push" },
    { remoteWritePassword: "pw" },
    ["remoteWriteUsername", "is missing"],
  ],
  [
    "remoteWrite with both basic auth and a token",
    { remoteWrite: "https://mimir.example.com/api/v1/push", remoteWriteUsername: "tenant" },
    { remoteWritePassword: "pw", remoteWriteBearerToken: "t" },
    ["remoteWriteBearerToken", "either basic auth or a bearer token"],
  ],
  ["remoteWrite credentials without remoteWrite", {}, { remoteWriteBearerToken: "t" }, ["remoteWriteBearerToken", "remoteWrite is not"]],
  [
    "remoteWrite expected series too small",
    { remoteWrite: "https://vm.example.com/api/v1/write", remoteWriteExpectedSeries: 10 },
    {},
    ["remoteWriteExpectedSeries", "10", "1000 to 100000000"],
  ],
];

describe("ec2Discovery and remoteWrite", () => {
  test("fleets parse into jobs; '*' is kept as any value", () => {
    const s = load({ ...EC2_BASE, ec2Discovery: [{ name: "app-nodes", port: 9100, tags: { "observability:scrape": "node", team: "*" } }] });
    expect(s.ec2Discovery).toEqual([{ name: "app-nodes", port: 9100, tags: { "observability:scrape": "node", team: "*" } }]);
    expect(load({}).ec2Discovery).toEqual([]);
  });

  test("amp on ec2, sized by remoteWriteExpectedSeries", () => {
    expect(load({ ...EC2_BASE, remoteWrite: "amp", remoteWriteExpectedSeries: 500000 }).remoteWrite).toEqual({
      kind: "amp",
      expectedSeries: 500000,
    });
  });

  test("a URL with basic auth or a bearer token; the secret stays apart from the settings", () => {
    const basic = load(
      { remoteWrite: "https://mimir.example.com/api/v1/push", remoteWriteUsername: "tenant-1" },
      { remoteWritePassword: "pw" },
    );
    expect(basic.remoteWrite).toEqual({
      kind: "url",
      url: "https://mimir.example.com/api/v1/push",
      expectedSeries: 200000,
      auth: { kind: "basic", username: "tenant-1" },
    });
    expect(basic.secrets.remoteWrite).toBeDefined();
    expect(JSON.stringify(basic.remoteWrite)).not.toContain("pw");
    const bearer = load({ remoteWrite: "https://vm.example.com/api/v1/write" }, { remoteWriteBearerToken: "t" });
    expect(bearer.remoteWrite).toMatchObject({ kind: "url", auth: { kind: "bearer" } });
    expect(load({ remoteWrite: "https://open.example.com/write" }).remoteWrite).toMatchObject({ kind: "url", auth: undefined });
  });
});

describe.each(BAD)("refuses %s", (_what, values, secrets, fragments) => {
  test("with a message naming the key, the value and what is accepted", () => {
    const message = failure(values, secrets);
    for (const f of fragments) expect(message).toContain(f);
  });
});

test("reports every problem at once", () => {
  const message = failure({ target: "moon", grafanaPort: 0, scrapeInterval: "soon" });
  expect(message).toMatch(/Invalid stack settings \(3\)/);
});

describe("Pulumi.yaml and docs/settings.md stay in step with the settings table", () => {
  test("Pulumi.yaml declares every setting with its type and default", () => {
    const text = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
    expect(text).toBe(renderPulumiYaml(text));
    const config = (yaml.load(text) as { config: Record<string, { type: string; default: unknown }> }).config;
    expect(Object.keys(config).sort()).toEqual(Object.keys(SETTINGS).sort());
  });

  test("the settings table in docs/settings.md is generated from the same table", () => {
    const page = generated().find((g) => g.file === "docs/settings.md");
    expect(page?.current).toBe(page?.wanted);
  });

  test("the committed stack files use only declared settings", () => {
    for (const stack of ["dev", "prod"]) {
      const doc = yaml.load(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
      for (const key of Object.keys(doc.config)) {
        const [ns, name] = key.split(":");
        if (ns !== "observability-stack") continue;
        expect({ key, declared: name in SETTINGS || ["services", "kpis"].includes(name) }).toEqual({ key, declared: true });
      }
    }
  });
});
