// Host and container exporters (the integrations' exporters run in IntegrationExporter). The
// textfile volume is where jobs such as the backup leave metrics for node-exporter to publish.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { CatalogEntry } from "../catalog/containers";
import { ExporterRun } from "../integrations/integration";
import { ContainerFile, Placement, SECRETS_DIR, ServiceContainer } from "./container";
import { CATALOG } from "../catalog/containers";
import { SOCKET_PROXY_DOCKER_HOST } from "../configs/socket-proxy";

type ExporterKey = "nodeExporter" | "cadvisor";

/** The exporter of one enabled integration, as its module describes it (integrations/). */
export interface IntegrationExporterArgs {
  readonly placement: Placement;
  readonly entry: CatalogEntry;
  readonly run: ExporterRun;
  /** The integration's secret settings that are set, by key. */
  readonly secrets: Readonly<Record<string, pulumi.Output<string>>>;
}

export interface ExportersArgs {
  readonly placements: Readonly<Record<ExporterKey, Placement>>;
  readonly integrations: readonly IntegrationExporterArgs[];
  /** The Docker API as cAdvisor reaches it (its placement joins the proxy's network). Default the socket proxy. */
  readonly dockerHost?: string;
}

export const TEXTFILE_DIR = "/textfile";

/** Mount points node-exporter should not report: pseudo and container filesystems. */
const FS_EXCLUDE = "^/(dev|proc|run|sys|var/lib/docker/.+|var/lib/containers/.+)($|/)";

export class Exporters extends pulumi.ComponentResource {
  readonly textfileVolume: docker.Volume;

  constructor(name: string, args: ExportersArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:Exporters", name, {}, opts);
    const p = args.placements;

    this.textfileVolume = new docker.Volume(
      `${name}-textfile`,
      { name: "node-exporter-textfile", labels: [{ label: "service", value: CATALOG.nodeExporter.container }] },
      // Holds the backup job's last-success timestamps: losing them would fire BackupTooOld.
      { parent: this, retainOnDelete: true },
    );

    new ServiceContainer(
      `${name}-node-exporter`,
      {
        ...p.nodeExporter,
        service: CATALOG.nodeExporter.container,
        command: [
          "--path.rootfs=/host",
          `--collector.textfile.directory=${TEXTFILE_DIR}`,
          `--collector.filesystem.mount-points-exclude=${FS_EXCLUDE}`,
        ],
        pidMode: "host",
        hostMounts: [{ type: "bind", source: "/", target: "/host", readOnly: true, bindOptions: { propagation: "rslave" } }],
        sharedVolumes: [{ volume: this.textfileVolume, containerPath: TEXTFILE_DIR, readOnly: true }],
        healthcheck: ["wget", "-q", "--spider", `http://localhost:${CATALOG.nodeExporter.port}/`],
      },
      { parent: this },
    );

    new ServiceContainer(
      `${name}-cadvisor`,
      {
        ...p.cadvisor,
        service: CATALOG.cadvisor.container,
        // Fewer series: only Docker containers, only the `service` label, and none of the
        // per-CPU / scheduler / TCP families the rules and dashboards never read.
        command: [
          "--docker_only=true",
          "--store_container_labels=false",
          "--whitelisted_container_labels=service",
          "--housekeeping_interval=15s",
          "--disable_metrics=percpu,sched,tcp,udp,advtcp,hugetlb,referenced_memory,cpu_topology,resctrl,process,memory_numa",
          `--docker=${args.dockerHost ?? SOCKET_PROXY_DOCKER_HOST}`,
        ],
        // Not privileged and no /var/run (so no Docker socket): container names and labels come
        // through the Docker API proxy, cgroup statistics from the read-only /sys, per-container
        // network counters from /rootfs/proc, OOM events from /dev/kmsg
        // (configs/container-security.ts says what it may do and why).
        devices: ["/dev/kmsg"],
        hostMounts: [
          { type: "bind", source: "/", target: "/rootfs", readOnly: true },
          { type: "bind", source: "/sys", target: "/sys", readOnly: true },
          { type: "bind", source: "/var/lib/docker", target: "/var/lib/docker", readOnly: true },
          { type: "bind", source: "/dev/disk", target: "/dev/disk", readOnly: true },
        ],
        healthcheck: ["wget", "-q", "--spider", `http://localhost:${CATALOG.cadvisor.port}/healthz`],
      },
      { parent: this },
    );

    for (const i of args.integrations) integrationExporter(`${name}-${i.entry.container}`, i, this);

    this.registerOutputs({ textfileVolume: this.textfileVolume.name });
  }
}

/**
 * An integration's exporter: the command, plain files and healthcheck its module declares, and its
 * secret files built from the secret settings inside an apply, so every value stays secret from the
 * stack file to the file the exporter reads.
 */
function integrationExporter(name: string, args: IntegrationExporterArgs, parent: pulumi.Resource): ServiceContainer {
  const values = pulumi.all(args.secrets);
  const secretFiles: ContainerFile[] = (args.run.secretFiles ?? []).map((f) => ({
    path: `${SECRETS_DIR}/${f.name}`,
    content: pulumi.secret(values.apply((v) => f.content(v))),
    mode: "0400",
    owner: args.entry.user,
  }));
  return new ServiceContainer(
    name,
    {
      ...args.placement,
      service: args.entry.container,
      command: args.run.command ? [...args.run.command] : undefined,
      env: args.run.env,
      files: args.run.files,
      secrets: secretFiles.length > 0 ? { dir: SECRETS_DIR, files: secretFiles } : undefined,
      healthcheck: args.run.healthcheck,
    },
    { parent },
  );
}
