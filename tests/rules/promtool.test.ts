// Every rule file passes `promtool check rules`, every test file `promtool test rules`, and a
// deliberately wrong expectation makes promtool fail (so these tests can fail).
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { RULES_DIR } from "../../configs/rules";
import { allAreas } from "../../harness/alert-catalogue";
import { run, tempDir } from "../helpers/tools";
import { ROOT } from "../helpers/rule-files";

const areas = allAreas();

test.each(areas.map((a) => [path.relative(ROOT, a.file), a] as const))("promtool check rules %s", (_f, a) => {
  const r = run("promtool", ["check", "rules", a.file]);
  expect(r.output).toContain("SUCCESS");
  expect(r.status).toBe(0);
});

test.each(areas.map((a) => [path.relative(ROOT, a.test), a] as const))("promtool test rules %s", (_f, a) => {
  const r = run("promtool", ["test", "rules", path.basename(a.test)], path.dirname(a.test));
  if (r.status !== 0) console.error(r.output);
  expect(r.status).toBe(0);
  expect(r.output).toContain("SUCCESS");
});

test("promtool fails a test whose expected labels are wrong", () => {
  const dir = tempDir("mutated-rules");
  const testFile = path.join(RULES_DIR, "tests", "service-health.test.yml");
  const doc = yaml.load(fs.readFileSync(testFile, "utf8")) as {
    rule_files: string[];
    tests: { alert_rule_test?: { exp_alerts: { exp_labels: Record<string, string> }[] }[] }[];
  };
  doc.rule_files = doc.rule_files.map((f) => path.resolve(path.dirname(testFile), f));
  const firing = doc.tests.flatMap((t) => t.alert_rule_test ?? []).find((c) => c.exp_alerts.length > 0)!;
  firing.exp_alerts[0].exp_labels.severity = "mutated";
  const mutated = path.join(dir, "mutated.test.yml");
  fs.writeFileSync(mutated, yaml.dump(doc));
  const r = run("promtool", ["test", "rules", mutated]);
  expect(r.status).not.toBe(0);
});
