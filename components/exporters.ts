// Host and container exporters, plus the optional integration exporters. The textfile volume is
// where jobs such as the backup leave metrics for node-exporter to publish.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Placement, ServiceContainer } from "./container";
import { CATALOG } from "./catalog";
import { IntegrationSecrets } from "./settings";
import { renderBlackboxConfig } from "../configs/blackbox";
import { SOCKET_PROXY_DOCKER_HOST } from "../configs/socket-proxy";
import { splitPostgresDsn } from "../configs/postgres-exporter";
import { EnabledIntegrations } from "../configs/types";

type ExporterKey = "nodeExporter" | "cadvisor" | "postgresExporter" | "redisExporter" | "blackboxExporter";

export interface ExportersArgs {
  /** Placement of each exporter; the integration exporters' extraNetworks reach their targets. */
  readonly placements: Readonly<Record<ExporterKey, Placement>>;
  readonly integrations: EnabledIntegrations;
  readonly secrets: IntegrationSecrets;
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

    const dsn = args.secrets.postgresDataSourceName;
    if (args.integrations.postgres && dsn) {
      // The exporter reads host, user and password from files (DATA_SOURCE_*_FILE); the DSN is
      // split at deploy time so no part of it is ever an environment value.
      const parts = dsn.apply(splitPostgresDsn);
      const dir = "/run/secrets";
      const owner = CATALOG.postgresExporter.user;
      new ServiceContainer(
        `${name}-postgres-exporter`,
        {
          ...p.postgresExporter,
          service: CATALOG.postgresExporter.container,
          env: {
            DATA_SOURCE_URI_FILE: `${dir}/postgres_uri`,
            DATA_SOURCE_USER_FILE: `${dir}/postgres_user`,
            DATA_SOURCE_PASS_FILE: `${dir}/postgres_password`,
          },
          secrets: {
            dir,
            files: [
              { path: `${dir}/postgres_uri`, content: pulumi.secret(parts.uri), mode: "0400", owner },
              { path: `${dir}/postgres_user`, content: pulumi.secret(parts.user), mode: "0400", owner },
              { path: `${dir}/postgres_password`, content: pulumi.secret(parts.password), mode: "0400", owner },
            ],
          },
        },
        { parent: this },
      );
    }

    const redisAddress = args.integrations.redisAddress;
    if (args.integrations.redis && redisAddress) {
      // Multi-target mode: Prometheus scrapes /scrape?target=redis://<address>, which is also
      // the only mode in which the exporter reads passwords from a file.
      const secretsDir = "/run/secrets";
      const passwordFile = `${secretsDir}/redis_passwords.json`;
      const password = args.secrets.redisPassword;
      new ServiceContainer(
        `${name}-redis-exporter`,
        {
          ...p.redisExporter,
          service: CATALOG.redisExporter.container,
          command: password ? [`--redis.password-file=${passwordFile}`] : [],
          secrets: password
            ? {
                dir: secretsDir,
                files: [
                  {
                    path: passwordFile,
                    content: pulumi.secret(password.apply((pw) => JSON.stringify({ [`redis://${redisAddress}`]: pw }))),
                    mode: "0400",
                    owner: CATALOG.redisExporter.user,
                  },
                ],
              }
            : undefined,
        },
        { parent: this },
      );
    }

    if (args.integrations.blackbox) {
      new ServiceContainer(
        `${name}-blackbox-exporter`,
        {
          ...p.blackboxExporter,
          service: CATALOG.blackboxExporter.container,
          command: ["--config.file=/etc/blackbox_exporter/config.yml"],
          files: [{ path: "/etc/blackbox_exporter/config.yml", content: renderBlackboxConfig() }],
          healthcheck: ["wget", "-q", "--spider", `http://localhost:${CATALOG.blackboxExporter.port}/-/healthy`],
        },
        { parent: this },
      );
    }

    this.registerOutputs({ textfileVolume: this.textfileVolume.name });
  }
}
