// Docker conventions shared by the containers and the EC2 host's daemon configuration.

/** Log rotation for every container: the json-file driver grows without bound otherwise. */
export const LOG_ROTATION = { "max-size": "10m", "max-file": "3" } as const;

/**
 * Label (Docker) and tag (AWS) key carrying the stack name on everything this program creates,
 * so `docker volume ls --filter label=...` and the AWS console find a stack's resources.
 */
export const STACK_TAG = "observability-stack/stack";

/**
 * /etc/docker/daemon.json on the EC2 host: rotation for containers that set no log options, and
 * the daemon hardening explained in configs/host-hardening.ts (live-restore, no-new-privileges,
 * no inter-container traffic on the default bridge).
 */
export const DOCKER_DAEMON_CONFIG = {
  "log-driver": "json-file",
  "log-opts": LOG_ROTATION,
  "live-restore": true,
  "no-new-privileges": true,
  icc: false,
} as const;

/** Label on a secrets writer naming its service (`npm run render` files secrets under the service). */
export const SECRETS_FOR_LABEL = "observability-stack/secrets-for";
/** Label on a service container holding its secrets writer's id: new secrets replace the service. */
export const SECRETS_VERSION_LABEL = "observability-stack/secrets-version";
