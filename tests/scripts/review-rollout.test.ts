// `npm run review` and `npm run render` on a stack file as a user with everything on has it:
// every receiver and integration enabled and every secret held as `secure:` (what
// `pulumi config set --secret` writes; nothing here can decrypt it). A temporary git repository
// holds a copy of the project whose only stack is that file; the second commit raises a critical
// alert's threshold (rule file and configs/thresholds.ts, as the thresholds test requires) and
// doubles the scrape interval. The review renders both commits without failing on the secrets,
// and its Rollout section says what the change restarts, where the alert goes and what the new
// interval does to timing.
import { ROOT, commitAll, copySources, editFile, sh } from "../helpers/project-copy";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { secureStackYaml } from "../helpers/stack-fixtures";
import { tempDir } from "../helpers/tools";

let repo: string;
let output: string;

const edit = (file: string, change: (text: string) => string) => editFile(repo, file, change);

const commit = (message: string) => commitAll(repo, message);

beforeAll(() => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), "review-rollout-"));
  copySources(repo);
  // One stack, the one with every secret encrypted: two program runs instead of four.
  fs.rmSync(path.join(repo, "Pulumi.dev.yaml"));
  fs.writeFileSync(path.join(repo, "Pulumi.prod.yaml"), secureStackYaml(path.join(ROOT, "Pulumi.prod.yaml")));
  sh("git", ["init", "-q", "-b", "main"], repo);
  fs.appendFileSync(path.join(repo, ".git", "info", "exclude"), "/node_modules\n");
  commit("base: a stack file with secure values");

  // One edit changes the threshold: the rule file reads it by name.
  edit("configs/thresholds.ts", (t) => t.replace(/(HighLatencyP99: \{\n(\s*\/\*\*.*\*\/\n)?\s*seconds: )1,/, "$12,"));
  edit("Pulumi.prod.yaml", (t) => `${t}  observability-stack:scrapeInterval: 30s\n`);
  commit("change: a critical threshold and the scrape interval");

  output = sh(process.execPath, ["-r", "ts-node/register", "scripts/review.ts", "HEAD~1"], repo);
  // The lead reads the output in the report of the change that added this test.
  if (process.env.SHOW_REVIEW) process.stdout.write(output);
}, 600_000);

afterAll(() => {
  if (repo) fs.rmSync(repo, { recursive: true, force: true });
});

test("renders both commits of a stack file with every secret encrypted, and shows the threshold", () => {
  expect(output).toContain("- `HighLatencyP99`: threshold 1 → 2");
  expect(output).not.toContain("credential is missing");
});

test("the Rollout section comes first and names the replaced containers with what changed for them", () => {
  const rollout = section("Rollout");
  expect(output.indexOf("### Rollout")).toBeLessThan(output.indexOf("### Alerts"));
  // New rule file and scrape interval: Prometheus; the dashboards colour from configs/thresholds.ts: Grafana.
  expect(rollout).toMatch(
    /^- `prometheus` is replaced \(stopped, removed, started again\) for files `\/etc\/prometheus\/prometheus\.yml`, `\/etc\/prometheus\/rules\/latency\.yml`: no scrapes/m,
  );
  expect(rollout).toMatch(/^- `grafana` is replaced \(stopped, removed, started again\) for files .*dashboards/m);
  // Nothing else restarts, and nothing that holds data is replaced.
  expect(rollout.match(/ is replaced /g)).toHaveLength(2);
  expect(rollout).not.toContain("Data-loss risk");
});

test("the changed alert's severity, route and worst-case time to notify, and the timing effects", () => {
  const rollout = section("Rollout");
  expect(rollout).toMatch(
    /^- `HighLatencyP99` is critical → receiver `critical` \(slack, pagerduty, email, webhook\); notifies at worst ≈ 5m55s after the condition starts \(scrape 30s \+ evaluation 15s \+ for 5m \+ group_wait 10s\), was 5m40s$/m,
  );
  expect(rollout).toContain("- scrape interval 15s → 30s: every alert's worst-case time to notify grows by 15s");
  expect(rollout).toContain("- evaluation interval 15s is below the scrape interval 30s");
});

test("npm run render writes the stack's files with its secrets redacted", () => {
  const dir = tempDir("render-secure");
  const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules/ts-node/dist/bin.js"), "scripts/render.ts", "prod", dir], {
    cwd: repo,
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const slack = fs
    .readdirSync(path.join(dir, "alertmanager"), { recursive: true, encoding: "utf8" })
    .find((f) => f.endsWith("slack_webhook_url"));
  expect(slack).toBeDefined();
  expect(fs.readFileSync(path.join(dir, "alertmanager", slack ?? ""), "utf8")).toContain("<secret: delivered by Pulumi at deploy time>");
}, 120_000);

function section(title: string): string {
  const start = output.indexOf(`### ${title}`);
  if (start < 0) throw new Error(`no ${title} section in:\n${output}`);
  const next = output.indexOf("\n### ", start + 4);
  return output.slice(start, next < 0 ? undefined : next);
}
