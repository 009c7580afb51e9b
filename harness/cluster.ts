// The redundant pair on 127.0.0.1 (issue 22): two real Alertmanagers clustered with the flags of
// configs/cluster.ts, gossiping over mutual TLS, and two real Prometheus servers, each with its
// replica's external labels, the `pair` prometheus.yml (both members' services, both
// Alertmanagers) and the catalogue's rendered rules. Shared by tests/live/cluster.live.test.ts
// (suite timings) and `npm run bench:notify -- --ha` (production timings).
//
// Stand-ins, and what they stand for:
// - Gossip certificates: made here with `openssl` from the profile the program uses
//   (GOSSIP_CERTIFICATES in configs/cluster.ts: a CA, then one ECDSA P-256 key and certificate per
//   member, SAN DNS = GOSSIP_SERVER_NAME, server and client authentication, since each member is
//   the server of one connection and the client of the other). The program makes them with
//   @pulumi/tls (PrivateKey, SelfSignedCert, LocallySignedCert): X.509 PEM either way, read by
//   Alertmanager through the same tls-config file (renderGossipTlsConfig).
//   tests/program/golden-prod-pair.test.ts checks the program's resources carry that profile, and
//   the cluster suite that the certificates made here do.
// - The member's other services (Grafana, Loki, Alloy, node-exporter, cAdvisor) are not run: one
//   stub exporter per member answers their scrapes, so only the targets a test kills go down.
import * as childProcess from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import { renderAlertmanagerConfig, SECRET_FILES } from "../configs/alertmanager";
import { Endpoints, NETWORK_COMPONENTS } from "../catalog/containers";
import {
  GOSSIP_CERTIFICATES,
  GOSSIP_SERVER_NAME,
  PAIR_MEMBERS,
  alertmanagerClusterFlags,
  pairExternalLabels,
  renderGossipTlsConfig,
} from "../configs/cluster";
import { renderPrometheusConfig } from "../configs/prometheus";
import { ServiceSettings } from "../configs/service-settings";
import { TARGET_DOWN_ALERTS } from "../integrations";
import { applySuiteRouteTimings, renderRules } from "./live-stack";
import {
  AlertmanagerApi,
  EXPOSITION_CONTENT_TYPE,
  ManagedProcess,
  PrometheusApi,
  freePort,
  makeTempDir,
  toolPath,
  waitFor,
} from "./processes";

export interface PairClusterOptions {
  readonly name: string;
  /** The stack name: the `stack` and `cluster` external labels. */
  readonly stack: string;
  readonly scrapeInterval: string;
  readonly evaluationInterval: string;
  /** Divides every rule `for:` (1 = production). */
  readonly timeScale: number;
  /** Rule files (renderRules names, e.g. "service-health.yml") the pair loads. */
  readonly ruleFiles: readonly string[];
  /** "suite" applies SUITE_ROUTE_TIMINGS to the rendered alertmanager.yml. */
  readonly routeTimings: "production" | "suite";
  /** Prometheus --rules.alert.resend-delay (default Prometheus's 1m). */
  readonly resendDelay?: string;
  /** --cluster.peer-timeout (default PEER_TIMEOUT) and --cluster.settle-timeout (default Alertmanager's 1m). */
  readonly peerTimeout?: string;
  readonly settleTimeout?: string;
  /** The application services both replicas scrape (the targets a test kills). */
  readonly services: readonly ServiceSettings[];
  readonly webhookUrl: string;
  readonly heartbeatUrl: string;
}

/** One host of the pair: its Alertmanager, its Prometheus, and the stub answering for the rest. */
export class PairMember {
  alertmanager!: ManagedProcess;
  prometheus!: ManagedProcess;
  readonly am: AlertmanagerApi;
  readonly prom: PrometheusApi;
  readonly promConfig: string;

  constructor(
    readonly name: string,
    readonly dir: string,
    readonly endpoints: Endpoints,
    /** ip:port of the gossip listener (advertised as is: an address, never a name). */
    readonly gossip: string,
  ) {
    this.am = new AlertmanagerApi(`http://${endpoints.alertmanager}`);
    this.prom = new PrometheusApi(`http://${endpoints.prometheus}`);
    this.promConfig = path.join(dir, "prometheus.yml");
  }

  get amDataDir(): string {
    return path.join(this.dir, "alertmanager-data");
  }

  get promDataDir(): string {
    return path.join(this.dir, "prometheus-data");
  }
}

interface ClusterStatus {
  cluster: { status: string; name: string; peers?: { name: string; address: string }[] };
}

