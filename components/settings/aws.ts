// The ec2 target's settings: region, instance, network and who may reach the host. Rejected
// on the local target, where they would silently do nothing.
import type { SettingKey } from "./schema";
import * as pulumi from "@pulumi/pulumi";
import { AWS_REGION_PATTERN } from "../../configs/patterns";
import { cidrListProblems } from "../../configs/network-checks";
import { instanceMemoryMb } from "../../configs/instance-memory";
import { checkSshPrivateKey, checkSshPublicKey } from "../../configs/ssh-keys";
import { range, show } from "./checks";
import { Reader } from "./reader";
import { PROJECT, Target } from "./schema";

export interface AwsSettings {
  readonly region: string;
  readonly instanceType: string;
  /** Memory of instanceType in MB (configs/instance-memory.ts); unset: not checked. */
  readonly memoryMb?: number;
  readonly rootVolumeGb: number;
  readonly vpcId?: string;
  readonly subnetId?: string;
  readonly sshPublicKey: string;
  readonly sshUser: string;
  /** Optional; without it the SSH agent is used. */
  readonly sshPrivateKey?: pulumi.Output<string>;
  readonly sshAgentSocket?: string;
  readonly grafanaAllowedCidrs: readonly string[];
  readonly sshAllowedCidrs: readonly string[];
  readonly protectBuckets: boolean;
}

const AWS_KEYS = [
  "awsRegion",
  "instanceType",
  "rootVolumeGb",
  "vpcId",
  "subnetId",
  "sshPublicKey",
  "grafanaAllowedCidrs",
  "sshAllowedCidrs",
  "protectBuckets",
] as const satisfies readonly SettingKey[];

/** Reads an allow-list and reports each bad entry and a too-wide union, one message each. */
function cidrList(r: Reader, key: "grafanaAllowedCidrs" | "sshAllowedCidrs", wideAcknowledged: boolean): readonly string[] {
  const list = r.value<readonly string[]>(key);
  const problems = cidrListProblems(key, list, wideAcknowledged);
  r.failEach(problems);
  return problems.length > 0 ? [] : list;
}

export function readAws(r: Reader, target: Target, env: NodeJS.ProcessEnv, grafanaDomain: string | undefined): AwsSettings | undefined {
  const region = r.value<string>("awsRegion", (v) =>
    AWS_REGION_PATTERN.test(v) ? undefined : `${show(v)} is not an AWS region; use e.g. us-east-1 or eu-west-1`,
  );
  const instanceType = r.value<string>("instanceType", (v) => {
    if (!/^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(v)) return `${show(v)} is not an EC2 instance type; use e.g. t3.xlarge`;
    const memory = instanceMemoryMb(v);
    return typeof memory === "number" ? undefined : `${show(v)} ${memory.problem}`;
  });
  const memoryMb = instanceMemoryMb(instanceType);
  const rootVolumeGb = r.value<number>("rootVolumeGb", range(30, 16384, "GB"));
  const vpcId = r.value<string>("vpcId", (v) =>
    v === "" || /^vpc-[0-9a-f]{8,17}$/.test(v) ? undefined : `${show(v)} is not a VPC id; use vpc-0123456789abcdef0`,
  );
  const subnetId = r.value<string>("subnetId", (v) =>
    v === "" || /^subnet-[0-9a-f]{8,17}$/.test(v) ? undefined : `${show(v)} is not a subnet id; use subnet-0123456789abcdef0`,
  );
  const sshPublicKey = r.value<string>("sshPublicKey", (v) => (v === "" ? undefined : checkSshPublicKey(v)));
  // Amazon Linux 2023 installs the key pair for this user only.
  const sshUser = "ec2-user";
  // Read (and type-checked) once, by the TLS settings before these.
  const wide = !r.hasProblem("allowWideIngress") && r.value<boolean>("allowWideIngress");
  const grafanaAllowedCidrs = cidrList(r, "grafanaAllowedCidrs", wide);
  const sshAllowedCidrs = cidrList(r, "sshAllowedCidrs", wide);
  const protectBuckets = r.value<boolean>("protectBuckets");
  const sshPrivateKey = r.secret("sshPrivateKey");

  if (target !== "ec2") {
    const stray = AWS_KEYS.filter((k) => r.isSet(k));
    if (stray.length > 0)
      r.fail(stray[0], `is only used with target ec2 (this stack's target is ${target}); remove ${stray.join(", ")} or set target to ec2`);
    if (sshPrivateKey !== undefined)
      r.fail("sshPrivateKey", `is only used with target ec2 (this stack's target is ${target}); remove the secret`);
    return undefined;
  }
  // Checked on its text now: a key the command provider cannot parse fails only at `up`.
  const privateKeyProblem =
    sshPrivateKey !== undefined && r.canReadSecrets() ? checkSshPrivateKey(r.secretText("sshPrivateKey")) : undefined;
  if (privateKeyProblem) r.fail("sshPrivateKey", privateKeyProblem);
  if (sshPublicKey === "" && !r.hasProblem("sshPublicKey"))
    r.fail("sshPublicKey", "is missing; target ec2 needs your SSH public key (the line from ~/.ssh/id_ed25519.pub)");
  if (grafanaDomain === undefined && r.isSet("grafanaAllowedCidrs") && !r.hasProblem("grafanaAllowedCidrs")) {
    r.fail(
      "grafanaAllowedCidrs",
      "is only used with grafanaDomain: without it Grafana stays on the host's loopback and is reached through sshTunnelCommand; set grafanaDomain or remove the list",
    );
  }
  if (grafanaDomain !== undefined && grafanaAllowedCidrs.length === 0 && !r.hasProblem("grafanaAllowedCidrs")) {
    r.fail(
      "grafanaAllowedCidrs",
      `is empty; with grafanaDomain on ec2 list who may open https://${grafanaDomain} (office, VPN; at most a /16 in total)`,
    );
  }
  if (sshAllowedCidrs.length === 0 && !r.hasProblem("sshAllowedCidrs")) {
    r.fail(
      "sshAllowedCidrs",
      "is empty; target ec2 reaches Docker on the host over SSH, so allow at least your own address (e.g. [203.0.113.7/32])",
    );
  }
  if (subnetId !== "" && vpcId === "") r.fail("subnetId", "is set without vpcId; set both (the security group lives in the VPC)");
  if (sshPrivateKey === undefined && !env.SSH_AUTH_SOCK) {
    // Not fatal for preview: the key may be in an agent by the time `up` runs. Pulumi warns.
    pulumi.log.warn(
      `${PROJECT}: neither sshPrivateKey nor SSH_AUTH_SOCK is set; 'pulumi up' needs your key in an SSH agent or ~/.ssh to reach the ec2 host`,
    );
  }
  return {
    region,
    instanceType,
    memoryMb: typeof memoryMb === "number" ? memoryMb : 0,
    rootVolumeGb,
    vpcId: vpcId || undefined,
    subnetId: subnetId || undefined,
    sshPublicKey: sshPublicKey.trim(),
    sshUser,
    sshPrivateKey,
    sshAgentSocket: env.SSH_AUTH_SOCK,
    grafanaAllowedCidrs,
    sshAllowedCidrs,
    protectBuckets,
  };
}
