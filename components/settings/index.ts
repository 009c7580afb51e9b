// The one place that reads stack configuration. Everything else receives a typed, validated
// StackSettings, so a bad value fails `pulumi preview` with a sentence naming the key instead
// of surfacing later as a container that restarts forever. The table of keys is schema.ts;
// each domain's reading and cross-checks live in their own module beside this one.
import * as pulumi from "@pulumi/pulumi";
import { COMPONENTS, ComponentKey, Limits } from "../catalog";
import { AlertmanagerReceivers } from "../../configs/alertmanager";
import { ADMIN_USER_ACCEPTED, ADMIN_USER_PATTERN } from "../../configs/patterns";
import { EnabledIntegrations, KpiSettings, ServiceSettings } from "../../configs/types";
import { AwsSettings, readAws } from "./aws";
import { checkDuration, checkIPv4, checkName, checkPinnedImage, checkPort, checkSize, checkUrl, oneOf, range, show, unique, each } from "./checks";
import { IntegrationSecrets, readIntegrations } from "./integrations";
import { ConfigSource, Reader, SettingsError } from "./reader";
import { ReceiverSecrets, readReceivers } from "./receivers";
import { TARGETS, Target } from "./schema";
import { readKpis, readServices } from "./services";
import { readEc2Discovery } from "./discovery";
import { RemoteWriteSettings, readRemoteWrite } from "./remote-write";
import { Ec2DiscoveryJob } from "../../configs/ec2-discovery";

export { PROJECT, SECRET_KEYS, SETTINGS, STRUCTURED_SETTINGS, TARGETS } from "./schema";
export type { SecretKey, SettingSpec, Target } from "./schema";
export { SettingsError } from "./reader";
export type { ConfigSource } from "./reader";
export type { AwsSettings } from "./aws";
export type { IntegrationSecrets } from "./integrations";
export type { ReceiverSecrets } from "./receivers";
export type { RemoteWriteSettings } from "./remote-write";

export interface StackSettings {
  readonly stack: string;
  readonly target: Target;
  readonly dockerHost: string;
  readonly grafanaBindAddress: string;
  readonly ports: { readonly grafana: number; readonly prometheus: number; readonly alertmanager: number; readonly loki: number };
  readonly images: Readonly<Record<ComponentKey, string>>;
  readonly limits: Readonly<Record<ComponentKey, Limits>>;
  readonly prometheus: {
    readonly scrapeInterval: string;
    readonly evaluationInterval: string;
    readonly retentionTime: string;
    readonly retentionSize: string;
  };
  readonly loki: { readonly retentionPeriod: string };
  readonly grafana: { readonly adminUser: string };
  readonly backup: { readonly enabled: boolean; readonly intervalHours: number; readonly retentionDays: number };
  readonly services: readonly ServiceSettings[];
  readonly kpis: readonly KpiSettings[];
  readonly networks: readonly string[];
  /** Non-secret receiver settings: what alertmanager.yml says. */
  readonly receivers: AlertmanagerReceivers;
  readonly integrations: EnabledIntegrations;
  /** Secret values, kept apart from everything a reviewer reads; each reaches its container as a file. */
  readonly secrets: {
    readonly receivers: ReceiverSecrets;
    readonly integrations: IntegrationSecrets;
    /** remoteWritePassword or remoteWriteBearerToken. */
    readonly remoteWrite?: pulumi.Output<string>;
  };
  /** Fleets scraped through EC2 discovery (target ec2); empty when unset. */
  readonly ec2Discovery: readonly Ec2DiscoveryJob[];
  /** A long-term store every sample is also written to; undefined when off. */
  readonly remoteWrite?: RemoteWriteSettings;
  readonly runbookBaseUrl: string;
  readonly aws?: AwsSettings;
}

