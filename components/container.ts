// The one way this program runs a container, so every service gets the same conventions:
// pinned image, restart policy, limits, rotated json-file logs, the `service` label the log
// agent keys on, config files as uploads (they work on a remote Docker host too) and named
// volumes that outlive the container.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { ImageUser, Limits } from "../catalog/containers";
import { LOG_ROTATION, SECRETS_FOR_LABEL, SECRETS_VERSION_LABEL } from "../configs/docker";
import { CAP_DROP, SECURITY_OPTS, SecurityProfile, securityProfile } from "../configs/container-security";

/** Where secret files live in every container: the read-only secrets volume (see ServiceContainer). */
export const SECRETS_DIR = "/run/secrets";

export interface ContainerFile {
  /** Absolute path inside the container. */
  readonly path: string;
  readonly content: pulumi.Input<string>;
  /** Octal mode; secrets use 0400. */
  readonly mode?: string;
  /** Numeric uid:gid owner, for secrets readable only by the image's user. */
  readonly owner?: { readonly uid: number; readonly gid: number };
}

/**
 * Secret files of one container, all under one directory. They are written by a separate
 * container (see ServiceContainer) into a volume the service mounts read-only at `dir`.
 */
export interface SecretFiles {
  /** Absolute directory inside the container; every file's path lies directly or deeper under it. */
  readonly dir: string;
  readonly files: readonly ContainerFile[];
}

export interface ContainerVolume {
  /** Volume name suffix: the Docker volume is `<service>-<name>`. */
  readonly name: string;
  readonly containerPath: string;
  readonly readOnly?: boolean;
}

/** Where on the host a container port is published. */
export interface HostPort {
  readonly external: number;
  /** Host address to bind; 127.0.0.1 keeps internal UIs off the network. */
  readonly ip: pulumi.Input<string>;
}

export interface PublishedPort extends HostPort {
  readonly internal: number;
}

/**
 * Where and how big a container runs, decided by the composition root from the catalogue and
 * the settings; components pass it through to their ServiceContainer unchanged.
 */
export interface Placement {
  readonly image: string;
  readonly limits: Limits;
  readonly network: pulumi.Input<string>;
  /** Extra (external) Docker networks to join, e.g. to reach application services by name. */
  readonly extraNetworks?: readonly string[];
  /** Fixed IPv4 address on the stack network (the network needs a subnet), e.g. for the metadata firewall. */
  readonly address?: string;
  /**
   * What the container must not start before (its volumes are created regardless): the data
   * services wait for a restore that fills their volumes (setting restoreFrom).
   */
  readonly startAfter?: pulumi.Input<pulumi.Input<pulumi.Resource>[]>;
  /**
   * systemd slice the container runs in (Docker's --cgroup-parent): on ec2 the slice cloud-init
   * wrote with the container's task limit (configs/container-slices.ts). Unset on the local
   * target, whose host the program does not configure: there only the nproc ulimit applies.
   */
  readonly cgroupParent?: string;
  /** The user its image runs as, from its catalogue entry (core or an integration's). */
  readonly imageUser?: ImageUser;
  /**
   * On the redundant pair, the host's private address and the service's port, published there
   * too (same port on host and container): the other member scrapes it, and the security group
   * admits that port only from the pair's own group.
   */
  readonly pairAddress?: { readonly ip: pulumi.Input<string>; readonly port: number };
}

export interface ServiceContainerArgs extends Placement {
  /** Container name, DNS name on the network and value of the `service` label. */
  readonly service: string;
  readonly command?: pulumi.Input<pulumi.Input<string>[]>;
  readonly entrypoint?: pulumi.Input<string>[];
  readonly env?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Non-secret files (configs, dashboards, scripts): plain inputs, readable in a preview diff. */
  readonly files?: readonly ContainerFile[];
  /** Secret files, kept apart from `files` (see SecretFiles). Default none. */
  readonly secrets?: SecretFiles;
  /** Named volumes owned by this service (created here, kept on destroy). */
  readonly volumes?: readonly ContainerVolume[];
  /** Volumes owned by another service (shared directories such as the textfile collector). */
  readonly sharedVolumes?: readonly { readonly volume: docker.Volume; readonly containerPath: string; readonly readOnly?: boolean }[];
  readonly hostMounts?: readonly pulumi.Input<docker.types.input.ContainerMount>[];
  readonly ports?: readonly PublishedPort[];
  /** Command run by the healthcheck (CMD form), only where the image has a tool for it. */
  readonly healthcheck?: readonly string[];
  /** Stateful services (TSDB, SQLite, WAL) get a longer stop grace period to flush. */
  readonly stateful?: boolean;
  /** Overrides the catalogue user (configs/container-security.ts); say why where it is used. */
  readonly user?: string;
  readonly devices?: readonly string[];
  readonly pidMode?: string;
  /**
   * Runs to completion instead of being kept running: Pulumi attaches and waits for the exit
   * (`attach`, `mustRun: false`, no restart); its `exitCode` says how it went.
   */
  readonly oneShot?: boolean;
  /**
   * Docker's init (tini) as PID 1: it reaps orphaned children and passes stop signals on to the
   * entrypoint, for a shell script that is the container's main process. Default false.
   */
  readonly init?: boolean;
}

