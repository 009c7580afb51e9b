// The registry: every integration the program offers, in the order their scrape jobs, rule
// files, dashboard rows and settings appear. Adding an integration is one line here (and its own
// module, rule file, test and runbook section); everything below is derived from this list.
import { CATALOG, CatalogEntry, ComponentKey, MONITORING_COMPONENTS, STACK_JOBS, SUPPORT_COMPONENTS } from "../catalog/containers";
import { CORE_IMAGE_CONTRACTS, CORE_WRITTEN_PATHS, ImageContract, WrittenPath } from "../catalog/image-contracts";
import { SettingDoc } from "../catalog/setting-spec";
import { CORE_TARGET_DOWN_ALERTS } from "../configs/alertmanager";
import { CORE_ALERT_THRESHOLDS } from "../configs/thresholds";
import {
  CORE_METRICS,
  CORE_RULE_ONLY_METRICS,
  MetricGroup,
  MetricSource,
  Verification,
  metricNamesOf,
  metricRows,
} from "../dashboards/metrics";
import { blackbox } from "./blackbox";
import { ServiceSettings, KpiSettings } from "../configs/service-settings";
import { RuleArea } from "../configs/rules";
import { ScrapeConfig } from "../configs/prometheus";
import { DashboardInput } from "../dashboards/lib/input";
import { ActiveIntegration, ExporterSpec, Integration, SecretSpec } from "./integration";
import { mysql } from "./mysql";
import { postgres } from "./postgres";
import { rabbitmq } from "./rabbitmq";
import { redis } from "./redis";

export const INTEGRATIONS = [postgres, redis, rabbitmq, blackbox, mysql] as const;

type Registered = (typeof INTEGRATIONS)[number];
export type IntegrationName = Registered["name"];
type ConfigOf<N extends IntegrationName> = Extract<Registered, { name: N }> extends Integration<infer C> ? C : never;

/**
 * The integrations a stack turned on, each with the config its settings gave: one optional entry
 * per integration, so a new integration adds a key without touching any existing value.
 */
export type EnabledIntegrations = { readonly [N in IntegrationName]?: ConfigOf<N> };

export const INTEGRATION_NAMES = INTEGRATIONS.map((i) => i.name) as readonly IntegrationName[];

/** An integration as a plain, untyped-config value (method parameters are bivariant). */
function asAny(i: Registered): Integration<unknown> {
  return i as Integration<unknown>;
}

/** The enabled integrations in registry order, each bound to its config. */
export function activeIntegrations(enabled: EnabledIntegrations): ActiveIntegration[] {
  return INTEGRATIONS.flatMap((reg) => {
    const config = enabled[reg.name];
    if (config === undefined) return [];
    const integration = asAny(reg);
    return [
      {
        integration,
        config,
        scrapeConfigs: (ctx) => integration.scrapeConfigs(config, ctx),
        exporterRun: (present) => integration.exporter?.run(config, present),
      },
    ];
  });
}

/** Integrations with an exporter container, and that container's catalogue entry. */
export const INTEGRATION_EXPORTERS: readonly ExporterSpec<unknown>[] = INTEGRATIONS.flatMap((i) =>
  asAny(i).exporter ? [asAny(i).exporter!] : [],
);

/** The settings prefix of each integration's exporter (e.g. postgresExporter). */
export type ExporterKey = NonNullable<Registered["exporter"]>["key"];
/** Every container's settings prefix: a core component's or an integration exporter's. */
export type ContainerKey = ComponentKey | ExporterKey;
/** The keys of every integration's own settings. */
export type IntegrationSettingKey = keyof AllIntegrationSettings & string;

/**
 * Every container the program can run, keyed by its settings prefix: the monitoring services,
 * the integrations' exporters, then the support jobs (the order of the settings table and of the
 * Stack health dashboard's container list).
 */
export const ALL_CONTAINERS = Object.fromEntries([
  ...MONITORING_COMPONENTS.map((k) => [k, CATALOG[k]] as const),
  ...INTEGRATION_EXPORTERS.map((e) => [e.key, e.entry] as const),
  ...SUPPORT_COMPONENTS.map((k) => [k, CATALOG[k]] as const),
]) as Readonly<Record<ContainerKey, CatalogEntry>>;
export const ALL_CONTAINER_KEYS = Object.keys(ALL_CONTAINERS) as readonly ContainerKey[];
/** Their container names (also their DNS names and `service` labels), in the same order. */
export const ALL_CONTAINER_NAMES: readonly string[] = Object.values(ALL_CONTAINERS).map((e) => e.container);

/** What each pinned image has, keyed by image: the core images' and every exporter's (from its module). */
export const IMAGE_CONTRACTS: Readonly<Record<string, ImageContract>> = {
  ...CORE_IMAGE_CONTRACTS,
  ...Object.fromEntries(INTEGRATION_EXPORTERS.map((e) => [e.entry.image, e.contract])),
};
/** Paths each container writes while it runs, by container name. */
export const WRITTEN_PATHS: Readonly<Record<string, readonly WrittenPath[]>> = {
  ...CORE_WRITTEN_PATHS,
  ...Object.fromEntries(INTEGRATION_EXPORTERS.map((e) => [e.entry.container, e.writes])),
};

