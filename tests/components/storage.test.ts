// The Storage component on its own, under Pulumi's mocks: the two buckets and every resource
// that makes them private, encrypted, versioned, TLS-only and self-cleaning.
import * as pulumi from "@pulumi/pulumi";
import type { Storage as StorageT } from "../../components/storage";
import { bucketPrefix } from "../../configs/aws-policies";
import { STACK_TAG } from "../../configs/docker";
import { constructed, inputs, optsOf, record, registered, setComponentMocks, settled, valueOf } from "../helpers/component-mocks";

let storage: StorageT;
const resolved: Record<string, unknown> = {};

beforeAll(async () => {
  await setComponentMocks();
  const { Storage } = require("../../components/storage") as typeof import("../../components/storage");
  storage = new Storage(
    "prod-storage",
    { stack: "prod", backupRetentionDays: 45, protect: true, region: "eu-west-1" },
    { transformations: [record] },
  );
  new Storage(
    "alt-storage",
    { stack: "Team_B.Staging", backupRetentionDays: 7, protect: false, region: "us-east-2" },
    { transformations: [record] },
  );
  Object.assign(resolved, {
    lokiBucketName: await valueOf(storage.lokiBucketName),
    lokiBucketArn: await valueOf(storage.lokiBucketArn),
    backupBucketName: await valueOf(storage.backupBucketName),
    backupBucketArn: await valueOf(storage.backupBucketArn),
  });
  await settled();
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
      expect(b.tags).toEqual({ Name: name, [STACK_TAG]: "prod" });
      // The deprecated inline settings are not used; the separate resources own them.
      for (const k of ["versioning", "serverSideEncryptionConfiguration", "lifecycleRules", "policy", "acl"]) expect(b[k]).toBeUndefined();
      expect(optsOf(name).protect).toBe(true);
      expect(optsOf(name).retainOnDelete).toBeUndefined();
    }
    expect(optsOf("alt-storage-loki").protect).toBe(false);
  });

  it("exposes the buckets as the data stores of Loki and the backup job", async () => {
    expect(storage.lokiStore.kind).toBe("s3");
    expect(storage.backupStore.kind).toBe("s3");
    if (storage.lokiStore.kind !== "s3" || storage.backupStore.kind !== "s3") return;
    expect(await valueOf(pulumi.output(storage.lokiStore.bucket))).toBe(resolved.lokiBucketName);
    expect(await valueOf(pulumi.output(storage.backupStore.bucket))).toBe(resolved.backupBucketName);
    expect(storage.lokiStore.region).toBe("eu-west-1");
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
    const l = inputs<{ rules: Record<string, unknown>[] }>(
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "prod-storage-loki-lifecycle",
    );
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

  it("expires backups after the retention, keeps deleted or overwritten ones 30 days as noncurrent versions, stale uploads 1", () => {
    const l = inputs<{ rules: Record<string, unknown>[] }>(
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "prod-storage-backup-lifecycle",
    );
    expect(l.rules).toHaveLength(1);
    expect(l.rules[0]).toEqual(
      expect.objectContaining({
        status: "Enabled",
        filter: {},
        expiration: { days: 45 },
        noncurrentVersionExpiration: { noncurrentDays: 30 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
      }),
    );
    const v = constructed.find((c) => c.name === "prod-storage-backup-versioning")?.resource;
    expect(optsOf("prod-storage-backup-lifecycle").dependsOn).toEqual([v]);
  });

  it("uses its own provider in the given region", () => {
    expect(inputs("pulumi:providers:aws", "prod-storage-aws").region).toBe("eu-west-1");
    for (const r of registered.filter((x) => x.type.startsWith("aws:s3/") && x.name.startsWith("prod-storage"))) {
      expect(r.provider).toMatch(/pulumi:providers:aws::prod-storage-aws::/);
    }
    expect(inputs("pulumi:providers:aws", "alt-storage-aws").region).toBe("us-east-2");
    for (const r of registered.filter((x) => x.type.startsWith("aws:s3/") && x.name.startsWith("alt-storage"))) {
      expect(r.provider).toMatch(/pulumi:providers:aws::alt-storage-aws::/);
    }
  });
});
