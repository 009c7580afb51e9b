// LIVE: the rendered relabelling on the real Prometheus (.tools/bin), on 127.0.0.1.
//
// - EC2 discovery: the rendered `ec2_sd_configs` jobs, with their discovery swapped for
//   `file_sd_configs` whose targets carry the `__meta_ec2_*` labels EC2 discovery produces
//   (running and stopped instances, with and without a Name tag, with and without the
//   service/tier tags, a service tag alone; a node fleet and an application fleet). Everything
//   else in the jobs (relabel_configs, metric_relabel_configs) is as rendered; the discovered
//   hosts serve an application's metrics.
// - Application services, listed and discovered: the latency bucket allow-list (le 0.1 to 2.5
//   and +Inf) applied to a histogram with prom-client's default buckets and to one with a
//   custom layout.
// - cAdvisor: the rendered `cadvisor` job (metric_relabel_configs) scraping a cAdvisor-like
//   exposition with a named container carrying the Docker label service, one without it, the
//   root cgroup and the system slices (no name), and machine_* metrics; the resource rules
//   (rules/resources.yml, as deployed) then record per-container series with `service`.
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { Endpoints, NETWORK_COMPONENTS } from "../../catalog/containers";
import { Ec2DiscoveryJob } from "../../configs/ec2-discovery";
import { renderPrometheusConfig } from "../../configs/prometheus";
import { renderRuleFile, RULES_DIR } from "../../configs/rules";
import { ALERT_THRESHOLDS } from "../../integrations";
import {
  EXPOSITION_CONTENT_TYPE,
  ManagedProcess,
  PrometheusApi,
  freePort,
  httpJson,
  makeTempDir,
  toolPath,
  waitFor,
} from "../../harness/processes";

const JOB: Ec2DiscoveryJob = { name: "app-nodes", port: 9100, tags: { "observability:scrape": "node" } };
/** A fleet that selects by the service tag: an application job. */
const APP_JOB: Ec2DiscoveryJob = { name: "checkout", port: 8080, tags: { "observability:scrape": "app", service: "checkout" } };

/** What EC2 discovery would hand over for four instances, plus the address of a fake exporter. */
function ec2Targets(address: string, job: Ec2DiscoveryJob): { targets: string[]; labels: Record<string, string> }[] {
  const instance = (id: string, state: string, ip: string, tags: Record<string, string>) => ({
    targets: [address],
    labels: {
      __meta_ec2_instance_id: id,
      __meta_ec2_instance_state: state,
      __meta_ec2_private_ip: ip,
      __meta_ec2_availability_zone: "eu-west-1a",
      __meta_ec2_instance_type: "t3.small",
      // The job's tag filter matched these: EC2 discovery exposes every tag of the instance.
      __meta_ec2_tag_observability_scrape: job.tags["observability:scrape"],
      ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`__meta_ec2_tag_${k}`, v])),
    },
  });
  if (job === APP_JOB) {
    return [
      instance("i-0fff", "running", "10.0.2.10", { Name: "checkout-2", service: "checkout" }),
      instance("i-0ggg", "running", "10.0.2.11", { Name: "checkout-3", service: "checkout", tier: "canary" }),
    ];
  }
  return [
    instance("i-0aaa", "running", "10.0.1.10", { Name: "web-1", service: "shop", tier: "frontend" }),
    instance("i-0bbb", "running", "10.0.1.11", {}),
    instance("i-0ccc", "stopped", "10.0.1.12", { Name: "old-1", service: "shop" }),
    instance("i-0ddd", "stopping", "10.0.1.13", {}),
    instance("i-0eee", "running", "10.0.1.14", { Name: "checkout-1", service: "checkout" }),
  ];
}

