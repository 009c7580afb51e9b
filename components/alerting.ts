// Alertmanager: routing/inhibition from configs/alertmanager.ts, credentials as files, and a
// persistent --storage.path so silences and the notification log survive a replacement.
import * as pulumi from "@pulumi/pulumi";
import { ContainerFile, HostPort, Placement, ServiceContainer, SECRETS_DIR } from "./container";
import { CATALOG } from "../catalog/containers";
import { ReceiverSecrets } from "./settings";
import { AlertmanagerReceivers, SECRET_FILES, renderAlertmanagerConfig } from "../configs/alertmanager";
import { GOSSIP_PORT, alertmanagerClusterFlags, renderGossipTlsConfig } from "../configs/cluster";

export interface AlertingStackArgs {
  readonly placement: Placement;
  /** Host address and port the API and UI are published on. */
  readonly published: HostPort;
  /** What alertmanager.yml says about each enabled receiver. */
  readonly receivers: AlertmanagerReceivers;
  /** The enabled receivers' credentials, each delivered as a file. */
  readonly secrets: ReceiverSecrets;
  /** URL users open Alertmanager at; links in notifications point here. */
  readonly externalUrl: string;
  /** Alerts that say their target is down (integrations/index.ts, TARGET_DOWN_ALERTS). */
  readonly targetDownAlerts: readonly string[];
  /** A member of the pair's cluster (highAvailability); unset: a single instance with gossip off. */
  readonly cluster?: AlertmanagerClusterArgs;
}

export interface AlertmanagerClusterArgs {
  /** The member's fixed peer name (configs/cluster.ts PAIR_MEMBERS). */
  readonly member: string;
  /** The host's private address: advertised to the peer, and where the gossip port is published. */
  readonly address: pulumi.Input<string>;
  /** The other members' private addresses. */
  readonly peers: readonly pulumi.Input<string>[];
  /** The stack's gossip CA and this member's certificate (public) and key (secret), PEM. */
  readonly tls: { readonly caPem: pulumi.Input<string>; readonly certPem: pulumi.Input<string>; readonly keyPem: pulumi.Input<string> };
}

const GOSSIP_DIR = "/etc/alertmanager/gossip";
const GOSSIP_FILES = {
  caFile: `${GOSSIP_DIR}/ca.pem`,
  certFile: `${GOSSIP_DIR}/cert.pem`,
  keyFile: `${SECRETS_DIR}/gossip-key.pem`,
} as const;
const GOSSIP_TLS_CONFIG = `${GOSSIP_DIR}/tls.yml`;

export const ALERTMANAGER_CONFIG_PATH = "/etc/alertmanager/alertmanager.yml";
export const ALERTMANAGER_SECRETS_DIR = SECRETS_DIR;
/** Each configured credential as a file readable only by Alertmanager's user (nobody). */
export function receiverSecretFiles(secrets: ReceiverSecrets): ContainerFile[] {
  return (Object.keys(SECRET_FILES) as (keyof typeof SECRET_FILES)[]).flatMap((kind) => {
    const value = secrets[kind];
    return value === undefined
      ? []
      : [
          {
            path: `${ALERTMANAGER_SECRETS_DIR}/${SECRET_FILES[kind]}`,
            content: pulumi.secret(value),
            mode: "0400",
            owner: CATALOG.alertmanager.user,
          },
        ];
  });
}

export class AlertingStack extends pulumi.ComponentResource {
  readonly container: ServiceContainer;

  constructor(name: string, args: AlertingStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:AlertingStack", name, {}, opts);

    const cluster = args.cluster;
    const baseFlags = [
      `--config.file=${ALERTMANAGER_CONFIG_PATH}`,
      "--storage.path=/alertmanager",
      `--web.external-url=${args.externalUrl}`,
    ];
    const config = renderAlertmanagerConfig({
      receivers: args.receivers,
      secretsDir: ALERTMANAGER_SECRETS_DIR,
      targetDownAlerts: args.targetDownAlerts,
      // The pair's inhibitions: a lost member's own down alerts behind PairMemberUnreachable.
      pair: cluster !== undefined,
    });

    this.container = new ServiceContainer(
      `${name}-alertmanager`,
      {
        ...args.placement,
        service: CATALOG.alertmanager.container,
        // A single instance has no gossip port to expose or secure.
        command: cluster ? clusterCommand(cluster).apply((flags) => [...baseFlags, ...flags]) : [...baseFlags, "--cluster.listen-address="],
        files: [
          { path: ALERTMANAGER_CONFIG_PATH, content: config },
          ...(cluster
            ? [
                { path: GOSSIP_TLS_CONFIG, content: renderGossipTlsConfig(GOSSIP_FILES) },
                { path: GOSSIP_FILES.caFile, content: cluster.tls.caPem },
                { path: GOSSIP_FILES.certFile, content: cluster.tls.certPem },
              ]
            : []),
        ],
        secrets: {
          dir: ALERTMANAGER_SECRETS_DIR,
          files: [
            ...receiverSecretFiles(args.secrets),
            ...(cluster
              ? [{ path: GOSSIP_FILES.keyFile, content: pulumi.secret(cluster.tls.keyPem), mode: "0400", owner: CATALOG.alertmanager.user }]
              : []),
          ],
        },
        volumes: [{ name: "data", containerPath: "/alertmanager" }],
        ports: [
          { internal: CATALOG.alertmanager.port, ...args.published },
          // Gossip over mutual TLS is TCP only; host and container port are the same (moby #53384).
          ...(cluster ? [{ internal: GOSSIP_PORT, external: GOSSIP_PORT, ip: cluster.address }] : []),
        ],
        healthcheck: ["wget", "-q", "--spider", `http://localhost:${CATALOG.alertmanager.port}/-/healthy`],
        stateful: true,
      },
      { parent: this },
    );

    this.registerOutputs({ containerName: this.container.containerName });
  }
}

/**
 * The cluster flags with the member's addresses filled in once the hosts exist: the same on both
 * members but for the name and the addresses.
 */
function clusterCommand(c: AlertmanagerClusterArgs): pulumi.Output<string[]> {
  return pulumi.all([pulumi.output(c.address), pulumi.all([...c.peers])]).apply(([address, peers]) =>
    alertmanagerClusterFlags({
      member: c.member,
      listenAddress: `0.0.0.0:${GOSSIP_PORT}`,
      advertiseAddress: `${address}:${GOSSIP_PORT}`,
      peers: peers.map((p) => `${p}:${GOSSIP_PORT}`),
      tlsConfigFile: GOSSIP_TLS_CONFIG,
    }),
  );
}
