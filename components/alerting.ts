// Alertmanager: routing/inhibition from configs/alertmanager.ts, credentials as files, and a
// persistent --storage.path so silences and the notification log survive a replacement.
import * as pulumi from "@pulumi/pulumi";
import { ContainerFile, ServiceContainer, PublishedPort } from "./container";
import { Limits, ReceiverSettings } from "./settings";
import { CONTAINER_NAMES, CONTAINER_PORTS } from "../configs/endpoints";
import { AlertmanagerReceivers, SECRET_FILES, renderAlertmanagerConfig } from "../configs/alertmanager";

export interface AlertingStackArgs {
  readonly image: string;
  readonly limits: Limits;
  readonly network: pulumi.Input<string>;
  readonly port: PublishedPort;
  readonly receivers: ReceiverSettings;
  /** URL users open Alertmanager at; links in notifications point here. */
  readonly externalUrl: string;
}

export const ALERTMANAGER_CONFIG_PATH = "/etc/alertmanager/alertmanager.yml";
export const ALERTMANAGER_SECRETS_DIR = "/etc/alertmanager/secrets";
/** prom/alertmanager runs as nobody. */
const ALERTMANAGER_USER = { uid: 65534, gid: 65534 };

/** The non-secret half of the receiver settings: what the config file may say. */
export function receiverShape(r: ReceiverSettings): AlertmanagerReceivers {
  return {
    slack: r.slack ? { channels: r.slack.channels } : undefined,
    email: r.email
      ? { to: r.email.to, from: r.email.from, smarthost: r.email.smarthost, username: r.email.username, requireTls: r.email.requireTls }
      : undefined,
    pagerduty: r.pagerduty !== undefined,
    webhook: r.webhook !== undefined,
    heartbeat: r.heartbeat !== undefined,
  };
}

/** Each configured credential as a file readable only by Alertmanager's user (nobody). */
export function receiverSecretFiles(r: ReceiverSettings): ContainerFile[] {
  const secrets: [keyof typeof SECRET_FILES, pulumi.Output<string> | undefined][] = [
    ["slack", r.slack?.webhookUrl],
    ["pagerduty", r.pagerduty?.routingKey],
    ["webhook", r.webhook?.url],
    ["heartbeat", r.heartbeat?.url],
    ["email", r.email?.password],
  ];
  return secrets
    .filter((s): s is [keyof typeof SECRET_FILES, pulumi.Output<string>] => s[1] !== undefined)
    .map(([kind, value]) => ({
      path: `${ALERTMANAGER_SECRETS_DIR}/${SECRET_FILES[kind]}`,
      content: pulumi.secret(value),
      mode: "0400",
      owner: ALERTMANAGER_USER,
    }));
}

export class AlertingStack extends pulumi.ComponentResource {
  readonly container: ServiceContainer;
  readonly configText: string;

  constructor(name: string, args: AlertingStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:AlertingStack", name, {}, opts);

    this.configText = renderAlertmanagerConfig({
      receivers: receiverShape(args.receivers),
      secretsDir: ALERTMANAGER_SECRETS_DIR,
    });

    this.container = new ServiceContainer(
      `${name}-alertmanager`,
      {
        service: CONTAINER_NAMES.alertmanager,
        image: args.image,
        limits: args.limits,
        network: args.network,
        command: [
          `--config.file=${ALERTMANAGER_CONFIG_PATH}`,
          "--storage.path=/alertmanager",
          `--web.external-url=${args.externalUrl}`,
          // A single instance: no gossip port to expose or secure.
          "--cluster.listen-address=",
        ],
        files: [{ path: ALERTMANAGER_CONFIG_PATH, content: this.configText }, ...receiverSecretFiles(args.receivers)],
        volumes: [{ name: "data", containerPath: "/alertmanager" }],
        ports: [args.port],
        healthcheck: ["wget", "-q", "--spider", `http://localhost:${CONTAINER_PORTS.alertmanager}/-/healthy`],
        stateful: true,
      },
      { parent: this },
    );

    this.registerOutputs({ containerName: this.container.containerName });
  }
}
