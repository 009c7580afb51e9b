// prometheus.yml from plain values. Job names are part of the metric contract the rules and
// dashboards rely on (docs/operating.md, "Metric contract"): change one and the alerts go blind.
import * as yaml from "js-yaml";
import { Endpoints, STACK_JOBS } from "../catalog/containers";
import { APP_TIER, Ec2DiscoveryJob, ec2ScrapeConfigs } from "./ec2-discovery";
import { LATENCY_BUCKET_RELABEL } from "./latency-buckets";
import { RemoteWriteTarget, remoteWriteConfig } from "./remote-write";
import { ServiceSettings } from "./service-settings";
import { BasicAuthFile, prometheusBasicAuth } from "./prometheus-web";
import { durationMs } from "./value-checks";
import { DROP_REPLICA_LABEL, MEMBER_LABEL } from "./cluster";

export interface PrometheusConfigInput {
  readonly scrapeInterval: string;
  readonly evaluationInterval: string;
  readonly endpoints: Endpoints;
  readonly services: readonly ServiceSettings[];
  /** The enabled integrations' scrape jobs (integrations/), after the stack's own and before the services'. */
  readonly integrationJobs: readonly ScrapeConfig[];
  /** Paths of the rule files as Prometheus sees them. */
  readonly ruleFiles: readonly string[];
  readonly externalLabels?: Readonly<Record<string, string>>;
  /** Whether the stack runs a log agent / Grafana / Loki to scrape (the live test has none). */
  readonly components?: Partial<Record<"grafana" | "loki" | "alloy" | "cadvisor", boolean>>;
  /**
   * Credentials of the self-scrape when Prometheus runs with basic auth (configs/prometheus-web.ts):
   * its own /metrics is behind the same auth as every other endpoint. Default: no auth.
   */
  readonly selfAuth?: BasicAuthFile;
  /** Fleets found through EC2 (prod only): one scrape job each. */
  readonly ec2Discovery?: { readonly region: string; readonly jobs: readonly Ec2DiscoveryJob[] };
  /** A long-term store the samples are also written to; `expectedSeries` sizes the queue. */
  readonly remoteWrite?: { readonly target: RemoteWriteTarget; readonly expectedSeries: number };
  /**
   * The redundant pair (setting highAvailability): each member's own services (Prometheus,
   * Alertmanager, Grafana, Loki, Alloy, node-exporter, cAdvisor) are scraped at its address, not
   * by Docker name, with a `member` label, so both replicas write the same series under the same
   * `instance`; alerts go to every member's Alertmanager, without the replica label. The
   * integrations' exporters and the services stay as they are: each replica scrapes the same
   * names, which its own host resolves. Default: one host.
   */
  readonly pair?: PairScrape;
}

export interface PairScrape {
  /** Every member, in position order, with where its services are reached from the other host. */
  readonly members: readonly { readonly member: string; readonly endpoints: Endpoints }[];
  /** Only the live tests' negative control sets this: without the drop the copies are two alerts. */
  readonly keepReplicaLabel?: boolean;
}

/** One entry of `scrape_configs`. */
export interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  scheme?: string;
  params?: Record<string, string[]>;
  static_configs?: { targets: string[]; labels?: Record<string, string> }[];
  relabel_configs?: Record<string, unknown>[];
  basic_auth?: { username: string; password_file: string };
  metric_relabel_configs?: Record<string, unknown>[];
}

/**
 * cAdvisor series as the resource rules and dashboards want them, done once per scrape instead
 * of in every rule evaluation (each `label_replace` and `name!=""` filter used to run over every
 * container series, every 15s):
 * - cgroups without a container name (system slices, the root cgroup) are dropped: they are not
 *   containers, no rule or panel reads them, and on a busy host they are many. Only `container_*`
 *   families: `machine_*` and cAdvisor's own metrics have no `name` at all and stay.
 * - the Docker label `service` (exported as `container_label_service`) becomes the plain `service`
 *   label every other alert groups and routes on; the original label is dropped.
 */
