// Which rule files a stack loads, and how they are rendered on the way: each alert's `${name}`
// placeholders get its named thresholds (configs/threshold-text.ts) and the runbook links point at
// the stack's own runbook base. The files in rules/ stay the reviewed source; everything that reads
// rules (Prometheus, Loki, promtool, the docs, the tests) reads them rendered.
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { durationSeconds } from "./prometheus";
import { AlertThresholds, fillThresholds } from "./threshold-text";

const ROOT = path.join(__dirname, "..");
export const RULES_DIR = path.join(ROOT, "rules");
export const LOKI_RULES_DIR = path.join(RULES_DIR, "loki");

/** The base every committed runbook_url starts with. */
export const COMMITTED_RUNBOOK_BASE = "https://github.com/observability-stack/observability-stack/blob/main/docs/runbooks.md";

/** Areas loaded on every stack, in load order. */
export const CORE_RULE_AREAS = [
  "meta",
  "service-health",
  "errors",
  "latency",
  "resources",
  "system",
  "prometheus",
  "alertmanager",
  "loki",
  "log-agent",
] as const;

/**
 * Core areas that only make sense with their feature on; loading them otherwise fires "down"
 * alerts. An integration's rule file is loaded only with the integration on (integrations/).
 */
export const OPTIONAL_RULE_AREAS = {
  backup: (i: RuleSelection) => i.backup,
  "remote-write": (i: RuleSelection) => i.remoteWrite === true,
  cluster: (i: RuleSelection) => i.cluster === true,
} as const;

/** A rule file and the name it is loaded under (`<area>.yml`). */
export interface RuleArea {
  readonly area: string;
  /** Absolute path of the reviewed source file. */
  readonly file: string;
}

export interface RuleSelection {
  /** The enabled integrations' rule files, loaded after the core areas and before the optional ones. */
  readonly integrationAreas: readonly RuleArea[];
  readonly backup: boolean;
  /** Whether prometheus.yml has a `remote_write` queue (the `remoteWrite` setting). */
  readonly remoteWrite?: boolean;
  /**
   * Whether the stack is the redundant pair (the `highAvailability` setting): the `cluster` area
   * watches Alertmanager's gossip and each member's view of the other. On one host its metrics
   * and `member` labels do not exist.
   */
  readonly cluster?: boolean;
}

/** The core area's rule file in rules/. */
export function coreRuleArea(area: string): RuleArea {
  return { area, file: path.join(RULES_DIR, `${area}.yml`) };
}

export function ruleAreas(sel: RuleSelection): RuleArea[] {
  const optional = Object.entries(OPTIONAL_RULE_AREAS)
    .filter(([, enabled]) => enabled(sel))
    .map(([area]) => coreRuleArea(area));
  return [...CORE_RULE_AREAS.map(coreRuleArea), ...sel.integrationAreas, ...optional];
}

export interface RuleRenderOptions {
  readonly runbookBaseUrl: string;
  /**
   * Every alert's named thresholds (integrations/index.ts ALERT_THRESHOLDS: core and
   * integrations'), filled into the placeholders of its expression and annotations.
   */
  readonly thresholds: AlertThresholds;
  /**
   * Divides every `for:` by this factor. Only the live test uses it, to see a 10m alert in
   * seconds; deployed stacks always render with 1.
   */
  readonly timeScale?: number;
}

interface RuleGroupFile {
  groups: { name: string; interval?: string; rules: Record<string, unknown>[] }[];
}

/** Fills one rule's placeholders; a recording rule has no named thresholds, so any is an error. */
function fillRule(rule: Record<string, unknown>, thresholds: AlertThresholds, source: string): void {
  const alert = typeof rule.alert === "string" ? rule.alert : undefined;
  const named = alert === undefined ? undefined : thresholds[alert];
  const where = (field: string) => `${source}: ${alert ? `alert ${alert}` : `recording rule ${String(rule.record)}`} ${field}`;
  if (typeof rule.expr === "string") rule.expr = fillThresholds(rule.expr, named, where("expr"));
  const annotations = rule.annotations as Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    if (typeof v === "string") annotations![k] = fillThresholds(v, named, where(`annotations.${k}`));
  }
}

/** One rule file rendered; `source` names it in errors (e.g. rules/system.yml). */
export function renderRuleFile(text: string, opts: RuleRenderOptions, source = "rule file"): string {
  const doc = yaml.load(text) as RuleGroupFile;
  const scale = opts.timeScale ?? 1;
  for (const group of doc.groups) {
    for (const rule of group.rules) {
      fillRule(rule, opts.thresholds, source);
      const annotations = rule.annotations as Record<string, string> | undefined;
      const url = annotations?.runbook_url;
      if (annotations && typeof url === "string" && url.startsWith(COMMITTED_RUNBOOK_BASE)) {
        annotations.runbook_url = opts.runbookBaseUrl + url.slice(COMMITTED_RUNBOOK_BASE.length);
      }
      if (scale !== 1 && typeof rule.for === "string") {
        rule.for = `${Math.max(1, Math.round((durationSeconds(rule.for) / scale) * 1000))}ms`;
      }
    }
  }
  return yaml.dump(doc, { lineWidth: -1, noRefs: true });
}

/** File name → rendered content, for the areas this stack loads. */
export function renderRuleFiles(sel: RuleSelection, opts: RuleRenderOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { area, file } of ruleAreas(sel))
    out[`${area}.yml`] = renderRuleFile(fs.readFileSync(file, "utf8"), opts, path.relative(ROOT, file));
  return out;
}

/** Loki ruler files (LogQL), all loaded: they only need the log agent, which is always on. */
export function renderLokiRuleFiles(opts: RuleRenderOptions): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(LOKI_RULES_DIR)) return out;
  for (const file of fs
    .readdirSync(LOKI_RULES_DIR)
    .filter((f) => f.endsWith(".yml"))
    .sort()) {
    const source = path.join(LOKI_RULES_DIR, file);
    out[file] = renderRuleFile(fs.readFileSync(source, "utf8"), opts, path.relative(ROOT, source));
  }
  return out;
}
