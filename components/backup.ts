// The backup job and the restore.
//
// BackupJob: a long-running container (configs/backup.ts) that snapshots Prometheus, has the
// copier container (configs/grafana-db-copy.ts, the sqlite3 image) take an online SQLite backup
// of Grafana's database into a shared exchange volume, and copies Alertmanager's state, uploading
// incrementally to a volume (local target) or the backup bucket (ec2, through the instance
// profile); once a day it restores the latest backup into a scratch volume, and a second
// container on the Prometheus image (configs/backup-verify.ts) opens the restored blocks with
// promtool. Outcomes are metrics in node-exporter's textfile directory.
//
// BackupRestore: a one-shot container (configs/backup-restore.ts) that fills the data volumes
// from a backup before Prometheus, Grafana and Alertmanager start; `done` fails the `up` when
// the restore fails, and the data services wait for it. It runs once per restore id: any later
// replacement of its container (an image, limit or script change) finds its marker in the
// volumes and leaves them alone; an overwrite restore is announced with a warning in the preview.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Placement, SECRETS_DIR, ServiceContainer } from "./container";
import { CATALOG, userSpec } from "../catalog/containers";
import { DataStore } from "./storage";
import { BackupDestination, renderBackupScript } from "../configs/backup";
import { renderRestoreScript } from "../configs/backup-restore";
import { renderVerifyScript } from "../configs/backup-verify";
import { renderGrafanaCopierScript } from "../configs/grafana-db-copy";
import { renderNetrc } from "../configs/prometheus-web";
import { TEXTFILE_DIR } from "./exporters";

export interface DataVolumes {
  readonly prometheus: docker.Volume;
  readonly grafana: docker.Volume;
  readonly alertmanager: docker.Volume;
}

export interface BackupJobArgs {
  readonly placement: Placement;
  /** Placement of the restore check's verifier (Prometheus image, for promtool). */
  readonly verifyPlacement: Placement;
  /** Placement of the Grafana database copier (the sqlite3 image: the backup image has no sqlite3). */
  readonly copyPlacement: Placement;
  /** Default 6. */
  readonly intervalHours?: number;
  /** Default 30: manifests older than this go (the newest stays), then blocks none names. */
  readonly retentionDays?: number;
  readonly prometheusUrl: string;
  readonly textfileVolume: docker.Volume;
  readonly volumes: DataVolumes;
  /** Where backups go: a volume of this job's own, or the backup bucket. */
  readonly destination: DataStore;
  /** The backup user's credentials for Prometheus's basic auth (the snapshot API). */
  readonly prometheusAuth: { readonly user: string; readonly password: pulumi.Output<string> };
}

/** Where the data volumes are mounted in the backup and restore containers. */
const SOURCES = { prometheus: "/data/prometheus", grafana: "/data/grafana", alertmanager: "/data/alertmanager" };
const ARCHIVE_DIR = "/archive";
const SCRATCH_DIR = "/scratch";
const STATE_DIR = "/state";
/** The exchange directory the job and the Grafana database copier share. */
const GRAFANA_COPY_DIR = "/grafana-copy";
const COPIER_SCRIPT_PATH = "/copier/grafana-db-copy.sh";
export const BACKUP_SCRIPT_PATH = "/backup/backup.sh";
export const RESTORE_SCRIPT_PATH = "/backup/restore.sh";
const VERIFY_SCRIPT_PATH = "/backup/verify-tsdb.sh";
/** curl reads the snapshot credentials from here (never argv or env). */
const NETRC_PATH = `${SECRETS_DIR}/prometheus.netrc`;

function destinationOf(store: DataStore): pulumi.Output<BackupDestination> {
  return store.kind === "s3"
    ? pulumi.output(store.bucket).apply((bucket): BackupDestination => ({
        kind: "s3",
        bucket,
        region: store.region,
        ...(store.prefix ? { prefix: store.prefix } : {}),
      }))
    : pulumi.output<BackupDestination>({ kind: "volume", dir: ARCHIVE_DIR });
}

export class BackupJob extends pulumi.ComponentResource {
  readonly container: ServiceContainer;
  readonly verifier: ServiceContainer;
  /** Runs sqlite3 for the job: Grafana's database copy and the restore check's integrity_check. */
  readonly copier: ServiceContainer;
  /** The volume backups go to on the local target (undefined with S3). */
  readonly archiveVolume?: docker.Volume;

