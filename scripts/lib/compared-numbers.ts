// The numbers a PromQL or LogQL expression compares with, read with the grammars Prometheus and
// Grafana ship for their query editors (@prometheus-io/lezer-promql, @grafana/lezer-logql).
// One reader serves the threshold tests (tests/rules) and the review summary (scripts/review).
import { parser as promqlParser } from "@prometheus-io/lezer-promql";
import { parser as logqlParser } from "@grafana/lezer-logql";

export type QueryLanguage = "promql" | "logql";

/** The part of a lezer SyntaxNode used here (the two grammars may resolve different @lezer/common copies). */
export interface SyntaxNode {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly firstChild: SyntaxNode | null;
  readonly nextSibling: SyntaxNode | null;
}

export const COMPARISONS = new Set(["Gtr", "Lss", "Gte", "Lte", "Eql", "Neq"]);
export const EQUALITY = new Set(["Eql", "Neq"]);
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

export function children(n: SyntaxNode): SyntaxNode[] {
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

export function unwrap(n: SyntaxNode): SyntaxNode {
  let node = n;
  for (;;) {
    const kids = children(node);
    if (!WRAPPERS.has(node.name) || kids.length !== 1) return node;
    node = kids[0];
  }
}

/** Operator and operands of a binary expression node, or undefined for any other node. */
export function binary(n: SyntaxNode): { op: string; left: SyntaxNode; right: SyntaxNode } | undefined {
  if (n.name !== "BinaryExpr" && n.name !== "BinOpExpr") return undefined;
  const kids = children(n).filter((c) => !MODIFIERS.has(c.name));
  if (kids.length !== 3) return undefined;
  return { left: kids[0], op: kids[1].name, right: kids[2] };
}

/** The value of a constant expression (literals, unary minus, arithmetic of constants), else undefined. */
export function constant(n: SyntaxNode, text: string): number | undefined {
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

export function parseQuery(expr: string, language: QueryLanguage): SyntaxNode {
  return ((language === "promql" ? promqlParser : logqlParser).parse(expr) as unknown as { topNode: SyntaxNode }).topNode;
}

/** A constant operand of a comparison: `0.5` in `x > 0.5`, `8 * 3600` in `age > 8 * 3600`. */
export interface ComparedConstant {
  /** The comparison operator's node name (Gtr, Lss, Gte, Lte, Eql, Neq). */
  readonly op: string;
  readonly value: number;
  /** Where it is written in the expression. */
  readonly from: number;
  readonly to: number;
}

/** Every constant operand of every comparison in the expression, in order of appearance. */
export function comparedConstants(expr: string, language: QueryLanguage): ComparedConstant[] {
  const out: ComparedConstant[] = [];
  const visit = (n: SyntaxNode) => {
    const b = binary(n);
    if (b && COMPARISONS.has(b.op)) {
      for (const side of [b.left, b.right]) {
        const value = constant(side, expr);
        if (value !== undefined) out.push({ op: b.op, value, from: side.from, to: side.to });
      }
    }
    for (const c of children(n)) visit(c);
  };
  visit(parseQuery(expr, language));
  return out.sort((a, b) => a.from - b.from);
}
