// LIVE PROOF of `npm run doctor`: the real Prometheus (behind its rendered web config, with the
// stack's rules), Alertmanager (the rendered alertmanager.yml with the doctor's test route),
// node_exporter (on the fixture host, with the backup job's textfile metrics) and an application
// on 127.0.0.1; Grafana and Loki, whose binaries cannot run here, are servers answering with their
// documented responses (fixtures/doctor/responses.ts names each page). The doctor passes against
// the healthy set, delivers its test notification to every receiver, and fails naming the check
// for each fault: a target down, a rule file missing, a datasource unhealthy, Loki receiving no
// logs, Alertmanager dead, a receiver refusing deliveries, a backup too old, a certificate
// untrusted or near expiry, and an address that answers nothing or answers as something else.
import { integrationScrapeConfigs } from "../../integrations";
import * as fs from "node:fs";
import * as path from "node:path";
import { spawn } from "node:child_process";
import * as bcrypt from "bcryptjs";
import { FakeService, ManagedProcess, WebhookReceiver, freePort, startCaddyWithLocalCa, toolPath, waitFor } from "../../harness/processes";
import { LiveStack, oneServiceStack } from "../../harness/live-stack";
import { FakeGrafana, FakeLoki } from "./fixtures/doctor/servers";
import { GRAFANA_SEARCH } from "./fixtures/doctor/responses";
import { PROMETHEUS_USERS, prometheusWebFlags, renderPrometheusWebConfig } from "../../configs/prometheus-web";
import { renderPrometheusConfig } from "../../configs/prometheus";
import { DATASOURCE_UIDS } from "../../configs/grafana-datasources";
import { DOCTOR_TEST } from "../../configs/alertmanager";
import { CheckResult, DEFAULT_OPTIONS, DoctorTargets, Expectations, runDoctor } from "../../scripts/lib/doctor";
import { doctorReceivers, ruleGroupNames } from "../../scripts/lib/doctor/expected";
import { basicAuth } from "../../scripts/lib/doctor/http";
import { tlsCheck } from "../../scripts/lib/doctor/tls";
import { renderCaddyfile } from "../../configs/caddy";

const ADMIN_PASSWORD = "adminPw0rdLmn012";
const SELF_PASSWORD = "selfPw0rdAbc123";

let stack: LiveStack;
let shop: FakeService;
let hooks: WebhookReceiver;
let grafana: FakeGrafana;
let loki: FakeLoki;
let targets: DoctorTargets;
let expected: Expectations;
let prometheusArgs: string[];

const OPTS = { ...DEFAULT_OPTIONS, timeoutMs: 3000, notifyTimeoutMs: 15_000 };
const doctor = (t: DoctorTargets = targets, notify = false) => runDoctor(t, expected, { ...OPTS, notify });
const failedNames = (rs: readonly CheckResult[]) => rs.filter((r) => !r.ok).map((r) => r.name);
const show = (rs: readonly CheckResult[]) => rs.map((r) => `${r.ok ? "ok" : "FAIL"} ${r.name}: ${r.detail}`).join("\n");

