// The hosts on their own, under Pulumi's mocks: the EC2 instance with its network, IAM and
// readiness wait, the Docker provider over SSH, and the local Docker host.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as yaml from "js-yaml";
import type { AwsSettings } from "../../components/settings";
import type { Ec2Host as Ec2HostT } from "../../components/host/ec2";
import { containerSliceFiles, renderSliceInstallScript } from "../../configs/container-slices";
import { ALL_CONTAINER_NAMES } from "../../integrations";
import type { LocalHost as LocalHostT } from "../../components/host/local";
import { STACK_TAG } from "../../configs/docker";
import {
  AMI_ID,
  DEFAULT_VPC,
  calls,
  constructed,
  inputs,
  isSecret,
  one,
  optsOf,
  record,
  registered,
  setComponentMocks,
  settled,
  unwrap,
  valueOf,
} from "../helpers/component-mocks";

const SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHx1bfF0d6C5Cq3mZ5ZVn1rY0eAq5Wl7gD2wIu9mRk5y ops@example";
const PROD_AWS: AwsSettings = {
  region: "eu-west-1",
  instanceType: "t3.xlarge",
  rootVolumeGb: 120,
  sshPublicKey: SSH_KEY,
  sshUser: "ec2-user",
  grafanaAllowedCidrs: ["203.0.113.0/24", "198.51.100.0/24"],
  sshAllowedCidrs: ["198.51.100.7/32"],
  protectBuckets: true,
};
const ALT_AWS: AwsSettings = {
  ...PROD_AWS,
  vpcId: "vpc-0123456789abcdef0",
  subnetId: "subnet-0123456789abcdef0",
  grafanaAllowedCidrs: [],
  sshPrivateKey: pulumi.secret("-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n-----END OPENSSH PRIVATE KEY-----\n"),
  protectBuckets: false,
};

const BUCKET_ARNS = {
  prod: ["arn:aws:s3:::obs-prod-loki-x", "arn:aws:s3:::obs-prod-backup-x"],
  alt: ["arn:aws:s3:::obs-alt-loki-x", "arn:aws:s3:::obs-alt-backup-x"],
};

let host: Ec2HostT;
let altHost: Ec2HostT;
let local: LocalHostT;
const resolved: Record<string, unknown> = {};

beforeAll(async () => {
  await setComponentMocks();
  const { Ec2Host } = require("../../components/host/ec2") as typeof import("../../components/host/ec2");
  const { LocalHost } = require("../../components/host/local") as typeof import("../../components/host/local");
  host = new Ec2Host(
    "prod-host",
    {
      stack: "prod",
      aws: { ...PROD_AWS, sshAgentSocket: "/run/user/1000/ssh-agent.sock" },
      containers: ALL_CONTAINER_NAMES,
      tls: { domain: "grafana.example.com", route53ZoneId: "Z0123456789ABCDEFGHIJ" },
      buckets: { loki: BUCKET_ARNS.prod[0], backup: BUCKET_ARNS.prod[1] },
    },
    { transformations: [record] },
  );
  altHost = new Ec2Host(
    "alt-host",
    { stack: "alt", aws: ALT_AWS, containers: ALL_CONTAINER_NAMES, buckets: { loki: BUCKET_ARNS.alt[0], backup: BUCKET_ARNS.alt[1] } },
    { transformations: [record] },
  );
  local = new LocalHost("dev-host", { dockerHost: "unix:///var/run/docker.sock" }, { transformations: [record] });
  Object.assign(resolved, {
    lokiBucketArn: BUCKET_ARNS.prod[0],
    backupBucketArn: BUCKET_ARNS.prod[1],
    altLokiBucketArn: BUCKET_ARNS.alt[0],
    altBackupBucketArn: BUCKET_ARNS.alt[1],
    publicIp: await valueOf(host.publicIp),
    publicAddress: await valueOf(host.publicAddress),
    instanceId: await valueOf(host.instanceId),
    hostPublicKey: await valueOf(host.hostPublicKey),
    localAddress: await valueOf(local.publicAddress),
  });
  await settled();
});

