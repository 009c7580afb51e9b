// What changed between two renderings of one stack, as the lines a reviewer reads: named alerts,
// thresholds old → new, routes by their matchers, panels by their titles. Pure: no Pulumi import.
import { Alertmanager, Container, Dashboard, Rule, Scrape, StackModel } from "./model";
import { normalizeExpr, thresholds } from "./thresholds";

export interface Section {
  readonly title: string;
  readonly lines: readonly string[];
}

/** Section titles, in the order they are printed. */
export const SECTIONS = [
  // Filled by rollout.ts from the resource diff; first, because it holds the data-loss risks.
  "Rollout",
  "Alerts",
  "Recording rules",
  "Alertmanager",
  "Scrape jobs",
  "Dashboards",
  "Containers",
  "Security groups",
  "Buckets",
  "Other files",
  "Other resources",
] as const;
export type SectionTitle = (typeof SECTIONS)[number];

type Obj = Record<string, unknown>;

/** A value longer than this is reported as changed, not printed. */
const MAX_VALUE = 100;
/** At most this many field changes per item; the rest are counted. */
const MAX_FIELDS = 6;

/** Inline code, safe for values that contain backticks. */
export function code(s: string): string {
  const fence = s.includes("`") ? "``" : "`";
  return `${fence}${s.includes("`") ? ` ${s} ` : s}${fence}`;
}

function show(v: unknown): string {
  if (v === undefined) return "none";
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

function lineCount(s: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of s.split("\n")) m.set(l, (m.get(l) ?? 0) + 1);
  return m;
}

/** `+added −removed lines`, counting lines as multisets (enough for a summary). */
export function lineDelta(before: string, after: string): string {
  const a = lineCount(before);
  const b = lineCount(after);
  let added = 0;
  let removed = 0;
  for (const [l, n] of b) added += Math.max(0, n - (a.get(l) ?? 0));
  for (const [l, n] of a) removed += Math.max(0, n - (b.get(l) ?? 0));
  return `+${added} −${removed} lines`;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isPlain(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describeChange(path: string, x: unknown, y: unknown): string {
  const name = path === "" ? "value" : path;
  if (typeof x === "string" && typeof y === "string" && (x.includes("\n") || y.includes("\n"))) {
    return `${name} changed (${lineDelta(x, y)})`;
  }
  if (show(x).length > MAX_VALUE || show(y).length > MAX_VALUE) return `${name} changed`;
  return `${name} ${show(x)} → ${show(y)}`;
}

function clip(s: string): string {
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

/** Walks objects and same-length arrays down to the values that differ. */
function walk(x: unknown, y: unknown, path: string, out: string[]): void {
  if (sameValue(x, y)) return;
  if (isPlain(x) && isPlain(y)) {
    for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])]) walk(x[k], y[k], path ? `${path}.${k}` : k, out);
  } else if (Array.isArray(x) && Array.isArray(y) && x.length === y.length) {
    x.forEach((v, i) => walk(v, y[i], `${path}[${i}]`, out));
  } else if (Array.isArray(x) && Array.isArray(y)) {
    // A list that grew or shrank: name the elements, not every shifted index.
    const name = path === "" ? "value" : path;
    const xs = x.map((v) => JSON.stringify(v));
    const ys = y.map((v) => JSON.stringify(v));
    for (const v of ys.filter((e) => !xs.includes(e))) out.push(`${name} + ${clip(v)}`);
    for (const v of xs.filter((e) => !ys.includes(e))) out.push(`${name} − ${clip(v)}`);
  } else {
    out.push(describeChange(path, x, y));
  }
}

/** Field-level changes of two plain values: `path old → new`, long values as "changed". */
export function fieldChanges(before: unknown, after: unknown): string[] {
  const out: string[] = [];
  walk(before, after, "", out);
  if (out.length > MAX_FIELDS) return [...out.slice(0, MAX_FIELDS - 1), `${out.length - MAX_FIELDS + 1} more fields changed`];
  return out;
}

