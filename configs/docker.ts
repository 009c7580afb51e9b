// Docker conventions shared by the containers and the EC2 host's daemon configuration.

/** Log rotation for every container: the json-file driver grows without bound otherwise. */
export const LOG_ROTATION = { "max-size": "10m", "max-file": "3" } as const;

/**
 * Label (Docker) and tag (AWS) key carrying the stack name on everything this program creates,
 * so `docker volume ls --filter label=...` and the AWS console find a stack's resources.
 */
export const STACK_TAG = "observability-stack/stack";

/** Tags of an AWS resource the stack creates: its Name and the stack it belongs to. */
export function stackTags(stack: string, name: string): Record<string, string> {
  return { Name: name, [STACK_TAG]: stack };
}

/**
 * /etc/docker/daemon.json on the EC2 host only (the local target's daemon is the user's own and is
 * left as it is): rotation for containers that set no log options, the daemon hardening explained
 * in configs/host-hardening.ts (live-restore, no-new-privileges, no inter-container traffic on the
 * default bridge), and the systemd cgroup driver.
 */
export const DOCKER_DAEMON_CONFIG = {
  "log-driver": "json-file",
  "log-opts": LOG_ROTATION,
  "live-restore": true,
  "no-new-privileges": true,
  icc: false,
  // The containers' task limits are systemd slices (configs/container-slices.ts): only with the
  // systemd driver is a container's cgroup parent a slice unit, whose TasksMax applies; with
  // cgroupfs it would be a bare directory that systemd never limits. Docker already picks systemd
  // on a cgroup v2 host such as Amazon Linux 2023 (the default since 20.10, moby/moby#40846);
  // stated here so the limits do not rest on that default.
  "exec-opts": ["native.cgroupdriver=systemd"],
} as const;

/** Label on a secrets writer naming its service (`npm run render` files secrets under the service). */
export const SECRETS_FOR_LABEL = "observability-stack/secrets-for";
/** Label on a service container holding its secrets writer's id: new secrets replace the service. */
export const SECRETS_VERSION_LABEL = "observability-stack/secrets-version";
