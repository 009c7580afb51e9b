// Runs the real program (index.ts) under Pulumi's mocks and records every resource with its
// inputs. Unit tests assert on the recording; `npm run render` writes the uploads it contains,
// so users review exactly the files each container would receive.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { SECRETS_FOR_LABEL } from "../configs/docker";
import { secretPlaceholder } from "./secret-placeholders";

export const ROOT = path.join(__dirname, "..");

/** The project name declared in a source tree's Pulumi.yaml (the prefix of its config keys). */
export function projectName(root: string): string {
  const doc = yaml.load(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { name?: unknown } | undefined;
  if (typeof doc?.name !== "string") throw new Error(`${root}/Pulumi.yaml has no project name`);
  return doc.name;
}

/** Pulumi's marker for a secret value inside resource inputs (sdk/nodejs/runtime/rpc.ts). */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  /** Inputs with secrets unwrapped to their values. */
  readonly inputs: Record<string, unknown>;
  /** Dotted paths of inputs that arrived as secrets. */
  readonly secretPaths: string[];
  readonly provider?: string;
}

export interface ProgramRun {
  readonly resources: RecordedResource[];
  readonly outputs: Record<string, { value: unknown; secret: boolean }>;
  readonly invokes: { token: string; args: Record<string, unknown> }[];
  byType(type: string): RecordedResource[];
  one(type: string, name: string): RecordedResource;
}

export interface RunOptions {
  readonly stack: string;
  /**
   * Source tree whose program runs (default: this checkout). `npm run review` points it at an
   * older commit's sources, so the recording works even for commits that predate this file.
   */
  readonly root?: string;
  /** Stack file whose config is used (default Pulumi.<stack>.yaml); `secure:` values become placeholders. */
  readonly stackFile?: string;
  /** Extra or overriding settings, without the project prefix. */
  readonly config?: Record<string, unknown>;
  /** Secret settings, without the project prefix. */
  readonly secrets?: Record<string, string>;
}

/** A stack file's config as Pulumi hands it to the program. */
export interface StackConfig {
  /** `project:key` → string; a `secure:` value replaced by its labelled placeholder. */
  readonly config: Record<string, string>;
  /** The `project:key`s that were `secure:`: Pulumi passes them in PULUMI_CONFIG_SECRET_KEYS. */
  readonly secretKeys: string[];
}

/**
 * Config of a stack file, read as Pulumi reads it: a `secure:` value is a secret (listed in
 * secretKeys) whose text only the stack's secrets provider could decrypt, so it is replaced by
 * a placeholder that names the key (harness/secret-placeholders.ts).
 */
