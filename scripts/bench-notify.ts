// Time from an application dying to the critical notification, with PRODUCTION timings:
// scrape and evaluation every 15s, the rendered rules unscaled (ServiceDown `for: 1m`), the
// rendered alertmanager.yml unchanged (critical group_wait 10s), Prometheus's default resend
// delay. Real Prometheus and Alertmanager (.tools/bin), a fake service and a webhook receiver
// on 127.0.0.1.
//
//   npm run bench:notify -- [runs]       (default 3; or BENCH_NOTIFY_RUNS)
//   npm run bench:notify -- --ha [runs]  the redundant pair (harness/cluster.ts): two Prometheus, two
//                                        Alertmanagers clustered over TLS with the production peer
//                                        timeout; Alertmanager "a" (position 0) is killed (SIGKILL)
//                                        just before the service, so "b" must notify alone
//
// Every run starts from a clean state: fresh Prometheus/Alertmanager processes on fresh data
// directories and a fresh service. The service is killed at a random phase of the 15s scrape
// cycle once Prometheus has scraped it successfully. The last line is
//   time_to_notify_seconds=<median> floor_seconds=<scrape interval + for + group_wait>
// and with --ha also goal_seconds=<floor + peer timeout>: the survivor waits at most one peer
// timeout for a member it still counts (its position) before it notifies.
import * as yaml from "js-yaml";
import * as fs from "node:fs";
import { Command, counts, parseCommand, progress } from "./lib/args";
import { ensureTools } from "./lib/tools";
import type { PairCluster } from "../harness/cluster";

const COMMAND: Command = {
  script: "bench:notify",
  synopsis: "[--ha] [runs]",
  about:
    "Seconds from an application dying to the critical notification, with production timings (scrape and\n" +
    "evaluation 15s, ServiceDown for 1m, critical group_wait 10s) on real Prometheus and Alertmanager on\n" +
    "127.0.0.1. Each run takes about 90 s; the last line is time_to_notify_seconds=<median> floor_seconds=<floor>.\n" +
    "Fetches the Prometheus tools into .tools/bin first if they are missing.",
  args: { runs: "number of runs, each on fresh processes (default 3)" },
  flags: {
    ha:
      "the redundant pair: two Prometheus, two Alertmanagers clustered over TLS\n" +
      `${" ".repeat(29)}(peer timeout 15s); Alertmanager a is killed just before the service;\n` +
      `${" ".repeat(29)}the last line adds goal_seconds=<floor + peer timeout>. About 2 min a run`,
  },
  env: { BENCH_NOTIFY_RUNS: "number of runs when no argument is given" },
  max: 1,
};

// Loaded after the arguments are parsed, so --help starts nothing.
let harness: typeof import("../harness/processes");
let live: typeof import("../harness/live-stack");
let pair: typeof import("../harness/cluster");
let prometheus: typeof import("../configs/prometheus");

const SCRAPE = "15s";
const EVAL = "15s";

interface Timings {
  scrape: number;
  forSeconds: number;
  groupWait: number;
  /** --cluster.peer-timeout of the pair's Alertmanagers (--ha only). */
  peerTimeout?: number;
}

/** The timings that bound the result, read from the files the stack actually loaded. */
function renderedTimings(files: { rules: string; alertmanager: string }): Timings {
  const rules = yaml.load(fs.readFileSync(files.rules, "utf8")) as {
    groups: { rules: { alert?: string; for?: string }[] }[];
  };
  const sd = rules.groups.flatMap((g) => g.rules).find((r) => r.alert === "ServiceDown");
  if (!sd?.for) throw new Error("ServiceDown or its `for` not found in the rendered rules");
  const am = yaml.load(fs.readFileSync(files.alertmanager, "utf8")) as {
    route: { group_wait?: string; routes: { receiver: string; matchers?: string[]; group_wait?: string }[] };
  };
  // The severity route ServiceDown takes, not the doctor's test route to the same receiver (group_wait 0s).
  const critical = am.route.routes.find((r) => r.receiver === "critical" && r.matchers?.includes('severity="critical"'));
  const gw = critical?.group_wait ?? am.route.group_wait;
  if (!gw) throw new Error("no group_wait for the critical route");
  const { durationSeconds } = prometheus;
  return { scrape: durationSeconds(SCRAPE), forSeconds: durationSeconds(sd.for), groupWait: durationSeconds(gw) };
}

async function run(i: number): Promise<{ seconds: number; timings: Timings }> {
  const { FakeService, WebhookReceiver, carries, sleep, waitFor } = harness;
  const { LiveStack, oneServiceStack } = live;
  const hooks = new WebhookReceiver();
  await hooks.start();
  const shop = new FakeService("shop");
  await shop.start();
  const stack = await LiveStack.create({
    name: `bench-notify-${i}`,
    scrapeInterval: SCRAPE,
    evaluationInterval: EVAL,
    timeScale: 1,
    routeTimings: "production",
    ...oneServiceStack("shop", shop.port, { webhookUrl: hooks.url("/webhook"), heartbeatUrl: hooks.url("/heartbeat") }),
  });
  try {
    const timings = renderedTimings({ rules: stack.files["rules/service-health.yml"], alertmanager: stack.files.alertmanager });
    await stack.startAll();
    await waitFor("shop scraped successfully", async () => (await stack.prom.query('up{job="shop"} == 1')).length > 0, 60000, 500);
    // Kill at a random phase of the scrape/evaluation cycle.
    await sleep(Math.random() * timings.scrape * 1000);
    const killedAt = Date.now();
    await shop.stop();
    const n = await hooks.waitFor(
      "ServiceDown at the critical receiver",
      (x) => x.receiver === "critical" && carries(x, "ServiceDown", "firing", { service: "shop" }),
      (timings.scrape * 2 + timings.forSeconds + timings.groupWait + 120) * 1000,
      killedAt,
    );
    return { seconds: (n.at - killedAt) / 1000, timings };
  } catch (e) {
    console.error(stack.logTails(30));
    throw e;
  } finally {
    await stack.stopAll();
    await shop.stop();
    await hooks.stop();
    stack.cleanup();
  }
}

