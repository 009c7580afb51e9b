// The GitHub workflows: schema-valid for the real validator (@action-validator/cli), and shaped
// so a hosted runner can run them and a pull request cannot reach prod without an approval.
// GitHub cannot run here; these are the properties that can be checked without it.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";

const ROOT = path.join(__dirname, "..", "..");
const DIR = path.join(ROOT, ".github", "workflows");
const VALIDATOR = path.join(ROOT, "node_modules", ".bin", "action-validator");
const FILES = fs
  .readdirSync(DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  "runs-on": string;
  environment?: string | { name: string; url?: string };
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  jobs: Record<string, Job>;
}

const text = (f: string): string => fs.readFileSync(path.join(DIR, f), "utf8");
const load = (f: string): Workflow => yaml.load(text(f)) as Workflow;
const envName = (j: Job): string | undefined => (typeof j.environment === "string" ? j.environment : j.environment?.name);
const allJobs = (): [string, string, Job][] =>
  FILES.flatMap((f) => Object.entries(load(f).jobs).map(([n, j]): [string, string, Job] => [f, n, j]));
const committedStacks = fs
  .readdirSync(ROOT)
  .flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? [])
  .sort();

test("there are the preview, deploy and end-to-end workflows", () => {
  expect(FILES).toEqual(["deploy.yml", "e2e.yml", "preview.yml"]);
});

describe("action-validator", () => {
  test.each(FILES)("%s passes the schema check", (f) => {
    const r = spawnSync(VALIDATOR, [path.join(DIR, f)], { encoding: "utf8", timeout: 60_000 });
    // action-validator 0.6 says it does not check `paths:` globs (e2e.yml's filter); nothing else may be said.
    const said = `${r.stdout}${r.stderr}`.replace(
      /^WARNING: Glob validation is not yet supported\. Glob at \/on\/pull_request\/paths will not be validated\.\n/m,
      "",
    );
    expect(said).toBe("");
    expect(r.status).toBe(0);
  });
  test("a workflow with a misspelt key fails it (the check can fail)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "obs-wf-"));
    // Under .github/workflows/: the validator picks the workflow schema by path.
    fs.mkdirSync(path.join(dir, ".github", "workflows"), { recursive: true });
    const bad = path.join(dir, ".github", "workflows", "bad.yml");
    fs.writeFileSync(bad, text("deploy.yml").replace("    steps:\n", "    stepz:\n"));
    const r = spawnSync(VALIDATOR, [bad], { encoding: "utf8", timeout: 60_000 });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toMatch(/"actionType": "workflow"[\s\S]*Additional property 'stepz' is not allowed/);
  });
});

