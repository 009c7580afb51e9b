// The one way this program runs a container, so every service gets the same conventions:
// pinned image, restart policy, limits, rotated json-file logs, the `service` label the log
// agent keys on, config files as uploads (they work on a remote Docker host too) and named
// volumes that outlive the container.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Limits } from "./catalog";
import { LOG_ROTATION } from "../configs/docker";

export interface ContainerFile {
  /** Absolute path inside the container. */
  readonly path: string;
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
  readonly user?: string;
  readonly privileged?: boolean;
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

    const networks: docker.types.input.ContainerNetworksAdvanced[] = [{ name: args.network, aliases: [args.service] }];
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
        ],
        networksAdvanced: networks,
        command: args.command,
        entrypoints: args.entrypoint,
        envs: args.env
          ? pulumi.all(Object.entries(args.env).map(([k, v]) => pulumi.interpolate`${k}=${v}`))
          : undefined,
        uploads: (args.files ?? []).map((f) => ({
          file: f.path,
          content: f.content,
          permissions: f.mode ?? "0444",
          ...(f.owner ? { owner: String(f.owner.uid), group: String(f.owner.gid) } : {}),
        })),
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
        ],
        mounts: args.hostMounts ? [...args.hostMounts] : undefined,
        ports: (args.ports ?? []).map((p) => ({ internal: p.internal, external: p.external, ip: p.ip, protocol: "tcp" })),
        healthcheck: args.healthcheck
          ? { tests: ["CMD", ...args.healthcheck], interval: "30s", timeout: "5s", retries: 3, startPeriod: "30s" }
          : undefined,
        user: args.user,
        privileged: args.privileged,
        devices: args.devices?.map((d) => ({ hostPath: d, containerPath: d, permissions: "r" })),
        pidMode: args.pidMode,
        // Give Prometheus and Loki time to flush their WAL/chunks on stop.
        destroyGraceSeconds: args.stateful ? 60 : 10,
        stopTimeout: args.stateful ? 60 : 10,
      },
      // Every container has a fixed name (it is its DNS name on the network), so a replacement
      // must remove the old one first; stateful ones also hold a lock on their data.
      { parent: this, deleteBeforeReplace: true },
    );
    this.containerName = this.container.name;

    this.registerOutputs({ containerName: this.containerName, imageId: this.image.imageId });
  }
}
