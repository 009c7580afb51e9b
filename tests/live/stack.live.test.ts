// LIVE PROOF: the rendered prometheus.yml, rule files and alertmanager.yml run on the real
// Prometheus 3 / Alertmanager / node_exporter / blackbox_exporter binaries (.tools/bin), on
// 127.0.0.1, against a fake application service and an in-process webhook receiver.
//
// Time scale of this suite (production values in brackets; bench-notify uses production):
//   - scrape_interval and evaluation_interval 1s                          [15s]
//   - every rule `for:` divided by TIME_SCALE = 30 (ServiceDown 2s)        [1m]
//   - Alertmanager: group_wait at most 1s, group_interval 2s              [0s-5m, 1m-30m]
//     (harness/live-stack.ts SUITE_ROUTE_TIMINGS; routes/receivers/inhibitions unchanged)
//   - Prometheus --rules.alert.resend-delay=2s                            [1m]
// Everything else (routing tree, receivers, matchers, inhibit rules, rule expressions,
// labels, annotations, secret files) is the production rendering.
//
// node_exporter reads a fixture host (harness/host-fixture.ts, harness/fixtures/host/),
// not this machine: a busy CI runner's load, memory or disk writes cannot fire a host alert,
// and the host cases (9a/9b) make them fire by rewriting the fixture.
import { liveSuite } from "../helpers/live-test";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import {
  FakeService,
  ManagedProcess,
  Notification,
  PromRuleGroup,
  WebhookReceiver,
  carries,
  freePort,
  isZeroTime,
  sleep,
  toolPath,
  waitFor,
} from "../../harness/processes";
import { REAL_FILESYSTEM_AND_TIMEX_ARGS, committedHostTextfile, familyShapes } from "../../harness/host-fixture";
import { LiveStack, RUNBOOK_BASE, oneServiceStack } from "../../harness/live-stack";
import { buildDashboards } from "../../dashboards";
import { metricsOf } from "../../integrations";
import { DashboardInput } from "../../dashboards/lib/input";
import { dashboardInput } from "../../integrations";
import { durationSeconds } from "../../configs/prometheus";
import { DashboardJson, collectQueries, promqlMetricNames, substituteVariables } from "../helpers/query-check";

const TIME_SCALE = 30;
const SHOP = "shop";
const EXPECTED_JOBS = ["alertmanager", "blackbox", "node-exporter", "prometheus", SHOP];

let hooks: WebhookReceiver;
let shop: FakeService;
let stack: LiveStack;

function log(msg: string): void {
  console.log(`[live ${new Date().toISOString().slice(11, 23)}] ${msg}`);
}

/** Its tests: a failure message carries the webhook record and the process log tails. */
const suite = liveSuite(() => `webhook notifications so far:\n${hooks?.summary() ?? "(none)"}\n\n` + (stack ? stack.logTails(25) : ""));
const live = suite.test;

const isCritical = (n: Notification) => n.receiver === "critical" && n.path === "/webhook";
const isWarning = (n: Notification) => n.receiver === "warning" && n.path === "/webhook";
const shopLabels = { service: SHOP, job: SHOP };

/** The rendered (time-scaled) `for:` of an alert, in ms. */
function renderedForMs(alertname: string): number {
  for (const text of Object.values(stack.rules)) {
    for (const g of (yaml.load(text) as { groups: { rules: { alert?: string; for?: string }[] }[] }).groups) {
      const rule = g.rules.find((r) => r.alert === alertname);
      if (rule) return durationSeconds(rule.for ?? "0s") * 1000;
    }
  }
  throw new Error(`no alert ${alertname} in the rendered rules`);
}

async function promAlert(alertname: string, labels: Record<string, string>, state: "pending" | "firing") {
  const alerts = await stack.prom.alerts();
  return alerts.find(
    (a) => a.labels.alertname === alertname && a.state === state && Object.entries(labels).every(([k, v]) => a.labels[k] === v),
  );
}

async function amAlert(alertname: string, labels: Record<string, string>) {
  const alerts = await stack.am.alerts();
  return alerts.find((a) => a.labels.alertname === alertname && Object.entries(labels).every(([k, v]) => a.labels[k] === v));
}

