// `npm run review -- HEAD~1` end to end: a temporary git repository holds a copy of the project
// (node_modules symlinked) in two commits, and the summary of the second names exactly the four
// changes made in it. The first commit has no review script at all, so this also shows that a
// ref older than the script renders (its sources run under this checkout's mocks).
// One review run renders four programs (dev and prod at both commits), so all the changes share
// one commit and one run.
import { copySources, editFile, sh } from "../helpers/project-copy";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";

let repo: string;
let output: string;

const edit = (file: string, change: (text: string) => string) => editFile(repo, file, change);

interface RuleFile {
  groups: { name: string; rules: Record<string, unknown>[] }[];
}

beforeAll(() => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), "review-repo-"));
  copySources(repo);
  // The base commit predates the review script.
  const later = ["scripts/review.ts", "scripts/lib/review"];
  const stash = fs.mkdtempSync(path.join(os.tmpdir(), "review-later-"));
  for (const p of later) fs.renameSync(path.join(repo, p), path.join(stash, path.basename(p)));
  sh("git", ["init", "-q", "-b", "main"], repo);
  fs.appendFileSync(path.join(repo, ".git", "info", "exclude"), "/node_modules\n");
  sh("git", ["add", "-A"], repo);
  sh("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "base"], repo);
  for (const p of later) fs.renameSync(path.join(stash, path.basename(p)), path.join(repo, p));
  fs.rmSync(stash, { recursive: true, force: true });

  // 1. A threshold (its named value: the rule file reads it) and its `for:`; 2. a new alert (rule
  // files are data: edit them as YAML).
  edit("configs/thresholds.ts", (text) => text.replace(/(HighLatencyP95: \{\n(\s*\/\*\*.*\*\/\n)?\s*seconds: )0\.5,/, "$10.8,"));
  edit("rules/latency.yml", (text) => {
    const doc = yaml.load(text) as RuleFile;
    const rules = doc.groups.flatMap((g) => g.rules);
    const p95 = rules.find((r) => r.alert === "HighLatencyP95");
    if (!p95) return text;
    p95.for = "10m";
    doc.groups[doc.groups.length - 1].rules.push({
      alert: "HighLatencyP50",
      expr: 'service_quantile:http_request_duration_seconds:histogram_quantile_rate5m{quantile="0.5"} > 0.3',
      for: "15m",
      labels: { severity: "info" },
      annotations: {
        summary: "High median latency",
        description: "{{ $labels.service }}",
        runbook_url: "https://example.com/runbooks.md#highlatencyp50",
      },
    });
    return yaml.dump(doc, { lineWidth: -1 });
  });
  // 3. A dashboard panel removed from the dashboards' code.
  edit("dashboards/service.ts", (text) => text.replace(/\n\s*heatmapPanel\(\s*"Latency distribution",[\s\S]*?\n {4}\),/, ""));
  // 4. A route's timing.
  edit("configs/alertmanager.ts", (text) => text.replace(/(heartbeat: \{[^}]*repeat_interval: )"1m"/, '$1"2m"'));
  sh("git", ["add", "-A"], repo);
  sh("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "change"], repo);

  output = sh(process.execPath, ["-r", "ts-node/register", "scripts/review.ts", "HEAD~1"], repo);
}, 600_000);

afterAll(() => {
  if (repo) fs.rmSync(repo, { recursive: true, force: true });
});

test("names exactly the threshold change, the new alert, the removed panel and the route change, in both stacks, and what rolling them out restarts", () => {
  expect(output).toBe(
    [
      "## Observability stack changes since `HEAD~1`",
      "",
      "Stacks dev, prod rendered under mocks at `HEAD~1` and at this change.",
      "",
      "### Rollout",
      "",
      "- `alertmanager` is replaced (stopped, removed, started again) for files `/etc/alertmanager/alertmanager.yml`: no notifications until it is up again (alerts Prometheus sends meanwhile are retried)",
      "- `grafana` is replaced (stopped, removed, started again) for files `/etc/grafana/dashboards/Overview/overview.json`, `/etc/grafana/dashboards/Service/service.json`: the UI is unavailable for the restart",
      "- `prometheus` is replaced (stopped, removed, started again) for files `/etc/prometheus/rules/latency.yml`: no scrapes and no rule evaluation until it is up again (a gap in every graph; alerts wait)",
      "- `HighLatencyP95` is warning → receiver `default` (no integration: nobody is notified); notifies at worst ≈ 11m after the condition starts (scrape 15s + evaluation 15s + for 10m + group_wait 30s), was 6m",
      "- `HighLatencyP50` is info → receiver `default` (no integration: nobody is notified); notifies at worst ≈ 16m after the condition starts (scrape 15s + evaluation 15s + for 15m + group_wait 30s)",
      "",
      "### Alerts",
      "",
      '- added `HighLatencyP50` (info, for 15m): `service_quantile:http_request_duration_seconds:histogram_quantile_rate5m{quantile="0.5"} > 0.3`',
      // The named threshold also states itself in the description and colours its panels.
      "- `HighLatencyP95`: threshold 0.5 → 0.8; for 5m → 10m; description changed",
      "",
      "### Alertmanager",
      "",
      '- route `alertname="Watchdog"`: repeat_interval 1m → 2m',
      "",
      "### Dashboards",
      "",
      "- dashboard `Overview`: panel `p95 latency` fieldConfig.defaults.thresholds.steps[1].value 0.5 → 0.8",
      "- dashboard `Overview`: panel `Services` fieldConfig.overrides[4].properties[1].value.steps[1].value 0.5 → 0.8",
      "- dashboard `Overview`: panel `p95 latency by service` fieldConfig.defaults.thresholds.steps[1].value 0.5 → 0.8",
      "- dashboard `Service`: removed panel `Latency distribution`",
      "- dashboard `Service`: panel `Latency percentiles` fieldConfig.defaults.thresholds.steps[1].value 0.5 → 0.8",
      "- dashboard `Service`: panel `Slowest 10 endpoints (p95)` fieldConfig.overrides[0].properties[1].value.steps[1].value 0.5 → 0.8",
      "",
    ].join("\n"),
  );
});

test("refuses a ref that is not a commit, naming it, before anything renders", () => {
  let message = "";
  try {
    sh(process.execPath, ["-r", "ts-node/register", "scripts/review.ts", "no-such-ref"], repo);
  } catch (e) {
    message = String((e as { stderr?: string }).stderr);
  }
  expect(message).toContain("review: no-such-ref is not a commit in this repository");
});
