// What the dashboards are generated from: the stack's settings in plain values, and what the
// enabled integrations add (integrations/index.ts builds this from the settings).
import { KpiSettings, ServiceSettings } from "../../configs/service-settings";
import { PanelBuilder } from "./panels";

/** Dashboards an integration adds rows to. */
export type IntegrationDashboard = "data-services" | "overview";

/** A row an integration adds to one of the dashboards. */
export interface DashboardRow {
  readonly dashboard: IntegrationDashboard;
  readonly title: string;
  panels(): PanelBuilder[];
}

export interface DashboardInput {
  readonly services: readonly ServiceSettings[];
  readonly kpis: readonly KpiSettings[];
  /** Whether Prometheus remote-writes (the Stack health dashboard then shows the queue). */
  readonly remoteWrite?: boolean;
  /** Whether the stack is the redundant pair (the `highAvailability` setting): Stack health then shows each member. */
  readonly pair?: boolean;
  /** The enabled integrations: the job each is scraped as (Stack health) and the rows each adds. */
  readonly integrations: readonly { readonly job: string; readonly rows: readonly DashboardRow[] }[];
  /** Every container the program can run, enabled or not (Stack health's container list). */
  readonly containers: readonly string[];
}

/** The rows the enabled integrations add to one dashboard, in registry order. */
export function integrationRows(input: DashboardInput, dashboard: IntegrationDashboard): DashboardRow[] {
  return input.integrations.flatMap((i) => i.rows.filter((r) => r.dashboard === dashboard));
}
