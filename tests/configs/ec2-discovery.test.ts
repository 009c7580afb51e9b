// The EC2 discovery renderer: DescribeInstances filters and the relabelling rules. A real
// Prometheus applies the relabelling in tests/live/relabel.live.test.ts, and promtool checks a
// prometheus.yml with these jobs in tests/configs/remote-write.test.ts.
import { ec2Filters, ec2RelabelConfigs, ec2ScrapeConfigs } from "../../configs/ec2-discovery";
import { LATENCY_BUCKET_RELABEL } from "../../configs/latency-buckets";

describe("EC2 discovery", () => {
  test("filters on the job's tags and running instances; '*' matches any value of a key", () => {
    expect(ec2Filters({ name: "app", port: 9100, tags: { "observability:scrape": "node", team: "*" } })).toEqual([
      { name: "instance-state-name", values: ["running"] },
      { name: "tag:observability:scrape", values: ["node"] },
      { name: "tag-key", values: ["team"] },
    ]);
  });

  test("one job per fleet with region, port and the relabelling", () => {
    const jobs = ec2ScrapeConfigs({
      region: "eu-west-1",
      jobs: [
        { name: "app-nodes", port: 9100, tags: { "observability:scrape": "node" } },
        { name: "app-services", port: 8080, tags: { "observability:scrape": "app" } },
      ],
    });
    expect(jobs.map((j) => j.job_name)).toEqual(["app-nodes", "app-services"]);
    expect(jobs[1]).toMatchObject({
      ec2_sd_configs: [{ region: "eu-west-1", port: 8080, refresh_interval: "60s" }],
      relabel_configs: ec2RelabelConfigs(),
      // The same latency buckets as a listed service keeps.
      metric_relabel_configs: LATENCY_BUCKET_RELABEL,
    });
    // Name wins over the private IP because it is applied after it (and only when not empty).
    const targets = ec2RelabelConfigs().filter((r) => r.target_label === "instance");
    expect(targets.map((r) => (r.source_labels as string[])[0])).toEqual(["__meta_ec2_private_ip", "__meta_ec2_tag_Name"]);
    // tier: "app" for any service tag first, then the tier tag's own value wins.
    const tiers = ec2RelabelConfigs().filter((r) => r.target_label === "tier");
    expect(tiers).toEqual([
      { source_labels: ["__meta_ec2_tag_service"], regex: ".+", target_label: "tier", replacement: "app" },
      { source_labels: ["__meta_ec2_tag_tier"], regex: "(.+)", target_label: "tier" },
    ]);
  });
});

