// What each container may do: user, Linux capabilities, root filesystem, process limits. The
// container helper applies DEFAULT_SECURITY to every container and a component's profile here
// overrides it, each deviation with the reason next to it. Pure data: no Pulumi here, so the
// security table in docs/security.md and the tests read the same values the program deploys.
//
// Two limits of @pulumi/docker 5.2 shape this table (read in node_modules/@pulumi/docker and the
// Terraform provider it wraps, kreuzwerker/terraform-provider-docker):
//   - Config files are `uploads`, copied into the created container as a tar extracted at "/"
//     (CopyToContainer(ctx, id, "/", ...)). Docker refuses that for a container whose root
//     filesystem is read-only ("container rootfs is marked read-only", moby daemon/archive.go:
//     the extraction point "/" is not in a volume). So only containers without uploaded files get
//     a read-only root; the others rely on a non-root user without capabilities, which cannot
//     write to the image's root-owned paths anyway.
//   - The Container resource has no PidsLimit (Docker's --pids-limit). Two limits stand in:
//     * `pids`, the real per-container limit, on ec2 only: the host installs one systemd slice per
//       container with TasksMax=pids (configs/container-slices.ts) and the container runs in it
//       (cgroupParent, which the resource does have). TasksMax is the slice's cgroup v2 pids.max,
//       which counts every task (process or thread) in the cgroup, whatever its uid, root included.
//       The local target has no such limit: the program does not own that host's systemd (it
//       writes no unit files there) and its Docker may use the cgroupfs driver, where a slice is
//       no parent at all.
//     * `nproc` (RLIMIT_NPROC), on every target: the kernel counts it per uid across the whole
//       host and does not enforce it for uid 0, so it bounds a fork bomb in the non-root
//       containers only. Kept on ec2 too, as a second fence for those.

import { CATALOG, COMPONENTS, ImageUser, userSpec } from "../catalog/containers";

export interface SecurityProfile {
  /** uid:gid the process runs as: the catalogue's user of the container. */
  readonly user?: string;
  /** Capabilities added back after dropping ALL. */
  readonly capAdd: readonly string[];
  /** Read-only root filesystem (only without uploads, see above). */
  readonly readOnlyRoot: boolean;
  /** Writable in-memory directories: path → mount options. */
  readonly tmpfs: Readonly<Record<string, string>>;
  /** RLIMIT_NPROC (soft = hard): per uid across the host, not enforced for root (see above). */
  readonly nproc: number;
  /**
   * Tasks (processes and threads) the container may have at once, enforced by its systemd slice
   * on ec2 (see above). Threads count: a Go runtime that cannot start a thread aborts ("failed to
   * create new OS thread"), so a limit leaves room far above what the container uses at rest.
   */
  readonly pids: number;
  /** Why this container deviates from DEFAULT_SECURITY; required for every override. */
  readonly why?: string;
}

/** Every container: no-new-privileges in addition to the daemon-wide setting on ec2. */
export const SECURITY_OPTS: readonly string[] = ["no-new-privileges:true"];
export const CAP_DROP: readonly string[] = ["ALL"];

export const DEFAULT_SECURITY: SecurityProfile = {
  capAdd: [],
  readOnlyRoot: false,
  tmpfs: { "/tmp": "rw,noexec,nosuid,nodev,size=64m" },
  nproc: 4096,
  // The Go services (Prometheus, Loki, Grafana, Alloy, cAdvisor, the exporters, Caddy) run about
  // one thread per CPU the runtime schedules on (at most the host's) plus one per syscall that
  // blocks (disk I/O under compaction or a heavy query): a few dozen on the default instance type;
  // 1024 is ample for that even on a large host and still stops a runaway (a fork loop, a thread
  // leak) long before it exhausts the host's process table.
  pids: 1024,
};

/** Tasks for a shell script and the short pipelines it runs, one at a time. */
const SCRIPT_JOB_PIDS = 256;

/**
 * Deviations from DEFAULT_SECURITY per container name, each with its reason. The user comes from
 * the catalogue (components/catalog.ts), stated for every container so a changed image cannot
 * silently run it as root.
 */
