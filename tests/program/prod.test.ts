// The committed prod stack (plus every receiver and integration), run as the program under
// mocks: the EC2 host and buckets, containers over the SSH provider, S3 for Loki and backups,
// secrets kept secret from config to container, and the rendered files checked by real tools.
import { ALL_CONTAINER_NAMES } from "../../integrations";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { ProgramRun, RecordedResource, containersOf, runProgram, uploadsOf } from "../../harness/mock-program";
import { promtoolCheckUploads, run, tempDir, writeTree } from "../helpers/tools";
import { ALL_SECRETS, FULL_PROD_CONFIG } from "../helpers/stack-fixtures";

const SECRETS = ALL_SECRETS;

const CONTAINER = "docker:index/container:Container";
let prog: ProgramRun;
let containers: Record<string, RecordedResource>;
/** The never-started containers that write a service's secret files, by service. */
let writers: Record<string, RecordedResource>;

beforeAll(async () => {
  prog = await runProgram({
    stack: "prod",
    config: FULL_PROD_CONFIG,
    secrets: SECRETS,
  });
  ({ services: containers, writers } = containersOf(prog));
});

test("creates the EC2 host, its security group, IAM and both buckets", () => {
  const count = (t: string) => prog.byType(t).length;
  expect(count("aws:s3/bucket:Bucket")).toBe(2);
  expect(count("aws:ec2/instance:Instance")).toBe(1);
  expect(count("aws:ec2/securityGroup:SecurityGroup")).toBe(1);
  expect(count("aws:iam/role:Role")).toBe(1);
  expect(count("aws:iam/instanceProfile:InstanceProfile")).toBe(1);
  // The wait for cloud-init and Docker, and the installer of the containers' task-limiting slices.
  expect(
    prog
      .byType("command:remote:Command")
      .map((c) => c.name)
      .sort(),
  ).toEqual(["host-task-slices", "host-wait-docker"]);
  const instance = prog.byType("aws:ec2/instance:Instance")[0].inputs;
  expect(instance.instanceType).toBe("t3.xlarge");
  expect(instance.metadataOptions).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 2 });
  expect(instance.rootBlockDevice).toMatchObject({ encrypted: true, volumeType: "gp3", volumeSize: 120 });
});

test("without grafanaDomain the security group opens exactly SSH from the SSH CIDRs", () => {
  const sg = prog.byType("aws:ec2/securityGroup:SecurityGroup")[0].inputs;
  const ingress = (sg.ingress as { fromPort: number; toPort: number; cidrBlocks: string[] }[]).map((r) => ({
    from: r.fromPort,
    to: r.toPort,
    cidrs: r.cidrBlocks,
  }));
  expect(ingress).toEqual([{ from: 22, to: 22, cidrs: ["198.51.100.7/32"] }]);
  expect(prog.byType("aws:route53/record:Record")).toEqual([]);
});

