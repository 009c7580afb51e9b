// The allow-listed metric names of the exporters we can run here exist in the real binaries'
// output: node_exporter, prometheus (its own metrics, plus the series it writes itself: up,
// scrape_duration_seconds, ALERTS; with a remote-write queue to a closed port), alertmanager and blackbox_exporter run on free loopback
// ports for a few seconds. The binaries come from scripts/fetch-prometheus-tools.sh.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { buildDashboards } from "../../dashboards";
import { metricsOf } from "../../integrations";
import { emptyDir, FULL_INPUT, MANY_SERVICES_INPUT } from "../helpers/dashboard-fixtures";
import { collectQueries, DashboardJson, promqlMetricNames, substituteVariables } from "../helpers/query-check";

const BIN = path.resolve(__dirname, "../../.tools/bin");
const STARTUP_TIMEOUT_MS = 10_000;

const children: ChildProcess[] = [];
let tmp: string;

function binary(name: string): string {
  const p = path.join(BIN, name);
  if (!fs.existsSync(p)) throw new Error(`${p} is missing: run \`bash scripts/fetch-prometheus-tools.sh\``);
  return p;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function start(name: string, args: string[]): ChildProcess {
  const log = fs.openSync(path.join(tmp, `${name}.log`), "w");
  const child = spawn(binary(name), args, { stdio: ["ignore", log, log] });
  fs.closeSync(log);
  children.push(child);
  return child;
}

function logOf(name: string): string {
  const p = path.join(tmp, `${name}.log`);
  return fs.existsSync(p) ? fs.readFileSync(p, "utf8").slice(-2000) : "";
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value, or fails after the deadline with the process log. */
async function waitFor<T>(what: string, proc: string, check: () => Promise<T | undefined>, timeoutMs = STARTUP_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what} (${String(last ?? "no answer")})\n--- ${proc} log ---\n${logOf(proc)}`);
}

async function text(url: string): Promise<string | undefined> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return res.ok ? await res.text() : undefined;
}

/** Metric family names in a Prometheus text exposition (histogram series keep their suffix). */
function exposed(body: string): Set<string> {
  const names = new Set<string>();
  for (const line of body.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (m) names.add(m[1]);
  }
  return names;
}

function missing(expected: string[], got: Set<string>): string[] {
  return expected.filter((n) => !got.has(n));
}

let nodePort: number;
let promPort: number;
let amPort: number;
let bbPort: number;
/** Alertmanager's gossip listener: its alertmanager_cluster_* metrics exist only with clustering on. */
let gossipPort: number;
/** A port nothing listens on: the remote-write queue exists (its metrics with it) and keeps retrying. */
let deadPort: number;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dashboards-exporters-"));
  [nodePort, promPort, amPort, bbPort, deadPort, gossipPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);

  start("node_exporter", [`--web.listen-address=127.0.0.1:${nodePort}`]);

  fs.writeFileSync(
    path.join(tmp, "alertmanager.yml"),
    ["route:", "  receiver: blackhole", "receivers:", "  - name: blackhole", ""].join("\n"),
  );
  start("alertmanager", [
    `--config.file=${path.join(tmp, "alertmanager.yml")}`,
    `--storage.path=${path.join(tmp, "am-data")}`,
    `--web.listen-address=127.0.0.1:${amPort}`,
    // A cluster of one on loopback (the pair's panels and alerts read its metrics); no settling wait.
    `--cluster.listen-address=127.0.0.1:${gossipPort}`,
    "--cluster.settle-timeout=0s",
  ]);

  fs.writeFileSync(
    path.join(tmp, "rules.yml"),
    [
      "groups:",
      "  - name: dashboard-test",
      "    rules:",
      "      - alert: DashboardTestAlert",
      "        expr: vector(1)",
      "        labels: { severity: info }",
      "",
    ].join("\n"),
  );
  fs.writeFileSync(
    path.join(tmp, "prometheus.yml"),
    [
      "global: { scrape_interval: 1s, evaluation_interval: 1s }",
      "alerting:",
      `  alertmanagers: [{ static_configs: [{ targets: ["127.0.0.1:${amPort}"] }] }]`,
      `rule_files: ["${path.join(tmp, "rules.yml")}"]`,
      "scrape_configs:",
      `  - { job_name: prometheus, static_configs: [{ targets: ["127.0.0.1:${promPort}"] }] }`,
      `  - { job_name: alertmanager, static_configs: [{ targets: ["127.0.0.1:${amPort}"] }] }`,
      // The Remote write panels and alerts read the queue's metrics, which exist only with a queue.
      "remote_write:",
      `  - { url: "http://127.0.0.1:${deadPort}/api/v1/write", name: remote }`,
      "",
    ].join("\n"),
  );
  start("prometheus", [
    `--config.file=${path.join(tmp, "prometheus.yml")}`,
    `--storage.tsdb.path=${path.join(tmp, "prom-data")}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
  ]);

  fs.writeFileSync(path.join(tmp, "blackbox.yml"), ["modules:", "  http_2xx:", "    prober: http", "    timeout: 5s", ""].join("\n"));
  start("blackbox_exporter", [`--config.file=${path.join(tmp, "blackbox.yml")}`, `--web.listen-address=127.0.0.1:${bbPort}`]);
});