beforeAll(async () => {
  hooks = new WebhookReceiver();
  await hooks.start();
  shop = new FakeService(SHOP);
  await shop.start();
  stack = await LiveStack.create({
    name: "suite",
    scrapeInterval: "1s",
    evaluationInterval: "1s",
    timeScale: TIME_SCALE,
    routeTimings: "suite",
    resendDelay: "2s",
    ...oneServiceStack(SHOP, shop.port, { webhookUrl: hooks.url("/webhook"), heartbeatUrl: hooks.url("/heartbeat") }),
  });
  // A textfile metric, like the backup job writes, so the textfile collector has real input.
  fs.writeFileSync(path.join(stack.textfileDir, "live.prom"), "# TYPE live_suite_marker gauge\nlive_suite_marker 1\n");
  log(`stack in ${stack.dir}; areas loaded: ${Object.keys(stack.rules).join(", ")}`);
  await stack.startAll();
  log("all processes ready");
}, 90000);

afterAll(async () => {
  // What else the real rules did with real data during the run (informational).
  if (stack?.prometheus.running) {
    const firing = await stack.prom.alerts().catch(() => []);
    log(
      `alerts active in Prometheus at the end: ${[...new Set(firing.map((a) => `${a.labels.alertname}(${a.state})`))].sort().join(", ")}`,
    );
  }
  if (hooks) {
    const seen = [
      ...new Set(
        hooks.notifications.map(
          (n) => `${n.receiver}:${n.alertnames.join("+")}{job=${[...new Set(n.alerts.map((a) => a.labels.job))].join("|")}}:${n.status}`,
        ),
      ),
    ].sort();
    log(`notifications received (${hooks.notifications.length}): ${seen.join(", ")}`);
  }
  await stack?.stopAll();
  await shop?.stop();
  await hooks?.stop();
  if (suite.failed && stack) {
    console.log(`live suite failed: logs and configs kept in ${stack.dir}`);
  } else {
    stack?.cleanup();
  }
}, 60000);

live(
  "(0) promtool and amtool accept the rendered configuration",
  async () => {
    const out = stack.checkConfigs();
    expect(out.promtool).toMatch(/SUCCESS/);
    expect(out.amtool).toMatch(/SUCCESS/);
  },
  60000,
);

live(
  "(1) every target is up and every rule group evaluates with health ok",
  async () => {
    const targets = await waitFor(
      "every target up",
      async () => {
        const t = await stack.prom.targets();
        const jobs = [...new Set(t.map((x) => x.labels.job))].sort();
        const down = t.filter((x) => x.health !== "up");
        if (JSON.stringify(jobs) !== JSON.stringify(EXPECTED_JOBS) || down.length > 0) {
          throw new Error(`jobs ${jobs.join(",")}; not up: ${down.map((x) => `${x.scrapeUrl} ${x.health} ${x.lastError}`).join("; ")}`);
        }
        return t;
      },
      30000,
    );
    expect(targets.every((t) => t.health === "up")).toBe(true);
    // The application target carries the labels the rules rely on.
    const shopTarget = targets.find((t) => t.labels.job === SHOP)!;
    expect(shopTarget.labels).toMatchObject({ service: SHOP, tier: "app" });

    // Every rule of every rendered group has been evaluated at least once.
    const renderedGroups = Object.values(stack.rules).flatMap((text) =>
      (yaml.load(text) as { groups: { name: string }[] }).groups.map((g) => g.name),
    );
    const groups = await waitFor<PromRuleGroup[]>(
      "every rule evaluated",
      async () => {
        const g = await stack.prom.ruleGroups();
        const notYet = g.flatMap((gr) =>
          isZeroTime(gr.lastEvaluation)
            ? [gr.name]
            : gr.rules.filter((r) => r.health === "unknown" || isZeroTime(r.lastEvaluation)).map((r) => `${gr.name}/${r.name}`),
        );
        if (notYet.length > 0) throw new Error(`not evaluated yet: ${notYet.join(", ")}`);
        return g;
      },
      30000,
    );
    expect(groups.map((g) => g.name).sort()).toEqual([...renderedGroups].sort());
    const broken = groups.flatMap((g) =>
      g.rules.filter((r) => r.health !== "ok" || r.lastError).map((r) => `${g.name}/${r.name}: ${r.health} ${r.lastError ?? ""}`),
    );
    expect(broken).toEqual([]);
    log(`${groups.length} groups, ${groups.reduce((n, g) => n + g.rules.length, 0)} rules, all health ok`);

    // The rules see real data from every source: the application, blackbox and node_exporter.
    await waitFor(
      "real data from every source",
      async () => {
        const checks: [string, string][] = [
          ["recorded request rate of shop", `service:http_requests:rate5m{service="${SHOP}"} > 0`],
          ["blackbox probe of shop", `probe_success{job="blackbox"} == 1`],
          ["node_exporter CPU", `node_cpu_seconds_total{job="node-exporter"}`],
          ["node_exporter textfile", `live_suite_marker{job="node-exporter"} == 1`],
          // The fixture's 4 GiB, not this machine's memory: node_exporter reads the fixture host.
          ["node_exporter on the fixture host", `node_memory_MemTotal_bytes{job="node-exporter"} == ${stack.host!.memTotalBytes()}`],
          ["shop latency histogram", `http_request_duration_seconds_bucket{service="${SHOP}",le="+Inf"}`],
        ];
        for (const [what, expr] of checks) {
          if ((await stack.prom.query(expr)).length === 0) throw new Error(`no data yet: ${what} (${expr})`);
        }
        return true;
      },
      30000,
    );
    // Every node_* series a rule or dashboard reads comes from the fixture (real collectors or
    // its textfile), so no host rule is left without input.
    const nodeMetrics = metricsOf("node-exporter", "live");
    expect(nodeMetrics.length).toBeGreaterThan(20);
    const missing: string[] = [];
    for (const name of nodeMetrics) {
      if ((await stack.prom.query(`${name}{job="node-exporter"}`)).length === 0) missing.push(name);
    }
    expect(missing).toEqual([]);
  },
  120000,
);

