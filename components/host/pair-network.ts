// Where the pair's two hosts go: two subnets in two availability zones of one VPC. Given
// (subnetIds, with vpcId) or, in the default VPC, two of its default subnets (one per zone by
// definition). Either way the zones are checked during preview, before anything is created.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { AwsSettings } from "../settings";
import { PairSettings } from "../settings/pair";

export interface PairNetwork {
  readonly vpcId: pulumi.Output<string>;
  /** The members' subnets, in member order. */
  readonly subnetIds: pulumi.Output<string[]>;
}

export function pairNetwork(settings: AwsSettings, pair: PairSettings, provider: aws.Provider): PairNetwork {
  const opts = { provider };
  const vpcId = settings.vpcId ? pulumi.output(settings.vpcId) : aws.ec2.getVpcOutput({ default: true }, opts).id;
  const candidates = pair.subnetIds
    ? pulumi.output([...pair.subnetIds])
    : aws.ec2
        .getSubnetsOutput(
          {
            filters: [
              { name: "vpc-id", values: [vpcId] },
              { name: "default-for-az", values: ["true"] },
            ],
          },
          opts,
        )
        .ids.apply((ids) => {
          if (ids.length < 2)
            throw new Error(
              `highAvailability: the default VPC has ${ids.length} default subnet(s); the pair needs two zones: set vpcId and subnetIds`,
            );
          return [...ids].sort().slice(0, 2);
        });
  const subnetIds = candidates.apply(async (ids) => {
    const zones = await Promise.all(ids.map((id) => aws.ec2.getSubnet({ id }, opts).then((s) => s.availabilityZone)));
    if (zones[0] === zones[1])
      throw new Error(`subnetIds: ${ids[0]} and ${ids[1]} are both in ${zones[0]}; the pair needs two subnets in two availability zones`);
    return ids;
  });
  return { vpcId, subnetIds };
}
