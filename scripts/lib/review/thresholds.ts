// The numbers an alert compares against, found with the grammars Prometheus and Grafana ship for
// their query editors, so a review can say "threshold 0.5 → 0.8" instead of showing two long
// expressions that differ in one literal.
import { parser as promqlParser } from "@prometheus-io/lezer-promql";
import { parser as logqlParser } from "@grafana/lezer-logql";

/** The part of a lezer syntax node used here (the two grammars may resolve different @lezer/common copies). */
interface Node {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly parent: Node | null;
  readonly prevSibling: Node | null;
  readonly nextSibling: Node | null;
}

interface Tree {
  iterate(spec: { enter(node: { name: string; node: Node }): void }): void;
}

/** Comparison operators in both grammars (PromQL BinaryExpr, LogQL BinOpExpr). */
const COMPARISONS = new Set(["Gtr", "Lss", "Gte", "Lte", "Eql", "Neq"]);
const BINARY = new Set(["BinaryExpr", "BinOpExpr"]);
const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
/** Constant arithmetic of numbers (`8 * 3600`, `(1 - 0.999)`): still a threshold, shown as written. */
const CONSTANT = /^[-+\d.eE*/%^()\s]+$/;

export type QueryLanguage = "promql" | "logql";

export interface Thresholds {
  /** The compared numbers, in order of appearance, as written. */
  readonly values: string[];
  /** The expression with each compared number replaced by `$threshold` and whitespace collapsed. */
  readonly template: string;
}

/** Collapses whitespace so a reformatted expression compares equal to the original. */
export function normalizeExpr(expr: string): string {
  return expr.replace(/\s+/g, " ").replace(/\( /g, "(").replace(/ \)/g, ")").trim();
}

function numericText(text: string, node: Node): string | undefined {
  const written = text.slice(node.from, node.to);
  const bare = written.replace(/[()\s]/g, "");
  if (NUMBER.test(bare)) return bare;
  return CONSTANT.test(written) && /\d/.test(written) ? normalizeExpr(written) : undefined;
}

/**
 * The numbers an expression compares with (`x > 0.5`, `0.5 < x`, `x > bool 1`). Numbers inside
 * functions (`histogram_quantile(0.95, …)`) or arithmetic (`3 * y`) are not thresholds and stay
 * in the template.
 */
export function thresholds(expr: string, language: QueryLanguage = "promql"): Thresholds {
  const tree = (language === "promql" ? promqlParser.parse(expr) : logqlParser.parse(expr)) as unknown as Tree;
  const spans: { from: number; to: number; value: string }[] = [];
  tree.iterate({
    enter({ name, node }) {
      if (!COMPARISONS.has(name) || !node.parent || !BINARY.has(node.parent.name)) return;
      let rhs = node.nextSibling;
      while (rhs && (rhs.name.endsWith("Modifier") || rhs.name === "MatchingModifierClause")) rhs = rhs.nextSibling;
      for (const side of [node.prevSibling, rhs]) {
        const value = side ? numericText(expr, side) : undefined;
        if (side && value !== undefined) spans.push({ from: side.from, to: side.to, value });
      }
    },
  });
  spans.sort((a, b) => a.from - b.from);
  let template = "";
  let at = 0;
  for (const s of spans) {
    template += `${expr.slice(at, s.from)}$threshold`;
    at = s.to;
  }
  template += expr.slice(at);
  return { values: spans.map((s) => s.value), template: normalizeExpr(template) };
}