/** Runs the doctor until `pred` holds (a fault takes a scrape or a reload to show), bounded. */
async function doctorUntil(what: string, pred: (rs: CheckResult[]) => boolean, timeoutMs = 15_000): Promise<CheckResult[]> {
  let last: CheckResult[] = [];
  try {
    return await waitFor(
      what,
      async () => {
        last = await doctor();
        return pred(last) ? last : undefined;
      },
      timeoutMs,
      500,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${show(last)}\n${stack.logTails(15)}`);
  }
}

function writeBackupMetrics(ageSeconds: number): void {
  const at = Math.floor(Date.now() / 1000) - ageSeconds;
  fs.writeFileSync(
    path.join(stack.textfileDir, "backup.prom"),
    [
      "# TYPE observability_backup_last_success_timestamp_seconds gauge",
      `observability_backup_last_success_timestamp_seconds{backup="prometheus"} ${at}`,
      "# TYPE observability_backup_last_run_timestamp_seconds gauge",
      `observability_backup_last_run_timestamp_seconds{backup="prometheus"} ${at}`,
      "# TYPE observability_backup_last_run_success gauge",
      'observability_backup_last_run_success{backup="prometheus"} 1',
      "",
    ].join("\n"),
  );
}

function startPrometheus(): void {
  stack.prometheus = new ManagedProcess(
    "prometheus",
    toolPath("prometheus"),
    prometheusArgs,
    path.join(stack.dir, "logs", "prometheus-auth.log"),
  );
  stack.prometheus.start();
}

async function prometheusReady(): Promise<void> {
  await waitFor(
    "Prometheus ready (authenticated)",
    async () => {
      stack.prometheus.assertRunning();
      const r = await fetch(`${targets.prometheus!.url}/-/ready`, {
        headers: basicAuth(PROMETHEUS_USERS.admin, ADMIN_PASSWORD),
        signal: AbortSignal.timeout(2000),
      });
      return r.ok;
    },
    30_000,
  );
}

beforeAll(async () => {
  hooks = new WebhookReceiver();
  await hooks.start();
  shop = new FakeService("shop");
  await shop.start();
  stack = await LiveStack.create({
    name: "doctor",
    scrapeInterval: "1s",
    evaluationInterval: "1s",
    timeScale: 30,
    routeTimings: "suite",
    ...oneServiceStack("shop", shop.port, { webhookUrl: hooks.url("/webhook"), heartbeatUrl: hooks.url("/heartbeat") }),
    // No blackbox integration: the doctor's target check must see every target up.
    integrations: {},
    run: { nodeExporter: true, blackbox: false, alertmanager: true },
    backup: true,
  });
  writeBackupMetrics(60);

  // Prometheus as the stack runs it: basic auth from web.yml, the self-scrape with its password file.
  const hashes = {
    [PROMETHEUS_USERS.admin]: bcrypt.hashSync(ADMIN_PASSWORD, 4),
    [PROMETHEUS_USERS.self]: bcrypt.hashSync(SELF_PASSWORD, 4),
  };
  const webConfig = path.join(stack.dir, "web.yml");
  fs.writeFileSync(webConfig, renderPrometheusWebConfig(hashes));
  const selfPasswordFile = path.join(stack.dir, "secrets", "self_password");
  fs.writeFileSync(selfPasswordFile, SELF_PASSWORD, { mode: 0o400 });
  const o = stack.opts;
  fs.writeFileSync(
    stack.files.prometheus,
    renderPrometheusConfig({
      scrapeInterval: o.scrapeInterval,
      evaluationInterval: o.evaluationInterval,
      endpoints: stack.endpoints,
      services: o.services,
      integrationJobs: integrationScrapeConfigs(o.integrations, o.services),
      ruleFiles: Object.keys(stack.files)
        .filter((k) => k.startsWith("rules/"))
        .map((k) => stack.files[k]),
      components: o.components,
      selfAuth: { username: PROMETHEUS_USERS.self, passwordFile: selfPasswordFile },
    }),
  );
  prometheusArgs = [
    `--config.file=${stack.files.prometheus}`,
    `--storage.tsdb.path=${stack.promDataDir}`,
    `--web.listen-address=${stack.endpoints.prometheus}`,
    ...prometheusWebFlags(webConfig),
    // Here only, to take a rule file away without a restart.
    "--web.enable-lifecycle",
  ];

  grafana = new FakeGrafana("admin", "grafanaPw0rd");
  grafana.alertmanagerUrl = `http://${stack.endpoints.alertmanager}`;
  await grafana.start();
  loki = new FakeLoki();
  await loki.start();

  const amYml = fs.readFileSync(stack.files.alertmanager, "utf8");
  expected = {
    alertmanagerConfig: amYml,
    ruleGroups: ruleGroupNames(Object.values(stack.rules)),
    dashboards: GRAFANA_SEARCH.length,
    datasources: [DATASOURCE_UIDS.prometheus, DATASOURCE_UIDS.loki, DATASOURCE_UIDS.alertmanager],
    receivers: doctorReceivers(amYml),
    backupIntervalHours: 6,
  };
  targets = {
    grafana: { url: grafana.url, user: "admin", password: "grafanaPw0rd" },
    prometheus: { url: `http://${stack.endpoints.prometheus}`, user: PROMETHEUS_USERS.admin, password: ADMIN_PASSWORD },
    alertmanager: { url: `http://${stack.endpoints.alertmanager}` },
    loki: { url: loki.url },
  };

  await stack.startExporters();
  await stack.startAlertmanager();
  startPrometheus();
  await prometheusReady();
}, 60_000);

afterAll(async () => {
  await stack?.stopAll();
  await Promise.all([shop?.stop(), hooks?.stop(), grafana?.stop(), loki?.stop()]);
  stack?.cleanup();
});

test("doctor: every check passes against the healthy stack, one line each", async () => {
  const results = await doctorUntil("every check to pass (targets scraped, rules evaluated)", (rs) => rs.every((r) => r.ok), 20_000);
  const names = results.map((r) => r.name);
  for (const n of [
    "grafana health",
    "grafana login",
    "grafana dashboards",
    "prometheus ready",
    "prometheus auth",
    "prometheus targets",
    "prometheus rule groups",
    "prometheus rule evaluation",
    "backups",
    "alertmanager ready",
    "alertmanager config",
    "notifications",
    "notifications, last 15 min",
    "loki ready",
    "loki logs",
  ]) {
    expect(names).toContain(n);
  }
  for (const uid of expected.datasources!) expect(names).toContain(`grafana datasource ${uid}`);
  expect(results.find((r) => r.name === "prometheus targets")?.detail).toMatch(/^4 targets up$/);
  expect(results.find((r) => r.name === "loki logs")?.detail).toContain("prometheus (12)");
}, 30_000);

test("doctor --notify: the labelled test alert reaches every configured receiver, and the webhook receives it", async () => {
  const since = Date.now();
  const results = await doctor(targets, true);
  const notify = results.find((r) => r.name === "test notification");
  expect({ notify, failed: failedNames(results) }).toEqual({ notify: expect.objectContaining({ ok: true }), failed: [] });
  expect(expected.receivers).toEqual(["critical", "warning", "info"]);
  for (const receiver of expected.receivers!) {
    await hooks.waitFor(
      `${DOCTOR_TEST.alertname} at ${receiver}`,
      (n) => n.receiver === receiver && n.alertnames.includes(DOCTOR_TEST.alertname),
      10_000,
      since,
    );
  }
}, 30_000);

test("doctor: a target down fails the target check, naming the target and its last error", async () => {
  await shop.stop();
  try {
    const rs = await doctorUntil("the shop target to be down", (r) => failedNames(r).includes("prometheus targets"));
    expect(failedNames(rs)).toEqual(["prometheus targets"]);
    expect(rs.find((r) => r.name === "prometheus targets")?.detail).toMatch(
      /1 of 4 not up: shop http:\/\/127\.0\.0\.1:\d+\/metrics \(down: .*connection refused\)/,
    );
  } finally {
    await shop.start();
  }
  await doctorUntil("the shop target back up", (r) => !failedNames(r).includes("prometheus targets"));
}, 40_000);

test("doctor: a rule file missing fails the rule-group check, naming its groups", async () => {
  const file = stack.files["rules/latency.yml"];
  const saved = fs.readFileSync(file, "utf8");
  const reload = () =>
    fetch(`${targets.prometheus!.url}/-/reload`, {
      method: "POST",
      headers: basicAuth(PROMETHEUS_USERS.admin, ADMIN_PASSWORD),
      signal: AbortSignal.timeout(10_000),
    });
  fs.writeFileSync(file, "groups: []\n");
  try {
    expect((await reload()).status).toBe(200);
    const rs = await doctorUntil("the latency groups to be gone", (r) => failedNames(r).includes("prometheus rule groups"));
    expect(failedNames(rs)).toEqual(["prometheus rule groups"]);
    expect(rs.find((r) => r.name === "prometheus rule groups")?.detail).toBe("missing: latency.rules, latency");
  } finally {
    fs.writeFileSync(file, saved);
    await reload();
  }
}, 30_000);

test("doctor: an unhealthy datasource fails its own line, with Grafana's message", async () => {
  grafana.unhealthy = DATASOURCE_UIDS.loki;
  try {
    const rs = await doctor();
    expect(failedNames(rs)).toEqual([`grafana datasource ${DATASOURCE_UIDS.loki}`]);
    expect(rs.find((r) => !r.ok)?.detail).toContain('Loki (loki): ERROR: Post "http://loki:3100/loki/api/v1/query"');
  } finally {
    grafana.unhealthy = undefined;
  }
});

test("doctor: Loki receiving no logs fails the log check", async () => {
  loki.receiving = false;
  try {
    const rs = await doctor();
    expect(failedNames(rs)).toEqual(["loki logs"]);
    expect(rs.find((r) => !r.ok)?.detail).toMatch(/no line from any container in the last 5 minutes/);
  } finally {
    loki.receiving = true;
  }
});

test("doctor: a backup older than the interval fails the backup check", async () => {
  writeBackupMetrics(7 * 3600);
  try {
    const rs = await doctorUntil("the old backup to be scraped", (r) => failedNames(r).includes("backups"));
    expect(rs.find((r) => r.name === "backups")?.detail).toMatch(/older than the 6 h interval: prometheus 420 min ago/);
  } finally {
    writeBackupMetrics(60);
  }
  await doctorUntil("the fresh backup scraped", (r) => !failedNames(r).includes("backups"));
}, 30_000);

test("doctor: a dead address and a wrong one each fail with a clear line, never pass", async () => {
  const dead = `http://127.0.0.1:${grafana.port}`;
  await grafana.stop();
  try {
    const rs = await doctor({ ...targets, grafana: { url: dead, user: "admin", password: "x" }, loki: { url: targets.prometheus!.url } });
    const g = rs.find((r) => r.name === "grafana health");
    expect(g).toEqual({
      name: "grafana health",
      ok: false,
      detail: expect.stringMatching(new RegExp(`^GET ${dead}/api/health: .*ECONNREFUSED`)),
    });
    // Prometheus answers /ready with 404 (and asks for credentials): not Loki.
    expect(rs.find((r) => r.name === "loki ready")).toEqual({
      name: "loki ready",
      ok: false,
      detail: expect.stringMatching(/^HTTP (401|404)/),
    });
  } finally {
    await grafana.start();
  }
});

test("doctor (npm run doctor, the command line): exit 0 on the healthy stack, 1 naming the failed check", async () => {
  const dir = stack.dir;
  fs.writeFileSync(path.join(dir, "expected.json"), JSON.stringify(expected));
  fs.writeFileSync(path.join(dir, "grafana_pw"), "grafanaPw0rd");
  fs.writeFileSync(path.join(dir, "prom_pw"), ADMIN_PASSWORD);
  const args = (grafanaUrl: string) => [
    path.join(__dirname, "..", "..", "node_modules", "ts-node", "dist", "bin.js"),
    "--transpile-only",
    path.join(__dirname, "..", "..", "scripts", "doctor.ts"),
    "--expect-file",
    path.join(dir, "expected.json"),
    "--grafana-url",
    grafanaUrl,
    "--grafana-user",
    "admin",
    "--grafana-password-file",
    path.join(dir, "grafana_pw"),
    "--prometheus-url",
    targets.prometheus!.url,
    "--prometheus-user",
    PROMETHEUS_USERS.admin,
    "--prometheus-password-file",
    path.join(dir, "prom_pw"),
    "--alertmanager-url",
    targets.alertmanager!.url,
    "--loki-url",
    loki.url,
  ];
  // Asynchronous: the Grafana and Loki stand-ins answer from this process.
  const run = (grafanaUrl: string) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn(process.execPath, args(grafanaUrl), { env: process.env });
      let out = "";
      p.stdout!.on("data", (c: Buffer) => (out += c.toString()));
      p.stderr!.on("data", (c: Buffer) => (out += c.toString()));
      p.on("close", (code) => resolve({ code, out }));
    });
  const ok = await run(grafana.url);
  expect({ code: ok.code, out: ok.out }).toEqual({ code: 0, out: expect.stringContaining("doctor: all ") });
  expect(ok.out).toMatch(/^ok {4}prometheus targets +4 targets up$/m);
  const closed = `http://127.0.0.1:${await freePort()}`;
  const bad = await run(closed);
  expect(bad.code).toBe(1);
  expect(bad.out).toMatch(new RegExp(`^FAIL {2}grafana health +GET ${closed}/api/health: .*ECONNREFUSED`, "m"));
  expect(bad.out).toContain("checks failed: grafana health");
}, 60_000);

