// The numbers an alert compares against, read from its expression with the grammars Prometheus
// and Grafana ship (@prometheus-io/lezer-promql, @grafana/lezer-logql), and the thresholds its
// summary or description states in words. Used by tests/rules/thresholds.test.ts.
import { parser as promqlParser } from "@prometheus-io/lezer-promql";
import { parser as logqlParser } from "@grafana/lezer-logql";

/** The part of a lezer SyntaxNode used here (the two grammars may resolve different @lezer/common copies). */
interface SyntaxNode {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly firstChild: SyntaxNode | null;
  readonly nextSibling: SyntaxNode | null;
}

/** One number an alert's expression compares with. */
export interface ComparedNumber {
  /** Absolute value: `x < -0.05` is the same bound as `x > 0.05` on the other side of zero. */
  readonly value: number;
  /** The source text it was read from (`8 * 3600`, `2 * (…)`), for failure messages. */
  readonly text: string;
}

const COMPARISONS = new Set(["Gtr", "Lss", "Gte", "Lte", "Eql", "Neq"]);
const EQUALITY = new Set(["Eql", "Neq"]);
const ARITHMETIC: Readonly<Record<string, (a: number, b: number) => number>> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => a / b,
  Mod: (a, b) => a % b,
  Pow: (a, b) => a ** b,
};
/** Nodes between an operator and its operands that are not operands. */
const MODIFIERS = new Set(["MatchingModifierClause", "BoolModifier", "BinOpModifier"]);
/** Nodes that only wrap one expression (parentheses, LogQL's Expr/MetricExpr layers). */
const WRAPPERS = new Set(["ParenExpr", "Expr", "MetricExpr", "LiteralExpr"]);
const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

function children(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

/** A number literal's value: plain, scientific or a PromQL duration used as a number (`1h`). */
function literalValue(text: string): number | undefined {
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return Number(text);
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length > 0 && parts.map((p) => p[0]).join("") === text) {
    return parts.reduce((sum, p) => sum + Number(p[1]) * DURATION_UNITS[p[2]], 0);
  }
  return undefined;
}

function unwrap(n: SyntaxNode): SyntaxNode {
  let node = n;
  for (;;) {
    const kids = children(node);
    if (!WRAPPERS.has(node.name) || kids.length !== 1) return node;
    node = kids[0];
  }
}

/** Operator and operands of a binary expression node, or undefined for any other node. */
function binary(n: SyntaxNode): { op: string; left: SyntaxNode; right: SyntaxNode } | undefined {
  if (n.name !== "BinaryExpr" && n.name !== "BinOpExpr") return undefined;
  const kids = children(n).filter((c) => !MODIFIERS.has(c.name));
  if (kids.length !== 3) return undefined;
  return { left: kids[0], op: kids[1].name, right: kids[2] };
}

/** The value of a constant expression (literals, unary minus, arithmetic of constants), else undefined. */
function constant(n: SyntaxNode, text: string): number | undefined {
  const node = unwrap(n);
  const kids = children(node);
  if (node.name === "NumberDurationLiteral" || node.name === "Number") return literalValue(text.slice(node.from, node.to));
  // PromQL: UnaryExpr(UnaryOp, expr); LogQL: LiteralExpr(Sub, Number).
  if ((node.name === "UnaryExpr" || node.name === "LiteralExpr") && kids.length === 2) {
    const v = constant(kids[1], text);
    const sign = text.slice(kids[0].from, kids[0].to).trim();
    if (v === undefined) return undefined;
    return sign === "-" ? -v : v;
  }
  const b = binary(node);
  if (b && b.op in ARITHMETIC) {
    const l = constant(b.left, text);
    const r = constant(b.right, text);
    return l === undefined || r === undefined ? undefined : ARITHMETIC[b.op](l, r);
  }
  return undefined;
}

