// Panel helpers on top of the Grafana foundation SDK. Every panel gets a title, a datasource
// that is one of the `$datasource`-style variables, and targets with an explicit refId (the SDK
// leaves refId unset), so the dashboards satisfy the checks in tests/dashboards.
import * as cog from "@grafana/grafana-foundation-sdk/cog";
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as table from "@grafana/grafana-foundation-sdk/table";
import * as logs from "@grafana/grafana-foundation-sdk/logs";
import * as heatmap from "@grafana/grafana-foundation-sdk/heatmap";
import * as bargauge from "@grafana/grafana-foundation-sdk/bargauge";
import * as statetimeline from "@grafana/grafana-foundation-sdk/statetimeline";
import { DatasourceRef, LOKI, PROMETHEUS } from "./datasources";
import { LokiQuery, PromQuery, lokiTargets, promTargets } from "./targets";

export { refId, lokiTargets, promTargets } from "./targets";
export type { LokiQuery, PromQuery } from "./targets";

export type PanelBuilder = cog.Builder<dashboard.Panel>;

/** Value mappings of an up/down gauge (1 UP in green, 0 DOWN in red). */
export const UP_DOWN_MAPPINGS = [
  { value: "1", text: "UP", color: "green" },
  { value: "0", text: "DOWN", color: "red" },
];

/** A link shown in the panel header (panel links) or on a field value (data links). */
export interface Link {
  readonly title: string;
  readonly url: string;
  readonly targetBlank?: boolean;
}

export interface ThresholdStep {
  readonly value: number;
  readonly color: string;
}

export interface PanelOptions {
  readonly description?: string;
  readonly unit?: string;
  readonly decimals?: number;
  readonly min?: number;
  readonly max?: number;
  /** Width in grid columns (of 24). */
  readonly w?: number;
  /** Height in grid rows. */
  readonly h?: number;
  /** Colour of values below the first step. */
  readonly baseColor?: string;
  /** Ascending threshold steps above the base colour. */
  readonly thresholds?: readonly ThresholdStep[];
  readonly links?: readonly Link[];
  readonly noValue?: string;
  readonly mappings?: readonly { readonly value: string; readonly text: string; readonly color: string }[];
  /** Fixed colours for series by display name, e.g. {critical: "red"}. */
  readonly seriesColors?: Readonly<Record<string, string>>;
}

function thresholds(o: PanelOptions): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps([{ value: null, color: o.baseColor ?? "green" }, ...(o.thresholds ?? []).map((s) => ({ value: s.value, color: s.color }))]);
}

function linkBuilders(links: readonly Link[]): dashboard.DashboardLinkBuilder[] {
  return links.map((l) =>
    new dashboard.DashboardLinkBuilder(l.title)
      .type(dashboard.DashboardLinkType.Link)
      .url(l.url)
      .targetBlank(l.targetBlank ?? false),
  );
}

/** Methods every SDK panel builder has; lets one function apply the shared options. */
interface CommonBuilder {
  title(title: string): unknown;
  description(description: string): unknown;
  datasource(datasource: common.DataSourceRef): unknown;
  targets(targets: cog.Builder<cog.Dataquery>[]): unknown;
  span(w: number): unknown;
  height(h: number): unknown;
  links(links: cog.Builder<dashboard.DashboardLink>[]): unknown;
  thresholds(thresholds: cog.Builder<dashboard.ThresholdsConfig>): unknown;
  mappings(mappings: dashboard.ValueMapping[]): unknown;
  unit(unit: string): unknown;
  decimals(decimals: number): unknown;
  min(min: number): unknown;
  max(max: number): unknown;
  noValue(noValue: string): unknown;
  overrideByName(name: string, properties: dashboard.DynamicConfigValue[]): unknown;
}