/** Keys only in `after`, only in `before`, and in both, each in a stable order. */
function keyDiff<T>(
  before: ReadonlyMap<string, T>,
  after: ReadonlyMap<string, T>,
): { added: string[]; removed: string[]; common: string[] } {
  return {
    added: [...after.keys()].filter((k) => !before.has(k)),
    removed: [...before.keys()].filter((k) => !after.has(k)),
    common: [...after.keys()].filter((k) => before.has(k)),
  };
}

function arrow(label: string, before: string | undefined, after: string | undefined): string | undefined {
  return before === after ? undefined : `${label} ${before ?? "none"} → ${after ?? "none"}`;
}

function defined(xs: (string | undefined)[]): string[] {
  return xs.filter((x): x is string => x !== undefined);
}

/** What changed in an expression: its thresholds when only they moved, else both expressions. */
export function exprChanges(before: string, after: string, language: "promql" | "logql"): string[] {
  if (normalizeExpr(before) === normalizeExpr(after)) return [];
  const a = thresholds(before, language);
  const b = thresholds(after, language);
  const out: string[] = [];
  if (a.values.length === b.values.length) {
    const changed = a.values.map((v, i) => [v, b.values[i]]).filter(([x, y]) => x !== y && Number(x) !== Number(y));
    if (changed.length === 1) out.push(`threshold ${changed[0][0]} → ${changed[0][1]}`);
    else if (changed.length > 1) out.push(`thresholds ${a.values.join(", ")} → ${b.values.join(", ")}`);
  } else {
    out.push(`thresholds ${a.values.join(", ") || "none"} → ${b.values.join(", ") || "none"}`);
  }
  if (a.template !== b.template) out.push(`expr ${code(normalizeExpr(before))} → ${code(normalizeExpr(after))}`);
  return out;
}

function labelChanges(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
  skip: readonly string[],
): string[] {
  const out: string[] = [];
  for (const k of [...new Set([...Object.keys(before), ...Object.keys(after)])]) {
    if (skip.includes(k) || before[k] === after[k]) continue;
    if (before[k] === undefined) out.push(`label ${k}=${after[k]} added`);
    else if (after[k] === undefined) out.push(`label ${k}=${before[k]} removed`);
    else out.push(`label ${k} ${before[k]} → ${after[k]}`);
  }
  return out;
}

function annotationChanges(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  for (const k of [...new Set([...Object.keys(before), ...Object.keys(after)])]) {
    if (before[k] === after[k]) continue;
    if (k === "runbook_url") out.push(arrow("runbook", before[k], after[k]) as string);
    else if (k === "summary") out.push(`summary "${before[k] ?? ""}" → "${after[k] ?? ""}"`);
    else out.push(`${k} ${before[k] === undefined ? "added" : after[k] === undefined ? "removed" : "changed"}`);
  }
  return out;
}

function ruleChanges(before: Rule, after: Rule): string[] {
  return [
    ...exprChanges(before.expr, after.expr, after.language),
    ...defined([
      arrow("for", before.for, after.for),
      arrow("keep_firing_for", before.keepFiringFor, after.keepFiringFor),
      arrow("severity", before.labels.severity, after.labels.severity),
    ]),
    ...labelChanges(before.labels, after.labels, ["severity"]),
    ...annotationChanges(before.annotations, after.annotations),
    ...defined([arrow("group", before.group, after.group)]),
  ];
}

function describeNewAlert(r: Rule): string {
  const facts = defined([r.labels.severity, r.for ? `for ${r.for}` : undefined]).join(", ");
  return `added ${code(r.key)}${facts ? ` (${facts})` : ""}: ${code(normalizeExpr(r.expr))}`;
}