describe("Ec2Host", () => {
  const AWS_TYPES_TAGGED = [
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/keyPair:KeyPair",
    "aws:iam/role:Role",
    "aws:iam/instanceProfile:InstanceProfile",
    "aws:ec2/instance:Instance",
    "aws:ec2/eip:Eip",
  ];

  it("uses its own AWS provider in the configured region for every AWS resource and lookup", () => {
    expect(inputs("pulumi:providers:aws", "prod-host-aws").region).toBe("eu-west-1");
    const own = registered.filter((r) => r.type.startsWith("aws:") && r.name.startsWith("prod-host"));
    expect(own.length).toBeGreaterThanOrEqual(7);
    for (const r of own) expect(r.provider).toMatch(/pulumi:providers:aws::prod-host-aws::/);
    const amiCalls = calls.filter((c) => c.token === "aws:ec2/getAmi:getAmi");
    expect(amiCalls).toHaveLength(2);
    expect(amiCalls.some((c) => /::prod-host-aws::/.test(c.provider ?? ""))).toBe(true);
  });

  it("tags every taggable resource with its name and the stack", () => {
    for (const type of AWS_TYPES_TAGGED) {
      const r = registered.filter((x) => x.type === type && x.name.startsWith("prod-host"));
      expect(r).toHaveLength(1);
      expect(unwrap(r[0].inputs)).toEqual(expect.objectContaining({ tags: { Name: r[0].name, [STACK_TAG]: "prod" } }));
    }
  });

  it("looks up the newest Amazon Linux 2023 x86_64 AMI from Amazon", () => {
    const c = calls.find((x) => x.token === "aws:ec2/getAmi:getAmi");
    expect(c?.inputs).toEqual({
      owners: ["amazon"],
      mostRecent: true,
      filters: [
        { name: "name", values: ["al2023-ami-2023.*-x86_64"] },
        { name: "architecture", values: ["x86_64"] },
      ],
    });
    expect(inputs("aws:ec2/instance:Instance", "prod-host-instance").ami).toBe(AMI_ID);
    // A newer AMI must not replace the host (and its data) on the next `up`.
    expect(optsOf("prod-host-instance").ignoreChanges).toEqual(["ami"]);
  });

  it("splits the role per bucket: Loki reads, writes and deletes its own; the backup job lists, reads, writes and expires its own", () => {
    const p = inputs("aws:iam/rolePolicy:RolePolicy", "prod-host-s3");
    expect(p.role).toBe("prod-host-role-1a2b3c");
    const [loki, backup] = [resolved.lokiBucketArn, resolved.backupBucketArn];
    expect(JSON.parse(p.policy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "LokiListBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [loki] },
        { Sid: "LokiObjects", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: [`${loki}/*`] },
        { Sid: "BackupListBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [backup] },
        { Sid: "BackupObjects", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: [`${backup}/*`] },
      ],
    });
    const alt = JSON.parse(inputs("aws:iam/rolePolicy:RolePolicy", "alt-host-s3").policy as string);
    expect(alt.Statement.map((st: { Resource: string[] }) => st.Resource[0])).toEqual([
      resolved.altLokiBucketArn,
      `${resolved.altLokiBucketArn}/*`,
      resolved.altBackupBucketArn,
      `${resolved.altBackupBucketArn}/*`,
    ]);
    // No other policy is attached to the role.
    expect(registered.filter((r) => r.type.startsWith("aws:iam/rolePolicyAttachment") || r.type.startsWith("aws:iam/policy:"))).toEqual([]);
  });

  it("lets only EC2 assume the role, and hands it to the instance through an instance profile", () => {
    const role = inputs("aws:iam/role:Role", "prod-host-role");
    expect(JSON.parse(role.assumeRolePolicy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
    expect(inputs("aws:iam/instanceProfile:InstanceProfile", "prod-host-profile").role).toBe("prod-host-role-1a2b3c");
    expect(inputs("aws:ec2/instance:Instance", "prod-host-instance").iamInstanceProfile).toBe("prod-host-profile-1a2b3c");
  });

  it("with a domain: HTTPS to the Grafana CIDRs, HTTP (ACME and redirect) to all, SSH to the SSH CIDRs, nothing on Grafana's port", () => {
    const sg = inputs<{ vpcId: string; ingress: Record<string, unknown>[]; egress: Record<string, unknown>[] }>(
      "aws:ec2/securityGroup:SecurityGroup",
      "prod-host-sg",
    );
    expect(sg.vpcId).toBe(DEFAULT_VPC);
    const rules = sg.ingress.map(({ description: _d, ...rest }) => rest);
    expect(rules).toEqual([
      { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["203.0.113.0/24", "198.51.100.0/24"] },
      { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] },
      { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["198.51.100.7/32"] },
    ]);
    expect(rules.some((r) => r.fromPort === 3000)).toBe(false);
    expect(sg.egress).toEqual([expect.objectContaining({ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] })]);
    // Nothing outside the group's inline rules.
    expect(registered.filter((r) => /securityGroupRule|SecurityGroupIngressRule/.test(r.type))).toEqual([]);
  });

  it("without a domain opens exactly SSH, and uses the configured VPC and subnet", () => {
    const sg = inputs<{ vpcId: string; ingress: Record<string, unknown>[] }>("aws:ec2/securityGroup:SecurityGroup", "alt-host-sg");
    expect(sg.vpcId).toBe("vpc-0123456789abcdef0");
    expect(sg.ingress.map((r) => [r.fromPort, r.toPort, r.cidrBlocks])).toEqual([[22, 22, ["198.51.100.7/32"]]]);
    expect(inputs("aws:ec2/instance:Instance", "alt-host-instance").subnetId).toBe("subnet-0123456789abcdef0");
    expect(inputs("aws:ec2/instance:Instance", "prod-host-instance").subnetId).toBeUndefined();
    // The default VPC is looked up only when no VPC is configured.
    expect(calls.filter((c) => c.token === "aws:ec2/getVpc:getVpc").map((c) => c.inputs)).toEqual([{ default: true }]);
  });

  it("registers the SSH public key as the instance's key pair", () => {
    expect(inputs("aws:ec2/keyPair:KeyPair", "prod-host-key").publicKey).toBe(SSH_KEY);
    expect(inputs("aws:ec2/instance:Instance", "prod-host-instance").keyName).toBe("prod-host-key-1a2b3c");
  });

  it("requires IMDSv2 with a hop limit of 2 and runs the configured instance type with monitoring", () => {
    const i = inputs("aws:ec2/instance:Instance", "prod-host-instance");
    expect(i.metadataOptions).toEqual({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 });
    expect(i.instanceType).toBe("t3.xlarge");
    expect(i.monitoring).toBe(true);
    expect(i.vpcSecurityGroupIds).toEqual(["sg-prod-host-sg"]);
  });

  it("has an encrypted gp3 root volume of the configured size that outlives the instance", () => {
    const i = inputs("aws:ec2/instance:Instance", "prod-host-instance");
    expect(i.rootBlockDevice).toEqual({
      encrypted: true,
      volumeType: "gp3",
      volumeSize: 120,
      deleteOnTermination: false,
      tags: { Name: "prod-host-root", [STACK_TAG]: "prod" },
    });
  });

  it("installs, configures and starts Docker with cloud-init, without replacing the host on a change", () => {
    const i = inputs("aws:ec2/instance:Instance", "prod-host-instance");
    const userData = i.userData as string;
    expect(userData.split("\n")[0]).toBe("#cloud-config");
    const cfg = yaml.load(userData) as {
      packages: string[];
      runcmd: string[][];
      write_files: { path: string; content: string }[];
    };
    expect(cfg.packages).toContain("docker");
    expect(cfg.runcmd).toContainEqual(["systemctl", "enable", "--now", "docker"]);
    expect(cfg.runcmd).toContainEqual(["usermod", "-aG", "docker", "ec2-user"]);
    const daemon = cfg.write_files.find((f) => f.path === "/etc/docker/daemon.json");
    expect(JSON.parse(daemon?.content ?? "{}")).toEqual({
      "log-driver": "json-file",
      "log-opts": { "max-size": "10m", "max-file": "3" },
      "live-restore": true,
      "no-new-privileges": true,
      icc: false,
      "exec-opts": ["native.cgroupdriver=systemd"],
    });
    // The metadata firewall: the role containers' fixed addresses on the stack network, and their
    // addresses on any other network they join, on whichever interface they send.
    const firewall = cfg.write_files.find((f) => f.path === "/usr/local/sbin/observability-metadata-firewall");
    expect(firewall?.content).toContain("-A OBS-METADATA-NEXT -i obs0 -s 172.30.53.10/32 -j RETURN");
    expect(firewall?.content).toContain("-A OBS-METADATA-NEXT -i obs0 -s 172.30.53.11/32 -j RETURN");
    expect(firewall?.content).toContain("for name in loki backup backup-restore prometheus grafana; do");
    expect(firewall?.content).toContain("iptables -w -I DOCKER-USER 1 -d 169.254.169.254/32 -j OBS-METADATA-NEXT");
    expect(cfg.runcmd).toContainEqual(["systemctl", "enable", "--now", "observability-metadata-firewall.service"]);
    // The unit starts after Docker, which creates DOCKER-USER.
    const order = cfg.runcmd.map((c) => c.join(" "));
    expect(order.indexOf("systemctl enable --now docker")).toBeLessThan(
      order.indexOf("systemctl enable --now observability-metadata-firewall.service"),
    );
    expect(i.userDataReplaceOnChange).toBe(false);
  });

  it("creates grafanaDomain's A record at the Elastic IP only when a zone is given", () => {
    expect(inputs("aws:route53/record:Record", "prod-host-grafana-dns")).toEqual(
      expect.objectContaining({ zoneId: "Z0123456789ABCDEFGHIJ", name: "grafana.example.com", type: "A", records: ["203.0.113.10"] }),
    );
    expect(registered.filter((r) => r.type === "aws:route53/record:Record").map((r) => r.name)).toEqual(["prod-host-grafana-dns"]);
  });

  it("gives the host a stable Elastic IP and exposes it", () => {
    const eip = inputs("aws:ec2/eip:Eip", "prod-host-eip");
    expect(eip.domain).toBe("vpc");
    expect(eip.instance).toBe(resolved.instanceId);
    expect(resolved.publicIp).toBe("203.0.113.10");
    expect(resolved.publicAddress).toBe("203.0.113.10");
    expect(resolved.instanceId).toMatch(/^i-/);
  });

  it("waits over SSH (agent) for cloud-init and Docker, again whenever the instance changes", () => {
    const w = inputs<{ connection: Record<string, unknown>; create: string; triggers: unknown[] }>(
      "command:remote:Command",
      "prod-host-wait-docker",
    );
    expect(w.connection).toEqual(
      expect.objectContaining({ host: "203.0.113.10", user: "ec2-user", agentSocketPath: "/run/user/1000/ssh-agent.sock" }),
    );
    expect(w.connection.privateKey).toBeUndefined();
    expect(w.create).toContain("cloud-init status --wait");
    // docker info with the docker group, which this (older) SSH session does not have yet.
    expect(w.create).toContain("sg docker -c 'docker info >/dev/null'");
    expect(w.triggers).toEqual([resolved.instanceId]);
    expect(host.ready).toHaveLength(2);
    expect(constructed.find((c) => c.name === "prod-host-wait-docker")?.resource).toBe(host.ready[0]);
  });

  it("installs the containers' task-limiting slices over SSH after the wait, on every host and again when a limit changes", () => {
    const t = inputs<{ connection: Record<string, unknown>; create: string; triggers: unknown[] }>(
      "command:remote:Command",
      "prod-host-task-slices",
    );
    expect(t.connection).toEqual(expect.objectContaining({ host: "203.0.113.10", user: "ec2-user" }));
    expect(t.create).toBe(renderSliceInstallScript(containerSliceFiles(ALL_CONTAINER_NAMES)));
    // A new instance runs it again; so does a changed script (a limit, a new container), since a
    // changed input re-runs `create` when the command has no `update`.
    expect(t.triggers).toEqual([resolved.instanceId]);
    expect(t).not.toHaveProperty("update");
    expect(optsOf("prod-host-task-slices").dependsOn).toEqual([host.ready[0]]);
    // Every container waits for host.ready, so none starts before its slice exists.
    expect(constructed.find((c) => c.name === "prod-host-task-slices")?.resource).toBe(host.ready[1]);
  });

  it("pins the host key cloud-init installs, for the remote commands and for Docker over SSH (issue 21)", () => {
    const i = inputs("aws:ec2/instance:Instance", "prod-host-instance");
    // The user data carries the private host key: it is a secret as a whole.
    expect(isSecret(one("aws:ec2/instance:Instance", "prod-host-instance").inputs.userData)).toBe(true);
    const cfg = yaml.load(i.userData as string) as { ssh_keys: Record<string, string>; ssh_deletekeys: boolean; ssh_genkeytypes: string[] };
    expect(Object.keys(cfg.ssh_keys).sort()).toEqual(["ed25519_private", "ed25519_public"]);
    expect(cfg.ssh_deletekeys).toBe(true);
    expect(cfg.ssh_genkeytypes).toEqual([]);
    // The pinned key is the public half of the installed one (derived by the real ssh-keygen).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostkey-"));
    fs.writeFileSync(path.join(dir, "key"), cfg.ssh_keys.ed25519_private, { mode: 0o600 });
    const derived = execFileSync("ssh-keygen", ["-y", "-f", path.join(dir, "key")], { encoding: "utf8" }).trim();
    fs.rmSync(dir, { recursive: true });
    expect(derived.split(" ").slice(0, 2).join(" ")).toBe(resolved.hostPublicKey);
    expect(cfg.ssh_keys.ed25519_public.startsWith(String(resolved.hostPublicKey))).toBe(true);
    for (const name of ["prod-host-wait-docker", "prod-host-task-slices"]) {
      const conn = inputs<{ connection: Record<string, unknown> }>("command:remote:Command", name).connection;
      expect({ name, hostKey: conn.hostKey }).toEqual({ name, hostKey: resolved.hostPublicKey });
    }
    // The public key is no secret (the command provider holds the whole connection as one anyway);
    // each host has its own.
    expect(isSecret(one("pulumi:providers:docker", "prod-host-docker").inputs.sshOpts)).toBe(false);
    expect(resolved.hostPublicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[A-Za-z0-9+/=]+$/);
    expect(inputs<{ connection: Record<string, unknown> }>("command:remote:Command", "alt-host-wait-docker").connection.hostKey).not.toBe(
      resolved.hostPublicKey,
    );
  });

  it("uses the private key as a secret when one is configured", () => {
    const raw = one("command:remote:Command", "alt-host-wait-docker").inputs.connection as Record<string, unknown>;
    const conn = unwrap(raw) as Record<string, unknown>;
    expect(conn.privateKey).toContain("BEGIN OPENSSH PRIVATE KEY");
    expect(conn.agentSocketPath).toBeUndefined();
    expect(isSecret(raw) || isSecret(raw.privateKey)).toBe(true);
  });

  it("points the Docker provider at ssh://ec2-user@<eip>, only after the wait", () => {
    const p = inputs("pulumi:providers:docker", "prod-host-docker");
    expect(p.host).toBe("ssh://ec2-user@203.0.113.10");
    const opts = JSON.parse(p.sshOpts as string) as string[];
    expect(opts).toEqual([
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      "UserKnownHostsFile=/dev/null",
      "-o",
      "GlobalKnownHostsFile=/dev/null",
      "-o",
      `KnownHostsCommand=/bin/echo 203.0.113.10 ${resolved.hostPublicKey}`,
      "-o",
      "HostKeyAlgorithms=ssh-ed25519",
      "-o",
      "ServerAliveInterval=30",
    ]);
    expect(optsOf("prod-host-docker").dependsOn).toEqual([host.ready[0]]);
    expect(constructed.find((c) => c.name === "prod-host-docker")?.resource).toBe(host.provider);
    expect(inputs("pulumi:providers:docker", "alt-host-docker").host).toBe("ssh://ec2-user@203.0.113.20");
    expect(altHost.ready).toHaveLength(2);
  });

  it("skips the Docker daemon check, so a preview needs no SSH to the host (the local provider keeps it)", () => {
    // Provider inputs reach the mocks as strings.
    expect(inputs("pulumi:providers:docker", "prod-host-docker").disableDockerDaemonCheck).toBe("true");
    expect(inputs("pulumi:providers:docker", "alt-host-docker").disableDockerDaemonCheck).toBe("true");
    expect(inputs("pulumi:providers:docker", "dev-host-docker").disableDockerDaemonCheck).toBeUndefined();
  });

  it("parents every child to its component", () => {
    for (const c of constructed.filter((x) => /^(prod|alt)-host-/.test(x.name))) {
      const parent = c.opts.parent as pulumi.Resource | undefined;
      expect(parent).toBeDefined();
      expect([host, altHost]).toContain(parent);
    }
  });
});

describe("LocalHost", () => {
  it("is a Docker provider for the given host with nothing to wait for", () => {
    expect(inputs("pulumi:providers:docker", "dev-host-docker").host).toBe("unix:///var/run/docker.sock");
    expect(local.ready).toEqual([]);
    expect(resolved.localAddress).toBe("localhost");
  });
});