/** The same measurement on the pair, with Alertmanager "a" killed (SIGKILL, a lost host) just before the service. */
async function runHa(i: number): Promise<{ seconds: number; timings: Timings; sender: string }> {
  const { FakeService, WebhookReceiver, carries, sleep, waitFor } = harness;
  const hooks = new WebhookReceiver();
  await hooks.start();
  const shop = new FakeService("shop");
  await shop.start();
  let cluster: PairCluster | undefined;
  try {
    cluster = await pair.PairCluster.create({
      name: `bench-notify-ha-${i}`,
      stack: "bench",
      scrapeInterval: SCRAPE,
      evaluationInterval: EVAL,
      timeScale: 1,
      ruleFiles: ["service-health.yml"],
      routeTimings: "production",
      // Production: PEER_TIMEOUT, Alertmanager's settle timeout and Prometheus's resend delay.
      services: [{ name: "shop", targets: [`127.0.0.1:${shop.port}`], metricsPath: "/metrics", scheme: "http", labels: {} }],
      webhookUrl: hooks.url("/webhook"),
      heartbeatUrl: hooks.url("/heartbeat"),
    });
    const c = cluster;
    const [a, b] = c.members;
    const peerFlag = a.alertmanager.args.find((x) => x.startsWith("--cluster.peer-timeout="));
    if (!peerFlag) throw new Error("no --cluster.peer-timeout in Alertmanager a's flags");
    const timings = {
      ...renderedTimings({ rules: `${c.dir}/rules/service-health.yml`, alertmanager: `${c.dir}/alertmanager.yml` }),
      peerTimeout: prometheus.durationSeconds(peerFlag.split("=")[1]),
    };
    await c.startAll(120000);
    for (const m of c.members)
      await waitFor(`Prometheus ${m.name} scraped shop`, async () => (await m.prom.query('up{job="shop"} == 1')).length > 0, 60000, 500);
    await sleep(Math.random() * timings.scrape * 1000);
    await a.alertmanager.kill();
    const killedAt = Date.now();
    await shop.stop();
    const n = await hooks.waitFor(
      "ServiceDown at the critical receiver",
      (x) => x.receiver === "critical" && carries(x, "ServiceDown", "firing", { service: "shop" }),
      (timings.scrape * 2 + timings.forSeconds + timings.groupWait + timings.peerTimeout + 120) * 1000,
      killedAt,
    );
    const sender = n.externalURL === b.am.baseUrl ? b.name : n.externalURL;
    return { seconds: (n.at - killedAt) / 1000, timings, sender };
  } catch (e) {
    if (cluster) console.error(cluster.logTails(30));
    throw e;
  } finally {
    await cluster?.stopAll();
    await shop.stop();
    await hooks.stop();
    cluster?.cleanup();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  const { positionals, flags } = parseCommand(COMMAND);
  const ha = flags.has("ha");
  const [runs] = counts(COMMAND, positionals.length ? positionals : [process.env.BENCH_NOTIFY_RUNS ?? "3"], "runs");
  ensureTools();
  harness = require("../harness/processes") as typeof import("../harness/processes");
  live = require("../harness/live-stack") as typeof import("../harness/live-stack");
  pair = require("../harness/cluster") as typeof import("../harness/cluster");
  prometheus = require("../configs/prometheus") as typeof import("../configs/prometheus");
  const { durationSeconds } = prometheus;
  const results: number[] = [];
  let timings: Timings | undefined;
  for (let i = 1; i <= runs; i++) {
    if (ha) {
      progress(i, runs, `run ${i} of ${runs}: fresh pair (two Prometheus, two Alertmanagers) and service; about 2 min`);
      const r = await runHa(i);
      timings = r.timings;
      results.push(r.seconds);
      console.log(`run=${i} time_to_notify_seconds=${r.seconds.toFixed(1)} alertmanager_killed=a notified_by=${r.sender}`);
    } else {
      progress(i, runs, `run ${i} of ${runs}: fresh Prometheus, Alertmanager and service; about 90 s until the notification`);
      const r = await run(i);
      timings = r.timings;
      results.push(r.seconds);
      console.log(`run=${i} time_to_notify_seconds=${r.seconds.toFixed(1)}`);
    }
  }
  const t = timings!;
  const floor = t.scrape + t.forSeconds + t.groupWait;
  const m = median(results);
  console.log(
    `scrape_interval=${t.scrape}s evaluation_interval=${durationSeconds(EVAL)}s for=${t.forSeconds}s critical_group_wait=${t.groupWait}s` +
      (t.peerTimeout === undefined ? "" : ` peer_timeout=${t.peerTimeout}s`),
  );
  if (t.peerTimeout === undefined) {
    console.log(`time_to_notify_seconds=${m.toFixed(1)} floor_seconds=${floor}`);
  } else {
    const goal = floor + t.peerTimeout;
    console.log(
      `goal: within floor + peer timeout = ${goal}s with Alertmanager a killed: ${Math.max(...results) <= goal ? "met by every run" : "MISSED"}`,
    );
    console.log(`time_to_notify_seconds=${m.toFixed(1)} floor_seconds=${floor} goal_seconds=${goal}`);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
