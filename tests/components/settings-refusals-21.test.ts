// Issue 21: values that would hurt at `up` are refused before any resource, each with one message
// naming its key and what is accepted. One row per bad value: [class, settings, secrets, key,
// message fragment, text the message must not contain (a credential)]. Beside the table: the
// neighbours just inside each line, which are accepted, and the committed stacks, which still load.
import { settingsProblems } from "../helpers/settings-source";
import * as path from "node:path";
import { ed25519HostKey } from "../../configs/ssh-keys";
import { ROOT, stackConfig } from "../../harness/mock-program";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIBCt215KpDas5Dt4ZLwGVIXApwaumyXtt6mDi+n4DHZ me@example.com";
const EC2 = { target: "ec2", sshPublicKey: KEY, sshAllowedCidrs: ["198.51.100.7/32"] };
const LOCAL_TLS = { grafanaDomain: "grafana.example.com", proxyBindAddress: "192.0.2.10" };
const EMAIL = {
  receivers: ["email"],
  emailTo: "oncall@example.com",
  emailFrom: "alerts@example.com",
  smtpSmarthost: "smtp.example.com:587",
};
const RW = { remoteWrite: "https://mimir.example.com/api/v1/push" };
const PG = { integrations: ["postgres"] };

const problems = settingsProblems;

function sshString(s: string | Buffer): Buffer {
  const b = typeof s === "string" ? Buffer.from(s) : s;
  const n = Buffer.alloc(4);
  n.writeUInt32BE(b.length);
  return Buffer.concat([n, b]);
}