live(
  "(1b) the fixture's filesystem and timex series have the names, labels, help and type of node_exporter's own collectors",
  async () => {
    // host.prom stands in for two collectors that cannot read a fixture; a node_exporter upgrade
    // that renames a label or a metric must show here, not as a silently dead host alert. Only
    // the shape of this machine's "/" is compared, never its values.
    const listen = `127.0.0.1:${await freePort()}`;
    const real = new ManagedProcess(
      "node_exporter-real-collectors",
      toolPath("node_exporter"),
      [`--web.listen-address=${listen}`, ...REAL_FILESYSTEM_AND_TIMEX_ARGS],
      path.join(stack.dir, "logs", "node_exporter-real-collectors.log"),
    );
    real.start();
    let text: string;
    try {
      text = await waitFor(
        "node_exporter with the real filesystem and timex collectors",
        async () => {
          real.assertRunning();
          const res = await fetch(`http://${listen}/metrics`, { signal: AbortSignal.timeout(2000) });
          return res.ok ? res.text() : undefined;
        },
        15000,
      );
    } finally {
      await real.stop();
    }
    const realShapes = familyShapes(text);
    const fixture = familyShapes(committedHostTextfile());
    expect([...fixture.keys()].sort()).toEqual(
      expect.arrayContaining(metricsOf("node-exporter", "live").filter((n) => /^node_(filesystem|timex)_/.test(n))),
    );
    for (const [name, shape] of fixture) {
      expect({ name, ...realShapes.get(name) }).toEqual({ name, ...shape });
    }
  },
  30000,
);

live(
  "(2) Watchdog reaches the heartbeat receiver, and only it",
  async () => {
    const n = await hooks.waitFor(
      "Watchdog at the heartbeat receiver",
      (x) => x.receiver === "heartbeat" && x.path === "/heartbeat" && carries(x, "Watchdog", "firing"),
      30000,
    );
    expect(n.alerts[0].annotations.runbook_url).toBe(`${RUNBOOK_BASE}#watchdog`);
    expect(hooks.find((x) => x.alertnames.includes("Watchdog") && x.receiver !== "heartbeat")).toEqual([]);
  },
  60000,
);

live(
  "(2b) a healthy stack raises nothing but Watchdog",
  async () => {
    // The real rules on the stack's own metrics and the healthy fixture host, at this suite's time
    // scale (a 10m `for:` is 20s here): nothing may be pending or firing except the absent()
    // alerts of Grafana, Loki and the log agent, which the suite does not run.
    const expected = new Set(["Watchdog", "GrafanaDown", "LokiDown", "LogAgentDown"]);
    await sleep(5000);
    const active = await stack.prom.alerts();
    const unexpected = active
      .filter((a) => !expected.has(a.labels.alertname))
      .map((a) => `${a.labels.alertname}(${a.state}) ${JSON.stringify(a.labels)}`);
    expect(unexpected).toEqual([]);
  },
  30000,
);

