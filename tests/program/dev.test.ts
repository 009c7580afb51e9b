// The committed dev stack, run as the program under mocks: the local Docker host and every
// container with its conventions, the rendered files parsed back, and the outputs.
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { ProgramRun, RecordedResource, containersOf, runProgram, uploadsOf } from "../../harness/mock-program";
import { ALL_CONTAINERS, ContainerKey } from "../../integrations";
import { CORE_RULE_AREAS } from "../../configs/rules";
import { promtoolCheckUploads, run, tempDir } from "../helpers/tools";

const CONTAINER = "docker:index/container:Container";
let prog: ProgramRun;
let containers: Record<string, RecordedResource>;
/** The never-started containers that write a service's secret files, by service. */
let writers: Record<string, RecordedResource>;

beforeAll(async () => {
  prog = await runProgram({ stack: "dev" });
  ({ services: containers, writers } = containersOf(prog));
});

test("creates no AWS resources and one local Docker provider", () => {
  expect(prog.resources.filter((r) => r.type.startsWith("aws:"))).toEqual([]);
  const providers = prog.byType("pulumi:providers:docker");
  expect(providers).toHaveLength(1);
  expect(providers[0].inputs.host).toBe(process.env.DOCKER_HOST || "unix:///var/run/docker.sock");
});

test("runs exactly the core containers, backup included", () => {
  expect(Object.keys(containers).sort()).toEqual(
    [
      "alertmanager",
      "alloy",
      "backup",
      "backup-verify",
      "cadvisor",
      "grafana",
      "grafana-db-copy",
      "loki",
      "node-exporter",
      "prometheus",
      "socket-proxy",
    ].sort(),
  );
});

test("every container follows the conventions: pinned image, limits, restart, logs, label, network", () => {
  const images = Object.fromEntries(prog.byType("docker:index/remoteImage:RemoteImage").map((i) => [i.name, i.inputs]));
  const keyOf = Object.fromEntries(Object.entries(ALL_CONTAINERS).map(([k, e]) => [e.container, k as ContainerKey]));
  for (const [name, c] of Object.entries(containers)) {
    const key = keyOf[name];
    expect({ name, restart: c.inputs.restart }).toEqual({ name, restart: "unless-stopped" });
    expect({ name, memory: c.inputs.memory }).toEqual({ name, memory: ALL_CONTAINERS[key].limits.memoryMb });
    expect({ name, cpus: c.inputs.cpus }).toEqual({ name, cpus: String(ALL_CONTAINERS[key].limits.cpus) });
    expect(c.inputs.logDriver).toBe("json-file");
    expect(c.inputs.logOpts).toEqual({ "max-size": "10m", "max-file": "3" });
    expect(c.inputs.labels).toContainEqual({ label: "service", value: name });
    const nets = c.inputs.networksAdvanced as { name: string; aliases?: string[] }[];
    // The socket proxy lives only on its internal network; everything else on the stack network.
    expect(nets[0]).toEqual({ name: name === "socket-proxy" ? "observability-docker-api" : "observability", aliases: [name] });
    const image = Object.values(images).find(
      (i) => `sha256:${Buffer.from(String(i.name)).toString("hex").slice(0, 32)}` === c.inputs.image,
    );
    expect({ name, image: image?.name }).toEqual({ name, image: ALL_CONTAINERS[key].image });
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
    // Behind basic auth: promtool (in the image) with a client config, no password in argv.
    prometheus: ["CMD", "promtool", "check", "healthy", "--url=http://localhost:9090", "--http.config.file=/etc/prometheus/client.yml"],
    "socket-proxy": ["CMD", "/healthcheck"],
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
    expect.arrayContaining([
      "prometheus-data",
      "alertmanager-data",
      "grafana-data",
      "loki-data",
      "alloy-data",
      "backup-archive",
      "node-exporter-textfile",
    ]),
  );
  const mount = (c: string, p: string) =>
    (containers[c].inputs.volumes as { volumeName: string; containerPath: string }[]).find((v) => v.containerPath === p)?.volumeName;
  expect(mount("prometheus", "/prometheus")).toBe("prometheus-data");
  expect(mount("alertmanager", "/alertmanager")).toBe("alertmanager-data");
  expect(mount("grafana", "/var/lib/grafana")).toBe("grafana-data");
  expect(mount("loki", "/loki")).toBe("loki-data");
  expect(containers.alertmanager.inputs.command).toContain("--storage.path=/alertmanager");
});

