// Host and container exporters, plus the optional integration exporters. The textfile volume is
// where jobs such as the backup leave metrics for node-exporter to publish.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { ServiceContainer } from "./container";
import { ComponentKey, IntegrationSettings, Limits } from "./settings";
import { CONTAINER_NAMES, CONTAINER_PORTS } from "../configs/endpoints";
import { renderBlackboxConfig } from "../configs/blackbox";

export interface ExportersArgs {
  readonly images: Readonly<Record<ComponentKey, string>>;
  readonly limits: Readonly<Record<ComponentKey, Limits>>;
  readonly network: pulumi.Input<string>;
  /** Networks the integration targets live on (postgres-exporter and redis-exporter join them). */
  readonly extraNetworks?: readonly string[];
  readonly integrations: IntegrationSettings;
}

export const TEXTFILE_DIR = "/textfile";

/** Mount points node-exporter should not report: pseudo and container filesystems. */
const FS_EXCLUDE = "^/(dev|proc|run|sys|var/lib/docker/.+|var/lib/containers/.+)($|/)";

export class Exporters extends pulumi.ComponentResource {
  readonly textfileVolume: docker.Volume;
  readonly nodeExporter: ServiceContainer;
  readonly cadvisor: ServiceContainer;
  readonly postgresExporter?: ServiceContainer;
  readonly redisExporter?: ServiceContainer;
  readonly blackboxExporter?: ServiceContainer;

