// The prod stack with `highAvailability: true` under mocks: two hosts in two zones' subnets sharing
// one security group whose pair ports admit only the group itself, Alertmanager clustered on both
// with the same flags but for name and addresses, each Prometheus scraping both hosts by private IP
// and sending to both Alertmanagers without the replica label (checked by the real promtool), two
// Lokis with a bucket each, backups under each member's prefix, Grafana behind the load balancer;
// and the whole graph equals the golden record (UPDATE_GOLDEN=1 npx jest tests/program/golden).
import * as yaml from "js-yaml";
import * as aws from "@pulumi/aws";
import { pairNetwork } from "../../components/host/pair-network";
import type { AwsSettings } from "../../components/settings";
import { ProgramRun, RecordedResource, runProgram, uploadsOf } from "../../harness/mock-program";
import { promtoolCheckUploads } from "../helpers/tools";
import { runPolicies } from "../helpers/policy-over-stack";
import { PAIR_CONFIG } from "../helpers/stack-fixtures";
import { GOLDEN_SCENARIOS, graphRecord, readGolden, writeGolden } from "../helpers/graph";
import { expectGraphsEqual } from "../helpers/graph-compare";
import { GOSSIP_CERTIFICATES, GOSSIP_PORT, GOSSIP_SERVER_NAME, PAIR_SERVICES, REPLICA_LABEL } from "../../configs/cluster";
import { CATALOG, STACK_JOBS } from "../../catalog/containers";

const CONTAINER = "docker:index/container:Container";
const PRIVATE = { a: "10.0.0.10", b: "10.0.1.10" } as const;

let prog: ProgramRun;
/** Each member's running containers by container name. */
const containers: Record<"a" | "b", Record<string, RecordedResource>> = { a: {}, b: {} };

beforeAll(async () => {
  prog = await runProgram(GOLDEN_SCENARIOS["prod-pair"]);
  for (const c of prog.byType(CONTAINER)) {
    if (c.inputs.attach || String(c.inputs.name).endsWith("-secrets")) continue;
    containers[c.name.includes("-b-") ? "b" : "a"][String(c.inputs.name)] = c;
  }
});

// First: later tests add resources of their own (the zone check).
test("the prod-pair resource graph matches the golden record", () => {
  const record = graphRecord(prog);
  if (process.env.UPDATE_GOLDEN === "1") writeGolden("prod-pair", record);
  expectGraphsEqual(record, readGolden("prod-pair"));
});

test("two instances in two distinct subnets of two zones, both in the one pair security group", () => {
  const instances = prog.byType("aws:ec2/instance:Instance");
  expect(instances.map((i) => i.name).sort()).toEqual(["host-b-instance", "host-instance"]);
  const subnets = instances.map((i) => i.inputs.subnetId);
  expect(new Set(subnets).size).toBe(2);
  // The mock's subnet ids name their zone (harness/mock-program.ts): two zones.
  expect(subnets.map((s) => String(s).charAt(8)).sort()).toEqual(["a", "b"]);
  expect(instances.map((i) => i.inputs.vpcSecurityGroupIds)).toEqual([["host-sg-id"], ["host-sg-id"]]);
  expect(
    prog
      .byType("aws:ec2/securityGroup:SecurityGroup")
      .map((g) => g.name)
      .sort(),
  ).toEqual(["grafana-lb-sg", "host-sg"]);
});

test("the pair's ports are admitted only from the pair's own group; Grafana only from the load balancer; nothing else but SSH", () => {
  const ingress = prog.one("aws:ec2/securityGroup:SecurityGroup", "host-sg").inputs.ingress as Record<string, unknown>[];
  const pairPorts = [GOSSIP_PORT, ...PAIR_SERVICES.map((k) => CATALOG[k].port)];
  for (const port of pairPorts) {
    const rules = ingress.filter((r) => r.fromPort === port && r.self === true);
    expect({ port, rules: rules.length }).toEqual({ port, rules: 1 });
    expect(rules[0]).toMatchObject({ protocol: "tcp", toPort: port });
    expect(rules[0].cidrBlocks).toBeUndefined();
  }
  const others = ingress.filter((r) => r.self !== true);
  expect(others.map((r) => r.fromPort).sort()).toEqual([22, CATALOG.grafana.port]);
  expect(others.find((r) => r.fromPort === CATALOG.grafana.port)).toMatchObject({ securityGroups: ["grafana-lb-sg-id"] });
  expect(others.find((r) => r.fromPort === CATALOG.grafana.port)?.cidrBlocks).toBeUndefined();
  // No 80/443 on the hosts: the load balancer takes HTTPS, behind the 443 allow-list.
  expect(ingress.some((r) => r.fromPort === 443 || r.fromPort === 80)).toBe(false);
  const lbIngress = prog.one("aws:ec2/securityGroup:SecurityGroup", "grafana-lb-sg").inputs.ingress;
  expect(lbIngress).toEqual([expect.objectContaining({ fromPort: 443, toPort: 443, cidrBlocks: PAIR_CONFIG.grafanaAllowedCidrs })]);
});

