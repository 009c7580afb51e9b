// IAM for the instance role, one statement set per bucket and user of it, so a compromised Loki
// cannot touch the backups and the backup job cannot delete anything. Pure: no Pulumi here.
//
// Loki (chunks and index, compactor retention): list, read, write and delete in its bucket.
// Backup job and restore: list and read (an incremental run sees what is already uploaded; a
// restore reads a manifest and its objects), write new objects, and delete the ones expiry by
// manifest drops. s3:DeleteObject only, never s3:DeleteObjectVersion: with versioning on, such a
// delete writes a delete marker and the data stays recoverable for the noncurrent-version window.

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

/** The backup job's and the restore's statements: their bucket only, nothing that changes its settings. */
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
