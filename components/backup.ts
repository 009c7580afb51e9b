// The backup job: one long-running container that snapshots Prometheus and copies Grafana's and
// Alertmanager's data to a local volume (local target) or the backup bucket (ec2 target, through
// the instance profile), reporting each outcome as metrics via node-exporter's textfile collector.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Placement, ServiceContainer } from "./container";
import { CATALOG } from "./catalog";
import { DataStore } from "./storage";
import { renderBackupScript } from "../configs/backup";
import { TEXTFILE_DIR } from "./exporters";

export interface BackupJobArgs {
  readonly placement: Placement;
  /** Default 6. */
  readonly intervalHours?: number;
  /** Default 30; only pruned here for the volume destination (S3 uses a lifecycle rule). */
  readonly retentionDays?: number;
  readonly prometheusUrl: string;
  readonly textfileVolume: docker.Volume;
  readonly volumes: { readonly prometheus: docker.Volume; readonly grafana: docker.Volume; readonly alertmanager: docker.Volume };
  /** Where archives go: a volume of this job's own, or the backup bucket. */
  readonly destination: DataStore;
}

const SOURCES = { prometheus: "/data/prometheus", grafana: "/data/grafana", alertmanager: "/data/alertmanager" };
const ARCHIVE_DIR = "/archive";
const SCRATCH_DIR = "/scratch";
const SCRIPT_PATH = "/backup/backup.sh";

export class BackupJob extends pulumi.ComponentResource {
  readonly container: ServiceContainer;

  constructor(name: string, args: BackupJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:BackupJob", name, {}, opts);
    const dest = args.destination;
    const common = {
      prometheusUrl: args.prometheusUrl,
      intervalHours: args.intervalHours ?? 6,
      retentionDays: args.retentionDays ?? 30,
      textfileDir: TEXTFILE_DIR,
      sources: SOURCES,
      scratchDir: SCRATCH_DIR,
    };
    const script =
      dest.kind === "s3"
        ? pulumi
            .output(dest.bucket)
            .apply((bucket) => renderBackupScript({ ...common, destination: { kind: "s3", bucket, region: dest.region } }))
        : pulumi.output(renderBackupScript({ ...common, destination: { kind: "volume", dir: ARCHIVE_DIR } }));

    this.container = new ServiceContainer(
      `${name}-job`,
      {
        ...args.placement,
        service: CATALOG.backup.container,
        entrypoint: ["/bin/sh", SCRIPT_PATH],
        files: [{ path: SCRIPT_PATH, content: script, mode: "0555" }],
        volumes: dest.kind === "volume" ? [{ name: "archive", containerPath: ARCHIVE_DIR }] : [],
        sharedVolumes: [
          { volume: args.textfileVolume, containerPath: TEXTFILE_DIR },
          // Read-write: the job removes the snapshot Prometheus wrote once it is copied.
          { volume: args.volumes.prometheus, containerPath: SOURCES.prometheus },
          { volume: args.volumes.grafana, containerPath: SOURCES.grafana, readOnly: true },
          { volume: args.volumes.alertmanager, containerPath: SOURCES.alertmanager, readOnly: true },
        ],
      },
      { parent: this },
    );

    this.registerOutputs({ containerName: this.container.containerName });
  }
}