/**
 * Every threshold an expression compares with:
 * - a constant operand of a comparison (`> 0.05`, `> 8 * 3600`, `< -0.05`);
 * - a constant factor on the right of a comparison (`>= 2 * (x offset 10m)`, `> 0.1 * sum(…)`):
 *   a relative threshold; a factor on the left (`deriv(x[1h]) * 3600 > …`) converts units;
 * - the horizon of predict_linear (how far ahead a resource must not run out).
 * Comparisons with 0 ("any", "none", a direction) and equality tests (`up == 0`, a state) are
 * not thresholds and are skipped.
 */
export function comparedNumbers(expr: string, language: "promql" | "logql"): ComparedNumber[] {
  const tree = (language === "promql" ? promqlParser : logqlParser).parse(expr) as unknown as { topNode: SyntaxNode };
  const out: ComparedNumber[] = [];
  const add = (value: number | undefined, n: SyntaxNode) => {
    if (value === undefined || value === 0) return;
    out.push({ value: Math.abs(value), text: expr.slice(n.from, n.to).replace(/\s+/g, " ") });
  };
  const visit = (n: SyntaxNode) => {
    const b = binary(n);
    if (b && COMPARISONS.has(b.op) && !EQUALITY.has(b.op)) {
      add(constant(b.left, expr), b.left);
      add(constant(b.right, expr), b.right);
      const right = binary(unwrap(b.right));
      if (right && right.op === "Mul" && constant(b.right, expr) === undefined) {
        const factor = constant(right.left, expr) ?? constant(right.right, expr);
        add(factor, b.right);
      }
    }
    if (n.name === "FunctionCall" && /^predict_linear\s*\(/.test(expr.slice(n.from, n.to))) {
      const body = children(n).find((c) => c.name === "FunctionCallBody");
      const args = body ? children(body) : [];
      if (args.length === 2) add(constant(args[1], expr), args[1]);
    }
    for (const c of children(n)) visit(c);
  };
  visit(tree.topNode);
  return out;
}

/** One threshold stated in words, converted to the unit of the rule (ratios, seconds, counts). */
export interface StatedThreshold {
  readonly value: number;
  readonly phrase: string;
}

const PROSE_UNITS: Readonly<Record<string, number>> = {
  "%": 0.01,
  ms: 0.001,
  s: 1,
  h: 3600,
  k: 1000,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  minute: 60,
  minutes: 60,
  hour: 3600,
  hours: 3600,
  day: 86400,
  days: 86400,
  times: 1,
  "": 1,
};

/**
 * Thresholds a text states: a number right after "threshold", "more than", "less than", "above",
 * "below" or "within" ("(threshold 500ms)", "more than 90% of maxmemory", "within 14 days",
 * "above 100 MiB per hour", "more than 100,000"). Not counted: "for more than 2 minutes" (the
 * rule's `for:`), "more than 10 minutes ago" (how long a state has lasted), "above 0" (any) and
 * numbers inside {{ templates }}.
 */
export function statedThresholds(text: string): StatedThreshold[] {
  const plain = text.replace(/\{\{.*?\}\}/gs, "{{}}").replace(/\s+/g, " ");
  const re =
    /(?<!\bfor )\b(threshold|more than|less than|above|below|within) (\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?) ?(%|ms|s|h|k|[KMG]iB|minutes?|hours?|days?|times)?(?![\w%])( ago)?/gi;
  const out: StatedThreshold[] = [];
  for (const m of plain.matchAll(re)) {
    const value = Number(m[2].replace(/,/g, ""));
    if (m[4] || value === 0) continue;
    const unit = m[3] ?? "";
    out.push({ value: value * (PROSE_UNITS[unit] ?? PROSE_UNITS[unit.toLowerCase()]), phrase: m[0].trim() });
  }
  return out;
}

/** Equal up to floating-point noise (0.1 * 3 and 0.3, 15 % and 0.15). */
export function sameNumber(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}