/** An openssh-key-v1 file encrypted with a passphrase (cipher aes256-ctr): the header is what counts. */
function encryptedOpensshKey(): string {
  const one = Buffer.alloc(4);
  one.writeUInt32BE(1);
  const body = Buffer.concat([
    Buffer.from("openssh-key-v1\0", "latin1"),
    sshString("aes256-ctr"),
    sshString("bcrypt"),
    sshString(Buffer.concat([sshString(Buffer.alloc(16, 1)), Buffer.from([0, 0, 0, 16])])),
    one,
    sshString(Buffer.concat([sshString("ssh-ed25519"), sshString(Buffer.alloc(32, 2))])),
    sshString(Buffer.alloc(64, 3)),
  ]);
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${body.toString("base64")}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

type Row = [cls: string, values: Record<string, unknown>, secrets: Record<string, string>, key: string, fragment: RegExp, hidden?: string];

const cyrillicA = "\u0430";
const R: Row[] = [
  // credentials inside URLs: the message names the secret setting that exists, or says none does
  [
    "credentials",
    { remoteWrite: "https://tenant:s3cretpw@mimir.example.com/api/v1/push" },
    {},
    "remoteWrite",
    /secret setting remoteWritePassword/,
    "s3cretpw",
  ],
  [
    "credentials",
    { remoteWrite: "https://mimir.example.com/api/v1/push?access_token=tok-abc123" },
    {},
    "remoteWrite",
    /access_token.*secret setting remoteWriteBearerToken/,
    "tok-abc123",
  ],
  [
    "credentials",
    { remoteWrite: "https://vm.example.com/api/v1/write?api_key=k-998877" },
    {},
    "remoteWrite",
    /api_key.*remoteWriteBearerToken/,
    "k-998877",
  ],
  [
    "credentials",
    { integrations: ["blackbox"], blackboxTargets: ["https://probe:pw1234@status.example.com/health"] },
    {},
    "blackboxTargets",
    /no setting of this program holds a credential/,
    "pw1234",
  ],
  [
    "credentials",
    { integrations: ["blackbox"], blackboxTargets: ["https://status.example.com/health?token=tok999"] },
    {},
    "blackboxTargets",
    /token.*instance|alert text/,
    "tok999",
  ],
  [
    "credentials",
    { integrations: ["blackbox"], blackboxTargets: ["https://api.example.com/ping?x=1&sig=abcd1234"] },
    {},
    "blackboxTargets",
    /sig/,
    "abcd1234",
  ],
  [
    "credentials",
    { integrations: ["blackbox"], blackboxTargets: ["https://s3.example.com/o?X-Amz-Signature=deadbeef42"] },
    {},
    "blackboxTargets",
    /X-Amz-Signature/,
    "deadbeef42",
  ],
  [
    "credentials",
    { runbookBaseUrl: "https://wiki.example.com/runbooks?private_token=glpat-xyz" },
    {},
    "runbookBaseUrl",
    /private_token.*no setting/,
    "glpat-xyz",
  ],
  [
    "credentials",
    { runbookBaseUrl: "https://bob:hunter2@wiki.example.com/runbooks" },
    {},
    "runbookBaseUrl",
    /user name or password/,
    "hunter2",
  ],
  [
    "credentials",
    { ...LOCAL_TLS, acmeCa: "https://ca.example.com/directory?api_key=zzz777" },
    {},
    "acmeCa",
    /api_key.*no setting/,
    "zzz777",
  ],
  // A URL refused for another reason too: the credential is what the message is about, never echoed.
  [
    "credentials",
    { remoteWrite: "http://tenant:plainpw9@mimir.example.com/api/v1/push" },
    {},
    "remoteWrite",
    /remoteWritePassword/,
    "plainpw9",
  ],
  [
    "credentials",
    { integrations: ["blackbox"], blackboxTargets: ["ftp://probe:ftppw55@files.example.com/"] },
    {},
    "blackboxTargets",
    /credential/,
    "ftppw55",
  ],
  // link-local and metadata addresses, in every address-valued setting
  ["link-local", { services: [{ name: "api", targets: ["169.254.169.254:80"] }] }, {}, "services[0].targets", /instance metadata service/],
  ["link-local", { services: [{ name: "api", targets: ["2852039166:80"] }] }, {}, "services[0].targets", /link-local address \(169\.254/],
  ["link-local", { services: [{ name: "api", targets: ["0xa9fea9fe:80"] }] }, {}, "services[0].targets", /link-local/],
  ["link-local", { integrations: ["rabbitmq"], rabbitmqTargets: ["169.254.1.5:15692"] }, {}, "rabbitmqTargets", /link-local/],
  ["link-local", { integrations: ["redis"], redisAddress: "169.254.169.254:6379" }, {}, "redisAddress", /link-local/],
  [
    "link-local",
    { integrations: ["blackbox"], blackboxTargets: ["http://169.254.169.254/latest/meta-data/"] },
    {},
    "blackboxTargets",
    /instance metadata service/,
  ],
  [
    "link-local",
    { integrations: ["blackbox"], blackboxTargets: ["http://[fd00:ec2::254]/latest/api/token"] },
    {},
    "blackboxTargets",
    /fd00:ec2::254/,
  ],
  ["link-local", { integrations: ["blackbox"], blackboxTargets: ["http://[fe80::1]:8080/"] }, {}, "blackboxTargets", /fe80::\/10/],
  [
    "link-local",
    { integrations: ["blackbox"], blackboxTargets: ["http://[::ffff:169.254.169.254]/"] },
    {},
    "blackboxTargets",
    /written as IPv6/,
  ],
  [
    "link-local",
    { integrations: ["blackbox"], blackboxTargets: ["http://instance-data/latest/"] },
    {},
    "blackboxTargets",
    /name of the instance metadata service/,
  ],
  ["link-local", { ...EMAIL, smtpSmarthost: "169.254.169.254:25" }, {}, "smtpSmarthost", /link-local/],
  ["link-local", { remoteWrite: "https://169.254.169.254/api/v1/push" }, {}, "remoteWrite", /link-local/],
  ["link-local", { ...LOCAL_TLS, acmeCa: "https://169.254.169.254/directory" }, {}, "acmeCa", /link-local/],
  ["link-local", { grafanaBindAddress: "169.254.10.10" }, {}, "grafanaBindAddress", /link-local/],
  ["link-local", { grafanaDomain: "grafana.example.com", proxyBindAddress: "169.254.0.1" }, {}, "proxyBindAddress", /link-local/],
  ["link-local", { dockerHost: "tcp://169.254.169.254:2375" }, {}, "dockerHost", /link-local/],
  [
    "link-local",
    PG,
    { postgresDataSourceName: "postgresql://app:pgpw-77@169.254.169.254:5432/app" },
    "postgresDataSourceName",
    /link-local.*not shown/,
  ],
  [
    "link-local",
    { receivers: ["webhook"] },
    { webhookUrl: "https://169.254.169.254/hook-secret-1" },
    "webhookUrl",
    /instance metadata service/,
  ],
  // label names that break the catalogue
  ["label", { services: [{ name: "api", targets: ["api:8080"], labels: { le: "x" } }] }, {}, "services[0].labels.le", /bucket\/quantile/],
  [
    "label",
    { services: [{ name: "api", targets: ["api:8080"], labels: { quantile: "x" } }] },
    {},
    "services[0].labels.quantile",
    /bucket\/quantile/,
  ],
  [
    "label",
    { services: [{ name: "api", targets: ["api:8080"], labels: { __name__: "x" } }] },
    {},
    "services[0].labels.__name__",
    /starts with __/,
  ],
  [
    "label",
    { services: [{ name: "api", targets: ["api:8080"], labels: { __address__: "x" } }] },
    {},
    "services[0].labels.__address__",
    /starts with __/,
  ],
  [
    "label",
    { services: [{ name: "api", targets: ["api:8080"], labels: { exported_job: "x" } }] },
    {},
    "services[0].labels.exported_job",
    /exported_/,
  ],
  [
    "label",
    { services: [{ name: "api", targets: ["api:8080"], labels: { exported_instance: "x" } }] },
    {},
    "services[0].labels.exported_instance",
    /exported_/,
  ],
  [
    "label",
    { services: [{ name: "api", targets: ["api:8080"], labels: { instance: "x" } }] },
    {},
    "services[0].labels.instance",
    /set by the stack/,
  ],
  // look-alike text
  ["look-alike", { runbookBaseUrl: "https://wiki.example.com/\u200brunbooks" }, {}, "runbookBaseUrl", /invisible character \(U\+200B/],
  ["look-alike", { slackChannelCritical: "#alerts\u202ecritical" }, {}, "slackChannelCritical", /U\+202E/],
  ["look-alike", { kpis: [{ title: "Orders\u200d", expr: "sum(orders_total)" }] }, {}, "kpis", /U\+200D/],
  ["look-alike", { grafanaAdminUser: "admin\u2066" }, {}, "grafanaAdminUser", /U\+2066/],
  ["look-alike", { ...EMAIL, emailTo: `onc${cyrillicA}ll@example.com` }, {}, "emailTo", /non-ASCII.*e-mail address/],
  ["look-alike", { ...LOCAL_TLS, acmeEmail: `ops@ex${cyrillicA}mple.com` }, {}, "acmeEmail", /non-ASCII/],
  [
    "look-alike",
    { grafanaDomain: `graf${cyrillicA}na.example.com`, proxyBindAddress: "192.0.2.10" },
    {},
    "grafanaDomain",
    /non-ASCII.*xn--/,
  ],
  [
    "look-alike",
    { integrations: ["blackbox"], blackboxTargets: [`https://ex${cyrillicA}mple.com/`] },
    {},
    "blackboxTargets",
    /non-ASCII.*xn--/,
  ],
  ["look-alike", { services: [{ name: "api", targets: [`${cyrillicA}pi:8080`] }] }, {}, "services[0].targets", /non-ASCII/],
  ["look-alike", { ...EMAIL, smtpSmarthost: `smtp.ex${cyrillicA}mple.com:587` }, {}, "smtpSmarthost", /non-ASCII/],
  [
    "look-alike",
    { receivers: ["webhook"] },
    { webhookUrl: `https://hooks.ex${cyrillicA}mple.com/hook-secret-2` },
    "webhookUrl",
    /non-ASCII.*not shown/,
  ],
  [
    "look-alike",
    { receivers: ["slack"] },
    { slackWebhookUrl: "https://hooks.slack.com/\u200bservices/T0/B0/hook-secret-3" },
    "slackWebhookUrl",
    /U\+200B.*not shown/,
  ],
  // discovery that selects everything or the wrong port
  [
    "discovery",
    { ...EC2, ec2Discovery: [{ name: "all", port: 9100, tags: { Name: "*" } }] },
    {},
    "ec2Discovery[0].tags.Name",
    /every instance/,
  ],
  [
    "discovery",
    { ...EC2, ec2Discovery: [{ name: "all", port: 9100, tags: { Name: "**" } }] },
    {},
    "ec2Discovery[0].tags.Name",
    /whole region/,
  ],
  [
    "discovery",
    { ...EC2, ec2Discovery: [{ name: "all", port: 9100, tags: { Name: "?*" } }] },
    {},
    "ec2Discovery[0].tags.Name",
    /every instance/,
  ],
  ["discovery", { ...EC2, ec2Discovery: [{ name: "ssh", port: 22, tags: { role: "web" } }] }, {}, "ec2Discovery[0].port", /sshd/],
  [
    "discovery",
    { ...EC2, ec2Discovery: [{ name: "proms", port: 9090, tags: { role: "web" } }] },
    {},
    "ec2Discovery[0].port",
    /stack's own Prometheus/,
  ],
  [
    "discovery",
    { ...EC2, ec2Discovery: [{ name: "lokis", port: 3100, tags: { role: "web" } }] },
    {},
    "ec2Discovery[0].port",
    /stack's own Loki/,
  ],
  ["discovery", { ...EC2, ec2Discovery: [{ name: "alloys", port: 12345, tags: { role: "web" } }] }, {}, "ec2Discovery[0].port", /Alloy/],
  // values that only fail at or after `up`
  ["after up", { ...RW, remoteWriteUsername: "tenant" }, { remoteWritePassword: "" }, "remoteWritePassword", /is empty/],
  ["after up", RW, { remoteWriteBearerToken: "tok-line\nX-Injected: 1" }, "remoteWriteBearerToken", /line break/, "X-Injected"],
  ["after up", { integrations: ["redis"], redisAddress: "redis:6379" }, { redisPassword: "" }, "redisPassword", /is empty/],
  [
    "after up",
    { integrations: ["redis"], redisAddress: "redis:6379" },
    { redisPassword: "redispw-1\r\n" },
    "redisPassword",
    /line break/,
    "redispw-1",
  ],
  ["after up", { ...EMAIL, smtpUsername: "alerts" }, { smtpPassword: "smtp\npw-2" }, "smtpPassword", /line break/, "pw-2"],
  [
    "after up",
    { receivers: ["pagerduty"] },
    { pagerdutyRoutingKey: "0123456789abcdef0123456789abcdef\n" },
    "pagerdutyRoutingKey",
    /line break/,
    "0123456789abcdef",
  ],
  [
    "after up",
    { ...EC2, sshPublicKey: "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIIBCt215KpDas5Dt4ZLwGVIXApwaumyXtt6mDi+n4DHZ me" },
    {},
    "sshPublicKey",
    /says ssh-rsa but its base64 part holds a "ssh-ed25519" key/,
  ],
  [
    "after up",
    { ...EC2, sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIBCt215KpDas5Dt4ZLw me" },
    {},
    "sshPublicKey",
    /not an SSH key blob|not 32 bytes/,
  ],
  ["after up", { ...EC2, sshPublicKey: "ssh-ed25519 not*base64 me" }, {}, "sshPublicKey", /no valid base64/],
  ["after up", { ...EC2, sshPublicKey: "ssh-dss AAAAB3NzaC1kc3M= me" }, {}, "sshPublicKey", /key type this program accepts/],
  [
    "after up",
    EC2,
    { sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n" },
    "sshPrivateKey",
    /begins as OPENSSH PRIVATE KEY but ends as RSA PRIVATE KEY/,
  ],
  ["after up", EC2, { sshPrivateKey: "id_ed25519" }, "sshPrivateKey", /not a PEM or OpenSSH key envelope/],
  ["after up", EC2, { sshPrivateKey: encryptedOpensshKey() }, "sshPrivateKey", /passphrase/],
  [
    "after up",
    EC2,
    {
      sshPrivateKey:
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n",
    },
    "sshPrivateKey",
    /passphrase/,
  ],
  [
    "after up",
    EC2,
    { sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END OPENSSH PRIVATE KEY-----\n" },
    "sshPrivateKey",
    /openssh-key-v1/,
  ],
  ["after up", { ...EC2, instanceType: "t3.medium" }, {}, "instanceType", /add up to \d+ MB, more than the 3072 MB left/],
  ["after up", { ...EC2, instanceType: "t4g.xlarge" }, {}, "instanceType", /Arm/],
  ["after up", { ...EC2, instanceType: "z9.mega" }, {}, "instanceType", /not in the program's table of instance types/],
  ["after up", { prometheusMemoryMb: 64 }, {}, "prometheusMemoryMb", /below the 256 MB Prometheus needs to start/],
  ["after up", { socketProxyMemoryMb: 6 }, {}, "socketProxyMemoryMb", /below the 8 MB/],
  ["after up", { ...EC2, lokiMemoryMb: 20000 }, {}, "lokiMemoryMb", /more than t3\.xlarge can give one container/],
  ["after up", { restoreFrom: "20991231T000000Z" }, {}, "restoreFrom", /in the future/],
  ["after up", { restoreFrom: "20261332T250000Z" }, {}, "restoreFrom", /not a real date/],
  ["after up", { dockerHost: "ssh://ops@docker host" }, {}, "dockerHost", /whitespace or a control character/],
  ["after up", { dockerHost: "unix:///var/run/docker.sock\n" }, {}, "dockerHost", /whitespace or a control character/],
  // images of privileged containers from another repository
  ["image", { socketProxyImage: "evil.example.com/socket-proxy:1.13.1" }, {}, "socketProxyImage", /Docker socket.*trustedRegistries/],
  ["image", { lokiImage: "someone/loki:3.7.8" }, {}, "lokiImage", /instance role.*docker\.io\/grafana\/loki/],
  ["image", { cadvisorImage: "docker.io/someone/cadvisor:v0.60.6" }, {}, "cadvisorImage", /capabilities SYSLOG/],
  ["image", { backupImage: "quay.io/aws/aws-cli:2.37.12" }, {}, "backupImage", /instance role.*capabilities DAC_OVERRIDE/],
  ["image", { caddyImage: "ghcr.io/someone/caddy:2.11.4" }, {}, "caddyImage", /NET_BIND_SERVICE/],
  ["image", { trustedRegistries: ["https://registry.example.com"] }, {}, "trustedRegistries", /not a registry host/],
  // names the program owns
  ["network", { networks: ["observability-docker-api"] }, {}, "networks", /a network this program creates/],
  // exposure without a fence
  ["exposure", { grafanaDomain: "grafana.example.com" }, {}, "proxyBindAddress", /every interface.*no allow-list/],
  ["exposure", { grafanaDomain: "grafana.example.com", proxyBindAddress: "0.0.0.0" }, {}, "proxyBindAddress", /allowWideIngress/],
  ["exposure", { ...EC2, sshAllowedCidrs: ["10.0.0.0/8"] }, {}, "sshAllowedCidrs", /more than a \/16.*allowWideIngress/],
  ["exposure", { ...EC2, sshAllowedCidrs: ["10.0.0.0/16", "10.1.0.0/16"] }, {}, "sshAllowedCidrs", /more than a \/16/],
  [
    "exposure",
    { ...EC2, grafanaDomain: "grafana.example.com", grafanaAllowedCidrs: ["3.0.0.0/8"] },
    {},
    "grafanaAllowedCidrs",
    /more than a \/16.*allowWideIngress/,
  ],
  [
    "exposure",
    { ...EC2, grafanaDomain: "grafana.example.com", grafanaAllowedCidrs: ["203.0.113.0/24"], proxyBindAddress: "203.0.113.5" },
    {},
    "proxyBindAddress",
    /only used with target local/,
  ],
  ["exposure", { ...EC2, allowWideIngress: "yes" }, {}, "allowWideIngress", /use true or false/],
  // mail credentials in clear
  [
    "mail",
    { ...EMAIL, smtpUsername: "alerts", smtpRequireTls: false },
    { smtpPassword: "smtp-pw-3" },
    "smtpRequireTls",
    /in clear/,
    "smtp-pw-3",
  ],
  [
    "mail",
    { ...EMAIL, smtpUsername: "alerts", smtpRequireTls: false, smtpAllowPlainAuth: "please" },
    { smtpPassword: "smtp-pw-7" },
    "smtpAllowPlainAuth",
    /use true or false/,
  ],
  [
    "mail",
    { ...EMAIL, smtpSmarthost: "smtp.example.com:25", smtpUsername: "alerts", smtpRequireTls: false },
    { smtpPassword: "smtp-pw-4" },
    "smtpRequireTls",
    /smtpAllowPlainAuth/,
  ],
];

const CLASSES = ["credentials", "link-local", "label", "look-alike", "discovery", "after up", "image", "network", "exposure", "mail"];

test("the table holds at least 60 bad values across every class of issue 21", () => {
  expect(R.length).toBeGreaterThanOrEqual(60);
  expect(new Set(R.map((r) => r[0]))).toEqual(new Set(CLASSES));
});

describe.each(R)("%s: %j %j", (_cls, values, secrets, key, fragment, hidden) => {
  test("is refused with one message naming the key and what is accepted, and no credential in any message", () => {
    const all = problems(values, secrets);
    const prefix = `observability-stack:${key}`;
    const mine = all.filter((p) => p.startsWith(`${prefix}:`) || p.startsWith(`${prefix}[`));
    expect({ all, count: mine.length }).toEqual({ all, count: 1 });
    expect(mine[0]).toMatch(fragment);
    if (hidden !== undefined) expect(all.join("\n")).not.toContain(hidden);
    for (const v of Object.values(secrets)) if (v.trim().length > 8) expect(all.join("\n")).not.toContain(v.trim());
  });
});

describe("neighbours that are accepted", () => {
  const host = ed25519HostKey(Buffer.alloc(32, 9));
  test.each<[string, Record<string, unknown>, Record<string, string>]>([
    ["a remote-write URL with an ordinary query", { remoteWrite: "https://mimir.example.com/api/v1/push?tenant=team-a" }, {}],
    ["a probe of an IDN in punycode", { integrations: ["blackbox"], blackboxTargets: ["https://xn--exmple-4nf.com/health"] }, {}],
    ["free-text KPI titles in any script", { kpis: [{ title: "Umsatz pro Minute — Größe ✓", expr: "sum(orders_total)" }] }, {}],
    ["a target next to the link-local range", { services: [{ name: "api", targets: ["169.253.255.255:80", "169.255.0.1:80"] }] }, {}],
    [
      "label names that only look reserved",
      { services: [{ name: "api", targets: ["api:8080"], labels: { level: "x", quantiles: "y", _exported: "z" } }] },
      {},
    ],
    [
      "a Name pattern with fixed text, and node-exporter's port",
      { ...EC2, ec2Discovery: [{ name: "web", port: 9100, tags: { Name: "web-*" } }] },
      {},
    ],
    [
      "a parsed host key as the user's key and an unencrypted OpenSSH private key",
      { ...EC2, sshPublicKey: host.publicOpenssh },
      { sshPrivateKey: host.privateOpenssh },
    ],
    ["an instance type just large enough", { ...EC2, instanceType: "m7i.large" }, {}],
    ["a past restore stamp", { restoreFrom: "20261202T050000Z" }, {}],
    [
      "a privileged image by digest, and one from a trusted registry",
      {
        socketProxyImage: `evil.example.com/socket-proxy@sha256:${"a".repeat(64)}`,
        lokiImage: "registry.example.com/grafana/loki:3.7.8",
        trustedRegistries: ["registry.example.com"],
      },
      {},
    ],
    ["a newer release from the default repository", { lokiImage: "grafana/loki:3.7.9", caddyImage: "caddy:2.11.5" }, {}],
    [
      "the proxy on every interface, acknowledged",
      { grafanaDomain: "grafana.example.com", proxyBindAddress: "0.0.0.0", allowWideIngress: true },
      {},
    ],
    ["a /16 for SSH", { ...EC2, sshAllowedCidrs: ["10.20.0.0/16"] }, {}],
    ["a provider's /8, acknowledged", { ...EC2, allowWideIngress: true, sshAllowedCidrs: ["3.0.0.0/8"] }, {}],
    [
      "SMTP auth on port 465 (TLS from the first byte)",
      { ...EMAIL, smtpSmarthost: "smtp.example.com:465", smtpUsername: "alerts", smtpRequireTls: false },
      { smtpPassword: "smtp-pw-5" },
    ],
    [
      "SMTP auth in clear, explicitly allowed",
      { ...EMAIL, smtpUsername: "alerts", smtpRequireTls: false, smtpAllowPlainAuth: true },
      { smtpPassword: "smtp-pw-6" },
    ],
  ])("%s", (_what, values, secrets) => {
    expect(problems(values, secrets)).toEqual([]);
  });
});

describe("the committed stacks still load", () => {
  test.each(["dev", "prod"])("Pulumi.%s.yaml", (stack) => {
    const { config } = stackConfig(path.join(ROOT, `Pulumi.${stack}.yaml`));
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(config)) {
      const key = k.replace(/^observability-stack:/, "");
      try {
        values[key] = JSON.parse(v);
      } catch {
        values[key] = v;
      }
    }
    expect(problems(values)).toEqual([]);
  });
});
