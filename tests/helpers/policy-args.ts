// A fake of what the policy engine hands a policy: the resource's type, name and inputs, a
// config lookup, and a collector of the violations reported.
import type { ResourceValidationArgs } from "@pulumi/policy";
import type { ResourcePolicy } from "../../policy/types";
import type { BucketPolicy, StackResource } from "../../policy/buckets";

export function resourceArgs(type: string, props: Record<string, unknown>, name = "r", config: object = {}): ResourceValidationArgs {
  // Only the fields the policies read; the engine's args also carry opts, provider and helpers.
  return {
    type,
    props,
    name,
    urn: `urn:pulumi:test::observability-stack::${type}::${name}`,
    getConfig: () => config,
  } as unknown as ResourceValidationArgs;
}

/** Runs one resource policy over one resource; returns the violation messages. */
export function violations(policy: ResourcePolicy, type: string, props: Record<string, unknown>, config: object = {}): string[] {
  const found: string[] = [];
  policy.validateResource(resourceArgs(type, props, "r", config), (message) => found.push(message));
  return found;
}

export function stackResource(type: string, name: string, props: Record<string, unknown>, dependsOnBucket?: string): StackResource {
  const urn = `urn:pulumi:test::observability-stack::${type}::${name}`;
  return {
    type,
    name,
    urn,
    props,
    propertyDependencies: dependsOnBucket
      ? { bucket: [{ urn: `urn:pulumi:test::observability-stack::aws:s3/bucket:Bucket::${dependsOnBucket}` }] }
      : {},
  };
}

/** Runs one stack policy over resources; returns [message, urn] pairs. */
export function stackViolations(policy: BucketPolicy, resources: StackResource[]): [string, string | undefined][] {
  const found: [string, string | undefined][] = [];
  policy.validateStack({ resources }, (message, urn) => found.push([message, urn]));
  return found;
}
