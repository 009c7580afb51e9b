// The committed dev stack, run as the program under mocks: the local Docker host and every
// container with its conventions, the rendered files parsed back, and the outputs.
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { ProgramRun, RecordedResource, runProgram, uploadsOf } from "../helpers/mock-program";
import { CATALOG, COMPONENTS } from "../../components/catalog";
import { CORE_RULE_AREAS } from "../../configs/rules";
import { promtoolCheckUploads, run, tempDir } from "../helpers/tools";

const CONTAINER = "docker:index/container:Container";
let prog: ProgramRun;
let containers: Record<string, RecordedResource>;
/** The never-started containers that write a service's secret files, by service. */
let writers: Record<string, RecordedResource>;

beforeAll(async () => {
  prog = await runProgram({ stack: "dev" });
  containers = {};
  writers = {};
  for (const c of prog.byType(CONTAINER)) {
    if (c.inputs.start === false) writers[String(c.inputs.name).replace(/-secrets$/, "")] = c;
    else containers[String(c.inputs.name)] = c;
  }
});

test("creates no AWS resources and one local Docker provider", () => {
  expect(prog.resources.filter((r) => r.type.startsWith("aws:"))).toEqual([]);
  const providers = prog.byType("pulumi:providers:docker");
  expect(providers).toHaveLength(1);
  expect(providers[0].inputs.host).toBe(process.env.DOCKER_HOST || "unix:///var/run/docker.sock");
});

test("runs exactly the core containers, backup included", () => {
  expect(Object.keys(containers).sort()).toEqual(
    ["alertmanager", "alloy", "backup", "backup-verify", "cadvisor", "grafana", "loki", "node-exporter", "prometheus"].sort(),
  );
});

test("every container follows the conventions: pinned image, limits, restart, logs, label, network", () => {
  const images = Object.fromEntries(prog.byType("docker:index/remoteImage:RemoteImage").map((i) => [i.name, i.inputs]));
  const keyOf = Object.fromEntries(COMPONENTS.map((k) => [CATALOG[k].container, k]));
  for (const [name, c] of Object.entries(containers)) {
    const key = keyOf[name];
    expect({ name, restart: c.inputs.restart }).toEqual({ name, restart: "unless-stopped" });
    expect({ name, memory: c.inputs.memory }).toEqual({ name, memory: CATALOG[key].limits.memoryMb });
    expect({ name, cpus: c.inputs.cpus }).toEqual({ name, cpus: String(CATALOG[key].limits.cpus) });
    expect(c.inputs.logDriver).toBe("json-file");
    expect(c.inputs.logOpts).toEqual({ "max-size": "10m", "max-file": "3" });
    expect(c.inputs.labels).toContainEqual({ label: "service", value: name });
    const nets = c.inputs.networksAdvanced as { name: string; aliases?: string[] }[];
    expect(nets[0]).toEqual({ name: "observability", aliases: [name] });
    const image = Object.values(images).find((i) => `sha256:${Buffer.from(String(i.name)).toString("hex").slice(0, 32)}` === c.inputs.image);
    expect({ name, image: image?.name }).toEqual({ name, image: CATALOG[key].image });
  }
});

test("healthchecks run only tools their images ship, in exec form", () => {
  // Busybox-based images (quay.io/prometheus/busybox, alpine) have wget; Loki's image is
  // distroless since 3.6 and checks itself; Alloy and the backup job get none.
  const checks = Object.fromEntries(
    Object.entries(containers).map(([name, c]) => [name, (c.inputs.healthcheck as { tests?: string[] } | undefined)?.tests]),
  );
  const wget = (url: string) => ["CMD", "wget", "-q", "--spider", url];
  expect(checks).toEqual({
    prometheus: wget("http://localhost:9090/-/healthy"),
    alertmanager: wget("http://localhost:9093/-/healthy"),
    grafana: wget("http://localhost:3000/api/health"),
    loki: ["CMD", "/usr/bin/loki", "-health", "-health.url=http://localhost:3100/ready"],
    "node-exporter": wget("http://localhost:9100/"),
    cadvisor: wget("http://localhost:8080/healthz"),
    alloy: undefined,
    backup: undefined,
  });
});

