// LIVE PROOF of the redundant pair (issue 22): two real Alertmanagers clustered over mutual TLS
// with the flags of configs/cluster.ts, two real Prometheus servers with the `pair` prometheus.yml
// and their replica's external labels, evaluating the catalogue's service-health rules, and a
// webhook receiver counting notifications per alert (harness/cluster.ts). One cluster serves every
// scenario; each scenario kills its own fake application target, so its ServiceDown is its own
// alert (group alertname/service/severity) and earlier scenarios cannot add to its count.
//
// Time scale (production in brackets; `npm run bench:notify -- --ha` runs production timings):
//   - scrape and evaluation interval 500ms                               [15s]
//   - rule `for:` divided by TIME_SCALE = 30 (ServiceDown 2s)           [1m]
//   - group_wait at most 1s, group_interval 2s (SUITE_ROUTE_TIMINGS)     [critical 10s, 5m]
//   - --cluster.peer-timeout 1500ms, a tenth of production               [15s]
//   - --cluster.settle-timeout 3s                                        [Alertmanager's 1m]
//   - Prometheus --rules.alert.resend-delay 2s                           [1m]
// The peer timeout stays below group_interval, as in production (15s < 5m): b's flush, which
// waits one peer timeout, then ends before its next one starts, so b flushes in step with a and
// both decide on the same state of a group. With a 3s peer timeout against the suite's 2s
// group_interval b drifted out of step, and when an alert resolved b sent a stale "firing" after
// a's "resolved" (then a second "resolved") in two of three runs: the upstream behaviour of
// prometheus/alertmanager#2447 and #4008 (Alertmanager 0.33.1 here; the same DedupStage logic on
// main after 0.34.0).
// Gossip settles and both Prometheus discover both Alertmanagers before the first alert (an alert
// fired before discovery would wait for the resend delay).
import { liveSuite } from "../helpers/live-test";
import * as childProcess from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tls from "node:tls";
import { PairCluster } from "../../harness/cluster";
import { alertmanagerClusterCheck, prometheusAlertmanagersCheck } from "../../scripts/lib/doctor/cluster";
import { FakeService, Notification, WebhookAlert, WebhookReceiver, sleep, waitFor } from "../../harness/processes";
import { durationSeconds } from "../../configs/prometheus";
import { GOSSIP_SERVER_NAME, REPLICA_LABEL } from "../../configs/cluster";
import { SUITE_ROUTE_TIMINGS } from "../../harness/live-stack";

const TIME_SCALE = 30;
const PEER_TIMEOUT = "1500ms";
const RESEND_DELAY = "2s";
const EVALUATION = "500ms";
/** How long a duplicate could still arrive after the first notification: the other member's wait, a flush, margin. */
const QUIET_MS = (durationSeconds(PEER_TIMEOUT) + durationSeconds(SUITE_ROUTE_TIMINGS.groupInterval) + 2) * 1000;
/** A firing alert Prometheus stops sending expires at its endsAt: 4 × max(evaluation interval, resend delay). */
const EXPIRY_MS = 4 * Math.max(durationSeconds(EVALUATION), durationSeconds(RESEND_DELAY)) * 1000;
/** One application target per scenario. */
const TARGETS = ["baseline", "am-a-killed", "am-b-killed", "prom-killed", "replica-kept"] as const;
type Target = (typeof TARGETS)[number];

let hooks: WebhookReceiver;
let cluster: PairCluster;
const services = {} as Record<Target, FakeService>;

function log(msg: string): void {
  console.log(`[cluster ${new Date().toISOString().slice(11, 23)}] ${msg}`);
}

/** Its tests: a failure message carries the webhook record and the process log tails. */
const suite = liveSuite(() => `webhook notifications so far:\n${hooks?.summary(40) ?? "(none)"}\n\n${cluster?.logTails(20) ?? ""}`);
const live = suite.test;

/** Every (notification, alert) pair in which the critical receiver heard of ServiceDown for `target` with `status`. */
function deliveries(target: Target, status: "firing" | "resolved"): { n: Notification; a: WebhookAlert }[] {
  return hooks.notifications
    .filter((n) => n.path === "/webhook" && n.receiver === "critical")
    .flatMap((n) =>
      n.alerts
        .filter((a) => a.labels.alertname === "ServiceDown" && a.labels.service === target && a.status === status)
        .map((a) => ({ n, a })),
    );
}

/** What a person saw: how many notifications told them, and how many distinct alerts (label sets) they named. */
function seen(target: Target, status: "firing" | "resolved"): { notifications: number; alerts: number } {
  const d = deliveries(target, status);
  return { notifications: new Set(d.map((x) => x.n)).size, alerts: new Set(d.map((x) => JSON.stringify(x.a.labels))).size };
}

/** The one-notification property: one notification, naming one alert. */
function expectOneNotification(target: Target, status: "firing" | "resolved"): void {
  expect({ target, status, ...seen(target, status) }).toEqual({ target, status, notifications: 1, alerts: 1 });
}