describe("doctor: the TLS check against the real Caddy (rendered Caddyfile, its internal CA, in front of the Grafana stand-in)", () => {
  const DOMAIN = "grafana.test";
  let caddy: ManagedProcess;
  let httpsPort: number;
  let rootCa: string;

  beforeAll(async () => {
    const dir = path.join(stack.dir, "caddy");
    fs.mkdirSync(dir);
    httpsPort = await freePort();
    const file = path.join(dir, "Caddyfile");
    fs.writeFileSync(
      file,
      renderCaddyfile({
        domain: DOMAIN,
        upstream: `127.0.0.1:${grafana.port}`,
        internalCa: true,
        httpPort: await freePort(),
        httpsPort,
        bindAddress: "127.0.0.1",
      }),
    );
    ({ process: caddy, rootCa } = await startCaddyWithLocalCa(
      dir,
      file,
      "Caddy's certificate for the site",
      async (ca) => (await tlsCheck(DOMAIN, { host: "127.0.0.1", port: httpsPort }, 0, 2000, ca)).ok,
    ));
  }, 30_000);
  afterAll(async () => caddy?.stop(5000));

  test("doctor: a trusted certificate passes, naming issuer and expiry; too few days left fails", async () => {
    const ok = await tlsCheck(DOMAIN, { host: "127.0.0.1", port: httpsPort }, 0, 3000, rootCa);
    expect(ok).toEqual({
      name: "tls certificate",
      ok: true,
      detail: expect.stringMatching(/^grafana\.test: issued by Caddy Local Authority.*, expires .* \(0 days\)$/),
    });
    // Caddy's internal leaf certificates live 12 hours: below any sensible minimum.
    const short = await tlsCheck(DOMAIN, { host: "127.0.0.1", port: httpsPort }, 14, 3000, rootCa);
    expect(short).toEqual({ name: "tls certificate", ok: false, detail: expect.stringContaining("fewer than 14 days left") });
  });

  test("doctor: an untrusted certificate, a name it does not cover, and no TLS listener each fail", async () => {
    expect((await tlsCheck(DOMAIN, { host: "127.0.0.1", port: httpsPort }, 0, 3000)).detail).toMatch(/^grafana\.test: not trusted: /);
    expect((await tlsCheck("other.test", { host: "127.0.0.1", port: httpsPort }, 0, 3000, rootCa)).ok).toBe(false);
    const plain = await tlsCheck(DOMAIN, { host: "127.0.0.1", port: grafana.port }, 0, 3000, rootCa);
    expect(plain.ok).toBe(false);
  });
});

