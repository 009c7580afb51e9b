// The one place that reads stack configuration. Everything else receives a typed, validated
// StackSettings, so a bad value fails `pulumi preview` with a sentence naming the key instead
// of surfacing later as a container that restarts forever. The table of keys is schema.ts;
// each domain's reading and cross-checks live in their own module beside this one.
import * as pulumi from "@pulumi/pulumi";
import { Limits } from "../../catalog/containers";
import { ALL_CONTAINERS, ALL_CONTAINER_KEYS, ContainerKey, EnabledIntegrations, activeIntegrations } from "../../integrations";
import { AlertmanagerReceivers } from "../../configs/alertmanager";
import { ADMIN_USER_ACCEPTED, ADMIN_USER_PATTERN } from "../../configs/patterns";
import { KpiSettings, ServiceSettings } from "../../configs/service-settings";
import { AwsSettings, readAws } from "./aws";
import { checkDurationBetween, checkIPv4, checkNoCredentialsInUrl, checkNoTemplate, checkNotLinkLocal, checkPinnedImage, checkSize, checkUrl, each, oneOf, range, show, sizeBytes, unique } from "./checks";
import { checkRegistryHost, untrustedImageProblem } from "../../configs/image-trust";
import { hasControl } from "../../configs/value-checks";
import { HOST_RESERVED_MB } from "../../configs/instance-memory";
import { dockerNetworkNameProblem, publishedPortProblems, reservedPorts } from "../../configs/network-checks";
import { TlsSettings, readTls } from "./tls";
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
}

const SECOND = 1000;
const DAY = 86400 * SECOND;
/** Bounds of each duration setting, as numbers: a zero or a 999y is refused by value, not shape. */
const DURATION_BOUNDS: Readonly<Record<string, readonly [number, number]>> = {
  scrapeInterval: [SECOND, 5 * 60 * SECOND],
  evaluationInterval: [SECOND, 5 * 60 * SECOND],
  prometheusRetentionTime: [2 * 3600 * SECOND, 10 * 365 * DAY],
  lokiRetentionPeriod: [DAY, 10 * 365 * DAY],
};
/** Room on the root volume beside Prometheus's TSDB: OS, images, the other volumes, Loki's cache. */
const ROOT_VOLUME_HEADROOM_GB = 20;

function duration(key: string): (v: string) => string | undefined {
  const [min, max] = DURATION_BOUNDS[key];
  return (v) => checkDurationBetween(v, min, max);
}

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
      if (!/^[\x21-\x7e]*$/.test(v)) return `${show(v)} holds non-ASCII characters; write the host in ASCII (xn-- punycode for an international name); ${accepted}`;
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

  const trustedRegistries = r.value<readonly string[]>("trustedRegistries", (v) => each((x) => checkRegistryHost(String(x)))(v) ?? unique(v));
  const images = {} as Record<ContainerKey, string>;
  const limits = {} as Record<ContainerKey, Limits>;
  for (const c of ALL_CONTAINER_KEYS) {
    images[c] = r.value<string>(`${c}Image`, (v) => checkPinnedImage(v) ?? untrustedImageProblem(c, v, trustedRegistries));
    const minMb = ALL_CONTAINERS[c].minMemoryMb;
    limits[c] = {
      cpus: r.value<number>(`${c}MilliCpus`, range(10, 64000, "thousandths of a core")) / 1000,
      memoryMb: r.value<number>(`${c}MemoryMb`, (v) =>
        v < minMb
          ? `${show(v)} is below the ${minMb} MB ${ALL_CONTAINERS[c].title} needs to start (it would be OOM-killed at start); use a whole number of MB from ${minMb} to 262144`
          : range(minMb, 262144, "MB")(v),
      ),
    };
  }

  const prometheus = {
    scrapeInterval: r.value<string>("scrapeInterval", duration("scrapeInterval")),
    evaluationInterval: r.value<string>("evaluationInterval", duration("evaluationInterval")),
    retentionTime: r.value<string>("prometheusRetentionTime", duration("prometheusRetentionTime")),
    retentionSize: r.value<string>("prometheusRetentionSize", (v) => checkSize(v)),
  };
  const loki = {
    retentionPeriod: r.value<string>("lokiRetentionPeriod", (v) => {
      const problem = duration("lokiRetentionPeriod")(v);
      if (problem) return problem;
      return /^[1-9]\d*d$/.test(v) || (/^[1-9]\d*h$/.test(v) && parseInt(v, 10) % 24 === 0)
        ? undefined
        : `${show(v)} is not accepted; Loki retention must be a whole number of days (its index period is 24h), e.g. 30d or 720h`;
    }),
  };
  const grafana = {
    adminUser: r.value<string>("grafanaAdminUser", (v) => (ADMIN_USER_PATTERN.test(v) ? undefined : `${show(v)} is not accepted; use ${ADMIN_USER_ACCEPTED}`)),
  };
  const backup = {
    enabled: r.value<boolean>("backupEnabled"),
    intervalHours: r.value<number>("backupIntervalHours", range(1, MAX_BACKUP_INTERVAL_HOURS, "hours")),
    retentionDays: r.value<number>("backupRetentionDays", range(1, 3650, "days")),
    restore: readRestore(r),
  };
  if (backup.restore && !backup.enabled) r.fail("restoreFrom", "is set while backupEnabled is false; the restore runs in the backup job's image against its destination, so enable backups");

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
  const runbookBaseUrl = r.value<string>("runbookBaseUrl", (v) => checkNoCredentialsInUrl(v, undefined) ?? checkUrl(v) ?? checkNoTemplate(v));
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
  if (aws) checkMemoryFits(r, aws, limits, { tls: tls !== undefined, backup: backup.enabled, restore: backup.restore !== undefined, integrations: integrations.integrations });
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
  };
}

