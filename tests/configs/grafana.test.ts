// configs/grafana.ts: datasource uids and types, the dashboard provider, and an environment
// that carries the admin password only as a file.
import * as yaml from "js-yaml";
import { dockerEndpoints } from "../../components/catalog";
import { DASHBOARDS_DIR, DATASOURCE_UIDS } from "../../configs/grafana-datasources";
import {
  GRAFANA_ADMIN_PASSWORD_FILE,
  dashboardFilePath,
  grafanaEnv,
  renderDashboardProvider,
  renderGrafanaDatasources,
} from "../../configs/grafana";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

describe("renderGrafanaDatasources", () => {
  const doc = yaml.load(renderGrafanaDatasources(dockerEndpoints(), { scrapeInterval: "15s" })) as Doc;
  const byType = (t: string) => doc.datasources.find((d: Doc) => d.type === t);

  test("apiVersion 1 with exactly Prometheus, Loki and Alertmanager", () => {
    expect(doc.apiVersion).toBe(1);
    expect(doc.datasources.map((d: Doc) => d.type).sort()).toEqual(["alertmanager", "loki", "prometheus"]);
  });

  test("uids are the fixed ones the dashboards use", () => {
    expect(byType("prometheus").uid).toBe(DATASOURCE_UIDS.prometheus);
    expect(byType("loki").uid).toBe(DATASOURCE_UIDS.loki);
    expect(byType("alertmanager").uid).toBe(DATASOURCE_UIDS.alertmanager);
  });

  test("urls point at the container endpoints", () => {
    expect(byType("prometheus").url).toBe("http://prometheus:9090");
    expect(byType("loki").url).toBe("http://loki:3100");
    expect(byType("alertmanager").url).toBe("http://alertmanager:9093");
  });

  test("Prometheus is the only default; all are read-only in the UI", () => {
    expect(doc.datasources.filter((d: Doc) => d.isDefault === true).map((d: Doc) => d.type)).toEqual(["prometheus"]);
    for (const d of doc.datasources) expect(d.editable).toBe(false);
    expect(byType("prometheus").jsonData.timeInterval).toBe("15s");
  });

  test("Alertmanager datasource declares the prometheus implementation", () => {
    expect(byType("alertmanager").jsonData).toEqual({ implementation: "prometheus", handleGrafanaManagedAlerts: false });
  });

  test("loopback endpoints (live test) render too", () => {
    const e = { prometheus: "127.0.0.1:19090", loki: "127.0.0.1:13100", alertmanager: "127.0.0.1:19093" };
    const d = yaml.load(renderGrafanaDatasources(e)) as Doc;
    expect(d.datasources.map((x: Doc) => x.url)).toEqual([
      "http://127.0.0.1:19090",
      "http://127.0.0.1:13100",
      "http://127.0.0.1:19093",
    ]);
    expect(d.datasources[0].jsonData.timeInterval).toBeUndefined();
  });
});

describe("renderDashboardProvider", () => {
  const doc = yaml.load(renderDashboardProvider()) as Doc;

  test("one file provider reading DASHBOARDS_DIR, folders from the directory tree, read-only", () => {
    expect(doc.apiVersion).toBe(1);
    expect(doc.providers).toHaveLength(1);
    const p = doc.providers[0];
    expect(p.type).toBe("file");
    expect(p.options).toEqual({ path: DASHBOARDS_DIR, foldersFromFilesStructure: true });
    expect(p.allowUiUpdates).toBe(false);
    expect(p.disableDeletion).toBe(true);
    // foldersFromFilesStructure conflicts with a fixed folder.
    expect(p.folder).toBeUndefined();
    expect(p.folderUid).toBeUndefined();
  });
});

describe("dashboardFilePath", () => {
  test("places files under DASHBOARDS_DIR", () => {
    expect(dashboardFilePath("Overview/overview.json")).toBe(`${DASHBOARDS_DIR}/Overview/overview.json`);
    expect(dashboardFilePath("home.json")).toBe(`${DASHBOARDS_DIR}/home.json`);
  });
  test.each(["../etc/passwd.json", "/abs.json", "a/b/c.json", "x.yaml", "Folder/", "a//b.json", "./x.json"])(
    "rejects %j",
    (bad) => expect(() => dashboardFilePath(bad)).toThrow(/not accepted/),
  );
});

describe("grafanaEnv", () => {
  const env = grafanaEnv("admin");

  test("password only through the __FILE variant", () => {
    expect(env.GF_SECURITY_ADMIN_USER).toBe("admin");
    expect(env.GF_SECURITY_ADMIN_PASSWORD__FILE).toBe(GRAFANA_ADMIN_PASSWORD_FILE);
    expect(GRAFANA_ADMIN_PASSWORD_FILE).toBe("/run/secrets/grafana_admin_password");
    expect(Object.keys(env)).not.toContain("GF_SECURITY_ADMIN_PASSWORD");
    // No other credential-looking variable with an inline value.
    for (const k of Object.keys(env)) {
      if (/PASSWORD|SECRET|TOKEN|KEY/.test(k)) expect(k.endsWith("__FILE")).toBe(true);
    }
  });

  test("hardening defaults", () => {
    expect(env).toMatchObject({
      GF_USERS_ALLOW_SIGN_UP: "false",
      GF_AUTH_ANONYMOUS_ENABLED: "false",
      GF_ANALYTICS_REPORTING_ENABLED: "false",
      GF_ANALYTICS_CHECK_FOR_UPDATES: "false",
      GF_SECURITY_DISABLE_GRAVATAR: "true",
      GF_PATHS_PROVISIONING: "/etc/grafana/provisioning",
    });
    for (const v of Object.values(env)) expect(typeof v).toBe("string");
  });

  test("Secure cookies only when served over https", () => {
    expect(env.GF_SECURITY_COOKIE_SECURE).toBeUndefined();
    expect(grafanaEnv("admin", { rootUrl: "http://1.2.3.4:3000" }).GF_SECURITY_COOKIE_SECURE).toBeUndefined();
    const https = grafanaEnv("admin", { rootUrl: "https://grafana.example.com" });
    expect(https.GF_SECURITY_COOKIE_SECURE).toBe("true");
    expect(https.GF_SERVER_ROOT_URL).toBe("https://grafana.example.com");
  });

  test("rejects an admin user that could break the env file", () => {
    expect(() => grafanaEnv("ad min")).toThrow(/admin user/);
    expect(() => grafanaEnv("")).toThrow(/admin user/);
  });
});
