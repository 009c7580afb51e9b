// Helpers for the live proof suite and the benchmarks: real Prometheus/Alertmanager/exporter
// processes on 127.0.0.1, an in-process webhook receiver and a fake application service.
// Every process started here is registered and killed when the Node process exits, also on
// failure; every wait is bounded.
import * as childProcess from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..");
export const TOOLS_BIN = path.join(REPO_ROOT, ".tools", "bin");

export function toolPath(name: string): string {
  const p = path.join(TOOLS_BIN, name);
  if (!fs.existsSync(p)) {
    throw new Error(`${p} is missing: run \`bash scripts/fetch-prometheus-tools.sh\` first`);
  }
  return p;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A timeout for Promise.race that does not keep the event loop (and jest) alive. */
function deadline(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

/** A port that was free a moment ago on 127.0.0.1 (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address() as net.AddressInfo;
      srv.close(() => resolve(addr.port));
    });
  });
}

export class WaitTimeout extends Error {}

/**
 * Polls `probe` until it returns something other than undefined/false/null, or throws after
 * `timeoutMs` with the description and the last error or value seen.
 */
export async function waitFor<T>(
  description: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = undefined;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== null && v !== false) return v as T;
      last = v;
    } catch (e) {
      last = e instanceof Error ? e.message : e;
    }
    if (Date.now() >= deadline) {
      throw new WaitTimeout(`timed out after ${timeoutMs} ms waiting for ${description}; last: ${String(last)}`);
    }
    await sleep(intervalMs);
  }
}

// ---------------------------------------------------------------------------------------------
// Processes

const running = new Set<ManagedProcess>();

function killAllSync(): void {
  for (const p of running) {
    try {
      p.child?.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
  running.clear();
}

let handlersInstalled = false;
function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.once("exit", killAllSync);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      killAllSync();
      process.exit(128 + (os.constants.signals[sig] ?? 1));
    });
  }
}

/** A child process whose stdout/stderr go to a log file; stop() is bounded and idempotent. */
export class ManagedProcess {
  child?: childProcess.ChildProcess;
  private exited?: Promise<number | null>;
  private exitCode: number | null | undefined;
  startedAt = 0;

  constructor(
    readonly name: string,
    readonly bin: string,
    readonly args: readonly string[],
    readonly logPath: string,
  ) {}

