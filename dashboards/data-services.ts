// Database, cache and messaging: one row per enabled integration that adds one (PostgreSQL, Redis,
// RabbitMQ, MySQL: the rows are in their modules under integrations/); no dashboard at all when
// none does.
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { addRow, alertAnnotation, DashboardMeta, finalize, newDashboard } from "./lib/dashboard";
import { prometheusDatasourceVariable } from "./lib/datasources";
import { DashboardInput, integrationRows } from "./lib/input";

export const DATA_SERVICES: DashboardMeta = {
  uid: "data-services",
  title: "Database, cache and messaging",
  description: "PostgreSQL, Redis and RabbitMQ health, load and capacity, for the integrations that are enabled.",
  tags: ["database", "cache", "messaging"],
};

/** The dashboard, or undefined when no enabled integration adds a row to it. */
export function buildDataServicesDashboard(input: DashboardInput): dashboard.Dashboard | undefined {
  const rows = integrationRows(input, "data-services");
  if (rows.length === 0) return undefined;
  const d = newDashboard(DATA_SERVICES, [prometheusDatasourceVariable()], [alertAnnotation()]);
  for (const row of rows) addRow(d, row.title, row.panels());
  return finalize(d);
}
