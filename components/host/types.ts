// What every host gives the rest of the program: a Docker provider and the resources that
// must exist before a container can be created on it.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";

export interface DockerHost {
  readonly provider: docker.Provider;
  /** Resources containers must wait for (cloud-init finishing on EC2; none locally). */
  readonly ready: pulumi.Resource[];
  /** Address users reach published ports on (Grafana). */
  readonly publicAddress: pulumi.Output<string>;
}
