// Scrape jobs for a fleet found through EC2's DescribeInstances (`ec2_sd_configs`), from plain
// values. Credentials come from the stack host's instance role (no keys in the file).
import { LATENCY_BUCKET_RELABEL } from "./latency-buckets";

/** One discovered fleet: the job name, the port its exporter listens on, the tags that select it. */
export interface Ec2DiscoveryJob {
  readonly name: string;
  readonly port: number;
  /** Tag key → value. The value "*" selects every instance that has the key, whatever its value. */
  readonly tags: Readonly<Record<string, string>>;
}

export interface Ec2DiscoveryInput {
  readonly region: string;
  readonly jobs: readonly Ec2DiscoveryJob[];
  /** How often DescribeInstances is called (Prometheus' default is 60s). */
  readonly refreshInterval?: string;
}

/** A tag value that matches any value of the key. */
export const ANY_TAG_VALUE = "*";

/**
 * EC2 tags read into labels when an instance has them: the tag `service` (or `tier`) becomes
 * the label of the same name, the one the service alerts and dashboards group by.
 */
export const TAG_LABELS = ["service", "tier"] as const;

/** The tier of application services, which the service alerts and dashboards select. */
export const APP_TIER = "app";

/** DescribeInstances filters: the job's tags, and running instances only. */
export function ec2Filters(job: Ec2DiscoveryJob): { name: string; values: string[] }[] {
  const tags = Object.entries(job.tags).map(([key, value]) =>
    value === ANY_TAG_VALUE ? { name: "tag-key", values: [key] } : { name: `tag:${key}`, values: [value] },
  );
  return [{ name: "instance-state-name", values: ["running"] }, ...tags];
}

/**
 * Relabelling of a discovered instance:
 * - only running instances (the API filter already asks for them; this also holds when the
 *   filters are edited, and is what the live test checks with file_sd targets);
 * - `instance` = the Name tag, or the private IP when the instance has no Name;
 * - `instance_id`: the EC2 id, so two hosts that share a Name stay two series sets (it adds no
 *   series: one value per target);
 * - `service` and `tier` from the tags of the same name, when present;
 * - in a job that scrapes an application (see scrapesApplication), `tier="app"` unless the host
 *   has a `tier` tag, as the statically listed services have, so the service alerts and the
 *   Service dashboard (which select `tier="app"`) cover it. Decided per job, not per host: a
 *   node-exporter job on hosts that carry a `service` tag must not count as an application.
 */
export function ec2RelabelConfigs(job: Ec2DiscoveryJob): Record<string, unknown>[] {
  return [
    { source_labels: ["__meta_ec2_instance_state"], regex: "running", action: "keep" },
    { source_labels: ["__meta_ec2_private_ip"], target_label: "instance" },
    { source_labels: ["__meta_ec2_tag_Name"], regex: "(.+)", target_label: "instance" },
    { source_labels: ["__meta_ec2_instance_id"], target_label: "instance_id" },
    ...(scrapesApplication(job) ? [{ target_label: "tier", replacement: APP_TIER }] : []),
    ...TAG_LABELS.map((t) => ({ source_labels: [`__meta_ec2_tag_${t}`], regex: "(.+)", target_label: t })),
  ];
}

/** A job that selects its hosts by their `service` tag (any value, "*" too) scrapes an application. */
export function scrapesApplication(job: Ec2DiscoveryJob): boolean {
  return Object.hasOwn(job.tags, "service");
}

/** One scrape job per fleet. Prometheus scrapes each instance's private IP on the job's port. */
export function ec2ScrapeConfigs(input: Ec2DiscoveryInput): Record<string, unknown>[] {
  return input.jobs.map((job) => ({
    job_name: job.name,
    ec2_sd_configs: [
      {
        region: input.region,
        port: job.port,
        refresh_interval: input.refreshInterval ?? "60s",
        filters: ec2Filters(job),
      },
    ],
    relabel_configs: ec2RelabelConfigs(job),
    // A discovered application keeps the same latency buckets as a listed one.
    metric_relabel_configs: LATENCY_BUCKET_RELABEL,
  }));
}
