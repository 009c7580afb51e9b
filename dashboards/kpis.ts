// Business KPIs: one stat (current value, coloured by the KPI's thresholds) and one trend
// graph per entry of the `kpis` setting. The expressions are the team's own PromQL.
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { KpiSettings } from "../configs/service-settings";
import { addRow, DashboardMeta, finalize, newDashboard } from "./lib/dashboard";
import { prometheusDatasourceVariable } from "./lib/datasources";
import { statPanel, ThresholdStep, timeSeries } from "./lib/panels";

export const KPIS: DashboardMeta = {
  uid: "business-kpis",
  title: "Business KPIs",
  description: "Business indicators defined in the `kpis` setting.",
  tags: ["business", "kpi"],
};

function steps(kpi: KpiSettings): ThresholdStep[] {
  return [...(kpi.thresholds ?? [])].sort((a, b) => a.value - b.value).map((t) => ({ value: t.value, color: t.color }));
}

/** The dashboard, or undefined when no KPI is configured. */
export function buildKpiDashboard(kpis: readonly KpiSettings[]): dashboard.Dashboard | undefined {
  if (kpis.length === 0) return undefined;
  const d = newDashboard(KPIS, [prometheusDatasourceVariable()]);
  const width = kpis.length >= 4 ? 6 : 24 / kpis.length;
  addRow(
    d,
    "Current values",
    kpis.map((k) =>
      statPanel(k.title, [{ expr: k.expr, legend: k.title }], {
        unit: k.unit,
        thresholds: steps(k),
        sparkline: true,
        colorBackground: steps(k).length > 0,
        w: width,
        h: 5,
      }),
    ),
  );
  addRow(
    d,
    "Trends",
    kpis.map((k) =>
      timeSeries(`${k.title} over time`, [{ expr: k.expr, legend: k.title }], {
        unit: k.unit,
        thresholds: steps(k),
        showThresholds: steps(k).length > 0,
        w: kpis.length === 1 ? 24 : 12,
      }),
    ),
  );
  return finalize(d);
}