let downAt = 0;
live(
  "(3a) stopping the service delivers ServiceDown to the critical receiver",
  async () => {
    // Scrapes must be succeeding right before the stop, so the alert starts from up == 1.
    await waitFor("shop up", async () => (await stack.prom.query(`up{job="${SHOP}"} == 1`)).length > 0, 15000);
    downAt = Date.now();
    await shop.stop();
    const n = await hooks.waitFor(
      "ServiceDown firing at the critical receiver",
      (x) => isCritical(x) && carries(x, "ServiceDown", "firing", shopLabels),
      30000,
      downAt,
    );
    log(`ServiceDown delivered ${((n.at - downAt) / 1000).toFixed(1)}s after the service stopped`);
    const alert = n.alerts.find((a) => a.labels.alertname === "ServiceDown")!;
    expect(alert.labels).toMatchObject({ severity: "critical", tier: "app", service: SHOP, job: SHOP });
    expect(alert.annotations.runbook_url).toBe(`${RUNBOOK_BASE}#servicedown`);
    expect(n.groupLabels).toMatchObject({ alertname: "ServiceDown", service: SHOP, severity: "critical" });
  },
  60000,
);

live(
  "(4) while ServiceDown fires, the service's warnings are inhibited",
  async () => {
    await waitFor(
      "TargetUnreachable{service=shop} firing in Prometheus",
      () => promAlert("TargetUnreachable", shopLabels, "firing"),
      30000,
    );
    const inhibited = await waitFor(
      "TargetUnreachable{service=shop} inhibited in Alertmanager",
      async () => {
        const a = await amAlert("TargetUnreachable", shopLabels);
        return a && a.status.inhibitedBy.length > 0 ? a : undefined;
      },
      15000,
    );
    const source = await amAlert("ServiceDown", shopLabels);
    expect(source?.status.state).toBe("active");
    expect(inhibited.status.state).toBe("suppressed");
    expect(inhibited.status.inhibitedBy).toContain(source!.fingerprint);
    expect(inhibited.labels.severity).toBe("warning");
    // Longer than group_wait + 2 group_intervals: an uninhibited warning would have gone out.
    await sleep(6000);
    expect(hooks.find((x) => carries(x, "TargetUnreachable", "firing", { service: SHOP }))).toEqual([]);
    // Still inhibited, still firing.
    expect((await amAlert("TargetUnreachable", shopLabels))?.status.inhibitedBy.length).toBeGreaterThan(0);
  },
  60000,
);

live(
  "(3b) restarting the service delivers the resolved ServiceDown",
  async () => {
    const upAt = Date.now();
    // Nothing about this service's warnings reached anyone while it was down.
    // Its probe's EndpointDown (critical too) carries the service label and is inhibited as well.
    const others = hooks.find((x) => x.alerts.some((a) => a.labels.service === SHOP && a.labels.alertname !== "ServiceDown"), downAt);
    expect(others.map((x) => `${x.receiver}:${x.alertnames.join("+")}`)).toEqual([]);
    const probe = await amAlert("EndpointDown", { service: SHOP });
    expect(probe?.status.inhibitedBy.length).toBeGreaterThan(0);
    await shop.start();
    const n = await hooks.waitFor(
      "ServiceDown resolved at the critical receiver",
      (x) => isCritical(x) && carries(x, "ServiceDown", "resolved", shopLabels),
      30000,
      upAt,
    );
    log(`ServiceDown resolved ${((n.at - upAt) / 1000).toFixed(1)}s after the service came back`);
    const late = hooks.find((x) => carries(x, "TargetUnreachable", "firing", { service: SHOP }));
    if (late.length) log(`WARNING: TargetUnreachable{service=shop} was delivered during recovery: ${JSON.stringify(late)}`);
  },
  60000,
);