test("the instance role is split per bucket: Loki read/write/delete on its own, backup list/get/put on its own", () => {
  const policies = prog.byType("aws:iam/rolePolicy:RolePolicy");
  expect(policies).toHaveLength(1);
  const doc = JSON.parse(String(policies[0].inputs.policy)) as { Statement: { Action: string[]; Resource: string[] }[] };
  const arn = (purpose: string) => {
    const b = prog.byType("aws:s3/bucket:Bucket").find((x) => String(x.inputs.bucketPrefix).includes(`-${purpose}-`));
    return `arn:aws:s3:::${String(b?.inputs.bucketPrefix)}mock`;
  };
  const on = (resource: string) =>
    doc.Statement.filter((s) => s.Resource.includes(resource))
      .flatMap((s) => s.Action)
      .sort();
  expect(on(arn("loki"))).toEqual(["s3:ListBucket"]);
  expect(on(`${arn("loki")}/*`)).toEqual(["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]);
  expect(on(arn("backup"))).toEqual(["s3:ListBucket"]);
  expect(on(`${arn("backup")}/*`)).toEqual(["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]);
  expect(doc.Statement.every((s) => s.Resource.length === 1)).toBe(true);
});

test("only Loki, the backup job and a restore have the fixed addresses the metadata firewall lets through", () => {
  const network = prog.byType("docker:index/network:Network").find((n) => n.inputs.name === "observability")!;
  expect(network.inputs.options).toEqual({ "com.docker.network.bridge.name": "obs0" });
  // Dynamic addresses only from the upper half: nobody else can be handed a role address.
  expect(network.inputs.ipamConfigs).toEqual([{ subnet: "172.30.53.0/24", ipRange: "172.30.53.128/25" }]);
  const addresses = Object.fromEntries(
    Object.entries(containers)
      .map(([name, c]) => [name, (c.inputs.networksAdvanced as { ipv4Address?: string }[])[0].ipv4Address])
      .filter(([, a]) => a !== undefined),
  );
  expect(addresses).toEqual({ loki: "172.30.53.10", backup: "172.30.53.11" });
  const userData = String(prog.byType("aws:ec2/instance:Instance")[0].inputs.userData);
  expect(userData).toContain("-A OBS-METADATA-NEXT -i obs0 -s 172.30.53.10/32 -j RETURN");
  expect(userData).toContain("-A OBS-METADATA-NEXT -i obs0 -s 172.30.53.11/32 -j RETURN");
  // The restore container's, used only while restoreFrom is set.
  expect(userData).toContain("-A OBS-METADATA-NEXT -i obs0 -s 172.30.53.12/32 -j RETURN");
});

test("containers reach Docker over SSH on the host, after cloud-init", () => {
  const providers = prog.byType("pulumi:providers:docker");
  expect(providers).toHaveLength(1);
  expect(providers[0].inputs.host).toBe("ssh://ec2-user@198.51.100.20");
  for (const c of Object.values(containers)) expect(c.provider).toContain("host-docker");
});

test("runs the integration exporters and publishes nothing beyond loopback, Grafana included", () => {
  // Every container the program can run (every integration is on), but the TLS proxy (no domain)
  // and the one-shot restore (no restoreFrom).
  expect(Object.keys(containers).sort()).toEqual(ALL_CONTAINER_NAMES.filter((c) => c !== "caddy" && c !== "backup-restore").sort());
  for (const [name, c] of Object.entries(containers)) {
    for (const p of (c.inputs.ports as { ip: string }[] | undefined) ?? []) {
      expect({ name, ip: p.ip }).toEqual({ name, ip: "127.0.0.1" });
    }
  }
  expect((containers.prometheus.inputs.networksAdvanced as { name: string }[]).map((n) => n.name)).toEqual([
    "observability",
    "app_default",
  ]);
});

test("Loki keeps chunks in the Loki bucket through the instance profile", () => {
  const files = uploadsOf(containers.loki);
  const text = Object.entries(files).find(([p]) => p === "/etc/loki/config.yaml")![1];
  const lokiBucket = prog.outputs.lokiBucket.value as string;
  expect(text).toContain(lokiBucket);
  expect(text).toContain("eu-west-1");
  expect(text).not.toMatch(/access_key|secret_access|AKIA/i);
});

test("the backup job copies to the backup bucket", () => {
  const script = Object.values(uploadsOf(containers.backup))[0];
  expect(script).toContain(`S3='s3://${prog.outputs.backupBucket.value as string}'`);
  expect(script).toContain("--region 'eu-west-1'");
  expect(script).toContain("/api/v1/admin/tsdb/snapshot");
});

test("Prometheus scrapes the services and integrations and loads their rule files", () => {
  const files = uploadsOf(containers.prometheus);
  const cfg = yaml.load(files["/etc/prometheus/prometheus.yml"]) as {
    rule_files: string[];
    scrape_configs: { job_name: string; metrics_path?: string; static_configs: { labels?: Record<string, string> }[] }[];
  };
  const jobs = cfg.scrape_configs.map((j) => j.job_name);
  expect(jobs).toEqual(expect.arrayContaining(["postgres-exporter", "redis-exporter", "rabbitmq", "blackbox", "api", "web"]));
  const web = cfg.scrape_configs.find((j) => j.job_name === "web")!;
  expect(web.metrics_path).toBe("/internal/metrics");
  expect(web.static_configs[0].labels).toEqual({ service: "web", tier: "app" });
  // A probe of a service's own address carries its service label (so ServiceDown inhibits it).
  const probes = cfg.scrape_configs.find((j) => j.job_name === "blackbox")!.static_configs as {
    targets: string[];
    labels?: Record<string, string>;
  }[];
  expect(probes).toEqual([{ targets: ["https://example.com/"] }, { targets: ["http://web:3000/health"], labels: { service: "web" } }]);
  for (const area of ["database", "cache", "messaging", "probes", "backup"])
    expect(cfg.rule_files).toContain(`/etc/prometheus/rules/${area}.yml`);

  const r = promtoolCheckUploads(files, "prod-prom");
  expect(r.output).toContain("SUCCESS");
  expect(r.status).toBe(0);
});

test("Alertmanager routes every severity to its receiver, checked by amtool", () => {
  // The config is a plain input of Alertmanager; the credentials come from its secrets writer.
  expect(containers.alertmanager.secretPaths).toEqual([]);
  expect(writers.alertmanager.secretPaths).toEqual(["uploads"]);
  const files = { ...uploadsOf(containers.alertmanager), ...uploadsOf(writers.alertmanager) };
  const dir = tempDir("prod-am");
  const cfgText = files["/etc/alertmanager/alertmanager.yml"].split("/run/secrets/").join(`${dir}/secrets/`);
  writeTree(
    dir,
    Object.fromEntries(
      Object.entries(files).map(([p, c]) => [p.replace("/etc/alertmanager/", "/").replace("/run/secrets/", "/secrets/"), c]),
    ),
  );
  const cfg = path.join(dir, "alertmanager.yml");
  fs.writeFileSync(cfg, cfgText);
  const check = run("amtool", ["check-config", cfg]);
  expect(check.output).toContain("SUCCESS");
  const cases: [string[], string][] = [
    [["alertname=Watchdog", "severity=none"], "heartbeat"],
    [["alertname=ServiceDown", "severity=critical", "service=api"], "critical"],
    [["alertname=HighLatencyP95", "severity=warning", "service=api"], "warning"],
    [["alertname=SomethingInformational", "severity=info"], "info"],
    [["alertname=Unlabelled"], "default"],
  ];
  for (const [labels, receiver] of cases) {
    const r = run("amtool", ["config", "routes", "test", `--config.file=${cfg}`, `--verify.receivers=${receiver}`, ...labels]);
    expect({ labels, status: r.status }).toEqual({ labels, status: 0 });
  }
});

test("every secret reaches its container only as a secret file, never in env or plain inputs", () => {
  // The DSN is split into host, user and password files; its password is what must stay secret.
  const probes = { ...SECRETS, postgresDataSourceName: "secret-db-password" };
  for (const [key, value] of Object.entries(probes)) {
    const places: string[] = [];
    for (const r of prog.resources) {
      const visit = (v: unknown, at: string) => {
        if (typeof v === "string" && v.includes(value)) places.push(`${r.name}:${at}`);
        else if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${at}[${i}]`));
        else if (typeof v === "object" && v !== null) for (const [k, x] of Object.entries(v)) visit(x, at ? `${at}.${k}` : k);
      };
      visit(r.inputs, "");
      for (const place of places.filter((p) => p.startsWith(`${r.name}:`))) {
        const at = place.slice(r.name.length + 1);
        const covered = r.secretPaths.some((s) => at === s || at.startsWith(`${s}.`) || at.startsWith(`${s}[`));
        expect({ key, place, covered }).toEqual({ key, place, covered: true });
        expect(at.startsWith("envs")).toBe(false);
      }
    }
    expect({ key, delivered: places.length > 0 }).toEqual({ key, delivered: true });
  }
});

test("exports URLs, credentials, buckets and the instance", () => {
  const o = prog.outputs;
  // Without a domain: the tunnelled address (sshTunnelCommand forwards Grafana's port too).
  expect(o.grafanaUrl.value).toBe("http://127.0.0.1:3000");
  expect(String(o.sshTunnelCommand.value)).toContain("-L 3000:127.0.0.1:3000");
  expect(o.prometheusUser.value).toBe("admin");
  expect(o.prometheusPassword.secret).toBe(true);
  expect(o.prometheusUrl.value).toBe("http://127.0.0.1:9090");
  expect(o.alertmanagerUrl.value).toBe("http://127.0.0.1:9093");
  expect(o.grafanaAdminPassword.secret).toBe(true);
  expect(String(o.lokiBucket.value)).toMatch(/loki/);
  expect(String(o.backupBucket.value)).toMatch(/backup/);
  expect(o.instanceId.value).toBeTruthy();
  expect(o.publicIp.value).toBe("198.51.100.20");
  expect(String(o.sshTunnelCommand.value)).toContain("-L 9090:127.0.0.1:9090");
});

test("every container of the full prod stack is hardened, the integration exporters included", () => {
  expect(Object.keys(containers)).toEqual(expect.arrayContaining(["postgres-exporter", "redis-exporter", "blackbox-exporter"]));
  for (const [name, c] of Object.entries(containers)) {
    expect({ name, drops: (c.inputs.capabilities as { drops: string[] }).drops }).toEqual({ name, drops: ["ALL"] });
    expect({ name, securityOpts: c.inputs.securityOpts }).toEqual({ name, securityOpts: ["no-new-privileges:true"] });
    expect({ name, user: c.inputs.user }).toEqual({ name, user: expect.stringMatching(/^\d+:\d+$/) });
    expect({ name, privileged: c.inputs.privileged }).toEqual({ name, privileged: undefined });
    expect({ name, nproc: c.inputs.ulimits }).toEqual({ name, nproc: [{ name: "nproc", soft: 4096, hard: 4096 }] });
  }
  expect(containers["postgres-exporter"].inputs.user).toBe("65534:65534");
  expect(containers["redis-exporter"].inputs.user).toBe("59000:59000");
  // The exporters' secrets are files on their secrets volumes, owned by their users.
  const carrier = prog.byType(CONTAINER).find((c) => c.inputs.name === "postgres-exporter-secrets")!;
  expect((carrier.inputs.uploads as { file: string; owner: string }[]).map((u) => [u.file, u.owner])).toEqual([
    ["/run/secrets/postgres_uri", "65534"],
    ["/run/secrets/postgres_user", "65534"],
    ["/run/secrets/postgres_password", "65534"],
  ]);
});