test("doctor: a receiver that refuses deliveries fails the notification checks, naming the integration", async () => {
  const port = hooks.port;
  await hooks.stop();
  try {
    await doctor(targets, true);
    const rs = await doctorUntil(
      "the failed webhook deliveries to be scraped",
      (r) => failedNames(r).includes("notifications, last 15 min"),
      20_000,
    );
    expect(rs.find((r) => r.name === "notifications, last 15 min")?.detail).toMatch(/^failed deliveries: webhook \d+/);
  } finally {
    await hooks.start(port);
  }
}, 40_000);

test("doctor: Alertmanager dead fails its checks, naming it", async () => {
  await stack.stopAlertmanager();
  const rs = await doctor();
  const am = rs.filter((r) => r.name.startsWith("alertmanager"));
  expect(am).toEqual([
    { name: "alertmanager ready", ok: false, detail: expect.stringMatching(/^GET http:\/\/127\.0\.0\.1:\d+\/-\/ready: .*ECONNREFUSED/) },
  ]);
  // Grafana's Alertmanager datasource says so too; Prometheus's own target check names it once scraped.
  expect(failedNames(rs)).toEqual(expect.arrayContaining(["alertmanager ready", `grafana datasource ${DATASOURCE_UIDS.alertmanager}`]));
  expect(rs.find((r) => r.name === `grafana datasource ${DATASOURCE_UIDS.alertmanager}`)?.detail).toBe(
    'Alertmanager (alertmanager): through Grafana\'s proxy, HTTP 502 {"message":"Bad Gateway"}',
  );
});