live(
  "(5) a silence suppresses a firing alert and survives an Alertmanager restart",
  async () => {
    const silenceId = await stack.am.createSilence(
      [
        { name: "alertname", value: "HighServerErrorRate", isRegex: false },
        { name: "service", value: SHOP, isRegex: false },
      ],
      30 * 60 * 1000,
      "live suite: maintenance",
    );
    const since = Date.now();
    shop.setBehaviour("error-heavy");
    await waitFor("HighServerErrorRate firing in Prometheus", () => promAlert("HighServerErrorRate", { service: SHOP }, "firing"), 60000);
    const silenced = async () => {
      const a = await amAlert("HighServerErrorRate", { service: SHOP });
      return a && a.status.silencedBy.includes(silenceId) ? a : undefined;
    };
    const a1 = await waitFor("HighServerErrorRate silenced in Alertmanager", silenced, 15000);
    expect(a1.status.state).toBe("suppressed");

    // Restart Alertmanager on the same --storage.path (SIGTERM, like `docker stop`).
    await stack.stopAlertmanager();
    await stack.startAlertmanager();
    const sil = (await stack.am.silences()).find((s) => s.id === silenceId);
    expect(sil?.status.state).toBe("active");
    expect(sil?.comment).toBe("live suite: maintenance");
    // Prometheus re-sends the firing alert; it is still silenced by the same silence.
    await waitFor("HighServerErrorRate silenced after the restart", silenced, 20000);
    await sleep(5000); // > group_wait + group_interval
    expect(hooks.find((x) => x.alertnames.includes("HighServerErrorRate"), since)).toEqual([]);

    // Expiring the silence lets the notification out: the silence was what held it back.
    const expiredAt = Date.now();
    await stack.am.deleteSilence(silenceId);
    const n = await hooks.waitFor(
      "HighServerErrorRate at the critical receiver after the silence expired",
      (x) => isCritical(x) && carries(x, "HighServerErrorRate", "firing", { service: SHOP }),
      20000,
      expiredAt,
    );
    expect(n.alerts[0].labels.severity).toBe("critical");
    shop.setBehaviour("healthy");
  },
  150000,
);

live(
  "(6) an alert that starts firing while Alertmanager is down is delivered when it is back",
  async () => {
    const errorsExpr = "sum(prometheus_notifications_errors_total)";
    const errorsBefore = Number((await stack.prom.query(errorsExpr))[0]?.value?.[1] ?? 0);
    await stack.stopAlertmanager();
    const amDownAt = Date.now();
    await shop.stop();
    await waitFor(
      "ServiceDown firing in Prometheus while Alertmanager is down",
      () => promAlert("ServiceDown", shopLabels, "firing"),
      30000,
    );
    // Prometheus tried to send it and failed.
    await waitFor(
      "Prometheus notification errors",
      async () => Number((await stack.prom.query(errorsExpr))[0]?.value?.[1] ?? 0) > errorsBefore,
      15000,
    );
    expect(hooks.find((x) => x.alertnames.includes("ServiceDown"), amDownAt)).toEqual([]);

    const amUpAt = Date.now();
    await stack.startAlertmanager();
    const n = await hooks.waitFor(
      "ServiceDown at the critical receiver after Alertmanager came back",
      (x) => isCritical(x) && carries(x, "ServiceDown", "firing", shopLabels),
      30000,
      amUpAt,
    );
    log(`ServiceDown delivered ${((n.at - amUpAt) / 1000).toFixed(1)}s after Alertmanager came back`);
    // It is the alert that started while Alertmanager was down.
    const startsAt = Date.parse(n.alerts.find((a) => a.labels.alertname === "ServiceDown")!.startsAt);
    expect(startsAt).toBeGreaterThanOrEqual(amDownAt - 1000);
    expect(startsAt).toBeLessThan(amUpAt);

    const upAt = Date.now();
    await shop.start();
    await hooks.waitFor(
      "ServiceDown resolved after the second outage",
      (x) => isCritical(x) && carries(x, "ServiceDown", "resolved", shopLabels),
      30000,
      upAt,
    );
  },
  120000,
);

// The host alerts, fed by the fixture: (9a) makes the host sick, (9b) makes it healthy again.
// They run before (7), whose freshly restarted Prometheus takes about 5s to apply its scrape
// targets: only wall time would be lost.
const HOST_WARNINGS = ["HighLoadAverage", "HostMemoryLow", "ClockNotSynchronising"];
const nodeLabels = { job: "node-exporter" };
let sickAt = 0;

