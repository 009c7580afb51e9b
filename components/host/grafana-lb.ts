// The pair's Grafana address (highAvailability with grafanaDomain): an Application Load Balancer in
// both members' zones with an ACM certificate, forwarding to whichever Grafana answers its health
// check. Chosen over Route 53 failover records (docs/scale.md, "Redundant pair"): the ALB's health
// checks come from inside the VPC, so the 443 allow-list stays as narrow as on one host (Route 53's
// checkers come from the public ROUTE53_HEALTHCHECKS ranges); one certificate, validated in DNS,
// serves both hosts (a standby Caddy cannot pass HTTP-01 while the name points at the other host);
// failover takes health-check intervals, not DNS TTLs.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { stackTags } from "../../configs/docker";

export interface GrafanaLoadBalancerArgs {
  readonly stack: string;
  readonly domain: string;
  /** The hosted zone that validates the certificate and holds the alias record. */
  readonly route53ZoneId: string;
  readonly vpcId: pulumi.Input<string>;
  /** Both members' subnets (two zones: an ALB needs at least two). */
  readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Who may open https://<domain> (grafanaAllowedCidrs). */
  readonly allowedCidrs: readonly string[];
  /** The port Grafana is published on at each host's private address. */
  readonly grafanaPort: number;
  readonly provider: aws.Provider;
}

/** Grafana's unauthenticated health endpoint: 200 once its database is usable. */
export const GRAFANA_HEALTH_PATH = "/api/health";
/** TLS 1.3 with 1.2 fallback (ELB's recommended policy for new listeners). */
export const LISTENER_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
/** Sessions live in each host's own database: a user stays on one Grafana for a day. */
export const STICKY_SECONDS = 86400;

export class GrafanaLoadBalancer extends pulumi.ComponentResource {
  readonly securityGroupId: pulumi.Output<string>;
  readonly targetGroupArn: pulumi.Output<string>;
  /** https://<domain>: the address that fails over. */
  readonly url: string;
  private readonly name: string;

  constructor(name: string, args: GrafanaLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:GrafanaLoadBalancer", name, {}, opts);
    this.name = name;
    const child = { parent: this, provider: args.provider };
    const tags = (n: string): Record<string, string> => stackTags(args.stack, n);

    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        description: "Observability stack pair: Grafana's load balancer",
        vpcId: args.vpcId,
        ingress: [{ description: "HTTPS to Grafana", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [...args.allowedCidrs] }],
        // Only to the hosts' Grafana port inside the VPC (health checks and requests).
        egress: [
          {
            description: "Grafana on the pair's hosts",
            protocol: "tcp",
            fromPort: args.grafanaPort,
            toPort: args.grafanaPort,
            cidrBlocks: [aws.ec2.getVpcOutput({ id: args.vpcId }, child).cidrBlock],
          },
        ],
        tags: tags(`${name}-sg`),
      },
      child,
    );

    const certificate = new aws.acm.Certificate(
      `${name}-cert`,
      { domainName: args.domain, validationMethod: "DNS", tags: tags(`${name}-cert`) },
      child,
    );
    const validationRecord = new aws.route53.Record(
      `${name}-cert-validation`,
      {
        zoneId: args.route53ZoneId,
        name: certificate.domainValidationOptions[0].resourceRecordName,
        type: certificate.domainValidationOptions[0].resourceRecordType,
        records: [certificate.domainValidationOptions[0].resourceRecordValue],
        ttl: 300,
        allowOverwrite: true,
      },
      child,
    );
    const validation = new aws.acm.CertificateValidation(
      `${name}-cert-ready`,
      { certificateArn: certificate.arn, validationRecordFqdns: [validationRecord.fqdn] },
      child,
    );

    const lb = new aws.lb.LoadBalancer(
      `${name}-alb`,
      {
        loadBalancerType: "application",
        internal: false,
        securityGroups: [securityGroup.id],
        subnets: args.subnetIds,
        dropInvalidHeaderFields: true,
        tags: tags(`${name}-alb`),
      },
      child,
    );
    const targetGroup = new aws.lb.TargetGroup(
      `${name}-grafana`,
      {
        vpcId: args.vpcId,
        targetType: "instance",
        protocol: "HTTP",
        port: args.grafanaPort,
        healthCheck: { path: GRAFANA_HEALTH_PATH, matcher: "200", interval: 10, healthyThreshold: 2, unhealthyThreshold: 2 },
        stickiness: { type: "lb_cookie", enabled: true, cookieDuration: STICKY_SECONDS },
        tags: tags(`${name}-grafana`),
      },
      child,
    );
    new aws.lb.Listener(
      `${name}-https`,
      {
        loadBalancerArn: lb.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: LISTENER_TLS_POLICY,
        certificateArn: validation.certificateArn,
        defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
      },
      child,
    );
    new aws.route53.Record(
      `${name}-dns`,
      {
        zoneId: args.route53ZoneId,
        name: args.domain,
        type: "A",
        aliases: [{ name: lb.dnsName, zoneId: lb.zoneId, evaluateTargetHealth: true }],
      },
      child,
    );

    this.securityGroupId = securityGroup.id;
    this.targetGroupArn = targetGroup.arn;
    this.url = `https://${args.domain}`;
    this.registerOutputs({ url: this.url });
  }

  /** Puts a member's host behind the load balancer. */
  attach(member: string, instanceId: pulumi.Input<string>, provider: aws.Provider): aws.lb.TargetGroupAttachment {
    return new aws.lb.TargetGroupAttachment(
      `${this.name}-${member}`,
      { targetGroupArn: this.targetGroupArn, targetId: instanceId },
      { parent: this, provider },
    );
  }
}
