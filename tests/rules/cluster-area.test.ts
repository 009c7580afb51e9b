// The rule area of the redundant pair (rules/cluster.yml): loaded only on the pair, and its
// PairMemberUnreachable watches exactly the jobs Prometheus labels with `member` there, so a
// service added to a member's own scrape jobs cannot be left out of "every service is down".
import * as path from "node:path";
import * as yaml from "js-yaml";
import { dockerEndpoints, Endpoints } from "../../catalog/containers";
import { MEMBER_LABEL, PAIR_MEMBERS } from "../../configs/cluster";
import { scrapeConfigs } from "../../configs/prometheus";
import { COMMITTED_RUNBOOK_BASE, RULES_DIR, ruleAreas, renderRuleFiles } from "../../configs/rules";
import { ALERT_THRESHOLDS } from "../../integrations";
import { readRuleFile } from "../../harness/alert-catalogue";

const CLUSTER_FILE = path.join(RULES_DIR, "cluster.yml");
const opts = { runbookBaseUrl: COMMITTED_RUNBOOK_BASE, thresholds: ALERT_THRESHOLDS };

/** Every endpoint of one member at a private address (what the pair's Prometheus scrapes). */
function memberEndpoints(ip: string): Endpoints {
  return Object.fromEntries(Object.entries(dockerEndpoints()).map(([k, hostPort]) => [k, `${ip}:${hostPort.split(":")[1]}`])) as Endpoints;
}

test("the cluster area is loaded on the pair only", () => {
  const files = (cluster?: boolean) => ruleAreas({ integrationAreas: [], backup: false, cluster }).map((a) => a.file);
  expect(files(true)).toContain(CLUSTER_FILE);
  expect(files(false)).not.toContain(CLUSTER_FILE);
  expect(files(undefined)).not.toContain(CLUSTER_FILE);
  expect(Object.keys(renderRuleFiles({ integrationAreas: [], backup: false, cluster: true }, opts))).toContain("cluster.yml");
  expect(Object.keys(renderRuleFiles({ integrationAreas: [], backup: false }, opts))).not.toContain("cluster.yml");
});

test("PairMemberUnreachable selects exactly the jobs the pair's Prometheus labels with member", () => {
  const jobs = scrapeConfigs({
    scrapeInterval: "15s",
    evaluationInterval: "15s",
    endpoints: dockerEndpoints(),
    services: [{ name: "api", targets: ["api:8080"], metricsPath: "/metrics", scheme: "http", labels: { [MEMBER_LABEL]: "x" } }],
    integrationJobs: [],
    ruleFiles: [],
    pair: { members: PAIR_MEMBERS.map((member, i) => ({ member, endpoints: memberEndpoints(`10.0.${i + 1}.10`) })) },
  })
    .filter((j) => (j.static_configs ?? []).some((s) => s.labels?.[MEMBER_LABEL] !== undefined && s.labels.tier === undefined))
    .map((j) => j.job_name);
  expect(jobs).toHaveLength(7);

  const rule = readRuleFile(CLUSTER_FILE)
    .groups.flatMap((g) => g.rules)
    .find((r) => r.alert === "PairMemberUnreachable")!;
  const selectors = [...rule.expr.matchAll(/up\{job=~"([^"]+)", member=~"\.\+"\}/g)].map((m) => m[1].split("|").sort());
  // Both sides of the comparison, each naming every own service of a member and nothing else
  // (an application service may carry a `member` label of its own).
  expect(selectors).toEqual([[...jobs].sort(), [...jobs].sort()]);
});

test("the pair's alerts name their member, and only PairMemberUnreachable reads the replica's external label", () => {
  const rules = (
    yaml.load(renderRuleFiles({ integrationAreas: [], backup: false, cluster: true }, opts)["cluster.yml"]) as {
      groups: { rules: { alert: string; expr: string; annotations: Record<string, string> }[] }[];
    }
  ).groups.flatMap((g) => g.rules);
  expect(rules.map((r) => r.alert)).toEqual(["PairMemberUnreachable", "AlertmanagerMembersInconsistent", "AlertmanagerClusterFailedPeers"]);
  for (const r of rules)
    expect({ alert: r.alert, member: r.annotations.description.includes("$labels.member") }).toEqual({ alert: r.alert, member: true });
  // Both replicas evaluate the other two: an annotation that differs between the replicas' copies
  // of one alert would flip with every resend.
  const replica = rules.filter((r) => r.annotations.description.includes("__replica__")).map((r) => r.alert);
  expect(replica).toEqual(["PairMemberUnreachable"]);
});
