// The catalogue: every container this program can run, described once. Settings (image and
// limit keys with their defaults), container and DNS names, the ports the images listen on,
// Prometheus job names, the reserved job list and the users secret files are owned by all
// derive from here (integrations/index.ts adds the integrations' exporters). A new core container
// is an entry here, a ServiceContainer in its component and a line in index.ts; an integration's
// exporter is catalogued in its own module (docs/architecture.md, "Add an integration").
//
// Plain data with no Pulumi import, so the renderers in configs/, the dashboards and the live
// test harness read the same names and ports the program deploys.

export interface Limits {
  /** CPU cores (Docker --cpus). */
  readonly cpus: number;
  /** Memory limit in MB (Docker's unit for `memory`). */
  readonly memoryMb: number;
}

/** A numeric uid:gid, as the image runs it (owner of the secret files it must read). */
export interface ImageUser {
  readonly uid: number;
  readonly gid: number;
}

export interface CatalogEntry {
  /** Container name, its DNS name on the stack network and the value of its `service` label. */
  readonly container: string;
  /** How settings descriptions and messages name it. */
  readonly title: string;
  /** Default image, pinned to an exact tag (the `<key>Image` setting overrides it). */
  readonly image: string;
  /** Default limits (the `<key>MilliCpus` and `<key>MemoryMb` settings override them). */
  readonly limits: Limits;
  /**
   * The least memory (MB) it needs to start: a `<key>MemoryMb` below is refused. Floors, not
   * sizing advice (Go's runtime, Prometheus's head block, Loki's ingester, Grafana's plugins and
   * database, the AWS CLI's Python); set well under the defaults and not measured here (no Docker
   * engine), so they err low.
   */
  readonly minMemoryMb: number;
  /** Port the image listens on inside its container (none for the backup job). */
  readonly port?: number;
  /** Prometheus job that scrapes it; part of the metric contract the rules rely on. */
  readonly job?: string;
  /** The user the container runs as (the image's own user where it has one that works). */
  readonly user: ImageUser;
}

/** prom/* images (busybox based) run as nobody. */
export const NOBODY: ImageUser = { uid: 65534, gid: 65534 };
const ROOT: ImageUser = { uid: 0, gid: 0 };

/**
 * The monitoring services themselves, in README order. Limits come from the source design's
 * resource table: about 4.3 cores and 4.2 GB for the core stack. The integrations' exporters are
 * catalogued in their own modules (integrations/) and come after these.
 */
const MONITORING = {
  prometheus: {
    container: "prometheus",
    title: "Prometheus",
    image: "prom/prometheus:v3.13.3",
    limits: { cpus: 2, memoryMb: 2048 },
    minMemoryMb: 256,
    port: 9090,
    job: "prometheus",
    user: NOBODY,
  },
  alertmanager: {
    container: "alertmanager",
    title: "Alertmanager",
    image: "prom/alertmanager:v0.34.0",
    limits: { cpus: 0.2, memoryMb: 256 },
    minMemoryMb: 32,
    port: 9093,
    job: "alertmanager",
    user: NOBODY,
  },
  grafana: {
    container: "grafana",
    title: "Grafana",
    image: "grafana/grafana:13.2.0",
    limits: { cpus: 0.5, memoryMb: 512 },
    minMemoryMb: 128,
    port: 3000,
    job: "grafana",
    // uid 472 with primary group 0 (root).
    user: { uid: 472, gid: 0 },
  },
  loki: {
    container: "loki",
    title: "Loki",
    image: "grafana/loki:3.7.8",
    limits: { cpus: 1, memoryMb: 1024 },
    minMemoryMb: 128,
    port: 3100,
    job: "loki",
    user: { uid: 10001, gid: 10001 },
  },
  alloy: {
    container: "alloy",
    title: "the Alloy log agent",
    image: "grafana/alloy:v1.18.1",
    limits: { cpus: 0.2, memoryMb: 128 },
    minMemoryMb: 64,
    port: 12345,
    job: "log-agent",
    // The image's alloy user (its default is root): with the socket proxy it needs no root.
    user: { uid: 473, gid: 473 },
  },
  nodeExporter: {
    container: "node-exporter",
    title: "node-exporter",
    image: "prom/node-exporter:v1.12.1",
    limits: { cpus: 0.1, memoryMb: 64 },
    minMemoryMb: 16,
    port: 9100,
    job: "node-exporter",
    user: NOBODY,
  },
  cadvisor: {
    container: "cadvisor",
    title: "cAdvisor",
    image: "ghcr.io/google/cadvisor:v0.60.6",
    limits: { cpus: 0.3, memoryMb: 256 },
    minMemoryMb: 64,
    port: 8080,
    job: "cadvisor",
    // Root without capabilities: reads the root-owned cgroup and /var/lib/docker files.
    user: ROOT,
  },
} as const satisfies Record<string, CatalogEntry>;