test("Prometheus gets its config, the core rule files only, retention, basic auth and the admin API but no lifecycle API", () => {
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
      "--web.config.file=/etc/prometheus/web.yml",
      "--web.enable-admin-api",
    ]),
  );
  expect((containers.prometheus.inputs.command as string[]).join(" ")).not.toContain("lifecycle");
  const web = yaml.load(files["/etc/prometheus/web.yml"]) as { basic_auth_users: Record<string, string> };
  expect(Object.keys(web.basic_auth_users).sort()).toEqual(["admin", "backup", "grafana", "prometheus"]);
  for (const hash of Object.values(web.basic_auth_users)) expect(hash).toMatch(/^\$2[aby]\$\d\d\$/);
  // The self-scrape authenticates with a password file only Prometheus's user can read.
  const self = (config.scrape_configs as { job_name: string; basic_auth?: unknown }[]).find((j) => j.job_name === "prometheus");
  expect(self?.basic_auth).toEqual({ username: "prometheus", password_file: "/run/secrets/prometheus_password" });
  // Its own password is not among the uploads a reviewer reads: it is on the secrets volume.
  expect(Object.keys(files)).not.toContain("/run/secrets/prometheus_password");
  expect(containers.prometheus.secretPaths).toEqual([]);
});

test("secret files travel apart from the config: a never-started carrier fills each service's read-only secrets volume", () => {
  const carriers = Object.fromEntries(
    prog
      .byType(CONTAINER)
      .filter((c) => c.inputs.start === false)
      .map((c) => [String(c.inputs.name), c]),
  );
  expect(Object.keys(carriers).sort()).toEqual(["backup-secrets", "grafana-secrets", "prometheus-secrets"]);
  for (const [name, c] of Object.entries(carriers)) {
    const service = name.replace(/-secrets$/, "");
    expect({ name, restart: c.inputs.restart, networkMode: c.inputs.networkMode }).toEqual({ name, restart: "no", networkMode: "none" });
    expect(c.inputs.volumes).toEqual([{ volumeName: `${service}-secrets`, containerPath: "/run/secrets", readOnly: false }]);
    expect(c.secretPaths).toContain("uploads");
    for (const u of c.inputs.uploads as { file: string; permissions: string }[]) {
      expect(u.file.startsWith("/run/secrets/")).toBe(true);
      expect(["0400", "0440"]).toContain(u.permissions);
    }
    const svc = containers[service];
    expect(svc.inputs.volumes).toContainEqual({ volumeName: `${service}-secrets`, containerPath: "/run/secrets", readOnly: true });
    expect(svc.secretPaths.filter((p) => p.startsWith("uploads"))).toEqual([]);
    expect(svc.inputs.labels).toContainEqual({ label: "observability-stack/secrets-version", value: `${c.name}-id` });
  }
  const prom = carriers["prometheus-secrets"].inputs.uploads as { file: string; owner?: string }[];
  expect(prom).toEqual([expect.objectContaining({ file: "/run/secrets/prometheus_password", owner: "65534" })]);
});

test("every container is hardened: no capabilities but named ones, no-new-privileges, explicit user, process limit", () => {
  for (const [name, c] of Object.entries(containers)) {
    const caps = c.inputs.capabilities as { drops: string[]; adds: string[] };
    expect({ name, drops: caps.drops }).toEqual({ name, drops: ["ALL"] });
    expect({ name, securityOpts: c.inputs.securityOpts }).toEqual({ name, securityOpts: ["no-new-privileges:true"] });
    expect({ name, user: c.inputs.user }).toEqual({ name, user: expect.stringMatching(/^\d+:\d+$/) });
    expect({ name, privileged: c.inputs.privileged }).toEqual({ name, privileged: undefined });
    expect(c.inputs.ulimits).toEqual([{ name: "nproc", soft: 4096, hard: 4096 }]);
    // No slice on the local target: the program writes no systemd units on the user's own host.
    expect({ name, cgroupParent: c.inputs.cgroupParent }).toEqual({ name, cgroupParent: undefined });
    // Read-only root wherever nothing is uploaded (Docker refuses uploads to a read-only root).
    const uploads = (c.inputs.uploads as unknown[] | undefined) ?? [];
    if (uploads.length === 0 && ["node-exporter", "cadvisor", "socket-proxy"].includes(name))
      expect({ name, readOnly: c.inputs.readOnly }).toEqual({ name, readOnly: true });
    else expect({ name, readOnly: c.inputs.readOnly }).toEqual({ name, readOnly: false });
  }
  const adds = Object.fromEntries(
    Object.entries(containers)
      .map(([name, c]) => [name, (c.inputs.capabilities as { adds: string[] }).adds])
      .filter(([, a]) => (a as string[]).length > 0),
  );
  expect(adds).toEqual({
    backup: ["DAC_OVERRIDE", "CHOWN", "FOWNER"],
    "backup-verify": ["DAC_OVERRIDE"],
    cadvisor: ["SYSLOG"],
    "grafana-db-copy": ["DAC_OVERRIDE"],
  });
  const users = Object.fromEntries(Object.entries(containers).map(([name, c]) => [name, c.inputs.user]));
  expect(users).toEqual({
    prometheus: "65534:65534",
    alertmanager: "65534:65534",
    grafana: "472:0",
    loki: "10001:10001",
    alloy: "473:473",
    "node-exporter": "65534:65534",
    cadvisor: "0:0",
    backup: "0:0",
    "backup-verify": "0:0",
    "grafana-db-copy": "0:0",
    "socket-proxy": "0:0",
  });
});

