// Prometheus: scrape config, the rule files for the enabled areas, retention and a data volume.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { HostPort, Placement, SECRETS_DIR, ServiceContainer } from "./container";
import { CATALOG, Endpoints } from "../catalog/containers";
import { PairScrape, PrometheusConfigInput, ScrapeConfig, renderPrometheusConfig } from "../configs/prometheus";
import { Ec2DiscoveryJob } from "../configs/ec2-discovery";
import { RemoteWriteTarget } from "../configs/remote-write";
import { ServiceSettings } from "../configs/service-settings";
import {
  PROMETHEUS_CLIENT_CONFIG_PATH,
  PROMETHEUS_USERS,
  PROMETHEUS_WEB_CONFIG_PATH,
  prometheusHealthcheck,
  prometheusWebFlags,
  renderPrometheusClientConfig,
  renderPrometheusWebConfig,
} from "../configs/prometheus-web";

export interface PrometheusStackArgs {
  /** Placement; its extraNetworks are the application services' networks, so targets resolve by name. */
  readonly placement: Placement;
  /** Host address and port the API and UI are published on. */
  readonly published: HostPort;
  readonly endpoints: Endpoints;
  // Intervals and retention come from the settings, whose schema holds their defaults.
  readonly scrapeInterval: string;
  readonly evaluationInterval: string;
  readonly retentionTime: string;
  readonly retentionSize: string;
  readonly services: readonly ServiceSettings[];
  /** The enabled integrations' scrape jobs (integrations/index.ts). */
  readonly integrationJobs: readonly ScrapeConfig[];
  /** Rule file name → content, as rendered by configs/rules.ts. */
  readonly ruleFiles: Readonly<Record<string, string>>;
  readonly externalLabels?: Readonly<Record<string, string>>;
  /** Fleets found through EC2 (target ec2). Default none. */
  readonly ec2Discovery?: { readonly region: string; readonly jobs: readonly Ec2DiscoveryJob[] };
  /**
   * A long-term store to write every sample to. Credentials of a URL target are read from
   * PROMETHEUS_REMOTE_WRITE_SECRET, which `remoteWriteSecret` fills. Default none.
   */
  readonly remoteWrite?: { readonly target: pulumi.Input<RemoteWriteTarget>; readonly expectedSeries: number };
  /** The remote-write password or bearer token (secret), delivered as a 0400 file. */
  readonly remoteWriteSecret?: pulumi.Input<string>;
  /** The redundant pair: both members' services, at addresses known once the hosts exist. Default one host. */
  readonly pair?: pulumi.Input<PairScrape>;
  /**
   * The pair's second member uses the first member's passwords: both replicas scrape both
   * Prometheus servers with one scrape config, and Grafana, the backup job and people log in to
   * either with the same credentials.
   */
  readonly passwordsOf?: PrometheusStack;
}

export const PROMETHEUS_CONFIG_PATH = "/etc/prometheus/prometheus.yml";
export const PROMETHEUS_RULES_DIR = "/etc/prometheus/rules";
/** The self-scrape's and the healthcheck's password, readable by Prometheus's user only. */
export const PROMETHEUS_SELF_PASSWORD_FILE = `${SECRETS_DIR}/prometheus_password`;

export type PrometheusClient = Exclude<keyof typeof PROMETHEUS_USERS, "self">;

/** The remote-write password or bearer token (remoteWritePassword / remoteWriteBearerToken). */
export const PROMETHEUS_REMOTE_WRITE_SECRET = `${SECRETS_DIR}/remote_write_credentials`;

export class PrometheusStack extends pulumi.ComponentResource {
  readonly container: ServiceContainer;
  /**
   * Basic-auth credentials of each client of the API (secret passwords): Grafana's datasource,
   * the backup job, and `admin` for people through the SSH tunnel.
   */
  readonly credentials: Readonly<Record<PrometheusClient, { readonly user: string; readonly password: pulumi.Output<string> }>>;
  private readonly passwords: Readonly<Record<keyof typeof PROMETHEUS_USERS, random.RandomPassword>>;