live(
  "(9a) a sick fixture host fires HighLoadAverage, HostMemoryLow, ClockNotSynchronising (warning) and DiskSpaceCritical (critical, DiskSpaceLow inhibited)",
  async () => {
    const host = stack.host!;
    const rootfs = { ...nodeLabels, mountpoint: "/" };
    sickAt = Date.now();
    host.setLoadAverage(6, 4, 3); // node_load5 > 2
    host.setMemoryAvailable(0.05); // < 10% of MemTotal available
    host.setFilesystemAvailable("/", 0.05); // < 10% free: DiskSpaceCritical, and DiskSpaceLow (< 15%) under it
    host.setClockSynchronised(false); // unsynchronised, maximum error 16 s
    const [disk, ...warnings] = await Promise.all([
      hooks.waitFor(
        "DiskSpaceCritical at the critical receiver",
        (x) => isCritical(x) && carries(x, "DiskSpaceCritical", "firing", rootfs),
        30000,
        sickAt,
      ),
      ...HOST_WARNINGS.map((a) =>
        hooks.waitFor(`${a} at the warning receiver`, (x) => isWarning(x) && carries(x, a, "firing", nodeLabels), 45000, sickAt),
      ),
    ]);
    const after = (n: Notification) => `${((n.at - sickAt) / 1000).toFixed(1)}s`;
    log(`delivered after: DiskSpaceCritical ${after(disk)}, ${HOST_WARNINGS.map((a, i) => `${a} ${after(warnings[i])}`).join(", ")}`);
    const activeAt = (await stack.prom.alerts())
      .filter((a) => a.labels.job === "node-exporter")
      .map((a) => `${a.labels.alertname} ${((Date.parse(a.activeAt) - sickAt) / 1000).toFixed(1)}s`);
    log(`active in Prometheus after: ${activeAt.join(", ")}`);
    // Each waited out its own `for:` (10m/30 = 20s for the load average): the fixture did not fire them early.
    expect(disk.at - sickAt).toBeGreaterThanOrEqual(renderedForMs("DiskSpaceCritical"));
    HOST_WARNINGS.forEach((a, i) => expect(warnings[i].at - sickAt).toBeGreaterThanOrEqual(renderedForMs(a)));
    const load = warnings[0].alerts.find((a) => a.labels.alertname === "HighLoadAverage")!;
    expect(load.labels).toMatchObject({ severity: "warning", instance: stack.endpoints.nodeExporter });
    expect(load.annotations.description).toContain("has been 4 (above 2.0)");
    expect(disk.alerts.find((a) => a.labels.alertname === "DiskSpaceCritical")!.labels).toMatchObject({
      device: "/dev/vda1",
      fstype: "ext4",
    });

    // DiskSpaceLow fires in Prometheus too, and Alertmanager holds it back under DiskSpaceCritical.
    const low = await waitFor(
      "DiskSpaceLow inhibited by DiskSpaceCritical",
      async () => {
        const a = await amAlert("DiskSpaceLow", rootfs);
        return a && a.status.inhibitedBy.length > 0 ? a : undefined;
      },
      15000,
    );
    expect(low.status.inhibitedBy).toContain((await amAlert("DiskSpaceCritical", rootfs))!.fingerprint);
    expect(hooks.find((x) => x.alertnames.includes("DiskSpaceLow"), sickAt)).toEqual([]);
  },
  90000,
);

live(
  "(9b) the fixture host made healthy again resolves HighLoadAverage, HostMemoryLow, ClockNotSynchronising and DiskSpaceCritical",
  async () => {
    expect(sickAt).toBeGreaterThan(0);
    const healedAt = Date.now();
    stack.host!.reset();
    await Promise.all([
      hooks.waitFor(
        "DiskSpaceCritical resolved",
        (x) => isCritical(x) && carries(x, "DiskSpaceCritical", "resolved", nodeLabels),
        20000,
        healedAt,
      ),
      ...HOST_WARNINGS.map((a) =>
        hooks.waitFor(`${a} resolved`, (x) => isWarning(x) && carries(x, a, "resolved", nodeLabels), 20000, healedAt),
      ),
    ]);
    log(`host alerts resolved ${((Date.now() - healedAt) / 1000).toFixed(1)}s after the fixture was reset`);
    // Nothing about the host is left pending or firing in Prometheus.
    await waitFor(
      "no host alert left in Prometheus",
      async () => {
        const left = (await stack.prom.alerts()).filter((a) => a.labels.job === "node-exporter");
        if (left.length) throw new Error(left.map((a) => `${a.labels.alertname}(${a.state})`).join(", "));
        return true;
      },
      10000,
    );
  },
  60000,
);

