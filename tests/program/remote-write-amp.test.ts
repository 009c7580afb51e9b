// The prod stack with `remoteWrite: amp` and an `ec2Discovery` fleet, run as the program under
// mocks: the AMP workspace, instance-role statements scoped to its ARN (and DescribeInstances
// for discovery), prometheus.yml writing to it with SigV4 and scraping the fleet (checked by the
// real promtool), Grafana's AMP-plugin datasource and the plugin's pinned install, the Stack
// health queue panels and the output.
import * as yaml from "js-yaml";
import { ProgramRun, RecordedResource, runProgram, uploadsOf } from "../../harness/mock-program";
import { promtoolCheckUploads } from "../helpers/tools";
import { ALL_SECRETS, FULL_PROD_CONFIG } from "../helpers/stack-fixtures";
import { AMP_QUERY_ACTIONS, AMP_WRITE_ACTIONS } from "../../configs/aws-policies";
import { AMP_DATASOURCE_PLUGIN, GRAFANA_DATASOURCES_PATH } from "../../configs/grafana";

const CONTAINER = "docker:index/container:Container";
const WORKSPACE_ARN = "arn:aws:aps:eu-west-1:123456789012:workspace/ws-0mock";
const ENDPOINT = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0mock/";
const FLEET = [
  { name: "app-nodes", port: 9100, tags: { "observability:scrape": "node" } },
  { name: "app-services", port: 8080, tags: { "observability:scrape": "app", team: "*" } },
];

let prog: ProgramRun;
let containers: Record<string, RecordedResource>;

beforeAll(async () => {
  prog = await runProgram({
    stack: "prod",
    config: { ...FULL_PROD_CONFIG, remoteWrite: "amp", remoteWriteExpectedSeries: 400000, ec2Discovery: FLEET },
    secrets: ALL_SECRETS,
  });
  containers = {};
  for (const c of prog.byType(CONTAINER)) containers[String(c.inputs.name)] = c;
});

interface Statement {
  Sid: string;
  Effect: string;
  Action: string[];
  Resource: string | string[];
}

function statements(name: string): Statement[] {
  return (JSON.parse(String(prog.one("aws:iam/rolePolicy:RolePolicy", name).inputs.policy)) as { Statement: Statement[] }).Statement;
}

test("creates one AMP workspace, named after the stack, with the stack's region provider", () => {
  const ws = prog.byType("aws:amp/workspace:Workspace");
  expect(ws).toHaveLength(1);
  expect(ws[0].inputs.alias).toBe("observability-prod");
  expect(ws[0].provider).toMatch(/amp-aws/);
  const provider = prog.one("pulumi:providers:aws", "amp-aws");
  expect(provider.inputs.region).toBe(prog.one("pulumi:providers:aws", "host-aws").inputs.region);
});

test("the instance role may write to and query exactly that workspace, and only list instances", () => {
  const amp = statements("host-amp");
  expect(amp).toEqual([
    { Sid: "PrometheusRemoteWrite", Effect: "Allow", Action: [...AMP_WRITE_ACTIONS], Resource: [WORKSPACE_ARN] },
    { Sid: "GrafanaQuery", Effect: "Allow", Action: [...AMP_QUERY_ACTIONS], Resource: [WORKSPACE_ARN] },
  ]);
  expect(statements("host-ec2-discovery")).toEqual([
    { Sid: "PrometheusEc2Discovery", Effect: "Allow", Action: ["ec2:DescribeInstances"], Resource: "*" },
  ]);
  // Both are on the host's one role, and the instance waits for them.
  const role = prog.byType("aws:iam/role:Role")[0].name;
  for (const p of ["host-amp", "host-ec2-discovery"]) expect(prog.one("aws:iam/rolePolicy:RolePolicy", p).inputs.role).toBe(role);
});

