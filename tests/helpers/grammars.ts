// Syntax checks with the grammars Prometheus and Grafana ship for their query editors
// (@prometheus-io/lezer-promql, @grafana/lezer-logql). The parsers never throw: a tree that
// holds an error node is a syntax error. Shared by the rule and the dashboard tests.
import { parser as promqlParser } from "@prometheus-io/lezer-promql";
import { parser as logqlParser } from "@grafana/lezer-logql";

/** The part of a lezer Tree used here (the two grammars may resolve different @lezer/common copies). */
interface ParseTree {
  iterate(spec: { enter(node: { type: { isError: boolean }; from: number; to: number }): void }): void;
}

function errorsIn(tree: ParseTree, text: string): string[] {
  if (text.trim() === "") return ["empty expression"];
  const errors: string[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        const from = Math.max(0, node.from - 20);
        errors.push(`syntax error at ${node.from}: …${text.slice(from, node.to + 20)}…`);
      }
    },
  });
  return errors;
}

/** Syntax errors in a PromQL expression; empty when it parses. */
export function promqlSyntaxErrors(expr: string): string[] {
  return errorsIn(promqlParser.parse(expr), expr);
}

/** Syntax errors in a LogQL expression; empty when it parses. */
export function logqlSyntaxErrors(expr: string): string[] {
  return errorsIn(logqlParser.parse(expr), expr);
}