export const CADVISOR_METRIC_RELABEL: Record<string, unknown>[] = [
  { source_labels: ["__name__", "name"], regex: "container_.*;", action: "drop" },
  { source_labels: ["container_label_service"], regex: "(.+)", target_label: "service" },
  { regex: "container_label_service", action: "labeldrop" },
];

export function scrapeConfigs(input: PrometheusConfigInput): ScrapeConfig[] {
  const e = input.endpoints;
  const on = { grafana: true, loki: true, alloy: true, cadvisor: true, ...input.components };
  // A host's own service: by Docker name on one host, at every member's address on the pair.
  const job = (key: keyof typeof STACK_JOBS): ScrapeConfig => ({
    job_name: STACK_JOBS[key],
    static_configs: input.pair
      ? input.pair.members.map((m) => ({ targets: [m.endpoints[key]], labels: { [MEMBER_LABEL]: m.member } }))
      : [{ targets: [e[key]] }],
  });
  const self = job("prometheus");
  if (input.selfAuth) self.basic_auth = prometheusBasicAuth(input.selfAuth);
  const jobs: ScrapeConfig[] = [self, job("alertmanager")];
  if (on.grafana) jobs.push(job("grafana"));
  if (on.loki) jobs.push(job("loki"));
  if (on.alloy) jobs.push(job("alloy"));
  jobs.push(job("nodeExporter"));
  if (on.cadvisor) jobs.push({ ...job("cadvisor"), metric_relabel_configs: CADVISOR_METRIC_RELABEL });
  jobs.push(...input.integrationJobs);
  for (const s of input.services) {
    jobs.push({
      job_name: s.name,
      metrics_path: s.metricsPath,
      scheme: s.scheme,
      static_configs: [{ targets: [...s.targets], labels: { ...s.labels, service: s.name, tier: APP_TIER } }],
      metric_relabel_configs: LATENCY_BUCKET_RELABEL,
    });
  }
  return jobs;
}

export function renderPrometheusConfig(input: PrometheusConfigInput): string {
  const config = {
    global: {
      scrape_interval: input.scrapeInterval,
      evaluation_interval: input.evaluationInterval,
      // Keep the scrape from overrunning the interval it belongs to.
      scrape_timeout: minDuration(input.scrapeInterval, "10s"),
      ...(input.externalLabels && Object.keys(input.externalLabels).length > 0 ? { external_labels: { ...input.externalLabels } } : {}),
    },
    alerting: {
      // Every Alertmanager of the pair, never one behind a load balancer: they deduplicate.
      ...(input.pair && !input.pair.keepReplicaLabel ? { alert_relabel_configs: [...DROP_REPLICA_LABEL] } : {}),
      alertmanagers: [
        {
          static_configs: [
            { targets: input.pair ? input.pair.members.map((m) => m.endpoints.alertmanager) : [input.endpoints.alertmanager] },
          ],
        },
      ],
    },
    rule_files: [...input.ruleFiles],
    scrape_configs: [...scrapeConfigs(input), ...(input.ec2Discovery ? ec2ScrapeConfigs(input.ec2Discovery) : [])],
    ...(input.remoteWrite ? { remote_write: [remoteWriteConfig({ ...input.remoteWrite, scrapeInterval: input.scrapeInterval })] } : {}),
  };
  return yaml.dump(config, { lineWidth: -1, noRefs: true });
}

/** Seconds in a Prometheus duration (y, w, d, h, m, s, ms), read by the settings' own parser. */
export function durationSeconds(d: string): number {
  const ms = durationMs(d);
  if (ms === undefined) throw new Error(`${JSON.stringify(d)} is not a Prometheus duration`);
  return ms / 1000;
}

function minDuration(a: string, b: string): string {
  return durationSeconds(a) <= durationSeconds(b) ? a : b;
}
