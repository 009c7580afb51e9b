// Plain value types shared by the renderers and the settings. No Pulumi here: the renderers
// must run in the live test harness and the `render` script without a Pulumi runtime.

/** An application service scraped by Prometheus (the `services` setting). */
export interface ServiceSettings {
  readonly name: string;
  readonly targets: readonly string[];
  readonly metricsPath: string;
  readonly scheme: "http" | "https";
  readonly labels: Readonly<Record<string, string>>;
}

/** Which optional integrations are on; drives scrape jobs, rule files and dashboards. */
export interface EnabledIntegrations {
  readonly postgres: boolean;
  readonly redis: boolean;
  /** host:port of Redis, scraped through redis-exporter's /scrape endpoint. */
  readonly redisAddress?: string;
  readonly rabbitmq?: { readonly targets: readonly string[] };
  readonly blackbox?: { readonly httpTargets: readonly string[] };
}

/** A business KPI panel (the `kpis` setting): any PromQL the team's services expose. */
export interface KpiSettings {
  readonly title: string;
  readonly expr: string;
  /** Grafana unit id, e.g. "short", "currencyUSD", "percentunit", "reqps". */
  readonly unit: string;
  /** Ascending thresholds; the base (green) step is implied. */
  readonly thresholds?: readonly { readonly value: number; readonly color: string }[];
}

/** What the dashboards are generated from. */
export interface DashboardInput {
  readonly services: readonly ServiceSettings[];
  readonly integrations: EnabledIntegrations;
  readonly kpis: readonly KpiSettings[];
  /** Whether Prometheus remote-writes (the Stack health dashboard then shows the queue). */
  readonly remoteWrite?: boolean;
}
