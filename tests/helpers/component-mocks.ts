// Mocks for testing one component on its own: what reaches the engine (every resource's inputs
// and options) is what AWS and Docker would get. The whole program has its own harness
// (mock-program.ts). Pulumi's runtime is global: one component test file per process.
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  provider?: string;
}
export interface Constructed {
  type: string;
  name: string;
  resource: pulumi.Resource;
  opts: pulumi.ResourceOptions;
}

export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const AMI_ID = "ami-0123456789abcdef0";
export const DEFAULT_VPC = "vpc-0defa017defa017de";
export const EIP = { "prod-host": "203.0.113.10", "alt-host": "203.0.113.20" } as Record<string, string>;

export const registered: Registered[] = [];
export const calls: pulumi.runtime.MockCallArgs[] = [];
export const constructed: Constructed[] = [];
/** Records every resource's options (dependsOn, protect, ...), which the mocks never see. */
export const record: pulumi.ResourceTransformation = (a) => {
  constructed.push({ type: a.type, name: a.name, resource: a.resource, opts: a.opts });
  return undefined;
};

/** Secret inputs arrive wrapped in an object carrying Pulumi's signature; unwrap them. */
export function unwrap(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unwrap);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (SECRET_SIG in o) return unwrap(o.value);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrap(x)]));
  }
  return v;
}
export function isSecret(v: unknown): boolean {
  return !!v && typeof v === "object" && SECRET_SIG in (v as object);
}

export function one(type: string, name: string): Registered {
  const found = registered.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
  return found[0];
}
export function inputs<T = Record<string, unknown>>(type: string, name: string): T {
  return unwrap(one(type, name).inputs) as T;
}
export function optsOf(name: string): pulumi.ResourceOptions {
  const c = constructed.find((x) => x.name === name);
  if (!c) throw new Error(`no resource named ${name} was constructed`);
  return c.opts;
}

export function mocks(): pulumi.runtime.Mocks {
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
          return {
            id: `${args.name}-1a2b3c`,
            state: { ...state, name: `${args.name}-1a2b3c`, arn: `arn:aws:iam::123456789012:role/${args.name}` },
          };
        case "aws:iam/instanceProfile:InstanceProfile":
          return { id: `${args.name}-1a2b3c`, state: { ...state, name: `${args.name}-1a2b3c` } };
        case "random:index/randomBytes:RandomBytes": {
          // Fixed bytes per name, secret as the provider declares them (mocks skip additionalSecretOutputs).
          const bytes = createHash("sha256")
            .update(args.name)
            .digest()
            .subarray(0, Number(args.inputs.length ?? 32));
          return {
            id: `${args.name}_id`,
            state: { ...state, base64: pulumi.secret(bytes.toString("base64")), hex: pulumi.secret(bytes.toString("hex")) },
          };
        }
        case "aws:ec2/securityGroup:SecurityGroup":
          return { id: `sg-${args.name}`, state };
        default:
          return { id: args.custom === false ? undefined : `${args.name}_id`, state };
      }
    },
    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
      calls.push(args);
      if (args.token === "aws:ec2/getAmi:getAmi")
        return { id: AMI_ID, imageId: AMI_ID, architecture: "x86_64", name: "al2023-ami-2023.9.0-x86_64" };
      if (args.token === "aws:ec2/getVpc:getVpc") return { id: DEFAULT_VPC, cidrBlock: "172.31.0.0/16", default: true };
      throw new Error(`unexpected call ${args.token}`);
    },
  };
}

export function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply(resolve));
}

/** Installs the mocks; require the component modules after this. */
export async function setComponentMocks(stack = "prod"): Promise<void> {
  await pulumi.runtime.setMocks(mocks(), "observability-stack", stack, false);
}

/** Every constructed resource has reached the mocks once its URN resolves. */
export async function settled(): Promise<void> {
  await Promise.all(constructed.map((c) => valueOf(c.resource.urn)));
}
