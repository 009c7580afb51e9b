// Shapes shared by the policies. Types only: importing the @pulumi/policy runtime here would pull
// in its gRPC server, which only the pack's entry file (index.ts) may start.
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

export type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy };

/** A resource policy whose validateResource is one function (the form every policy here uses). */
export interface ResourcePolicy extends ResourceValidationPolicy {
  readonly validateResource: (args: ResourceValidationArgs, report: ReportViolation) => void;
}

export const TYPES = {
  container: "docker:index/container:Container",
  remoteImage: "docker:index/remoteImage:RemoteImage",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  vpcIngressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  instance: "aws:ec2/instance:Instance",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  bucket: "aws:s3/bucket:Bucket",
  bucketEncryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  bucketVersioning: "aws:s3/bucketVersioning:BucketVersioning",
  bucketPublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
} as const;

/** Config of a policy, with the policy's own defaults filled in where the engine gave none. */
export function configOf<T extends object>(args: { getConfig<C extends object>(): C }, defaults: T): T {
  // The engine applies configSchema defaults; a test's fake args may return {} instead.
  const given = (args.getConfig<Partial<T>>() ?? {}) as Partial<T>;
  const out = { ...defaults };
  for (const [k, v] of Object.entries(given)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