function apply<B extends CommonBuilder>(
  b: B,
  title: string,
  ds: DatasourceRef,
  targets: cog.Builder<cog.Dataquery>[],
  o: PanelOptions,
  size: { w: number; h: number },
): B {
  b.title(title);
  b.datasource(ds);
  b.targets(targets);
  b.span(o.w ?? size.w);
  b.height(o.h ?? size.h);
  if (o.description) b.description(o.description);
  if (o.unit) b.unit(o.unit);
  if (o.decimals !== undefined) b.decimals(o.decimals);
  if (o.min !== undefined) b.min(o.min);
  if (o.max !== undefined) b.max(o.max);
  if (o.noValue !== undefined) b.noValue(o.noValue);
  if (o.links && o.links.length > 0) b.links(linkBuilders(o.links));
  b.thresholds(thresholds(o));
  if (o.mappings && o.mappings.length > 0) {
    const options: Record<string, dashboard.ValueMappingResult> = {};
    o.mappings.forEach((m, index) => (options[m.value] = { text: m.text, color: m.color, index }));
    b.mappings([{ type: dashboard.MappingType.ValueToText, options }]);
  }
  for (const [name, color] of Object.entries(o.seriesColors ?? {})) {
    b.overrideByName(name, [{ id: "color", value: { mode: "fixed", fixedColor: color } }]);
  }
  return b;
}

export interface TimeSeriesOptions extends PanelOptions {
  readonly stack?: boolean;
  readonly bars?: boolean;
  /** Draw the thresholds as dashed lines on the graph. */
  readonly showThresholds?: boolean;
  /** Series (by legend regex) drawn as dashed red "limit" lines. */
  readonly limitSeries?: string;
  /** Series (by legend regex) mirrored below the axis, e.g. transmitted bytes. */
  readonly negativeSeries?: string;
  readonly fillOpacity?: number;
}

export function timeSeries(title: string, queries: readonly PromQuery[], o: TimeSeriesOptions = {}): PanelBuilder {
  return timeSeriesWith(title, PROMETHEUS, promTargets(queries), o);
}

export function logTimeSeries(title: string, queries: readonly LokiQuery[], o: TimeSeriesOptions = {}): PanelBuilder {
  return timeSeriesWith(title, LOKI, lokiTargets(queries), { bars: true, stack: true, ...o });
}

function timeSeriesWith(title: string, ds: DatasourceRef, targets: cog.Builder<cog.Dataquery>[], o: TimeSeriesOptions): PanelBuilder {
  const b = apply(new timeseries.PanelBuilder(), title, ds, targets, o, { w: 12, h: 8 });
  b.fillOpacity(o.fillOpacity ?? (o.bars ? 80 : 10));
  b.lineWidth(1);
  b.showPoints(common.VisibilityMode.Never);
  b.drawStyle(o.bars ? common.GraphDrawStyle.Bars : common.GraphDrawStyle.Line);
  b.legend(
    new common.VizLegendOptionsBuilder()
      .displayMode(common.LegendDisplayMode.List)
      .placement(common.LegendPlacement.Bottom)
      .showLegend(true),
  );
  b.tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  if (o.stack) b.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  if (o.showThresholds) {
    b.thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed));
  }
  if (o.limitSeries) {
    b.overrideByRegexp(o.limitSeries, [
      { id: "color", value: { mode: "fixed", fixedColor: "red" } },
      { id: "custom.lineStyle", value: { fill: "dash", dash: [10, 10] } },
      { id: "custom.fillOpacity", value: 0 },
      { id: "custom.stacking", value: { mode: "none", group: "A" } },
    ]);
  }
  if (o.negativeSeries) {
    b.overrideByRegexp(o.negativeSeries, [{ id: "custom.transform", value: "negative-Y" }]);
  }
  return b;
}

export interface StatOptions extends PanelOptions {
  readonly colorBackground?: boolean;
  readonly sparkline?: boolean;
  /** Reduction over the time range; "lastNotNull" by default. */
  readonly calc?: string;
}

