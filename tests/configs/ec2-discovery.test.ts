// The EC2 discovery renderer: DescribeInstances filters and the relabelling rules. A real
// Prometheus applies the relabelling in tests/live/relabel.live.test.ts, and promtool checks a
// prometheus.yml with these jobs in tests/configs/remote-write.test.ts.
import { ec2Filters, ec2RelabelConfigs, ec2ScrapeConfigs, scrapesApplication } from "../../configs/ec2-discovery";
import { LATENCY_BUCKET_RELABEL } from "../../configs/latency-buckets";

describe("EC2 discovery", () => {
  test("filters on the job's tags and running instances; '*' matches any value of a key", () => {
    expect(ec2Filters({ name: "app", port: 9100, tags: { "observability:scrape": "node", team: "*" } })).toEqual([
      { name: "instance-state-name", values: ["running"] },
      { name: "tag:observability:scrape", values: ["node"] },
      { name: "tag-key", values: ["team"] },
    ]);
  });

  const NODES = { name: "app-nodes", port: 9100, tags: { "observability:scrape": "node" } };
  const CHECKOUT = { name: "checkout", port: 8080, tags: { "observability:scrape": "app", service: "checkout" } };

  test("one job per fleet with region, port and the relabelling", () => {
    const jobs = ec2ScrapeConfigs({ region: "eu-west-1", jobs: [NODES, CHECKOUT] });
    expect(jobs.map((j) => j.job_name)).toEqual(["app-nodes", "checkout"]);
    expect(jobs[1]).toMatchObject({
      ec2_sd_configs: [{ region: "eu-west-1", port: 8080, refresh_interval: "60s" }],
      relabel_configs: ec2RelabelConfigs(CHECKOUT),
      // The same latency buckets as a listed service keeps.
      metric_relabel_configs: LATENCY_BUCKET_RELABEL,
    });
    // Name wins over the private IP because it is applied after it (and only when not empty).
    const targets = ec2RelabelConfigs(NODES).filter((r) => r.target_label === "instance");
    expect(targets.map((r) => (r.source_labels as string[])[0])).toEqual(["__meta_ec2_private_ip", "__meta_ec2_tag_Name"]);
  });

  test("a job that selects by the service tag scrapes an application: tier app, unless the host's tier tag says otherwise", () => {
    const tier = (job: typeof NODES) => ec2RelabelConfigs(job).filter((r) => r.target_label === "tier");
    expect(scrapesApplication(CHECKOUT)).toBe(true);
    expect(scrapesApplication({ ...CHECKOUT, tags: { service: "*" } })).toBe(true);
    expect(tier(CHECKOUT)).toEqual([
      { target_label: "tier", replacement: "app" },
      { source_labels: ["__meta_ec2_tag_tier"], regex: "(.+)", target_label: "tier" },
    ]);
    // A node-exporter fleet stays out of the service alerts even on hosts with a service tag.
    expect(scrapesApplication(NODES)).toBe(false);
    expect(tier(NODES)).toEqual([{ source_labels: ["__meta_ec2_tag_tier"], regex: "(.+)", target_label: "tier" }]);
  });
});
