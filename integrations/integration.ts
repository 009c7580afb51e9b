// What an integration is: everything the stack needs to monitor one kind of third-party service
// (a database, a cache, a broker, HTTP endpoints), written in one module `integrations/<name>.ts`
// with its rule file and promtool test beside it. Prometheus's scrape jobs, the rule files a
// stack loads, Alertmanager's inhibitions, the dashboards, the settings table and the docs all
// loop over the registered list (integrations/index.ts), so adding one touches that module, its
// rule file and test, its runbook section and one line of the registry.
//
// Plain values and pure functions only: no Pulumi here, so the renderers, the live suite and the
// docs generator use the same definitions as `pulumi up`. The Pulumi component that runs the
// exporters (components/exporters.ts) takes each one's run description from here.
import type { CatalogEntry } from "../catalog/containers";
import type { ImageContract, WrittenPath } from "../catalog/image-contracts";
import type { DocumentedSetting } from "../catalog/setting-spec";
import type { ScrapeConfig } from "../configs/prometheus";
import type { RuleArea as LoadedRuleArea } from "../configs/rules";
import type { ServiceSettings } from "../configs/service-settings";
import type { Exporter, MetricGroup } from "../dashboards/metrics";
import type { DashboardRow } from "../dashboards/lib/input";

/** The part of the settings reader an integration uses (components/settings/reader.ts has it). */
export interface SettingsView {
  /** The value of one of the integration's own settings (its default when unset), checked by `check`. */
  value<T extends string | number | boolean | readonly string[]>(key: string, check?: (v: T) => string | undefined): T;
  /** Whether the stack file sets the key. */
  isSet(key: string): boolean;
  /** Whether a problem was already reported for the key. */
  hasProblem(key: string): boolean;
  fail(key: string, message: string): void;
}

/** A secret setting of an integration: delivered to its exporter as a file, never shown. */
export interface SecretSpec {
  readonly description: string;
  /** Whether the integration cannot work without it. */
  readonly required: boolean;
  /** What docs/settings.md says it accepts. */
  readonly accepts: string;
  /** An example value for docs/settings.md and the `pulumi config set --secret` hint. */
  readonly example: string;
  /** A problem with the value's text, checked when the value can be read (never shows the value). */
  check?(text: string): string | undefined;
}

/** A secret file of the exporter, built from the integration's config and its secret values. */
export interface ExporterSecretFile {
  /** File name under the exporter's secrets directory. */
  readonly name: string;
  /** The file's content from the secret values present (keyed by secret setting). */
  content(secrets: Readonly<Record<string, string>>): string;
}

/** How the exporter container runs for a given config (components/integration-exporter.ts runs it). */
export interface ExporterRun {
  readonly command?: readonly string[];
  /** Plain environment values only: secrets travel as files. */
  readonly env?: Readonly<Record<string, string>>;
  /** Non-secret config files. */
  readonly files?: readonly { readonly path: string; readonly content: string }[];
  /** Secret files, in the secrets directory (`SECRETS_DIR`), readable by the image's user only. */
  readonly secretFiles?: readonly ExporterSecretFile[];
  readonly healthcheck?: readonly string[];
  /** Whether it must join the application networks (the `networks` setting) to reach its target. */
  readonly appNetworks: boolean;
}

/** The exporter container an integration runs: its catalogue entry and how it runs. */
export interface ExporterSpec<C> {
  /** Prefix of its image, CPU and memory settings (e.g. postgresExporter). */
  readonly key: string;
  readonly entry: CatalogEntry & { readonly port: number; readonly job: string };
  /** What the project relies on inside `entry.image`, with upstream evidence (catalog/image-contracts.ts). */
  readonly contract: ImageContract;
  /** Paths it writes while it runs (none for a stateless exporter). */
  readonly writes: readonly WrittenPath[];
  run(config: C, secretsPresent: readonly string[]): ExporterRun;
}

/** What a scrape job needs to know beyond the integration's own config. */
export interface ScrapeContext {
  /** host:port of the integration's exporter as Prometheus reaches it (undefined without one). */
  readonly exporter?: string;
  /** The application services (a probe of a service's own address carries its `service` label). */
  readonly services: readonly ServiceSettings[];
}

/** The rule file an integration loads when it is on (beside the module), and its promtool test. */
export interface RuleArea extends LoadedRuleArea {
  /** Absolute path of its promtool test file. */
  readonly test: string;
}

export interface Integration<C> {
  /** The name listed in the `integrations` setting. */
  readonly name: string;
  /** How docs and messages name the monitored service. */
  readonly title: string;
  /** Its own settings besides the `integrations` list (keys, types, defaults, descriptions, docs). */
  readonly settings: Readonly<Record<string, DocumentedSetting>>;
  readonly secrets: Readonly<Record<string, SecretSpec>>;
  /** Reads and checks its settings when it is on; problems go to `v.fail`, naming the key. */
  read(v: SettingsView): C;
  readonly exporter?: ExporterSpec<C>;
  /** The Prometheus job that carries its series: part of the metric contract the rules rely on. */
  readonly job: string;
  /** The component that exposes the series (the metric allow-list's `exporter`). */
  readonly metricsExporter: Exporter;
  scrapeConfigs(config: C, ctx: ScrapeContext): ScrapeConfig[];
  readonly rules: RuleArea;
  /** Its alerts that say its target is down (each makes TargetUnreachable for it redundant). */
  readonly targetDownAlerts: readonly string[];
  readonly dashboardRows: readonly DashboardRow[];
  /** Every metric name its rules and rows select, with where each was checked upstream. */
  readonly metrics: readonly MetricGroup[];
  /** Its alert thresholds, keyed by alert name (the style of configs/thresholds.ts). */
  readonly thresholds: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** An integration with the config its settings gave: what the composition root and renderers use. */
export interface ActiveIntegration {
  readonly integration: Integration<unknown>;
  readonly config: unknown;
  scrapeConfigs(ctx: ScrapeContext): ScrapeConfig[];
  exporterRun(secretsPresent: readonly string[]): ExporterRun | undefined;
}

/**
 * Typed construction: the config type flows from `read` to every function that takes it, and the
 * name, the setting keys and the exporter's settings prefix stay literal types (the registry keys
 * the enabled integrations by name, and the settings table's keys are typed from them).
 */
export function defineIntegration<
  C,
  const N extends string,
  const S extends Readonly<Record<string, DocumentedSetting>>,
  const X extends string = never,
>(
  spec: Integration<C> & { readonly name: N; readonly settings: S; readonly exporter?: ExporterSpec<C> & { readonly key: X } },
): Integration<C> & { readonly name: N; readonly settings: S; readonly exporter?: ExporterSpec<C> & { readonly key: X } } {
  return spec;
}
