// Grafana provisioning (datasources with fixed uids, one file provider for dashboards) and the
// container environment. The admin password only ever travels as a file. Pure: no Pulumi here.
import * as yaml from "js-yaml";
import { Endpoints } from "../components/catalog";
import { ADMIN_USER_ACCEPTED, ADMIN_USER_PATTERN } from "./patterns";
import { DASHBOARDS_DIR, DATASOURCE_UIDS } from "./grafana-datasources";

export const GRAFANA_PROVISIONING_DIR = "/etc/grafana/provisioning";
export const GRAFANA_DATASOURCES_PATH = `${GRAFANA_PROVISIONING_DIR}/datasources/datasources.yaml`;
export const GRAFANA_DASHBOARD_PROVIDER_PATH = `${GRAFANA_PROVISIONING_DIR}/dashboards/dashboards.yaml`;
export const GRAFANA_ADMIN_PASSWORD_FILE = "/run/secrets/grafana_admin_password";
/** Grafana's password for Prometheus's basic auth, read by the datasource through $__file{}. */
export const GRAFANA_PROMETHEUS_PASSWORD_FILE = "/run/secrets/prometheus_password";
export const GRAFANA_DATA_DIR = "/var/lib/grafana";
/** Name of the file provider; shown in Grafana as the dashboards' provisioning source. */
export const DASHBOARD_PROVIDER_NAME = "observability-stack";

export interface GrafanaDatasourceOptions {
  /** Prometheus scrape interval; Grafana uses it as the minimum step ($__interval). */
  readonly scrapeInterval?: string;
  /**
   * Basic auth towards Prometheus (its web config protects every endpoint). The password is
   * read from a file in the Grafana container (`$__file{}`), never written into this file.
   */
  readonly prometheusBasicAuth?: { readonly user: string; readonly passwordFile: string };
  /**
   * An Amazon Managed Service for Prometheus workspace (remoteWrite amp): a second Prometheus
   * datasource for the long-term store, signed with SigV4 by the instance role's credentials
   * (needs GF_AUTH_SIGV4_AUTH_ENABLED, see grafanaEnv's `sigV4`).
   */
  readonly amp?: { readonly queryUrl: string; readonly region: string };
}

/** datasources.yaml: Prometheus (default), Loki and Alertmanager with the fixed uids, and AMP when set. */
export function renderGrafanaDatasources(
  endpoints: Pick<Endpoints, "prometheus" | "loki" | "alertmanager">,
  options: GrafanaDatasourceOptions = {},
): string {
  const doc = {
    apiVersion: 1,
    // Datasources removed from this file are removed from Grafana too.
    prune: true,
    datasources: [
      {
        name: "Prometheus",
        uid: DATASOURCE_UIDS.prometheus,
        type: "prometheus",
        access: "proxy",
        url: `http://${endpoints.prometheus}`,
        isDefault: true,
        editable: false,
        jsonData: {
          httpMethod: "POST",
          prometheusType: "Prometheus",
          alertmanagerUid: DATASOURCE_UIDS.alertmanager,
          ...(options.scrapeInterval ? { timeInterval: options.scrapeInterval } : {}),
        },
        ...(options.prometheusBasicAuth ? datasourceBasicAuth(options.prometheusBasicAuth) : {}),
      },
      {
        name: "Loki",
        uid: DATASOURCE_UIDS.loki,
        type: "loki",
        access: "proxy",
        url: `http://${endpoints.loki}`,
        isDefault: false,
        editable: false,
        jsonData: { maxLines: 1000, alertmanagerUid: DATASOURCE_UIDS.alertmanager },
      },
      {
        name: "Alertmanager",
        uid: DATASOURCE_UIDS.alertmanager,
        type: "alertmanager",
        access: "proxy",
        url: `http://${endpoints.alertmanager}`,
        isDefault: false,
        editable: false,
        jsonData: {
          // Without it Grafana assumes Mimir/Cortex and the UI's API calls fail.
          implementation: "prometheus",
          // Alerting lives in Prometheus/Loki rules; Grafana-managed alerts stay in Grafana.
          handleGrafanaManagedAlerts: false,
        },
      },
      ...(options.amp
        ? [
            {
              name: "Amazon Managed Prometheus (long-term)",
              uid: DATASOURCE_UIDS.amp,
              type: "prometheus",
              access: "proxy",
              url: options.amp.queryUrl,
              isDefault: false,
              editable: false,
              jsonData: {
                httpMethod: "POST",
                // "default": the AWS SDK's credential chain, i.e. the instance role through IMDSv2.
                sigV4Auth: true,
                sigV4AuthType: "default",
                sigV4Region: options.amp.region,
                ...(options.scrapeInterval ? { timeInterval: options.scrapeInterval } : {}),
              },
            },
          ]
        : []),
    ],
  };
  return yaml.dump(doc, { lineWidth: -1, noRefs: true });
}

