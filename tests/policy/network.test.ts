// Ingress policy and the CIDR arithmetic behind it.
import { parseCidr, unionSize } from "../../policy/cidr";
import { narrowIngress, privatePortsFenced } from "../../policy/network";
import { TYPES } from "../../policy/types";
import { violations } from "../helpers/policy-args";

const sg = (...ingress: Record<string, unknown>[]) => ({ ingress });
const rule = (fromPort: number, cidrBlocks: string[], extra: Record<string, unknown> = {}) => ({
  protocol: "tcp",
  fromPort,
  toPort: fromPort,
  cidrBlocks,
  ...extra,
});

test("CIDR union counts overlapping blocks once and clears host bits", () => {
  const blocks = ["10.0.0.0/8", "10.1.0.0/16", "11.0.0.0/8"].map((c) => parseCidr(c)!);
  expect(unionSize(blocks)).toBe(2n ** 25n);
  expect(parseCidr("192.168.1.77/24")?.start).toBe(parseCidr("192.168.1.0/24")?.start);
  expect(parseCidr("2001:db8::/32")).toMatchObject({ family: 6, prefix: 32 });
  expect(parseCidr("300.1.1.1/8")).toBeUndefined();
  expect(parseCidr("10.0.0.0")).toBeUndefined();
});

describe("ingress-narrower-than-slash-8", () => {
  test("narrow SSH and Grafana rules, and HTTPS/HTTP to the world, pass", () => {
    const props = sg(
      rule(22, ["198.51.100.7/32"]),
      rule(3000, ["10.0.0.0/8"]),
      rule(443, ["0.0.0.0/0"], { ipv6CidrBlocks: ["::/0"] }),
      rule(80, ["0.0.0.0/0"]),
    );
    expect(violations(narrowIngress, TYPES.securityGroup, props)).toEqual([]);
  });
  test("SSH to the world is reported, also when split into halves", () => {
    expect(violations(narrowIngress, TYPES.securityGroup, sg(rule(22, ["0.0.0.0/0"])))).toEqual([
      expect.stringContaining("opens ports 22-22 to 0.0.0.0/0, more than a /8"),
    ]);
    expect(violations(narrowIngress, TYPES.securityGroup, sg(rule(22, ["0.0.0.0/1", "128.0.0.0/1"])))).toHaveLength(1);
    expect(violations(narrowIngress, TYPES.securityGroup, sg(rule(22, ["10.0.0.0/8", "11.0.0.0/8"])))).toHaveLength(1);
  });
  test("a wide IPv6 block and a port range that merely contains 443 are reported", () => {
    expect(violations(narrowIngress, TYPES.securityGroup, sg(rule(3000, [], { ipv6CidrBlocks: ["2000::/3"] })))).toEqual([
      expect.stringContaining("more than a /32"),
    ]);
    expect(
      violations(narrowIngress, TYPES.securityGroup, sg({ protocol: "tcp", fromPort: 1, toPort: 65535, cidrBlocks: ["0.0.0.0/0"] })),
    ).toHaveLength(1);
    expect(
      violations(narrowIngress, TYPES.securityGroup, sg({ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] })),
    ).toHaveLength(1);
  });
  test("standalone rule resources are checked the same way", () => {
    expect(violations(narrowIngress, TYPES.securityGroupRule, { type: "ingress", ...rule(22, ["0.0.0.0/0"]) })).toHaveLength(1);
    expect(violations(narrowIngress, TYPES.securityGroupRule, { type: "egress", ...rule(22, ["0.0.0.0/0"]) })).toEqual([]);
    expect(
      violations(narrowIngress, TYPES.vpcIngressRule, { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }),
    ).toHaveLength(1);
    expect(
      violations(narrowIngress, TYPES.vpcIngressRule, { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" }),
    ).toEqual([]);
  });
  test("a block that is not a CIDR is reported rather than ignored", () => {
    expect(violations(narrowIngress, TYPES.securityGroup, sg(rule(22, ["my-office"])))).toEqual([
      expect.stringContaining('"my-office", which is not a CIDR block'),
    ]);
  });
});

describe("private-ports-only-from-own-group", () => {
  const container = (ip: string, port: number) => ({
    type: TYPES.container,
    name: "alerting-alertmanager",
    urn: "urn:container",
    props: { name: "alertmanager", ports: [{ internal: port, external: port, ip }] },
  });
  const group = (...ingress: Record<string, unknown>[]) => ({
    type: TYPES.securityGroup,
    name: "host-sg",
    urn: "urn:sg",
    props: { ingress },
  });
  const check = (...resources: { type: string; name: string; urn: string; props: Record<string, unknown> }[]): string[] => {
    const found: string[] = [];
    privatePortsFenced.validateStack({ resources }, (m) => found.push(m));
    return found;
  };

  test("a private port admitted only from the pair's own group (or the load balancer's) passes", () => {
    expect(check(container("10.0.0.10", 9094), group({ protocol: "tcp", fromPort: 9094, toPort: 9094, self: true }))).toEqual([]);
    expect(
      check(container("10.0.0.10", 3000), group({ protocol: "tcp", fromPort: 3000, toPort: 3000, securityGroups: ["sg-lb"] })),
    ).toEqual([]);
  });

  test("a private port also opened to CIDR blocks is reported", () => {
    const found = check(
      container("10.0.0.10", 9093),
      group({ protocol: "tcp", fromPort: 9093, toPort: 9093, self: true }, rule(9000, ["10.0.0.0/16"], { toPort: 9999 })),
    );
    expect(found).toEqual([expect.stringMatching(/10\.0\.0\.10:9093.*host-sg opens to CIDR blocks/)]);
  });

  test("rules as resources of their own count the same as inline ones", () => {
    const ruleResource = (props: Record<string, unknown>) => ({
      type: TYPES.securityGroupRule,
      name: "pair-rule",
      urn: "urn:rule",
      props: { type: "ingress", protocol: "tcp", fromPort: 9093, toPort: 9093, ...props },
    });
    expect(check(container("10.0.0.10", 9093), ruleResource({ sourceSecurityGroupId: "sg-pair" }))).toEqual([]);
    expect(check(container("10.0.0.10", 9093), ruleResource({ self: true }), ruleResource({ cidrBlocks: ["10.0.0.0/16"] }))).toEqual([
      expect.stringMatching(/10\.0\.0\.10:9093.*pair-rule opens to CIDR blocks/),
    ]);
  });

  test("a private port no group admits (a local host, or a forgotten rule) is reported; loopback ports are not this policy's", () => {
    expect(check(container("192.168.1.20", 9093))).toEqual([expect.stringMatching(/192\.168\.1\.20:9093.*no security group admits/)]);
    expect(check(container("10.0.0.10", 9100), group({ protocol: "tcp", fromPort: 9094, toPort: 9094, self: true }))).toHaveLength(1);
    expect(check(container("127.0.0.1", 9093))).toEqual([]);
  });
});
