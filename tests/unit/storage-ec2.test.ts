// Storage and Ec2Host on their own, under Pulumi's mocks: what reaches the engine (every resource's
// inputs and options) is what AWS and Docker would get. The whole program is tested elsewhere.
import * as pulumi from "@pulumi/pulumi";
import * as yaml from "js-yaml";
import type { AwsSettings } from "../../components/settings";
import type { Storage as StorageT } from "../../components/storage";
import type { Ec2Host as Ec2HostT } from "../../components/host/ec2";
import type { LocalHost as LocalHostT } from "../../components/host/local";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  provider?: string;
}
interface Constructed {
  type: string;
  name: string;
  resource: pulumi.Resource;
  opts: pulumi.ResourceOptions;
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const AMI_ID = "ami-0123456789abcdef0";
const DEFAULT_VPC = "vpc-0defa017defa017de";
const EIP = { "prod-host": "203.0.113.10", "alt-host": "203.0.113.20" } as Record<string, string>;

const registered: Registered[] = [];
const calls: pulumi.runtime.MockCallArgs[] = [];
const constructed: Constructed[] = [];
/** Records every resource's options (dependsOn, protect, ...), which the mocks never see. */
const record: pulumi.ResourceTransformation = (a) => {
  constructed.push({ type: a.type, name: a.name, resource: a.resource, opts: a.opts });
  return undefined;
};

/** Secret inputs arrive wrapped in an object carrying Pulumi's signature; unwrap them. */
function unwrap(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unwrap);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (SECRET_SIG in o) return unwrap(o.value);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrap(x)]));
  }
  return v;
}
function isSecret(v: unknown): boolean {
  return !!v && typeof v === "object" && SECRET_SIG in (v as object);
}

function one(type: string, name: string): Registered {
  const found = registered.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
  return found[0];
}
function inputs<T = Record<string, unknown>>(type: string, name: string): T {
  return unwrap(one(type, name).inputs) as T;
}
function optsOf(name: string): pulumi.ResourceOptions {
  const c = constructed.find((x) => x.name === name);
  if (!c) throw new Error(`no resource named ${name} was constructed`);
  return c.opts;
}

function mocks(): pulumi.runtime.Mocks {
  return {
    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
      const state: Record<string, unknown> = { ...args.inputs };
      const host = args.name.replace(/-(instance|eip|key|role|profile)$/, "");
      switch (args.type) {
        case "aws:s3/bucket:Bucket": {
          const bucket = `${args.inputs.bucketPrefix}20260101000000000000000001`;
          return { id: bucket, state: { ...state, bucket, arn: `arn:aws:s3:::${bucket}` } };
        }
        case "aws:ec2/instance:Instance":
          return { id: `i-0${host.length}0000000000000a`, state: { ...state, publicIp: "198.51.100.99", arn: "arn:instance" } };
        case "aws:ec2/eip:Eip":
          return { id: `eipalloc-${host}`, state: { ...state, publicIp: EIP[host] } };
        case "aws:ec2/keyPair:KeyPair":
          return { id: `${args.name}-1a2b3c`, state: { ...state, keyName: `${args.name}-1a2b3c` } };
        case "aws:iam/role:Role":
          return { id: `${args.name}-1a2b3c`, state: { ...state, name: `${args.name}-1a2b3c`, arn: `arn:aws:iam::123456789012:role/${args.name}` } };
        case "aws:iam/instanceProfile:InstanceProfile":
          return { id: `${args.name}-1a2b3c`, state: { ...state, name: `${args.name}-1a2b3c` } };
        case "aws:ec2/securityGroup:SecurityGroup":
          return { id: `sg-${args.name}`, state };
        default:
          return { id: args.custom === false ? undefined : `${args.name}_id`, state };
      }
    },
    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
      calls.push(args);
      if (args.token === "aws:ec2/getAmi:getAmi") return { id: AMI_ID, imageId: AMI_ID, architecture: "x86_64", name: "al2023-ami-2023.9.0-x86_64" };
      if (args.token === "aws:ec2/getVpc:getVpc") return { id: DEFAULT_VPC, cidrBlock: "172.31.0.0/16", default: true };
      throw new Error(`unexpected call ${args.token}`);
    },
  };
}

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

