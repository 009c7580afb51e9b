// Renders the stack's real configuration (configs/*.ts, rules/*.yml) with loopback addresses
// and runs the real binaries against it: Prometheus, Alertmanager, node_exporter (on the
// fixture host of host-fixture.ts, never this machine) and blackbox_exporter. Shared by the
// live suite (short time scale) and the benchmarks (production timings).
import * as fs from "node:fs";
import * as path from "node:path";
import * as childProcess from "node:child_process";
import * as yaml from "js-yaml";
import { renderAlertmanagerConfig, SECRET_FILES } from "../configs/alertmanager";
import { Endpoints, NETWORK_COMPONENTS } from "../catalog/containers";
import { durationSeconds, renderPrometheusConfig } from "../configs/prometheus";
import { RuleSelection, renderRuleFiles } from "../configs/rules";
import { ServiceSettings } from "../configs/service-settings";
import {
  ALERT_THRESHOLDS,
  EnabledIntegrations,
  INTEGRATION_EXPORTERS,
  TARGET_DOWN_ALERTS,
  integrationRuleAreas,
  integrationScrapeConfigs,
} from "../integrations";
import { AlertmanagerApi, ManagedProcess, PrometheusApi, freePort, makeTempDir, toolPath, waitFor } from "./processes";
import { HostFixture } from "./host-fixture";

export const RUNBOOK_BASE = "http://127.0.0.1/runbooks.md";

/**
 * The suite's routing timings. Production (configs/alertmanager.ts ROUTE_TIMINGS) waits 10s
 * (critical) to 5m (info) before the first notification of a group and 5m between updates of
 * a group (so a resolved notification can take 5m). The suite shortens every group_wait to at
 * most 1s (0s stays 0s) and every group_interval to 2s; repeat_interval stays as rendered.
 * Routes, receivers, matchers and inhibit rules are untouched.
 */
export const SUITE_ROUTE_TIMINGS = { maxGroupWait: "1s", groupInterval: "2s" } as const;