function rulesDiff(before: StackModel, after: StackModel, kind: Rule["kind"]): string[] {
  const pick = (m: StackModel) => new Map([...m.rules].filter(([, r]) => r.kind === kind));
  const a = pick(before);
  const b = pick(after);
  const { added, removed, common } = keyDiff(a, b);
  const out: string[] = [];
  for (const k of added) {
    const r = b.get(k) as Rule;
    out.push(kind === "alert" ? describeNewAlert(r) : `added ${code(k)}: ${code(normalizeExpr(r.expr))}`);
  }
  for (const k of removed) out.push(`removed ${code(k)}`);
  for (const k of common) {
    const changes = ruleChanges(a.get(k) as Rule, b.get(k) as Rule);
    if (changes.length > 0) out.push(`${code(k)}: ${changes.join("; ")}`);
  }
  return out;
}

function routeName(key: string): string {
  return key === "root" ? "root route" : `route ${code(key)}`;
}

function alertmanagerDiff(a: Alertmanager | undefined, b: Alertmanager | undefined): string[] {
  if (!a && !b) return [];
  if (!a) return ["added Alertmanager configuration"];
  if (!b) return ["removed Alertmanager configuration"];
  const out: string[] = [];
  const routes = keyDiff(a.routes, b.routes);
  for (const k of routes.added) {
    const r = b.routes.get(k)?.settings ?? {};
    out.push(`added ${routeName(k)} → ${code(show(r.receiver ?? "(parent's receiver)"))}${r.continue === true ? " (continue)" : ""}`);
  }
  for (const k of routes.removed)
    out.push(`removed ${routeName(k)} (was → ${code(show(a.routes.get(k)?.settings.receiver ?? "(parent's receiver)"))})`);
  for (const k of routes.common) {
    const x = a.routes.get(k);
    const y = b.routes.get(k);
    if (!x || !y) continue;
    const changes = fieldChanges(omitMatchers(x.settings), omitMatchers(y.settings));
    // Alertmanager takes the first matching child: a new order is a routing change.
    const before = x.children.filter((c) => y.children.includes(c));
    const after = y.children.filter((c) => x.children.includes(c));
    if (!sameValue(before, after)) changes.push(`order of child routes ${before.join(" | ")} → ${after.join(" | ")}`);
    if (changes.length > 0) out.push(`${routeName(k)}: ${changes.join("; ")}`);
  }
  const receivers = keyDiff(a.receivers, b.receivers);
  for (const k of receivers.added) out.push(`added receiver ${code(k)}${integrations(b.receivers.get(k))}`);
  for (const k of receivers.removed) out.push(`removed receiver ${code(k)}`);
  for (const k of receivers.common) {
    const changes = fieldChanges(a.receivers.get(k), b.receivers.get(k));
    if (changes.length > 0) out.push(`receiver ${code(k)}: ${changes.join("; ")}`);
  }
  for (const i of b.inhibitions.filter((x) => !a.inhibitions.includes(x))) out.push(`added inhibition: ${i}`);
  for (const i of a.inhibitions.filter((x) => !b.inhibitions.includes(x))) out.push(`removed inhibition: ${i}`);
  const intervals = keyDiff(a.timeIntervals, b.timeIntervals);
  for (const k of intervals.added) out.push(`added time interval ${code(k)}`);
  for (const k of intervals.removed) out.push(`removed time interval ${code(k)}`);
  for (const k of intervals.common) {
    const changes = fieldChanges(a.timeIntervals.get(k), b.timeIntervals.get(k));
    if (changes.length > 0) out.push(`time interval ${code(k)}: ${changes.join("; ")}`);
  }
  for (const c of fieldChanges(a.settings, b.settings)) out.push(`setting ${c}`);
  return out;
}

function omitMatchers(settings: Readonly<Obj>): Obj {
  return Object.fromEntries(Object.entries(settings).filter(([k]) => !["matchers", "match", "match_re"].includes(k)));
}

function integrations(receiver: unknown): string {
  const kinds = Object.keys((receiver ?? {}) as Obj).filter((k) => k.endsWith("_configs"));
  return kinds.length > 0 ? ` (${kinds.join(", ")})` : "";
}