  constructor(name: string, args: PrometheusStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:PrometheusStack", name, {}, opts);

    // One generated password per client. RandomPassword keeps the bcrypt hash in the state, so
    // web.yml is the same on every `up` and Prometheus is not replaced for nothing.
    const passwords =
      args.passwordsOf?.passwords ??
      (Object.fromEntries(
        (Object.keys(PROMETHEUS_USERS) as (keyof typeof PROMETHEUS_USERS)[]).map((k) => [
          k,
          new random.RandomPassword(`${name}-${PROMETHEUS_USERS[k]}-password`, { length: 32, special: false }, { parent: this }),
        ]),
      ) as Record<keyof typeof PROMETHEUS_USERS, random.RandomPassword>);
    this.passwords = passwords;
    // A bcrypt hash of 32 random letters and digits (about 190 bits) cannot be reversed, so the
    // web config stays readable in `pulumi preview --diff` instead of hiding every upload of the
    // container behind [secret].
    const webConfig = pulumi
      .all(
        Object.entries(passwords).map(([k, p]) =>
          pulumi.unsecret(p.bcryptHash).apply((h) => [PROMETHEUS_USERS[k as keyof typeof PROMETHEUS_USERS], h] as const),
        ),
      )
      .apply((pairs) => renderPrometheusWebConfig(Object.fromEntries(pairs)));
    this.credentials = {
      grafana: { user: PROMETHEUS_USERS.grafana, password: pulumi.secret(passwords.grafana.result) },
      backup: { user: PROMETHEUS_USERS.backup, password: pulumi.secret(passwords.backup.result) },
      admin: { user: PROMETHEUS_USERS.admin, password: pulumi.secret(passwords.admin.result) },
    };
    const selfAuth = { username: PROMETHEUS_USERS.self, passwordFile: PROMETHEUS_SELF_PASSWORD_FILE };

    const ruleNames = Object.keys(args.ruleFiles).sort();
    const input: PrometheusConfigInput = {
      scrapeInterval: args.scrapeInterval,
      evaluationInterval: args.evaluationInterval,
      endpoints: args.endpoints,
      services: args.services,
      integrationJobs: args.integrationJobs,
      ruleFiles: ruleNames.map((f) => `${PROMETHEUS_RULES_DIR}/${f}`),
      externalLabels: args.externalLabels,
      selfAuth,
      ec2Discovery: args.ec2Discovery,
    };
    const remoteWrite = args.remoteWrite;
    // The AMP URL is known only once the workspace exists, the pair's addresses once the hosts do.
    const config: pulumi.Input<string> =
      remoteWrite || args.pair
        ? pulumi
            .all([remoteWrite ? pulumi.output(remoteWrite.target) : undefined, args.pair ? pulumi.output(args.pair) : undefined])
            .apply(([target, pair]) =>
              renderPrometheusConfig({
                ...input,
                ...(remoteWrite && target ? { remoteWrite: { target, expectedSeries: remoteWrite.expectedSeries } } : {}),
                ...(pair ? { pair } : {}),
              }),
            )
        : renderPrometheusConfig(input);

    this.container = new ServiceContainer(
      `${name}-server`,
      {
        ...args.placement,
        service: CATALOG.prometheus.container,
        // Retention stays on flags: Prometheus 3.8+ also reads it from prometheus.yml, but the
        // flags work on every 3.x and keep the file checkable by older promtool builds.
        command: [
          `--config.file=${PROMETHEUS_CONFIG_PATH}`,
          "--storage.tsdb.path=/prometheus",
          `--storage.tsdb.retention.time=${args.retentionTime}`,
          `--storage.tsdb.retention.size=${args.retentionSize}`,
          // Basic auth on every endpoint; the admin API for the backup job's snapshots; no
          // lifecycle API (a config change replaces the container anyway). With the auth, joining
          // the application networks no longer hands those containers a write API.
          ...prometheusWebFlags(PROMETHEUS_WEB_CONFIG_PATH),
        ],
        secrets: {
          dir: SECRETS_DIR,
          files: [
            {
              path: PROMETHEUS_SELF_PASSWORD_FILE,
              content: pulumi.secret(passwords.self.result),
              mode: "0400",
              owner: CATALOG.prometheus.user,
            },
            ...(args.remoteWriteSecret
              ? [
                  {
                    path: PROMETHEUS_REMOTE_WRITE_SECRET,
                    content: pulumi.secret(args.remoteWriteSecret),
                    mode: "0400",
                    owner: CATALOG.prometheus.user,
                  },
                ]
              : []),
          ],
        },
        files: [
          { path: PROMETHEUS_CONFIG_PATH, content: config },
          { path: PROMETHEUS_WEB_CONFIG_PATH, content: webConfig },
          { path: PROMETHEUS_CLIENT_CONFIG_PATH, content: renderPrometheusClientConfig(selfAuth) },
          ...ruleNames.map((f) => ({ path: `${PROMETHEUS_RULES_DIR}/${f}`, content: args.ruleFiles[f] })),
        ],
        volumes: [{ name: "data", containerPath: "/prometheus" }],
        ports: [{ internal: CATALOG.prometheus.port, ...args.published }],
        // promtool (in the image) with the client config: the password never appears in argv.
        healthcheck: prometheusHealthcheck(CATALOG.prometheus.port, PROMETHEUS_CLIENT_CONFIG_PATH),
        stateful: true,
      },
      { parent: this },
    );

    this.registerOutputs({ containerName: this.container.containerName });
  }
}
