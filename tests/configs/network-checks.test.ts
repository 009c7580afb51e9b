// configs/network-checks.ts: CIDRs must be canonical, an allow-list may not cover more than a /8 in
// union, published ports are distinct and stay off the ports the host keeps for itself.
import {
  MAX_EXPOSED_ADDRESSES,
  cidrListProblems,
  dockerNetworkNameProblem,
  parseCidr,
  publishedPortProblems,
  reservedPorts,
  unionAddressCount,
  Cidr,
} from "../../configs/network-checks";

function cidr(text: string): Cidr {
  const r = parseCidr(text);
  if ("problem" in r) throw new Error(`${text}: ${r.problem}`);
  return r;
}

describe("parseCidr", () => {
  test.each([
    ["203.0.113.0/24", 0xcb007100, 24],
    ["198.51.100.7/32", 0xc6336407, 32],
    ["10.0.0.0/8", 0x0a000000, 8],
    ["0.0.0.0/0", 0, 0],
    ["255.255.255.255/32", 0xffffffff, 32],
  ])("accepts %s", (text, network, prefix) => {
    expect(parseCidr(text)).toEqual({ network, prefix, text });
  });

  test.each([
    ["10.0.0.1/8", /host bits are set\); its network is 10\.0\.0\.0\/8/],
    ["203.0.113.7/24", /its network is 203\.0\.113\.0\/24/],
    ["192.168.1.1/31", /192\.168\.1\.0\/31/],
    ["010.0.0.0/8", /without leading zeros/],
    ["10.00.0.0/16", /without leading zeros/],
    ["10.0.0.0/08", /prefix \/08/],
    ["256.0.0.0/8", /0-255/],
    ["10.0.0/8", /four decimal octets/],
    ["10.0.0.0.0/8", /four decimal octets/],
    ["0x0a.0.0.0/8", /four decimal octets/],
    ["10.0.0.0/33", /prefix \/33 is not 0-32/],
    ["10.0.0.0/-1", /prefix/],
    ["10.0.0.0", /missing its \/prefix.*\/32/],
    ["10.0.0.0/8/8", /missing its \/prefix/],
    [" 10.0.0.0/8", /four decimal octets/],
    ["10.0.0.0/8 ", /prefix/],
    ["::/0", /IPv6/],
    ["2001:db8::/32", /IPv6/],
    ["", /missing its \/prefix/],
  ])("refuses %j", (text, why) => {
    const r = parseCidr(text);
    expect("problem" in r && r.problem).toMatch(why);
  });
});

describe("unionAddressCount", () => {
  test("counts overlaps once and adjacent blocks together", () => {
    expect(unionAddressCount([cidr("10.0.0.0/8"), cidr("10.1.0.0/16")])).toBe(2 ** 24);
    expect(unionAddressCount([cidr("10.0.0.0/9"), cidr("10.128.0.0/9")])).toBe(2 ** 24);
    expect(unionAddressCount([cidr("0.0.0.0/1"), cidr("128.0.0.0/1")])).toBe(2 ** 32);
    expect(unionAddressCount([cidr("198.51.100.7/32"), cidr("198.51.100.7/32")])).toBe(1);
    expect(unionAddressCount([cidr("0.0.0.0/0")])).toBe(2 ** 32);
    expect(unionAddressCount([])).toBe(0);
  });
});