/**
 * On ec2 the containers' memory limits must fit the instance with room for the host
 * (HOST_RESERVED_MB): together, and each on its own. Only the containers these settings run count.
 */
function checkMemoryFits(
  r: Reader,
  aws: AwsSettings,
  limits: Readonly<Record<ContainerKey, Limits>>,
  on: { readonly tls: boolean; readonly backup: boolean; readonly restore: boolean; readonly integrations: EnabledIntegrations },
): void {
  if (r.hasProblem("instanceType") || !aws.memoryMb) return;
  const running: ContainerKey[] = ["prometheus", "alertmanager", "grafana", "loki", "alloy", "nodeExporter", "cadvisor", "socketProxy"];
  if (on.tls) running.push("caddy");
  if (on.backup) running.push("backup", "backupVerify", "grafanaDbCopy");
  if (on.backup && on.restore) running.push("backupRestore");
  // The registry erases each module's literal key type; every exporter key is a ContainerKey.
  for (const a of activeIntegrations(on.integrations)) if (a.integration.exporter) running.push(a.integration.exporter.key as ContainerKey);
  const room = aws.memoryMb - HOST_RESERVED_MB;
  // A limit the stack file sets is the one to lower; a default one means the instance is too small.
  const tooLarge = running.filter((c) => limits[c].memoryMb > room && !r.hasProblem(`${c}MemoryMb`));
  for (const c of tooLarge.filter((x) => r.isSet(`${x}MemoryMb`))) {
    r.fail(`${c}MemoryMb`, `${limits[c].memoryMb} is more than ${aws.instanceType} can give one container (${aws.memoryMb} MB less ${HOST_RESERVED_MB} MB for the host); lower it or choose a larger instanceType`);
  }
  const total = running.reduce((sum, c) => sum + limits[c].memoryMb, 0);
  if (tooLarge.some((c) => r.isSet(`${c}MemoryMb`)) || running.some((c) => r.hasProblem(`${c}MemoryMb`))) return;
  if (total > room) {
    r.fail(
      "instanceType",
      `${aws.instanceType} has ${aws.memoryMb} MB; the containers' memory limits add up to ${total} MB, more than the ${room} MB left after ${HOST_RESERVED_MB} MB for the host` +
        (tooLarge.length > 0 ? ` (${tooLarge.map((c) => `${ALL_CONTAINERS[c].title} alone has ${limits[c].memoryMb} MB`).join(", ")})` : "") +
        `; choose a larger instance type (e.g. t3.xlarge) or lower the <component>MemoryMb limits`,
    );
  }
}
