// promtool reads files, and the rule files in the repository hold `${name}` placeholders: the
// promtool tests run on a copy of the tree where each rule file is rendered (as the stack renders
// it) under its own name and each test file sits where it sits in the repository, so its
// `rule_files: [../x.yml]` or `[x.rules.yml]` resolves to the rendered file. A test's expected
// annotations state thresholds as the rule's own annotations do, with `${name}` placeholders of the
// alert under test, filled here with the same values: a threshold stays one edit.
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { AlertThresholds, fillThresholds } from "../../configs/threshold-text";
import { ALERT_THRESHOLDS } from "../../integrations";
import { TestedRuleArea } from "../../harness/alert-catalogue";
import { ROOT, renderRepositoryRuleFile } from "./rule-files";

/** A rule area's rendered rule file and its test, in a temporary tree. */
export interface RenderedArea {
  readonly area: TestedRuleArea;
  /** Absolute path of the rendered rule file. */
  readonly file: string;
  /** Absolute path of the copied promtool test file. */
  readonly test: string;
}

interface PromtoolTestFile {
  tests?: { alert_rule_test?: { alertname: string; exp_alerts?: { exp_annotations?: Record<string, unknown> }[] }[] }[];
}

/** A promtool test file with the placeholders of its expected annotations filled from `thresholds`. */
export function renderPromtoolTest(text: string, thresholds: AlertThresholds, source: string): string {
  const doc = yaml.load(text) as PromtoolTestFile;
  for (const [i, t] of (doc.tests ?? []).entries()) {
    for (const c of t.alert_rule_test ?? []) {
      for (const a of c.exp_alerts ?? []) {
        for (const [k, v] of Object.entries(a.exp_annotations ?? {})) {
          if (typeof v === "string")
            a.exp_annotations![k] = fillThresholds(
              v,
              thresholds[c.alertname],
              `${source}: tests[${i}] ${c.alertname} exp_annotations.${k}`,
            );
        }
      }
    }
  }
  return yaml.dump(doc, { lineWidth: -1, noRefs: true });
}

/** Writes the areas' rendered rule files and their tests under `dir` at their repository paths. */
export function writeRenderedRules(
  dir: string,
  areas: readonly TestedRuleArea[],
  thresholds: AlertThresholds = ALERT_THRESHOLDS,
): RenderedArea[] {
  return areas.map((area) => {
    const relFile = path.relative(ROOT, area.file);
    const relTest = path.relative(ROOT, area.test);
    const file = path.join(dir, relFile);
    const test = path.join(dir, relTest);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.mkdirSync(path.dirname(test), { recursive: true });
    fs.writeFileSync(file, renderRepositoryRuleFile(relFile, thresholds));
    fs.writeFileSync(test, renderPromtoolTest(fs.readFileSync(area.test, "utf8"), thresholds, relTest));
    return { area, file, test };
  });
}