afterAll(async () => {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const force = setTimeout(() => c.kill("SIGKILL"), 3000);
          c.once("exit", () => {
            clearTimeout(force);
            resolve();
          });
          c.kill("SIGTERM");
        }),
    ),
  );
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/**
 * Names on a binary's /metrics once all of `expected` are there; if they never all appear
 * before the wait ends, the names of the last scrape (so the test reports what is missing).
 */
async function exposedWhenComplete(name: string, port: number, expected: string[]): Promise<Set<string>> {
  const url = `http://127.0.0.1:${port}/metrics`;
  return waitFor(`${name} metrics`, name, async () => {
    const body = await text(url);
    const names = body ? exposed(body) : undefined;
    return names && missing(expected, names).length === 0 ? names : undefined;
  }).catch(async () => exposed((await text(url)) ?? ""));
}

describe("dashboards against the real binaries", () => {
  it("node_exporter exposes every node_* metric of the allow-list", async () => {
    const body = await waitFor("node_exporter /metrics", "node_exporter", () => text(`http://127.0.0.1:${nodePort}/metrics`));
    const names = exposed(body);
    expect(metricsOf("node-exporter", "live").length).toBeGreaterThan(10);
    expect(missing(metricsOf("node-exporter", "live"), names)).toEqual([]);
    // The comparison can fail: a name the exporter does not have is reported.
    expect(missing(["node_no_such_metric_total"], names)).toEqual(["node_no_such_metric_total"]);
  });

  it("blackbox_exporter exposes the probe_* metrics of the allow-list", async () => {
    const target = encodeURIComponent(`http://127.0.0.1:${nodePort}/metrics`);
    const body = await waitFor("a blackbox probe", "blackbox_exporter", () =>
      text(`http://127.0.0.1:${bbPort}/probe?module=http_2xx&target=${target}`),
    );
    expect(missing(metricsOf("blackbox-exporter", "live"), exposed(body))).toEqual([]);
  });

  it("alertmanager exposes every alertmanager_* metric of the allow-list", async () => {
    const expected = metricsOf("alertmanager", "live");
    // Some counters appear only once Prometheus has sent the test alert.
    expect(missing(expected, await exposedWhenComplete("alertmanager", amPort, expected))).toEqual([]);
  });

  it("prometheus exposes every prometheus_* metric of the allow-list", async () => {
    const expected = metricsOf("prometheus", "live");
    expect(missing(expected, await exposedWhenComplete("prometheus", promPort, expected))).toEqual([]);
  });

  it("prometheus writes the synthetic series the dashboards read (up, scrape_*, ALERTS)", async () => {
    const expected = metricsOf("prometheus", "synthetic");
    expect(expected).toEqual(expect.arrayContaining(["ALERTS", "up"]));
    const found = async (name: string) => {
      const body = await text(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(`count(${name})`)}`);
      const res = body ? (JSON.parse(body) as { data?: { result?: unknown[] } }) : undefined;
      return (res?.data?.result?.length ?? 0) > 0;
    };
    const absent = await waitFor("synthetic series", "prometheus", async () => {
      const results = await Promise.all(expected.map(async (n) => [n, await found(n)] as const));
      const gone = results.filter(([, ok]) => !ok).map(([n]) => n);
      return gone.length === 0 ? gone : undefined;
    }).catch(async () => {
      const results = await Promise.all(expected.map(async (n) => [n, await found(n).catch(() => false)] as const));
      return results.filter(([, ok]) => !ok).map(([n]) => n);
    });
    expect(absent).toEqual([]);
  });

  it("prometheus accepts every PromQL query of the dashboards (types and functions, not just grammar)", async () => {
    await waitFor("prometheus ready", "prometheus", () => text(`http://127.0.0.1:${promPort}/-/ready`));
    const dir = emptyDir();
    const exprs = new Set<string>();
    try {
      for (const input of [FULL_INPUT, MANY_SERVICES_INPUT]) {
        for (const json of Object.values(buildDashboards(input, { dir }))) {
          for (const q of collectQueries(JSON.parse(json) as DashboardJson)) {
            if (q.kind === "prometheus") exprs.add(substituteVariables(q.expr));
          }
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(exprs.size).toBeGreaterThan(100);
    const rejected: string[] = [];
    const queue = [...exprs];
    const worker = async () => {
      for (let expr = queue.shift(); expr !== undefined; expr = queue.shift()) {
        const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(expr)}`, {
          signal: AbortSignal.timeout(5000),
        });
        const body = (await res.json()) as { status: string; error?: string };
        if (body.status !== "success") rejected.push(`${body.error}\n  ${expr}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(rejected).toEqual([]);
    // The check can fail: Prometheus rejects a type error the grammar accepts.
    const bad = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent("rate(up)")}`);
    expect(((await bad.json()) as { status: string }).status).toBe("error");
  });

  it("prometheus returns data for every panel query over Prometheus' and Alertmanager's own metrics", async () => {
    // The live Prometheus scrapes itself (job="prometheus") and Alertmanager (job="alertmanager"),
    // evaluates a rule group and fires one alert: every stack-health/alerts query built only
    // from their metrics must find series, which checks job labels and label names too.
    const own = new Set([...metricsOf("prometheus", "live"), ...metricsOf("alertmanager", "live")]);
    const dir = emptyDir();
    const exprs = new Map<string, string>();
    try {
      for (const json of Object.values(buildDashboards(FULL_INPUT, { dir }))) {
        for (const q of collectQueries(JSON.parse(json) as DashboardJson)) {
          const names = q.kind === "prometheus" ? promqlMetricNames(q.expr).names : [];
          if (names.length > 0 && names.every((n) => own.has(n))) exprs.set(substituteVariables(q.expr), q.where);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(exprs.size).toBeGreaterThan(20);
    const empty = async () => {
      const out: string[] = [];
      for (const [expr, where] of exprs) {
        const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(expr)}`, {
          signal: AbortSignal.timeout(5000),
        });
        const body = (await res.json()) as { data?: { result?: unknown[] } };
        if ((body.data?.result?.length ?? 0) === 0) out.push(`${where}: ${expr}`);
      }
      return out;
    };
    // Prometheus applies discovered targets after ~5 s; rates need two samples after that.
    const stillEmpty = await waitFor(
      "data for the stack panels",
      "prometheus",
      async () => {
        const e = await empty();
        return e.length === 0 ? e : undefined;
      },
      15_000,
    ).catch(() => empty());
    expect(stillEmpty).toEqual([]);
  });
});
