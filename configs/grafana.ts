// Grafana provisioning (datasources with fixed uids, one file provider for dashboards) and the
// container environment. The admin password only ever travels as a file. Pure: no Pulumi here.
import * as yaml from "js-yaml";
import { Endpoints } from "../catalog/containers";
import { ADMIN_USER_ACCEPTED, ADMIN_USER_PATTERN, AWS_REGION_PATTERN } from "./patterns";
import { DASHBOARDS_DIR, DATASOURCE_UIDS } from "./grafana-datasources";

/**
 * Only datasources/ and dashboards/ are provisioned, never alerting/: Grafana's unified alerting
 * is on by default and evaluates every rule it holds on every instance, so on the redundant pair
 * a provisioned Grafana rule would run on both hosts and notify twice. Alert rules live in
 * Prometheus and Loki (promtool-tested, with runbooks); Grafana only shows them.
 * tests/program/grafana-no-alert-rules.test.ts fails if a rule ever reaches Grafana.
 */
export const GRAFANA_PROVISIONING_DIR = "/etc/grafana/provisioning";
export const GRAFANA_DATASOURCES_PATH = `${GRAFANA_PROVISIONING_DIR}/datasources/datasources.yaml`;
export const GRAFANA_DASHBOARD_PROVIDER_PATH = `${GRAFANA_PROVISIONING_DIR}/dashboards/dashboards.yaml`;
export const GRAFANA_ADMIN_PASSWORD_FILE = "/run/secrets/grafana_admin_password";
/** Grafana's password for Prometheus's basic auth, read by the datasource through $__file{}. */
export const GRAFANA_PROMETHEUS_PASSWORD_FILE = "/run/secrets/prometheus_password";
export const GRAFANA_DATA_DIR = "/var/lib/grafana";
/** Name of the file provider; shown in Grafana as the dashboards' provisioning source. */
export const DASHBOARD_PROVIDER_NAME = "observability-stack";

/**
 * The datasource plugin for Amazon Managed Service for Prometheus. Grafana 13's core Prometheus
 * datasource no longer signs with SigV4 (such datasources are migrated to this plugin at start),
 * and the image does not ship the plugin: with `remoteWrite: amp` Grafana installs it, pinned.
 * 3.3.4 is the newest release in the changelog grafana.com serves (grafana.com/grafana/plugins/
 * grafana-amazonprometheus-datasource/changelog, checked 2026-12-07: 3.3.4, then "Unreleased";
 * 3.3.5 was pinned before and could not be found); src/plugin.json on the 3.x line declares
 * grafanaDependency ">=12.2.5-0" for Grafana 12.2 and later, and
 * the plugin bumped its major version the last time it narrowed that range (3.0.0's changelog).
 * Bump it on purpose, checking the version's Grafana range on grafana.com first: an install that
 * fails stops Grafana from starting (GF_PLUGINS_PREINSTALL_SYNC).
 */
export const AMP_DATASOURCE_PLUGIN = { id: "grafana-amazonprometheus-datasource", version: "3.3.4" } as const;

export interface GrafanaDatasourceOptions {
  /** Prometheus scrape interval; Grafana uses it as the minimum step ($__interval). */
  readonly scrapeInterval?: string;
  /**
   * Basic auth towards Prometheus (its web config protects every endpoint). The password is
   * read from a file in the Grafana container (`$__file{}`), never written into this file.
   */
  readonly prometheusBasicAuth?: { readonly user: string; readonly passwordFile: string };
  /**
   * An Amazon Managed Service for Prometheus workspace (remoteWrite amp): a second datasource, of
   * the AMP plugin's type, for the long-term store, signed with SigV4 by the instance role's
   * credentials. The container must install the plugin: grafanaEnv's `amp`. `queryUrl` is the
   * workspace's endpoint, https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>/ (the
   * datasource appends api/v1/query and the other API paths itself).
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
      ...(options.amp ? [ampDatasource(options.amp, options.scrapeInterval)] : []),
    ],
  };
  return yaml.dump(doc, { lineWidth: -1, noRefs: true });
}

/** Amazon Managed Service for Prometheus workspace endpoints: …/workspaces/<id>/, nothing after. */
const AMP_QUERY_URL = /^https:\/\/[A-Za-z0-9.-]+\/workspaces\/[A-Za-z0-9_-]+\/?$/;

/**
 * The AMP workspace as a datasource of the AMP plugin's type (see AMP_DATASOURCE_PLUGIN), the
 * format of the plugin's provisioning docs (docs/sources/configure.md in
 * grafana/grafana-amazonprometheus-datasource).
 */
function ampDatasource(
  amp: { readonly queryUrl: string; readonly region: string },
  scrapeInterval: string | undefined,
): Record<string, unknown> {
  if (!AMP_QUERY_URL.test(amp.queryUrl)) {
    throw new Error(
      `AMP query URL ${JSON.stringify(amp.queryUrl)} is not a workspace endpoint; use https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>/ (the datasource adds api/v1/query itself)`,
    );
  }
  if (!AWS_REGION_PATTERN.test(amp.region))
    throw new Error(`AMP region ${JSON.stringify(amp.region)} is not an AWS region name such as eu-west-1`);
  return {
    name: "Amazon Managed Prometheus (long-term)",
    uid: DATASOURCE_UIDS.amp,
    type: AMP_DATASOURCE_PLUGIN.id,
    // The plugin has no browser access mode: Grafana's server signs every request.
    access: "proxy",
    url: amp.queryUrl,
    isDefault: false,
    editable: false,
    jsonData: {
      httpMethod: "POST",
      // "default": the AWS SDK's default credential chain, here the instance role through IMDSv2
      // (the host allows two hops for containers). Grafana's [aws] allowed_auth_providers
      // includes "default" unless changed, so no GF_AWS_* setting is needed.
      sigV4Auth: true,
      sigV4AuthType: "default",
      sigV4Region: amp.region,
      // The signing service; the plugin's default too, stated so the file says what it signs for.
      sigv4Service: "aps",
      // Alert and recording rules live in the local Prometheus and Loki; the workspace has none and
      // the instance role may not list rules, so Grafana's Alerting pages do not ask it.
      manageAlerts: false,
      ...(scrapeInterval ? { timeInterval: scrapeInterval } : {}),
    },
  };
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
  /**
   * The AMP datasource is provisioned (remoteWrite amp): install its plugin, pinned, before the
   * server starts, and let Grafana's data proxy sign with SigV4. Default off: nothing changes.
   */
  readonly amp?: boolean;
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
  if (options.amp) {
    // PREINSTALL_SYNC installs before the HTTP server starts, so the provisioned datasource finds
    // its plugin; GF_PLUGINS_PREINSTALL would install in the background (a window in which the
    // datasource has no plugin), and GF_INSTALL_PLUGINS is only the older name Grafana maps onto
    // this one. With a version given Grafana neither updates it nor asks grafana.com again once
    // that version is in the data volume (/var/lib/grafana/plugins).
    env.GF_PLUGINS_PREINSTALL_SYNC = `${AMP_DATASOURCE_PLUGIN.id}@${AMP_DATASOURCE_PLUGIN.version}`;
    // The plugin signs its own queries; this turns on the SigV4 step of Grafana's data proxy
    // (pkg/infra/httpclient/httpclientprovider), which requests through the plugin's proxy routes
    // take.
    env.GF_AUTH_SIGV4_AUTH_ENABLED = "true";
  }
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
