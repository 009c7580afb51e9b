// The redundant pair (highAvailability): two EC2 hosts in two availability zones. Refused on the
// local target, which has one Docker host; on ec2 it changes how the subnet, the Grafana address
// and the ACME settings are read.
import { show } from "./checks";
import { Reader } from "./reader";
import { Target } from "./schema";
import { TlsSettings } from "./tls";

export interface PairSettings {
  /** The two subnets, in member order; undefined: two default subnets of the default VPC. */
  readonly subnetIds?: readonly [string, string];
}

const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;

export function readPair(r: Reader, target: Target, tls: TlsSettings | undefined): PairSettings | undefined {
  const on = r.value<boolean>("highAvailability");
  const subnetIds = r.value<readonly string[]>("subnetIds", (v) => {
    const bad = v.find((id) => !SUBNET_ID.test(id));
    if (bad !== undefined) return `${show(bad)} is not a subnet id; use subnet-0123456789abcdef0`;
    if (v.length > 0 && v.length !== 2) return `lists ${v.length} subnets; the pair needs exactly two, in two availability zones`;
    if (v.length === 2 && v[0] === v[1]) return `lists ${show(v[0])} twice; the pair needs two subnets in two availability zones`;
    return undefined;
  });
  if (!on) {
    if (r.isSet("subnetIds") && !r.hasProblem("subnetIds"))
      r.fail("subnetIds", "is only used with highAvailability: true; a single host takes subnetId");
    return undefined;
  }
  if (target !== "ec2") {
    r.fail(
      "highAvailability",
      `is only accepted with target ec2 (this stack's target is ${target}): the pair is two EC2 hosts in two availability zones, and a single Docker host cannot survive its own loss; set target ec2 or remove highAvailability`,
    );
    return undefined;
  }
  if (r.isSet("subnetId"))
    r.fail("subnetId", "is a single host's subnet; with highAvailability list the pair's two subnets (two zones) in subnetIds instead");
  if (subnetIds.length === 2 && !r.isSet("vpcId"))
    r.fail("subnetIds", "is set without vpcId; set both (the security group and the load balancer live in the VPC)");
  if (subnetIds.length === 0 && r.isSet("vpcId") && !r.hasProblem("subnetIds"))
    r.fail("subnetIds", "is empty while vpcId is set; list the pair's two subnets, in two availability zones of that VPC");
  if (tls) {
    // An ACME CA cannot validate the standby's proxy while the name points at the other host:
    // the pair's Grafana address is a load balancer with an ACM certificate (docs/scale.md).
    for (const key of ["acmeEmail", "acmeCa"] as const) {
      if (r.isSet(key) && !r.hasProblem(key))
        r.fail(key, "is not used with highAvailability: the pair's load balancer serves an ACM certificate (no ACME account); remove it");
    }
    if (tls.route53ZoneId === undefined && !r.hasProblem("route53ZoneId"))
      r.fail(
        "route53ZoneId",
        `is missing; with highAvailability and grafanaDomain the load balancer's ACM certificate is validated, and ${tls.domain} pointed at the load balancer, in this hosted zone`,
      );
  }
  return { subnetIds: subnetIds.length === 2 ? [subnetIds[0], subnetIds[1]] : undefined };
}
