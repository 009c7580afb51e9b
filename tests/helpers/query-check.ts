// Helpers for the dashboard tests: walk a dashboard's panels (rows included), collect every
// query (targets, annotations, variable queries, LogQL inside Explore links), substitute
// Grafana template variables with concrete values, and check PromQL/LogQL with the grammars
// Prometheus and Grafana use in their editors. The grammars never throw: a parse tree that
// contains an error node is a syntax error.
import { parser as promqlParser } from "@prometheus-io/lezer-promql";
import { parser as logqlParser } from "@grafana/lezer-logql";
import { logqlSyntaxErrors, promqlSyntaxErrors } from "./grammars";

export type QueryKind = "prometheus" | "loki";

export interface FoundQuery {
  readonly kind: QueryKind;
  /** Query text as stored in the dashboard. */
  readonly expr: string;
  /** Human-readable location, e.g. "overview › panel "Requests/s" › target A". */
  readonly where: string;
}

// Loose shapes of Grafana dashboard JSON; only what the tests read.
export interface PanelJson {
  id?: number;
  type?: string;
  title?: string;
  datasource?: { type?: string; uid?: string } | null;
  targets?: { refId?: string; expr?: string; datasource?: { type?: string; uid?: string }; [k: string]: unknown }[];
  panels?: PanelJson[];
  links?: { title?: string; url?: string }[];
  fieldConfig?: {
    defaults?: { links?: { title?: string; url?: string }[] };
    overrides?: { matcher?: unknown; properties?: { id: string; value?: unknown }[] }[];
  };
  [k: string]: unknown;
}

export interface VariableJson {
  name: string;
  type: string;
  query?: unknown;
  datasource?: { type?: string; uid?: string } | null;
  current?: { text?: unknown; value?: unknown };
  [k: string]: unknown;
}

export interface DashboardJson {
  uid?: string;
  title?: string;
  tags?: string[];
  time?: { from: string; to: string };
  refresh?: string;
  panels?: PanelJson[];
  templating?: { list?: VariableJson[] };
  annotations?: { list?: { name?: string; datasource?: { type?: string; uid?: string }; expr?: string; target?: { expr?: string } }[] };
  [k: string]: unknown;
}

/** Every panel, with the panels nested in (collapsed) rows. */
export function allPanels(d: DashboardJson): PanelJson[] {
  const out: PanelJson[] = [];
  for (const p of d.panels ?? []) {
    out.push(p);
    for (const nested of p.panels ?? []) out.push(nested);
  }
  return out;
}

/** Values used in place of Grafana's global and dashboard variables. */
const GLOBAL_VALUES: Readonly<Record<string, string>> = {
  __rate_interval: "5m",
  __interval: "1m",
  __auto: "1m",
  __range: "1h",
  __range_s: "3600",
  __range_ms: "3600000",
  __interval_ms: "60000",
  __from: "1700000000000",
  __to: "1700003600000",
  __url_time_range: "from=1700000000000&to=1700003600000",
  "__value.raw": "api",
  "__value.text": "api",
  "__field.labels.service": "api",
};

/** Example values of the dashboards' own variables, by name. */
export const VARIABLE_VALUES: Readonly<Record<string, string>> = {
  datasource: "prometheus",
  loki_datasource: "loki",
  service: "api",
  level: "error",
  container: "api",
  search: "timeout",
  instance: "node-exporter:9100",
};

/**
 * Replaces `$name`, `${name}`, `${name:format}` and `[[name]]` for the known variables. Unknown
 * references (e.g. `${1}` in a label_replace replacement) are left alone, as Grafana does.
 */
export function substituteVariables(text: string, extra: Readonly<Record<string, string>> = {}): string {
  const values: Record<string, string> = { ...GLOBAL_VALUES, ...VARIABLE_VALUES, ...extra };
  return text.replace(
    /\$\{([\w.]+)(?::[\w]+)?\}|\[\[([\w.]+)(?::\w+)?\]\]|\$(\w+)/g,
    (match, braced?: string, bracketed?: string, plain?: string) => {
      const name = braced ?? bracketed ?? plain ?? "";
      return name in values ? values[name] : match;
    },
  );
}

/** Syntax errors in a PromQL expression (after variable substitution); empty when it parses. */
export function promqlErrors(expr: string): string[] {
  return promqlSyntaxErrors(substituteVariables(expr));
}

/** Syntax errors in a LogQL expression (after variable substitution); empty when it parses. */
export function logqlErrors(expr: string): string[] {
  return logqlSyntaxErrors(substituteVariables(expr));
}

export function queryErrors(q: FoundQuery): string[] {
  return q.kind === "prometheus" ? promqlErrors(q.expr) : logqlErrors(q.expr);
}

/**
 * Metric names a PromQL expression selects: the Identifier child of each VectorSelector.
 * Selectors without a metric name (`{__name__=~"..."}`) are reported as `unnamed`, so the
 * allow-list check cannot be bypassed by them.
 */
export function promqlMetricNames(expr: string): { names: string[]; unnamed: string[] } {
  const text = substituteVariables(expr);
  const names = new Set<string>();
  const unnamed: string[] = [];
  promqlParser.parse(text).iterate({
    enter(node) {
      if (node.type.name !== "VectorSelector") return;
      const first = node.node.firstChild;
      if (first && (first.type.name === "Identifier" || first.type.name === "MetricName")) {
        names.add(text.slice(first.from, first.to));
      } else {
        unnamed.push(text.slice(node.from, node.to));
      }
    },
  });
  return { names: [...names].sort(), unnamed };
}

