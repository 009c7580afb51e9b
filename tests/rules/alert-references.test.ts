// Every alert a text names exists in the rule files. The texts: each alert's summary and
// description, docs/runbooks.md, the built dashboards (titles, descriptions, links, and the
// alertname matchers of their queries), and the comments of the dashboard and threshold sources,
// where a dashboard's reason for a colour step is written ("2 s is the SlowResponseTime alert's
// threshold" named an alert that never existed).
//
// An alert name is a CamelCase word (ServiceDown, HighLatencyP95, TLSCertificateExpiryCritical).
// Prose also holds CamelCase words that are not alerts: product names, AWS actions, Docker
// fields. Those are listed in NOT_ALERTS; plural acronyms (CPUs, URLs) and binary units (MiB)
// are recognised by their shape. Code spans and blocks of the runbooks are skipped (they quote
// commands and JSON), except for alertname matchers, which name alerts for certain.
import * as fs from "node:fs";
import * as path from "node:path";
import { generatedDashboards } from "../../dashboards";
import { INPUTS } from "../helpers/dashboard-fixtures";
import { ROOT, ruleFileAlerts } from "../helpers/rule-files";

/** CamelCase words of the texts that are not alert names, and why they appear. */
const NOT_ALERTS: Readonly<Record<string, string>> = {
  PostgreSQL: "product",
  MySQL: "product",
  MariaDB: "product",
  PgBouncer: "product",
  ProxySQL: "product",
  RabbitMQ: "product",
  PagerDuty: "product",
  JavaScript: "language",
  PromQL: "query language",
  LogQL: "query language",
  WebSocket: "protocol",
  OOMKilled: "Docker's State.OOMKilled field",
  ListBucket: "AWS IAM action",
  ListObjects: "AWS IAM action",
  GetObject: "AWS IAM action",
  PutObject: "AWS IAM action",
  DeleteObject: "AWS IAM action",
  SigV4: "AWS request signing",
  LastModified: "S3 object field",
  CloudTrail: "AWS service",
  VictoriaMetrics: "product",
};

const CAMEL_CASE = /\b(?:[A-Z][A-Za-z0-9]*[a-z0-9][A-Z][A-Za-z0-9]*|[A-Z]{2,}[a-z][A-Za-z0-9]*)\b/g;
const PLURAL_ACRONYM = /^[A-Z]{2,}s$/;
const BINARY_UNIT = /^[KMGTPE]iB$/;
/** `alertname="X"`, `alertname=X` (amtool), `alertname=~"X|Y"`, `alertname!~"X"`. */
const ALERTNAME_MATCHER = /alertname\s*(?:=~|!~|!=|=)\s*"?([A-Za-z0-9_|]+)"?/g;

/** Words of a prose text that look like alert names. */
function alertLikeWords(text: string): string[] {
  return [...text.matchAll(CAMEL_CASE)].map((m) => m[0]).filter((w) => !PLURAL_ACRONYM.test(w) && !BINARY_UNIT.test(w));
}

/** Alert names an alertname matcher in a query or command selects. */
function matchedAlertNames(text: string): string[] {
  return [...text.matchAll(ALERTNAME_MATCHER)].flatMap((m) => m[1].split("|")).filter((w) => /^[A-Za-z]\w*$/.test(w));
}

/** Markdown without its fenced code blocks and inline code spans. */
function prose(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```\s*$/gm, "").replace(/`[^`\n]*`/g, "");
}