function scrapeDiff(a: Scrape | undefined, b: Scrape | undefined): string[] {
  const empty: Scrape = { jobs: new Map(), settings: {} };
  const x = a ?? empty;
  const y = b ?? empty;
  const out: string[] = [];
  const jobs = keyDiff(x.jobs, y.jobs);
  for (const k of jobs.added) {
    const t = y.jobs.get(k)?.targets ?? [];
    out.push(`added job ${code(k)}${t.length > 0 ? `: targets ${t.join(", ")}` : ""}`);
  }
  for (const k of jobs.removed) out.push(`removed job ${code(k)}`);
  for (const k of jobs.common) {
    const p = x.jobs.get(k);
    const q = y.jobs.get(k);
    if (!p || !q) continue;
    const changes: string[] = [];
    const added = q.targets.filter((t) => !p.targets.includes(t));
    const removed = p.targets.filter((t) => !q.targets.includes(t));
    if (added.length > 0) changes.push(`targets added ${added.join(", ")}`);
    if (removed.length > 0) changes.push(`targets removed ${removed.join(", ")}`);
    changes.push(...fieldChanges(p.settings, q.settings));
    if (changes.length > 0) out.push(`job ${code(k)}: ${changes.join("; ")}`);
  }
  for (const c of fieldChanges(x.settings, y.settings)) out.push(`setting ${c}`);
  return out;
}

function queryChanges(before: readonly string[], after: readonly string[]): string[] {
  if (sameValue(before, after)) return [];
  if (before.length === after.length) {
    return before.flatMap((q, i) => (q === after[i] ? [] : [`query ${code(q)} → ${code(after[i])}`]));
  }
  const added = after.filter((q) => !before.includes(q)).map((q) => `query added ${code(q)}`);
  const removed = before.filter((q) => !after.includes(q)).map((q) => `query removed ${code(q)}`);
  return [...added, ...removed];
}

function dashboardDiff(before: ReadonlyMap<string, Dashboard>, after: ReadonlyMap<string, Dashboard>): string[] {
  const out: string[] = [];
  const { added, removed, common } = keyDiff(before, after);
  for (const k of added) {
    const d = after.get(k) as Dashboard;
    out.push(`added dashboard ${code(d.title)} (uid ${d.uid}, ${d.panels.size} panels)`);
  }
  for (const k of removed) out.push(`removed dashboard ${code((before.get(k) as Dashboard).title)} (uid ${k})`);
  for (const k of common) {
    const a = before.get(k) as Dashboard;
    const b = after.get(k) as Dashboard;
    const name = `dashboard ${code(b.title)}`;
    if (a.title !== b.title) out.push(`${name}: title ${a.title} → ${b.title}`);
    const panels = keyDiff(a.panels, b.panels);
    for (const p of panels.added) {
      const panel = b.panels.get(p);
      const queries = panel?.queries ?? [];
      out.push(`${name}: added panel ${code(p)}${queries.length > 0 ? ` (${queries.map(code).join(", ")})` : ""}`);
    }
    for (const p of panels.removed) out.push(`${name}: removed panel ${code(p)}`);
    for (const p of panels.common) {
      const x = a.panels.get(p);
      const y = b.panels.get(p);
      if (!x || !y) continue;
      const changes = [
        ...defined([arrow("type", x.type, y.type)]),
        ...queryChanges(x.queries, y.queries),
        ...fieldChanges(x.settings, y.settings),
      ];
      if (changes.length > 0) out.push(`${name}: panel ${code(p)} ${changes.join("; ")}`);
    }
    const settings = Object.keys({ ...a.settings, ...b.settings }).filter((s) => !sameValue(a.settings[s], b.settings[s]));
    if (settings.length > 0) out.push(`${name}: ${settings.join(", ")} changed`);
  }
  return out;
}