/** The LogQL queries inside an Explore URL's `panes` parameter. */
export function exploreQueries(url: string): string[] {
  const m = /[?&]panes=([^&]*)/.exec(url);
  if (!url.startsWith("/explore") || !m) return [];
  const panes = JSON.parse(decodeURIComponent(m[1])) as Record<string, { queries?: { expr?: string }[] }>;
  return Object.values(panes).flatMap((p) => (p.queries ?? []).map((q) => q.expr ?? ""));
}

function linksOf(p: PanelJson): { title?: string; url?: string }[] {
  const links = [...(p.links ?? []), ...(p.fieldConfig?.defaults?.links ?? [])];
  for (const o of p.fieldConfig?.overrides ?? []) {
    for (const prop of o.properties ?? []) {
      if (prop.id === "links" && Array.isArray(prop.value)) links.push(...(prop.value as { title?: string; url?: string }[]));
    }
  }
  return links;
}

export function panelLinks(p: PanelJson): { title?: string; url?: string }[] {
  return linksOf(p);
}

/** Kind of a datasource reference, resolving `${var}` through the dashboard's variables. */
export function datasourceKind(d: DashboardJson, ds: { type?: string; uid?: string } | null | undefined): string | undefined {
  if (!ds) return undefined;
  if (ds.type) return ds.type;
  const m = /^\$\{?(\w+)\}?$/.exec(ds.uid ?? "");
  const v = m && d.templating?.list?.find((x) => x.name === m[1]);
  return v && typeof v.query === "string" ? v.query : undefined;
}

/** Every PromQL and LogQL query in a dashboard, with where it was found. */
export function collectQueries(d: DashboardJson): FoundQuery[] {
  const out: FoundQuery[] = [];
  const dash = d.uid ?? d.title ?? "?";
  for (const p of allPanels(d)) {
    for (const t of p.targets ?? []) {
      const kind = datasourceKind(d, t.datasource ?? p.datasource);
      if ((kind === "prometheus" || kind === "loki") && typeof t.expr === "string") {
        out.push({ kind, expr: t.expr, where: `${dash} › panel "${p.title}" › target ${t.refId}` });
      }
    }
    for (const l of linksOf(p)) {
      for (const expr of exploreQueries(l.url ?? "")) {
        out.push({ kind: "loki", expr, where: `${dash} › panel "${p.title}" › link "${l.title}"` });
      }
    }
  }
  for (const a of d.annotations?.list ?? []) {
    const kind = datasourceKind(d, a.datasource);
    if (kind !== "prometheus" && kind !== "loki") continue;
    for (const expr of [a.expr, a.target?.expr]) {
      if (typeof expr === "string") out.push({ kind, expr, where: `${dash} › annotation "${a.name}"` });
    }
  }
  for (const v of d.templating?.list ?? []) {
    if (v.type !== "query" || typeof v.query !== "string") continue;
    const kind = datasourceKind(d, v.datasource);
    const sel = /^label_values\((.+),\s*[\w.]+\)$/.exec(v.query.trim()) ?? /^query_result\((.+)\)$/.exec(v.query.trim());
    if (kind === "prometheus" && sel) out.push({ kind, expr: sel[1], where: `${dash} › variable ${v.name}` });
    if (kind === "loki" && sel) out.push({ kind, expr: sel[1], where: `${dash} › variable ${v.name}` });
  }
  return out;
}

/** Label names used in the stream selectors (`{...}`) of a LogQL expression. */
export function logqlStreamLabels(expr: string): string[] {
  const text = substituteVariables(expr);
  const labels = new Set<string>();
  logqlParser.parse(text).iterate({
    enter(node) {
      if (node.type.name !== "Matcher") return;
      for (let up = node.node.parent; up; up = up.parent) {
        if (up.type.name === "LabelFilter") return;
        if (up.type.name === "Selector") break;
      }
      const id = node.node.firstChild;
      if (id && id.type.name === "Identifier") labels.add(text.slice(id.from, id.to));
    },
  });
  return [...labels].sort();
}

/** Values matched against the `level` stream label (exact or alternatives of a regex). */
export function logqlLevelValues(expr: string): string[] {
  const values = new Set<string>();
  for (const m of expr.matchAll(/\{[^}]*\blevel\s*=~?\s*"([^"]*)"/g)) {
    for (const v of m[1].split("|")) if (/^[a-z]+$/.test(v)) values.add(v);
  }
  return [...values].sort();
}

/** Grafana's built-in variables the dashboards may use. */
export const GLOBAL_VARIABLES = new Set(Object.keys(GLOBAL_VALUES));

/** Names of the template variables a text refers to (`$x`, `${x}`, `${x:fmt}`, `[[x]]`), regex capture refs excluded. */
export function variableReferences(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\$\{([\w.]+)(?::[\w]+)?\}|\[\[([\w.]+)(?::\w+)?\]\]|\$(\w+)/g)) {
    const name = m[1] ?? m[2] ?? m[3];
    if (name && !/^\d+$/.test(name)) names.add(name);
  }
  return [...names].sort();
}