function datasourceBasicAuth(auth: { readonly user: string; readonly passwordFile: string }): Record<string, unknown> {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(auth.user)) throw new Error(`Prometheus datasource user ${JSON.stringify(auth.user)} is not accepted`);
  // `}` would end Grafana's $__file{...} expansion early.
  if (!/^\/[A-Za-z0-9_./-]+$/.test(auth.passwordFile)) {
    throw new Error(`Prometheus datasource password file ${JSON.stringify(auth.passwordFile)} is not an absolute path`);
  }
  return {
    basicAuth: true,
    basicAuthUser: auth.user,
    secureJsonData: { basicAuthPassword: `$__file{${auth.passwordFile}}` },
  };
}

/** dashboards.yaml: one file provider; sub-directories of DASHBOARDS_DIR become folders. */
export function renderDashboardProvider(): string {
  const doc = {
    apiVersion: 1,
    providers: [
      {
        name: DASHBOARD_PROVIDER_NAME,
        orgId: 1,
        type: "file",
        // Dashboards are code: the UI can neither change nor delete them.
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 30,
        options: { path: DASHBOARDS_DIR, foldersFromFilesStructure: true },
      },
    ],
  };
  return yaml.dump(doc, { lineWidth: -1, noRefs: true });
}

/**
 * Where a dashboard file lands. `relative` is like "Overview/overview.json": at most one
 * folder level (Grafana's file provider maps one level to a folder), no "..", ends in .json.
 */
export function dashboardFilePath(relative: string): string {
  const parts = relative.split("/");
  const okPart = (p: string) => /^[A-Za-z0-9][A-Za-z0-9 ,._-]*$/.test(p) && p !== "." && p !== "..";
  if (parts.length > 2 || !parts.every(okPart) || !relative.endsWith(".json")) {
    throw new Error(
      `Dashboard path ${JSON.stringify(relative)} is not accepted; use "<file>.json" or "<Folder>/<file>.json" (letters, digits, space, ",", ".", "_", "-")`,
    );
  }
  return `${DASHBOARDS_DIR}/${relative}`;
}

export interface GrafanaEnvOptions {
  /**
   * Public URL users open Grafana at. When it is https, session cookies are marked Secure;
   * over plain http (the dev default) a Secure cookie would make login impossible.
   */
  readonly rootUrl?: string;
  /** Lets datasources sign requests with SigV4 (the AMP datasource). Default off. */
  readonly sigV4?: boolean;
}

/**
 * Container environment. The password comes from GRAFANA_ADMIN_PASSWORD_FILE through the
 * image's `__FILE` support; setting GF_SECURITY_ADMIN_PASSWORD as well makes the image exit.
 */
export function grafanaEnv(adminUser: string, options: GrafanaEnvOptions = {}): Record<string, string> {
  if (!ADMIN_USER_PATTERN.test(adminUser)) {
    throw new Error(`Grafana admin user ${JSON.stringify(adminUser)} is not accepted; use ${ADMIN_USER_ACCEPTED}`);
  }
  const env: Record<string, string> = {
    GF_SECURITY_ADMIN_USER: adminUser,
    GF_SECURITY_ADMIN_PASSWORD__FILE: GRAFANA_ADMIN_PASSWORD_FILE,
    GF_USERS_ALLOW_SIGN_UP: "false",
    GF_USERS_ALLOW_ORG_CREATE: "false",
    GF_AUTH_ANONYMOUS_ENABLED: "false",
    GF_ANALYTICS_REPORTING_ENABLED: "false",
    GF_ANALYTICS_CHECK_FOR_UPDATES: "false",
    GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: "false",
    GF_SECURITY_DISABLE_GRAVATAR: "true",
    GF_SNAPSHOTS_EXTERNAL_ENABLED: "false",
    GF_NEWS_NEWS_FEED_ENABLED: "false",
    GF_PATHS_PROVISIONING: GRAFANA_PROVISIONING_DIR,
  };
  if (options.sigV4) env.GF_AUTH_SIGV4_AUTH_ENABLED = "true";
  if (options.rootUrl !== undefined) {
    if (!/^https?:\/\/[^\s/]+/.test(options.rootUrl)) {
      throw new Error(`Grafana rootUrl ${JSON.stringify(options.rootUrl)} is not an http(s) URL`);
    }
    env.GF_SERVER_ROOT_URL = options.rootUrl;
    if (options.rootUrl.startsWith("https://")) {
      env.GF_SECURITY_COOKIE_SECURE = "true";
      // lax, stated: the session cookie is not sent on cross-site subrequests or form posts, and
      // a link from an alert in Slack still opens Grafana logged in (strict would not).
      env.GF_SECURITY_COOKIE_SAMESITE = "lax";
      // The proxy already answers with HSTS; Grafana says the same for its own answers.
      env.GF_SECURITY_STRICT_TRANSPORT_SECURITY = "true";
      env.GF_SECURITY_STRICT_TRANSPORT_SECURITY_MAX_AGE_SECONDS = "31536000";
    }
  }
  return env;
}