test("each member publishes its pair services at its private address only (same port on host and container)", () => {
  for (const m of ["a", "b"] as const) {
    for (const k of PAIR_SERVICES) {
      const ports = containers[m][CATALOG[k].container].inputs.ports as { internal: number; external: number; ip: string }[];
      const published = ports.filter((p) => p.ip !== "127.0.0.1");
      const own = { internal: CATALOG[k].port, external: CATALOG[k].port, ip: PRIVATE[m], protocol: "tcp" };
      const gossip = { internal: GOSSIP_PORT, external: GOSSIP_PORT, ip: PRIVATE[m], protocol: "tcp" };
      expect({ m, k, published }).toEqual({ m, k, published: k === "alertmanager" ? [gossip, own] : [own] });
    }
  }
});

test("Alertmanager runs clustered on both members: fixed names, the peer's private address, gossip over TLS", () => {
  const flags = (m: "a" | "b"): string[] => containers[m].alertmanager.inputs.command as string[];
  const other = { a: "b", b: "a" } as const;
  for (const m of ["a", "b"] as const) {
    expect(flags(m)).toEqual(
      expect.arrayContaining([
        `--cluster.listen-address=0.0.0.0:${GOSSIP_PORT}`,
        `--cluster.advertise-address=${PRIVATE[m]}:${GOSSIP_PORT}`,
        `--cluster.peer-name=${m}`,
        `--cluster.peer=${PRIVATE[other[m]]}:${GOSSIP_PORT}`,
        "--cluster.tls-config=/etc/alertmanager/gossip/tls.yml",
      ]),
    );
    expect(flags(m)).not.toContain("--cluster.listen-address=");
    const files = uploadsOf(containers[m].alertmanager);
    const tlsConfig = yaml.load(files["/etc/alertmanager/gossip/tls.yml"]) as Record<string, Record<string, string>>;
    expect(tlsConfig.tls_server_config.client_auth_type).toBe("RequireAndVerifyClientCert");
    expect(files["/etc/alertmanager/gossip/cert.pem"]).toContain(`gossip-tls-${m}-cert`);
    // The key is a secret file, never a plain upload.
    expect(Object.keys(files).some((f) => f.includes("key"))).toBe(false);
  }
  // Identical flags but for the member's own name and addresses.
  const normalise = (m: "a" | "b"): string[] =>
    flags(m).map((f) => f.replace(PRIVATE[m], "SELF").replace(PRIVATE[other[m]], "PEER").replace(`peer-name=${m}`, "peer-name=NAME"));
  expect(normalise("a")).toEqual(normalise("b"));
});

test("each Prometheus scrapes both hosts by private IP with member labels, sends to both Alertmanagers without the replica label; promtool accepts it", () => {
  const configs = (["a", "b"] as const).map((m) => {
    const files = uploadsOf(containers[m].prometheus);
    expect(promtoolCheckUploads(files, `pair-${m}`).status).toBe(0);
    return yaml.load(files["/etc/prometheus/prometheus.yml"]) as {
      global: { external_labels: Record<string, string> };
      alerting: { alert_relabel_configs: unknown[]; alertmanagers: { static_configs: { targets: string[] }[] }[] };
      scrape_configs: { job_name: string; static_configs?: { targets: string[]; labels?: Record<string, string> }[] }[];
    };
  });
  for (const [i, c] of configs.entries()) {
    expect(c.global.external_labels).toEqual({ stack: "prod", cluster: "prod", [REPLICA_LABEL]: ["a", "b"][i] });
    expect(c.alerting.alertmanagers[0].static_configs[0].targets).toEqual([`${PRIVATE.a}:9093`, `${PRIVATE.b}:9093`]);
    expect(c.alerting.alert_relabel_configs).toEqual([{ action: "labeldrop", regex: REPLICA_LABEL }]);
    for (const k of PAIR_SERVICES) {
      const job = c.scrape_configs.find((j) => j.job_name === STACK_JOBS[k]);
      expect(job?.static_configs).toEqual([
        { targets: [`${PRIVATE.a}:${CATALOG[k].port}`], labels: { member: "a" } },
        { targets: [`${PRIVATE.b}:${CATALOG[k].port}`], labels: { member: "b" } },
      ]);
    }
  }
  // The same scrape jobs and rules on both: the same series under the same instance labels.
  expect(configs[0].scrape_configs).toEqual(configs[1].scrape_configs);
});