test("every action is pinned to a full commit SHA with its version in a comment, the same SHA everywhere", () => {
  const pins = new Map<string, string>();
  for (const f of FILES) {
    for (const line of text(f)
      .split("\n")
      .filter((l) => /^\s*(-\s+)?uses:/.test(l))) {
      const m = /uses:\s*([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$/.exec(line);
      expect({ file: f, line, pinned: m !== null }).toEqual({ file: f, line, pinned: true });
      const key = `${m![1]}@${m![3]}`;
      expect(pins.get(key) ?? m![2]).toBe(m![2]);
      pins.set(key, m![2]);
    }
  }
  expect([...pins.keys()].sort()).toEqual([
    "actions/checkout@v7.0.1",
    "actions/setup-node@v7.0.0",
    "aws-actions/configure-aws-credentials@v6.2.3",
    "pulumi/actions@v7.0.0",
  ]);
});

test("hosted runners, Node 22, one install command, tools from verified release archives", () => {
  for (const [f, name, job] of allJobs()) {
    expect(`${f}:${name} ${job["runs-on"]}`).toBe(`${f}:${name} ubuntu-24.04`);
    for (const step of job.steps) {
      if (step.uses?.startsWith("actions/setup-node@")) expect(step.with?.["node-version"]).toBe(22);
      if (step.run && /\bnpm (ci|i|install)\b/.test(step.run)) expect(step.run).toBe("npm install --no-audit --no-fund");
    }
    if (job.steps.some((s) => s.run === "bash .ci/run")) expect(job.env?.TOOLS_SOURCE).toBe("upstream");
  }
  const ci = fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8");
  expect(ci).toContain("\nnpm install --no-audit --no-fund\n");
  for (const f of FILES) expect(text(f)).not.toMatch(/npm ci\b/);
  expect(ci).not.toMatch(/^npm ci\b/m);
});

test("no ${{ }} expression inside a run script (values reach scripts through env)", () => {
  for (const [f, name, job] of allJobs()) {
    for (const step of job.steps)
      if (step.run) expect({ f, name, run: step.run }).toEqual({ f, name, run: expect.not.stringContaining("${{") });
  }
});

test("credentials only inside environments; prod's only behind production(-preview); pull requests never get production", () => {
  for (const [f, name, job] of allJobs()) {
    const raw = JSON.stringify(job);
    const usesSecrets = /secrets\./.test(raw);
    const assumesRole = job.permissions?.["id-token"] === "write" || /vars\.AWS_ROLE_ARN/.test(raw);
    if (usesSecrets) expect({ f, name, environment: envName(job) }).toEqual({ f, name, environment: expect.any(String) });
    if (assumesRole)
      expect({ f, name, environment: envName(job) }).toEqual({ f, name, environment: expect.stringMatching(/^production(-preview)?$/) });
    if (Object.keys(load(f).on).includes("pull_request")) expect(envName(job)).not.toBe("production");
  }
  for (const f of FILES) expect(load(f).permissions).toEqual({ contents: "read" });
});

describe("preview.yml", () => {
  const wf = load("preview.yml");
  test("runs on pull requests; tests first; previews only for branches of this repository", () => {
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    expect(Object.keys(wf.jobs).sort()).toEqual(["preview-dev", "preview-prod", "review", "test"]);
    expect(wf.jobs.test.steps.map((s) => s.run).filter(Boolean)).toEqual(["bash .ci/run"]);
    for (const j of ["preview-dev", "preview-prod"]) {
      expect(wf.jobs[j].needs).toBe("test");
      expect(wf.jobs[j].if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
      expect(wf.jobs[j].permissions).toMatchObject({ "pull-requests": "write" });
    }
    expect(envName(wf.jobs["preview-dev"])).toBe("preview");
    expect(envName(wf.jobs["preview-prod"])).toBe("production-preview");
    expect(wf.jobs["preview-dev"].permissions?.["id-token"]).toBeUndefined();
  });
  test("every committed stack is previewed with the policy pack, the diff posted on the pull request", () => {
    const steps = Object.values(wf.jobs).flatMap((j) => j.steps.filter((s) => s.uses?.startsWith("pulumi/actions@")));
    expect(steps.map((s) => s.with?.["stack-name"]).sort()).toEqual(committedStacks);
    for (const s of steps) {
      expect(s.with).toMatchObject({
        command: "preview",
        policyPacks: "policy",
        "comment-on-pr": true,
        "edit-pr-comment": true,
        upsert: true,
        diff: true,
      });
    }
  });
  test("the review summary of `npm run review -- <base>` is posted as one comment updated in place", () => {
    const review = wf.jobs.review;
    expect(review.steps.find((s) => s.uses?.startsWith("actions/checkout@"))?.with).toEqual({ "fetch-depth": 0 });
    const summary = review.steps.find((s) => s.run?.includes("npm run --silent review"));
    expect(summary?.env).toEqual({ BASE_SHA: "${{ github.event.pull_request.base.sha }}" });
    expect(summary?.run).toContain('npm run --silent review -- "$BASE_SHA" >review.md');
    const post = review.steps.find((s) => s.run?.startsWith("bash scripts/pr-comment.sh"));
    expect(post?.run).toBe("bash scripts/pr-comment.sh observability-stack-review review-comment.md");
    expect(post?.env).toMatchObject({ GH_TOKEN: "${{ github.token }}", PR_NUMBER: "${{ github.event.pull_request.number }}" });
    expect(review.permissions).toEqual({ contents: "read", "pull-requests": "write" });
  });
});

describe("deploy.yml", () => {
  const wf = load("deploy.yml");
  const deploy = wf.jobs.deploy;
  test("runs on pushes to main, one at a time, never cancelled", () => {
    expect(wf.on).toEqual({ push: { branches: ["main"] } });
    expect(wf.concurrency).toEqual({ group: "deploy-prod", "cancel-in-progress": false });
    expect(deploy.needs).toBe("test");
  });
  test("pulumi up of prod in the production environment, with the preview's role and the SSH key in an agent", () => {
    expect(envName(deploy)).toBe("production");
    expect(deploy.permissions).toEqual({ contents: "read", "id-token": "write" });
    const role = (j: Job) => j.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))?.with?.["role-to-assume"];
    expect(role(deploy)).toBe("${{ vars.AWS_ROLE_ARN }}");
    expect(role(deploy)).toBe(role(load("preview.yml").jobs["preview-prod"]));
    const agent = deploy.steps.find((s) => s.run?.includes("ssh-agent"));
    expect(agent?.env).toEqual({ SSH_PRIVATE_KEY: "${{ secrets.SSH_PRIVATE_KEY }}" });
    expect(agent?.run).toContain('echo "SSH_AUTH_SOCK=$sock" >>"$GITHUB_ENV"');
    const up = deploy.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
    expect(up?.with).toMatchObject({ command: "up", "stack-name": "prod", policyPacks: "policy" });
    // The agent must be loaded before pulumi up runs.
    expect(deploy.steps.indexOf(agent!)).toBeLessThan(deploy.steps.indexOf(up!));
  });
});

test("the Pulumi CLI version the actions install is the one the npm launcher in the lockfile runs", () => {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, { version: string }>;
  };
  const launcher = lock.packages["node_modules/pulumi"].version;
  const versions = allJobs().flatMap(([, , j]) =>
    j.steps.filter((s) => s.uses?.startsWith("pulumi/actions@")).map((s) => s.with?.["pulumi-version"]),
  );
  expect(versions.length).toBe(3);
  for (const v of versions) expect(v).toBe(launcher);
});