export function statPanel(title: string, queries: readonly PromQuery[], o: StatOptions = {}): PanelBuilder {
  const b = apply(new stat.PanelBuilder(), title, PROMETHEUS, promTargets(queries), o, { w: 6, h: 4 });
  b.colorMode(o.colorBackground ? common.BigValueColorMode.Background : common.BigValueColorMode.Value);
  b.graphMode(o.sparkline ? common.BigValueGraphMode.Area : common.BigValueGraphMode.None);
  b.textMode(common.BigValueTextMode.Auto);
  b.justifyMode(common.BigValueJustifyMode.Auto);
  b.reduceOptions(
    new common.ReduceDataOptionsBuilder()
      .calcs([o.calc ?? "lastNotNull"])
      .values(false)
      .fields(""),
  );
  return b;
}

export interface BarGaugeOptions extends PanelOptions {
  readonly horizontal?: boolean;
}

export function barGauge(title: string, queries: readonly PromQuery[], o: BarGaugeOptions = {}): PanelBuilder {
  const b = apply(new bargauge.PanelBuilder(), title, PROMETHEUS, promTargets(queries), o, { w: 12, h: 8 });
  b.displayMode(common.BarGaugeDisplayMode.Gradient);
  b.orientation(o.horizontal === false ? common.VizOrientation.Vertical : common.VizOrientation.Horizontal);
  b.showUnfilled(true);
  b.reduceOptions(new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false).fields(""));
  return b;
}

export interface TableColumn {
  /** Field name after the transformations (the legend / label name). */
  readonly field: string;
  readonly unit?: string;
  readonly decimals?: number;
  readonly links?: readonly Link[];
  /** Colour the value by these thresholds (base colour first, then ascending steps). */
  readonly thresholds?: readonly ThresholdStep[];
  readonly baseColor?: string;
  readonly width?: number;
}

export interface TableOptions extends PanelOptions {
  readonly columns?: readonly TableColumn[];
  /** Merge the instant queries into one table (rows joined on their labels). */
  readonly merge?: boolean;
  /** Rename columns, e.g. {"Value #A": "Requests/s"}. */
  readonly rename?: Readonly<Record<string, string>>;
  /** Columns to hide. */
  readonly hide?: readonly string[];
  readonly sortBy?: { readonly field: string; readonly desc: boolean };
}

export function tablePanel(title: string, queries: readonly PromQuery[], o: TableOptions = {}): PanelBuilder {
  const targets = promTargets(queries.map((q) => ({ ...q, instant: q.instant ?? true, format: q.format ?? "table" })));
  const b = apply(new table.PanelBuilder(), title, PROMETHEUS, targets, o, { w: 12, h: 8 });
  b.cellHeight(common.TableCellHeight.Sm);
  b.showHeader(true);
  const transformations: dashboard.DataTransformerConfig[] = [];
  if (o.merge) transformations.push({ id: "merge", options: {} });
  transformations.push({
    id: "organize",
    options: {
      excludeByName: Object.fromEntries(["Time", ...(o.hide ?? [])].map((f) => [f, true])),
      renameByName: { ...(o.rename ?? {}) },
    },
  });
  b.transformations(transformations);
  if (o.sortBy) b.sortBy([new common.TableSortByFieldStateBuilder().displayName(o.sortBy.field).desc(o.sortBy.desc)]);
  for (const c of o.columns ?? []) {
    const props: dashboard.DynamicConfigValue[] = [];
    if (c.unit) props.push({ id: "unit", value: c.unit });
    if (c.decimals !== undefined) props.push({ id: "decimals", value: c.decimals });
    if (c.width !== undefined) props.push({ id: "custom.width", value: c.width });
    if (c.thresholds) {
      props.push({
        id: "thresholds",
        value: { mode: "absolute", steps: [{ value: null, color: c.baseColor ?? "green" }, ...c.thresholds] },
      });
      props.push({ id: "custom.cellOptions", value: { type: "color-text" } });
    }
    if (c.links)
      props.push({ id: "links", value: c.links.map((l) => ({ title: l.title, url: l.url, targetBlank: l.targetBlank ?? false })) });
    if (props.length > 0) b.overrideByName(c.field, props);
  }
  return b;
}

