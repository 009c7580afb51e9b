// The containers' images and limits: every container's (the core's and each integration's
// exporter) `<key>Image`, `<key>MilliCpus` and `<key>MemoryMb`, the registries a privileged image
// may come from, and on ec2 whether the limits fit the instance.
import { Limits } from "../../catalog/containers";
import { HOST_RESERVED_MB } from "../../configs/instance-memory";
import { checkRegistryHost, untrustedImageProblem } from "../../configs/image-trust";
import { ALL_CONTAINERS, ALL_CONTAINER_KEYS, ContainerKey, EnabledIntegrations, activeIntegrations } from "../../integrations";
import { AwsSettings } from "./aws";
import { checkPinnedImage, each, range, show, unique } from "./checks";
import { Reader } from "./reader";

export interface ContainerSettings {
  readonly images: Readonly<Record<ContainerKey, string>>;
  readonly limits: Readonly<Record<ContainerKey, Limits>>;
}

export function readContainers(r: Reader): ContainerSettings {
  const trustedRegistries = r.value<readonly string[]>(
    "trustedRegistries",
    (v) => each((x) => checkRegistryHost(String(x)))(v) ?? unique(v),
  );
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

  return { images, limits };
}

/**
 * On ec2 the containers' memory limits must fit the instance with room for the host
 * (HOST_RESERVED_MB): together, and each on its own. Only the containers these settings run count.
 */
export function checkMemoryFits(
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
    r.fail(
      `${c}MemoryMb`,
      `${limits[c].memoryMb} is more than ${aws.instanceType} can give one container (${aws.memoryMb} MB less ${HOST_RESERVED_MB} MB for the host); lower it or choose a larger instanceType`,
    );
  }
  const total = running.reduce((sum, c) => sum + limits[c].memoryMb, 0);
  if (tooLarge.some((c) => r.isSet(`${c}MemoryMb`)) || running.some((c) => r.hasProblem(`${c}MemoryMb`))) return;
  if (total > room) {
    r.fail(
      "instanceType",
      `${aws.instanceType} has ${aws.memoryMb} MB; the containers' memory limits add up to ${total} MB, more than the ${room} MB left after ${HOST_RESERVED_MB} MB for the host` +
        (tooLarge.length > 0
          ? ` (${tooLarge.map((c) => `${ALL_CONTAINERS[c].title} alone has ${limits[c].memoryMb} MB`).join(", ")})`
          : "") +
        `; choose a larger instance type (e.g. t3.xlarge) or lower the <component>MemoryMb limits`,
    );
  }
}
