// The remote_write and EC2 discovery renderers: the queue sizing, each auth form, the EC2
// filters and relabelling, and the whole prometheus.yml with them accepted by the real promtool.
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { ec2Filters, ec2RelabelConfigs, ec2ScrapeConfigs } from "../../configs/ec2-discovery";
import { PrometheusConfigInput, renderPrometheusConfig } from "../../configs/prometheus";
import { queueConfig, remoteWriteConfig, SAMPLES_PER_SHARD_PER_SECOND } from "../../configs/remote-write";
import { run, tempDir } from "../helpers/tools";

const ENDPOINTS = {
  prometheus: "prometheus:9090", alertmanager: "alertmanager:9093", grafana: "grafana:3000", loki: "loki:3100",
  logAgent: "alloy:12345", nodeExporter: "node-exporter:9100", cadvisor: "cadvisor:8080",
  postgresExporter: "postgres-exporter:9187", redisExporter: "redis-exporter:9121", blackboxExporter: "blackbox-exporter:9115",
};

function base(extra: Partial<PrometheusConfigInput>): PrometheusConfigInput {
  return {
    scrapeInterval: "15s",
    evaluationInterval: "15s",
    endpoints: ENDPOINTS,
    services: [],
    integrations: { postgres: false, redis: false },
    ruleFiles: [],
    ...extra,
  };
}

describe("queueConfig", () => {
  test("100k series every 15s: enough shards for the steady rate, four times that to catch up", () => {
    // 6667 samples/s; one shard sends 4000/s.
    expect(queueConfig(100_000, "15s")).toEqual({
      capacity: 10000,
      min_shards: 2,
      max_shards: 7,
      max_samples_per_send: 2000,
      batch_send_deadline: "5s",
      min_backoff: "30ms",
      max_backoff: "5s",
    });
  });

  test("grows with the sample rate, within bounds", () => {
    expect(queueConfig(10_000, "15s")).toMatchObject({ min_shards: 1, max_shards: 4 });
    expect(queueConfig(1_000_000, "15s")).toMatchObject({ min_shards: 17, max_shards: 67 });
    // 200k series every 1s would need 200 shards at the steady rate: capped.
    expect(queueConfig(2_000_000, "1s")).toMatchObject({ min_shards: 200, max_shards: 200 });
    const q = queueConfig(300_000, "30s");
    expect(q.max_shards * SAMPLES_PER_SHARD_PER_SECOND).toBeGreaterThanOrEqual(4 * (300_000 / 30));
  });

  test("rejects a size it cannot work with", () => {
    expect(() => queueConfig(0, "15s")).toThrow(/expected series \(0\)/);
    expect(() => queueConfig(1000, "soon")).toThrow(/scrape interval \(soon\)/);
  });
});

describe("remoteWriteConfig", () => {
  test("amp signs with SigV4 in the stack's region and carries no credentials", () => {
    const c = remoteWriteConfig({
      target: { kind: "amp", url: "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write", region: "eu-west-1" },
      expectedSeries: 100_000,
      scrapeInterval: "15s",
    });
    expect(c).toMatchObject({ name: "amp", sigv4: { region: "eu-west-1" } });
    expect(c).not.toHaveProperty("basic_auth");
    expect(c).not.toHaveProperty("authorization");
  });

  test("a URL with basic auth reads the password from a file", () => {
    const c = remoteWriteConfig({
      target: { kind: "url", url: "https://mimir.example.com/api/v1/push", auth: { kind: "basic", username: "tenant-1", passwordFile: "/run/secrets/remote_write_password" } },
      expectedSeries: 50_000,
      scrapeInterval: "15s",
    });
    expect(c).toMatchObject({ name: "remote", basic_auth: { username: "tenant-1", password_file: "/run/secrets/remote_write_password" } });
    expect(JSON.stringify(c)).not.toMatch(/"password"/);
  });

  test("a URL with a bearer token reads it from a file", () => {
    const c = remoteWriteConfig({
      target: { kind: "url", url: "https://vm.example.com/api/v1/write", auth: { kind: "bearer", credentialsFile: "/run/secrets/remote_write_token" } },
      expectedSeries: 50_000,
      scrapeInterval: "15s",
    });
    expect(c).toMatchObject({ authorization: { type: "Bearer", credentials_file: "/run/secrets/remote_write_token" } });
    expect(c).not.toHaveProperty("sigv4");
  });
});

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
    expect(jobs[1]).toMatchObject({ ec2_sd_configs: [{ region: "eu-west-1", port: 8080, refresh_interval: "60s" }], relabel_configs: ec2RelabelConfigs() });
    // Name wins over the private IP because it is applied after it (and only when not empty).
    const targets = ec2RelabelConfigs().filter((r) => r.target_label === "instance");
    expect(targets.map((r) => (r.source_labels as string[])[0])).toEqual(["__meta_ec2_private_ip", "__meta_ec2_tag_Name"]);
  });
});

describe("prometheus.yml with remote write and EC2 discovery passes promtool check config", () => {
  const dir = tempDir("rw-ec2");
  const passwordFile = path.join(dir, "remote_write_password");
  const tokenFile = path.join(dir, "remote_write_token");
  fs.writeFileSync(passwordFile, "x");
  fs.writeFileSync(tokenFile, "x");
  const ec2Discovery = { region: "eu-west-1", jobs: [{ name: "app-nodes", port: 9100, tags: { "observability:scrape": "node" } }] };
  const cases: [string, PrometheusConfigInput][] = [
    ["amp", base({ ec2Discovery, remoteWrite: { target: { kind: "amp", url: "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write", region: "eu-west-1" }, expectedSeries: 100_000 } })],
    ["basic auth", base({ remoteWrite: { target: { kind: "url", url: "https://mimir.example.com/api/v1/push", auth: { kind: "basic", username: "u", passwordFile } }, expectedSeries: 100_000 } })],
    ["bearer token", base({ ec2Discovery, remoteWrite: { target: { kind: "url", url: "https://vm.example.com/api/v1/write", auth: { kind: "bearer", credentialsFile: tokenFile } }, expectedSeries: 100_000 } })],
  ];
  test.each(cases)("%s", (name, input) => {
    const file = path.join(dir, `${name.replace(/\W/g, "-")}.yml`);
    const text = renderPrometheusConfig(input);
    fs.writeFileSync(file, text);
    const r = run("promtool", ["check", "config", file]);
    expect(r.output).toContain("SUCCESS");
    expect(r.status).toBe(0);
    const doc = yaml.load(text) as { remote_write: unknown[]; scrape_configs: { job_name: string }[] };
    expect(doc.remote_write).toHaveLength(1);
    if (input.ec2Discovery) expect(doc.scrape_configs.map((j) => j.job_name)).toContain("app-nodes");
  });

  test("promtool checks the remote_write section (SigV4 together with basic auth is rejected)", () => {
    const doc = yaml.load(renderPrometheusConfig(cases[0][1])) as { remote_write: Record<string, unknown>[] };
    doc.remote_write[0].basic_auth = { username: "u", password_file: passwordFile };
    const file = path.join(dir, "both.yml");
    fs.writeFileSync(file, yaml.dump(doc));
    const r = run("promtool", ["check", "config", file]);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/sigv4/i);
  });

});
