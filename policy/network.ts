// Security-group ingress: nothing is opened to more than a /8 of IPv4 (a /32 of IPv6), counting the
// union of a rule's blocks, except HTTP/HTTPS, which the TLS proxy serves to everyone.
import { ParsedCidr, blockSize, parseCidr, unionSize } from "./cidr";
import { ReportViolation, ResourcePolicy, StackValidationPolicy, TYPES } from "./types";
import type { StackArgs } from "./buckets";
import { isPrivateIPv4 } from "./containers";

/** Widest IPv4 and IPv6 blocks one rule may open (prefix lengths). */
export const WIDEST_PREFIX = { 4: 8, 6: 32 } as const;
/** Ports the TLS proxy serves to the world: the ACME challenge and redirect, and HTTPS. */
export const WORLD_PORTS = [80, 443];

interface IngressRule {
  readonly what: string;
  readonly protocol: string;
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidrs: string[];
  /** Prefix lists the rule admits (address sets by reference). */
  readonly prefixLists: string[];
  /** Whether the rule admits a security group (itself, or another) rather than addresses. */
  readonly fromGroup: boolean;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : typeof v === "string" ? [v] : [];
}

/** The ingress rules a resource opens, in one shape whatever the resource type. */
export function ingressRules(type: string, props: Record<string, unknown>): IngressRule[] {
  if (type === TYPES.securityGroup) {
    const rules = Array.isArray(props.ingress) ? (props.ingress as Record<string, unknown>[]) : [];
    return rules.map((r, i) => ({
      what: `ingress[${i}]${r.description ? ` (${String(r.description)})` : ""}`,
      protocol: String(r.protocol ?? ""),
      fromPort: Number(r.fromPort),
      toPort: Number(r.toPort),
      cidrs: [...strings(r.cidrBlocks), ...strings(r.ipv6CidrBlocks)],
      prefixLists: strings(r.prefixListIds),
      fromGroup: r.self === true || strings(r.securityGroups).length > 0,
    }));
  }
  if (type === TYPES.securityGroupRule && props.type === "ingress") {
    return [
      {
        what: "rule",
        protocol: String(props.protocol ?? ""),
        fromPort: Number(props.fromPort),
        toPort: Number(props.toPort),
        cidrs: [...strings(props.cidrBlocks), ...strings(props.ipv6CidrBlocks)],
        prefixLists: strings(props.prefixListIds),
        fromGroup: props.self === true || strings(props.sourceSecurityGroupId).length > 0,
      },
    ];
  }
  if (type === TYPES.vpcIngressRule) {
    return [
      {
        what: "rule",
        protocol: String(props.ipProtocol ?? ""),
        fromPort: Number(props.fromPort),
        toPort: Number(props.toPort),
        cidrs: [...strings(props.cidrIpv4), ...strings(props.cidrIpv6)],
        prefixLists: strings(props.prefixListId),
        fromGroup: strings(props.referencedSecurityGroupId).length > 0,
      },
    ];
  }
  return [];
}

function isWorldPortRule(r: IngressRule): boolean {
  const tcp = r.protocol === "tcp" || r.protocol === "6";
  return tcp && r.fromPort === r.toPort && WORLD_PORTS.includes(r.fromPort);
}

export const narrowIngress: ResourcePolicy = {
  name: "ingress-narrower-than-slash-8",
  description:
    "No security-group ingress rule opens more than a /8 of IPv4 or a /32 of IPv6 (union of its blocks), except tcp 80 and 443 for the TLS proxy.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    for (const rule of ingressRules(args.type, args.props)) {
      if (isWorldPortRule(rule)) continue;
      const parsed: ParsedCidr[] = [];
      for (const c of rule.cidrs) {
        const p = parseCidr(c);
        if (p) parsed.push(p);
        else report(`${args.name}: ${rule.what} has ${JSON.stringify(c)}, which is not a CIDR block.`);
      }
      for (const family of [4, 6] as const) {
        const blocks = parsed.filter((p) => p.family === family);
        const limit = blockSize(family, WIDEST_PREFIX[family]);
        if (unionSize(blocks) > limit) {
          const list = rule.cidrs.filter((c) => parseCidr(c)?.family === family).join(", ");
          report(
            `${args.name}: ${rule.what} opens ports ${rule.fromPort}-${rule.toPort} to ${list}, more than a /${WIDEST_PREFIX[family]}; only tcp 80/443 may be that wide.`,
          );
        }
      }
    }
  },
};

export interface PrivatePortsPolicy extends StackValidationPolicy {
  readonly validateStack: (args: StackArgs, report: ReportViolation) => void;
}

/**
 * A port a container publishes on a private address (the redundant pair's: the other host scrapes
 * it) must be admitted by a security group only from a security group (`self` or another group),
 * never from CIDR blocks; without such a rule (a local host has no security group) it is reported.
 */
export const privatePortsFenced: PrivatePortsPolicy = {
  name: "private-ports-only-from-own-group",
  description:
    "A container port published on a private (RFC 1918) address is admitted by a security group only from a security group (the pair's own, or its load balancer's), and by no CIDR rule.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    // Every ingress rule of the stack, inline in a group or a rule resource of its own.
    const rules = args.resources.flatMap((r) => ingressRules(r.type, r.props).map((rule) => ({ group: r.name, rule })));
    const covers = (rule: IngressRule, port: number): boolean =>
      ["tcp", "6", "-1"].includes(rule.protocol) && rule.fromPort <= port && port <= rule.toPort;
    for (const c of args.resources.filter((r) => r.type === TYPES.container)) {
      const ports = Array.isArray(c.props.ports) ? (c.props.ports as Record<string, unknown>[]) : [];
      for (const p of ports) {
        if (typeof p.ip !== "string" || !isPrivateIPv4(p.ip)) continue;
        const port = Number(p.external ?? p.internal);
        const admitting = rules.filter((r) => covers(r.rule, port));
        const byCidr = admitting.filter((r) => r.rule.cidrs.length > 0 || r.rule.prefixLists.length > 0);
        const byGroup = admitting.filter((r) => r.rule.fromGroup);
        for (const r of byCidr)
          report(
            `container ${c.name} publishes ${p.ip}:${port}, which security group ${r.group} opens to CIDR blocks; admit it only from a security group.`,
            c.urn,
          );
        if (byGroup.length === 0)
          report(
            `container ${c.name} publishes ${p.ip}:${port}, which no security group admits from a security group (self or another group); publish it on 127.0.0.1.`,
            c.urn,
          );
      }
    }
  },
};