test("one Loki bucket per member, each host's role limited to its own; backups under each member's prefix", () => {
  const buckets = prog.byType("aws:s3/bucket:Bucket").map((b) => b.name);
  expect(buckets.sort()).toEqual(["storage-backup", "storage-loki", "storage-loki-b"]);
  const policy = (name: string): string => String(prog.one("aws:iam/rolePolicy:RolePolicy", name).inputs.policy);
  expect(policy("host-s3")).toContain("obs-prod-loki-mock");
  expect(policy("host-s3")).not.toContain("obs-prod-loki-b-mock");
  expect(policy("host-b-s3")).toContain("obs-prod-loki-b-mock");
  for (const m of ["a", "b"] as const) {
    const script = uploadsOf(containers[m].backup)["/backup/backup.sh"];
    expect(script).toContain(`s3://obs-prod-backup-mock/${m}`);
  }
});

test("Grafana behind the load balancer: an ACM certificate validated in the zone, sticky sessions, both hosts attached; no Caddy", () => {
  expect(Object.keys(containers.a)).not.toContain("caddy");
  expect(Object.keys(containers.b)).not.toContain("caddy");
  const cert = prog.one("aws:acm/certificate:Certificate", "grafana-lb-cert");
  expect(cert.inputs).toMatchObject({ domainName: "grafana.example.com", validationMethod: "DNS" });
  const tg = prog.one("aws:lb/targetGroup:TargetGroup", "grafana-lb-grafana");
  expect(tg.inputs).toMatchObject({
    port: CATALOG.grafana.port,
    stickiness: expect.objectContaining({ enabled: true, type: "lb_cookie" }),
  });
  expect(
    prog
      .byType("aws:lb/targetGroupAttachment:TargetGroupAttachment")
      .map((a) => a.inputs.targetId)
      .sort(),
  ).toEqual(["host-b-instance-id", "host-instance-id"]);
  const lb = prog.one("aws:lb/loadBalancer:LoadBalancer", "grafana-lb-alb");
  expect(lb.inputs.subnets).toEqual(prog.byType("aws:ec2/instance:Instance").map((i) => i.inputs.subnetId));
  expect(prog.one("aws:lb/listener:Listener", "grafana-lb-https").inputs).toMatchObject({ port: 443, protocol: "HTTPS" });
  const alias = prog.one("aws:route53/record:Record", "grafana-lb-dns").inputs;
  expect(alias).toMatchObject({ name: "grafana.example.com", type: "A" });
  expect(prog.outputs.grafanaUrl.value).toBe("https://grafana.example.com");
});

test("outputs name both hosts: addresses, tunnels, Loki buckets and backup prefixes", () => {
  const hosts = prog.outputs.pairHosts.value as Record<string, Record<string, string>>;
  expect(Object.keys(hosts)).toEqual(["a", "b"]);
  expect(hosts.a.privateIp).toBe(PRIVATE.a);
  expect(hosts.b.privateIp).toBe(PRIVATE.b);
  expect(hosts.a.sshTunnelCommand).toContain(`@${hosts.a.publicIp}`);
  expect(hosts.b.sshTunnelCommand).toContain(`@${hosts.b.publicIp}`);
  expect(hosts.a.publicIp).not.toBe(hosts.b.publicIp);
  expect(hosts.b.backupPrefix).toBe("b/");
  expect(hosts.b.lokiBucket).toBe("obs-prod-loki-b-mock");
  expect(prog.outputs.sshTunnelCommand.value).toBe(hosts.a.sshTunnelCommand);
});

test("the pair violates no policy of the pack", () => {
  expect(runPolicies(prog)).toEqual([]);
});

/** The error an Output rejects with (every promise it carries handled, or Node would exit). */
async function rejection(o: unknown): Promise<unknown> {
  const inner = o as { promise(): Promise<unknown>; isKnown: Promise<boolean>; isSecret: Promise<boolean> };
  inner.isKnown.catch(() => undefined);
  inner.isSecret.catch(() => undefined);
  return inner.promise().then(
    () => undefined,
    (e: unknown) => e,
  );
}

test("two given subnets in one zone stop the preview with a message naming subnetIds; two zones pass", async () => {
  const provider = new aws.Provider("zone-check", { region: "eu-west-1" });
  const settings = { vpcId: "vpc-0123456789abcdef0" } as unknown as AwsSettings;
  // The mock's subnet ids name their zone: both of these are in eu-west-1a.
  const sameZone = pairNetwork(settings, { subnetIds: ["subnet-0a0000000000000a1", "subnet-0a0000000000000a2"] }, provider);
  expect(String(await rejection(sameZone.subnetIds))).toMatch(
    /subnetIds: subnet-0a0000000000000a1 and subnet-0a0000000000000a2 are both in eu-west-1a; the pair needs two subnets in two availability zones/,
  );
  const twoZones = pairNetwork(settings, { subnetIds: ["subnet-0a0000000000000a1", "subnet-0b0000000000000b2"] }, provider);
  expect(await rejection(twoZones.subnetIds)).toBeUndefined();
});

