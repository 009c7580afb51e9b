// Every rule file, rendered with its named thresholds as a stack loads it, passes `promtool check
// rules`, every test file `promtool test rules` against the rendered files, and a deliberately
// wrong expectation makes promtool fail (so these tests can fail).
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { allAreas } from "../../harness/alert-catalogue";
import { run, tempDir } from "../helpers/tools";
import { ROOT } from "../helpers/rule-files";
import { writeRenderedRules } from "../helpers/rendered-rules";

const rendered = writeRenderedRules(tempDir("rendered-rules"), allAreas());

test.each(rendered.map((r) => [path.relative(ROOT, r.area.file), r] as const))("promtool check rules %s (rendered)", (_f, r) => {
  const out = run("promtool", ["check", "rules", r.file]);
  expect(out.output).toContain("SUCCESS");
  expect(out.status).toBe(0);
});

test.each(rendered.map((r) => [path.relative(ROOT, r.area.test), r] as const))("promtool test rules %s", (_f, r) => {
  const out = run("promtool", ["test", "rules", path.basename(r.test)], path.dirname(r.test));
  if (out.status !== 0) console.error(out.output);
  expect(out.status).toBe(0);
  expect(out.output).toContain("SUCCESS");
});

test("promtool fails a test whose expected labels are wrong", () => {
  const r = rendered.find((x) => x.area.area === "service-health")!;
  const doc = yaml.load(fs.readFileSync(r.test, "utf8")) as {
    rule_files: string[];
    tests: { alert_rule_test?: { exp_alerts: { exp_labels: Record<string, string> }[] }[] }[];
  };
  doc.rule_files = doc.rule_files.map((f) => path.resolve(path.dirname(r.test), f));
  const firing = doc.tests.flatMap((t) => t.alert_rule_test ?? []).find((c) => c.exp_alerts.length > 0)!;
  firing.exp_alerts[0].exp_labels.severity = "mutated";
  const mutated = path.join(tempDir("mutated-rules"), "mutated.test.yml");
  fs.writeFileSync(mutated, yaml.dump(doc));
  const out = run("promtool", ["test", "rules", mutated]);
  expect(out.status).not.toBe(0);
});

test("the repository's rule files hold placeholders promtool cannot read: the tests above need the rendered copies", () => {
  const redis = rendered.find((r) => r.area.file.endsWith("redis.rules.yml"))!;
  expect(fs.readFileSync(redis.area.file, "utf8")).toContain("${usedRatio}");
  expect(fs.readFileSync(redis.file, "utf8")).not.toContain("${");
  expect(fs.readFileSync(redis.file, "utf8")).toContain("> 0.9\n");
  const raw = run("promtool", ["check", "rules", redis.area.file]);
  expect(raw.status).not.toBe(0);
});
