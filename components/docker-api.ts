// The Docker API for the two containers that read it (Alloy: container logs; cAdvisor: container
// names and labels), through a socket proxy that forwards only their read-only calls
// (configs/socket-proxy.ts). The proxy is the only container that mounts the Docker socket, and
// it sits on an internal network of its own that only those two clients join.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Placement, ServiceContainer } from "./container";
import { CATALOG } from "../catalog/containers";
import {
  DOCKER_API_CLIENTS,
  DOCKER_SOCKET,
  SOCKET_PROXY_DOCKER_HOST,
  SOCKET_PROXY_HEALTHCHECK,
  socketProxyCommand,
} from "../configs/socket-proxy";
import { STACK_TAG } from "../configs/docker";

export interface DockerApiProxyArgs {
  /** Image and limits; its network is replaced by the proxy's own internal network. */
  readonly placement: Placement;
  readonly stack: string;
  /** The Docker socket on the host. Default /var/run/docker.sock. */
  readonly socket?: string;
}

/** Name of the internal network between the proxy and its clients. */
export const DOCKER_API_NETWORK = "observability-docker-api";

export class DockerApiProxy extends pulumi.ComponentResource {
  /** Join this network to reach the proxy. */
  readonly networkName: pulumi.Output<string>;
  readonly network: docker.Network;
  /** What a client's Docker host setting points at: tcp://socket-proxy:2375. */
  readonly dockerHost = SOCKET_PROXY_DOCKER_HOST;
  readonly container: ServiceContainer;

  constructor(name: string, args: DockerApiProxyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:DockerApiProxy", name, {}, opts);

    // internal: no route out of the host; the proxy needs none and its clients have the stack
    // network for everything else.
    this.network = new docker.Network(
      `${name}-network`,
      { name: DOCKER_API_NETWORK, driver: "bridge", internal: true, labels: [{ label: STACK_TAG, value: args.stack }] },
      { parent: this },
    );
    this.networkName = this.network.name;

    this.container = new ServiceContainer(
      `${name}-proxy`,
      {
        ...args.placement,
        network: this.network.name,
        extraNetworks: undefined,
        service: CATALOG.socketProxy.container,
        command: socketProxyCommand({ allowFrom: [...DOCKER_API_CLIENTS] }),
        // Read-only bind: harmless for a socket (connect still works), and the proxy has no
        // reason to replace or remove it.
        hostMounts: [{ type: "bind", source: args.socket ?? DOCKER_SOCKET, target: DOCKER_SOCKET, readOnly: true }],
        healthcheck: [...SOCKET_PROXY_HEALTHCHECK],
      },
      { parent: this },
    );

    this.registerOutputs({ networkName: this.networkName, containerName: this.container.containerName });
  }
}
