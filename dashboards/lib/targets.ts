// Query targets for panels: every target gets an explicit refId (the foundation SDK leaves it
// unset) and one of the provisioned datasources.
import * as cog from "@grafana/grafana-foundation-sdk/cog";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import * as loki from "@grafana/grafana-foundation-sdk/loki";
import { LOKI, PROMETHEUS } from "./datasources";

export interface PromQuery {
  readonly expr: string;
  readonly legend?: string;
  /** Instant query (tables, stats over $__range); range query otherwise. */
  readonly instant?: boolean;
  readonly format?: "time_series" | "table" | "heatmap";
}

export interface LokiQuery {
  readonly expr: string;
  readonly legend?: string;
  readonly instant?: boolean;
  readonly maxLines?: number;
}

/** refIds A, B, C, ... in target order. */
export function refId(index: number): string {
  if (index < 26) return String.fromCharCode(65 + index);
  return refId(Math.floor(index / 26) - 1) + refId(index % 26);
}

export function promTargets(queries: readonly PromQuery[]): cog.Builder<cog.Dataquery>[] {
  return queries.map((q, i) => {
    const t = new prometheus.DataqueryBuilder()
      .datasource(PROMETHEUS)
      .refId(refId(i))
      .expr(q.expr)
      .editorMode(prometheus.QueryEditorMode.Code)
      .legendFormat(q.legend ?? "__auto");
    if (q.instant) t.instant();
    else t.range();
    if (q.format) t.format(q.format as prometheus.PromQueryFormat);
    return t;
  });
}

export function lokiTargets(queries: readonly LokiQuery[]): cog.Builder<cog.Dataquery>[] {
  return queries.map((q, i) => {
    const t = new loki.DataqueryBuilder()
      .datasource(LOKI)
      .refId(refId(i))
      .expr(q.expr)
      .editorMode(loki.QueryEditorMode.Code)
      .queryType(q.instant ? loki.LokiQueryType.Instant : loki.LokiQueryType.Range);
    if (q.legend) t.legendFormat(q.legend);
    if (q.maxLines) t.maxLines(q.maxLines);
    return t;
  });
}
