// configs/prometheus-web.ts and the clients that authenticate to Prometheus: the web config is
// accepted by the real `promtool check web-config`, plaintext passwords are refused, and the
// self-scrape, healthcheck, Grafana datasource and backup credentials are rendered as files.
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import * as bcrypt from "bcryptjs";
import {
  PROMETHEUS_RESPONSE_HEADERS,
  PROMETHEUS_USERS,
  prometheusHealthcheck,
  prometheusWebFlags,
  renderNetrc,
  renderPrometheusClientConfig,
  renderPrometheusWebConfig,
} from "../../configs/prometheus-web";
import { renderPrometheusConfig } from "../../configs/prometheus";
import { renderGrafanaDatasources } from "../../configs/grafana";
import { dockerEndpoints } from "../../catalog/containers";
import { renderBackupScript } from "../../configs/backup";
import { run, tempDir } from "../helpers/tools";

const HASH = bcrypt.hashSync("s3cretPassw0rd", 10);

function check(text: string): { status: number | null; output: string } {
  const file = path.join(tempDir("webcfg"), "web.yml");
  fs.writeFileSync(file, text);
  return run("promtool", ["check", "web-config", file]);
}

describe("renderPrometheusWebConfig", () => {
  test("passes promtool check web-config with one user per client", () => {
    const users = Object.fromEntries(Object.values(PROMETHEUS_USERS).map((u) => [u, HASH]));
    const text = renderPrometheusWebConfig(users);
    const r = check(text);
    expect(r.output).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
    const doc = yaml.load(text) as { basic_auth_users: Record<string, string>; http_server_config: { headers: Record<string, string> } };
    expect(Object.keys(doc.basic_auth_users).sort()).toEqual(["admin", "backup", "grafana", "prometheus"]);
    expect(doc.http_server_config.headers).toEqual(PROMETHEUS_RESPONSE_HEADERS);
  });

  test("promtool rejects a broken web config (the check can fail)", () => {
    const r = check("basic_auth_users:\n  admin: [not, a, hash]\n");
    expect(r.status).not.toBe(0);
  });

  test("refuses a plaintext password without echoing it, and an empty user list", () => {
    let message = "";
    try {
      renderPrometheusWebConfig({ admin: "hunter2-plaintext" });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/admin.*bcrypt hash/);
    expect(message).not.toContain("hunter2");
    expect(() => renderPrometheusWebConfig({})).toThrow(/at least one/);
    expect(() => renderPrometheusWebConfig({ "a b": HASH })).toThrow(/"a b" is not accepted/);
    expect(() => renderPrometheusWebConfig({ admin: HASH.replace("$10$", "$99$") })).toThrow(/bcrypt/);
  });

  test("the flags turn on the web config and the admin API, never the lifecycle API", () => {
    const flags = prometheusWebFlags();
    expect(flags).toEqual(["--web.config.file=/etc/prometheus/web.yml", "--web.enable-admin-api"]);
    expect(flags.join(" ")).not.toContain("lifecycle");
  });
});