/** The writer never runs; these limits only satisfy the every-container-has-limits rule. */
const WRITER_LIMITS = { cpus: "0.1", memoryMb: 32 };

function uploadOf(f: ContainerFile): docker.types.input.ContainerUpload {
  return {
    file: f.path,
    content: f.content,
    permissions: f.mode ?? "0444",
    ...(f.owner ? { owner: String(f.owner.uid), group: String(f.owner.gid) } : {}),
  };
}

export class ServiceContainer extends pulumi.ComponentResource {
  readonly container: docker.Container;
  readonly image: docker.RemoteImage;
  readonly volumes: Record<string, docker.Volume>;
  readonly containerName: pulumi.Output<string>;
  /** The never-started container that writes the secret files into their volume, when there are any. */
  readonly secretsWriter?: docker.Container;

  constructor(name: string, args: ServiceContainerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:ServiceContainer", name, {}, opts);

    this.image = new docker.RemoteImage(`${name}-image`, { name: args.image, keepLocally: true }, { parent: this });

    // Why secrets travel in a resource of their own: Pulumi marks a whole input property secret
    // when any part of it is, and `uploads` is one property. One password among Grafana's uploads
    // hid every dashboard and datasource behind [secret] in `pulumi preview --diff`, and any
    // receiver credential did the same to alertmanager.yml. Docker offers no secret store outside
    // swarm, and the provider's `uploads` is the only way to place a file on a remote host without
    // a shell or a bind mount, so the secret files get a container of their own:
    // - a writer container, created from the service's own image (already pulled) and never
    //   started, whose only input that matters is `uploads` with the secret files. The provider
    //   copies uploads in after creating a container and before (here: instead of) starting it,
    //   and Docker's copy API mounts the container's volumes first even when it is not running
    //   (moby daemon/archive.go, containerExtractToDir → mountVolumes), so the files land in the
    //   `<service>-secrets` volume mounted at `dir`;
    // - the service mounts that volume read-only at the same `dir` and reads the files where its
    //   config says (Alertmanager's *_file fields, GF_*__FILE, DATA_SOURCE_*_FILE), as before.
    // The service carries the writer's id as a label: new secret values replace the writer, hence
    // the label, hence the service, which then starts with them. Services that read secrets once
    // at start (Grafana, the exporters) need that; Alertmanager rereads *_file per notification.
    // A secret that is removed from the settings stays in the volume until `pulumi destroy`
    // (nothing references it any more); the volume is deleted with the stack, unlike data volumes.
    let secretMount: docker.types.input.ContainerVolume | undefined;
    const secretLabels: pulumi.Input<docker.types.input.ContainerLabel>[] = [];
    if (args.secrets && args.secrets.files.length > 0) {
      const { dir, files } = args.secrets;
      for (const f of files) {
        if (!f.path.startsWith(`${dir}/`)) throw new Error(`${name}: secret file ${f.path} is not under its secrets directory ${dir}`);
      }
      const volume = new docker.Volume(
        `${name}-secrets`,
        { name: `${args.service}-secrets`, labels: [{ label: "service", value: args.service }] },
        { parent: this },
      );
      this.secretsWriter = new docker.Container(
        `${name}-secrets`,
        {
          name: `${args.service}-secrets`,
          image: this.image.imageId,
          start: false,
          mustRun: false,
          restart: "no",
          // Started by hand it would only run the service's image with no network. No slice
          // (cgroupParent) either: it never runs, so it has no tasks to limit.
          networkMode: "none",
          cpus: WRITER_LIMITS.cpus,
          memory: WRITER_LIMITS.memoryMb,
          memorySwap: WRITER_LIMITS.memoryMb,
          logDriver: "json-file",
          logOpts: LOG_ROTATION,
          labels: [
            { label: SECRETS_FOR_LABEL, value: args.service },
            { label: "org.opencontainers.image.vendor", value: "observability-stack" },
          ],
          volumes: [{ volumeName: volume.name, containerPath: dir, readOnly: false }],
          uploads: files.map((f) => uploadOf({ ...f, content: pulumi.secret(f.content) })),
        },
        // Fixed name: remove the old writer before creating the new one.
        { parent: this, deleteBeforeReplace: true },
      );
      secretMount = { volumeName: volume.name, containerPath: dir, readOnly: true };
      secretLabels.push({ label: SECRETS_VERSION_LABEL, value: this.secretsWriter.id });
    }

    this.volumes = {};
    for (const v of args.volumes ?? []) {
      // Data outlives `pulumi destroy`; README says how to remove it on purpose.
      this.volumes[v.name] = new docker.Volume(
        `${name}-${v.name}`,
        { name: `${args.service}-${v.name}`, labels: [{ label: "service", value: args.service }] },
        { parent: this, retainOnDelete: true },
      );
    }

    // Hardening for every container (configs/container-security.ts): all capabilities dropped
    // and only named ones added back, no-new-privileges, an explicit user, /tmp in memory, the
    // nproc ulimit (and, where the placement names one, the slice with the task limit), and a
    // read-only root where no files are uploaded.
    const security: SecurityProfile = securityProfile(args.service, args.imageUser);
    if (security.readOnlyRoot && (args.files ?? []).length > 0) {
      throw new Error(
        `${args.service}: a read-only root filesystem cannot receive uploaded files (Docker refuses the copy); drop readOnlyRoot or the files`,
      );
    }

    const networks: docker.types.input.ContainerNetworksAdvanced[] = [
      { name: args.network, aliases: [args.service], ...(args.address ? { ipv4Address: args.address } : {}) },
    ];
    for (const n of args.extraNetworks ?? []) networks.push({ name: n });

    const writer: pulumi.Resource[] = this.secretsWriter ? [this.secretsWriter] : [];
    this.container = new docker.Container(
      name,
      {
        name: args.service,
        image: this.image.imageId,
        restart: args.oneShot ? "no" : "unless-stopped",
        // A one-shot container is waited for; Docker's provider records its exit code and logs.
        ...(args.oneShot ? { attach: true, mustRun: false, logs: true } : {}),
        cpus: String(args.limits.cpus),
        memory: args.limits.memoryMb,
        // No swap beyond the limit: a swapping Prometheus is slower than a restarted one.
        memorySwap: args.limits.memoryMb,
        logDriver: "json-file",
        logOpts: LOG_ROTATION,
        labels: [
          { label: "service", value: args.service },
          { label: "org.opencontainers.image.vendor", value: "observability-stack" },
          ...secretLabels,
        ],
        networksAdvanced: networks,
        command: args.command,
        entrypoints: args.entrypoint,
        envs: args.env ? pulumi.all(Object.entries(args.env).map(([k, v]) => pulumi.interpolate`${k}=${v}`)) : undefined,
        uploads: (args.files ?? []).map(uploadOf),
        volumes: [
          ...(args.volumes ?? []).map((v) => ({
            volumeName: this.volumes[v.name].name,
            containerPath: v.containerPath,
            readOnly: v.readOnly ?? false,
          })),
          ...(args.sharedVolumes ?? []).map((v) => ({
            volumeName: v.volume.name,
            containerPath: v.containerPath,
            readOnly: v.readOnly ?? false,
          })),
          ...(secretMount ? [secretMount] : []),
        ],
        mounts: args.hostMounts ? [...args.hostMounts] : undefined,
        ports: [
          ...(args.ports ?? []),
          ...(args.pairAddress ? [{ internal: args.pairAddress.port, external: args.pairAddress.port, ip: args.pairAddress.ip }] : []),
        ].map((p) => ({ internal: p.internal, external: p.external, ip: p.ip, protocol: "tcp" })),
        healthcheck: args.healthcheck
          ? { tests: ["CMD", ...args.healthcheck], interval: "30s", timeout: "5s", retries: 3, startPeriod: "30s" }
          : undefined,
        user: args.user ?? security.user,
        capabilities: { drops: [...CAP_DROP], adds: [...security.capAdd] },
        securityOpts: [...SECURITY_OPTS],
        readOnly: security.readOnlyRoot,
        tmpfs: Object.keys(security.tmpfs).length > 0 ? { ...security.tmpfs } : undefined,
        ulimits: [{ name: "nproc", soft: security.nproc, hard: security.nproc }],
        cgroupParent: args.cgroupParent,
        devices: args.devices?.map((d) => ({ hostPath: d, containerPath: d, permissions: "r" })),
        pidMode: args.pidMode,
        ...(args.init ? { init: true } : {}),
        // Give Prometheus and Loki time to flush their WAL/chunks on stop.
        destroyGraceSeconds: args.stateful ? 60 : 10,
        stopTimeout: args.stateful ? 60 : 10,
      },
      // Every container has a fixed name (it is its DNS name on the network), so a replacement
      // must remove the old one first; stateful ones also hold a lock on their data.
      {
        parent: this,
        deleteBeforeReplace: true,
        // Its secrets are written first; and with startAfter (a pending restore) it waits for that too.
        dependsOn: args.startAfter ? pulumi.output(args.startAfter).apply((after) => [...after, ...writer]) : writer,
        // A restore of a large TSDB can take longer than the provider's default create timeout.
        ...(args.oneShot ? { customTimeouts: { create: "3h" } } : {}),
      },
    );
    this.containerName = this.container.name;

    this.registerOutputs({ containerName: this.containerName, imageId: this.image.imageId });
  }
}
