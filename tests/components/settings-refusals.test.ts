// Every bad setting is refused before anything is created, one message per
// problem naming the key, the value (never a secret's) and what is accepted. One row per bad
// value, grouped by class; each class has its neighbours (the value just inside is accepted).
import { settingsProblems } from "../helpers/settings-source";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIBCt215KpDas5Dt4ZLwGVIXApwaumyXtt6mDi+n4DHZ me@example.com";
const EC2 = { target: "ec2", sshPublicKey: KEY, sshAllowedCidrs: ["198.51.100.7/32"] };
const DOMAIN = { ...EC2, grafanaDomain: "grafana.example.com", grafanaAllowedCidrs: ["203.0.113.0/24"] };

const problems = settingsProblems;

type Row = [cls: string, values: Record<string, unknown>, secrets: Record<string, string>, key: string, accepted: RegExp, shown?: string];

const SECRET_SLACK = "https://hooks.slack.com/services/T0/B0/topsecret";
const R: Row[] = [
  // durations: zero, overflow, out of bounds, malformed
  ["duration", { scrapeInterval: "0h0m" }, {}, "scrapeInterval", /is zero/, '"0h0m"'],
  ["duration", { scrapeInterval: "0s" }, {}, "scrapeInterval", /is zero/, '"0s"'],
  ["duration", { evaluationInterval: "999y" }, {}, "evaluationInterval", /overflows/, '"999y"'],
  ["duration", { prometheusRetentionTime: "999y" }, {}, "prometheusRetentionTime", /overflows/, '"999y"'],
  ["duration", { prometheusRetentionTime: "0d" }, {}, "prometheusRetentionTime", /is zero/, '"0d"'],
  ["duration", { prometheusRetentionTime: "11y" }, {}, "prometheusRetentionTime", /longer than 10y/, '"11y"'],
  ["duration", { prometheusRetentionTime: "30m" }, {}, "prometheusRetentionTime", /shorter than 2h/, '"30m"'],
  ["duration", { scrapeInterval: "500ms" }, {}, "scrapeInterval", /shorter than 1s/, '"500ms"'],
  ["duration", { scrapeInterval: "10m" }, {}, "scrapeInterval", /longer than 5m/, '"10m"'],
  ["duration", { scrapeInterval: "1m30" }, {}, "scrapeInterval", /not a duration/, '"1m30"'],
  ["duration", { lokiRetentionPeriod: "0d" }, {}, "lokiRetentionPeriod", /is zero/, '"0d"'],
  ["duration", { lokiRetentionPeriod: "999y" }, {}, "lokiRetentionPeriod", /overflows/, '"999y"'],
  // sizes
  ["size", { prometheusRetentionSize: "0GB" }, {}, "prometheusRetentionSize", /is zero/, '"0GB"'],
  ["size", { prometheusRetentionSize: "8EB" }, {}, "prometheusRetentionSize", /more than Prometheus can represent/, '"8EB"'],
  [
    "size",
    { prometheusRetentionSize: "99999999999EB" },
    {},
    "prometheusRetentionSize",
    /more than Prometheus can represent/,
    '"99999999999EB"',
  ],
  ["size", { prometheusRetentionSize: "1.5GB" }, {}, "prometheusRetentionSize", /not a size/, '"1.5GB"'],
  ["size", { prometheusRetentionSize: "100MB" }, {}, "prometheusRetentionSize", /too small/, '"100MB"'],
  // floating image tags
  ["image", { grafanaImage: "grafana/grafana:12" }, {}, "grafanaImage", /not major\.minor\.patch/, '"grafana/grafana:12"'],
  ["image", { prometheusImage: "prom/prometheus:latest-2" }, {}, "prometheusImage", /moving tag/, '"prom/prometheus:latest-2"'],
  ["image", { lokiImage: "grafana/loki:3.7" }, {}, "lokiImage", /not major\.minor\.patch/, '"grafana/loki:3.7"'],
  ["image", { caddyImage: "caddy:2" }, {}, "caddyImage", /not major\.minor\.patch/, '"caddy:2"'],
  ["image", { alloyImage: "grafana/alloy:v1-stable" }, {}, "alloyImage", /moving tag/, '"grafana/alloy:v1-stable"'],
  [
    "image",
    { socketProxyImage: "wollomatic/socket-proxy:1" },
    {},
    "socketProxyImage",
    /not major\.minor\.patch/,
    '"wollomatic/socket-proxy:1"',
  ],
  // receiver secrets: not https, empty, whitespace, template syntax, wrong shape (never shown)
  ["secret", { receivers: ["slack"] }, { slackWebhookUrl: "http://hooks.slack.com/services/T0/B0/topsecret" }, "slackWebhookUrl", /https/],
  ["secret", { receivers: ["slack"] }, { slackWebhookUrl: "" }, "slackWebhookUrl", /is empty/],
  ["secret", { receivers: ["webhook"] }, { webhookUrl: "   " }, "webhookUrl", /is empty/],
  ["secret", { receivers: ["heartbeat"] }, { heartbeatUrl: "hc-ping.com/topsecret" }, "heartbeatUrl", /https/],
  [
    "secret",
    { receivers: ["webhook"] },
    { webhookUrl: "https://hooks.example.com/topsecret\n" },
    "webhookUrl",
    /control character|whitespace/,
  ],
  ["secret", { receivers: ["webhook"] }, { webhookUrl: "https://hooks.example.com/{{ .topsecret }}" }, "webhookUrl", /template/],
  ["secret", { receivers: ["pagerduty"] }, { pagerdutyRoutingKey: "topsecret" }, "pagerdutyRoutingKey", /32 letters and digits/],
  ["secret", { receivers: ["pagerduty"] }, { pagerdutyRoutingKey: "" }, "pagerdutyRoutingKey", /is empty/],
  [
    "secret",
    { receivers: ["email"], emailTo: "a@example.com", emailFrom: "b@example.com", smtpSmarthost: "smtp:25", smtpUsername: "u" },
    { smtpPassword: "" },
    "smtpPassword",
    /is empty/,
  ],
  // Postgres DSN, at settings time
  [
    "dsn",
    { integrations: ["postgres"] },
    { postgresDataSourceName: "host=db user=app password=topsecret" },
    "postgresDataSourceName",
    /postgresql:\/\//,
  ],
  [
    "dsn",
    { integrations: ["postgres"] },
    { postgresDataSourceName: "mysql://app:topsecret@db/app" },
    "postgresDataSourceName",
    /postgresql:\/\//,
  ],
  [
    "dsn",
    { integrations: ["postgres"] },
    { postgresDataSourceName: "postgresql://db:5432/app?topsecret" },
    "postgresDataSourceName",
    /names no user/,
  ],
  [
    "dsn",
    { integrations: ["postgres"] },
    { postgresDataSourceName: "postgresql://app:topsecret@db/app?sslmode=yes" },
    "postgresDataSourceName",
    /sslmode/,
  ],
  // Go template syntax where Alertmanager/Prometheus evaluate templates
  [
    "template",
    { runbookBaseUrl: "https://wiki.example.com/{{ $labels.job }}" },
    {},
    "runbookBaseUrl",
    /template syntax/,
    "{{ $labels.job }}",
  ],
  [
    "template",
    { receivers: ["email"], emailTo: "{{ .CommonLabels.team }}@example.com", emailFrom: "b@example.com", smtpSmarthost: "smtp:25" },
    {},
    "emailTo",
    /template syntax/,
    "CommonLabels",
  ],
  [
    "template",
    { receivers: ["email"], emailTo: "a@example.com", emailFrom: "alerts+{{.Status}}@example.com", smtpSmarthost: "smtp:25" },
    {},
    "emailFrom",
    /template syntax/,
    "Status",
  ],
  ["template", { slackChannelCritical: "#alerts-{{ .Status }}" }, {}, "slackChannelCritical", /#alerts-critical/, "Status"],
  [
    "template",
    { receivers: ["email"], emailTo: "a@example.com", emailFrom: "b@example.com", smtpSmarthost: "smtp:25", smtpUsername: "{{ x }}" },
    { smtpPassword: "smtp-topsecret-pw" },
    "smtpUsername",
    /template syntax/,
    "{{ x }}",
  ],
  // URLs with control characters
  ["url", { runbookBaseUrl: "https://wiki.example.com/run\nbooks" }, {}, "runbookBaseUrl", /control character|whitespace/],
  ["url", { runbookBaseUrl: "https://wiki.example.com/\u0007" }, {}, "runbookBaseUrl", /control character/],
  [
    "url",
    { integrations: ["blackbox"], blackboxTargets: ["https://example.com/\tx"] },
    {},
    "blackboxTargets",
    /control character|whitespace/,
  ],
  ["url", { runbookBaseUrl: "javascript:alert(1)" }, {}, "runbookBaseUrl", /https?:\/\//, "javascript:alert(1)"],
  // CIDRs: host bits, non-canonical octets, union wider than a /8
  ["cidr", { ...EC2, sshAllowedCidrs: ["10.0.0.1/8"] }, {}, "sshAllowedCidrs[0]", /host bits.*10\.0\.0\.0\/8/, '"10.0.0.1/8"'],
  ["cidr", { ...EC2, sshAllowedCidrs: ["010.0.0.0/8"] }, {}, "sshAllowedCidrs[0]", /leading zeros/, '"010.0.0.0/8"'],
  ["cidr", { ...EC2, sshAllowedCidrs: ["0.0.0.0/1", "128.0.0.0/1"] }, {}, "sshAllowedCidrs", /more than a \/8/, "128.0.0.0/1"],
  ["cidr", { ...EC2, sshAllowedCidrs: ["0.0.0.0/0"] }, {}, "sshAllowedCidrs", /more than a \/8/, "0.0.0.0/0"],
  ["cidr", { ...DOMAIN, grafanaAllowedCidrs: ["10.0.0.0/7"] }, {}, "grafanaAllowedCidrs", /more than a \/8/, "10.0.0.0/7"],
  [
    "cidr",
    { ...DOMAIN, grafanaAllowedCidrs: ["203.0.113.7/24"] },
    {},
    "grafanaAllowedCidrs[0]",
    /host bits.*203\.0\.113\.0\/24/,
    '"203.0.113.7/24"',
  ],
  ["cidr", { ...DOMAIN, grafanaAllowedCidrs: ["2001:db8::/32"] }, {}, "grafanaAllowedCidrs[0]", /IPv6/, '"2001:db8::/32"'],
  // ports: reserved on ec2, distinct
  ["port", { ...EC2, grafanaPort: 22 }, {}, "grafanaPort", /reserved for sshd/, "22"],
  ["port", { ...EC2, prometheusPort: 22 }, {}, "prometheusPort", /reserved for sshd/, "22"],
  ["port", { ...EC2, lokiPort: 443 }, {}, "lokiPort", /reserved for the TLS proxy's HTTPS port/, "443"],
  ["port", { ...EC2, alertmanagerPort: 80 }, {}, "alertmanagerPort", /reserved/, "80"],
  ["port", { grafanaDomain: "grafana.example.org", grafanaPort: 443 }, {}, "grafanaPort", /reserved/, "443"],
  ["port", { lokiPort: 9090 }, {}, "lokiPort", /already the port of prometheusPort/, "9090"],
  // unknown keys, with did-you-mean
  ["unknown key", { grafanaPrt: 3001 }, {}, "grafanaPrt", /did you mean grafanaPort\?/],
  ["unknown key", { scrapeinterval: "30s" }, {}, "scrapeinterval", /did you mean scrapeInterval\?/],
  ["unknown key", { sshAllowedCidr: ["198.51.100.7/32"] }, {}, "sshAllowedCidr", /did you mean sshAllowedCidrs\?/],
  ["unknown key", { totallyUnrelatedKnob: true }, {}, "totallyUnrelatedKnob", /not a setting of this program \(/],
  // reserved Docker network names
  ["network", { networks: ["bridge"] }, {}, "networks", /built-in/, '"bridge"'],
  ["network", { networks: ["host"] }, {}, "networks", /built-in/, '"host"'],
  ["network", { networks: ["none"] }, {}, "networks", /built-in/, '"none"'],
  ["network", { networks: ["observability"] }, {}, "networks", /a network this program creates/, '"observability"'],
  // KPI PromQL that does not parse
  [
    "promql",
    { kpis: [{ title: "Orders", expr: "sum(rate(orders_total[5m])" }] },
    {},
    "kpis[0].expr",
    /does not parse as PromQL/,
    "orders_total",
  ],
  [
    "promql",
    { kpis: [{ title: "Orders", expr: "sum by job (orders_total)" }] },
    {},
    "kpis[0].expr",
    /does not parse as PromQL/,
    "sum by job",
  ],
  // root volume smaller than the retention size, the restore check's scratch copy and the headroom
  [
    "volume",
    { ...EC2, rootVolumeGb: 100 },
    {},
    "rootVolumeGb",
    /smaller than prometheusRetentionSize 50GB plus as much again for the restore check's scratch copy of a backup plus 20 GB.*at least 120/,
    "100",
  ],
  [
    "volume",
    { ...EC2, backupEnabled: false, rootVolumeGb: 60 },
    {},
    "rootVolumeGb",
    /smaller than prometheusRetentionSize 50GB plus 20 GB.*at least 70/,
    "60",
  ],
  ["volume", { ...EC2, prometheusRetentionSize: "200GB" }, {}, "rootVolumeGb", /at least 420/, "120"],
  // restore id
  [
    "restore",
    { restoreFrom: "latest", restoreOverwrite: true },
    {},
    "restoreId",
    /empty while restoreOverwrite is true; name this restore/,
  ],
  ["restore", { restoreFrom: "latest", restoreId: "../x" }, {}, "restoreId", /letters, digits/, '"../x"'],
  ["restore", { restoreId: "r1" }, {}, "restoreId", /set while restoreFrom is empty/],
  // TLS settings
  ["tls", { grafanaDomain: "https://grafana.example.com" }, {}, "grafanaDomain", /DNS name/, '"https://grafana.example.com"'],
  ["tls", { grafanaDomain: "grafana.example.com", acmeEmail: "ops" }, {}, "acmeEmail", /e-mail address/, '"ops"'],
  [
    "tls",
    { grafanaDomain: "grafana.example.com", acmeCa: "http://ca.example.com/directory" },
    {},
    "acmeCa",
    /https URL/,
    "http://ca.example.com/directory",
  ],
  ["tls", { acmeEmail: "ops@example.com" }, {}, "acmeEmail", /only used with grafanaDomain/],
  [
    "tls",
    { grafanaDomain: "grafana.example.com", route53ZoneId: "Z0123456789ABCDEFGHIJ" },
    {},
    "route53ZoneId",
    /only used with target ec2/,
  ],
  ["tls", { ...EC2, grafanaAllowedCidrs: ["203.0.113.0/24"] }, {}, "grafanaAllowedCidrs", /only used with grafanaDomain/],
  ["tls", { ...EC2, grafanaDomain: "grafana.example.com" }, {}, "grafanaAllowedCidrs", /is empty/],
  ["tls", { ...EC2, grafanaBindAddress: "0.0.0.0" }, {}, "grafanaBindAddress", /loopback/, '"0.0.0.0"'],
];

test("the table covers at least 60 bad values across every class", () => {
  expect(R.length).toBeGreaterThanOrEqual(60);
  expect(new Set(R.map((r) => r[0]))).toEqual(
    new Set([
      "duration",
      "size",
      "image",
      "secret",
      "dsn",
      "template",
      "url",
      "cidr",
      "port",
      "unknown key",
      "network",
      "promql",
      "volume",
      "tls",
      "restore",
    ]),
  );
});

describe.each(R)("%s: %j", (_cls, values, secrets, key, accepted, shown) => {
  test("is refused with one message naming the key, the value and what is accepted", () => {
    const all = problems(values, secrets);
    const prefix = `observability-stack:${key}`;
    const mine = all.filter((p) => p.startsWith(`${prefix}:`) || p.startsWith(`${prefix}[`));
    expect({ all, count: mine.length }).toEqual({ all, count: 1 });
    expect(mine[0]).toMatch(accepted);
    if (shown !== undefined) expect(mine[0]).toContain(shown);
    // Secrets never appear in any message.
    for (const v of Object.values(secrets)) if (v.trim() !== "") expect(all.join("\n")).not.toContain(v.trim());
    expect(all.join("\n")).not.toContain("topsecret");
  });
});

describe("neighbours that are accepted", () => {
  test.each<[string, Record<string, unknown>, Record<string, string>]>([
    ["scrape interval at its bounds", { scrapeInterval: "1s", evaluationInterval: "5m" }, {}],
    [
      "retention at 10y and a large size with room",
      { ...EC2, prometheusRetentionTime: "10y", prometheusRetentionSize: "80GB", rootVolumeGb: 180 },
      {},
    ],
    ["without backups, no scratch to count", { ...EC2, backupEnabled: false, prometheusRetentionSize: "80GB", rootVolumeGb: 100 }, {}],
    ["an overwrite restore with its id", { restoreFrom: "latest", restoreOverwrite: true, restoreId: "2026-12-07-host-lost" }, {}],
    ["pinned releases with suffixes", { caddyImage: "caddy:2.11.4-alpine", grafanaImage: "grafana/grafana:13.2.0" }, {}],
    ["a /8 in two halves, acknowledged", { ...EC2, allowWideIngress: true, sshAllowedCidrs: ["10.0.0.0/9", "10.128.0.0/9"] }, {}],
    [
      "https secrets and a 32-character key",
      { receivers: ["slack", "pagerduty"] },
      { slackWebhookUrl: SECRET_SLACK, pagerdutyRoutingKey: "0123456789abcdef0123456789abcdef" },
    ],
    ["a full TLS setup on ec2", { ...DOMAIN, acmeEmail: "ops@example.com", route53ZoneId: "Z0123456789ABCDEFGHIJ" }, {}],
    ["80 and 443 on a local host without the proxy", { grafanaPort: 443, lokiPort: 80 }, {}],
    ["a KPI that parses", { kpis: [{ title: "Orders", expr: "sum(rate(orders_total[5m])) * 60" }] }, {}],
  ])("%s", (_what, values, secrets) => {
    expect(problems(values, secrets)).toEqual([]);
  });
});