describe("clients of an authenticated Prometheus", () => {
  const passwordFile = "/run/secrets/prometheus_password";

  test("the self-scrape authenticates with a password file, and promtool accepts the config", () => {
    const dir = tempDir("selfauth");
    const pw = path.join(dir, "password");
    fs.writeFileSync(pw, "s3cretPassw0rd");
    const text = renderPrometheusConfig({
      scrapeInterval: "15s",
      evaluationInterval: "15s",
      endpoints: dockerEndpoints(),
      services: [],
      integrationJobs: [],
      ruleFiles: [],
      selfAuth: { username: PROMETHEUS_USERS.self, passwordFile: pw },
    });
    const doc = yaml.load(text) as { scrape_configs: { job_name: string; basic_auth?: unknown }[] };
    const byJob = Object.fromEntries(doc.scrape_configs.map((j) => [j.job_name, j]));
    expect(byJob.prometheus.basic_auth).toEqual({ username: "prometheus", password_file: pw });
    // Only Prometheus itself is behind this auth; the exporters are scraped as before.
    expect(doc.scrape_configs.filter((j) => j.basic_auth).map((j) => j.job_name)).toEqual(["prometheus"]);
    const file = path.join(dir, "prometheus.yml");
    fs.writeFileSync(file, text);
    const r = run("promtool", ["check", "config", file]);
    expect(r.output).toMatch(/SUCCESS/);
  });

  test("the healthcheck runs promtool with a client config: no password in the command", () => {
    expect(prometheusHealthcheck(9090)).toEqual([
      "promtool",
      "check",
      "healthy",
      "--url=http://localhost:9090",
      "--http.config.file=/etc/prometheus/client.yml",
    ]);
    expect(yaml.load(renderPrometheusClientConfig({ username: "prometheus", passwordFile }))).toEqual({
      basic_auth: { username: "prometheus", password_file: passwordFile },
    });
    expect(() => renderPrometheusClientConfig({ username: "prometheus", passwordFile: "relative" })).toThrow(/absolute path/);
  });

  test("Grafana's Prometheus datasource uses basic auth with the password from a file", () => {
    const doc = yaml.load(renderGrafanaDatasources(dockerEndpoints(), { prometheusBasicAuth: { user: "grafana", passwordFile } })) as {
      datasources: Record<string, unknown>[];
    };
    const prom = doc.datasources.find((d) => d.uid === "prometheus");
    expect(prom).toMatchObject({
      basicAuth: true,
      basicAuthUser: "grafana",
      secureJsonData: { basicAuthPassword: `$__file{${passwordFile}}` },
    });
    // Loki and Alertmanager are not behind Prometheus's auth.
    expect(doc.datasources.filter((d) => d.basicAuth).map((d) => d.uid)).toEqual(["prometheus"]);
    expect(() => renderGrafanaDatasources(dockerEndpoints(), { prometheusBasicAuth: { user: "grafana", passwordFile: "/x}y" } })).toThrow(
      /password file/,
    );
  });

  test("the backup job's netrc names the Prometheus host and refuses what netrc cannot quote", () => {
    expect(renderNetrc("prometheus", "backup", "abc123")).toBe("machine prometheus login backup password abc123\n");
    expect(() => renderNetrc("prometheus", "backup", "")).toThrow(/non-empty/);
    expect(() => renderNetrc("prometheus", "backup", "a b")).toThrow(/whitespace/);
    expect(() => renderNetrc("prom etheus", "backup", "x")).toThrow(/host name/);
  });
});

describe("the backup job's snapshot call", () => {
  const input = {
    prometheusUrl: "http://prometheus:9090",
    intervalHours: 6,
    retentionDays: 30,
    destination: { kind: "volume" as const, dir: "/archive" },
    textfileDir: "/textfile",
    sources: { prometheus: "/data/prometheus", grafana: "/data/grafana", alertmanager: "/data/alertmanager" },
    scratchDir: "/scratch",
    grafanaCopyDir: "/grafana-copy",
  };

  test("with a netrc file, curl reads the credentials from it and nothing else can carry them", () => {
    const script = renderBackupScript({ ...input, prometheusNetrcFile: "/run/secrets/prometheus.netrc" });
    const post = script.slice(script.indexOf("http_post() {"), script.indexOf("}", script.indexOf("http_post() {")));
    expect(post).toContain("curl -fsS --netrc-file '/run/secrets/prometheus.netrc' -X POST \"$1\"");
    expect(post).not.toMatch(/wget|-u |--user/);
    // The readiness wait asks with the same credentials (web.yml protects every endpoint).
    const get = script.slice(script.indexOf("http_get() {"), script.indexOf("}", script.indexOf("http_get() {")));
    expect(get).toContain(`curl -fsS --netrc-file '/run/secrets/prometheus.netrc' "$1"`);
  });

  test("without one, the call is unauthenticated as before", () => {
    expect(renderBackupScript(input)).not.toContain("netrc");
  });
});
