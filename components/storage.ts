// The prod target's object storage: one bucket for Loki's chunks and index, one for backups.
// Both are private, TLS-only, versioned and encrypted, owned by this account only, and clean up
// after themselves with lifecycle rules. The instance reaches them through its instance profile
// (see host/ec2.ts); there are no access keys anywhere.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { stackTags } from "../configs/docker";
import { bucketPrefix, tlsOnlyPolicy } from "../configs/aws-policies";

/** Loki's noncurrent (overwritten or deleted) chunk versions are kept this long: a week to notice a compactor mistake. */
export const NONCURRENT_VERSION_DAYS = 7;
/**
 * A deleted or overwritten backup object stays recoverable this long as a noncurrent version.
 * Nothing alerts when an old backup disappears (the restore check only proves the latest), so a
 * wrong expiry, a deletion by someone holding the instance role, or a tampered manifest may be
 * found only when an older backup is needed: a month covers a missed on-call week and the
 * 2-day BackupVerifyFailed window many times over. The cost: objects expiry removed are billed
 * for 30 days more.
 */
export const BACKUP_NONCURRENT_VERSION_DAYS = 30;
/** Parts of uploads that never completed cost money and are invisible in listings. */
export const ABORT_MULTIPART_DAYS = 1;

export interface StorageArgs {
  /** Stack name: part of the bucket names and the STACK_TAG tag. */
  readonly stack: string;
  /**
   * Days before S3 expires any backup object (then BACKUP_NONCURRENT_VERSION_DAYS more as a noncurrent
   * version). A safety net only: the backup job expires by manifest (configs/backup.ts
   * backupObjectExpiryDays gives a value that outlasts every block a kept manifest names).
   */
  readonly backupRetentionDays: pulumi.Input<number>;
  /**
   * Protect both buckets (`protect: true`): `pulumi destroy`, or a change that would replace or
   * delete a bucket, fails until the protection is lifted with `pulumi state unprotect`.
   */
  readonly protect: boolean;
  /**
   * AWS region for the buckets. The component uses its own `${name}-aws` provider in that region
   * (the same region as the EC2 host: Loki and the backup job are configured with it).
   */
  readonly region: string;
  /** The pair's other members, each with a Loki bucket of its own besides the first member's. Default none. */
  readonly moreLokis?: readonly string[];
}

/**
 * Where a stateful component keeps the data it must not lose with the host: on a Docker volume
 * (local target) or in one of this component's buckets (ec2 target). Decided once, here.
 */
export type DataStore =
  | { readonly kind: "volume" }
  | {
      readonly kind: "s3";
      readonly bucket: pulumi.Input<string>;
      readonly region: string;
      /** Key prefix inside the bucket (each member of the pair backs up under its own); default none. */
      readonly prefix?: string;
    };

/** A Loki bucket: each Loki has its own (the compactor must be alone on its bucket). */
export interface LokiBucket {
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly store: DataStore;
}

export const VOLUME_STORE: DataStore = { kind: "volume" };

interface SecureBucketArgs {
  readonly stack: string;
  readonly purpose: string;
  readonly protect: boolean;
  readonly rules: pulumi.Input<aws.types.input.s3.BucketLifecycleConfigurationRule>[];
  readonly provider: aws.Provider;
}

export class Storage extends pulumi.ComponentResource {
  public readonly lokiBucketName: pulumi.Output<string>;
  public readonly lokiBucketArn: pulumi.Output<string>;
  public readonly backupBucketName: pulumi.Output<string>;
  public readonly backupBucketArn: pulumi.Output<string>;
  /** Loki's chunks and index. */
  public readonly lokiStore: DataStore;
  /** The other members' Loki buckets on the pair (StorageArgs.moreLokis), by member name. */
  public readonly moreLokiBuckets: Readonly<Record<string, LokiBucket>>;
  /** The backup job's destination. */
  public readonly backupStore: DataStore;

