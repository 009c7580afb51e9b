// The pull-request workflow: tests first, then a `pulumi preview` per committed stack posted as a
// PR comment. GitHub cannot run here, so its shape is checked against what pulumi/actions needs.
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

const ROOT = path.join(__dirname, "..", "..");

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  permissions?: Record<string, string>;
  strategy?: { matrix?: { stack?: string[] } };
  steps: Step[];
}
const wf = yaml.load(fs.readFileSync(path.join(ROOT, ".github", "workflows", "preview.yml"), "utf8")) as {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
};

test("runs on pull requests, with read-only rights except where the comment is written", () => {
  expect(Object.keys(wf.on)).toEqual(["pull_request"]);
  expect(wf.permissions).toEqual({ contents: "read" });
  expect(wf.jobs.preview.permissions).toMatchObject({ "pull-requests": "write" });
});

test("the tests run first, through the same entry point as CI", () => {
  expect(wf.jobs.test.steps.some((s) => s.run === "bash .ci/run")).toBe(true);
  expect(wf.jobs.preview.needs).toBe("test");
});

test("every committed stack is previewed, and the diff is posted on the pull request", () => {
  const committed = fs
    .readdirSync(ROOT)
    .flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? [])
    .sort();
  expect(wf.jobs.preview.strategy?.matrix?.stack?.slice().sort()).toEqual(committed);
  const step = wf.jobs.preview.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
  expect(step?.uses).toBe("pulumi/actions@v7");
  expect(step?.with).toMatchObject({ command: "preview", "stack-name": "${{ matrix.stack }}", "comment-on-pr": true, upsert: true });
});