function describeContainer(c: Container): string {
  const facts = defined([
    c.cpus ? `${c.cpus} CPU` : undefined,
    c.memoryMb !== undefined ? `${c.memoryMb} MB` : undefined,
    ...c.ports.map((p) => `port ${p}`),
  ]);
  return `${code(c.image)}${facts.length > 0 ? `, ${facts.join(", ")}` : ""}`;
}

function containerDiff(before: ReadonlyMap<string, Container>, after: ReadonlyMap<string, Container>): string[] {
  const out: string[] = [];
  const { added, removed, common } = keyDiff(before, after);
  for (const k of added) out.push(`added ${code(k)}: ${describeContainer(after.get(k) as Container)}`);
  for (const k of removed) out.push(`removed ${code(k)}`);
  for (const k of common) {
    const a = before.get(k) as Container;
    const b = after.get(k) as Container;
    const changes = defined([
      arrow("image", a.image, b.image),
      arrow("cpus", a.cpus, b.cpus),
      arrow("memory", a.memoryMb === undefined ? undefined : `${a.memoryMb} MB`, b.memoryMb === undefined ? undefined : `${b.memoryMb} MB`),
    ]);
    for (const p of b.ports.filter((x) => !a.ports.includes(x))) changes.push(`publishes ${p}`);
    for (const p of a.ports.filter((x) => !b.ports.includes(x))) changes.push(`no longer publishes ${p}`);
    changes.push(...fieldChanges(a.settings, b.settings));
    if (changes.length > 0) out.push(`${code(k)}: ${changes.join("; ")}`);
  }
  return out;
}

function firewallDiff(before: ReadonlyMap<string, readonly string[]>, after: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (const k of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(k) ?? [];
    const b = after.get(k) ?? [];
    for (const r of b.filter((x) => !a.includes(x))) out.push(`${code(k)}: added ${r}`);
    for (const r of a.filter((x) => !b.includes(x))) out.push(`${code(k)}: removed ${r}`);
  }
  return out;
}

function inputsDiff(before: ReadonlyMap<string, Obj>, after: ReadonlyMap<string, Obj>): string[] {
  const out: string[] = [];
  const { added, removed, common } = keyDiff(before, after);
  for (const k of added) out.push(`added ${code(k)}`);
  for (const k of removed) out.push(`removed ${code(k)}`);
  for (const k of common) {
    const changes = fieldChanges(before.get(k), after.get(k));
    if (changes.length > 0) out.push(`${code(k)}: ${changes.join("; ")}`);
  }
  return out;
}

function filesDiff(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  const { added, removed, common } = keyDiff(before, after);
  for (const k of added) out.push(`added ${code(k)}`);
  for (const k of removed) out.push(`removed ${code(k)}`);
  for (const k of common) {
    const a = before.get(k) as string;
    const b = after.get(k) as string;
    if (a !== b) out.push(`${code(k)} changed (${lineDelta(a, b)})`);
  }
  return out;
}

/** Every change between two renderings of one stack, by section; sections without changes are left out. */
export function diffStack(before: StackModel, after: StackModel): Section[] {
  const sections: Record<SectionTitle, string[]> = {
    // From the resources, not the models: scripts/lib/review/rollout.ts.
    Rollout: [],
    Alerts: rulesDiff(before, after, "alert"),
    "Recording rules": rulesDiff(before, after, "record"),
    Alertmanager: alertmanagerDiff(before.alertmanager, after.alertmanager),
    "Scrape jobs": scrapeDiff(before.scrape, after.scrape),
    Dashboards: dashboardDiff(before.dashboards, after.dashboards),
    Containers: containerDiff(before.containers, after.containers),
    "Security groups": firewallDiff(before.firewall, after.firewall),
    Buckets: inputsDiff(before.buckets, after.buckets),
    "Other files": filesDiff(before.files, after.files),
    "Other resources": inputsDiff(before.others, after.others),
  };
  return SECTIONS.map((title) => ({ title, lines: sections[title] })).filter((s) => s.lines.length > 0);
}
