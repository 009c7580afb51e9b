// The one way this program runs a container, so every service gets the same conventions:
// pinned image, restart policy, limits, rotated json-file logs, the `service` label the log
// agent keys on, config files as uploads (they work on a remote Docker host too) and named
// volumes that outlive the container.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Limits } from "./catalog";
import { LOG_ROTATION } from "../configs/docker";
import { CAP_DROP, SECURITY_OPTS, SecurityProfile, securityProfile } from "../configs/container-security";

/** Where secret files live in every container: a read-only volume of the service's own. */
export const SECRETS_DIR = "/run/secrets";

export interface ContainerFile {
  /** Absolute path inside the container; under SECRETS_DIR for a secret. */
  readonly path: string;
  /**
   * A secret. Pulumi marks a whole input secret when any part of it is, so secret files do not
   * travel in the container's `uploads` (that would hide every config file in
   * `pulumi preview --diff`): they go to the service's secrets volume, see ServiceContainer.
   */
  readonly secret?: boolean;
  readonly content: pulumi.Input<string>;
  /** Octal mode; secrets use 0400. */
  readonly mode?: string;
  /** Numeric uid:gid owner, for secrets readable only by the image's user. */
  readonly owner?: { readonly uid: number; readonly gid: number };
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
  readonly ip: string;
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
}

export interface ServiceContainerArgs extends Placement {
  /** Container name, DNS name on the network and value of the `service` label. */
  readonly service: string;
  readonly command?: pulumi.Input<string>[];
  readonly entrypoint?: pulumi.Input<string>[];
  readonly env?: Readonly<Record<string, pulumi.Input<string>>>;
  readonly files?: readonly ContainerFile[];
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
}

export class ServiceContainer extends pulumi.ComponentResource {
  readonly container: docker.Container;
  readonly image: docker.RemoteImage;
  readonly volumes: Record<string, docker.Volume>;
  readonly containerName: pulumi.Output<string>;

  constructor(name: string, args: ServiceContainerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:ServiceContainer", name, {}, opts);

    this.image = new docker.RemoteImage(`${name}-image`, { name: args.image, keepLocally: true }, { parent: this });

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
    // and only named ones added back, no-new-privileges, an explicit user, /tmp in memory, a
    // process limit, and a read-only root where no files are uploaded.
    const security: SecurityProfile = securityProfile(args.service);
    if (security.readOnlyRoot && (args.files ?? []).some((f) => !f.secret)) {
      throw new Error(`${args.service}: a read-only root filesystem cannot receive uploaded files (Docker refuses the copy); drop readOnlyRoot or the files`);
    }

    // Secret files reach the service through a volume of its own, filled by a carrier container
    // that is created but never started: Docker copies uploads into a created container's
    // volumes (as `docker cp` does), so the files are in place before the service starts, and the
    // service's own `uploads` hold only files a reviewer can read in a diff.
    const files = args.files ?? [];
    const secretFiles = files.filter((f) => f.secret);
    for (const f of secretFiles) {
      if (!f.path.startsWith(`${SECRETS_DIR}/`)) throw new Error(`${args.service}: secret file ${f.path} must live under ${SECRETS_DIR}`);
    }
    const upload = (f: ContainerFile) => ({
      file: f.path,
      content: f.content,
      permissions: f.mode ?? "0444",
      ...(f.owner ? { owner: String(f.owner.uid), group: String(f.owner.gid) } : {}),
    });
    let carrier: docker.Container | undefined;
    let secretsVolume: docker.Volume | undefined;
    if (secretFiles.length > 0) {
      secretsVolume = new docker.Volume(
        `${name}-secrets`,
        { name: `${args.service}-secrets`, labels: [{ label: "service", value: args.service }] },
        { parent: this },
      );
      carrier = new docker.Container(
        `${name}-secrets`,
        {
          name: `${args.service}-secrets`,
          image: this.image.imageId,
          start: false,
          mustRun: false,
          restart: "no",
          networkMode: "none",
          labels: [
            { label: "service", value: args.service },
            { label: "org.opencontainers.image.vendor", value: "observability-stack" },
          ],
          volumes: [{ volumeName: secretsVolume.name, containerPath: SECRETS_DIR, readOnly: false }],
          uploads: secretFiles.map(upload),
        },
        { parent: this, deleteBeforeReplace: true },
      );
    }

    const networks: docker.types.input.ContainerNetworksAdvanced[] = [
      { name: args.network, aliases: [args.service], ...(args.address ? { ipv4Address: args.address } : {}) },
    ];
    for (const n of args.extraNetworks ?? []) networks.push({ name: n });

    this.container = new docker.Container(
      name,
      {
        name: args.service,
        image: this.image.imageId,
        restart: "unless-stopped",
        cpus: String(args.limits.cpus),
        memory: args.limits.memoryMb,
        // No swap beyond the limit: a swapping Prometheus is slower than a restarted one.
        memorySwap: args.limits.memoryMb,
        logDriver: "json-file",
        logOpts: LOG_ROTATION,
        labels: [
          { label: "service", value: args.service },
          { label: "org.opencontainers.image.vendor", value: "observability-stack" },
          // A new carrier (a changed secret) replaces the service, so it reads the new files.
          ...(carrier ? [{ label: "observability-stack/secrets", value: carrier.id }] : []),
        ],
        networksAdvanced: networks,
        command: args.command,
        entrypoints: args.entrypoint,
        envs: args.env
          ? pulumi.all(Object.entries(args.env).map(([k, v]) => pulumi.interpolate`${k}=${v}`))
          : undefined,
        uploads: files.filter((f) => !f.secret).map(upload),
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
          ...(secretsVolume ? [{ volumeName: secretsVolume.name, containerPath: SECRETS_DIR, readOnly: true }] : []),
        ],
        mounts: args.hostMounts ? [...args.hostMounts] : undefined,
        ports: (args.ports ?? []).map((p) => ({ internal: p.internal, external: p.external, ip: p.ip, protocol: "tcp" })),
        healthcheck: args.healthcheck
          ? { tests: ["CMD", ...args.healthcheck], interval: "30s", timeout: "5s", retries: 3, startPeriod: "30s" }
          : undefined,
        user: args.user ?? security.user,
        capabilities: { drops: [...CAP_DROP], adds: [...security.capAdd] },
        securityOpts: [...SECURITY_OPTS],
        readOnly: security.readOnlyRoot,
        tmpfs: Object.keys(security.tmpfs).length > 0 ? { ...security.tmpfs } : undefined,
        ulimits: [{ name: "nproc", soft: security.nproc, hard: security.nproc }],
        devices: args.devices?.map((d) => ({ hostPath: d, containerPath: d, permissions: "r" })),
        pidMode: args.pidMode,
        // Give Prometheus and Loki time to flush their WAL/chunks on stop.
        destroyGraceSeconds: args.stateful ? 60 : 10,
        stopTimeout: args.stateful ? 60 : 10,
      },
      // Every container has a fixed name (it is its DNS name on the network), so a replacement
      // must remove the old one first; stateful ones also hold a lock on their data.
      { parent: this, deleteBeforeReplace: true, dependsOn: carrier ? [carrier] : [] },
    );
    this.containerName = this.container.name;

    this.registerOutputs({ containerName: this.containerName, imageId: this.image.imageId });
  }
}
