// highAvailability and its subnets: refused where a pair cannot be, each with one message naming
// its key and what is accepted; accepted in its documented forms.
import { settingsProblems, settingsSource } from "../helpers/settings-source";
import { loadSettings } from "../../components/settings";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIBCt215KpDas5Dt4ZLwGVIXApwaumyXtt6mDi+n4DHZ me@example.com";
const EC2 = { target: "ec2", sshPublicKey: KEY, sshAllowedCidrs: ["198.51.100.7/32"] };
const PAIR = { ...EC2, highAvailability: true };
const VPC = { vpcId: "vpc-0123456789abcdef0" };
const SUBNETS = ["subnet-0a0000000000000a1", "subnet-0b0000000000000b2"];
const DOMAIN = { grafanaDomain: "grafana.example.com", grafanaAllowedCidrs: ["203.0.113.0/24"] };
const ZONE = { route53ZoneId: "Z0123456789ABCDEFGHIJ" };

type Row = [what: string, values: Record<string, unknown>, key: string, fragment: RegExp];
const REFUSED: Row[] = [
  [
    "the pair on the local target",
    { highAvailability: true },
    "highAvailability",
    /only accepted with target ec2.*set target ec2 or remove/,
  ],
  ["a single host's subnet on the pair", { ...PAIR, ...VPC, subnetId: SUBNETS[0], subnetIds: SUBNETS }, "subnetId", /subnetIds/],
  ["subnets without the pair", { ...EC2, ...VPC, subnetIds: SUBNETS }, "subnetIds", /only used with highAvailability: true/],
  ["one subnet", { ...PAIR, ...VPC, subnetIds: [SUBNETS[0]] }, "subnetIds", /lists 1 subnets; the pair needs exactly two/],
  ["three subnets", { ...PAIR, ...VPC, subnetIds: [...SUBNETS, "subnet-0c0000000000000c3"] }, "subnetIds", /lists 3 subnets/],
  [
    "the same subnet twice",
    { ...PAIR, ...VPC, subnetIds: [SUBNETS[0], SUBNETS[0]] },
    "subnetIds",
    /twice; the pair needs two subnets in two availability zones/,
  ],
  [
    "a subnet that is no subnet id",
    { ...PAIR, ...VPC, subnetIds: [SUBNETS[0], "sub-1"] },
    "subnetIds",
    /"sub-1" is not a subnet id; use subnet-/,
  ],
  ["subnets without their VPC", { ...PAIR, subnetIds: SUBNETS }, "subnetIds", /without vpcId; set both/],
  ["a VPC without the pair's subnets", { ...PAIR, ...VPC }, "subnetIds", /is empty while vpcId is set; list the pair's two subnets/],
  [
    "a domain without the zone",
    { ...PAIR, ...DOMAIN },
    "route53ZoneId",
    /missing; with highAvailability and grafanaDomain the load balancer's ACM certificate/,
  ],
  [
    "an ACME account on the pair",
    { ...PAIR, ...DOMAIN, ...ZONE, acmeEmail: "ops@example.com" },
    "acmeEmail",
    /ACM certificate \(no ACME account\)/,
  ],
  ["an ACME CA on the pair", { ...PAIR, ...DOMAIN, ...ZONE, acmeCa: "https://acme.example.com/directory" }, "acmeCa", /ACM certificate/],
];

test.each(REFUSED.map(([what, values, key, fragment]) => ({ what, values, key, fragment })))(
  "refuses $what, naming $key",
  ({ values, key, fragment }) => {
    const found = settingsProblems(values);
    const mine = found.filter((p) => p.startsWith(`observability-stack:${key}: `));
    expect({ found, mine: mine.length }).toEqual({ found, mine: 1 });
    expect(mine[0]).toMatch(fragment);
  },
);

test("accepts the pair in the default VPC, with its own subnets, and behind a domain with the zone", () => {
  expect(settingsProblems(PAIR)).toEqual([]);
  expect(settingsProblems({ ...PAIR, ...VPC, subnetIds: SUBNETS })).toEqual([]);
  expect(settingsProblems({ ...PAIR, ...DOMAIN, ...ZONE })).toEqual([]);
  const s = loadSettings(settingsSource({ ...PAIR, ...VPC, subnetIds: SUBNETS }), "test", { SSH_AUTH_SOCK: "/tmp/agent.sock" });
  expect(s.pair).toEqual({ subnetIds: SUBNETS });
  expect(loadSettings(settingsSource(EC2), "test", { SSH_AUTH_SOCK: "/tmp/agent.sock" }).pair).toBeUndefined();
});