test("logs: each Loki has its own bucket and alerts both Alertmanagers; each log agent writes to both Lokis, labelled with its member", () => {
  for (const m of ["a", "b"] as const) {
    const loki = uploadsOf(containers[m].loki)["/etc/loki/config.yaml"];
    expect(loki).toContain(`bucketnames: ${m === "a" ? "obs-prod-loki-mock" : "obs-prod-loki-b-mock"}`);
    expect(loki).toContain(`alertmanager_url: http://${PRIVATE.a}:9093,http://${PRIVATE.b}:9093`);
    const alloy = uploadsOf(containers[m].alloy)["/etc/alloy/config.alloy"];
    for (const ip of [PRIVATE.a, PRIVATE.b]) expect(alloy).toContain(`"http://${ip}:3100/loki/api/v1/push"`);
    expect(alloy).toContain(`external_labels = { member = "${m}" }`);
  }
});

test("the pair's own alerts, inhibitions and Stack health row are deployed on both members (and only on the pair)", () => {
  for (const m of ["a", "b"] as const) {
    expect(uploadsOf(containers[m].prometheus)["/etc/prometheus/rules/cluster.yml"]).toContain("alert: PairMemberUnreachable");
    const am = yaml.load(uploadsOf(containers[m].alertmanager)["/etc/alertmanager/alertmanager.yml"]) as {
      inhibit_rules: { source_matchers: string[]; equal: string[] }[];
    };
    expect(
      am.inhibit_rules.some((r) => r.source_matchers.some((s) => s.includes("PairMemberUnreachable")) && r.equal.includes("member")),
    ).toBe(true);
    const health = Object.entries(uploadsOf(containers[m].grafana)).find(([f]) => f.endsWith("stack-health.json"));
    expect(health?.[1]).toContain("Redundant pair");
  }
});

test("the gossip certificates carry the profile the live suite's openssl stand-in makes (GOSSIP_CERTIFICATES)", () => {
  const keys = prog.byType("tls:index/privateKey:PrivateKey");
  expect(keys.map((k) => [k.inputs.algorithm, k.inputs.ecdsaCurve])).toEqual(keys.map(() => ["ECDSA", GOSSIP_CERTIFICATES.curve]));
  expect(keys).toHaveLength(3);
  const ca = prog.one("tls:index/selfSignedCert:SelfSignedCert", "gossip-tls-ca").inputs;
  expect(ca).toMatchObject({ isCaCertificate: true, allowedUses: [...GOSSIP_CERTIFICATES.caUses] });
  for (const m of ["a", "b"]) {
    expect(prog.one("tls:index/certRequest:CertRequest", `gossip-tls-${m}-csr`).inputs.dnsNames).toEqual([GOSSIP_SERVER_NAME]);
    expect(prog.one("tls:index/locallySignedCert:LocallySignedCert", `gossip-tls-${m}-cert`).inputs.allowedUses).toEqual([
      ...GOSSIP_CERTIFICATES.memberUses,
    ]);
  }
  // The key reaches Alertmanager only as a secret file.
  for (const m of ["a", "b"] as const) expect(JSON.stringify(containers[m].alertmanager.inputs)).not.toContain("mock key of");
});

test("turning the pair on keeps host a: every resource of one host keeps its name, only the TLS proxy and its record give way, and the instance's inputs differ only in the subnet", () => {
  // The single host with every feature (golden prod-full: the same settings but the pair, ACME and AMP).
  const single = readGolden("prod-full").resources;
  const pairNames = new Set(prog.resources.map((r) => `${r.type} ${r.name}`));
  const gone = single.filter((r) => !pairNames.has(`${r.type} ${r.name}`)).map((r) => r.name);
  expect(gone.sort()).toEqual(["host-grafana-dns", "tls", "tls-caddy", "tls-caddy", "tls-caddy-data", "tls-caddy-image"]);
  const before = single.find((r) => r.name === "host-instance")!.inputs;
  const after = prog.one("aws:ec2/instance:Instance", "host-instance").inputs;
  const changed = Object.keys({ ...before, ...after }).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  // The subnet is one AWS had chosen before: listed first in subnetIds it stays (docs/scale.md).
  expect(changed).toEqual(["subnetId"]);
  const group = (rs: readonly { type: string; name: string; inputs: Record<string, unknown> }[]) =>
    rs.find((r) => r.name === "host-sg")!.inputs.description;
  expect(group(prog.resources)).toBe(group(single));
});