/** Job names a user's service may not take: the core stack's and every integration's. */
export const RESERVED_JOBS: readonly string[] = [...Object.values(STACK_JOBS), ...INTEGRATIONS.map((i) => i.job)];

/** Alerts that name the target that is down (Alertmanager mutes TargetUnreachable under them). */
export const TARGET_DOWN_ALERTS: readonly string[] = [...CORE_TARGET_DOWN_ALERTS, ...INTEGRATIONS.flatMap((i) => i.targetDownAlerts)];

/** The settings rows of every integration, in registry order. */
/** One object of every integration's own settings (the union of their rows, as one type). */
type AllIntegrationSettings = (Registered["settings"] extends infer U ? (U extends unknown ? (x: U) => void : never) : never) extends (
  x: infer I,
) => void
  ? I
  : never;

export function integrationSettings(): AllIntegrationSettings {
  return Object.assign({}, ...INTEGRATIONS.map((i) => i.settings)) as AllIntegrationSettings;
}

/** What docs/settings.md says of every integration's settings and secrets. */
export function integrationSettingDocs(): Record<string, SettingDoc> {
  return Object.fromEntries(
    INTEGRATIONS.flatMap((i) => [
      ...Object.entries(i.settings).map(([k, s]) => [k, s.doc] as const),
      ...Object.entries(i.secrets as Readonly<Record<string, SecretSpec>>).map(
        ([k, s]) => [k, { accepts: s.accepts, targets: "both", example: s.example }] as const,
      ),
    ]),
  );
}

/** The secret settings of every integration, with the integration that owns each. */
export const INTEGRATION_SECRETS: Readonly<Record<string, SecretSpec & { readonly integration: IntegrationName }>> = Object.fromEntries(
  INTEGRATIONS.flatMap((i) =>
    Object.entries(i.secrets as Record<string, SecretSpec>).map(([k, s]) => [k, { ...s, integration: i.name }] as const),
  ),
);

/** The enabled integrations' rule files, in registry order. */
export function integrationRuleAreas(enabled: EnabledIntegrations): RuleArea[] {
  return activeIntegrations(enabled).map((a) => a.integration.rules);
}

/**
 * The enabled integrations' scrape jobs. `exporterAddress` gives host:port of an exporter
 * container as Prometheus reaches it (its DNS name on the stack network in the program).
 */
export function integrationScrapeConfigs(
  enabled: EnabledIntegrations,
  services: readonly ServiceSettings[],
  exporterAddress: (exporter: ExporterSpec<unknown>) => string = (e) => `${e.entry.container}:${e.entry.port}`,
): ScrapeConfig[] {
  return activeIntegrations(enabled).flatMap((a) => {
    const e = a.integration.exporter;
    return a.scrapeConfigs({ exporter: e ? exporterAddress(e) : undefined, services });
  });
}

/** What the dashboards are generated from, for a stack's settings. */
export function dashboardInput(input: {
  readonly services: readonly ServiceSettings[];
  readonly kpis: readonly KpiSettings[];
  readonly integrations: EnabledIntegrations;
  readonly remoteWrite?: boolean;
  readonly pair?: boolean;
}): DashboardInput {
  return {
    services: input.services,
    kpis: input.kpis,
    remoteWrite: input.remoteWrite,
    pair: input.pair,
    integrations: activeIntegrations(input.integrations).map((a) => ({ job: a.integration.job, rows: a.integration.dashboardRows })),
    containers: ALL_CONTAINER_NAMES,
  };
}

function metricsOfKind(ruleOnly: boolean): Record<string, MetricSource> {
  return Object.fromEntries(
    INTEGRATIONS.flatMap((i) =>
      (i.metrics as readonly MetricGroup[])
        .filter((g) => (g.ruleOnly ?? false) === ruleOnly)
        .flatMap((g) => metricRows(i.metricsExporter, i.job, g)),
    ),
  );
}

/** Every metric name a dashboard selects, core and integrations'. */
export const METRICS: Readonly<Record<string, MetricSource>> = { ...CORE_METRICS, ...metricsOfKind(false) };
/** Every metric name only the alert rules select, core and integrations'. */
export const RULE_ONLY_METRICS: Readonly<Record<string, MetricSource>> = { ...CORE_RULE_ONLY_METRICS, ...metricsOfKind(true) };

/** Names listed for one exporter, dashboards' and rules' (e.g. to check them against its /metrics). */
export function metricsOf(exporter: string, verification?: Verification): string[] {
  return metricNamesOf([METRICS, RULE_ONLY_METRICS], exporter, verification);
}

/** Every alert threshold, core and integrations', keyed by alert name. */
export const ALERT_THRESHOLDS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  ...CORE_ALERT_THRESHOLDS,
  ...Object.assign({}, ...INTEGRATIONS.map((i) => i.thresholds)),
};