const senders = (target: Target, status: "firing" | "resolved") => [...new Set(deliveries(target, status).map((x) => x.n.externalURL))];
const amUrl = (member: string) => cluster.member(member).am.baseUrl;

async function killTargetAndWaitForNotification(target: Target): Promise<void> {
  const since = Date.now();
  await services[target].stop();
  await waitFor(`ServiceDown for ${target} notified`, () => deliveries(target, "firing").length > 0, 30000, 100);
  log(`${target}: first notification ${((Date.now() - since) / 1000).toFixed(1)}s after the kill`);
  await sleep(QUIET_MS);
}

async function restoreTargetAndWaitForResolved(target: Target): Promise<void> {
  await services[target].start();
  await waitFor(`ServiceDown for ${target} resolved`, () => deliveries(target, "resolved").length > 0, 30000, 100);
  await sleep(QUIET_MS);
}

/** Whether a member's Alertmanager holds the target's ServiceDown as active. */
async function holds(member: string, target: Target): Promise<boolean> {
  const alerts = await cluster.member(member).am.alerts();
  return alerts.some((a) => a.labels.alertname === "ServiceDown" && a.labels.service === target && a.status.state === "active");
}

beforeAll(async () => {
  hooks = new WebhookReceiver();
  await hooks.start();
  for (const t of TARGETS) {
    services[t] = new FakeService(t);
    await services[t].start();
  }
  cluster = await PairCluster.create({
    name: "cluster",
    stack: "live",
    scrapeInterval: EVALUATION,
    evaluationInterval: EVALUATION,
    timeScale: TIME_SCALE,
    ruleFiles: ["service-health.yml", "cluster.yml"],
    routeTimings: "suite",
    resendDelay: RESEND_DELAY,
    peerTimeout: PEER_TIMEOUT,
    settleTimeout: "3s",
    services: TARGETS.map((t) => ({
      name: t,
      targets: [`127.0.0.1:${services[t].port}`],
      metricsPath: "/metrics",
      scheme: "http",
      labels: {},
    })),
    webhookUrl: hooks.url("/webhook"),
    heartbeatUrl: hooks.url("/heartbeat"),
  });
  await cluster.startAll(60000);
  log(`pair ready in ${cluster.dir}`);
}, 120000);

afterAll(async () => {
  if (hooks) log(`notifications received (${hooks.notifications.length}):\n${hooks.summary(60)}`);
  await cluster?.stopAll();
  for (const s of Object.values(services)) await s.stop();
  await hooks?.stop();
  if (suite.failed && cluster) console.log(`cluster suite failed: logs and configs kept in ${cluster.dir}`);
  else cluster?.cleanup();
}, 60000);

/** Opens a TLS connection to a member's gossip port; resolves with the handshake's outcome after the server's answer. */
function gossipHandshake(member: string, withClientCert: boolean): Promise<string> {
  const [host, port] = cluster.member(member).gossip.split(":");
  const cert = (f: string) => fs.readFileSync(path.join(cluster.certDir, f));
  return new Promise((resolve) => {
    const socket = tls.connect({
      host,
      port: Number(port),
      servername: GOSSIP_SERVER_NAME,
      ca: cert("ca.crt"),
      ...(withClientCert ? { cert: cert("b.crt"), key: cert("b.key") } : {}),
    });
    socket.setTimeout(5000, () => socket.destroy(new Error("timeout")));
    // TLS 1.3 reports a refused client certificate only on the first read: wait for one.
    socket.once("secureConnect", () => setTimeout(() => (socket.destroy(), resolve("open")), 500));
    socket.once("error", (e) => resolve(`refused: ${e.message}`));
  });
}

live(
  "cluster: promtool and amtool accept each member's files; both members settled with peers a and b over mutual TLS",
  async () => {
    for (const out of cluster.checkConfigs()) expect(out).toMatch(/SUCCESS/);
    expect(await cluster.settledPeers("a")).toEqual(["a", "b"]);
    expect(await cluster.settledPeers("b")).toEqual(["a", "b"]);
    // The gossip port speaks TLS, presents a certificate for GOSSIP_SERVER_NAME signed by the CA,
    // and refuses a client without a certificate.
    expect(await gossipHandshake("a", true)).toBe("open");
    expect(await gossipHandshake("a", false)).toMatch(/^refused/);
    // The stand-in certificates carry the program's profile (GOSSIP_CERTIFICATES; the program's
    // own resources are checked against it in tests/program/golden-prod-pair.test.ts).
    const text = (file: string) =>
      childProcess.execFileSync("openssl", ["x509", "-in", path.join(cluster.certDir, file), "-noout", "-text"], { encoding: "utf8" });
    expect(text("ca.crt")).toMatch(/CA:TRUE[\s\S]*Certificate Sign, CRL Sign/);
    for (const m of ["a", "b"]) {
      const cert = text(`${m}.crt`);
      expect(cert).toContain("NIST CURVE: P-256");
      expect(cert).toContain(`DNS:${GOSSIP_SERVER_NAME}`);
      expect(cert).toMatch(/Digital Signature, Key Encipherment/);
      expect(cert).toContain("TLS Web Server Authentication, TLS Web Client Authentication");
    }
  },
  30000,
);