export function stackConfig(file: string): StackConfig {
  const doc = (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(doc.config ?? {})) {
    if (typeof value === "object" && value !== null && "secure" in value) {
      config[key] = secretPlaceholder(key.slice(key.indexOf(":") + 1));
      secretKeys.push(key);
    } else {
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return { config, secretKeys };
}

function unwrap(value: unknown, at: string, secrets: string[]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => unwrap(v, `${at}[${i}]`, secrets));
  if (typeof value === "object" && value !== null) {
    const obj = value as Record<string, unknown>;
    if (obj[SECRET_SIG] === SECRET_VALUE) {
      secrets.push(at);
      return unwrap(obj.value, at, []);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = unwrap(v, at ? `${at}.${k}` : k, secrets);
    return out;
  }
  return value;
}

/** Plausible provider outputs for the resources the program reads back. */
function mockState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case "docker:index/remoteImage:RemoteImage":
      return { ...inputs, imageId: `sha256:${Buffer.from(String(inputs.name)).toString("hex").slice(0, 32)}` };
    case "random:index/randomPassword:RandomPassword":
      // A fixed, well-formed bcrypt string: the real one is salted, and the golden records must
      // not change between runs.
      return {
        ...inputs,
        result: pulumi.secret("mock-password-0123456789abcdef"),
        bcryptHash: pulumi.secret(
          `$2a$10$${"mockmockmockmockmockmo"}${name
            .replace(/[^A-Za-z0-9]/g, "")
            .padEnd(31, "x")
            .slice(0, 31)}`,
        ),
      };
    case "random:index/randomBytes:RandomBytes": {
      // Fixed bytes per resource name (the golden records must not change between runs); secret
      // as the provider declares them (additionalSecretOutputs, which mocks do not apply).
      const bytes = createHash("sha256")
        .update(name)
        .digest()
        .subarray(0, Number(inputs.length ?? 32));
      return { ...inputs, base64: pulumi.secret(bytes.toString("base64")), hex: pulumi.secret(bytes.toString("hex")) };
    }
    case "aws:s3/bucket:Bucket": {
      const bucket = `${String(inputs.bucketPrefix ?? name)}mock`;
      return { ...inputs, bucket, arn: `arn:aws:s3:::${bucket}` };
    }
    case "docker:index/container:Container":
      // A one-shot container (attach) has run to completion: the restore succeeded.
      return inputs.attach ? { ...inputs, exitCode: 0, containerLogs: "restore complete\n" } : inputs;
    case "aws:ec2/instance:Instance":
      // The pair's second host ("host-b-instance") gets addresses of its own.
      return {
        ...inputs,
        publicIp: "203.0.113.10",
        privateIp: name === "host-instance" ? "10.0.0.10" : "10.0.1.10",
        arn: `arn:aws:ec2:::instance/i-mock`,
      };
    case "aws:ec2/eip:Eip":
      return { ...inputs, publicIp: name === "host-eip" ? "198.51.100.20" : "198.51.100.21", allocationId: "eipalloc-mock" };
    case "tls:index/privateKey:PrivateKey":
      return { ...inputs, privateKeyPem: pulumi.secret(`-----BEGIN PRIVATE KEY-----\nmock key of ${name}\n-----END PRIVATE KEY-----\n`) };
    case "tls:index/selfSignedCert:SelfSignedCert":
    case "tls:index/locallySignedCert:LocallySignedCert":
      return { ...inputs, certPem: `-----BEGIN CERTIFICATE-----\nmock certificate of ${name}\n-----END CERTIFICATE-----\n` };
    case "tls:index/certRequest:CertRequest":
      return {
        ...inputs,
        certRequestPem: `-----BEGIN CERTIFICATE REQUEST-----\nmock request of ${name}\n-----END CERTIFICATE REQUEST-----\n`,
      };
    case "aws:acm/certificate:Certificate":
      return {
        ...inputs,
        arn: `arn:aws:acm:eu-west-1:123456789012:certificate/${name}`,
        domainValidationOptions: [
          {
            domainName: inputs.domainName,
            resourceRecordName: `_mock.${String(inputs.domainName)}.`,
            resourceRecordType: "CNAME",
            resourceRecordValue: "_mock.acm-validations.aws.",
          },
        ],
      };
    case "aws:acm/certificateValidation:CertificateValidation":
      return { ...inputs };
    case "aws:lb/loadBalancer:LoadBalancer":
      return {
        ...inputs,
        arn: `arn:aws:elasticloadbalancing:::loadbalancer/${name}`,
        dnsName: `${name}.eu-west-1.elb.amazonaws.com`,
        zoneId: "Z32O12XQLNTSW2",
      };
    case "aws:route53/record:Record":
      return { ...inputs, fqdn: String(inputs.name) };
    case "aws:amp/workspace:Workspace":
      return {
        ...inputs,
        arn: "arn:aws:aps:eu-west-1:123456789012:workspace/ws-0mock",
        prometheusEndpoint: "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0mock/",
      };
    case "aws:iam/role:Role":
    case "aws:iam/instanceProfile:InstanceProfile":
      return { ...inputs, arn: `arn:aws:iam::123456789012:${type.endsWith("Role") ? "role" : "instance-profile"}/${name}`, name };
    default:
      return { ...inputs, name: inputs.name ?? name, arn: `arn:aws:mock:::${name}` };
  }
}

function mockInvoke(token: string, args: Record<string, unknown>): Record<string, unknown> {
  switch (token) {
    case "aws:ec2/getAmi:getAmi":
      return { id: "ami-0123456789abcdef0", name: "al2023-ami-2023.9.20251101.0-kernel-6.1-x86_64", architecture: "x86_64" };
    case "aws:ec2/getVpc:getVpc":
      return { id: "vpc-0123456789abcdef0", cidrBlock: "172.31.0.0/16" };
    case "aws:ec2/getSubnets:getSubnets":
      // The default VPC's default subnets, one per zone (as AWS makes them).
      return { id: "mock", ids: ["subnet-0c0000000000000c3", "subnet-0a0000000000000a1", "subnet-0b0000000000000b2"] };
    case "aws:ec2/getSubnet:getSubnet":
      // A subnet's zone is the letter its mock id is made of (subnet-0a… in eu-west-1a).
      return { id: args.id, availabilityZone: `eu-west-1${String(args.id).charAt(8)}` };
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/mock", userId: "mock" };
    case "aws:index/getRegion:getRegion":
      return { name: String(args.name ?? "eu-west-1"), region: String(args.region ?? "eu-west-1") };
    default:
      return args;
  }
}

