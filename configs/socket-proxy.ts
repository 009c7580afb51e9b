// The Docker API as the log agent and cAdvisor may see it: a socket proxy
// (wollomatic/socket-proxy) that forwards only the read-only calls they make and refuses
// everything else.
// A read-only bind mount of /var/run/docker.sock limits nothing (the API is a socket, not a
// file): whoever can connect can create a privileged container. So no stack container mounts
// the socket except this proxy, and the proxy answers only Alloy and cAdvisor, on an internal
// network of its own.
//
// The calls Alloy v1.18.1 makes (read from its source and the Prometheus discovery it embeds):
//   discovery.docker (prometheus/prometheus v3.12 discovery/moby/docker.go refresh):
//     GET /containers/json               ContainerList, every refresh_interval
//     GET /networks                      NetworkList, for the __meta_docker_network_* labels
//   loki.source.docker (grafana/alloy internal/component/loki/source/docker/tailer.go):
//     GET /containers/{id}/json          ContainerInspect (TTY or not, restart detection)
//     GET /containers/{id}/logs          ContainerLogs (follow, since, timestamps)
//   both, through github.com/moby/moby/client v0.5 (API-version negotiation on by default):
//     HEAD /_ping, GET /_ping            Ping, before the first call
// The calls cAdvisor v0.60 makes (google/cadvisor container/docker/{docker,factory,handler}.go):
//     GET /info, GET /version, HEAD|GET /_ping   storage driver and root dir, API version
//     GET /containers/{id}/json                  names, labels, state of each container
//   (ImageList serves only cAdvisor's own web UI image page, which stays closed.)
// Every path may carry a /v1.NN version prefix. Events are NOT used (discovery polls), so
// /events stays closed, as do /containers/{id}/archive and /export (they would hand out any
// container's files, secrets included), exec, create and every other write.
// Pure: no Pulumi here.

export const SOCKET_PROXY_DEFAULT_IMAGE = "wollomatic/socket-proxy:1.13.1";
export const SOCKET_PROXY_PORT = 2375;
export const SOCKET_PROXY_CONTAINER = "socket-proxy";
export const DOCKER_SOCKET = "/var/run/docker.sock";
/** What Alloy's `host` attributes point at (tcp: the moby client speaks plain HTTP to it). */
export const SOCKET_PROXY_DOCKER_HOST = `tcp://${SOCKET_PROXY_CONTAINER}:${SOCKET_PROXY_PORT}`;

const VERSION = String.raw`(/v1\.[0-9]{1,2})?`;
/** A container id or name as Docker accepts it: no slash, so a pattern cannot reach a sub-path. */
const CONTAINER = String.raw`[a-zA-Z0-9][a-zA-Z0-9_.-]*`;

/**
 * Allowed requests per method. The proxy compiles each as "^" + pattern + "$", so a pattern must
 * not hold a top-level `|` (only its first branch would be anchored at the start): every
 * alternation here sits inside a group.
 */
export const ALLOY_DOCKER_API: Readonly<Record<"GET" | "HEAD", readonly string[]>> = {
  HEAD: [`${VERSION}/_ping`],
  GET: [
    `${VERSION}/_ping`,
    `${VERSION}/containers/json`,
    `${VERSION}/networks`,
    `${VERSION}/containers/${CONTAINER}/(json|logs)`,
    // cAdvisor only; read-only facts about the daemon (no secrets, no container files).
    `${VERSION}/(info|version)`,
  ],
};

/** The clients the proxy answers (container names). */
export const DOCKER_API_CLIENTS = ["alloy", "cadvisor"] as const;

export interface SocketProxyInput {
  /** Host names (container names) allowed to connect; the proxy resolves them on its networks. */
  readonly allowFrom: readonly string[];
  /** Seconds between checks that the Docker socket still answers; the proxy exits when not. Default 300. */
  readonly watchdogSeconds?: number;
}

/** The proxy's command line: listen on the container's interfaces, allow only ALLOY_DOCKER_API. */
export function socketProxyCommand(input: SocketProxyInput): string[] {
  if (input.allowFrom.length === 0) throw new Error("socket proxy: allowFrom needs at least one client");
  for (const host of input.allowFrom) {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(host)) throw new Error(`socket proxy: client ${JSON.stringify(host)} is not a container name`);
  }
  const watchdog = input.watchdogSeconds ?? 300;
  if (!Number.isInteger(watchdog) || watchdog < 1)
    throw new Error(`socket proxy: watchdogSeconds ${watchdog} is not a positive whole number`);
  return [
    "-loglevel=WARN",
    "-logjson",
    // The container's own address on its (internal) network; allowfrom decides who may talk.
    "-listenip=0.0.0.0",
    `-proxyport=${SOCKET_PROXY_PORT}`,
    `-allowfrom=${input.allowFrom.join(",")}`,
    ...ALLOY_DOCKER_API.HEAD.map((p) => `-allowHEAD=${p}`),
    ...ALLOY_DOCKER_API.GET.map((p) => `-allowGET=${p}`),
    // /healthcheck in the image asks 127.0.0.1:55555/health; nothing else listens there.
    "-allowhealthcheck",
    // After a Docker engine restart the socket can go stale: exit and let Docker restart us.
    `-watchdoginterval=${watchdog}`,
    "-stoponwatchdog",
    "-shutdowngracetime=5",
  ];
}

/** Healthcheck (CMD form): the image's own binary (it is FROM scratch: no shell, no wget). */
export const SOCKET_PROXY_HEALTHCHECK: readonly string[] = ["/healthcheck"];