test("only Grafana, Prometheus, Alertmanager and Loki publish ports, all on 127.0.0.1 locally", () => {
  const published: Record<string, unknown> = {};
  for (const [name, c] of Object.entries(containers)) {
    const ports = (c.inputs.ports as unknown[] | undefined) ?? [];
    if (ports.length > 0) published[name] = ports;
  }
  expect(published).toEqual({
    grafana: [{ internal: 3000, external: 3000, ip: "127.0.0.1", protocol: "tcp" }],
    prometheus: [{ internal: 9090, external: 9090, ip: "127.0.0.1", protocol: "tcp" }],
    alertmanager: [{ internal: 9093, external: 9093, ip: "127.0.0.1", protocol: "tcp" }],
    loki: [{ internal: 3100, external: 3100, ip: "127.0.0.1", protocol: "tcp" }],
  });
});

test("stateful services keep data on named volumes", () => {
  const volumes = prog.byType("docker:index/volume:Volume").map((v) => v.inputs.name);
  expect(volumes).toEqual(
    expect.arrayContaining(["prometheus-data", "alertmanager-data", "grafana-data", "loki-data", "alloy-data", "backup-archive", "node-exporter-textfile"]),
  );
  const mount = (c: string, p: string) =>
    (containers[c].inputs.volumes as { volumeName: string; containerPath: string }[]).find((v) => v.containerPath === p)?.volumeName;
  expect(mount("prometheus", "/prometheus")).toBe("prometheus-data");
  expect(mount("alertmanager", "/alertmanager")).toBe("alertmanager-data");
  expect(mount("grafana", "/var/lib/grafana")).toBe("grafana-data");
  expect(mount("loki", "/loki")).toBe("loki-data");
  expect(containers.alertmanager.inputs.command).toContain("--storage.path=/alertmanager");
});

test("Prometheus gets its config, the core rule files only, retention and the lifecycle/admin APIs", () => {
  const files = uploadsOf(containers.prometheus);
  const config = yaml.load(files["/etc/prometheus/prometheus.yml"]) as {
    rule_files: string[];
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    alerting: unknown;
  };
  const jobs = Object.fromEntries(config.scrape_configs.map((j) => [j.job_name, j.static_configs[0].targets]));
  expect(jobs).toEqual({
    prometheus: ["prometheus:9090"],
    alertmanager: ["alertmanager:9093"],
    grafana: ["grafana:3000"],
    loki: ["loki:3100"],
    "log-agent": ["alloy:12345"],
    "node-exporter": ["node-exporter:9100"],
    cadvisor: ["cadvisor:8080"],
  });
  expect(config.alerting).toEqual({ alertmanagers: [{ static_configs: [{ targets: ["alertmanager:9093"] }] }] });
  const expectedRules = [...CORE_RULE_AREAS, "backup"].map((a) => `/etc/prometheus/rules/${a}.yml`).sort();
  expect([...config.rule_files].sort()).toEqual(expectedRules);
  for (const f of config.rule_files) expect(files[f]).toBeDefined();
  expect(containers.prometheus.inputs.command).toEqual(
    expect.arrayContaining([
      "--storage.tsdb.retention.time=30d",
      "--storage.tsdb.retention.size=50GB",
      "--web.enable-lifecycle",
      "--web.enable-admin-api",
    ]),
  );
});

test("the rendered Prometheus config and rules pass promtool", () => {
  const r = promtoolCheckUploads(uploadsOf(containers.prometheus), "dev-prom");
  expect(r.output).toContain("SUCCESS");
  expect(r.status).toBe(0);
});