test("only the socket proxy mounts the Docker socket; Alloy and cAdvisor reach the API through it", () => {
  const socketMounts = Object.entries(containers).flatMap(([name, c]) =>
    ((c.inputs.mounts as { source: string; target: string }[] | undefined) ?? [])
      .filter((m) => /docker\.sock|^\/var\/run$/.test(m.source))
      .map((m) => [name, m]),
  );
  expect(socketMounts).toEqual([
    ["socket-proxy", expect.objectContaining({ source: "/var/run/docker.sock", target: "/var/run/docker.sock", readOnly: true })],
  ]);
  const proxy = containers["socket-proxy"].inputs.command as string[];
  expect(proxy).toContain("-allowfrom=alloy,cadvisor");
  expect(proxy.filter((a) => /^-allow(POST|PUT|DELETE|PATCH)=/.test(a))).toEqual([]);
  const network = prog.byType("docker:index/network:Network").find((n) => n.inputs.name === "observability-docker-api");
  expect(network?.inputs.internal).toBe(true);
  for (const client of ["alloy", "cadvisor"]) {
    const nets = (containers[client].inputs.networksAdvanced as { name: string }[]).map((n) => n.name);
    expect({ client, nets }).toEqual({ client, nets: ["observability", "observability-docker-api"] });
  }
  const alloy = uploadsOf(containers.alloy)["/etc/alloy/config.alloy"];
  expect(alloy).toContain('host             = "tcp://socket-proxy:2375"');
  expect(containers.cadvisor.inputs.command).toContain("--docker=tcp://socket-proxy:2375");
  // cAdvisor: not privileged, no /var/run, still /dev/kmsg for OOM events.
  const cadvisorMounts = (containers.cadvisor.inputs.mounts as { source: string }[]).map((m) => m.source).sort();
  expect(cadvisorMounts).toEqual(["/", "/dev/disk", "/sys", "/var/lib/docker"]);
  expect(containers.cadvisor.inputs.devices).toEqual([{ hostPath: "/dev/kmsg", containerPath: "/dev/kmsg", permissions: "r" }]);
});

test("Grafana's Prometheus datasource authenticates with a password file; the backup job with a netrc file", () => {
  const carrier = (service: string) => uploadsOf(prog.byType(CONTAINER).find((c) => c.inputs.name === `${service}-secrets`)!);
  const g = { ...uploadsOf(containers.grafana), ...carrier("grafana") };
  const ds = yaml.load(g["/etc/grafana/provisioning/datasources/datasources.yaml"]) as { datasources: Record<string, unknown>[] };
  expect(ds.datasources.find((d) => d.uid === "prometheus")).toMatchObject({
    basicAuth: true,
    basicAuthUser: "grafana",
    secureJsonData: { basicAuthPassword: "$__file{/run/secrets/prometheus_password}" },
  });
  expect(g["/run/secrets/prometheus_password"]).toBe("mock-password-0123456789abcdef");
  const b = { ...uploadsOf(containers.backup), ...carrier("backup") };
  expect(b["/run/secrets/prometheus.netrc"]).toBe("machine prometheus login backup password mock-password-0123456789abcdef\n");
  expect(b["/backup/backup.sh"]).toContain("curl -fsS --netrc-file '/run/secrets/prometheus.netrc' -X POST");
  // Not as environment values.
  for (const c of Object.values(containers)) expect(JSON.stringify(c.inputs.envs ?? [])).not.toContain("mock-password");
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
  expect(Object.keys(uploadsOf(writer))).toEqual(["/run/secrets/grafana_admin_password", "/run/secrets/prometheus_password"]);
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