let storage: StorageT;
let altStorage: StorageT;
let host: Ec2HostT;
let altHost: Ec2HostT;
let local: LocalHostT;
const resolved: Record<string, unknown> = {};

function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply(resolve));
}

beforeAll(async () => {
  await pulumi.runtime.setMocks(mocks(), "observability-stack", "prod", false);
  const { Storage } = require("../../components/storage") as typeof import("../../components/storage");
  const { Ec2Host } = require("../../components/host/ec2") as typeof import("../../components/host/ec2");
  const { LocalHost } = require("../../components/host/local") as typeof import("../../components/host/local");

  storage = new Storage("prod-storage", { stack: "prod", backupRetentionDays: 45, protect: true }, { transformations: [record] });
  host = new Ec2Host(
    "prod-host",
    {
      stack: "prod",
      aws: PROD_AWS,
      grafanaPort: 3000,
      bucketArns: [storage.lokiBucketArn, storage.backupBucketArn],
      region: "eu-west-1",
      agentSocketPath: "/run/user/1000/ssh-agent.sock",
    },
    { transformations: [record] },
  );
  altStorage = new Storage(
    "alt-storage",
    { stack: "Team_B.Staging", backupRetentionDays: 7, protect: false, region: "us-east-2" },
    { transformations: [record] },
  );
  altHost = new Ec2Host(
    "alt-host",
    { stack: "alt", aws: ALT_AWS, grafanaPort: 3001, bucketArns: [altStorage.lokiBucketArn, altStorage.backupBucketArn] },
    { transformations: [record] },
  );
  local = new LocalHost("dev-host", { dockerHost: "unix:///var/run/docker.sock" }, { transformations: [record] });

  Object.assign(resolved, {
    lokiBucketName: await valueOf(storage.lokiBucketName),
    lokiBucketArn: await valueOf(storage.lokiBucketArn),
    backupBucketName: await valueOf(storage.backupBucketName),
    backupBucketArn: await valueOf(storage.backupBucketArn),
    altLokiBucketArn: await valueOf(altStorage.lokiBucketArn),
    altBackupBucketArn: await valueOf(altStorage.backupBucketArn),
    publicIp: await valueOf(host.publicIp),
    publicAddress: await valueOf(host.publicAddress),
    instanceId: await valueOf(host.instanceId),
    localAddress: await valueOf(local.publicAddress),
  });
  // Every constructed resource has reached the mocks once its URN resolves.
  await Promise.all(constructed.map((c) => valueOf(c.resource.urn)));
});

const BUCKETS = [
  { name: "prod-storage-loki", purpose: "loki" },
  { name: "prod-storage-backup", purpose: "backup" },
];