test("Alertmanager with no receivers configured routes everything to the default receiver and Watchdog to heartbeat", () => {
  const files = uploadsOf(containers.alertmanager);
  expect(Object.keys(files)).toEqual(["/etc/alertmanager/alertmanager.yml"]);
  const dir = tempDir("dev-am");
  const cfg = path.join(dir, "alertmanager.yml");
  fs.writeFileSync(cfg, files["/etc/alertmanager/alertmanager.yml"]);
  expect(run("amtool", ["check-config", cfg]).status).toBe(0);
  const route = (labels: string[]) => run("amtool", ["config", "routes", "test", `--config.file=${cfg}`, ...labels]).stdout.trim();
  expect(route(["alertname=Watchdog", "severity=none"])).toBe("heartbeat");
  expect(route(["alertname=ServiceDown", "severity=critical", "service=api"])).toBe("default");
  expect(route(["alertname=DiskSpaceLow", "severity=warning"])).toBe("default");
});

test("Grafana gets provisioning and dashboards as plain files, its password only as a secret file", () => {
  const g = containers.grafana;
  const files = uploadsOf(g);
  const env = g.inputs.envs as string[];
  expect(env).toContain("GF_SECURITY_ADMIN_USER=admin");
  expect(env).toContain("GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/grafana_admin_password");
  expect(env.some((e) => e.startsWith("GF_SECURITY_ADMIN_PASSWORD="))).toBe(false);
  expect(env).toContain("GF_USERS_ALLOW_SIGN_UP=false");
  expect(env).toContain("GF_AUTH_ANONYMOUS_ENABLED=false");
  // The reviewable files are a plain input; the password travels in the writer's uploads only.
  expect(g.secretPaths).toEqual([]);
  expect(Object.keys(files).some((p) => p.includes("grafana_admin_password"))).toBe(false);
  const writer = writers.grafana;
  expect(Object.keys(uploadsOf(writer))).toEqual(["/run/secrets/grafana_admin_password"]);
  expect(writer.secretPaths).toEqual(["uploads"]);
  expect(writer.inputs).toMatchObject({ start: false, mustRun: false, networkMode: "none" });
  const secretsVolume = (writer.inputs.volumes as { volumeName: string; containerPath: string }[])[0];
  expect(g.inputs.volumes).toContainEqual({ ...secretsVolume, readOnly: true });
  expect(g.inputs.labels).toContainEqual({ label: "observability-stack/secrets-version", value: "grafana-grafana-secrets-id" });
  const ds = yaml.load(Object.entries(files).find(([p]) => p.includes("datasources"))![1]) as { datasources: { uid: string }[] };
  expect(ds.datasources.map((d) => d.uid).sort()).toEqual(["alertmanager", "loki", "prometheus"]);
  const dashboards = Object.keys(files).filter((p) => p.endsWith(".json"));
  expect(dashboards.length).toBeGreaterThanOrEqual(5);
  for (const d of dashboards) expect(() => JSON.parse(files[d])).not.toThrow();
});

test("Loki stores on its volume locally and loads the LogQL rules", () => {
  const files = uploadsOf(containers.loki);
  const cfgText = Object.entries(files).find(([p]) => p.endsWith(".yaml") && !p.includes("/rules/"))![1];
  const cfg = yaml.load(cfgText) as Record<string, unknown>;
  expect(JSON.stringify(cfg)).not.toContain("s3");
  expect(Object.keys(files).some((p) => p.includes("/rules/") && p.endsWith(".yml"))).toBe(true);
});

test("exports the URLs and the admin credentials, the password as a secret, and nothing of AWS", () => {
  const o = prog.outputs;
  expect(o.grafanaUrl.value).toBe("http://127.0.0.1:3000");
  expect(o.prometheusUrl.value).toBe("http://127.0.0.1:9090");
  expect(o.alertmanagerUrl.value).toBe("http://127.0.0.1:9093");
  expect(o.grafanaAdminUser.value).toBe("admin");
  expect(o.grafanaAdminPassword.secret).toBe(true);
  for (const k of ["lokiBucket", "backupBucket", "instanceId", "publicIp", "sshTunnelCommand"]) expect(o[k]).toBeUndefined();
});
