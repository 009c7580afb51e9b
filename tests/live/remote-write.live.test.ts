// LIVE: remote write between two real Prometheus servers (.tools/bin), on 127.0.0.1.
//
// The sender runs the rendered prometheus.yml with a rendered `remote_write` section (basic
// auth with `password_file`, the queue sized by configs/remote-write.ts), its URL pointed at the
// receiver: a second Prometheus started with --web.enable-remote-write-receiver behind basic
// auth (--web.config.file, bcrypt hash), so a wrong or missing password would fail the test.
// Scrape interval 1s; the receiver outage is the 30 s the issue asks for.
import * as fs from "node:fs";
import * as path from "node:path";
import * as bcrypt from "bcryptjs";
import * as yaml from "js-yaml";
import { Endpoints, NETWORK_COMPONENTS } from "../../catalog/containers";
import { renderPrometheusConfig } from "../../configs/prometheus";
import { ManagedProcess, freePort, makeTempDir, sleep, toolPath, waitFor } from "../../harness/processes";

const OUTAGE_MS = 30_000;
const USER = "writer";
const PASSWORD = "s3cret-for-the-live-test";

let dir: string;
let sender: ManagedProcess;
let receiver: ManagedProcess;
let senderUrl: string;
let receiverUrl: string;
const auth = { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}` };

type Matrix = { metric: Record<string, string>; values: [number, string][] }[];

async function api<T>(base: string, p: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(`${base}${p}`, { headers, signal: AbortSignal.timeout(20000) });
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== "success") throw new Error(`${p}: ${body.error}`);
  return body.data;
}

async function ready(base: string, headers: Record<string, string> = {}): Promise<boolean> {
  try {
    return (await fetch(`${base}/-/ready`, { headers, signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/** Every sample of every series in the `seconds` before `at` (seconds since the epoch), keyed by series. */
async function samples(base: string, at: number, seconds: number, headers: Record<string, string> = {}): Promise<Map<string, Set<number>>> {
  const q = new URLSearchParams({ query: `{__name__=~".+"}[${seconds}s]`, time: String(at) });
  const data = await api<{ result: Matrix }>(base, `/api/v1/query?${q}`, headers);
  const out = new Map<string, Set<number>>();
  for (const s of data.result) {
    const key = JSON.stringify(Object.entries(s.metric).sort(([a], [b]) => a.localeCompare(b)));
    out.set(key, new Set(s.values.map(([t]) => t)));
  }
  return out;
}

/** Series of `want` missing in `got`, and samples (series, timestamp) missing, for the message. */
function missingSamples(want: Map<string, Set<number>>, got: Map<string, Set<number>>): { series: string[]; samples: string[] } {
  const series: string[] = [];
  const lost: string[] = [];
  for (const [key, ts] of want) {
    const g = got.get(key);
    if (!g) {
      series.push(key);
      continue;
    }
    for (const t of ts) if (!g.has(t)) lost.push(`${key}@${t}`);
  }
  return { series, samples: lost };
}

function startReceiver(args: string[]): void {
  receiver = new ManagedProcess("receiver", toolPath("prometheus"), args, path.join(dir, "receiver.log"));
  receiver.start();
}

let receiverArgs: string[];
let startedAt: number;

beforeAll(async () => {
  dir = makeTempDir("live-remote-write");
  const [senderPort, receiverPort, closedPort] = await Promise.all([freePort(), freePort(), freePort()]);
  senderUrl = `http://127.0.0.1:${senderPort}`;
  receiverUrl = `http://127.0.0.1:${receiverPort}`;

  // The receiver: no scrape jobs, samples arrive only by remote write, behind basic auth.
  const webConfig = path.join(dir, "receiver-web.yml");
  fs.writeFileSync(webConfig, yaml.dump({ basic_auth_users: { [USER]: bcrypt.hashSync(PASSWORD, 4) } }));
  const receiverConfig = path.join(dir, "receiver.yml");
  fs.writeFileSync(receiverConfig, yaml.dump({ global: { scrape_interval: "1s" } }));
  receiverArgs = [
    `--config.file=${receiverConfig}`,
    `--storage.tsdb.path=${path.join(dir, "receiver-data")}`,
    `--web.listen-address=127.0.0.1:${receiverPort}`,
    `--web.config.file=${webConfig}`,
    "--web.enable-remote-write-receiver",
  ];
  startReceiver(receiverArgs);

  // The sender: the rendered prometheus.yml (its own job is the one that is up) with the
  // rendered remote_write, secret as a file like in the deployed stack.
  const passwordFile = path.join(dir, "remote-write-password");
  fs.writeFileSync(passwordFile, PASSWORD);
  const closed = `127.0.0.1:${closedPort}`;
  const endpoints = Object.fromEntries(NETWORK_COMPONENTS.map((k) => [k, closed])) as Record<keyof Endpoints, string>;
  endpoints.prometheus = `127.0.0.1:${senderPort}`;
  const config = path.join(dir, "sender.yml");
  fs.writeFileSync(
    config,
    renderPrometheusConfig({
      scrapeInterval: "1s",
      evaluationInterval: "1s",
      endpoints,
      services: [],
      integrationJobs: [],
      ruleFiles: [],
      components: { grafana: false, loki: false, alloy: false, cadvisor: false },
      remoteWrite: {
        target: { kind: "url", url: `${receiverUrl}/api/v1/write`, auth: { kind: "basic", username: USER, passwordFile } },
        expectedSeries: 100_000,
      },
    }),
  );
  sender = new ManagedProcess(
    "sender",
    toolPath("prometheus"),
    [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, "sender-data")}`, `--web.listen-address=127.0.0.1:${senderPort}`],
    path.join(dir, "sender.log"),
  );
  sender.start();
  startedAt = Date.now() / 1000;
  await waitFor(
    "both Prometheus servers ready",
    async () => {
      sender.assertRunning();
      receiver.assertRunning();
      return (await ready(senderUrl)) && (await ready(receiverUrl, auth));
    },
    30000,
  );
}, 60000);

afterAll(async () => {
  await Promise.all([sender?.stop(), receiver?.stop()]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function logs(): string {
  return `${sender.tail(20)}\n${receiver.tail(20)}`;
}

test("remote write: every series of the sender appears in the receiver", async () => {
  // A few scrapes of the sender's own metrics, then every series it holds since it started.
  await waitFor(
    "three scrapes of the sender",
    async () => {
      const r = await api<{ result: unknown[] }>(
        senderUrl,
        `/api/v1/query?${new URLSearchParams({ query: 'count_over_time(up{job="prometheus"}[1m]) >= 3' })}`,
      );
      return r.result.length > 0;
    },
    30000,
  );
  const at = Date.now() / 1000;
  const window = Math.ceil(at - startedAt) + 1;
  const want = await samples(senderUrl, at, window);
  expect(want.size).toBeGreaterThan(100);
  const left = await waitFor(
    "the receiver to hold every series of the sender",
    async () => {
      const m = missingSamples(want, await samples(receiverUrl, at, window, auth));
      return m.series.length === 0 ? m : undefined;
    },
    30000,
  ).catch(async (e: Error) => {
    throw new Error(`${e.message}\n${logs()}`);
  });
  expect(left.series).toEqual([]);
}, 60000);

test("remote write: after a 30 s receiver outage no sample of the gap is missing (the WAL replays it)", async () => {
  const before = Date.now() / 1000;
  await receiver.stop();
  const down = Date.now() / 1000;
  await sleep(OUTAGE_MS);
  // While the receiver is away the sender's queue stops advancing.
  const sent = await api<{ result: { value: [number, string] }[] }>(
    senderUrl,
    `/api/v1/query?${new URLSearchParams({ query: "max(prometheus_remote_storage_queue_highest_sent_timestamp_seconds)" })}`,
  );
  expect(Number(sent.result[0].value[1])).toBeLessThan(down + 5);
  startReceiver(receiverArgs);
  const back = Date.now() / 1000;
  await waitFor(
    "the receiver back",
    async () => {
      receiver.assertRunning();
      return ready(receiverUrl, auth);
    },
    30000,
  );

  // Every sample the sender stored from 5 s before the outage to 5 s after it.
  await sleep(6000);
  const at = back + 5;
  const window = Math.ceil(at - (before - 5));
  const want = await samples(senderUrl, at, window);
  const gapSamples = [...want.values()].reduce((n, ts) => n + [...ts].filter((t) => t > down && t < back).length, 0);
  expect(gapSamples).toBeGreaterThan(1000);
  const left = await waitFor(
    "the receiver to hold every sample of the gap",
    async () => {
      const m = missingSamples(want, await samples(receiverUrl, at, window, auth));
      return m.series.length === 0 && m.samples.length === 0 ? m : undefined;
    },
    60000,
  ).catch(async (e: Error) => {
    const m = missingSamples(want, await samples(receiverUrl, at, window, auth));
    throw new Error(
      `${e.message}\nmissing series ${m.series.length}, samples ${m.samples.length}, e.g. ${m.samples.slice(0, 5).join(" ")}\n${logs()}`,
    );
  });
  expect(left).toEqual({ series: [], samples: [] });
}, 150000);
