// The prod stack with an `ec2Discovery` fleet and no remote write, run as the program under
// mocks: discovery alone must give Prometheus (and only Prometheus) the instance role, with
// DescribeInstances as the one added action, and nothing of AMP.
import * as yaml from "js-yaml";
import { ProgramRun, RecordedResource, runProgram, uploadsOf } from "../../harness/mock-program";
import { promtoolCheckUploads } from "../helpers/tools";
import { ALL_SECRETS, FULL_PROD_CONFIG } from "../helpers/stack-fixtures";
import { LATENCY_BUCKET_RELABEL } from "../../configs/latency-buckets";

const CONTAINER = "docker:index/container:Container";
const FLEET = [{ name: "app-nodes", port: 9100, tags: { "observability:scrape": "node" } }];

let prog: ProgramRun;
let containers: Record<string, RecordedResource>;

beforeAll(async () => {
  prog = await runProgram({ stack: "prod", config: { ...FULL_PROD_CONFIG, ec2Discovery: FLEET }, secrets: ALL_SECRETS });
  containers = {};
  for (const c of prog.byType(CONTAINER)) containers[String(c.inputs.name)] = c;
});

test("the instance role gets DescribeInstances and nothing of AMP", () => {
  const policy = JSON.parse(String(prog.one("aws:iam/rolePolicy:RolePolicy", "host-ec2-discovery").inputs.policy)) as {
    Statement: unknown[];
  };
  expect(policy.Statement).toEqual([{ Sid: "PrometheusEc2Discovery", Effect: "Allow", Action: ["ec2:DescribeInstances"], Resource: "*" }]);
  const policies = prog.byType("aws:iam/rolePolicy:RolePolicy");
  expect(policies.map((p) => p.name)).not.toContain("host-amp");
  for (const p of policies)
    expect({ policy: p.name, aps: String(p.inputs.policy).includes("aps:") }).toEqual({ policy: p.name, aps: false });
  expect(prog.byType("aws:amp/workspace:Workspace")).toHaveLength(0);
  expect(prog.outputs.remoteWriteUrl).toBeUndefined();
});

test("Prometheus has the fixed address the metadata firewall lets through; Grafana does not", () => {
  const address = (name: string) => (containers[name].inputs.networksAdvanced as { ipv4Address?: string }[])[0].ipv4Address;
  expect(address("prometheus")).toBe("172.30.53.13");
  expect(address("grafana")).toBeUndefined();
  const envs = containers.grafana.inputs.envs as string[];
  expect(envs).not.toContain("GF_AUTH_SIGV4_AUTH_ENABLED=true");
  expect(envs.filter((e) => e.startsWith("GF_PLUGINS_PREINSTALL"))).toEqual([]);
});

test("prometheus.yml scrapes the fleet with the bucket allow-list and writes nowhere; promtool accepts it", () => {
  const files = uploadsOf(containers.prometheus);
  const doc = yaml.load(files["/etc/prometheus/prometheus.yml"]) as { remote_write?: unknown; scrape_configs: Record<string, unknown>[] };
  expect(doc.remote_write).toBeUndefined();
  const fleet = doc.scrape_configs.filter((j) => j.ec2_sd_configs);
  expect(fleet.map((j) => j.job_name)).toEqual(["app-nodes"]);
  expect(fleet[0].metric_relabel_configs).toEqual(LATENCY_BUCKET_RELABEL);
  const check = promtoolCheckUploads(files, "discovery-prometheus");
  expect(check.output).toContain("SUCCESS");
  expect(check.status).toBe(0);
});