describe("Storage", () => {
  it("creates exactly two buckets, named after the stack, never force-destroyed, protected", () => {
    const buckets = registered.filter((r) => r.type === "aws:s3/bucket:Bucket" && r.name.startsWith("prod-storage"));
    expect(buckets.map((b) => b.name).sort()).toEqual(["prod-storage-backup", "prod-storage-loki"]);
    for (const { name, purpose } of BUCKETS) {
      const b = inputs(`aws:s3/bucket:Bucket`, name);
      expect(b.bucketPrefix).toBe(`obs-prod-${purpose}-`);
      expect(b.forceDestroy).toBe(false);
      expect(b.tags).toEqual({ Name: name, "observability-stack:stack": "prod" });
      // The deprecated inline settings are not used; the separate resources own them.
      for (const k of ["versioning", "serverSideEncryptionConfiguration", "lifecycleRules", "policy", "acl"]) expect(b[k]).toBeUndefined();
      expect(optsOf(name).protect).toBe(true);
      expect(optsOf(name).retainOnDelete).toBeUndefined();
    }
    expect(optsOf("alt-storage-loki").protect).toBe(false);
  });

  it("exposes bucket names and ARNs", () => {
    expect(resolved.lokiBucketName).toMatch(/^obs-prod-loki-/);
    expect(resolved.lokiBucketArn).toBe(`arn:aws:s3:::${resolved.lokiBucketName}`);
    expect(resolved.backupBucketName).toMatch(/^obs-prod-backup-/);
    expect(resolved.backupBucketArn).toBe(`arn:aws:s3:::${resolved.backupBucketName}`);
  });

  it("derives valid bucket prefixes from any stack name", () => {
    const prefix = inputs("aws:s3/bucket:Bucket", "alt-storage-backup").bucketPrefix as string;
    expect(prefix).toBe("obs-team-b-staging-backup-");
    const { bucketPrefix } = require("../../components/storage") as typeof import("../../components/storage");
    const long = bucketPrefix("A_Very.Long--Stack_Name-For-Some-Customer-Environment", "backup");
    expect(long.length).toBeLessThanOrEqual(37);
    expect(long).toMatch(/^obs-[a-z0-9][a-z0-9-]*[a-z0-9]-backup-$/);
  });

  it("encrypts every object by default with SSE-S3", () => {
    for (const { name } of BUCKETS) {
      const sse = inputs("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${name}-encryption`);
      expect(sse.bucket).toBe(name.endsWith("loki") ? resolved.lokiBucketName : resolved.backupBucketName);
      expect(sse.rules).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
    }
  });

  it("blocks every kind of public access and disables ACLs", () => {
    for (const { name } of BUCKETS) {
      const pab = inputs("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${name}-public-access`);
      expect(pab).toEqual(
        expect.objectContaining({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }),
      );
      const own = inputs("aws:s3/bucketOwnershipControls:BucketOwnershipControls", `${name}-ownership`);
      expect(own.rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
    }
  });

  it("enables versioning", () => {
    for (const { name } of BUCKETS) {
      const v = inputs("aws:s3/bucketVersioning:BucketVersioning", `${name}-versioning`);
      expect(v.versioningConfiguration).toEqual({ status: "Enabled" });
    }
  });

  it("denies every request made without TLS, after the public access block exists", () => {
    for (const { name } of BUCKETS) {
      const arn = name.endsWith("loki") ? resolved.lokiBucketArn : resolved.backupBucketArn;
      const p = inputs("aws:s3/bucketPolicy:BucketPolicy", `${name}-tls-only`);
      expect(JSON.parse(p.policy as string)).toEqual({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [arn, `${arn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      });
      const pab = constructed.find((c) => c.name === `${name}-public-access`)?.resource;
      expect(pab).toBeDefined();
      expect(optsOf(`${name}-tls-only`).dependsOn).toEqual([pab]);
    }
  });

  it("expires Loki's noncurrent versions after 7 days and aborts stale uploads after 1", () => {
    const l = inputs<{ rules: Record<string, unknown>[] }>("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "prod-storage-loki-lifecycle");
    expect(l.rules).toHaveLength(1);
    expect(l.rules[0]).toEqual(
      expect.objectContaining({
        status: "Enabled",
        filter: {},
        noncurrentVersionExpiration: { noncurrentDays: 7 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        // Never expires current chunks: Loki's compactor owns retention.
        expiration: { expiredObjectDeleteMarker: true },
      }),
    );
  });

  it("expires backups after the retention, noncurrent versions after 7 days, stale uploads after 1", () => {
    const l = inputs<{ rules: Record<string, unknown>[] }>("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "prod-storage-backup-lifecycle");
    expect(l.rules).toHaveLength(1);
    expect(l.rules[0]).toEqual(
      expect.objectContaining({
        status: "Enabled",
        filter: {},
        expiration: { days: 45 },
        noncurrentVersionExpiration: { noncurrentDays: 7 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
      }),
    );
    const v = constructed.find((c) => c.name === "prod-storage-backup-versioning")?.resource;
    expect(optsOf("prod-storage-backup-lifecycle").dependsOn).toEqual([v]);
  });

  it("uses the default provider unless given a region, then its own provider in that region", () => {
    for (const r of registered.filter((x) => x.type.startsWith("aws:s3/") && x.name.startsWith("prod-storage"))) {
      expect(r.provider ?? "").not.toMatch(/pulumi:providers:aws::/);
    }
    expect(inputs("pulumi:providers:aws", "alt-storage-aws").region).toBe("us-east-2");
    for (const r of registered.filter((x) => x.type.startsWith("aws:s3/") && x.name.startsWith("alt-storage"))) {
      expect(r.provider).toMatch(/pulumi:providers:aws::alt-storage-aws::/);
    }
  });
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
      expect(unwrap(r[0].inputs)).toEqual(expect.objectContaining({ tags: { Name: r[0].name, "observability-stack:stack": "prod" } }));
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

  it("grants the instance exactly ListBucket on the two buckets and object read/write/delete in them", () => {
    const p = inputs("aws:iam/rolePolicy:RolePolicy", "prod-host-s3");
    expect(p.role).toBe("prod-host-role-1a2b3c");
    const arns = [resolved.lokiBucketArn, resolved.backupBucketArn];
    expect(JSON.parse(p.policy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "ListBuckets", Effect: "Allow", Action: ["s3:ListBucket"], Resource: arns },
        {
          Sid: "ReadWriteObjects",
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
          Resource: arns.map((a) => `${a}/*`),
        },
      ],
    });
    const alt = JSON.parse(inputs("aws:iam/rolePolicy:RolePolicy", "alt-host-s3").policy as string);
    expect(alt.Statement[0].Resource).toEqual([resolved.altLokiBucketArn, resolved.altBackupBucketArn]);
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

  it("opens only Grafana to the Grafana CIDRs and SSH to the SSH CIDRs", () => {
    const sg = inputs<{ vpcId: string; ingress: Record<string, unknown>[]; egress: Record<string, unknown>[] }>(
      "aws:ec2/securityGroup:SecurityGroup",
      "prod-host-sg",
    );
    expect(sg.vpcId).toBe(DEFAULT_VPC);
    const rules = sg.ingress.map(({ description: _d, ...rest }) => rest);
    expect(rules).toEqual([
      { protocol: "tcp", fromPort: 3000, toPort: 3000, cidrBlocks: ["203.0.113.0/24", "198.51.100.0/24"] },
      { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["198.51.100.7/32"] },
    ]);
    expect(sg.egress).toEqual([expect.objectContaining({ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] })]);
    // Nothing outside the group's inline rules.
    expect(registered.filter((r) => /securityGroupRule|SecurityGroupIngressRule/.test(r.type))).toEqual([]);
  });

  it("omits the Grafana rule when no Grafana CIDR is allowed, and uses the configured VPC and subnet", () => {
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
      tags: { Name: "prod-host-root", "observability-stack:stack": "prod" },
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
    expect(JSON.parse(daemon?.content ?? "{}")).toEqual({ "log-driver": "json-file", "log-opts": { "max-size": "10m", "max-file": "3" } });
    expect(i.userDataReplaceOnChange).toBe(false);
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
    const w = inputs<{ connection: Record<string, unknown>; create: string; triggers: unknown[] }>("command:remote:Command", "prod-host-wait-docker");
    expect(w.connection).toEqual(
      expect.objectContaining({ host: "203.0.113.10", user: "ec2-user", agentSocketPath: "/run/user/1000/ssh-agent.sock" }),
    );
    expect(w.connection.privateKey).toBeUndefined();
    expect(w.create).toContain("cloud-init status --wait");
    // docker info with the docker group, which this (older) SSH session does not have yet.
    expect(w.create).toContain("sg docker -c 'docker info >/dev/null'");
    expect(w.triggers).toEqual([resolved.instanceId]);
    expect(host.ready).toHaveLength(1);
    expect(constructed.find((c) => c.name === "prod-host-wait-docker")?.resource).toBe(host.ready[0]);
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
    expect(JSON.parse(p.sshOpts as string)).toEqual(["-o", "StrictHostKeyChecking=accept-new", "-o", "ServerAliveInterval=30"]);
    expect(optsOf("prod-host-docker").dependsOn).toEqual([host.ready[0]]);
    expect(constructed.find((c) => c.name === "prod-host-docker")?.resource).toBe(host.provider);
    expect(inputs("pulumi:providers:docker", "alt-host-docker").host).toBe("ssh://ec2-user@203.0.113.20");
    expect(altHost.ready).toHaveLength(1);
  });

  it("parents every child to its component", () => {
    for (const c of constructed.filter((x) => /^(prod|alt)-(host|storage)-/.test(x.name))) {
      const parent = c.opts.parent as pulumi.Resource | undefined;
      expect(parent).toBeDefined();
      expect([host, altHost, storage, altStorage]).toContain(parent);
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
