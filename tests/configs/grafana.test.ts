// configs/grafana.ts: datasource uids and types, the dashboard provider, and an environment
// that carries the admin password only as a file.
import * as yaml from "js-yaml";
import { dockerEndpoints } from "../../catalog/containers";
import { DASHBOARDS_DIR, DATASOURCE_UIDS } from "../../configs/grafana-datasources";
import {
  AMP_DATASOURCE_PLUGIN,
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
    expect(d.datasources.map((x: Doc) => x.url)).toEqual(["http://127.0.0.1:19090", "http://127.0.0.1:13100", "http://127.0.0.1:19093"]);
    expect(d.datasources[0].jsonData.timeInterval).toBeUndefined();
  });
});

describe("renderGrafanaDatasources with an AMP workspace (remoteWrite amp)", () => {
  const endpoint = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0123abcd-4567-89ef-0123-456789abcdef/";
  const amp = { queryUrl: endpoint, region: "eu-west-1" };
  const options = { scrapeInterval: "15s", prometheusBasicAuth: { user: "grafana", passwordFile: "/run/secrets/prometheus_password" } };
  const withAmp = yaml.load(renderGrafanaDatasources(dockerEndpoints(), { ...options, amp })) as Doc;
  const without = yaml.load(renderGrafanaDatasources(dockerEndpoints(), options)) as Doc;
  const ampDs = withAmp.datasources.find((d: Doc) => d.uid === DATASOURCE_UIDS.amp);

  test("the plugin pin is one exact release of the AMP datasource", () => {
    expect(AMP_DATASOURCE_PLUGIN.id).toBe("grafana-amazonprometheus-datasource");
    expect(AMP_DATASOURCE_PLUGIN.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test("the workspace is a datasource of the AMP plugin's type, not core Prometheus", () => {
    expect(ampDs).toMatchObject({
      type: "grafana-amazonprometheus-datasource",
      access: "proxy",
      url: endpoint,
      isDefault: false,
      editable: false,
    });
    // Grafana 13's core Prometheus datasource no longer signs with SigV4.
    for (const d of withAmp.datasources.filter((x: Doc) => x.type === "prometheus")) {
      expect(Object.keys(d.jsonData).filter((k) => /sigv4/i.test(k))).toEqual([]);
    }
  });

  test("signs with SigV4 through the AWS SDK default chain (the instance role) in the workspace's region", () => {
    expect(ampDs.jsonData).toEqual({
      httpMethod: "POST",
      sigV4Auth: true,
      sigV4AuthType: "default",
      sigV4Region: "eu-west-1",
      sigv4Service: "aps",
      manageAlerts: false,
      timeInterval: "15s",
    });
    // No keys: the role's temporary credentials come from the instance metadata service.
    expect(ampDs.secureJsonData).toBeUndefined();
    expect(ampDs.basicAuth).toBeUndefined();
  });

  test("adds exactly that one datasource; the others are unchanged and Prometheus stays the default", () => {
    expect(withAmp.datasources.filter((d: Doc) => d.uid !== DATASOURCE_UIDS.amp)).toEqual(without.datasources);
    expect({ ...withAmp, datasources: [] }).toEqual({ ...without, datasources: [] });
    expect(withAmp.datasources.filter((d: Doc) => d.isDefault === true).map((d: Doc) => d.uid)).toEqual([DATASOURCE_UIDS.prometheus]);
    expect(without.datasources.map((d: Doc) => d.type)).not.toContain(AMP_DATASOURCE_PLUGIN.id);
  });

  test.each([
    ["the query API path", `${endpoint}api/v1/query`],
    ["the remote-write path", `${endpoint}api/v1/remote_write`],
    ["plain http", endpoint.replace("https:", "http:")],
    ["an empty URL", ""],
  ])("rejects %s as the workspace URL", (_what, queryUrl) => {
    expect(() => renderGrafanaDatasources(dockerEndpoints(), { amp: { queryUrl, region: "eu-west-1" } })).toThrow(
      /not a workspace endpoint/,
    );
  });

  test("rejects a region that is not an AWS region name", () => {
    expect(() => renderGrafanaDatasources(dockerEndpoints(), { amp: { queryUrl: endpoint, region: "eu west" } })).toThrow(
      /not an AWS region/,
    );
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
  test.each(["../etc/passwd.json", "/abs.json", "a/b/c.json", "x.yaml", "Folder/", "a//b.json", "./x.json"])("rejects %j", (bad) =>
    expect(() => dashboardFilePath(bad)).toThrow(/not accepted/),
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

  test("amp: installs the pinned AMP plugin before the server starts, and lets the data proxy sign", () => {
    const amp = grafanaEnv("admin", { amp: true });
    expect(amp.GF_PLUGINS_PREINSTALL_SYNC).toBe(`grafana-amazonprometheus-datasource@${AMP_DATASOURCE_PLUGIN.version}`);
    expect(amp.GF_PLUGINS_PREINSTALL_SYNC).toMatch(/^grafana-amazonprometheus-datasource@\d+\.\d+\.\d+$/);
    expect(amp.GF_AUTH_SIGV4_AUTH_ENABLED).toBe("true");
    // Neither the background install nor the older variable: one way, before the server starts.
    expect(amp.GF_PLUGINS_PREINSTALL).toBeUndefined();
    expect(amp.GF_INSTALL_PLUGINS).toBeUndefined();
    // Nothing else changes.
    const added = ["GF_PLUGINS_PREINSTALL_SYNC", "GF_AUTH_SIGV4_AUTH_ENABLED"];
    expect(Object.fromEntries(Object.entries(amp).filter(([k]) => !added.includes(k)))).toEqual(env);
  });

  test("without amp no plugin is installed and SigV4 stays off", () => {
    for (const e of [env, grafanaEnv("admin", { amp: false }), grafanaEnv("admin", { rootUrl: "https://grafana.example.com" })]) {
      expect(Object.keys(e).filter((k) => /PLUGINS|SIGV4/.test(k))).toEqual([]);
    }
    expect(grafanaEnv("admin", { amp: false })).toEqual(env);
  });

  test("rejects an admin user that could break the env file", () => {
    expect(() => grafanaEnv("ad min")).toThrow(/admin user/);
    expect(() => grafanaEnv("")).toThrow(/admin user/);
  });
});
