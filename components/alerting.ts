// Alertmanager: routing/inhibition from configs/alertmanager.ts, credentials as files, and a
// persistent --storage.path so silences and the notification log survive a replacement.
import * as pulumi from "@pulumi/pulumi";
import { ContainerFile, HostPort, Placement, ServiceContainer, SECRETS_DIR } from "./container";
import { CATALOG } from "../catalog/containers";
import { ReceiverSecrets } from "./settings";
import { AlertmanagerReceivers, SECRET_FILES, renderAlertmanagerConfig } from "../configs/alertmanager";

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
}

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

    const config = renderAlertmanagerConfig({
      receivers: args.receivers,
      secretsDir: ALERTMANAGER_SECRETS_DIR,
      targetDownAlerts: args.targetDownAlerts,
    });

    this.container = new ServiceContainer(
      `${name}-alertmanager`,
      {
        ...args.placement,
        service: CATALOG.alertmanager.container,
        command: [
          `--config.file=${ALERTMANAGER_CONFIG_PATH}`,
          "--storage.path=/alertmanager",
          `--web.external-url=${args.externalUrl}`,
          // A single instance: no gossip port to expose or secure.
          "--cluster.listen-address=",
        ],
        files: [{ path: ALERTMANAGER_CONFIG_PATH, content: config }],
        secrets: { dir: ALERTMANAGER_SECRETS_DIR, files: receiverSecretFiles(args.secrets) },
        volumes: [{ name: "data", containerPath: "/alertmanager" }],
        ports: [{ internal: CATALOG.alertmanager.port, ...args.published }],
        healthcheck: ["wget", "-q", "--spider", `http://localhost:${CATALOG.alertmanager.port}/-/healthy`],
        stateful: true,
      },
      { parent: this },
    );

    this.registerOutputs({ containerName: this.container.containerName });
  }
}
