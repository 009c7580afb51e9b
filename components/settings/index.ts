// The one place that reads stack configuration. Everything else receives a typed, validated
// StackSettings, so a bad value fails `pulumi preview` with a sentence naming the key instead
// of surfacing later as a container that restarts forever. The table of keys is schema.ts;
// each domain's reading and cross-checks live in their own module beside this one.
import * as pulumi from "@pulumi/pulumi";
import { Limits } from "../../catalog/containers";
import { ContainerKey, EnabledIntegrations } from "../../integrations";
import { AlertmanagerReceivers } from "../../configs/alertmanager";
import { KpiSettings, ServiceSettings } from "../../configs/service-settings";
import { AwsSettings, readAws } from "./aws";
import { checkMemoryFits, readContainers } from "./containers";
import { readEngines } from "./engines";
import {
  checkIPv4,
  checkNoCredentialsInUrl,
  checkNoTemplate,
  checkNotLinkLocal,
  checkUrl,
  oneOf,
  range,
  show,
  sizeBytes,
  unique,
} from "./checks";
import { hasControl } from "../../configs/value-checks";
import { dockerNetworkNameProblem, publishedPortProblems, reservedPorts } from "../../configs/network-checks";
import { TlsSettings, readTls } from "./tls";
import { PairSettings, readPair } from "./pair";
import { IntegrationSecrets, readIntegrations } from "./integrations";
import { ConfigSource, Reader, SettingsError } from "./reader";
import { ReceiverSecrets, readReceivers } from "./receivers";
import { MAX_BACKUP_INTERVAL_HOURS, PROJECT, TARGETS, Target } from "./schema";
import { readKpis, readServices } from "./services";
import { readRestore, RestoreSettings } from "./backup";
import { readEc2Discovery } from "./discovery";
import { RemoteWriteSettings, readRemoteWrite } from "./remote-write";
import { Ec2DiscoveryJob } from "../../configs/ec2-discovery";

export { PROJECT, SECRET_KEYS, SETTINGS, STRUCTURED_SETTINGS, TARGETS } from "./schema";
export type { SecretKey, SettingSpec, Target } from "./schema";
export { SettingsError, pulumiConfigSource } from "./reader";
export type { ConfigSource } from "./reader";
export type { AwsSettings } from "./aws";
export type { IntegrationSecrets } from "./integrations";
export type { ReceiverSecrets } from "./receivers";
export type { TlsSettings } from "./tls";
export type { RemoteWriteSettings } from "./remote-write";

export interface StackSettings {
  readonly stack: string;
  readonly target: Target;
  readonly dockerHost: string;
  readonly grafanaBindAddress: string;
  readonly ports: { readonly grafana: number; readonly prometheus: number; readonly alertmanager: number; readonly loki: number };
  readonly images: Readonly<Record<ContainerKey, string>>;
  readonly limits: Readonly<Record<ContainerKey, Limits>>;
  readonly prometheus: {
    readonly scrapeInterval: string;
    readonly evaluationInterval: string;
    readonly retentionTime: string;
    readonly retentionSize: string;
  };
  readonly loki: { readonly retentionPeriod: string };
  readonly grafana: { readonly adminUser: string };
  readonly backup: {
    readonly enabled: boolean;
    readonly intervalHours: number;
    readonly retentionDays: number;
    /** Set when this `up` restores a backup before the data services start. */
    readonly restore?: RestoreSettings;
  };
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
  /** TLS proxy in front of Grafana; undefined without grafanaDomain. */
  readonly tls?: TlsSettings;
  readonly aws?: AwsSettings;
  /** The redundant pair (highAvailability, ec2 only); undefined: one host. */
  readonly pair?: PairSettings;
}

/** Room on the root volume beside Prometheus's TSDB: OS, images, the other volumes, Loki's cache. */
const ROOT_VOLUME_HEADROOM_GB = 20;