describe("e2e.yml", () => {
  const wf = load("e2e.yml");
  const job = wf.jobs.e2e;
  const runs = job.steps.map((s) => s.run ?? "");
  const at = (needle: string) => runs.findIndex((r) => r.includes(needle));
  test("on pull requests touching the program, and on demand", () => {
    expect(Object.keys(wf.on).sort()).toEqual(["pull_request", "workflow_dispatch"]);
    const paths = (wf.on.pull_request as { paths: string[] }).paths;
    for (const p of ["index.ts", "components/**", "configs/**", "rules/**", "dashboards/**", "Pulumi.dev.yaml", "package-lock.json"])
      expect(paths).toContain(p);
  });
  test("local backend; the webhook secret set to the sink before deploy; deploy, doctor --notify, the sink asserted, destroy always", () => {
    expect(job.env?.PULUMI_BACKEND_URL).toMatch(/^file:\/\//);
    expect(job.env?.PULUMI_CONFIG_PASSPHRASE).toEqual(expect.any(String));
    expect(runs[at("config set --stack dev --secret observability-stack:webhookUrl")]).toContain('"http://$SINK:8080/alerts"');
    const order = [
      at('docker run -d --name "$SINK"'),
      at("observability-stack:webhookUrl"),
      at("npm run deploy -- dev --yes"),
      at('docker network connect observability "$SINK"'),
      at("npm run doctor -- dev --notify"),
      at("DoctorTestNotification"),
      at("pulumi destroy --stack dev --yes"),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const destroy = job.steps[at("pulumi destroy")];
    expect(destroy.if).toBe("always()");
    // The sink leaves the stack network first, or Docker refuses to remove the network.
    expect(destroy.run!.indexOf("docker rm -f")).toBeLessThan(destroy.run!.indexOf("pulumi destroy"));
  });
  test("Docker Hub login only when the token secret is set, the token on stdin", () => {
    const login = job.steps[at("docker login")];
    expect(login.env).toEqual({ DOCKERHUB_USERNAME: "${{ vars.DOCKERHUB_USERNAME }}", DOCKERHUB_TOKEN: "${{ secrets.DOCKERHUB_TOKEN }}" });
    expect(login.run).toContain('if [ -n "$DOCKERHUB_TOKEN" ]');
    expect(login.run).toContain("--password-stdin");
  });
});