  get running(): boolean {
    return this.child !== undefined && this.exitCode === undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    installExitHandlers();
    const fd = fs.openSync(this.logPath, "a");
    fs.writeSync(fd, `\n=== ${new Date().toISOString()} start ${this.bin} ${this.args.join(" ")}\n`);
    const child = childProcess.spawn(this.bin, [...this.args], { stdio: ["ignore", fd, fd] });
    fs.closeSync(fd);
    this.child = child;
    this.exitCode = undefined;
    this.startedAt = Date.now();
    running.add(this);
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        running.delete(this);
        resolve(code);
      });
      child.once("error", (err) => {
        fs.appendFileSync(this.logPath, `spawn error: ${err.message}\n`);
        this.exitCode = -1;
        running.delete(this);
        resolve(-1);
      });
    });
  }

  /** SIGTERM (graceful, like `docker stop`), SIGKILL after `graceMs`. */
  async stop(graceMs = 10000): Promise<void> {
    if (!this.child || !this.running) return;
    const exited = this.exited!;
    this.child.kill("SIGTERM");
    const done = await Promise.race([exited.then(() => true), deadline(graceMs).then(() => false)]);
    if (!done) {
      this.child.kill("SIGKILL");
      await Promise.race([exited, deadline(5000)]);
    }
  }

  /** SIGKILL at once, as a crash or a lost host: no graceful leave, no final flush to disk. Bounded. */
  async kill(): Promise<void> {
    if (!this.child || !this.running) return;
    const exited = this.exited!;
    this.child.kill("SIGKILL");
    await Promise.race([exited, deadline(5000)]);
  }

  /** Throws (with the log tail) when the process has exited. */
  assertRunning(): void {
    if (!this.running) {
      throw new Error(`${this.name} exited (code ${String(this.exitCode)})\n${this.tail()}`);
    }
  }

  tail(lines = 40): string {
    try {
      const text = fs.readFileSync(this.logPath, "utf8").trimEnd().split("\n");
      return `--- ${this.name} log (${this.logPath}), last ${lines} lines ---\n${text.slice(-lines).join("\n")}`;
    } catch {
      return `--- ${this.name}: no log at ${this.logPath}`;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers

export async function httpJson<T>(url: string, init: RequestInit = {}, timeoutMs = 5000): Promise<T> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${url}: HTTP ${res.status} ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export async function httpOk(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Prometheus HTTP API

export interface PromTarget {
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  health: "up" | "down" | "unknown";
  lastError: string;
  lastScrape: string;
}

export interface PromRule {
  type: "alerting" | "recording";
  name: string;
  query: string;
  health: "ok" | "err" | "unknown";
  lastError?: string;
  lastEvaluation: string;
  evaluationTime: number;
  state?: "inactive" | "pending" | "firing";
  alerts?: { labels: Record<string, string>; state: string; activeAt: string; value: string }[];
}

export interface PromRuleGroup {
  name: string;
  file: string;
  interval: number;
  rules: PromRule[];
  evaluationTime: number;
  lastEvaluation: string;
}

export interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: "pending" | "firing";
  activeAt: string;
  value: string;
}

export interface PromSample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

/** Go's zero time: what the API reports for a group or rule never evaluated. */
export function isZeroTime(t: string | undefined): boolean {
  return !t || t.startsWith("0001-01-01");
}

export class PrometheusApi {
  constructor(readonly baseUrl: string) {}

  private async get<T>(p: string): Promise<T> {
    const body = await httpJson<{ status: string; data: T; error?: string }>(`${this.baseUrl}${p}`);
    if (body.status !== "success") throw new Error(`${p}: ${body.error}`);
    return body.data;
  }

  ready(): Promise<boolean> {
    return httpOk(`${this.baseUrl}/-/ready`);
  }

  async targets(): Promise<PromTarget[]> {
    return (await this.get<{ activeTargets: PromTarget[] }>("/api/v1/targets?state=active")).activeTargets;
  }

  async ruleGroups(): Promise<PromRuleGroup[]> {
    return (await this.get<{ groups: PromRuleGroup[] }>("/api/v1/rules")).groups;
  }

  async alerts(): Promise<PromAlert[]> {
    return (await this.get<{ alerts: PromAlert[] }>("/api/v1/alerts")).alerts;
  }

  /** Instant query; `time` in seconds since the epoch. */
  async query(expr: string, time?: number): Promise<PromSample[]> {
    const q = new URLSearchParams({ query: expr });
    if (time !== undefined) q.set("time", String(time));
    return (await this.get<{ resultType: string; result: PromSample[] }>(`/api/v1/query?${q}`)).result;
  }

  /** A query whose failure is a result, not an exception: status, error and result count. */
  async queryRaw(expr: string): Promise<{ status: string; error?: string; resultCount: number }> {
    const res = await fetch(`${this.baseUrl}/api/v1/query?${new URLSearchParams({ query: expr })}`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { status: string; error?: string; data?: { result?: unknown[] } };
    return { status: body.status, error: body.error, resultCount: body.data?.result?.length ?? 0 };
  }

  async reload(): Promise<void> {
    const res = await fetch(`${this.baseUrl}/-/reload`, { method: "POST", signal: AbortSignal.timeout(10000) });
    if (!res.ok) throw new Error(`reload: HTTP ${res.status} ${await res.text()}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Alertmanager API v2

export interface AmMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual?: boolean;
}

export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  fingerprint: string;
  receivers: { name: string }[];
  status: { state: "active" | "suppressed" | "unprocessed"; silencedBy: string[]; inhibitedBy: string[] };
}

export interface AmSilence {
  id: string;
  matchers: AmMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  status: { state: "active" | "pending" | "expired" };
}

export class AlertmanagerApi {
  constructor(readonly baseUrl: string) {}

  ready(): Promise<boolean> {
    return httpOk(`${this.baseUrl}/-/ready`);
  }

  /** All alerts Alertmanager holds, including silenced and inhibited ones. */
  alerts(): Promise<AmAlert[]> {
    return httpJson<AmAlert[]>(`${this.baseUrl}/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true`);
  }

  silences(): Promise<AmSilence[]> {
    return httpJson<AmSilence[]>(`${this.baseUrl}/api/v2/silences`);
  }

  async createSilence(matchers: AmMatcher[], durationMs: number, comment: string): Promise<string> {
    const now = Date.now();
    const body = {
      matchers: matchers.map((m) => ({ isEqual: true, ...m })),
      startsAt: new Date(now - 1000).toISOString(),
      endsAt: new Date(now + durationMs).toISOString(),
      createdBy: "live-suite",
      comment,
    };
    const res = await httpJson<{ silenceID: string }>(`${this.baseUrl}/api/v2/silences`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return res.silenceID;
  }

  async deleteSilence(id: string): Promise<void> {
    await httpJson<unknown>(`${this.baseUrl}/api/v2/silence/${encodeURIComponent(id)}`, { method: "DELETE" });
  }
}

// ---------------------------------------------------------------------------------------------
// Webhook receiver (what Alertmanager's webhook_configs post)

export interface WebhookAlert {
  status: "firing" | "resolved";
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
}

export interface Notification {
  /** Request path: tells the webhook URL (webhook_url vs heartbeat_url) apart. */
  path: string;
  receiver: string;
  status: "firing" | "resolved";
  alertnames: string[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  alerts: WebhookAlert[];
  /** The sending Alertmanager's --web.external-url: tells the members of a cluster apart. */
  externalURL: string;
  /** Arrival time, ms since the epoch. */
  at: number;
}

export class WebhookReceiver {
  readonly notifications: Notification[] = [];
  private server?: http.Server;
  port = 0;
  private listeners: ((n: Notification) => void)[] = [];

  async start(port = 0): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
            receiver: string;
            status: "firing" | "resolved";
            groupLabels: Record<string, string>;
            commonLabels: Record<string, string>;
            alerts: WebhookAlert[];
            externalURL: string;
          };
          const n: Notification = {
            path: req.url ?? "",
            receiver: body.receiver,
            status: body.status,
            alertnames: [...new Set(body.alerts.map((a) => a.labels.alertname))],
            groupLabels: body.groupLabels,
            commonLabels: body.commonLabels,
            alerts: body.alerts,
            externalURL: body.externalURL,
            at: Date.now(),
          };
          this.notifications.push(n);
          for (const l of this.listeners) l(n);
          res.writeHead(200).end("ok");
        } catch (e) {
          res.writeHead(400).end(String(e));
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, "127.0.0.1", () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  url(p: string): string {
    return `http://127.0.0.1:${this.port}${p.startsWith("/") ? p : `/${p}`}`;
  }

  onNotification(l: (n: Notification) => void): void {
    this.listeners.push(l);
  }

  /** Notifications matching `pred`, optionally only those that arrived at or after `since`. */
  find(pred: (n: Notification) => boolean, since = 0): Notification[] {
    return this.notifications.filter((n) => n.at >= since && pred(n));
  }

  /** Waits for a notification matching `pred` that arrives at or after `since`. */
  waitFor(description: string, pred: (n: Notification) => boolean, timeoutMs: number, since = 0): Promise<Notification> {
    return waitFor(description, () => this.find(pred, since)[0], timeoutMs, 100);
  }

  summary(last = 30): string {
    return this.notifications
      .slice(-last)
      .map(
        (n) =>
          `${new Date(n.at).toISOString()} ${n.path} receiver=${n.receiver} status=${n.status} ` +
          n.alerts.map((a) => `${a.labels.alertname}{service=${a.labels.service ?? ""}}:${a.status}`).join(","),
      )
      .join("\n");
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }
}

/** Does this notification carry `alertname` (optionally with matching labels) with `status`? */
export function carries(n: Notification, alertname: string, status: "firing" | "resolved", labels: Record<string, string> = {}): boolean {
  return n.alerts.some(
    (a) => a.labels.alertname === alertname && a.status === status && Object.entries(labels).every(([k, v]) => a.labels[k] === v),
  );
}

// ---------------------------------------------------------------------------------------------
// Fake application service (the metric contract, as prom-client exposes it)

export type ServiceBehaviour = "healthy" | "error-heavy" | "slow";

/** prom-client's default histogram buckets. */
export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

interface RouteDef {
  method: string;
  route: string;
}

interface SeriesState {
  count: number;
  sum: number;
  buckets: number[];
}

/**
 * An application exposing `http_requests_total{service,method,route,status}` and
 * `http_request_duration_seconds{service,method,route,status}` (histogram), the default
 * `process_start_time_seconds`, and the WebSocket/database counters of the contract.
 * Traffic is simulated lazily: every scrape advances the counters by `requestsPerSecond` x the
 * time since the last scrape, split over the routes with the behaviour's status and latency mix.
 * `stop()` closes the server (connection refused, like a dead process); `start()` again models
 * a new process: counters start from zero and `process_start_time_seconds` changes.
 */
export class FakeService {
  behaviour: ServiceBehaviour = "healthy";
  requestsPerSecond = 20;
  port = 0;
  private server?: http.Server;
  private series = new Map<string, SeriesState>();
  private startTime = 0;
  private lastAdvance = 0;
  private carry = 0;
  private seq = 0;
  private rng = 12345;
  private wsDisconnects = 0;

  constructor(
    readonly service: string,
    readonly routes: readonly RouteDef[] = [
      { method: "GET", route: "/api/products" },
      { method: "GET", route: "/api/products/:id" },
      { method: "POST", route: "/api/orders" },
    ],
  ) {}

  get running(): boolean {
    return this.server !== undefined;
  }

  setBehaviour(b: ServiceBehaviour): void {
    this.advance(Date.now());
    this.behaviour = b;
  }

  async start(port = this.port): Promise<void> {
    if (this.server) return;
    this.series.clear();
    this.startTime = Date.now();
    this.lastAdvance = this.startTime;
    this.carry = 0;
    this.wsDisconnects = 0;
    // prom-client style: series exist once a request with those labels was served. Seed the
    // usual ones at 0 so a rate() has a baseline from the first scrape on.
    for (const r of this.routes) for (const status of ["200", "404", "500"]) this.state(r, status);
    const server = http.createServer((req, res) => {
      if (req.url === "/metrics") {
        res.writeHead(200, { "content-type": EXPOSITION_CONTENT_TYPE });
        res.end(this.exposition());
      } else if (req.url === "/health" || req.url === "/") {
        // The health endpoint stays 200 in every behaviour: only the request mix changes.
        res.writeHead(200, { "content-type": "text/plain" });
        res.end(this.behaviour);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
  }

  /** Closes the listener and every open connection: scrapes get "connection refused". */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private random(): number {
    // Park-Miller: deterministic traffic, no flakiness from Math.random.
    this.rng = (this.rng * 48271) % 2147483647;
    return this.rng / 2147483647;
  }

  private state(r: RouteDef, status: string): SeriesState {
    const key = `${r.method}\u0000${r.route}\u0000${status}`;
    let s = this.series.get(key);
    if (!s) {
      s = { count: 0, sum: 0, buckets: DEFAULT_BUCKETS.map(() => 0) };
      this.series.set(key, s);
    }
    return s;
  }

  private advance(now: number): void {
    const exact = (this.requestsPerSecond * (now - this.lastAdvance)) / 1000 + this.carry;
    const n = Math.floor(exact);
    this.carry = exact - n;
    this.lastAdvance = now;
    for (let i = 0; i < n; i++) {
      const r = this.routes[this.seq++ % this.routes.length];
      const x = this.random();
      let status = "200";
      let duration = 0.02 + this.random() * 0.15;
      if (this.behaviour === "error-heavy") {
        status = x < 0.5 ? "500" : "200";
      } else if (x < 0.03) {
        status = "404";
      }
      if (this.behaviour === "slow") duration = 1.5 + this.random() * 3;
      const s = this.state(r, status);
      s.count++;
      s.sum += duration;
      DEFAULT_BUCKETS.forEach((le, j) => {
        if (duration <= le) s.buckets[j]++;
      });
    }
    if (n > 0 && this.random() < 0.01) this.wsDisconnects++;
  }

  exposition(): string {
    this.advance(Date.now());
    const svc = this.service;
    const out: string[] = [];
    out.push("# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.");
    out.push("# TYPE process_start_time_seconds gauge");
    out.push(`process_start_time_seconds ${Math.floor(this.startTime / 1000)}`);
    out.push("# HELP http_requests_total Total number of HTTP requests");
    out.push("# TYPE http_requests_total counter");
    const entries = [...this.series.entries()].map(([k, s]) => {
      const [method, route, status] = k.split("\u0000");
      return { labels: `service="${svc}",method="${method}",route="${route}",status="${status}"`, s };
    });
    for (const e of entries) out.push(`http_requests_total{${e.labels}} ${e.s.count}`);
    out.push("# HELP http_request_duration_seconds Duration of HTTP requests in seconds");
    out.push("# TYPE http_request_duration_seconds histogram");
    for (const e of entries) {
      DEFAULT_BUCKETS.forEach((le, j) => out.push(`http_request_duration_seconds_bucket{${e.labels},le="${le}"} ${e.s.buckets[j]}`));
      out.push(`http_request_duration_seconds_bucket{${e.labels},le="+Inf"} ${e.s.count}`);
      out.push(`http_request_duration_seconds_sum{${e.labels}} ${e.s.sum}`);
      out.push(`http_request_duration_seconds_count{${e.labels}} ${e.s.count}`);
    }
    out.push("# HELP websocket_connections_active Open WebSocket connections");
    out.push("# TYPE websocket_connections_active gauge");
    out.push(`websocket_connections_active{service="${svc}"} 40`);
    out.push("# HELP websocket_disconnections_total WebSocket disconnections");
    out.push("# TYPE websocket_disconnections_total counter");
    out.push(`websocket_disconnections_total{service="${svc}"} ${this.wsDisconnects}`);
    out.push("# HELP db_connection_errors_total Failed attempts to get a database connection");
    out.push("# TYPE db_connection_errors_total counter");
    out.push(`db_connection_errors_total{service="${svc}"} 0`);
    return out.join("\n") + "\n";
  }
}

/** Wraps a test body so that a failure's message ends with the tail of a process's log. */
export function withLogOf<T>(proc: () => { tail(lines: number): string } | undefined, fn: () => Promise<T>): () => Promise<T> {
  return async () => {
    try {
      return await fn();
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      err.message += `\n${proc()?.tail(30) ?? ""}`;
      throw err;
    }
  };
}

/**
 * Caddy running `caddyfile` with its data, config and HOME under `dir` (env(1) sets them: nothing
 * lands in the real $HOME); `rootCaPath` is where its internal CA's root certificate appears.
 */
export function caddyProcess(dir: string, caddyfile: string): { readonly process: ManagedProcess; readonly rootCaPath: string } {
  const process = new ManagedProcess(
    "caddy",
    "/usr/bin/env",
    [
      `HOME=${dir}`,
      `XDG_DATA_HOME=${path.join(dir, "data")}`,
      `XDG_CONFIG_HOME=${path.join(dir, "config")}`,
      toolPath("caddy"),
      "run",
      "--config",
      caddyfile,
      "--adapter",
      "caddyfile",
    ],
    path.join(dir, "caddy.log"),
  );
  return { process, rootCaPath: path.join(dir, "data", "caddy", "pki", "authorities", "local", "root.crt") };
}

/**
 * Starts Caddy on `caddyfile` and waits until its local CA's root exists and `ready` accepts a
 * connection made with it (the site's certificate is issued); resolves with the root (PEM).
 */
export async function startCaddyWithLocalCa(
  dir: string,
  caddyfile: string,
  what: string,
  ready: (rootCa: string) => Promise<boolean>,
  timeoutMs = 20_000,
): Promise<{ readonly process: ManagedProcess; readonly rootCa: string }> {
  const { process, rootCaPath } = caddyProcess(dir, caddyfile);
  process.start();
  const rootCa = await waitFor(
    what,
    async () => {
      process.assertRunning();
      if (!fs.existsSync(rootCaPath)) return undefined;
      const ca = fs.readFileSync(rootCaPath, "utf8");
      return (await ready(ca)) ? ca : undefined;
    },
    timeoutMs,
  );
  return { process, rootCa };
}
