// Prometheus: scrape config, the rule files for the enabled areas, retention and a data volume.
import * as pulumi from "@pulumi/pulumi";
import { HostPort, Placement, ServiceContainer } from "./container";
import { CATALOG, Endpoints } from "./catalog";
import { PrometheusConfigInput, renderPrometheusConfig } from "../configs/prometheus";
import { Ec2DiscoveryJob } from "../configs/ec2-discovery";
import { RemoteWriteTarget } from "../configs/remote-write";
import { EnabledIntegrations, ServiceSettings } from "../configs/types";

export interface PrometheusStackArgs {
  /** Placement; its extraNetworks are the application services' networks, so targets resolve by name. */
  readonly placement: Placement;
  /** Host address and port the API and UI are published on. */
  readonly published: HostPort;
  readonly endpoints: Endpoints;
  /** Default 15s. */
  readonly scrapeInterval?: string;
  /** Default 15s. */
  readonly evaluationInterval?: string;
  /** Default 30d. */
  readonly retentionTime?: string;
  /** Default 50GB. */
  readonly retentionSize?: string;
  readonly services: readonly ServiceSettings[];
  readonly integrations: EnabledIntegrations;
  /** Rule file name → content, as rendered by configs/rules.ts. */
  readonly ruleFiles: Readonly<Record<string, string>>;
  readonly externalLabels?: Readonly<Record<string, string>>;
  /** Fleets found through EC2 (target ec2). Default none. */
  readonly ec2Discovery?: { readonly region: string; readonly jobs: readonly Ec2DiscoveryJob[] };
  /**
   * A long-term store to write every sample to. Credentials of a URL target are read from
   * PROMETHEUS_REMOTE_WRITE_SECRET, which `remoteWriteSecret` fills. Default none.
   */
  readonly remoteWrite?: { readonly target: pulumi.Input<RemoteWriteTarget>; readonly expectedSeries: number };
  /** The remote-write password or bearer token (secret), delivered as a 0400 file. */
  readonly remoteWriteSecret?: pulumi.Input<string>;
}

export const PROMETHEUS_CONFIG_PATH = "/etc/prometheus/prometheus.yml";
export const PROMETHEUS_RULES_DIR = "/etc/prometheus/rules";
/** The remote-write password or bearer token (remoteWritePassword / remoteWriteBearerToken). */
export const PROMETHEUS_REMOTE_WRITE_SECRET = "/etc/prometheus/secrets/remote_write_credentials";

export class PrometheusStack extends pulumi.ComponentResource {
  readonly container: ServiceContainer;

  constructor(name: string, args: PrometheusStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:PrometheusStack", name, {}, opts);

    const ruleNames = Object.keys(args.ruleFiles).sort();
    const input: PrometheusConfigInput = {
      scrapeInterval: args.scrapeInterval ?? "15s",
      evaluationInterval: args.evaluationInterval ?? "15s",
      endpoints: args.endpoints,
      services: args.services,
      integrations: args.integrations,
      ruleFiles: ruleNames.map((f) => `${PROMETHEUS_RULES_DIR}/${f}`),
      externalLabels: args.externalLabels,
      ec2Discovery: args.ec2Discovery,
    };
    const remoteWrite = args.remoteWrite;
    // The AMP URL is known only once the workspace exists.
    const config: pulumi.Input<string> = remoteWrite
      ? pulumi.output(remoteWrite.target).apply((target) =>
          renderPrometheusConfig({ ...input, remoteWrite: { target, expectedSeries: remoteWrite.expectedSeries } }),
        )
      : renderPrometheusConfig(input);

    this.container = new ServiceContainer(
      `${name}-server`,
      {
        ...args.placement,
        service: CATALOG.prometheus.container,
        // Retention stays on flags: Prometheus 3.8+ also reads it from prometheus.yml, but the
        // flags work on every 3.x and keep the file checkable by older promtool builds.
        command: [
          `--config.file=${PROMETHEUS_CONFIG_PATH}`,
          "--storage.tsdb.path=/prometheus",
          `--storage.tsdb.retention.time=${args.retentionTime ?? "30d"}`,
          `--storage.tsdb.retention.size=${args.retentionSize ?? "50GB"}`,
          "--web.enable-lifecycle",
          "--web.enable-admin-api",
        ],
        files: [
          { path: PROMETHEUS_CONFIG_PATH, content: config },
          ...ruleNames.map((f) => ({ path: `${PROMETHEUS_RULES_DIR}/${f}`, content: args.ruleFiles[f] })),
          ...(args.remoteWriteSecret
            ? [{ path: PROMETHEUS_REMOTE_WRITE_SECRET, content: pulumi.secret(args.remoteWriteSecret), mode: "0400", owner: CATALOG.prometheus.user }]
            : []),
        ],
        volumes: [{ name: "data", containerPath: "/prometheus" }],
        ports: [{ internal: CATALOG.prometheus.port, ...args.published }],
        healthcheck: ["wget", "-q", "--spider", `http://localhost:${CATALOG.prometheus.port}/-/healthy`],
        stateful: true,
      },
      { parent: this },
    );

    this.registerOutputs({ containerName: this.container.containerName });
  }
}
