// One systemd slice per container on the ec2 host: the per-container task limit that the Docker
// provider cannot set (it has no pids_limit; configs/container-security.ts, `pids`). Pure: no
// Pulumi here. The ec2 host component runs renderSliceInstallScript over SSH before any container
// is created, on every host and again whenever a limit changes (so a host created before the
// limits existed gets them without being replaced, which cloud-init, run once per instance, could
// not do); the composition root puts each container in its slice (Placement.cgroupParent).
//
// How it holds: dockerd on the host uses the systemd cgroup driver (configs/docker.ts), so a
// container's --cgroup-parent names a slice and Docker creates the container's
// docker-<id>.scope inside it. TasksMax= on the slice is pids.max on the slice's cgroup (cgroup v2
// on Amazon Linux 2023), which counts every task below it, root's included, unlike RLIMIT_NPROC.
// A replaced container (delete before create, fixed names) gets the same slice again.
//
// Names: in a slice name '-' separates the levels of the hierarchy (systemd.slice(5): the slice
// foo-bar.slice lies in foo.slice), so a container name's '-' becomes '_'. obs-node_exporter.slice
// then sits directly in obs.slice, which systemd creates implicitly without a limit of its own; it
// only groups the stack's slices (`systemd-cgls /obs.slice`).
//
// cAdvisor tells a Docker container by the last element of its cgroup path (docker-<id>.scope,
// cadvisor container/docker/factory.go), so the deeper path changes none of its metrics.
import { securityProfile } from "./container-security";

/** Parent of every container slice: obs-<name>.slice lies in obs.slice. */
export const SLICE_PREFIX = "obs";
/** Where the slice units go on the host (local administrator's units, read before /usr/lib). */
export const SLICE_DIR = "/etc/systemd/system";

const CONTAINER_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * The slice a container runs in, e.g. `obs-node_exporter.slice`. Only lower-case letters, digits
 * and single '-' are taken, so the '-' → '_' mapping never makes two containers share a slice.
 */
export function containerSlice(container: string): string {
  if (!CONTAINER_NAME.test(container)) {
    throw new Error(`container slice: ${JSON.stringify(container)} is not a container name this program uses (a-z, 0-9, single "-")`);
  }
  return `${SLICE_PREFIX}-${container.replace(/-/g, "_")}.slice`;
}

/** The unit file of a container's slice. */
export function renderContainerSlice(container: string, tasksMax: number): string {
  if (!Number.isInteger(tasksMax) || tasksMax < 1) {
    throw new Error(`container slice ${container}: TasksMax must be a positive whole number, not ${tasksMax}`);
  }
  return [
    "[Unit]",
    `Description=observability-stack: task limit of the ${container} container`,
    "",
    "[Slice]",
    `TasksMax=${tasksMax}`,
    "",
  ].join("\n");
}

export interface ContainerSliceFile {
  readonly container: string;
  /** Unit name, the container's cgroupParent. */
  readonly slice: string;
  /** Absolute path on the host. */
  readonly path: string;
  readonly content: string;
}

/**
 * A slice for every container the program can run (integrations/index.ts, ALL_CONTAINER_NAMES),
 * whether or not the settings turn it on: the install script stays the same when an integration
 * or the TLS proxy is switched on later, and an unused slice costs nothing.
 */
export function containerSliceFiles(containers: readonly string[]): ContainerSliceFile[] {
  return containers.map((container) => {
    const slice = containerSlice(container);
    return { container, slice, path: `${SLICE_DIR}/${slice}`, content: renderContainerSlice(container, securityProfile(container).pids) };
  });
}

/**
 * The script the ec2 host component runs over SSH as the SSH user (passwordless sudo on Amazon
 * Linux): it refuses a daemon on another cgroup driver (a slice would not limit anything there),
 * writes every slice, reloads systemd and then reads each limit back from systemd, so a limit
 * systemd did not take fails the deployment instead of passing unnoticed. Idempotent: rewriting a
 * file with the same content changes nothing. A slice that already exists (a host from before the
 * limits, whose containers ran in implicit slices) takes the new TasksMax at the reload.
 */
export function renderSliceInstallScript(files: readonly ContainerSliceFile[]): string {
  const lines = [
    "set -eu",
    "driver=$(sudo docker info --format '{{.CgroupDriver}}')",
    'if [ "$driver" != systemd ]; then',
    '  echo "Docker uses the $driver cgroup driver; the containers\' task limits need systemd (exec-opts native.cgroupdriver=systemd in /etc/docker/daemon.json)" >&2',
    "  exit 1",
    "fi",
  ];
  for (const f of files) {
    if (f.content.split("\n").includes("EOF"))
      throw new Error(`container slice ${f.container}: a line "EOF" would end the here-document early`);
    lines.push(`sudo tee ${f.path} >/dev/null <<'EOF'`, f.content.replace(/\n$/, ""), "EOF");
  }
  lines.push("sudo systemctl daemon-reload");
  for (const f of files) {
    const tasks = securityProfile(f.container).pids;
    lines.push(
      `test "$(systemctl show -p TasksMax --value ${f.slice})" = ${tasks} || { echo "${f.slice}: systemd did not take TasksMax=${tasks}" >&2; exit 1; }`,
    );
  }
  return lines.join("\n") + "\n";
}
