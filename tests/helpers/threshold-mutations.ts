// Mutation runs for the promtool tests' edges: an alert's rule rendered with one named threshold
// moved (raised or lowered by a factor), next to its own test cases only, so that promtool can
// show whether its tests hold a case on each side of the threshold. Used by
// tests/rules/threshold-edges.test.ts.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { AlertThresholds } from "../../configs/threshold-text";
import { TestedRuleArea } from "../../harness/alert-catalogue";
import { writeRenderedRules } from "./rendered-rules";
import { tool } from "./tools";

export interface Mutation {
  /** `Alert.name raised` or `Alert.name lowered`. */
  readonly label: string;
  readonly alert: string;
  /** The mutated test file (its rule file beside it, as in the repository). */
  readonly test: string;
}

interface TestGroup {
  name?: string;
  alert_rule_test?: { alertname: string }[];
  promql_expr_test?: unknown;
}

/**
 * For every alert of the area with named thresholds, and each of them, two mutations: the value
 * times `factor` and divided by it. The rule file keeps its recording rules and that alert only;
 * the test file keeps the groups that test that alert, named `[m<index>] …` so promtool's failure
 * report says which mutation failed. Expected annotations get the mutated value too, so only
 * whether the alert fires can make promtool fail.
 */
export function writeMutations(
  dir: string,
  area: TestedRuleArea,
  alerts: readonly string[],
  thresholds: AlertThresholds,
  factor: number,
  first: number,
): Mutation[] {
  const out: Mutation[] = [];
  for (const alert of alerts) {
    for (const [name, value] of Object.entries(thresholds[alert] ?? {})) {
      for (const [direction, moved] of [
        ["raised", value * factor],
        ["lowered", value / factor],
      ] as const) {
        const index = first + out.length;
        const mutated = { ...thresholds, [alert]: { ...thresholds[alert], [name]: moved } };
        const [r] = writeRenderedRules(path.join(dir, `m${index}`), [area], mutated);
        const rules = yaml.load(fs.readFileSync(r.file, "utf8")) as { groups: { rules: { alert?: string }[] }[] };
        for (const g of rules.groups) g.rules = g.rules.filter((x) => x.alert === undefined || x.alert === alert);
        rules.groups = rules.groups.filter((g) => g.rules.length > 0);
        fs.writeFileSync(r.file, yaml.dump(rules, { lineWidth: -1, noRefs: true }));
        const test = yaml.load(fs.readFileSync(r.test, "utf8")) as { tests: TestGroup[] };
        test.tests = test.tests
          .filter((g) => (g.alert_rule_test ?? []).some((c) => c.alertname === alert))
          .map(({ promql_expr_test: _dropped, ...g }) => ({
            ...g,
            name: `[m${index}] ${g.name ?? ""}`,
            alert_rule_test: g.alert_rule_test!.filter((c) => c.alertname === alert),
          }));
        fs.writeFileSync(r.test, yaml.dump(test, { lineWidth: -1, noRefs: true }));
        out.push({ label: `${alert}.${name} ${direction}`, alert, test: r.test });
      }
    }
  }
  return out;
}

/** Runs `promtool test rules` on the files in one process; resolves with stdout and stderr together. */
function promtoolTest(files: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool("promtool"), ["test", "rules", ...files], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`promtool test rules did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", () => {
      clearTimeout(timer);
      resolve(output);
    });
  });
}

/**
 * The labels of the mutations promtool did NOT fail, running them in `processes` promtool
 * processes side by side. Throws when promtool reports something that is not a test failure.
 */
export async function survivingMutations(mutations: readonly Mutation[], processes: number, timeoutMs: number): Promise<string[]> {
  const parts = Array.from({ length: processes }, (_, p) => mutations.filter((_m, i) => i % processes === p).map((m) => m.test));
  const outputs = await Promise.all(parts.filter((p) => p.length > 0).map((files) => promtoolTest(files, timeoutMs)));
  const text = outputs.join("\n");
  const failed = new Set([...text.matchAll(/name: \[m(\d+)\]/g)].map((m) => Number(m[1])));
  // Every file ends in SUCCESS or in failures naming its groups; anything else (a file promtool
  // could not load) would pass for a surviving mutation, so it stops the run.
  const succeeded = [...text.matchAll(/^\s*SUCCESS\s*$/gm)].length;
  if (succeeded + failed.size !== mutations.length) {
    throw new Error(
      `promtool reported ${succeeded} successes and ${failed.size} failing mutations for ${mutations.length} files:\n${text.slice(0, 3000)}`,
    );
  }
  return mutations.filter((_m, i) => !failed.has(i)).map((m) => m.label);
}