  constructor(name: string, args: BackupJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:BackupJob", name, {}, opts);
    const script = destinationOf(args.destination).apply((destination) =>
      renderBackupScript({
        prometheusUrl: args.prometheusUrl,
        intervalHours: args.intervalHours ?? 6,
        retentionDays: args.retentionDays ?? 30,
        destination,
        textfileDir: TEXTFILE_DIR,
        sources: SOURCES,
        stateDir: STATE_DIR,
        scratchDir: SCRATCH_DIR,
        grafanaCopyDir: GRAFANA_COPY_DIR,
        prometheusNetrcFile: NETRC_PATH,
      }),
    );
    const prometheusHost = new URL(args.prometheusUrl).hostname;
    const netrc = pulumi.secret(args.prometheusAuth.password.apply((p) => renderNetrc(prometheusHost, args.prometheusAuth.user, p)));

    this.container = new ServiceContainer(
      `${name}-job`,
      {
        ...args.placement,
        service: CATALOG.backup.container,
        entrypoint: ["/bin/sh", BACKUP_SCRIPT_PATH],
        // tini as PID 1 passes docker stop's SIGTERM on to the script, whose trap releases its run
        // lock within the stop grace (configs/backup-lock.ts), and reaps what the script orphans.
        init: true,
        files: [{ path: BACKUP_SCRIPT_PATH, content: script, mode: "0555" }],
        secrets: { dir: SECRETS_DIR, files: [{ path: NETRC_PATH, content: netrc, mode: "0400", owner: CATALOG.backup.user }] },
        volumes: [
          ...(args.destination.kind === "volume" ? [{ name: "archive", containerPath: ARCHIVE_DIR }] : []),
          // Last successes and the run lock survive a replaced container.
          { name: "state", containerPath: STATE_DIR },
          // The daily restore check's copy, shared with the verifier.
          { name: "scratch", containerPath: SCRATCH_DIR },
          // Requests to the Grafana database copier, its answers and the copy.
          { name: "grafana-copy", containerPath: GRAFANA_COPY_DIR },
        ],
        sharedVolumes: [
          { volume: args.textfileVolume, containerPath: TEXTFILE_DIR },
          // Read-write: the job removes the snapshot Prometheus wrote once it is copied.
          { volume: args.volumes.prometheus, containerPath: SOURCES.prometheus },
          // Not Grafana's: the copier reads that one (the copy arrives in the exchange volume).
          { volume: args.volumes.alertmanager, containerPath: SOURCES.alertmanager, readOnly: true },
        ],
      },
      { parent: this },
    );
    this.archiveVolume = this.container.volumes.archive;

    this.verifier = new ServiceContainer(
      `${name}-verify`,
      {
        ...args.verifyPlacement,
        service: CATALOG.backupVerify.container,
        entrypoint: ["/bin/sh", VERIFY_SCRIPT_PATH],
        files: [
          { path: VERIFY_SCRIPT_PATH, content: renderVerifyScript({ scratchDir: SCRATCH_DIR, textfileDir: TEXTFILE_DIR }), mode: "0555" },
        ],
        // Root from the catalogue (the image's own user is nobody): the textfile and scratch trees
        // it writes to and cleans are the backup job's (root). It listens on nothing, holds no secret.
        sharedVolumes: [
          { volume: args.textfileVolume, containerPath: TEXTFILE_DIR },
          { volume: this.container.volumes.scratch, containerPath: SCRATCH_DIR },
        ],
      },
      { parent: this },
    );

    this.copier = new ServiceContainer(
      `${name}-grafana-copy`,
      {
        ...args.copyPlacement,
        service: CATALOG.grafanaDbCopy.container,
        // The image's tini reaps and forwards signals, as its own entrypoint does; busybox sh runs the loop.
        entrypoint: ["/sbin/tini", "-g", "--", "/bin/sh", COPIER_SCRIPT_PATH],
        files: [
          {
            path: COPIER_SCRIPT_PATH,
            content: renderGrafanaCopierScript({ grafanaDataDir: SOURCES.grafana, exchangeDir: GRAFANA_COPY_DIR }),
            mode: "0555",
          },
        ],
        // SQLite's temporary files go to the in-memory /tmp, not the image's /var/tmp.
        env: { SQLITE_TMPDIR: "/tmp" },
        sharedVolumes: [
          // Read-only is enough: SQLite reads a rollback-journal database (Grafana's default) without writing beside it.
          { volume: args.volumes.grafana, containerPath: SOURCES.grafana, readOnly: true },
          { volume: this.container.volumes["grafana-copy"], containerPath: GRAFANA_COPY_DIR },
        ],
      },
      { parent: this },
    );

    this.registerOutputs({
      containerName: this.container.containerName,
      verifierName: this.verifier.containerName,
      copierName: this.copier.containerName,
    });
  }
}

