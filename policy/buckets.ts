// S3 buckets: encrypted, versioned, public access blocked and TLS-only. In @pulumi/aws 7 each of
// these is its own resource pointing at the bucket, so these are stack policies: they see every
// resource and relate each setting to its bucket. One policy per property, so a property whose
// value is unknown during a first preview (the TLS policy document embeds the bucket's ARN) skips
// only that check.
import type { PolicyResource } from "@pulumi/policy";
import { ReportViolation, StackValidationPolicy, TYPES } from "./types";

/** The parts of a PolicyResource these policies read (tests build plain objects of this shape). */
export type StackResource = Pick<PolicyResource, "type" | "name" | "urn" | "props"> & {
  readonly propertyDependencies?: Record<string, { readonly urn: string }[]>;
};

export interface StackArgs {
  readonly resources: readonly StackResource[];
}

export interface BucketPolicy extends StackValidationPolicy {
  readonly validateStack: (args: StackArgs, report: ReportViolation) => void;
}

/**
 * Whether `child` configures `bucket`: its `bucket` input depends on that bucket (what the engine
 * records, known even before the bucket exists), or names it (the bucket's name is its id).
 */
export function configures(child: StackResource, bucket: StackResource): boolean {
  if ((child.propertyDependencies?.bucket ?? []).some((d) => d.urn === bucket.urn)) return true;
  const ref = child.props.bucket;
  return typeof ref === "string" && (ref === bucket.props.bucket || ref === bucket.props.id);
}

function bucketPolicy(
  name: string,
  description: string,
  settingType: string,
  ok: (setting: StackResource, bucket: StackResource) => boolean,
  inline: (bucket: StackResource) => boolean,
  missing: string,
): BucketPolicy {
  return {
    name,
    description,
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
      for (const bucket of args.resources.filter((r) => r.type === TYPES.bucket)) {
        if (inline(bucket)) continue;
        const settings = args.resources.filter((r) => r.type === settingType && configures(r, bucket));
        if (!settings.some((s) => ok(s, bucket))) report(`bucket ${bucket.name}: ${missing}`, bucket.urn);
      }
    },
  };
}

const SSE_ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];

function records(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? (v as Record<string, unknown>[]) : v && typeof v === "object" ? [v as Record<string, unknown>] : [];
}

export const bucketsEncrypted = bucketPolicy(
  "bucket-encrypted",
  "Every S3 bucket has default server-side encryption (SSE-S3 or SSE-KMS).",
  TYPES.bucketEncryption,
  (s) =>
    records(s.props.rules).some((r) =>
      SSE_ALGORITHMS.includes(String((r.applyServerSideEncryptionByDefault as Record<string, unknown> | undefined)?.sseAlgorithm)),
    ),
  (b) =>
    records((b.props.serverSideEncryptionConfiguration as Record<string, unknown> | undefined)?.rule).some((r) =>
      SSE_ALGORITHMS.includes(String((r.applyServerSideEncryptionByDefault as Record<string, unknown> | undefined)?.sseAlgorithm)),
    ),
  "no BucketServerSideEncryptionConfiguration with AES256 or aws:kms for it.",
);

export const bucketsVersioned = bucketPolicy(
  "bucket-versioned",
  "Every S3 bucket has versioning enabled (an overwrite or a compactor's delete can be undone).",
  TYPES.bucketVersioning,
  (s) => (s.props.versioningConfiguration as Record<string, unknown> | undefined)?.status === "Enabled",
  (b) => (b.props.versioning as Record<string, unknown> | undefined)?.enabled === true,
  "no BucketVersioning with status Enabled for it.",
);

const BLOCKS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const bucketsPrivate = bucketPolicy(
  "bucket-public-access-blocked",
  "Every S3 bucket has a public access block with all four settings on.",
  TYPES.bucketPublicAccessBlock,
  (s) => BLOCKS.every((k) => s.props[k] === true),
  () => false,
  `no BucketPublicAccessBlock with ${BLOCKS.join(", ")} all true for it.`,
);

interface Statement {
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: { Bool?: Record<string, unknown> };
}

function list<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** A statement that denies everyone every S3 action on the bucket and its objects without TLS. */
export function deniesInsecureTransport(st: Statement, bucketArn: unknown): boolean {
  const everyone = st.Principal === "*" || list((st.Principal as { AWS?: string | string[] } | undefined)?.AWS).includes("*");
  const allActions = list(st.Action).some((a) => a === "s3:*" || a === "*");
  const insecure = String(st.Condition?.Bool?.["aws:SecureTransport"]) === "false";
  const resources = list(st.Resource);
  const covers =
    typeof bucketArn === "string"
      ? resources.includes(bucketArn) && resources.includes(`${bucketArn}/*`)
      : resources.some((r) => r.endsWith("/*")) && resources.some((r) => !r.endsWith("/*"));
  return st.Effect === "Deny" && everyone && allActions && insecure && covers;
}

export const bucketsTlsOnly = bucketPolicy(
  "bucket-tls-only",
  "Every S3 bucket's policy denies requests not made over TLS (aws:SecureTransport false), for the bucket and its objects.",
  TYPES.bucketPolicy,
  (s, b) => {
    const raw = s.props.policy;
    let doc: { Statement?: Statement | Statement[] };
    try {
      doc = typeof raw === "string" ? JSON.parse(raw) : (raw as typeof doc);
    } catch {
      return false;
    }
    return list(doc?.Statement).some((st) => deniesInsecureTransport(st, b.props.arn));
  },
  () => false,
  "no BucketPolicy denying requests without TLS (aws:SecureTransport false) on the bucket and its objects.",
);

export const BUCKET_POLICIES = [bucketsEncrypted, bucketsVersioned, bucketsPrivate, bucketsTlsOnly];
