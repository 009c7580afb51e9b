// Policy documents and bucket naming for the prod target.
import {
  AMP_QUERY_ACTIONS,
  AMP_WRITE_ACTIONS,
  EC2_ASSUME_ROLE_POLICY,
  EC2_DISCOVERY_POLICY,
  ampWorkspacePolicy,
  bucketAccessPolicy,
  bucketPrefix,
  tlsOnlyPolicy,
} from "../../configs/aws-policies";

test("bucket prefixes are valid S3 names derived from any stack name, within S3's prefix limit", () => {
  expect(bucketPrefix("prod", "loki")).toBe("obs-prod-loki-");
  expect(bucketPrefix("Team_B.Staging", "backup")).toBe("obs-team-b-staging-backup-");
  expect(bucketPrefix("___", "loki")).toBe("obs-stack-loki-");
  const long = bucketPrefix("A_Very.Long--Stack_Name-For-Some-Customer-Environment", "backup");
  expect(long.length).toBeLessThanOrEqual(37);
  expect(long).toMatch(/^obs-[a-z0-9][a-z0-9-]*[a-z0-9]-backup-$/);
});

test("the TLS-only policy denies every non-TLS request on the bucket and its objects", () => {
  const p = JSON.parse(tlsOnlyPolicy("arn:aws:s3:::b"));
  expect(p.Statement).toEqual([
    expect.objectContaining({
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    }),
  ]);
});

test("the instance policy allows listing and object read/write/delete on exactly the given buckets", () => {
  const p = JSON.parse(bucketAccessPolicy(["arn:aws:s3:::a", "arn:aws:s3:::b"]));
  expect(p.Statement.map((s: { Action: string[]; Resource: string[] }) => [s.Action, s.Resource])).toEqual([
    [["s3:ListBucket"], ["arn:aws:s3:::a", "arn:aws:s3:::b"]],
    [
      ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"],
    ],
  ]);
});

test("only EC2 may assume the host role", () => {
  expect(JSON.parse(EC2_ASSUME_ROLE_POLICY).Statement).toEqual([
    { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
  ]);
});

test("the AMP policy writes and queries exactly one workspace, nothing else", () => {
  const arn = "arn:aws:aps:eu-west-1:123456789012:workspace/ws-1";
  const p = JSON.parse(ampWorkspacePolicy(arn)) as { Statement: { Effect: string; Action: string[]; Resource: string[] }[] };
  expect(p.Statement.map((x) => [x.Effect, x.Action, x.Resource])).toEqual([
    ["Allow", ["aps:RemoteWrite"], [arn]],
    ["Allow", ["aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata"], [arn]],
  ]);
  expect([...AMP_WRITE_ACTIONS, ...AMP_QUERY_ACTIONS].every((a) => a.startsWith("aps:") && !a.includes("*"))).toBe(true);
});

test("EC2 discovery may only describe instances", () => {
  expect(JSON.parse(EC2_DISCOVERY_POLICY).Statement).toEqual([
    { Sid: "PrometheusEc2Discovery", Effect: "Allow", Action: ["ec2:DescribeInstances"], Resource: "*" },
  ]);
});
