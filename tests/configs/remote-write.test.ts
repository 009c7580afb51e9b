// The remote_write renderer: the queue sizing and each auth form, and prometheus.yml with
// remote write (and EC2 discovery jobs) accepted by the real promtool. The relabelling itself is
// checked on a real Prometheus by tests/live/relabel.live.test.ts.
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { Endpoints, NETWORK_COMPONENTS } from "../../catalog/containers";
import { PrometheusConfigInput, renderPrometheusConfig } from "../../configs/prometheus";
import { queueConfig, remoteWriteConfig, SAMPLES_PER_SHARD_PER_SECOND } from "../../configs/remote-write";
import { run, tempDir } from "../helpers/tools";

const ENDPOINTS = Object.fromEntries(NETWORK_COMPONENTS.map((k) => [k, `${k}:9999`])) as Endpoints;

function base(extra: Partial<PrometheusConfigInput>): PrometheusConfigInput {
  return {
    scrapeInterval: "15s",
    evaluationInterval: "15s",
    endpoints: ENDPOINTS,
    services: [],
    integrationJobs: [],
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
    // 300k series every 30s: 10k samples/s, 2.5 shards' worth at the steady rate, 10 to catch up.
    const q = queueConfig(300_000, "30s");
    expect(q).toMatchObject({ min_shards: 3, max_shards: 10 });
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
      target: {
        kind: "amp",
        url: "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write",
        region: "eu-west-1",
      },
      expectedSeries: 100_000,
      scrapeInterval: "15s",
    });
    expect(c).toMatchObject({ name: "amp", sigv4: { region: "eu-west-1" } });
    expect(c).not.toHaveProperty("basic_auth");
    expect(c).not.toHaveProperty("authorization");
  });

  test("a URL with basic auth reads the password from a file", () => {
    const c = remoteWriteConfig({
      target: {
        kind: "url",
        url: "https://mimir.example.com/api/v1/push",
        auth: { kind: "basic", username: "tenant-1", passwordFile: "/run/secrets/remote_write_password" },
      },
      expectedSeries: 50_000,
      scrapeInterval: "15s",
    });
    expect(c).toMatchObject({ name: "remote", basic_auth: { username: "tenant-1", password_file: "/run/secrets/remote_write_password" } });
    expect(JSON.stringify(c)).not.toMatch(/"password"/);
  });

  test("a URL with a bearer token reads it from a file", () => {
    const c = remoteWriteConfig({
      target: {
        kind: "url",
        url: "https://vm.example.com/api/v1/write",
        auth: { kind: "bearer", credentialsFile: "/run/secrets/remote_write_token" },
      },
      expectedSeries: 50_000,
      scrapeInterval: "15s",
    });
    expect(c).toMatchObject({ authorization: { type: "Bearer", credentials_file: "/run/secrets/remote_write_token" } });
    expect(c).not.toHaveProperty("sigv4");
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
    [
      "amp",
      base({
        ec2Discovery,
        remoteWrite: {
          target: {
            kind: "amp",
            url: "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write",
            region: "eu-west-1",
          },
          expectedSeries: 100_000,
        },
      }),
    ],
    [
      "basic auth",
      base({
        remoteWrite: {
          target: { kind: "url", url: "https://mimir.example.com/api/v1/push", auth: { kind: "basic", username: "u", passwordFile } },
          expectedSeries: 100_000,
        },
      }),
    ],
    [
      "bearer token",
      base({
        ec2Discovery,
        remoteWrite: {
          target: { kind: "url", url: "https://vm.example.com/api/v1/write", auth: { kind: "bearer", credentialsFile: tokenFile } },
          expectedSeries: 100_000,
        },
      }),
    ],
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
