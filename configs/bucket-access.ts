// IAM for the instance role: statements per bucket it uses. Pure: no Pulumi here.
//
// Who can delete what. There is one instance role, and every container that can reach the
// instance metadata service holds all of it: on the host's firewall those are the containers with
// a role address (Loki; the backup job and the restore; Prometheus with AMP or EC2 discovery;
// Grafana with AMP; see index.ts). Each of them may therefore
//   - in the Loki bucket: list, read, write and delete (s3:DeleteObject) chunks and index;
//   - in the backup bucket: list, read, write and delete (s3:DeleteObject) backup objects, which
//     the backup job needs for incremental runs, restores and expiry by manifest.
// None of them may delete an object version (no s3:DeleteObjectVersion), change versioning,
// lifecycle or policy, or delete a bucket. Both buckets are versioned, so a delete only writes a
// delete marker and an overwrite keeps the old version: a deleted or overwritten backup object
// stays recoverable for BACKUP_NONCURRENT_VERSION_DAYS (30 days; Loki chunks 7,
// components/storage.ts). Only a principal of the account with s3:DeleteObjectVersion (an
// administrator) can remove it sooner.

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly {
    readonly Sid: string;
    readonly Effect: "Allow";
    readonly Action: readonly string[];
    readonly Resource: readonly string[];
  }[];
}

const BUCKET_ARN = /^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function checkArn(arn: string): string {
  if (!BUCKET_ARN.test(arn)) throw new Error(`${JSON.stringify(arn)} is not an S3 bucket ARN (arn:aws:s3:::<bucket>)`);
  return arn;
}

export const LOKI_BUCKET_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"] as const;
export const BACKUP_BUCKET_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"] as const;

/** Loki's statements: its bucket only. */
export function lokiBucketStatements(bucketArn: string): PolicyDocument["Statement"] {
  const arn = checkArn(bucketArn);
  return [
    { Sid: "LokiListBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [arn] },
    { Sid: "LokiObjects", Effect: "Allow", Action: [...LOKI_BUCKET_ACTIONS], Resource: [`${arn}/*`] },
  ];
}

/** The backup bucket's statements (held by every container with a role address, see above): objects only, never versions or settings. */
export function backupBucketStatements(bucketArn: string): PolicyDocument["Statement"] {
  const arn = checkArn(bucketArn);
  return [
    { Sid: "BackupListBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [arn] },
    {
      Sid: "BackupObjects",
      Effect: "Allow",
      Action: [...BACKUP_BUCKET_ACTIONS],
      Resource: [`${arn}/*`],
    },
  ];
}

/** The instance role's inline policy: the statements of whichever buckets the stack has. */
export function instanceRolePolicy(buckets: { readonly loki?: string; readonly backup?: string }): string {
  const doc: PolicyDocument = {
    Version: "2012-10-17",
    Statement: [
      ...(buckets.loki ? lokiBucketStatements(buckets.loki) : []),
      ...(buckets.backup ? backupBucketStatements(buckets.backup) : []),
    ],
  };
  if (doc.Statement.length === 0) throw new Error("instance role policy: no bucket given");
  return JSON.stringify(doc);
}