export function loadSettings(cfg: ConfigSource, stack: string, env: NodeJS.ProcessEnv = process.env): StackSettings {
  const r = new Reader(cfg);

  const target = r.value<string>("target", oneOf(TARGETS)) as Target;
  const dockerHost =
    r.value<string>("dockerHost", (v) => {
      const accepted = "use unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host";
      if (v === "") return undefined;
      // The Docker CLI and ssh would read a space or a line break as the end of the address.
      if (/\s/.test(v) || hasControl(v)) return `${show(v)} holds whitespace or a control character; ${accepted}`;
      if (!/^(unix|tcp|ssh|npipe):\/\/./.test(v)) return `${show(v)} is not a Docker host; ${accepted}`;
      if (!/^[\x21-\x7e]*$/.test(v))
        return `${show(v)} holds non-ASCII characters; write the host in ASCII (xn-- punycode for an international name); ${accepted}`;
      return /^(tcp|ssh):/.test(v) ? checkNotLinkLocal(v) : undefined;
    }) ||
    env.DOCKER_HOST ||
    "unix:///var/run/docker.sock";
  if (target === "ec2" && r.isSet("dockerHost")) {
    r.fail("dockerHost", "is only used with target local; on ec2 the program reaches Docker on the host it creates over SSH");
  }
  // Unknown keys first: a misspelt key is the likeliest reason a value seems ignored.
  for (const { key, suggestion } of r.unknownKeys()) {
    r.fail(
      key,
      `is not a setting of this program${suggestion ? `; did you mean ${suggestion}?` : ""} (docs/settings.md lists every setting); ` +
        `remove it with \`npx pulumi config rm ${PROJECT}:${key}\``,
    );
  }

  const tls = readTls(r, target);
  const grafanaBindAddress =
    r.value<string>("grafanaBindAddress", (v) => {
      if (v === "") return undefined;
      if (target === "ec2" && v !== "127.0.0.1") {
        return `${show(v)} is not accepted on target ec2: Grafana stays on the host's loopback; set grafanaDomain for HTTPS through the proxy, or use sshTunnelCommand`;
      }
      return checkIPv4(v);
    }) || "127.0.0.1";

  // Ports are read without a check so each problem is reported once by publishedPortProblems.
  const ports = {
    grafana: r.value<number>("grafanaPort"),
    prometheus: r.value<number>("prometheusPort"),
    alertmanager: r.value<number>("alertmanagerPort"),
    loki: r.value<number>("lokiPort"),
  };
  r.failEach(
    publishedPortProblems(
      { grafanaPort: ports.grafana, prometheusPort: ports.prometheus, alertmanagerPort: ports.alertmanager, lokiPort: ports.loki },
      reservedPorts(target, tls !== undefined),
    ),
  );

  const { images, limits } = readContainers(r);
  const { prometheus, loki, grafana } = readEngines(r);
  const backup = {
    enabled: r.value<boolean>("backupEnabled"),
    intervalHours: r.value<number>("backupIntervalHours", range(1, MAX_BACKUP_INTERVAL_HOURS, "hours")),
    retentionDays: r.value<number>("backupRetentionDays", range(1, 3650, "days")),
    restore: readRestore(r),
  };
  if (backup.restore && !backup.enabled)
    r.fail(
      "restoreFrom",
      "is set while backupEnabled is false; the restore runs in the backup job's image against its destination, so enable backups",
    );

  const networks = r.value<readonly string[]>("networks", (v) => {
    for (const n of v) {
      const p = dockerNetworkNameProblem(n);
      if (p) return `${p}`;
    }
    return unique(v);
  });
  const receivers = readReceivers(r);
  const integrations = readIntegrations(r);
  // Annotations are Go templates: a {{ in the base URL would be evaluated in every alert.
  const runbookBaseUrl = r.value<string>(
    "runbookBaseUrl",
    (v) => checkNoCredentialsInUrl(v, undefined) ?? checkUrl(v) ?? checkNoTemplate(v),
  );
  const services = readServices(r);
  const kpis = readKpis(r);
  const aws = readAws(r, target, env, tls?.domain);
  if (aws && !r.hasProblem("prometheusRetentionSize") && !r.hasProblem("rootVolumeGb")) {
    // The daily restore check restores a whole backup (at most the TSDB's retention size) into a
    // scratch volume on this disk; it skips rather than go below its floor, which the headroom holds.
    const retentionGb = Number((sizeBytes(prometheus.retentionSize) ?? 0n) >> 30n);
    const scratchGb = backup.enabled ? retentionGb : 0;
    const needGb = retentionGb + scratchGb + ROOT_VOLUME_HEADROOM_GB;
    if (aws.rootVolumeGb < needGb) {
      const scratch = backup.enabled ? ` plus as much again for the restore check's scratch copy of a backup` : "";
      r.fail(
        "rootVolumeGb",
        `${aws.rootVolumeGb} is smaller than prometheusRetentionSize ${prometheus.retentionSize}${scratch} plus ${ROOT_VOLUME_HEADROOM_GB} GB for the system and the other volumes; use at least ${needGb} or lower the retention size`,
      );
    }
  }
  if (aws)
    checkMemoryFits(r, aws, limits, {
      tls: tls !== undefined,
      backup: backup.enabled,
      restore: backup.restore !== undefined,
      integrations: integrations.integrations,
    });
  const pair = readPair(r, target, tls);
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
    tls,
    aws,
    pair,
  };
}