/** Code blocks and spans of a markdown text. */
function code(markdown: string): string {
  return [...markdown.matchAll(/^```[^\n]*\n[\s\S]*?^```\s*$|`[^`\n]*`/gm)].map((m) => m[0]).join("\n");
}

/** Comments of a TypeScript source. */
function comments(source: string): string {
  return [...source.matchAll(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g)].map((m) => m[0]).join("\n");
}

/** Prose strings of a built dashboard: titles, descriptions, link titles and tooltips. */
function dashboardProse(value: unknown, key = ""): string[] {
  if (typeof value === "string") return ["title", "description", "tooltip"].includes(key) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((v) => dashboardProse(v, key));
  if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([k, v]) => dashboardProse(v, k));
  return [];
}

/** Query strings of a built dashboard (targets and annotations). */
function dashboardQueries(value: unknown, key = ""): string[] {
  if (typeof value === "string") return ["expr", "query"].includes(key) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((v) => dashboardQueries(v, key));
  if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([k, v]) => dashboardQueries(v, k));
  return [];
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

interface Text {
  readonly where: string;
  /** Prose: every alert-like word must be an alert or a known non-alert. */
  readonly prose: string;
  /** Queries and commands: only alertname matchers are read. */
  readonly code: string;
}

function texts(): Text[] {
  const out: Text[] = [];
  for (const a of ruleFileAlerts()) {
    out.push({ where: `${a.file} ${a.alert}`, prose: `${a.annotations?.summary ?? ""}\n${a.annotations?.description ?? ""}`, code: "" });
  }
  const runbooks = fs.readFileSync(path.join(ROOT, "docs", "runbooks.md"), "utf8");
  out.push({ where: "docs/runbooks.md", prose: prose(runbooks), code: code(runbooks) });
  for (const [input, data] of INPUTS) {
    for (const g of generatedDashboards(data)) {
      const json: unknown = JSON.parse(JSON.stringify(g.dashboard));
      out.push({ where: `dashboard ${g.uid} (${input})`, prose: dashboardProse(json).join("\n"), code: dashboardQueries(json).join("\n") });
    }
  }
  const sources = [
    ...sourceFiles(path.join(ROOT, "dashboards")),
    ...sourceFiles(path.join(ROOT, "integrations")),
    path.join(ROOT, "configs", "thresholds.ts"),
  ];
  for (const f of sources) out.push({ where: path.relative(ROOT, f), prose: comments(fs.readFileSync(f, "utf8")), code: "" });
  return out;
}

const alertNames = new Set(ruleFileAlerts().map((a) => a.alert));
const all = texts();

/** Names a text uses for alerts that do not exist. */
function unknownAlerts(t: Text): string[] {
  const words = [...alertLikeWords(t.prose).filter((w) => !(w in NOT_ALERTS)), ...matchedAlertNames(t.code)];
  return [...new Set(words.filter((w) => !alertNames.has(w)))].sort();
}

test("the texts are read: runbooks, annotations, dashboards and sources all name real alerts", () => {
  const naming = (prefix: string) =>
    all.filter((t) => t.where.startsWith(prefix) && alertLikeWords(t.prose).some((w) => alertNames.has(w)));
  expect(naming("docs/runbooks.md")).toHaveLength(1);
  const annotations = all.filter((t) => t.where.startsWith("rules/") || /^integrations\/\S+\.rules\.yml /.test(t.where));
  expect(annotations).toHaveLength(alertNames.size);
  expect(annotations.filter((t) => alertLikeWords(t.prose).length > 0).length).toBeGreaterThan(5);
  expect(naming("dashboard infrastructure").length).toBeGreaterThan(0);
  expect(naming("configs/thresholds.ts")).toHaveLength(1);
  expect(all.some((t) => matchedAlertNames(t.code).includes("Watchdog"))).toBe(true);
});

test.each(all.map((t) => [t.where, t] as const))("%s names only alerts that exist", (where, t) => {
  expect({ where, unknown: unknownAlerts(t) }).toEqual({ where, unknown: [] });
});

test("every word kept out of the check appears in some text and is not an alert", () => {
  const seen = new Set(all.flatMap((t) => alertLikeWords(t.prose)));
  expect(Object.keys(NOT_ALERTS).filter((w) => !seen.has(w))).toEqual([]);
  expect(Object.keys(NOT_ALERTS).filter((w) => alertNames.has(w))).toEqual([]);
});

test("the check catches a made-up alert and lets products, plural acronyms and units pass", () => {
  const check = (prose: string, code = "") => unknownAlerts({ where: "example", prose, code });
  expect(check("/** p95 latency: 1 s is slow, 2 s is the SlowResponseTime alert's threshold. */")).toEqual(["SlowResponseTime"]);
  expect(check("When HighLatencyP95 fires, see (TLSCertificateExpiryCritical) and ServiceDown's runbook.")).toEqual([]);
  expect(check("PostgreSQL and RabbitMQ on 2 CPUs with 512 MiB, three URLs")).toEqual([]);
  expect(check("", 'amtool silence add alertname=PrometheusDown; ALERTS{alertname!~"Watchdog|Heartbeat"}')).toEqual([
    "Heartbeat",
    "PrometheusDown",
  ]);
});