test("prometheus.yml writes to the workspace with SigV4 and scrapes the fleet; promtool accepts it", () => {
  const files = uploadsOf(containers.prometheus);
  const doc = yaml.load(files["/etc/prometheus/prometheus.yml"]) as {
    remote_write: Record<string, unknown>[];
    scrape_configs: { job_name: string; ec2_sd_configs?: Record<string, unknown>[] }[];
  };
  expect(doc.remote_write).toHaveLength(1);
  expect(doc.remote_write[0]).toMatchObject({ url: `${ENDPOINT}api/v1/remote_write`, name: "amp", sigv4: { region: "eu-west-1" } });
  // 400k series every 15s: 26.7k samples/s, 4000 per shard.
  expect(doc.remote_write[0].queue_config).toMatchObject({ min_shards: 7, max_shards: 27 });
  const fleet = doc.scrape_configs.filter((j) => j.ec2_sd_configs);
  expect(fleet.map((j) => j.job_name)).toEqual(["app-nodes", "app-services"]);
  expect(fleet[1].ec2_sd_configs?.[0]).toMatchObject({
    region: "eu-west-1",
    port: 8080,
    filters: [
      { name: "instance-state-name", values: ["running"] },
      { name: "tag:observability:scrape", values: ["app"] },
      { name: "tag-key", values: ["team"] },
    ],
  });
  expect(Object.keys(files)).toContain("/etc/prometheus/rules/remote-write.yml");
  const check = promtoolCheckUploads(files, "amp-prometheus");
  expect(check.output).toContain("SUCCESS");
  expect(check.status).toBe(0);
});

test("Grafana gets the workspace as a second datasource, of the AMP plugin's type, signed by the instance role", () => {
  const files = uploadsOf(containers.grafana);
  const ds = (yaml.load(files[GRAFANA_DATASOURCES_PATH]) as { datasources: Record<string, unknown>[] }).datasources;
  expect(ds.find((d) => d.isDefault)?.uid).toBe("prometheus");
  expect(ds.find((d) => d.uid === "amp")).toMatchObject({
    type: "grafana-amazonprometheus-datasource",
    access: "proxy",
    // The workspace endpoint: the datasource appends api/v1/query itself.
    url: ENDPOINT,
    isDefault: false,
    jsonData: { httpMethod: "POST", sigV4Auth: true, sigV4AuthType: "default", sigV4Region: "eu-west-1", sigv4Service: "aps" },
  });
  // Only the local Prometheus is of the core type; it has no SigV4 settings.
  expect(ds.filter((d) => d.type === "prometheus").map((d) => d.uid)).toEqual(["prometheus"]);
  const health = Object.entries(files).find(([p]) => p.endsWith("stack-health.json"));
  expect(health?.[1]).toContain("Remote write lag");
});

test("Grafana installs the AMP plugin, pinned, before it starts, and its data proxy may sign with SigV4", () => {
  const envs = containers.grafana.inputs.envs as string[];
  expect(envs).toContain(`GF_PLUGINS_PREINSTALL_SYNC=grafana-amazonprometheus-datasource@${AMP_DATASOURCE_PLUGIN.version}`);
  expect(AMP_DATASOURCE_PLUGIN.version).toMatch(/^\d+\.\d+\.\d+$/);
  expect(envs).toContain("GF_AUTH_SIGV4_AUTH_ENABLED=true");
  expect(envs.filter((e) => /^GF_(INSTALL_PLUGINS|PLUGINS_PREINSTALL)=/.test(e))).toEqual([]);
  // The plugin lands in the data volume (/var/lib/grafana/plugins), which the grafana user writes.
  expect(
    (containers.grafana.inputs.volumes as { containerPath: string; readOnly: boolean }[]).find(
      (v) => v.containerPath === "/var/lib/grafana",
    ),
  ).toMatchObject({
    readOnly: false,
  });
  expect(containers.grafana.inputs.readOnly).toBe(false);
});

test("exports the remote-write URL", () => {
  expect(prog.outputs.remoteWriteUrl).toEqual({ value: `${ENDPOINT}api/v1/remote_write`, secret: false });
});

test("Prometheus and Grafana get the fixed addresses the metadata firewall lets reach the instance role", () => {
  const address = (name: string) =>
    (prog.byType(CONTAINER).find((c) => c.inputs.name === name)?.inputs.networksAdvanced as { ipv4Address?: string }[])[0].ipv4Address;
  expect(address("prometheus")).toBe("172.30.53.13");
  expect(address("grafana")).toBe("172.30.53.14");
  const userData = String(prog.byType("aws:ec2/instance:Instance")[0].inputs.userData);
  for (const a of ["172.30.53.13", "172.30.53.14"]) expect(userData).toContain(`-A OBS-METADATA-NEXT -i obs0 -s ${a}/32 -j RETURN`);
});