describe("cidrListProblems", () => {
  test("accepts a few canonical blocks up to a /16 in total, and up to a /8 when wide ingress is acknowledged", () => {
    expect(cidrListProblems("sshAllowedCidrs", ["203.0.113.0/24", "198.51.100.7/32"])).toEqual([]);
    expect(cidrListProblems("sshAllowedCidrs", ["10.20.0.0/16"])).toEqual([]);
    expect(cidrListProblems("sshAllowedCidrs", ["10.20.0.0/17", "10.20.128.0/17"])).toEqual([]);
    expect(cidrListProblems("sshAllowedCidrs", ["10.0.0.0/8"], true)).toEqual([]);
    expect(cidrListProblems("sshAllowedCidrs", ["10.0.0.0/9", "10.128.0.0/9"], true)).toEqual([]);
    expect(cidrListProblems("sshAllowedCidrs", [])).toEqual([]);
  });

  test.each([[["10.0.0.0/8"]], [["10.20.0.0/16", "10.21.0.0/24"]], [["10.20.0.0/15"]]])(
    "refuses %j without the acknowledgement: more than a /16 in union",
    (values) => {
      const problems = cidrListProblems("sshAllowedCidrs", values);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^sshAllowedCidrs: .* more than a \/16 \(65,536\).*allowWideIngress: true/);
    },
  );

  test.each([
    [["0.0.0.0/0"]],
    [["0.0.0.0/1", "128.0.0.0/1"]],
    [["10.0.0.0/7"]],
    [["10.0.0.0/8", "11.0.0.0/24"]],
    [["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"]],
    [Array.from({ length: 9 }, (_, i) => `${i + 1}.0.0.0/9`).concat(Array.from({ length: 9 }, (_, i) => `${i + 1}.128.0.0/9`))],
  ])("refuses %j: more than a /8 in union", (values) => {
    const problems = cidrListProblems("grafanaAllowedCidrs", values, true);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^grafanaAllowedCidrs: .* together cover [\d,]+ addresses, more than a \/8 \(16,777,216\)/);
  });

  test("reports each bad entry by index, duplicates once, and the union over the good ones", () => {
    expect(cidrListProblems("sshAllowedCidrs", ["10.0.0.1/8", "203.0.113.0/24", "203.0.113.0/24", "010.0.0.0/8"])).toEqual([
      'sshAllowedCidrs[0]: "10.0.0.1/8" is not a network address (host bits are set); its network is 10.0.0.0/8',
      'sshAllowedCidrs[2]: "203.0.113.0/24" is listed twice; list each block once',
      'sshAllowedCidrs[3]: "010.0.0.0/8" is not four decimal octets 0-255 without leading zeros; use an IPv4 network in CIDR form such as 203.0.113.0/24',
    ]);
    expect(MAX_EXPOSED_ADDRESSES).toBe(16_777_216);
  });
});

describe("publishedPortProblems", () => {
  const ports = { grafanaPort: 3000, prometheusPort: 9090, alertmanagerPort: 9093, lokiPort: 3100 };

  test("accepts the defaults on both targets", () => {
    expect(publishedPortProblems(ports, reservedPorts("ec2", false))).toEqual([]);
    expect(publishedPortProblems(ports, reservedPorts("local", false))).toEqual([]);
  });

  test("22, 80 and 443 are reserved on ec2 with or without the proxy", () => {
    for (const proxy of [false, true]) {
      expect(publishedPortProblems({ ...ports, grafanaPort: 22, prometheusPort: 80, lokiPort: 443 }, reservedPorts("ec2", proxy))).toEqual([
        "grafanaPort: 22 is reserved for sshd (administration and the Docker API); use another port",
        "prometheusPort: 80 is reserved for the TLS proxy's HTTP port (ACME challenge and redirect); use another port",
        "lokiPort: 443 is reserved for the TLS proxy's HTTPS port; use another port",
      ]);
    }
  });

  test("on a local host 80/443 are reserved only when the proxy runs there, 22 never", () => {
    expect(publishedPortProblems({ ...ports, grafanaPort: 80 }, reservedPorts("local", false))).toEqual([]);
    expect(publishedPortProblems({ ...ports, grafanaPort: 22 }, reservedPorts("local", true))).toEqual([]);
    expect(publishedPortProblems({ ...ports, grafanaPort: 443 }, reservedPorts("local", true))).toHaveLength(1);
  });

  test("every published port is distinct; the second owner is named with the first", () => {
    expect(publishedPortProblems({ ...ports, lokiPort: 9090, alertmanagerPort: 9090 }, {})).toEqual([
      "alertmanagerPort: 9090 is already the port of prometheusPort; every published port must be distinct",
      "lokiPort: 9090 is already the port of prometheusPort; every published port must be distinct",
    ]);
  });

  test.each([[0], [65536], [3000.5], [-1], [Number.NaN]])("refuses the port %p", (p) => {
    expect(publishedPortProblems({ grafanaPort: p }, {})).toEqual([
      expect.stringMatching(/^grafanaPort: .* is not a TCP port; use a whole number 1-65535$/),
    ]);
  });
});

describe("dockerNetworkNameProblem", () => {
  test.each([["bridge"], ["host"], ["none"], ["observability"], ["observability-docker-api"]])("refuses the reserved name %s", (name) => {
    expect(dockerNetworkNameProblem(name)).toMatch(/built-in|this program creates/);
  });
  test.each([["my app"], ["-net"], [""], ["a".repeat(129)], ["net/1"]])("refuses the malformed name %j", (name) => {
    expect(dockerNetworkNameProblem(name)).toMatch(/not a Docker network name/);
  });
  test.each([["myapp_default"], ["shop-net"], ["a.b"]])("accepts %s", (name) => {
    expect(dockerNetworkNameProblem(name)).toBeUndefined();
  });
});
