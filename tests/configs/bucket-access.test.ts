// configs/bucket-access.ts: the instance role may use each bucket only as its user needs:
// Loki reads, writes and deletes in the Loki bucket; the backup job lists, reads and writes in
// the backup bucket and deletes nothing; neither statement set names the other bucket.
import {
  BACKUP_BUCKET_ACTIONS,
  PolicyDocument,
  backupBucketStatements,
  instanceRolePolicy,
  lokiBucketStatements,
} from "../../configs/bucket-access";

const LOKI = "arn:aws:s3:::obs-prod-loki-20261201abcdef";
const BACKUP = "arn:aws:s3:::obs-prod-backup-20261201abcdef";

function actionsOn(doc: PolicyDocument, resource: string): string[] {
  return doc.Statement.filter((s) => s.Resource.includes(resource))
    .flatMap((s) => [...s.Action])
    .sort();
}

describe("instance role policy", () => {
  const doc = JSON.parse(instanceRolePolicy({ loki: LOKI, backup: BACKUP })) as PolicyDocument;

  test("Loki: list its bucket, read/write/delete its objects", () => {
    expect(actionsOn(doc, LOKI)).toEqual(["s3:ListBucket"]);
    expect(actionsOn(doc, `${LOKI}/*`)).toEqual(["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]);
  });

  test("backup: list its bucket, read, write and (expiry by manifest) delete its objects, never versions", () => {
    expect(actionsOn(doc, BACKUP)).toEqual(["s3:ListBucket"]);
    expect(actionsOn(doc, `${BACKUP}/*`)).toEqual(["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]);
    expect(BACKUP_BUCKET_ACTIONS.some((a) => /Version/.test(a))).toBe(false);
    expect(JSON.stringify(doc)).not.toContain("DeleteObjectVersion");
  });

  test("every statement allows named actions on one bucket: no wildcards, no other bucket", () => {
    for (const s of doc.Statement) {
      expect(s.Effect).toBe("Allow");
      for (const a of s.Action) expect(a).toMatch(/^s3:[A-Za-z]+$/);
      expect(s.Resource).toHaveLength(1);
      expect([LOKI, `${LOKI}/*`, BACKUP, `${BACKUP}/*`]).toContain(s.Resource[0]);
    }
    const lokiSids = lokiBucketStatements(LOKI).flatMap((s) => [...s.Resource]);
    expect(lokiSids.some((r) => r.startsWith(BACKUP))).toBe(false);
    const backupSids = backupBucketStatements(BACKUP).flatMap((s) => [...s.Resource]);
    expect(backupSids.some((r) => r.startsWith(LOKI))).toBe(false);
    expect(new Set(doc.Statement.map((s) => s.Sid)).size).toBe(doc.Statement.length);
  });

  test("only the buckets given; none is an error; a non-ARN is refused", () => {
    const onlyLoki = JSON.parse(instanceRolePolicy({ loki: LOKI })) as PolicyDocument;
    expect(onlyLoki.Statement.flatMap((s) => [...s.Resource]).every((r) => r.startsWith(LOKI))).toBe(true);
    expect(() => instanceRolePolicy({})).toThrow(/no bucket/);
    expect(() => lokiBucketStatements("obs-prod-loki")).toThrow(/not an S3 bucket ARN/);
    expect(() => backupBucketStatements("arn:aws:s3:::*")).toThrow(/not an S3 bucket ARN/);
  });
});