live(
  "(7) Prometheus restarted on the same data directory keeps its series",
  async () => {
    // A fixed evaluation time in the past, so no scrape in flight can add samples to it later.
    const at = Math.floor(Date.now() / 1000) - 5;
    const expr = `{__name__=~"up|http_requests_total", job="${SHOP}"}[10m]`;
    const key = (m: Record<string, string>) => JSON.stringify(Object.entries(m).sort());
    const snapshotOf = async () => {
      const r = await stack.prom.query(expr, at);
      return new Map(r.map((s) => [key(s.metric), s.values ?? []]));
    };
    const before = await snapshotOf();
    const samplesBefore = [...before.values()].reduce((n, v) => n + v.length, 0);
    expect(before.size).toBeGreaterThan(3);
    expect(samplesBefore).toBeGreaterThan(100);

    // The admin API (enabled in the deployed stack for the backup job) takes a snapshot.
    const snap = await fetch(`${stack.prom.baseUrl}/api/v1/admin/tsdb/snapshot`, { method: "POST", signal: AbortSignal.timeout(20000) });
    expect(snap.status).toBe(200);
    const snapName = ((await snap.json()) as { data: { name: string } }).data.name;
    expect(fs.existsSync(path.join(stack.promDataDir, "snapshots", snapName))).toBe(true);

    await stack.stopPrometheus();
    await stack.startPrometheus();
    const after = await snapshotOf();
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [k, v] of before) expect(after.get(k)).toEqual(v);
    log(`${before.size} series, ${samplesBefore} samples identical after the restart`);

    // And it goes on scraping and evaluating.
    await waitFor("shop scraped again after the restart", async () => (await stack.prom.query(`up{job="${SHOP}"} == 1`)).length > 0, 20000);
  },
  90000,
);

live(
  "(8) Overview, Service and Infrastructure panels return data from the service and node_exporter",
  async () => {
    // Every PromQL query of these three dashboards, rendered for this stack's settings, runs on the
    // live Prometheus; those built only from the metric contract, `up`, the recorded series and
    // node_exporter must return data (the service has had traffic, 4xx and 5xx by now). Queries
    // over metrics of components the suite does not run (cAdvisor, Loki) or over ALERTS are only
    // required to execute without an error.
    const dir = fs.mkdtempSync(path.join(stack.dir, "dashboards-"));
    const input: DashboardInput = dashboardInput({
      services: [{ name: SHOP, targets: [], metricsPath: "/metrics", scheme: "http", labels: {} }],
      integrations: {},
      kpis: [],
    });
    const files = buildDashboards(input, { dir });
    const wanted = new Set(["overview", "service", "infrastructure"]);
    const queries = Object.values(files)
      .map((text) => JSON.parse(text) as DashboardJson)
      .filter((d) => wanted.has(d.uid ?? ""))
      .flatMap((d) => collectQueries(d))
      .filter((q) => q.kind === "prometheus");
    expect(new Set(queries.map((q) => q.where.split(" ")[0]))).toEqual(wanted);
    const served = new Set([...metricsOf("node-exporter", "live"), ...metricsOf("application", "contract"), "up"]);
    const mustHaveData = (expr: string) => {
      const names = promqlMetricNames(expr).names;
      return names.length > 0 && names.every((n) => served.has(n) || /^[a-z_]+:/.test(n));
    };
    const errors: string[] = [];
    const empty: string[] = [];
    for (const q of queries) {
      const expr = substituteVariables(q.expr, { service: SHOP, instance: stack.endpoints.nodeExporter });
      const res = await stack.prom.queryRaw(expr);
      if (res.status !== "success") errors.push(`${q.where}: ${res.error}\n  ${expr}`);
      else if (mustHaveData(q.expr) && res.resultCount === 0) empty.push(`${q.where}: ${expr}`);
    }
    expect(errors).toEqual([]);
    expect(empty).toEqual([]);
    const checked = queries.filter((q) => mustHaveData(q.expr)).length;
    expect(checked).toBeGreaterThan(20);
    log(`${queries.length} dashboard queries executed, ${checked} of them returned data`);
  },
  60000,
);