/** A /metrics endpoint with one gauge: stands in for the services the pair test does not run. */
async function stubExporter(): Promise<{ server: http.Server; address: string }> {
  const server = http.createServer((req, res) => {
    if (req.url !== "/metrics") return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": EXPOSITION_CONTENT_TYPE }).end("# TYPE cluster_suite_stub gauge\ncluster_suite_stub 1\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return { server, address: `127.0.0.1:${(server.address() as net.AddressInfo).port}` };
}

/** Runs openssl in `cwd`; `command` is split on spaces (no argument here contains one). */
function openssl(command: string, cwd: string): void {
  const r = childProcess.spawnSync("openssl", command.split(" "), { cwd, encoding: "utf8", timeout: 30000 });
  if (r.status !== 0)
    throw new Error(`openssl ${command} failed (${r.error?.message ?? r.status}): ${r.stderr}; the pair's test needs openssl on PATH`);
}

/** The TLS provider's names (GOSSIP_CERTIFICATES) as openssl's extension values. */
const OPENSSL_CURVE = { P256: "P-256" } as const;
const OPENSSL_KEY_USAGE: Partial<Record<string, string>> = {
  digital_signature: "digitalSignature",
  key_encipherment: "keyEncipherment",
  cert_signing: "keyCertSign",
  crl_signing: "cRLSign",
};
const OPENSSL_EXTENDED_USAGE: Partial<Record<string, string>> = { server_auth: "serverAuth", client_auth: "clientAuth" };

/** openssl's extensions for a profile's uses (keyUsage and extendedKeyUsage lines). */
export function opensslUsages(uses: readonly string[]): string {
  const pick = (table: Partial<Record<string, string>>) => uses.flatMap((u) => (table[u] ? [table[u]!] : []));
  const key = pick(OPENSSL_KEY_USAGE);
  const extended = pick(OPENSSL_EXTENDED_USAGE);
  return [key.length ? `keyUsage=critical,${key.join(",")}` : "", extended.length ? `extendedKeyUsage=${extended.join(",")}` : ""]
    .filter(Boolean)
    .join("\n");
}

/** A CA and one certificate per member with the program's profile (see the header: stand-in for @pulumi/tls). */
function makeGossipCertificates(dir: string, members: readonly string[]): void {
  fs.mkdirSync(dir, { recursive: true });
  const curve = OPENSSL_CURVE[GOSSIP_CERTIFICATES.curve];
  const key = (file: string) => openssl(`genpkey -algorithm EC -pkeyopt ec_paramgen_curve:${curve} -out ${file}`, dir);
  key("ca.key");
  const caExtensions = ["basicConstraints=critical,CA:TRUE", ...opensslUsages(GOSSIP_CERTIFICATES.caUses).split("\n")];
  openssl(`req -x509 -new -key ca.key -subj /CN=gossip-ca -days 2 -out ca.crt ${caExtensions.map((e) => `-addext ${e}`).join(" ")}`, dir);
  fs.writeFileSync(
    path.join(dir, "member.ext"),
    `subjectAltName=DNS:${GOSSIP_SERVER_NAME}\n${opensslUsages(GOSSIP_CERTIFICATES.memberUses)}\n`,
  );
  for (const m of members) {
    key(`${m}.key`);
    openssl(`req -new -key ${m}.key -subj /CN=${m} -out ${m}.csr`, dir);
    openssl(`x509 -req -in ${m}.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile member.ext -out ${m}.crt`, dir);
  }
}

export class PairCluster {
  readonly dir: string;
  readonly members: PairMember[] = [];
  readonly rules: Record<string, string>;
  readonly certDir: string;
  private stubs: http.Server[] = [];
  private ruleFiles: string[] = [];
  private amConfig = "";
  keepReplicaLabel = false;

  private constructor(readonly opts: PairClusterOptions) {
    this.dir = makeTempDir(`live-${opts.name}`);
    this.certDir = path.join(this.dir, "gossip-tls");
    const all = renderRules({ integrationAreas: [], backup: false, cluster: true }, opts.timeScale);
    this.rules = Object.fromEntries(
      opts.ruleFiles.map((f) => {
        if (!all[f]) throw new Error(`no rendered rule file ${f}; have ${Object.keys(all).join(", ")}`);
        return [f, all[f]];
      }),
    );
  }

  static async create(opts: PairClusterOptions): Promise<PairCluster> {
    const c = new PairCluster(opts);
    await c.render();
    return c;
  }

  member(name: string): PairMember {
    const m = this.members.find((x) => x.name === name);
    if (!m) throw new Error(`no member ${name}`);
    return m;
  }

  private async render(): Promise<void> {
    const o = this.opts;
    fs.mkdirSync(path.join(this.dir, "rules"));
    for (const [file, text] of Object.entries(this.rules)) {
      const p = path.join(this.dir, "rules", file);
      fs.writeFileSync(p, text);
      this.ruleFiles.push(p);
    }
    // One alertmanager.yml for both members, as deployed (identical configs are what makes their
    // notification logs comparable); secrets as files.
    const secretsDir = path.join(this.dir, "secrets");
    fs.mkdirSync(secretsDir);
    fs.writeFileSync(path.join(secretsDir, SECRET_FILES.webhook), o.webhookUrl);
    fs.writeFileSync(path.join(secretsDir, SECRET_FILES.heartbeat), o.heartbeatUrl);
    // `pair` as components/alerting.ts passes it on the pair (the pair's inhibitions, in
    // configs/alertmanager.ts once the pair's rule area is merged; ignored before).
    const amInput = { receivers: { webhook: true, heartbeat: true }, secretsDir, targetDownAlerts: TARGET_DOWN_ALERTS, pair: true };
    let amYml = renderAlertmanagerConfig(amInput);
    if (o.routeTimings === "suite") amYml = applySuiteRouteTimings(amYml);
    this.amConfig = path.join(this.dir, "alertmanager.yml");
    fs.writeFileSync(this.amConfig, amYml);

    makeGossipCertificates(this.certDir, PAIR_MEMBERS);
    for (const name of PAIR_MEMBERS) {
      const dir = path.join(this.dir, name);
      fs.mkdirSync(path.join(dir, "logs"), { recursive: true });
      const stub = await stubExporter();
      this.stubs.push(stub.server);
      const endpoints = Object.fromEntries(NETWORK_COMPONENTS.map((k) => [k, stub.address])) as Record<keyof Endpoints, string>;
      endpoints.prometheus = `127.0.0.1:${await freePort()}`;
      endpoints.alertmanager = `127.0.0.1:${await freePort()}`;
      this.members.push(new PairMember(name, dir, endpoints, `127.0.0.1:${await freePort()}`));
    }
    for (const m of this.members) {
      fs.writeFileSync(
        path.join(m.dir, "gossip-tls.yml"),
        renderGossipTlsConfig({
          caFile: path.join(this.certDir, "ca.crt"),
          certFile: path.join(this.certDir, `${m.name}.crt`),
          keyFile: path.join(this.certDir, `${m.name}.key`),
        }),
      );
      this.writePrometheusConfig(m);
      const log = (p: string) => path.join(m.dir, "logs", `${p}.log`);
      m.alertmanager = new ManagedProcess(
        `alertmanager-${m.name}`,
        toolPath("alertmanager"),
        this.alertmanagerArgs(m),
        log("alertmanager"),
      );
      const promArgs = [
        `--config.file=${m.promConfig}`,
        `--storage.tsdb.path=${m.promDataDir}`,
        `--web.listen-address=${m.endpoints.prometheus}`,
        "--web.enable-lifecycle",
        "--log.level=info",
        ...(o.resendDelay ? [`--rules.alert.resend-delay=${o.resendDelay}`] : []),
      ];
      m.prometheus = new ManagedProcess(`prometheus-${m.name}`, toolPath("prometheus"), promArgs, log("prometheus"));
    }
  }

  private alertmanagerArgs(m: PairMember): string[] {
    return [
      `--config.file=${this.amConfig}`,
      `--storage.path=${m.amDataDir}`,
      `--web.listen-address=${m.endpoints.alertmanager}`,
      // Names the sender in each webhook payload (externalURL), so a test can tell which member sent.
      `--web.external-url=http://${m.endpoints.alertmanager}`,
      ...alertmanagerClusterFlags({
        member: m.name,
        listenAddress: m.gossip,
        advertiseAddress: m.gossip,
        peers: this.members.filter((x) => x !== m).map((x) => x.gossip),
        tlsConfigFile: path.join(m.dir, "gossip-tls.yml"),
        peerTimeout: this.opts.peerTimeout,
        settleTimeout: this.opts.settleTimeout,
      }),
      "--log.level=info",
    ];
  }

  private writePrometheusConfig(m: PairMember): void {
    const o = this.opts;
    const yml = renderPrometheusConfig({
      scrapeInterval: o.scrapeInterval,
      evaluationInterval: o.evaluationInterval,
      endpoints: m.endpoints,
      services: o.services,
      integrationJobs: [],
      ruleFiles: this.ruleFiles,
      externalLabels: { stack: o.stack, ...pairExternalLabels(o.stack, m.name) },
      pair: { members: this.members.map((x) => ({ member: x.name, endpoints: x.endpoints })), keepReplicaLabel: this.keepReplicaLabel },
    });
    fs.writeFileSync(m.promConfig, yml);
  }

  /** The negative control: re-renders both prometheus.yml with or without the replica-label drop and reloads. */
  async setKeepReplicaLabel(keep: boolean): Promise<void> {
    this.keepReplicaLabel = keep;
    for (const m of this.members) {
      this.writePrometheusConfig(m);
      await m.prom.reload();
    }
  }

  /** `promtool check config` on each member's prometheus.yml (rules included) and `amtool check-config`. */
  checkConfigs(): string[] {
    const run = (bin: string, args: string[]) => {
      const r = childProcess.spawnSync(toolPath(bin), args, { encoding: "utf8", timeout: 30000 });
      const out = `${r.stdout}${r.stderr}`;
      if (r.status !== 0) throw new Error(`${bin} ${args.join(" ")} failed (${r.status}):\n${out}`);
      return out;
    };
    return [...this.members.map((m) => run("promtool", ["check", "config", m.promConfig])), run("amtool", ["check-config", this.amConfig])];
  }

  /** Starts (or restarts) a member's Alertmanager; `freshStorage` first empties its --storage.path. */
  async startAlertmanager(name: string, opts: { freshStorage?: boolean } = {}): Promise<void> {
    const m = this.member(name);
    if (opts.freshStorage) fs.rmSync(m.amDataDir, { recursive: true, force: true });
    m.alertmanager.start();
    await ready(m.alertmanager, () => m.am.ready(), 20000);
  }

  async startPrometheus(name: string): Promise<void> {
    const m = this.member(name);
    m.prometheus.start();
    await ready(m.prometheus, () => m.prom.ready(), 60000);
  }

  /** Both Alertmanagers, then both Prometheus; returns once gossip settled and both discovered both. */
  async startAll(timeoutMs = 60000): Promise<void> {
    for (const m of this.members) m.alertmanager.start();
    for (const m of this.members) await ready(m.alertmanager, () => m.am.ready(), 20000);
    await this.waitClusterSettled(timeoutMs);
    for (const m of this.members) m.prometheus.start();
    for (const m of this.members) await ready(m.prometheus, () => m.prom.ready(), 60000);
    await this.waitDiscovered(timeoutMs);
  }

  /** The peers a member's /api/v2/status lists once it reports the cluster `ready` (settled). */
  async settledPeers(name: string): Promise<string[] | undefined> {
    const m = this.member(name);
    const res = await fetch(`${m.am.baseUrl}/api/v2/status`, { signal: AbortSignal.timeout(2000) });
    const s = (await res.json()) as ClusterStatus;
    return s.cluster.status === "ready" ? (s.cluster.peers ?? []).map((p) => p.name).sort() : undefined;
  }

  /** Every running Alertmanager settled with every running member as a peer, and alertmanager_cluster_members agreeing. */
  async waitClusterSettled(timeoutMs: number): Promise<void> {
    const up = this.members.filter((m) => m.alertmanager.running);
    const want = up.map((m) => m.name).sort();
    for (const m of up) {
      await waitFor(
        `Alertmanager ${m.name} settled with peers ${want.join(",")}`,
        async () => {
          m.alertmanager.assertRunning();
          const peers = await this.settledPeers(m.name);
          return (
            JSON.stringify(peers) === JSON.stringify(want) &&
            (await metricValue(m.am.baseUrl, "alertmanager_cluster_members")) === want.length
          );
        },
        timeoutMs,
        250,
      );
    }
  }

  /** Every running Prometheus has discovered every Alertmanager (prometheus_notifications_alertmanagers_discovered). */
  async waitDiscovered(timeoutMs: number): Promise<void> {
    for (const m of this.members.filter((x) => x.prometheus.running)) {
      await waitFor(
        `Prometheus ${m.name} discovered ${this.members.length} Alertmanagers`,
        async () => {
          m.prometheus.assertRunning();
          return (await metricValue(m.prom.baseUrl, "prometheus_notifications_alertmanagers_discovered")) === this.members.length;
        },
        timeoutMs,
        250,
      );
    }
  }

  processes(): ManagedProcess[] {
    return this.members.flatMap((m) => [m.prometheus, m.alertmanager]);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.processes().map((p) => p.stop()));
    for (const s of this.stubs) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    this.stubs = [];
  }

  logTails(lines = 25): string {
    return this.processes()
      .map((p) => p.tail(lines))
      .join("\n");
  }

  /** Deletes the temp dir unless LIVE_KEEP_TMP=1 (then its path is printed). */
  cleanup(): void {
    if (process.env.LIVE_KEEP_TMP === "1") {
      console.log(`pair cluster ${this.opts.name}: kept ${this.dir}`);
      return;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

async function ready(p: ManagedProcess, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  await waitFor(`${p.name} ready`, () => (p.assertRunning(), probe()), timeoutMs).catch((e: Error) => {
    throw new Error(`${e.message}\n${p.tail()}`);
  });
}

/** The value of an unlabelled metric on a /metrics page (undefined when absent). */
export async function metricValue(baseUrl: string, name: string): Promise<number | undefined> {
  const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(2000) });
  const m = new RegExp(`^${name} (\\S+)$`, "m").exec(await res.text());
  return m ? Number(m[1]) : undefined;
}