export const SECURITY_PROFILES: Readonly<Record<string, Partial<SecurityProfile>>> = {
  grafana: {
    tmpfs: { "/tmp": DEFAULT_SECURITY.tmpfs["/tmp"], "/var/log/grafana": "rw,noexec,nosuid,nodev,size=64m" },
    why: "Grafana also writes its log directory",
  },
  "node-exporter": {
    readOnlyRoot: true,
    tmpfs: {},
    why: "no uploaded files, so the root filesystem can be read-only; it reads the host through the read-only /host mount",
  },
  cadvisor: {
    capAdd: ["SYSLOG"],
    readOnlyRoot: true,
    why:
      "not privileged any more (cAdvisor's docs/running.md needs --privileged only for process metrics, which are disabled, and on RHEL/CentOS); " +
      "root without capabilities reads the root-owned /var/lib/docker and cgroup files; SYSLOG lets it read /dev/kmsg for OOM events " +
      "(ContainerOOMKilled) where kernel.dmesg_restrict is set; no uploads, so a read-only root",
  },
  backup: {
    capAdd: ["DAC_OVERRIDE", "CHOWN", "FOWNER"],
    pids: SCRIPT_JOB_PIDS,
    why:
      "reads the data volumes whatever their owner (Prometheus and Alertmanager 65534) and removes Prometheus's snapshot " +
      "after copying it (DAC_OVERRIDE); cp -a to the archive volume keeps owners and times (CHOWN, FOWNER); " +
      "fewer tasks: a shell script running one pipeline at a time (sha256sum, the AWS CLI with its ten transfer threads)",
  },
  "grafana-db-copy": {
    capAdd: ["DAC_OVERRIDE"],
    pids: SCRIPT_JOB_PIDS,
    why:
      "reads Grafana's database (owner 472) from the read-only data volume and writes the copy into the exchange volume the backup job (root) created; " +
      "fewer tasks: a shell loop running one sqlite3 at a time",
  },
  "backup-verify": {
    capAdd: ["DAC_OVERRIDE"],
    pids: SCRIPT_JOB_PIDS,
    why:
      "opens the blocks the restore check copied into the scratch volume, which keep the owner of Prometheus's data (65534); " +
      "fewer tasks: a shell loop running promtool on one block at a time",
  },
  "backup-restore": {
    capAdd: ["DAC_OVERRIDE", "CHOWN", "FOWNER"],
    pids: SCRIPT_JOB_PIDS,
    why:
      "fills the data volumes whatever their owners (DAC_OVERRIDE) and hands each restored tree to its service's user: " +
      "Grafana 472, Prometheus and Alertmanager 65534 (CHOWN, FOWNER); fewer tasks: a shell script running one command at a time (the AWS CLI with its ten transfer threads)",
  },
  caddy: {
    capAdd: ["NET_BIND_SERVICE"],
    tmpfs: { "/tmp": DEFAULT_SECURITY.tmpfs["/tmp"], "/config": "rw,noexec,nosuid,nodev,size=8m" },
    why:
      "binds 80 and 443 (NET_BIND_SERVICE, in case the host keeps ip_unprivileged_port_start); the image's /data (certificates) is root-owned; " +
      "/config only holds Caddy's autosave",
  },
  "socket-proxy": {
    readOnlyRoot: true,
    tmpfs: {},
    pids: 256,
    why:
      "connects to /var/run/docker.sock (root:docker 0660): root without any capability passes as the socket's owner, " +
      "without knowing the host's docker group id; no uploads, so a read-only root; fewer tasks: one Go process forwarding " +
      "a few GET calls of two clients (its connections are goroutines on the network poller, not threads)",
  },
};

/**
 * The profile a container runs with: the default, its image's user, its override. The user comes
 * from the core catalogue, or is given for a container catalogued elsewhere (an integration's
 * exporter, integrations/).
 */
export function securityProfile(container: string, imageUser?: ImageUser): SecurityProfile {
  const user = imageUser ?? COMPONENTS.map((k) => CATALOG[k]).find((e) => e.container === container)?.user;
  return { ...DEFAULT_SECURITY, ...(user ? { user: userSpec(user) } : {}), ...(SECURITY_PROFILES[container] ?? {}) };
}
