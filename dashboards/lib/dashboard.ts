// Dashboard scaffolding shared by every generated dashboard: stable uid, tags, a one-hour
// window refreshed every 30 s, datasource variables, the built-in annotation, an optional
// alert-state annotation, a link menu to the sibling dashboards, and numbered panels.
import * as cog from "@grafana/grafana-foundation-sdk/cog";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import { PROMETHEUS } from "./datasources";
import { PanelBuilder } from "./panels";
import { firingAlerts } from "./promql";

/** Tag on every generated dashboard; the dashboard link menu lists them by it. */
export const STACK_TAG = "observability-stack";
export const DEFAULT_TIME = { from: "now-1h", to: "now" } as const;
export const DEFAULT_REFRESH = "30s";

export interface DashboardMeta {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
}

/** A generated dashboard and the Grafana folder it is provisioned into. */
export interface GeneratedDashboard {
  readonly folder: string;
  readonly uid: string;
  readonly dashboard: dashboard.Dashboard;
}

export function newDashboard(
  meta: DashboardMeta,
  variables: cog.Builder<dashboard.VariableModel>[],
  annotations: cog.Builder<dashboard.AnnotationQuery>[] = [],
): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(meta.title)
    .uid(meta.uid)
    .description(meta.description)
    .tags([STACK_TAG, ...meta.tags])
    .time({ ...DEFAULT_TIME })
    .refresh(DEFAULT_REFRESH)
    .timezone("browser")
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .editable()
    .variables(variables)
    .annotations([builtInAnnotation(), ...annotations])
    .link(
      new dashboard.DashboardLinkBuilder("Dashboards")
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags([STACK_TAG])
        .asDropdown(true)
        .keepTime(true)
        .includeVars(false)
        .targetBlank(false)
        .icon("external link")
        .tooltip(""),
    );
}

/** Grafana's own annotations (manual ones, Grafana-managed alerts). */
function builtInAnnotation(): cog.Builder<dashboard.AnnotationQuery> {
  return new dashboard.AnnotationQueryBuilder()
    .name("Annotations & Alerts")
    .builtIn(1)
    .datasource({ type: "grafana", uid: "-- Grafana --" })
    .enable(true)
    .hide(true)
    .iconColor("rgba(0, 211, 255, 1)")
    .type("dashboard");
}

/**
 * Marks the periods during which Prometheus alerts fired (the ALERTS series), as regions on
 * every time-series panel. `matchers` narrows it, e.g. to one service.
 */
export function alertAnnotation(matchers = ""): cog.Builder<dashboard.AnnotationQuery> {
  const expr = firingAlerts(matchers);
  return new dashboard.AnnotationQueryBuilder()
    .name("Firing alerts")
    .datasource(PROMETHEUS)
    .enable(true)
    .hide(false)
    .iconColor("red")
    .expr(expr)
    .step("60s")
    .titleFormat("{{alertname}}")
    .textFormat("{{alertname}} ({{severity}}) {{service}} {{instance}}")
    .tagKeys("severity,service,job")
    .useValueForTime(false)
    .target(new prometheus.DataqueryBuilder().datasource(PROMETHEUS).refId("Anno").expr(expr).range());
}

/** Adds a row; its panels follow it on the grid (or live inside it when collapsed). */
export function addRow(
  d: dashboard.DashboardBuilder,
  title: string,
  panels: readonly PanelBuilder[],
  collapsed = false,
): dashboard.DashboardBuilder {
  if (collapsed) {
    const row = new dashboard.RowBuilder(title).collapsed(true);
    for (const p of panels) row.withPanel(p);
    return d.withRow(row);
  }
  d.withRow(new dashboard.RowBuilder(title).collapsed(false));
  for (const p of panels) d.withPanel(p);
  return d;
}

/** Builds the dashboard and numbers every panel (rows and nested panels included). */
export function finalize(d: dashboard.DashboardBuilder): dashboard.Dashboard {
  const built = d.build();
  // The SDK files annotation toggles and links under the controls menu; show them inline.
  for (const a of built.annotations?.list ?? []) delete a.placement;
  for (const l of built.links ?? []) delete l.placement;
  const panels = (built.panels ?? []).flatMap((p) => (p.type === "row" ? [p, ...((p as dashboard.RowPanel).panels ?? [])] : [p]));
  for (const p of panels) {
    const withLinks = p as { links?: dashboard.DashboardLink[] };
    // Panel links only use title, url and targetBlank.
    if (withLinks.links) {
      withLinks.links = withLinks.links.map((l) => ({ title: l.title, url: l.url, targetBlank: l.targetBlank }) as dashboard.DashboardLink);
    }
  }
  let id = 1;
  for (const p of built.panels ?? []) {
    p.id = id++;
    if (p.type === "row") {
      for (const nested of (p as dashboard.RowPanel).panels ?? []) nested.id = id++;
    }
  }
  return built;
}
