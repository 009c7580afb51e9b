// Bucket policies: settings are separate resources in @pulumi/aws 7, related to their bucket by
// the engine's property dependencies (known during a preview) or by the bucket's name.
import { BUCKET_POLICIES, bucketsEncrypted, bucketsPrivate, bucketsTlsOnly, bucketsVersioned } from "../../policy/buckets";
import { TYPES } from "../../policy/types";
import { stackResource, stackViolations } from "../helpers/policy-args";

const ARN = "arn:aws:s3:::obs-prod-loki-abc";
const tlsOnly = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [ARN, `${ARN}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
  ],
});

function secureBucket(overrides: Partial<Record<"encryption" | "versioning" | "access" | "policy", Record<string, unknown> | null>> = {}) {
  const bucket = stackResource(TYPES.bucket, "loki", { bucket: "obs-prod-loki-abc", arn: ARN });
  const settings: [string, string, Record<string, unknown>][] = [
    [TYPES.bucketEncryption, "encryption", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }],
    [TYPES.bucketVersioning, "versioning", { versioningConfiguration: { status: "Enabled" } }],
    [
      TYPES.bucketPublicAccessBlock,
      "access",
      { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    ],
    [TYPES.bucketPolicy, "policy", { policy: tlsOnly }],
  ];
  return [
    bucket,
    ...settings.flatMap(([type, key, props]) => {
      const o = overrides[key as keyof typeof overrides];
      if (o === null) return [];
      // Half relate by dependency (as in a preview), half by name (as after an update).
      const byDependency = key === "encryption" || key === "policy";
      return [
        stackResource(
          type,
          `loki-${key}`,
          { ...props, ...(byDependency ? {} : { bucket: "obs-prod-loki-abc" }), ...o },
          byDependency ? "loki" : undefined,
        ),
      ];
    }),
  ];
}

test("a bucket with all four settings passes every bucket policy", () => {
  for (const policy of BUCKET_POLICIES) expect(stackViolations(policy, secureBucket())).toEqual([]);
});

test.each([
  [bucketsEncrypted, "encryption", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "none" } }] }],
  [bucketsVersioned, "versioning", { versioningConfiguration: { status: "Suspended" } }],
  [bucketsPrivate, "access", { restrictPublicBuckets: false }],
  [
    bucketsTlsOnly,
    "policy",
    { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${ARN}/*` }] }) },
  ],
] as const)("%#: a wrong setting is reported on the bucket", (policy, key, props) => {
  const found = stackViolations(policy, secureBucket({ [key]: props }));
  expect(found).toEqual([[expect.stringContaining("bucket loki: no "), expect.stringContaining("aws:s3/bucket:Bucket::loki")]]);
});

test.each([
  [bucketsEncrypted, "encryption"],
  [bucketsVersioned, "versioning"],
  [bucketsPrivate, "access"],
  [bucketsTlsOnly, "policy"],
] as const)("%#: a missing setting is reported", (policy, key) => {
  expect(stackViolations(policy, secureBucket({ [key]: null }))).toHaveLength(1);
});

test("a setting for another bucket does not count", () => {
  const resources = secureBucket().map((r) =>
    r.type === TYPES.bucketVersioning ? { ...r, props: { ...r.props, bucket: "someone-elses" } } : r,
  );
  expect(stackViolations(bucketsVersioned, resources)).toHaveLength(1);
});

test("a TLS statement that covers only the objects, not the bucket, does not count", () => {
  const partial = JSON.stringify({
    Statement: [
      {
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: ["s3:*"],
        Resource: `${ARN}/*`,
        Condition: { Bool: { "aws:SecureTransport": false } },
      },
    ],
  });
  expect(stackViolations(bucketsTlsOnly, secureBucket({ policy: { policy: partial } }))).toHaveLength(1);
});