const CADVISOR_BODY = [
  "# TYPE container_cpu_usage_seconds_total counter",
  'container_cpu_usage_seconds_total{cpu="total",id="/",image="",name=""} 5000',
  'container_cpu_usage_seconds_total{cpu="total",id="/system.slice/docker.service",image="",name=""} 300',
  'container_cpu_usage_seconds_total{container_label_service="shop",cpu="total",id="/system.slice/docker-a1.scope",image="shop:1",name="shop-1"} 120',
  'container_cpu_usage_seconds_total{cpu="total",id="/system.slice/docker-b1.scope",image="redis:7",name="redis"} 40',
  "# TYPE container_memory_working_set_bytes gauge",
  'container_memory_working_set_bytes{id="/",image="",name=""} 8e9',
  'container_memory_working_set_bytes{container_label_service="shop",id="/system.slice/docker-a1.scope",image="shop:1",name="shop-1"} 2e8',
  'container_memory_working_set_bytes{id="/system.slice/docker-b1.scope",image="redis:7",name="redis"} 5e7',
  "# TYPE machine_cpu_cores gauge",
  "machine_cpu_cores 2",
  "# TYPE machine_memory_bytes gauge",
  "machine_memory_bytes 8e9",
  "",
].join("\n");

/** prom-client's default buckets on one route, a custom layout on another. */
const DEFAULT_LE = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"];
const CUSTOM_LE = ["0.075", "0.2", "0.3", "1.5", "2.75", "3", "25", "+Inf"];
const APP_BODY = [
  "# TYPE http_request_duration_seconds histogram",
  ...DEFAULT_LE.map((le, i) => `http_request_duration_seconds_bucket{route="/a",le="${le}"} ${i + 1}`),
  'http_request_duration_seconds_sum{route="/a"} 3',
  'http_request_duration_seconds_count{route="/a"} 12',
  ...CUSTOM_LE.map((le, i) => `http_request_duration_seconds_bucket{route="/b",le="${le}"} ${i + 1}`),
  'http_request_duration_seconds_sum{route="/b"} 2',
  'http_request_duration_seconds_count{route="/b"} 8',
  "",
].join("\n");

let dir: string;
let server: http.Server;
let prometheus: ManagedProcess;
let prom: PrometheusApi;

