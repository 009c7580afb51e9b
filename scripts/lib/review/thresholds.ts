// The numbers an alert compares against, so a review can say "threshold 0.5 → 0.8" instead of
// showing two long expressions that differ in one literal. The expression is read by the shared
// reader of compared numbers (scripts/lib/compared-numbers.ts).
import { QueryLanguage, comparedConstants } from "../compared-numbers";

export type { QueryLanguage };

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

/** A plain number without its parentheses (`(1e3)` → `1e3`); constant arithmetic as written. */
function asWritten(text: string): string {
  const bare = text.replace(/[()\s]/g, "");
  return /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(bare) ? bare : normalizeExpr(text);
}

/**
 * The numbers an expression compares with (`x > 0.5`, `0.5 < x`, `x > bool 1`, `age > 8 * 3600`).
 * Numbers inside functions (`histogram_quantile(0.95, …)`) or arithmetic with a series (`3 * y`)
 * are not thresholds and stay in the template.
 */
export function thresholds(expr: string, language: QueryLanguage = "promql"): Thresholds {
  const spans = comparedConstants(expr, language);
  let template = "";
  let at = 0;
  for (const s of spans) {
    template += `${expr.slice(at, s.from)}$threshold`;
    at = s.to;
  }
  template += expr.slice(at);
  return { values: spans.map((s) => asWritten(expr.slice(s.from, s.to))), template: normalizeExpr(template) };
}
