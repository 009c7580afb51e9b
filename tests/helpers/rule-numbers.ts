// The numbers an alert compares against (constant operands of comparisons, relative factors,
// predict_linear horizons) and the thresholds its summary or description states in words. Used
// by tests/rules/thresholds.test.ts; the expression reading is shared with the review summary.
import {
  COMPARISONS,
  EQUALITY,
  QueryLanguage,
  SyntaxNode,
  binary,
  children,
  comparedConstants,
  constant,
  parseQuery,
  unwrap,
} from "../../scripts/lib/compared-numbers";

/** One number an alert's expression compares with. */
export interface ComparedNumber {
  /** Absolute value: `x < -0.05` is the same bound as `x > 0.05` on the other side of zero. */
  readonly value: number;
  /** The source text it was read from (`8 * 3600`, `2 * (…)`), for failure messages. */
  readonly text: string;
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
export function comparedNumbers(expr: string, language: QueryLanguage): ComparedNumber[] {
  const out: (ComparedNumber & { readonly at: number })[] = [];
  const add = (value: number | undefined, n: { from: number; to: number }) => {
    if (value === undefined || value === 0) return;
    out.push({ value: Math.abs(value), text: expr.slice(n.from, n.to).replace(/\s+/g, " "), at: n.from });
  };
  for (const c of comparedConstants(expr, language)) if (!EQUALITY.has(c.op)) add(c.value, c);
  const visit = (n: SyntaxNode) => {
    const b = binary(n);
    if (b && COMPARISONS.has(b.op) && !EQUALITY.has(b.op)) {
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
  visit(parseQuery(expr, language));
  // In order of appearance, as written.
  return out.sort((a, b) => a.at - b.at).map(({ value, text }) => ({ value, text }));
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