export function loadSettings(cfg: ConfigSource, stack: string, env: NodeJS.ProcessEnv = process.env): StackSettings {
  const r = new Reader(cfg);

  const target = r.value<string>("target", oneOf(TARGETS)) as Target;
  const dockerHost =
    r.value<string>("dockerHost", (v) =>
      v === "" || /^(unix|tcp|ssh|npipe):\/\/./.test(v)
        ? undefined
        : `${show(v)} is not a Docker host; use unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host`,
    ) ||
    env.DOCKER_HOST ||
    "unix:///var/run/docker.sock";
  if (target === "ec2" && r.isSet("dockerHost")) {
    r.fail("dockerHost", "is only used with target local; on ec2 the program reaches Docker on the host it creates over SSH");
  }
  const grafanaBindAddress =
    r.value<string>("grafanaBindAddress", (v) => (v === "" ? undefined : checkIPv4(v))) || (target === "ec2" ? "0.0.0.0" : "127.0.0.1");

  const ports = {
    grafana: r.value<number>("grafanaPort", checkPort),
    prometheus: r.value<number>("prometheusPort", checkPort),
    alertmanager: r.value<number>("alertmanagerPort", checkPort),
    loki: r.value<number>("lokiPort", checkPort),
  };
  const seen = new Map<number, string>();
  for (const [k, p] of Object.entries(ports)) {
    const other = seen.get(p);
    if (other) r.fail(`${k}Port`, `${p} is already used by ${other}Port; every published port must be different`);
    seen.set(p, k);
  }

  const images = {} as Record<ComponentKey, string>;
  const limits = {} as Record<ComponentKey, Limits>;
  for (const c of COMPONENTS) {
    images[c] = r.value<string>(`${c}Image`, checkPinnedImage);
    limits[c] = {
      cpus: r.value<number>(`${c}MilliCpus`, range(10, 64000, "thousandths of a core")) / 1000,
      memoryMb: r.value<number>(`${c}MemoryMb`, range(6, 262144, "MB")),
    };
  }

  const prometheus = {
    scrapeInterval: r.value<string>("scrapeInterval", checkDuration),
    evaluationInterval: r.value<string>("evaluationInterval", checkDuration),
    retentionTime: r.value<string>("prometheusRetentionTime", checkDuration),
    retentionSize: r.value<string>("prometheusRetentionSize", checkSize),
  };
  const loki = {
    retentionPeriod: r.value<string>("lokiRetentionPeriod", (v) =>
      /^[1-9]\d*d$/.test(v) || (/^[1-9]\d*h$/.test(v) && parseInt(v, 10) % 24 === 0)
        ? undefined
        : `${show(v)} is not accepted; Loki retention must be a whole number of days (its index period is 24h), e.g. 30d or 720h`,
    ),
  };
  const grafana = {
    adminUser: r.value<string>("grafanaAdminUser", (v) => (ADMIN_USER_PATTERN.test(v) ? undefined : `${show(v)} is not accepted; use ${ADMIN_USER_ACCEPTED}`)),
  };
  const backup = {
    enabled: r.value<boolean>("backupEnabled"),
    intervalHours: r.value<number>("backupIntervalHours", range(1, 7, "hours")),
    retentionDays: r.value<number>("backupRetentionDays", range(1, 3650, "days")),
  };

  const networks = r.value<readonly string[]>("networks", (v) => each(checkName)(v) ?? unique(v));
  const receivers = readReceivers(r);
  const integrations = readIntegrations(r);
  const runbookBaseUrl = r.value<string>("runbookBaseUrl", (v) => checkUrl(v));
  const services = readServices(r);
  const kpis = readKpis(r);
  const aws = readAws(r, target, env);
  const ec2Discovery = readEc2Discovery(r, target, services);
  const remoteWrite = readRemoteWrite(r, target);

  if (r.problems.length > 0) throw new SettingsError(r.problems);
  return {
    stack,
    target,
    dockerHost,
    grafanaBindAddress,
    ports,
    images,
    limits,
    prometheus,
    loki,
    grafana,
    backup,
    services,
    kpis,
    networks,
    receivers: receivers.receivers,
    integrations: integrations.integrations,
    secrets: { receivers: receivers.secrets, integrations: integrations.secrets, remoteWrite: remoteWrite.secret },
    ec2Discovery,
    remoteWrite: remoteWrite.settings,
    runbookBaseUrl,
    aws,
  };
}
