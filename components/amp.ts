// An Amazon Managed Service for Prometheus workspace: the long-term store of `remoteWrite: amp`.
// Prometheus writes to it and Grafana queries it with SigV4, both with the EC2 host's
// instance-role credentials (the host's role gets ampWorkspacePolicy on this workspace only).
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { stackTags } from "../configs/docker";
import { ampRemoteWriteUrl } from "../configs/remote-write";

export interface AmpWorkspaceArgs {
  /** Stack name: the workspace alias and the STACK_TAG tag. */
  readonly stack: string;
  /** The EC2 host's region; the component uses its own `${name}-aws` provider there. */
  readonly region: string;
}

export class AmpWorkspace extends pulumi.ComponentResource {
  readonly arn: pulumi.Output<string>;
  /** The workspace's Prometheus-compatible endpoint (…/workspaces/<id>/), Grafana's query URL. */
  readonly queryUrl: pulumi.Output<string>;
  /** Where Prometheus remote-writes: the endpoint plus api/v1/remote_write. */
  readonly remoteWriteUrl: pulumi.Output<string>;

  constructor(name: string, args: AmpWorkspaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:AmpWorkspace", name, {}, opts);
    const provider = new aws.Provider(`${name}-aws`, { region: args.region }, { parent: this });
    const workspace = new aws.amp.Workspace(
      `${name}-workspace`,
      { alias: `observability-${args.stack}`, tags: stackTags(args.stack, `${name}-workspace`) },
      { parent: this, provider },
    );
    this.arn = workspace.arn;
    this.queryUrl = workspace.prometheusEndpoint;
    this.remoteWriteUrl = workspace.prometheusEndpoint.apply(ampRemoteWriteUrl);
    this.registerOutputs({ arn: this.arn, queryUrl: this.queryUrl, remoteWriteUrl: this.remoteWriteUrl });
  }
}
