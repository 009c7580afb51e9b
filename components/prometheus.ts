// Prometheus: scrape config, the rule files for the enabled areas, retention and a data volume.
import * as pulumi from "@pulumi/pulumi";
import { HostPort, Placement, ServiceContainer } from "./container";
import { CATALOG, Endpoints } from "./catalog";
import { renderPrometheusConfig } from "../configs/prometheus";
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
}

export const PROMETHEUS_CONFIG_PATH = "/etc/prometheus/prometheus.yml";
export const PROMETHEUS_RULES_DIR = "/etc/prometheus/rules";

export class PrometheusStack extends pulumi.ComponentResource {
  readonly container: ServiceContainer;

  constructor(name: string, args: PrometheusStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:PrometheusStack", name, {}, opts);

    const ruleNames = Object.keys(args.ruleFiles).sort();
    const config = renderPrometheusConfig({
      scrapeInterval: args.scrapeInterval ?? "15s",
      evaluationInterval: args.evaluationInterval ?? "15s",
      endpoints: args.endpoints,
      services: args.services,
      integrations: args.integrations,
      ruleFiles: ruleNames.map((f) => `${PROMETHEUS_RULES_DIR}/${f}`),
      externalLabels: args.externalLabels,
    });

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
