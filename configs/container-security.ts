// What each container may do: user, Linux capabilities, root filesystem, process limit. The
// container helper applies DEFAULT_SECURITY to every container and a component's profile here
// overrides it, each deviation with the reason next to it. Pure data: no Pulumi here, so the
// README's security table and the tests read the same values the program deploys.
//
// Two limits of @pulumi/docker 5.2 shape this table (read in node_modules/@pulumi/docker and the
// Terraform provider it wraps, kreuzwerker/terraform-provider-docker):
//   - Config files are `uploads`, copied into the created container as a tar extracted at "/"
//     (CopyToContainer(ctx, id, "/", ...)). Docker refuses that for a container whose root
//     filesystem is read-only ("container rootfs is marked read-only", moby daemon/archive.go:
//     the extraction point "/" is not in a volume). So only containers without uploaded files get
//     a read-only root; the others rely on a non-root user without capabilities, which cannot
//     write to the image's root-owned paths anyway.
//   - The Container resource has no PidsLimit. `ulimits: nproc` is the available process cap:
//     the kernel counts it per user across the host and does not enforce it for uid 0, so it
//     bounds a fork bomb in the non-root containers only.

import { CATALOG, COMPONENTS, userSpec } from "../components/catalog";

export interface SecurityProfile {
  /** uid:gid the process runs as: the catalogue's user of the container. */
  readonly user?: string;
  /** Capabilities added back after dropping ALL. */
  readonly capAdd: readonly string[];
  /** Read-only root filesystem (only without uploads, see above). */
  readonly readOnlyRoot: boolean;
  /** Writable in-memory directories: path → mount options. */
  readonly tmpfs: Readonly<Record<string, string>>;
  /** RLIMIT_NPROC (soft = hard). */
  readonly nproc: number;
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
};

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
    why:
      "reads every data volume whatever its owner (Grafana 472, Prometheus and Alertmanager 65534) and removes Prometheus's snapshot " +
      "after copying it (DAC_OVERRIDE); cp -a to the archive volume keeps owners and times (CHOWN, FOWNER)",
  },
  "backup-verify": {
    capAdd: ["DAC_OVERRIDE"],
    why: "opens the blocks the restore check copied into the scratch volume, which keep the owner of Prometheus's data (65534)",
  },
  "backup-restore": {
    capAdd: ["DAC_OVERRIDE", "CHOWN", "FOWNER"],
    why:
      "fills the data volumes whatever their owners (DAC_OVERRIDE) and hands each restored tree to its service's user: " +
      "Grafana 472, Prometheus and Alertmanager 65534 (CHOWN, FOWNER)",
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
    why:
      "connects to /var/run/docker.sock (root:docker 0660): root without any capability passes as the socket's owner, " +
      "without knowing the host's docker group id; no uploads, so a read-only root",
  },
};

/** The profile a container runs with: the default, its catalogue user, its override. */
export function securityProfile(container: string): SecurityProfile {
  const entry = COMPONENTS.map((k) => CATALOG[k]).find((e) => e.container === container);
  return { ...DEFAULT_SECURITY, ...(entry ? { user: userSpec(entry.user) } : {}), ...(SECURITY_PROFILES[container] ?? {}) };
}
