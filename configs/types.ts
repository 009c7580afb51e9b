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

/** A business KPI panel (the `kpis` setting): any PromQL the team's services expose. */
export interface KpiSettings {
  readonly title: string;
  readonly expr: string;
  /** Grafana unit id, e.g. "short", "currencyUSD", "percentunit", "reqps". */
  readonly unit: string;
  /** Ascending thresholds; the base (green) step is implied. */
  readonly thresholds?: readonly { readonly value: number; readonly color: string }[];
}