  constructor(name: string, args: StorageArgs, opts?: pulumi.ComponentResourceOptions) {
    // Registered as "observability:storage:Storage" until the tokens were unified: the alias keeps existing stacks
    // (and every child, whose URN includes this type) from being replaced.
    super(
      "observability:index:Storage",
      name,
      {},
      { ...opts, aliases: [...(opts?.aliases ?? []), { type: "observability:storage:Storage" }] },
    );

    const provider = new aws.Provider(`${name}-aws`, { region: args.region }, { parent: this });
    const abortMultipart = { daysAfterInitiation: ABORT_MULTIPART_DAYS };
    const noncurrent = { noncurrentDays: NONCURRENT_VERSION_DAYS };
    const backupNoncurrent = { noncurrentDays: BACKUP_NONCURRENT_VERSION_DAYS };

    // Loki's compactor deletes chunks itself (retention); versioning keeps a deleted chunk for a
    // week in case the compactor misbehaves, then it goes for good. The delete marker left behind
    // is removed too, so listings stay fast.
    const lokiBucket = (purpose: string): aws.s3.Bucket =>
      this.secureBucket(name, {
        stack: args.stack,
        purpose,
        protect: args.protect,
        provider,
        rules: [
          {
            id: "expire-noncurrent-versions",
            status: "Enabled",
            filter: {},
            noncurrentVersionExpiration: noncurrent,
            abortIncompleteMultipartUpload: abortMultipart,
            expiration: { expiredObjectDeleteMarker: true },
          },
        ],
      });
    const loki = lokiBucket("loki");
    this.moreLokiBuckets = Object.fromEntries(
      (args.moreLokis ?? []).map((member) => {
        const b = lokiBucket(`loki-${member}`);
        return [member, { name: b.bucket, arn: b.arn, store: { kind: "s3", bucket: b.bucket, region: args.region } }];
      }),
    );

    // The job expires backups by manifest; this age limit only catches what it never expired
    // (blocks are uploaded once and stay named while Prometheus keeps them, so it must be long).
    // With `days` set, S3 also removes the expired delete markers
    // (ExpiredObjectDeleteMarker may not be combined with days). Whatever the job, the lifecycle
    // rule or anyone with s3:DeleteObject deletes or overwrites stays a noncurrent version for
    // BACKUP_NONCURRENT_VERSION_DAYS: the instance role cannot delete versions
    // (configs/bucket-access.ts), so within that window every backup object can be brought back.
    const backup = this.secureBucket(name, {
      stack: args.stack,
      purpose: "backup",
      protect: args.protect,
      provider,
      rules: [
        {
          id: "expire-backups",
          status: "Enabled",
          filter: {},
          expiration: { days: args.backupRetentionDays },
          noncurrentVersionExpiration: backupNoncurrent,
          abortIncompleteMultipartUpload: abortMultipart,
        },
      ],
    });

    this.lokiBucketName = loki.bucket;
    this.lokiBucketArn = loki.arn;
    this.backupBucketName = backup.bucket;
    this.backupBucketArn = backup.arn;
    this.lokiStore = { kind: "s3", bucket: loki.bucket, region: args.region };
    this.backupStore = { kind: "s3", bucket: backup.bucket, region: args.region };

    this.registerOutputs({
      lokiBucketName: this.lokiBucketName,
      lokiBucketArn: this.lokiBucketArn,
      backupBucketName: this.backupBucketName,
      backupBucketArn: this.backupBucketArn,
    });
  }

  private secureBucket(name: string, a: SecureBucketArgs): aws.s3.Bucket {
    const id = `${name}-${a.purpose}`;
    const child = { parent: this, provider: a.provider };

    // protect, not retainOnDelete: with protect, `pulumi destroy` (or a change that would replace
    // the bucket) stops with an error naming the bucket, and someone has to decide. retainOnDelete
    // would let destroy "succeed" and silently orphan a bucket full of logs and backups outside
    // Pulumi's state, and a replacement would quietly switch Loki to an empty bucket.
    // forceDestroy stays false, so even an unprotected bucket is never emptied by Pulumi: deleting a
    // non-empty bucket fails instead of losing data.
    const bucket = new aws.s3.Bucket(
      id,
      {
        bucketPrefix: bucketPrefix(a.stack, a.purpose),
        forceDestroy: false,
        tags: stackTags(a.stack, id),
      },
      { ...child, protect: a.protect },
    );

    // No ACLs: the bucket owner owns every object, whoever wrote it.
    new aws.s3.BucketOwnershipControls(`${id}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);

    // SSE-S3 (AES256), not SSE-KMS. The only key SSE-KMS could use without more moving parts is
    // the AWS managed aws/s3 key, which adds no control over who may decrypt (its key policy cannot
    // be changed) and costs a KMS request per uncached object access; Loki reads and writes many
    // small objects. A customer managed key would need its own key policy and kms:* grants in the
    // instance profile, outside the exact S3 permissions it has today. Revisit with a CMK if a
    // compliance regime requires key-level audit or separation of duties.
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${id}-encryption`,
      {
        bucket: bucket.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      },
      child,
    );

    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      `${id}-public-access`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      child,
    );

    // After the public access block: S3 rejects concurrent changes to a bucket's policy and its
    // public access block ("OperationAborted").
    new aws.s3.BucketPolicy(
      `${id}-tls-only`,
      { bucket: bucket.id, policy: bucket.arn.apply(tlsOnlyPolicy) },
      { ...child, dependsOn: [publicAccess] },
    );

    const versioning = new aws.s3.BucketVersioning(
      `${id}-versioning`,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      child,
    );

    // Noncurrent-version rules only mean something once versioning is on.
    new aws.s3.BucketLifecycleConfiguration(
      `${id}-lifecycle`,
      { bucket: bucket.id, rules: a.rules },
      { ...child, dependsOn: [versioning] },
    );

    return bucket;
  }
}
