// The dev target: the Docker engine on this machine (or whatever DOCKER_HOST points at, resolved
// by settings.ts). Nothing to create and nothing to wait for.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { DockerHost } from "./types";

export interface LocalHostArgs {
  /** Docker endpoint, e.g. `unix:///var/run/docker.sock`, `tcp://host:2376` or `ssh://user@host`. */
  readonly dockerHost: pulumi.Input<string>;
}

export class LocalHost extends pulumi.ComponentResource implements DockerHost {
  public readonly provider: docker.Provider;
  /** Nothing to wait for: the engine is already running. */
  public readonly ready: pulumi.Resource[] = [];
  /** Published ports are reached on the machine running `pulumi up`. */
  public readonly publicAddress: pulumi.Output<string>;

  constructor(name: string, args: LocalHostArgs, opts?: pulumi.ComponentResourceOptions) {
    // Registered as "observability:host:LocalHost" until the tokens were unified: the alias keeps existing stacks
    // (and every child, whose URN includes this type) from being replaced.
    super(
      "observability:index:LocalHost",
      name,
      {},
      { ...opts, aliases: [...(opts?.aliases ?? []), { type: "observability:host:LocalHost" }] },
    );

    this.provider = new docker.Provider(`${name}-docker`, { host: args.dockerHost }, { parent: this });
    this.publicAddress = pulumi.output("localhost");

    this.registerOutputs({ publicAddress: this.publicAddress });
  }
}
