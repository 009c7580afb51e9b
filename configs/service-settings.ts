// What a user says about their own services, as plain values: the applications Prometheus scrapes
// (the `services` setting) and the business KPI panels (`kpis`). No Pulumi here: the renderers, the
// live harness and `npm run render` read them without a Pulumi runtime.

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