export interface LogsOptions {
  readonly description?: string;
  readonly w?: number;
  readonly h?: number;
  readonly maxLines?: number;
  readonly links?: readonly Link[];
}

export function logsPanel(title: string, expr: string, o: LogsOptions = {}): PanelBuilder {
  const b = new logs.PanelBuilder()
    .title(title)
    .datasource(LOKI)
    .targets(lokiTargets([{ expr, maxLines: o.maxLines ?? 500 }]))
    .span(o.w ?? 24)
    .height(o.h ?? 10)
    .showTime(true)
    .showLabels(false)
    .showCommonLabels(false)
    .wrapLogMessage(true)
    .prettifyLogMessage(false)
    .enableLogDetails(true)
    .dedupStrategy(common.LogsDedupStrategy.None)
    .sortOrder(common.LogsSortOrder.Descending);
  if (o.description) b.description(o.description);
  if (o.links && o.links.length > 0) b.links(linkBuilders(o.links));
  return b;
}

export function logsTable(title: string, queries: readonly LokiQuery[], o: TableOptions = {}): PanelBuilder {
  const targets = lokiTargets(queries.map((q) => ({ ...q, instant: q.instant ?? true })));
  const b = apply(new table.PanelBuilder(), title, LOKI, targets, o, { w: 12, h: 8 });
  b.cellHeight(common.TableCellHeight.Sm);
  // Loki returns one frame per series with the labels on the value field: turn the labels into
  // columns and merge the frames into one table.
  b.transformations([
    { id: "labelsToFields", options: { mode: "columns" } },
    { id: "merge", options: {} },
    {
      id: "organize",
      options: {
        excludeByName: Object.fromEntries(["Time", ...(o.hide ?? [])].map((f) => [f, true])),
        renameByName: { ...(o.rename ?? {}) },
      },
    },
  ]);
  if (o.sortBy) b.sortBy([new common.TableSortByFieldStateBuilder().displayName(o.sortBy.field).desc(o.sortBy.desc)]);
  return b;
}

export function heatmapPanel(title: string, query: PromQuery, o: PanelOptions = {}): PanelBuilder {
  const b = new heatmap.PanelBuilder()
    .title(title)
    .datasource(PROMETHEUS)
    .targets(promTargets([{ ...query, format: "heatmap", legend: query.legend ?? "{{le}}" }]))
    .span(o.w ?? 12)
    .height(o.h ?? 8)
    .calculate(false)
    .cellGap(1)
    .color(
      new heatmap.HeatmapColorOptionsBuilder()
        .mode(heatmap.HeatmapColorMode.Scheme)
        .scheme("Oranges")
        .fill("dark-orange")
        .scale(heatmap.HeatmapColorScale.Exponential)
        .exponent(0.5)
        .steps(64)
        .reverse(false),
    )
    .yAxis(new heatmap.YAxisConfigBuilder().unit(o.unit ?? "s").axisPlacement(common.AxisPlacement.Left))
    .rowsFrame(new heatmap.RowsHeatmapOptionsBuilder().layout(common.HeatmapCellLayout.Le))
    .showValue(common.VisibilityMode.Never)
    .tooltip(new heatmap.HeatmapTooltipBuilder().mode(common.TooltipDisplayMode.Single).yHistogram(true));
  if (o.description) b.description(o.description);
  return b;
}

export interface StateTimelineOptions extends PanelOptions {
  readonly rowHeight?: number;
}

export function stateTimeline(title: string, queries: readonly PromQuery[], o: StateTimelineOptions = {}): PanelBuilder {
  const b = apply(new statetimeline.PanelBuilder(), title, PROMETHEUS, promTargets(queries), o, { w: 24, h: 8 });
  b.showValue(common.VisibilityMode.Never);
  b.mergeValues(true);
  b.rowHeight(o.rowHeight ?? 0.8);
  b.fillOpacity(80);
  b.legend(
    new common.VizLegendOptionsBuilder()
      .showLegend(false)
      .displayMode(common.LegendDisplayMode.List)
      .placement(common.LegendPlacement.Bottom),
  );
  return b;
}
