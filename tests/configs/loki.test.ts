// configs/loki.ts: the keys whose absence or wrong value makes Loki 3.7 refuse to start or
// silently keep data forever (FACTS.md, "Loki 3.7").
import * as yaml from "js-yaml";
import {
  LOKI_RULER_DIR,
  LOKI_RULER_TENANT_DIR,
  LOKI_RULER_TEMP_DIR,
  LokiConfigInput,
  lokiRuleFilePath,
  renderLokiConfig,
} from "../../configs/loki";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

const base: LokiConfigInput = {
  storage: { kind: "filesystem" },
  retentionPeriod: "30d",
  alertmanagerUrls: ["http://alertmanager:9093"],
};
const s3: LokiConfigInput = { ...base, storage: { kind: "s3", bucket: "acme-loki-chunks", region: "eu-west-1" } };

const render = (input: LokiConfigInput): Doc => yaml.load(renderLokiConfig(input));

describe("renderLokiConfig", () => {
  test.each([
    ["filesystem", base],
    ["s3", s3],
  ])("%s: single binary basics", (_kind, input) => {
    const doc = render(input);
    expect(doc.auth_enabled).toBe(false);
    expect(doc.server.http_listen_port).toBe(3100);
    expect(doc.common.path_prefix).toBe("/loki");
    expect(doc.common.replication_factor).toBe(1);
    expect(doc.common.ring.kvstore.store).toBe("inmemory");
    expect(doc.analytics.reporting_enabled).toBe(false);
  });

  test.each([
    ["filesystem", base, "filesystem"],
    ["s3", s3, "s3"],
  ])("%s: schema v13 on tsdb with a 24h index period (retention needs 24h)", (_kind, input, store) => {
    const configs = render(input).schema_config.configs;
    expect(configs).toHaveLength(1);
    expect(configs[0]).toMatchObject({ store: "tsdb", schema: "v13", object_store: store, index: { period: "24h" } });
    // A quoted date: js-yaml would otherwise turn it into a Date and Loki wants YYYY-MM-DD.
    expect(configs[0].from).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  test.each([
    ["filesystem", base, "filesystem"],
    ["s3", s3, "s3"],
  ])("%s: retention is on and has the delete_request_store Loki requires", (_kind, input, store) => {
    const doc = render(input);
    expect(doc.compactor.retention_enabled).toBe(true);
    expect(doc.compactor.delete_request_store).toBe(store);
    expect(doc.compactor.working_directory).toMatch(/^\/loki\//);
    expect(doc.limits_config.retention_period).toBe("30d");
    expect(doc.limits_config.reject_old_samples).toBe(true);
  });

  test("filesystem: chunks on the data volume, no S3 block", () => {
    const doc = render(base);
    expect(doc.storage_config.filesystem.directory).toBe("/loki/chunks");
    expect(doc.storage_config.aws).toBeUndefined();
  });

  test("s3: classic aws block with bucket and region and no static credentials", () => {
    const text = renderLokiConfig(s3);
    const doc = yaml.load(text) as Doc;
    expect(doc.storage_config.aws).toMatchObject({ bucketnames: "acme-loki-chunks", region: "eu-west-1" });
    expect(doc.storage_config.filesystem).toBeUndefined();
    // Instance profile only: no key of any spelling anywhere in the file.
    expect(text).not.toMatch(/access_key|secret_access|secret_key|session_token|AKIA/i);
    expect(doc.storage_config.aws.s3).toBeUndefined();
  });

  test("ruler: local storage, temp path on the volume, alertmanager url, api, in-memory ring", () => {
    const ruler = render(base).ruler;
    expect(ruler.storage).toEqual({ type: "local", local: { directory: LOKI_RULER_DIR } });
    expect(ruler.rule_path).toBe(LOKI_RULER_TEMP_DIR);
    expect(ruler.alertmanager_url).toBe("http://alertmanager:9093");
    expect(ruler.enable_api).toBe(true);
    expect(ruler.ring.kvstore.store).toBe("inmemory");
  });

  test("ruler on the redundant pair: every Alertmanager in one comma-separated alertmanager_url, no DNS discovery", () => {
    // Loki 3.7 pkg/ruler/base/notifier.go buildNotifierConfig splits alertmanager_url on ","
    // and makes each URL its own Alertmanager group: the ruler sends every alert to each.
    const pair = ["http://10.0.1.10:9093", "http://10.0.2.10:9093"];
    const ruler = render({ ...base, alertmanagerUrls: pair }).ruler;
    expect(ruler.alertmanager_url).toBe("http://10.0.1.10:9093,http://10.0.2.10:9093");
    expect(ruler.alertmanager_url.split(",")).toEqual(pair);
    // With discovery on, every URL would have to be a DNS SRV name (_port._tcp.name).
    expect(ruler.enable_alertmanager_discovery ?? false).toBe(false);
    expect(render(base).ruler.enable_alertmanager_discovery).toBeUndefined();
    expect(() => renderLokiConfig({ ...base, alertmanagerUrls: [] })).toThrow(/alertmanagerUrls is empty/);
    expect(() => renderLokiConfig({ ...base, alertmanagerUrls: ["http://a:9093,http://b:9093"] })).toThrow(/commas/);
    expect(() => renderLokiConfig({ ...base, alertmanagerUrls: [pair[0], pair[0]] })).toThrow(/given twice/);
  });

  test("ruler files sit in the single tenant's directory, outside the data volume", () => {
    expect(LOKI_RULER_TENANT_DIR).toBe(`${LOKI_RULER_DIR}/fake`);
    expect(LOKI_RULER_DIR.startsWith("/loki/")).toBe(false);
    expect(lokiRuleFilePath("loki.yml")).toBe(`${LOKI_RULER_DIR}/fake/loki.yml`);
    for (const bad of ["../x.yml", "a/b.yml", "x.txt", "", ".hidden.yml"]) {
      expect(() => lokiRuleFilePath(bad)).toThrow(/not accepted/);
    }
  });

  test("retention period is passed through; bad values are rejected", () => {
    expect(render({ ...base, retentionPeriod: "720h" }).limits_config.retention_period).toBe("720h");
    expect(() => renderLokiConfig({ ...base, retentionPeriod: "30 days" })).toThrow(/retentionPeriod/);
    expect(() => renderLokiConfig({ ...base, alertmanagerUrls: ["alertmanager:9093"] })).toThrow(/alertmanagerUrls/);
    expect(() => renderLokiConfig({ ...base, storage: { kind: "s3", bucket: "Bad_Bucket", region: "eu-west-1" } })).toThrow(/bucket/);
  });

  test("output is stable (deterministic rendering keeps the container from being replaced)", () => {
    expect(renderLokiConfig(s3)).toBe(renderLokiConfig(s3));
  });
});
