// IAM and S3 policy documents and bucket naming for the prod target, as plain JSON text.

/** The parts of a bucket name derived from the stack: lowercase letters, digits and `-`. */
export function bucketPrefix(stack: string, purpose: string): string {
  // S3 limits a bucket_prefix to 37 characters (a 26-character unique suffix follows).
  const budget = 37 - "obs--".length - purpose.length - 1;
  const safe =
    stack
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/-+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, budget)
      .replace(/-$/, "") || "stack";
  return `obs-${safe}-${purpose}-`;
}

/** Bucket policy that denies every request not made over TLS, whoever makes it. */
export function tlsOnlyPolicy(bucketArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  });
}

/** Inline policy for the instance role: exactly these S3 actions on exactly these buckets. */
export function bucketAccessPolicy(bucketArns: readonly string[]): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "ListBuckets", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [...bucketArns] },
      {
        Sid: "ReadWriteObjects",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        Resource: bucketArns.map((arn) => `${arn}/*`),
      },
    ],
  });
}

/** Trust policy that lets EC2 instances assume the host role. */
export const EC2_ASSUME_ROLE_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** What Prometheus needs to write to an Amazon Managed Service for Prometheus workspace. */
export const AMP_WRITE_ACTIONS = ["aps:RemoteWrite"] as const;
/** What Grafana's SigV4 datasource needs to query it. */
export const AMP_QUERY_ACTIONS = ["aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata"] as const;

/**
 * Inline policy for the instance role: write (Prometheus) and query (Grafana) on exactly one
 * workspace. Both containers use the same instance-profile credentials.
 */
export function ampWorkspacePolicy(workspaceArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "PrometheusRemoteWrite", Effect: "Allow", Action: [...AMP_WRITE_ACTIONS], Resource: [workspaceArn] },
      { Sid: "GrafanaQuery", Effect: "Allow", Action: [...AMP_QUERY_ACTIONS], Resource: [workspaceArn] },
    ],
  });
}

/**
 * Inline policy for the instance role: Prometheus' EC2 service discovery lists instances.
 * DescribeInstances supports no resource-level permissions, so `Resource` must be `*`; it
 * reads metadata only (no access to the instances themselves).
 */
export const EC2_DISCOVERY_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Sid: "PrometheusEc2Discovery", Effect: "Allow", Action: ["ec2:DescribeInstances"], Resource: "*" }],
});