export interface BackupRestoreArgs {
  readonly placement: Placement;
  /** `latest` or a backup stamp (checked by the settings). */
  readonly from: string;
  /** Replace the contents of data volumes that are not empty. Default false; needs restoreId. */
  readonly overwrite?: boolean;
  /** Names this restore (setting restoreId): it runs once, then its marker in the volumes stops it. */
  readonly restoreId?: string;
  readonly volumes: DataVolumes;
  readonly source: DataStore;
  /** The backup job's archive volume (local target). */
  readonly archiveVolume?: docker.Volume;
}

export class BackupRestore extends pulumi.ComponentResource {
  readonly container: ServiceContainer;
  /**
   * Resolves to the finished restore container when it exited 0; fails the program (and so the
   * `up`) with the container's log otherwise. Give it to the data services as `startAfter`.
   */
  readonly done: pulumi.Output<pulumi.Resource[]>;

  constructor(name: string, args: BackupRestoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:BackupRestore", name, {}, opts);
    if (args.source.kind === "volume" && !args.archiveVolume)
      throw new Error("BackupRestore: a volume source needs the backup job's archiveVolume");
    if (args.overwrite && !args.restoreId) throw new Error("BackupRestore: an overwrite restore needs a restoreId, so that it runs once");
    if (args.overwrite) {
      // Loud in every preview and up while the settings are in the stack: this replaces live data.
      pulumi.log.warn(
        `OVERWRITE RESTORE ${args.restoreId}: this up replaces the contents of the Prometheus, Grafana and Alertmanager volumes ` +
          `with backup ${args.from}, unless every volume already holds the marker of restore ${args.restoreId} (then it does nothing). ` +
          "Remove restoreFrom, restoreOverwrite and restoreId from the stack once it has run.",
        this,
      );
    }
    const script = destinationOf(args.source).apply((destination) =>
      renderRestoreScript({
        destination,
        targets: SOURCES,
        from: args.from,
        overwrite: args.overwrite ?? false,
        restoreId: args.restoreId,
        // Each tree goes to the user its service runs as.
        owners: {
          prometheus: userSpec(CATALOG.prometheus.user),
          grafana: userSpec(CATALOG.grafana.user),
          alertmanager: userSpec(CATALOG.alertmanager.user),
        },
      }),
    );

    this.container = new ServiceContainer(
      `${name}-run`,
      {
        ...args.placement,
        service: CATALOG.backupRestore.container,
        entrypoint: ["/bin/sh", RESTORE_SCRIPT_PATH],
        files: [{ path: RESTORE_SCRIPT_PATH, content: script, mode: "0555" }],
        oneShot: true,
        sharedVolumes: [
          { volume: args.volumes.prometheus, containerPath: SOURCES.prometheus },
          { volume: args.volumes.grafana, containerPath: SOURCES.grafana },
          { volume: args.volumes.alertmanager, containerPath: SOURCES.alertmanager },
          ...(args.archiveVolume ? [{ volume: args.archiveVolume, containerPath: ARCHIVE_DIR, readOnly: true }] : []),
        ],
      },
      { parent: this },
    );

    const container = this.container.container;
    this.done = pulumi.all([container.exitCode, container.containerLogs]).apply(([code, logs]) => {
      if (code !== 0) {
        const tail = (logs ?? "").trim().split("\n").slice(-15).join("\n");
        throw new Error(
          `the restore from ${args.from} failed (container ${CATALOG.backupRestore.container} exited with status ${String(code)}); ` +
            `Prometheus, Grafana and Alertmanager were not started. Its log (all of it: docker logs ${CATALOG.backupRestore.container}):\n${tail}`,
        );
      }
      return [container as pulumi.Resource];
    });

    this.registerOutputs({ containerName: this.container.containerName });
  }
}