  constructor(name: string, args: ExportersArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:Exporters", name, {}, opts);
    const common = { network: args.network };

    this.textfileVolume = new docker.Volume(
      `${name}-textfile`,
      { name: "node-exporter-textfile", labels: [{ label: "service", value: CONTAINER_NAMES.nodeExporter }] },
      // Holds the backup job's last-success timestamps: losing them would fire BackupTooOld.
      { parent: this, retainOnDelete: true },
    );

    this.nodeExporter = new ServiceContainer(
      `${name}-node-exporter`,
      {
        ...common,
        service: CONTAINER_NAMES.nodeExporter,
        image: args.images.nodeExporter,
        limits: args.limits.nodeExporter,
        command: [
          "--path.rootfs=/host",
          `--collector.textfile.directory=${TEXTFILE_DIR}`,
          `--collector.filesystem.mount-points-exclude=${FS_EXCLUDE}`,
        ],
        pidMode: "host",
        hostMounts: [{ type: "bind", source: "/", target: "/host", readOnly: true, bindOptions: { propagation: "rslave" } }],
        sharedVolumes: [{ volume: this.textfileVolume, containerPath: TEXTFILE_DIR, readOnly: true }],
        healthcheck: ["wget", "-q", "--spider", `http://localhost:${CONTAINER_PORTS.nodeExporter}/`],
      },
      { parent: this },
    );

    this.cadvisor = new ServiceContainer(
      `${name}-cadvisor`,
      {
        ...common,
        service: CONTAINER_NAMES.cadvisor,
        image: args.images.cadvisor,
        limits: args.limits.cadvisor,
        // Fewer series: only Docker containers, only the `service` label, and none of the
        // per-CPU / scheduler / TCP families the rules and dashboards never read.
        command: [
          "--docker_only=true",
          "--store_container_labels=false",
          "--whitelisted_container_labels=service",
          "--housekeeping_interval=15s",
          "--disable_metrics=percpu,sched,tcp,udp,advtcp,hugetlb,referenced_memory,cpu_topology,resctrl,process,memory_numa",
        ],
        privileged: true,
        devices: ["/dev/kmsg"],
        hostMounts: [
          { type: "bind", source: "/", target: "/rootfs", readOnly: true },
          { type: "bind", source: "/var/run", target: "/var/run", readOnly: true },
          { type: "bind", source: "/sys", target: "/sys", readOnly: true },
          { type: "bind", source: "/var/lib/docker", target: "/var/lib/docker", readOnly: true },
          { type: "bind", source: "/dev/disk", target: "/dev/disk", readOnly: true },
        ],
        healthcheck: ["wget", "-q", "--spider", `http://localhost:${CONTAINER_PORTS.cadvisor}/healthz`],
      },
      { parent: this },
    );

    const integrationNetworks = { extraNetworks: args.extraNetworks };
    const pg = args.integrations.postgres;
    if (pg) {
      // The exporter reads host, user and password from files (DATA_SOURCE_*_FILE); the DSN is
      // split at deploy time so no part of it is ever an environment value.
      const parts = pg.dataSourceName.apply(splitPostgresDsn);
      const dir = "/run/secrets";
      this.postgresExporter = new ServiceContainer(
        `${name}-postgres-exporter`,
        {
          ...common,
          ...integrationNetworks,
          service: CONTAINER_NAMES.postgresExporter,
          image: args.images.postgresExporter,
          limits: args.limits.postgresExporter,
          env: {
            DATA_SOURCE_URI_FILE: `${dir}/postgres_uri`,
            DATA_SOURCE_USER_FILE: `${dir}/postgres_user`,
            DATA_SOURCE_PASS_FILE: `${dir}/postgres_password`,
          },
          files: [
            { path: `${dir}/postgres_uri`, content: pulumi.secret(parts.uri), mode: "0400", owner: NOBODY },
            { path: `${dir}/postgres_user`, content: pulumi.secret(parts.user), mode: "0400", owner: NOBODY },
            { path: `${dir}/postgres_password`, content: pulumi.secret(parts.password), mode: "0400", owner: NOBODY },
          ],
        },
        { parent: this },
      );
    }

    const redis = args.integrations.redis;
    if (redis) {
      // Multi-target mode: Prometheus scrapes /scrape?target=redis://<address>, which is also
      // the only mode in which the exporter reads passwords from a file.
      const passwordFile = "/run/secrets/redis_passwords.json";
      this.redisExporter = new ServiceContainer(
        `${name}-redis-exporter`,
        {
          ...common,
          ...integrationNetworks,
          service: CONTAINER_NAMES.redisExporter,
          image: args.images.redisExporter,
          limits: args.limits.redisExporter,
          command: redis.password ? [`--redis.password-file=${passwordFile}`] : [],
          files: redis.password
            ? [
                {
                  path: passwordFile,
                  content: pulumi.secret(redis.password.apply((p) => JSON.stringify({ [`redis://${redis.address}`]: p }))),
                  mode: "0400",
                  owner: REDIS_EXPORTER_USER,
                },
              ]
            : [],
        },
        { parent: this },
      );
    }

    if (args.integrations.blackbox) {
      this.blackboxExporter = new ServiceContainer(
        `${name}-blackbox-exporter`,
        {
          ...common,
          ...integrationNetworks,
          service: CONTAINER_NAMES.blackboxExporter,
          image: args.images.blackboxExporter,
          limits: args.limits.blackboxExporter,
          command: ["--config.file=/etc/blackbox_exporter/config.yml"],
          files: [{ path: "/etc/blackbox_exporter/config.yml", content: renderBlackboxConfig() }],
          healthcheck: ["wget", "-q", "--spider", `http://localhost:${CONTAINER_PORTS.blackboxExporter}/-/healthy`],
        },
        { parent: this },
      );
    }

    this.registerOutputs({ textfileVolume: this.textfileVolume.name });
  }
}

/** prom-style images run as nobody; redis_exporter's scratch image as 59000. */
const NOBODY = { uid: 65534, gid: 65534 };
const REDIS_EXPORTER_USER = { uid: 59000, gid: 59000 };

/** postgresql://user:pass@host:5432/db?sslmode=require → the exporter's three parts. */
export function splitPostgresDsn(dsn: string): { uri: string; user: string; password: string } {
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    throw new Error("observability-stack:postgresDataSourceName: is not a URL; use postgresql://user:pass@host:5432/db?sslmode=require");
  }
  if (!["postgres:", "postgresql:"].includes(url.protocol) || !url.hostname || !url.username) {
    throw new Error("observability-stack:postgresDataSourceName: use postgresql://user:pass@host:5432/db?sslmode=require (user and host are required)");
  }
  return {
    uri: `${url.host}${url.pathname}${url.search}`,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
}