export function applySuiteRouteTimings(alertmanagerYaml: string): string {
  const doc = yaml.load(alertmanagerYaml) as { route: Record<string, unknown> };
  const walk = (route: Record<string, unknown>): void => {
    if (typeof route.group_wait === "string" && durationSeconds(route.group_wait) > durationSeconds(SUITE_ROUTE_TIMINGS.maxGroupWait)) {
      route.group_wait = SUITE_ROUTE_TIMINGS.maxGroupWait;
    }
    if (typeof route.group_interval === "string") route.group_interval = SUITE_ROUTE_TIMINGS.groupInterval;
    for (const child of (route.routes as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  walk(doc.route);
  return yaml.dump(doc, { lineWidth: -1, noRefs: true });
}

/** File name → YAML of the rule areas this selection loads, as deployed, `for:` divided by `timeScale`. */
export function renderRules(sel: RuleSelection, timeScale: number): Record<string, string> {
  return renderRuleFiles(sel, { runbookBaseUrl: RUNBOOK_BASE, thresholds: ALERT_THRESHOLDS, timeScale });
}

export interface LiveStackOptions {
  readonly name: string;
  readonly scrapeInterval: string;
  readonly evaluationInterval: string;
  /** Divides every rule `for:` (1 = production). */
  readonly timeScale: number;
  /** "suite" applies SUITE_ROUTE_TIMINGS to the rendered alertmanager.yml. */
  readonly routeTimings: "production" | "suite";
  /** Prometheus --rules.alert.resend-delay (Prometheus default: 1m). */
  readonly resendDelay?: string;
  readonly services: readonly ServiceSettings[];
  readonly integrations: EnabledIntegrations;
  readonly backup?: boolean;
  readonly components: Partial<Record<"grafana" | "loki" | "alloy" | "cadvisor", boolean>>;
  /** Which real exporters to run; endpoints of the others come from `endpointOverrides`. */
  readonly run: { readonly nodeExporter: boolean; readonly blackbox: boolean; readonly alertmanager: boolean };
  /** host:port of core components (Endpoints keys) and integration exporters (their settings prefix, e.g. postgresExporter). */
  readonly endpointOverrides?: Partial<Endpoints> & Readonly<Record<string, string>>;
  /** URLs the rendered webhook_url / heartbeat_url secret files contain. */
  readonly webhookUrl: string;
  readonly heartbeatUrl: string;
}

/**
 * The part of the options shared by the live suite and bench:notify: one application service
 * (also probed by blackbox), the real node_exporter (on the fixture host), blackbox_exporter and Alertmanager, and no
 * Grafana, Loki, log agent or cAdvisor.
 */
export function oneServiceStack(
  name: string,
  port: number,
  receiverUrls: { webhookUrl: string; heartbeatUrl: string },
): Pick<LiveStackOptions, "services" | "integrations" | "backup" | "components" | "run" | "webhookUrl" | "heartbeatUrl"> {
  return {
    services: [{ name, targets: [`127.0.0.1:${port}`], metricsPath: "/metrics", scheme: "http", labels: {} }],
    integrations: { blackbox: { httpTargets: [`http://127.0.0.1:${port}/health`] } },
    backup: false,
    components: { grafana: false, loki: false, alloy: false, cadvisor: false },
    run: { nodeExporter: true, blackbox: true, alertmanager: true },
    ...receiverUrls,
  };
}

/** The rendered stack on loopback, with one ManagedProcess per real component. */
export class LiveStack {
  readonly dir: string;
  readonly promDataDir: string;
  readonly amDataDir: string;
  readonly textfileDir: string;
  /** The fake host node_exporter reads (only when the real node_exporter runs). */
  readonly host?: HostFixture;
  endpoints!: Endpoints;
  /** host:port of each integration exporter, by its settings prefix (e.g. blackboxExporter). */
  exporterEndpoints: Record<string, string> = {};
  prometheus!: ManagedProcess;
  alertmanager?: ManagedProcess;
  nodeExporter?: ManagedProcess;
  blackbox?: ManagedProcess;
  prom!: PrometheusApi;
  am!: AlertmanagerApi;
  /** file name -> rendered rule YAML */
  rules!: Record<string, string>;
  readonly files: Record<string, string> = {};

  private constructor(readonly opts: LiveStackOptions) {
    this.dir = makeTempDir(`live-${opts.name}`);
    this.promDataDir = path.join(this.dir, "prometheus-data");
    this.amDataDir = path.join(this.dir, "alertmanager-data");
    this.textfileDir = path.join(this.dir, "textfile");
    for (const d of [
      this.promDataDir,
      this.amDataDir,
      this.textfileDir,
      path.join(this.dir, "rules"),
      path.join(this.dir, "secrets"),
      path.join(this.dir, "logs"),
    ]) {
      fs.mkdirSync(d, { recursive: true });
    }
    if (opts.run.nodeExporter) this.host = new HostFixture(path.join(this.dir, "host"), this.textfileDir);
  }

  static async create(opts: LiveStackOptions): Promise<LiveStack> {
    const s = new LiveStack(opts);
    await s.render();
    return s;
  }

  private log(name: string): string {
    return path.join(this.dir, "logs", `${name}.log`);
  }

  private ruleFiles: string[] = [];

  private writePrometheusConfig(scrapeInterval: string): void {
    const o = this.opts;
    const promYml = renderPrometheusConfig({
      scrapeInterval,
      evaluationInterval: o.evaluationInterval,
      endpoints: this.endpoints,
      services: o.services,
      integrationJobs: integrationScrapeConfigs(o.integrations, o.services, (x) => this.exporterEndpoints[x.key]),
      ruleFiles: this.ruleFiles,
      components: o.components,
    });
    fs.writeFileSync(this.files.prometheus, promYml);
  }

  /** Re-renders prometheus.yml with another scrape interval and reloads Prometheus (lifecycle API). */
  async reloadWithScrapeInterval(scrapeInterval: string): Promise<void> {
    this.writePrometheusConfig(scrapeInterval);
    await this.prom.reload();
  }

  private async render(): Promise<void> {
    const o = this.opts;
    const port = async (k: string) => o.endpointOverrides?.[k] ?? `127.0.0.1:${await freePort()}`;
    const e = {} as Record<keyof Endpoints, string>;
    for (const k of NETWORK_COMPONENTS) {
      e[k] = await port(k);
    }
    this.endpoints = e;
    for (const x of INTEGRATION_EXPORTERS) this.exporterEndpoints[x.key] = await port(x.key);

    // Rules, rendered from rules/*.yml exactly like the deployed stack (plus the time scale).
    this.rules = renderRules({ integrationAreas: integrationRuleAreas(o.integrations), backup: o.backup ?? false }, o.timeScale);
    const ruleFiles: string[] = [];
    for (const [file, text] of Object.entries(this.rules)) {
      const p = path.join(this.dir, "rules", file);
      fs.writeFileSync(p, text);
      ruleFiles.push(p);
      this.files[`rules/${file}`] = p;
    }

    this.ruleFiles = ruleFiles;
    this.files.prometheus = path.join(this.dir, "prometheus.yml");
    this.writePrometheusConfig(o.scrapeInterval);

    // Secrets are files, as in the deployed stack.
    const secretsDir = path.join(this.dir, "secrets");
    fs.writeFileSync(path.join(secretsDir, SECRET_FILES.webhook), o.webhookUrl);
    fs.writeFileSync(path.join(secretsDir, SECRET_FILES.heartbeat), o.heartbeatUrl);
    let amYml = renderAlertmanagerConfig({
      receivers: { webhook: true, heartbeat: true },
      secretsDir,
      targetDownAlerts: TARGET_DOWN_ALERTS,
    });
    if (o.routeTimings === "suite") amYml = applySuiteRouteTimings(amYml);
    this.files.alertmanager = path.join(this.dir, "alertmanager.yml");
    fs.writeFileSync(this.files.alertmanager, amYml);

    this.files.blackbox = path.join(this.dir, "blackbox.yml");
    fs.writeFileSync(
      this.files.blackbox,
      yaml.dump({
        modules: {
          http_2xx: { prober: "http", timeout: "5s", http: { preferred_ip_protocol: "ip4", valid_status_codes: [] } },
        },
      }),
    );

    const promArgs = [
      `--config.file=${this.files.prometheus}`,
      `--storage.tsdb.path=${this.promDataDir}`,
      `--web.listen-address=${e.prometheus}`,
      "--web.enable-lifecycle",
      "--web.enable-admin-api",
      "--log.level=info",
    ];
    if (o.resendDelay) promArgs.push(`--rules.alert.resend-delay=${o.resendDelay}`);
    this.prometheus = new ManagedProcess("prometheus", toolPath("prometheus"), promArgs, this.log("prometheus"));
    this.prom = new PrometheusApi(`http://${e.prometheus}`);

    if (o.run.alertmanager) {
      this.alertmanager = new ManagedProcess(
        "alertmanager",
        toolPath("alertmanager"),
        [
          `--config.file=${this.files.alertmanager}`,
          `--storage.path=${this.amDataDir}`,
          `--web.listen-address=${e.alertmanager}`,
          // No gossip: a single instance, and nothing may listen beyond 127.0.0.1.
          "--cluster.listen-address=",
          "--log.level=info",
        ],
        this.log("alertmanager"),
      );
    }
    this.am = new AlertmanagerApi(`http://${e.alertmanager}`);
    if (this.host) {
      this.nodeExporter = new ManagedProcess(
        "node_exporter",
        toolPath("node_exporter"),
        [`--web.listen-address=${e.nodeExporter}`, ...this.host.nodeExporterArgs()],
        this.log("node_exporter"),
      );
    }
    if (o.run.blackbox) {
      this.blackbox = new ManagedProcess(
        "blackbox_exporter",
        toolPath("blackbox_exporter"),
        [`--config.file=${this.files.blackbox}`, `--web.listen-address=${this.exporterEndpoints.blackboxExporter}`],
        this.log("blackbox_exporter"),
      );
    }
  }

  processes(): ManagedProcess[] {
    return [this.prometheus, this.alertmanager, this.nodeExporter, this.blackbox].filter((p): p is ManagedProcess => p !== undefined);
  }

  /** `promtool check config` (includes the rule files) and `amtool check-config`. */
  checkConfigs(): { promtool: string; amtool: string } {
    const run = (bin: string, args: string[]) => {
      const r = childProcess.spawnSync(toolPath(bin), args, { encoding: "utf8", timeout: 30000 });
      const out = `${r.stdout}${r.stderr}`;
      if (r.status !== 0) throw new Error(`${bin} ${args.join(" ")} failed (${r.status}):\n${out}`);
      return out;
    };
    return {
      promtool: run("promtool", ["check", "config", this.files.prometheus]),
      amtool: run("amtool", ["check-config", this.files.alertmanager]),
    };
  }

  async startExporters(): Promise<void> {
    for (const p of [this.nodeExporter, this.blackbox]) {
      if (!p) continue;
      p.start();
    }
    for (const [p, ep] of [
      [this.nodeExporter, this.endpoints.nodeExporter],
      [this.blackbox, this.exporterEndpoints.blackboxExporter],
    ] as const) {
      if (!p) continue;
      await this.waitReady(p, async () => (await fetch(`http://${ep}/metrics`, { signal: AbortSignal.timeout(2000) })).ok);
    }
  }

  async startAlertmanager(): Promise<void> {
    if (!this.alertmanager) return;
    this.alertmanager.start();
    await this.waitReady(this.alertmanager, () => this.am.ready());
  }

  async stopAlertmanager(): Promise<void> {
    await this.alertmanager?.stop();
  }

  async startPrometheus(): Promise<void> {
    this.prometheus.start();
    await this.waitReady(this.prometheus, () => this.prom.ready(), 60000);
  }

  async stopPrometheus(): Promise<void> {
    await this.prometheus.stop(20000);
  }

  async startAll(): Promise<void> {
    await this.startExporters();
    await this.startAlertmanager();
    await this.startPrometheus();
  }

  private async waitReady(p: ManagedProcess, probe: () => Promise<boolean>, timeoutMs = 20000): Promise<void> {
    try {
      await waitFor(
        `${p.name} ready`,
        async () => {
          p.assertRunning();
          return probe();
        },
        timeoutMs,
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${p.tail()}`);
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.processes().map((p) => p.stop()));
  }

  logTails(lines = 30): string {
    return this.processes()
      .map((p) => p.tail(lines))
      .join("\n");
  }

  /** Deletes the temp dir unless LIVE_KEEP_TMP=1 (then its path is printed). */
  cleanup(): void {
    if (process.env.LIVE_KEEP_TMP === "1") {
      console.log(`live stack ${this.opts.name}: kept ${this.dir}`);
      return;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Reads VmRSS of the Prometheus process, in MiB. */
  prometheusRssMb(): number | undefined {
    const pid = this.prometheus.pid;
    if (!pid) return undefined;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
      return m ? Number(m[1]) / 1024 : undefined;
    } catch {
      return undefined;
    }
  }
}