beforeAll(async () => {
  dir = makeTempDir("live-relabel");
  server = http.createServer((req, res) => {
    const body =
      req.url === "/cadvisor/metrics" ? CADVISOR_BODY : req.url === "/app/metrics" ? APP_BODY : "# TYPE node_load1 gauge\nnode_load1 0.5\n";
    res.writeHead(200, { "content-type": EXPOSITION_CONTENT_TYPE }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const exporter = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const promAddr = `127.0.0.1:${await freePort()}`;

  // Only Prometheus itself and the fake cAdvisor are real; the other stack jobs stay down.
  const closed = `127.0.0.1:${await freePort()}`;
  const endpoints = Object.fromEntries(NETWORK_COMPONENTS.map((k) => [k, closed])) as Record<keyof Endpoints, string>;
  endpoints.prometheus = promAddr;
  endpoints.cadvisor = exporter;
  const rulesFile = path.join(dir, "resources.yml");
  fs.writeFileSync(
    rulesFile,
    renderRuleFile(fs.readFileSync(path.join(RULES_DIR, "resources.yml"), "utf8"), {
      runbookBaseUrl: "http://127.0.0.1/runbooks.md",
      thresholds: ALERT_THRESHOLDS,
    }),
  );
  const rendered = yaml.load(
    renderPrometheusConfig({
      scrapeInterval: "1s",
      evaluationInterval: "1s",
      endpoints,
      services: [{ name: "shop", targets: [exporter], metricsPath: "/app/metrics", scheme: "http", labels: {} }],
      integrationJobs: [],
      ruleFiles: [rulesFile],
      components: { grafana: false, loki: false, alloy: false, cadvisor: true },
      ec2Discovery: { region: "eu-west-1", jobs: [JOB, APP_JOB] },
    }),
  ) as { scrape_configs: Record<string, unknown>[] };

  // The cAdvisor job as rendered, with the fake exporter's path.
  const cadvisor = rendered.scrape_configs.find((j) => j.job_name === "cadvisor");
  if (!cadvisor) throw new Error("no cadvisor job rendered");
  cadvisor.metrics_path = "/cadvisor/metrics";
  // The EC2 jobs as rendered, discovering from a file instead of the EC2 API.
  for (const job of [JOB, APP_JOB]) {
    const ec2 = rendered.scrape_configs.find((j) => j.job_name === job.name);
    if (!ec2 || !Array.isArray(ec2.ec2_sd_configs)) throw new Error(`no ec2_sd_configs job ${job.name} rendered`);
    const sdFile = path.join(dir, `ec2-targets-${job.name}.json`);
    fs.writeFileSync(sdFile, JSON.stringify(ec2Targets(exporter, job)));
    delete ec2.ec2_sd_configs;
    ec2.file_sd_configs = [{ files: [sdFile] }];
    // The discovered hosts serve the application's histogram: their buckets are filtered too.
    ec2.metrics_path = "/app/metrics";
  }

  const config = path.join(dir, "prometheus.yml");
  fs.writeFileSync(config, yaml.dump(rendered, { lineWidth: -1, noRefs: true }));
  fs.mkdirSync(path.join(dir, "data"));
  prometheus = new ManagedProcess(
    "prometheus",
    toolPath("prometheus"),
    [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=${promAddr}`],
    path.join(dir, "prometheus.log"),
  );
  prometheus.start();
  prom = new PrometheusApi(`http://${promAddr}`);
  await waitFor(
    "prometheus ready",
    async () => {
      prometheus.assertRunning();
      return prom.ready();
    },
    30000,
  );
}, 60000);

afterAll(async () => {
  await prometheus?.stop();
  server?.closeAllConnections();
  server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

interface DroppedTarget {
  discoveredLabels: Record<string, string>;
}

/** Target labels that are not Prometheus' own (__*) labels. */
function plain(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => !k.startsWith("__")));
}

/** The plain labels of a discovered job's active targets by instance id, once there are `count`. */
async function discoveredById(job: Ec2DiscoveryJob, count: number): Promise<Map<string, Record<string, string>>> {
  const active = await waitFor(
    `${count} targets of ${job.name}`,
    async () => {
      const t = (await prom.targets()).filter((x) => x.scrapePool === job.name);
      return t.length === count ? t : undefined;
    },
    30000,
  );
  return new Map(active.map((t) => [t.labels.instance_id, plain(t.labels)]));
}

test("EC2 relabelling: running instances get instance, service and tier; stopped ones are dropped", async () => {
  const byId = await discoveredById(JOB, 3);
  // Name tag → instance; service and tier tags → labels.
  expect(byId.get("i-0aaa")).toEqual({ job: JOB.name, instance: "web-1", instance_id: "i-0aaa", service: "shop", tier: "frontend" });
  // No Name tag → the private IP; no service/tier tags → no such labels.
  expect(byId.get("i-0bbb")).toEqual({ job: JOB.name, instance: "10.0.1.11", instance_id: "i-0bbb" });
  // A node-exporter fleet on a host with a service tag: service is set, but no tier, so the
  // service alerts (which select tier="app") do not take the exporter for the application.
  expect(byId.get("i-0eee")).toEqual({ job: JOB.name, instance: "checkout-1", instance_id: "i-0eee", service: "checkout" });

  const dropped = (
    await httpJson<{ data: { droppedTargets: DroppedTarget[] } }>(`${prom.baseUrl}/api/v1/targets?state=dropped`)
  ).data.droppedTargets.filter((t) => t.discoveredLabels.job === JOB.name);
  expect(dropped.map((t) => [t.discoveredLabels.__meta_ec2_instance_id, t.discoveredLabels.__meta_ec2_instance_state]).sort()).toEqual([
    ["i-0ccc", "stopped"],
    ["i-0ddd", "stopping"],
  ]);

  // The labels reach the series, so the node alerts and dashboards group by the discovered host.
  const up = await waitFor(
    "up of the three instances",
    async () => {
      const r = await prom.query(`up{job="${JOB.name}"}`);
      return r.length === 3 ? r : undefined;
    },
    15000,
  );
  expect(up.map((s) => s.metric.instance).sort()).toEqual(["10.0.1.11", "checkout-1", "web-1"]);
}, 60000);

test("EC2 relabelling: a job that selects by the service tag scrapes an application (tier app unless the host's tier tag says otherwise)", async () => {
  const byId = await discoveredById(APP_JOB, 2);
  expect(byId.get("i-0fff")).toEqual({
    job: APP_JOB.name,
    instance: "checkout-2",
    instance_id: "i-0fff",
    service: "checkout",
    tier: "app",
  });
  expect(byId.get("i-0ggg")).toEqual({
    job: APP_JOB.name,
    instance: "checkout-3",
    instance_id: "i-0ggg",
    service: "checkout",
    tier: "canary",
  });
}, 60000);

test("cAdvisor relabelling: service from the Docker label, unnamed cgroups dropped, machine_* kept, rules record per service", async () => {
  const cpu = await waitFor(
    "cAdvisor series",
    async () => {
      const r = await prom.query("container_cpu_usage_seconds_total");
      return r.length > 0 ? r : undefined;
    },
    15000,
  );
  // Only the two named containers; the root cgroup and docker.service had no name.
  expect(cpu.map((s) => s.metric.name).sort()).toEqual(["redis", "shop-1"]);
  expect(cpu.find((s) => s.metric.name === "shop-1")?.metric.service).toBe("shop");
  expect(cpu.find((s) => s.metric.name === "redis")?.metric.service).toBeUndefined();
  expect(cpu.some((s) => "container_label_service" in s.metric)).toBe(false);
  expect((await prom.query("machine_cpu_cores")).length).toBe(1);

  const recorded = await waitFor(
    "name:container_memory_working_set_bytes:max",
    async () => {
      const r = await prom.query("name:container_memory_working_set_bytes:max");
      return r.length === 2 ? r : undefined;
    },
    15000,
  );
  expect(recorded.map((s) => plain(s.metric)).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
    { instance: expect.any(String), job: "cadvisor", name: "redis" },
    { instance: expect.any(String), job: "cadvisor", name: "shop-1", service: "shop" },
  ]);
}, 60000);

test("latency buckets: an application's histogram keeps le 0.1 to 2.5 and +Inf, with sum and count, listed or discovered", async () => {
  for (const job of ["shop", JOB.name]) {
    // One scraped target per job (a discovered host: web-1).
    const target = job === "shop" ? `job="shop"` : `job="${job}",instance="web-1"`;
    const buckets = await waitFor(
      `the buckets of ${job}`,
      async () => {
        const r = await prom.query(`http_request_duration_seconds_bucket{${target}}`);
        return r.length > 0 ? r : undefined;
      },
      15000,
    );
    const les = (route: string) =>
      buckets
        .filter((s) => s.metric.route === route)
        .map((s) => s.metric.le)
        .sort();
    // Prometheus 3 writes le as a float: 1 -> 1.0.
    expect([job, les("/a")]).toEqual([job, ["+Inf", "0.1", "0.25", "0.5", "1.0", "2.5"]]);
    expect([job, les("/b")]).toEqual([job, ["+Inf", "0.2", "0.3", "1.5"]]);
    expect((await prom.query(`http_request_duration_seconds_count{${target}}`)).length).toBe(2);
    expect((await prom.query(`http_request_duration_seconds_sum{${target}}`)).length).toBe(2);
  }
}, 30000);
