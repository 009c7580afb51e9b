// IAM for the instance role, one statement set per bucket and user of it, so a compromised Loki
// cannot touch the backups and the backup job cannot delete anything. Pure: no Pulumi here.
//
// Loki (chunks and index, compactor retention): list, read, write and delete in its bucket.
// Backup job: write new objects, plus list and read so an incremental run can see what is
// already uploaded (the manifests and block names of issue 11). No DeleteObject: the bucket's
// lifecycle rule expires backups. If the job ever expires by manifest itself, add
// s3:DeleteObject (never s3:DeleteObjectVersion): with versioning on, such a delete only writes
// a delete marker and the data stays recoverable for the noncurrent-version window.

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
export const BACKUP_BUCKET_ACTIONS = ["s3:GetObject", "s3:PutObject"] as const;

/** Loki's statements: its bucket only. */
export function lokiBucketStatements(bucketArn: string): PolicyDocument["Statement"] {
  const arn = checkArn(bucketArn);
  return [
    { Sid: "LokiListBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [arn] },
    { Sid: "LokiObjects", Effect: "Allow", Action: [...LOKI_BUCKET_ACTIONS], Resource: [`${arn}/*`] },
  ];
}

export interface BackupAccessOptions {
  /**
   * The job expires old backups itself (issue 11's manifest-based expiry runs `aws s3 rm`):
   * adds s3:DeleteObject, never s3:DeleteObjectVersion, so with versioning a delete leaves the
   * data recoverable for the noncurrent-version window. Default false.
   */
  readonly expire?: boolean;
}

/** The backup job's statements: its bucket only, nothing that changes the bucket's settings. */
export function backupBucketStatements(bucketArn: string, options: BackupAccessOptions = {}): PolicyDocument["Statement"] {
  const arn = checkArn(bucketArn);
  return [
    { Sid: "BackupListBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [arn] },
    {
      Sid: "BackupObjects",
      Effect: "Allow",
      Action: [...BACKUP_BUCKET_ACTIONS, ...(options.expire ? ["s3:DeleteObject"] : [])],
      Resource: [`${arn}/*`],
    },
  ];
}

/** The instance role's inline policy: the statements of whichever buckets the stack has. */
export function instanceRolePolicy(
  buckets: { readonly loki?: string; readonly backup?: string },
  backup: BackupAccessOptions = {},
): string {
  const doc: PolicyDocument = {
    Version: "2012-10-17",
    Statement: [
      ...(buckets.loki ? lokiBucketStatements(buckets.loki) : []),
      ...(buckets.backup ? backupBucketStatements(buckets.backup, backup) : []),
    ],
  };
  if (doc.Statement.length === 0) throw new Error("instance role policy: no bucket given");
  return JSON.stringify(doc);
}