/** Jobs and helpers around them: backups, the TLS proxy, the Docker API proxy, restores. */
const SUPPORT = {
  backup: {
    container: "backup",
    title: "the backup job",
    // FROM amazonlinux:2023: bash as sh, coreutils (sha256sum), gawk, curl besides the AWS CLI; no
    // sqlite3, hence grafanaDbCopy (configs/backup.ts; the evidence in components/image-contracts.ts).
    image: "amazon/aws-cli:2.37.12",
    limits: { cpus: 0.25, memoryMb: 256 },
    minMemoryMb: 128,
    user: ROOT,
  },
  caddy: {
    container: "caddy",
    title: "the Caddy TLS proxy (with grafanaDomain)",
    // The official image; the same release as Debian's caddy package the tests run.
    image: "caddy:2.11.4",
    limits: { cpus: 0.25, memoryMb: 128 },
    minMemoryMb: 32,
    port: 443,
    // The image's /data (certificates) is root-owned; no capability but NET_BIND_SERVICE.
    user: ROOT,
  },
  socketProxy: {
    container: "socket-proxy",
    title: "the Docker socket proxy",
    image: "wollomatic/socket-proxy:1.13.1",
    limits: { cpus: 0.1, memoryMb: 32 },
    minMemoryMb: 8,
    port: 2375,
    // The image's user is 65534, which cannot open the root:docker socket without the host's
    // docker group id; root without any capability opens it as the socket's owner.
    user: ROOT,
  },
  backupVerify: {
    container: "backup-verify",
    title: "the backup job's restore check (promtool on the restored blocks)",
    // The Prometheus image, for promtool and busybox sh (configs/backup-verify.ts).
    image: "prom/prometheus:v3.13.3",
    // `promtool tsdb analyze` loads a block's index and postings.
    limits: { cpus: 0.25, memoryMb: 512 },
    minMemoryMb: 128,
    // Reads the restored copy, whose trees belong to each service's user (configs/container-security.ts).
    user: ROOT,
  },
  grafanaDbCopy: {
    container: "grafana-db-copy",
    title: "the Grafana database copier (sqlite3 for the backup job)",
    // The sqlite3 shell alone on Alpine, tagged with the SQLite release (configs/grafana-db-copy.ts).
    image: "keinos/sqlite3:3.52.0",
    limits: { cpus: 0.1, memoryMb: 64 },
    minMemoryMb: 16,
    // Reads Grafana's database whatever its owner and writes into the job's (root's) exchange volume.
    user: ROOT,
  },
  backupRestore: {
    container: "backup-restore",
    title: "the one-shot restore (setting restoreFrom)",
    // The backup image: the restore needs the AWS CLI and sha256sum (configs/backup-restore.ts).
    image: "amazon/aws-cli:2.37.12",
    limits: { cpus: 0.5, memoryMb: 512 },
    minMemoryMb: 128,
    // Writes into every data volume and hands each tree to its service's user.
    user: ROOT,
  },
} as const satisfies Record<string, CatalogEntry>;

/** The core containers: monitoring services and support jobs (not the integrations' exporters). */
export const CATALOG = { ...MONITORING, ...SUPPORT } as const satisfies Record<string, CatalogEntry>;

export type ComponentKey = keyof typeof CATALOG;
/** Every core component, in catalogue (README) order. */
export const COMPONENTS = Object.keys(CATALOG) as ComponentKey[];
/** The monitoring services, then the support jobs: the integrations' exporters go between them. */
export const MONITORING_COMPONENTS = Object.keys(MONITORING) as ComponentKey[];
export const SUPPORT_COMPONENTS = Object.keys(SUPPORT) as ComponentKey[];

/** Components that listen on a port: the ones something else reaches over the network. */
export type NetworkComponent = { [K in ComponentKey]: (typeof CATALOG)[K] extends { port: number } ? K : never }[ComponentKey];
export const NETWORK_COMPONENTS = COMPONENTS.filter((k) => "port" in CATALOG[k]) as NetworkComponent[];

/** Components scraped by a job of their own. */
export type ScrapedComponent = { [K in ComponentKey]: (typeof CATALOG)[K] extends { job: string } ? K : never }[ComponentKey];

/** Every job name the core stack scrapes itself: one per scraped component (integrations name their own). */
export const STACK_JOBS = Object.fromEntries(COMPONENTS.flatMap((k) => ("job" in CATALOG[k] ? [[k, CATALOG[k].job]] : []))) as Readonly<
  Record<ScrapedComponent, string>
>;

/** `host:port` of each networked component on the stack network (container names resolve there). */
export type Endpoints = Readonly<Record<NetworkComponent, string>>;

export function dockerEndpoints(): Endpoints {
  return Object.fromEntries(NETWORK_COMPONENTS.map((k) => [k, `${CATALOG[k].container}:${CATALOG[k].port}`])) as Record<
    NetworkComponent,
    string
  >;
}

/** `address:port` of each networked component published on a host address (the pair's private IPs). */
export function endpointsAt(address: string): Endpoints {
  return Object.fromEntries(NETWORK_COMPONENTS.map((k) => [k, `${address}:${CATALOG[k].port}`])) as Record<NetworkComponent, string>;
}

/** `user` as Docker's `uid:gid` string. */
export function userSpec(u: ImageUser): string {
  return `${u.uid}:${u.gid}`;
}