live(
  "cluster: the doctor's pair checks pass on each member (cluster ready with both, Prometheus sending to both) and fail for a third member",
  async () => {
    for (const m of ["a", "b"]) {
      const am = { url: amUrl(m) };
      const prom = { url: cluster.member(m).prom.baseUrl };
      expect(await alertmanagerClusterCheck(am, 2, 5000)).toMatchObject({
        ok: true,
        detail: expect.stringMatching(/^status ready, 2 member\(s\): a \(/),
      });
      expect(await prometheusAlertmanagersCheck(prom, 2, 5000)).toMatchObject({ ok: true });
      expect(await alertmanagerClusterCheck(am, 3, 5000)).toMatchObject({
        ok: false,
        detail: expect.stringMatching(/the pair needs 3 members/),
      });
      expect(await prometheusAlertmanagersCheck(prom, 3, 5000)).toMatchObject({ ok: false });
    }
  },
  30000,
);

live(
  "cluster: exactly one notification per alert, sent by position 0 (a) while b holds the alert too; exactly one resolved",
  async () => {
    await killTargetAndWaitForNotification("baseline");
    expectOneNotification("baseline", "firing");
    expect(senders("baseline", "firing")).toEqual([amUrl("a")]);
    // b received the alert as well and stayed silent because of the shared notification log.
    expect(await holds("b", "baseline")).toBe(true);
    await restoreTargetAndWaitForResolved("baseline");
    expectOneNotification("baseline", "resolved");
    expectOneNotification("baseline", "firing");
  },
  90000,
);

for (const [killed, survivor, target, storage] of [
  ["a", "b", "am-a-killed", "its storage kept"],
  ["b", "a", "am-b-killed", "fresh storage"],
] as const) {
  live(
    `cluster: Alertmanager ${killed} (position ${killed === "a" ? 0 : 1}) killed: one notification from the survivor ${survivor}; ` +
      `${killed} rejoins with ${storage}: no duplicate`,
    async () => {
      await cluster.member(killed).alertmanager.kill();
      await killTargetAndWaitForNotification(target);
      expectOneNotification(target, "firing");
      expect(senders(target, "firing")).toEqual([amUrl(survivor)]);

      await cluster.startAlertmanager(killed, { freshStorage: storage === "fresh storage" });
      await cluster.waitClusterSettled(30000);
      // The rejoined member gets the alert at Prometheus's next resend, then flushes its group.
      await waitFor(`${killed} holds ServiceDown for ${target}`, () => holds(killed, target), 20000, 250);
      await sleep(QUIET_MS);
      expectOneNotification(target, "firing");
      expect(deliveries(target, "resolved")).toEqual([]);
    },
    90000,
  );
}

live(
  "cluster: killing one Prometheus produces neither a resolved nor a duplicate notification; nor does its return",
  async () => {
    await killTargetAndWaitForNotification("prom-killed");
    expectOneNotification("prom-killed", "firing");
    await cluster.member("a").prometheus.kill();
    // Past the expiry of everything Prometheus a sent: b's resends alone keep the alert firing.
    await sleep(EXPIRY_MS + QUIET_MS);
    expect(await holds("a", "prom-killed")).toBe(true);
    expect(await holds("b", "prom-killed")).toBe(true);
    expect(deliveries("prom-killed", "resolved")).toEqual([]);
    expectOneNotification("prom-killed", "firing");

    await cluster.startPrometheus("a");
    await cluster.waitDiscovered(30000);
    const firingOnA = async () =>
      (await cluster.member("a").prom.alerts()).some(
        (x) => x.labels.alertname === "ServiceDown" && x.labels.service === "prom-killed" && x.state === "firing",
      );
    await waitFor("Prometheus a firing ServiceDown again", firingOnA, 30000, 250);
    await sleep(QUIET_MS);
    expectOneNotification("prom-killed", "firing");
    expect(deliveries("prom-killed", "resolved")).toEqual([]);
    await restoreTargetAndWaitForResolved("prom-killed");
    expectOneNotification("prom-killed", "resolved");
  },
  120000,
);

live(
  "cluster: negative control: keeping the replica label notifies two alerts, so the one-notification test would fail",
  async () => {
    await cluster.setKeepReplicaLabel(true);
    await services["replica-kept"].stop();
    await waitFor("both replicas' copies notified", () => seen("replica-kept", "firing").alerts >= 2, 30000, 100);
    expect(seen("replica-kept", "firing").alerts).toBe(2);
    expect([...new Set(deliveries("replica-kept", "firing").map((x) => x.a.labels[REPLICA_LABEL]))].sort()).toEqual(["a", "b"]);
    expect(() => expectOneNotification("replica-kept", "firing")).toThrow();
  },
  60000,
);
