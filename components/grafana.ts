// Grafana: provisioned datasources and dashboards, a generated admin password delivered as a
// file (never as plaintext env), and a data volume for its SQLite database.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { HostPort, Placement, ServiceContainer } from "./container";
import { CATALOG, Endpoints } from "../catalog/containers";
import {
  GRAFANA_ADMIN_PASSWORD_FILE,
  GRAFANA_DASHBOARD_PROVIDER_PATH,
  GRAFANA_DATA_DIR,
  GRAFANA_DATASOURCES_PATH,
  GRAFANA_PROMETHEUS_PASSWORD_FILE,
  dashboardFilePath,
  grafanaEnv,
  renderDashboardProvider,
  renderGrafanaDatasources,
} from "../configs/grafana";

export interface GrafanaStackArgs {
  readonly placement: Placement;
  readonly adminUser: string;
  /** Where the UI is published on the host. */
  readonly published: HostPort;
  /** Relative path ("Overview/overview.json") → dashboard JSON. Default none. */
  readonly dashboards?: Readonly<Record<string, string>>;
  readonly endpoints: Endpoints;
  /** Prometheus scrape interval, Grafana's minimum query step. Default unset (Grafana's 15s). */
  readonly scrapeInterval?: string;
  /** Public URL (GF_SERVER_ROOT_URL); https also marks cookies Secure and SameSite. Default unset. */
  readonly rootUrl?: string;
  /** Credentials for Prometheus's basic auth (its web config protects every endpoint). */
  readonly prometheusAuth: { readonly user: string; readonly password: pulumi.Output<string> };
  /**
   * The AMP workspace to add as a datasource of the AMP plugin, signed with SigV4 by the instance
   * role (remoteWrite amp). The container then installs that plugin, pinned, at start: it needs
   * grafana.com reachable until the plugin is in the data volume. Default none: no plugin.
   */
  readonly amp?: { readonly queryUrl: pulumi.Input<string>; readonly region: string };
  /** The pair's second member: the first member's Grafana, whose admin password it uses. */
  readonly adminPasswordOf?: GrafanaStack;
}

export class GrafanaStack extends pulumi.ComponentResource {
  readonly container: ServiceContainer;
  readonly adminUser: pulumi.Output<string>;
  /** Secret. Applies only when Grafana's database is first created (see README). */
  readonly adminPassword: pulumi.Output<string>;

  constructor(name: string, args: GrafanaStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:GrafanaStack", name, {}, opts);

    // The pair's second Grafana takes the first one's password: one admin login on both hosts.
    this.adminPassword =
      args.adminPasswordOf?.adminPassword ??
      pulumi.secret(new random.RandomPassword(`${name}-admin-password`, { length: 32, special: false }, { parent: this }).result);

    const amp = args.amp;
    const dashboards = args.dashboards ?? {};
    const dashboardFiles = Object.keys(dashboards)
      .sort()
      .map((rel) => ({ path: dashboardFilePath(rel), content: dashboards[rel] }));

    this.container = new ServiceContainer(
      `${name}-grafana`,
      {
        ...args.placement,
        service: CATALOG.grafana.container,
        env: grafanaEnv(args.adminUser, { rootUrl: args.rootUrl, amp: amp !== undefined }),
        // The __FILE password only seeds a new database, and the data volume outlives
        // `pulumi destroy`: re-apply it on every start so the exported password is the real one.
        // On a brand-new database the reset finds no admin yet and the server creates it.
        entrypoint: [
          "/bin/sh",
          "-c",
          `grafana cli --homepath "$GF_PATHS_HOME" --config "$GF_PATHS_CONFIG" admin reset-admin-password ` +
            `--password-from-stdin < ${GRAFANA_ADMIN_PASSWORD_FILE} >/dev/null 2>&1 || true; exec /run.sh`,
        ],
        secrets: {
          dir: path.posix.dirname(GRAFANA_ADMIN_PASSWORD_FILE),
          files: [
            // 0440 owned by grafana (472) and group 0, the image user's primary group.
            { path: GRAFANA_ADMIN_PASSWORD_FILE, content: this.adminPassword, mode: "0440", owner: CATALOG.grafana.user },
            // Read by the Prometheus datasource through $__file{}.
            {
              path: GRAFANA_PROMETHEUS_PASSWORD_FILE,
              content: pulumi.secret(args.prometheusAuth.password),
              mode: "0400",
              owner: CATALOG.grafana.user,
            },
          ],
        },
        files: [
          {
            path: GRAFANA_DATASOURCES_PATH,
            content: pulumi.output(amp?.queryUrl).apply((queryUrl) =>
              renderGrafanaDatasources(args.endpoints, {
                scrapeInterval: args.scrapeInterval,
                prometheusBasicAuth: { user: args.prometheusAuth.user, passwordFile: GRAFANA_PROMETHEUS_PASSWORD_FILE },
                amp: amp && queryUrl ? { queryUrl, region: amp.region } : undefined,
              }),
            ),
          },
          { path: GRAFANA_DASHBOARD_PROVIDER_PATH, content: renderDashboardProvider() },
          ...dashboardFiles,
        ],
        // Also holds plugins/ (the image's GF_PATHS_PLUGINS), where the AMP plugin is installed:
        // writable by the grafana user, and kept across restarts so it is downloaded once.
        volumes: [{ name: "data", containerPath: GRAFANA_DATA_DIR }],
        ports: [{ internal: CATALOG.grafana.port, ...args.published }],
        healthcheck: ["wget", "-q", "--spider", `http://localhost:${CATALOG.grafana.port}/api/health`],
        stateful: true,
      },
      { parent: this },
    );

    this.adminUser = pulumi.output(args.adminUser);

    this.registerOutputs({
      adminUser: this.adminUser,
      adminPassword: this.adminPassword,
      containerName: this.container.containerName,
    });
  }
}