/**
 * Loads index.ts under mocks and waits until no new resource has been registered for a while.
 * Call once per process (jest: once per test file): Pulumi's runtime state is global.
 */
export async function runProgram(opts: RunOptions): Promise<ProgramRun> {
  const root = opts.root ?? ROOT;
  const project = projectName(root);
  const resources: RecordedResource[] = [];
  const invokes: { token: string; args: Record<string, unknown> }[] = [];
  let counter = 0;
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        const secretPaths: string[] = [];
        const inputs = unwrap(args.inputs, "", secretPaths) as Record<string, unknown>;
        resources.push({ type: args.type, name: args.name, inputs, secretPaths, provider: args.provider });
        counter++;
        return { id: `${args.name}-id`, state: mockState(args.type, args.name, inputs) };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        const a = unwrap(args.inputs, "", []) as Record<string, unknown>;
        invokes.push({ token: args.token, args: a });
        return mockInvoke(args.token, a);
      },
    },
    project,
    opts.stack,
    false,
  );

  const { config, secretKeys } = stackConfig(opts.stackFile ?? path.join(root, `Pulumi.${opts.stack}.yaml`));
  const secret = new Set(secretKeys);
  // As `pulumi config set` would: a plain value replaces a secret one, and the other way round.
  for (const [k, v] of Object.entries(opts.config ?? {})) {
    config[`${project}:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
    secret.delete(`${project}:${k}`);
  }
  for (const [k, v] of Object.entries(opts.secrets ?? {})) {
    config[`${project}:${k}`] = v;
    secret.add(`${project}:${k}`);
  }
  // What the language host does with PULUMI_CONFIG and PULUMI_CONFIG_SECRET_KEYS: the program
  // then learns which keys are secret from the SDK (runtime isConfigSecret), as under `pulumi up`.
  pulumi.runtime.setAllConfig(config, [...secret]);

  // Required here, not imported: the program must load after setMocks.
  const program = require(path.join(root, "index")) as Record<string, unknown>;

  const outputs: ProgramRun["outputs"] = {};
  for (const [key, value] of Object.entries(program)) {
    if (value === undefined) continue;
    const out = pulumi.output(value);
    const resolved = await new Promise<unknown>((resolve) => out.apply((v) => resolve(v)));
    // Output.isSecret is internal API; the recording needs it to prove secrets stay secret.
    const secret = await (out as unknown as { isSecret: Promise<boolean> }).isSecret;
    outputs[key] = { value: resolved, secret };
  }
  // Resources register asynchronously after their inputs resolve: wait for a quiet period.
  let last = -1;
  for (let i = 0; i < 200 && last !== counter; i++) {
    last = counter;
    await new Promise((r) => setTimeout(r, 25));
  }

  return {
    resources,
    outputs,
    invokes,
    byType: (type) => resources.filter((r) => r.type === type),
    one(type, name) {
      const found = resources.filter((r) => r.type === type && r.name === name);
      if (found.length !== 1) {
        throw new Error(
          `expected one ${type} named ${name}, found ${found.length}: ${resources
            .filter((r) => r.type === type)
            .map((r) => r.name)
            .join(", ")}`,
        );
      }
      return found[0];
    },
  };
}

/** Names of the resources whose inputs contain `value` anywhere: where a secret travels. */
export function resourcesHolding(prog: ProgramRun, value: string): string[] {
  return prog.resources.filter((r) => JSON.stringify(r.inputs).includes(value)).map((r) => r.name);
}

/** The files a container receives through `uploads`, path → content. */
export function uploadsOf(container: RecordedResource): Record<string, string> {
  const out: Record<string, string> = {};
  for (const u of (container.inputs.uploads as { file: string; content?: string }[] | undefined) ?? []) {
    out[u.file] = u.content ?? "";
  }
  return out;
}

/**
 * The run's containers by name, with the never-started secrets writers apart, keyed by the
 * service whose secrets they write (the label `npm run render` files them under too).
 */
export function containersOf(run: ProgramRun): { services: Record<string, RecordedResource>; writers: Record<string, RecordedResource> } {
  const services: Record<string, RecordedResource> = {};
  const writers: Record<string, RecordedResource> = {};
  for (const c of run.byType("docker:index/container:Container")) {
    const labels = (c.inputs.labels as { label: string; value: string }[] | undefined) ?? [];
    const writerOf = labels.find((l) => l.label === SECRETS_FOR_LABEL)?.value;
    if (writerOf !== undefined) writers[writerOf] = c;
    else services[String(c.inputs.name)] = c;
  }
  return { services, writers };
}
