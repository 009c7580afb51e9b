// Exposure guards: what may be opened to the network, as pure functions the settings call
// before anything is deployed. A CIDR must be written canonically (what the security group will
// show is what the user wrote), and a list of CIDRs may not cover more than a /8 together:
// the union counts, so ["0.0.0.0/1", "128.0.0.0/1"] is all of IPv4, not two small rules.

/** Most addresses one allow-list may ever cover: a /8 (16,777,216 addresses). */
export const MAX_EXPOSED_ADDRESSES = 2 ** 24;
export const MAX_EXPOSED_PREFIX = 8;
/**
 * Most addresses without the allowWideIngress acknowledgement: a /16 (65,536). An office, a VPN
 * or a VPC fits; a whole provider's /8 is someone else's machines too (issue 21).
 */
export const MAX_UNACKNOWLEDGED_ADDRESSES = 2 ** 16;
export const MAX_UNACKNOWLEDGED_PREFIX = 16;

/** Host ports the ec2 target keeps for itself: sshd, and Caddy's HTTP and HTTPS. */
export const RESERVED_EC2_PORTS: Readonly<Record<number, string>> = {
  22: "sshd (administration and the Docker API)",
  80: "the TLS proxy's HTTP port (ACME challenge and redirect)",
  443: "the TLS proxy's HTTPS port",
};

/**
 * Docker's own networks and every network the program creates (the stack's network and the
 * Docker API proxy's internal one, components/docker-api.ts): joining them as "extra" networks
 * is a mistake. tests/program/networks-reserved.test.ts checks the list against the graph.
 */
export const RESERVED_DOCKER_NETWORKS = ["bridge", "host", "none", "observability", "observability-docker-api"] as const;
const PROGRAM_NETWORKS: readonly string[] = ["observability", "observability-docker-api"];

export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  readonly network: number;
  readonly prefix: number;
  /** Canonical text, e.g. 203.0.113.0/24. */
  readonly text: string;
}

const OCTET = /^(0|[1-9]\d{0,2})$/;
const PREFIX = /^(0|[1-9]\d?)$/;

function ipText(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/**
 * Parses an IPv4 CIDR written canonically, or says why it is not: four decimal octets 0-255
 * without leading zeros (010 is octal to some tools and decimal to others), a prefix 0-32, and
 * no host bits (10.0.0.1/8 is refused with its network, 10.0.0.0/8, in the message).
 */
export function parseCidr(value: string): Cidr | { readonly problem: string } {
  const accepted = "an IPv4 network in CIDR form such as 203.0.113.0/24";
  if (typeof value !== "string") return { problem: `not text; use ${accepted}` };
  if (value.includes(":")) return { problem: `an IPv6 block; the security group rules take ${accepted}` };
  const m = /^([^/]*)\/([^/]*)$/.exec(value);
  if (!m) return { problem: `missing its /prefix; use ${accepted} (a single address is <address>/32)` };
  const octets = m[1].split(".");
  if (octets.length !== 4 || !octets.every((o) => OCTET.test(o) && Number(o) <= 255)) {
    return { problem: `not four decimal octets 0-255 without leading zeros; use ${accepted}` };
  }
  if (!PREFIX.test(m[2]) || Number(m[2]) > 32) return { problem: `not in CIDR form: prefix /${m[2]} is not 0-32 without leading zeros` };
  const prefix = Number(m[2]);
  const address = octets.reduce((acc, o) => acc * 256 + Number(o), 0);
  const network = (address & maskOf(prefix)) >>> 0;
  if (network !== address) {
    return { problem: `not a network address (host bits are set); its network is ${ipText(network)}/${prefix}` };
  }
  return { network, prefix, text: `${ipText(network)}/${prefix}` };
}

/** Addresses covered by the union of the blocks (overlaps counted once). */
export function unionAddressCount(cidrs: readonly Cidr[]): number {
  const ranges = cidrs.map((c) => [c.network, c.network + 2 ** (32 - c.prefix)] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let total = 0;
  let start = -1;
  let end = -1;
  for (const [s, e] of ranges) {
    if (s > end) {
      if (end > start) total += end - start;
      start = s;
      end = e;
    } else if (e > end) {
      end = e;
    }
  }
  if (end > start) total += end - start;
  return total;
}

/**
 * Every problem of an allow-list, one message each, naming the key, the value and what is
 * accepted. Bad entries are reported on their own; the union limit is checked over the good ones.
 */
export function cidrListProblems(key: string, values: readonly string[], wideAcknowledged = false): string[] {
  const problems: string[] = [];
  const good: Cidr[] = [];
  const seen = new Set<string>();
  values.forEach((v, i) => {
    const r = parseCidr(v);
    if ("problem" in r) {
      problems.push(`${key}[${i}]: ${JSON.stringify(v)} is ${r.problem}`);
    } else if (seen.has(r.text)) {
      problems.push(`${key}[${i}]: ${JSON.stringify(v)} is listed twice; list each block once`);
    } else {
      seen.add(r.text);
      good.push(r);
    }
  });
  const covered = unionAddressCount(good);
  if (covered > MAX_EXPOSED_ADDRESSES) {
    problems.push(
      `${key}: ${JSON.stringify(values)} together cover ${covered.toLocaleString("en-US")} addresses, more than a /${MAX_EXPOSED_PREFIX} ` +
        `(${MAX_EXPOSED_ADDRESSES.toLocaleString("en-US")}); list the networks that need access (office, VPN, your address /32)`,
    );
  } else if (covered > MAX_UNACKNOWLEDGED_ADDRESSES && !wideAcknowledged) {
    problems.push(
      `${key}: ${JSON.stringify(values)} together cover ${covered.toLocaleString("en-US")} addresses, more than a /${MAX_UNACKNOWLEDGED_PREFIX} ` +
        `(${MAX_UNACKNOWLEDGED_ADDRESSES.toLocaleString("en-US")}); list the networks that need access (office, VPN, your address /32), ` +
        `or set allowWideIngress: true to say you mean a range this wide (at most a /${MAX_EXPOSED_PREFIX})`,
    );
  }
  return problems;
}

/**
 * Host ports the settings may not publish: on ec2 all of RESERVED_EC2_PORTS (whether or not the
 * proxy runs, so turning it on later cannot collide); on a local host 80 and 443 only when the
 * TLS proxy runs there.
 */
export function reservedPorts(target: "local" | "ec2", proxy: boolean): Readonly<Record<number, string>> {
  if (target === "ec2") return RESERVED_EC2_PORTS;
  return proxy ? { 80: RESERVED_EC2_PORTS[80], 443: RESERVED_EC2_PORTS[443] } : {};
}

/**
 * Published host ports: each distinct (two containers cannot bind one host port) and none of
 * `reserved` (reservedPorts). Keys are the setting names, in the order they should be reported.
 */
export function publishedPortProblems(ports: Readonly<Record<string, number>>, reserved: Readonly<Record<number, string>>): string[] {
  const problems: string[] = [];
  const owner = new Map<number, string>();
  for (const [key, port] of Object.entries(ports)) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      problems.push(`${key}: ${JSON.stringify(port)} is not a TCP port; use a whole number 1-65535`);
      continue;
    }
    if (reserved[port]) {
      problems.push(`${key}: ${port} is reserved for ${reserved[port]}; use another port`);
      continue;
    }
    const first = owner.get(port);
    if (first) {
      problems.push(`${key}: ${port} is already the port of ${first}; every published port must be distinct`);
      continue;
    }
    owner.set(port, key);
  }
  return problems;
}

/** Why `name` may not be joined as an extra Docker network, or undefined. */
export function dockerNetworkNameProblem(name: string): string | undefined {
  if ((RESERVED_DOCKER_NETWORKS as readonly string[]).includes(name)) {
    return `${JSON.stringify(name)} is ${PROGRAM_NETWORKS.includes(name) ? "a network this program creates" : "one of Docker's built-in networks"}; list the application's user-defined networks (docker network ls)`;
  }
  // Docker's own rule for network names.
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/.test(name)) {
    return `${JSON.stringify(name)} is not a Docker network name (letters, digits, "_", ".", "-", starting with a letter or digit)`;
  }
  return undefined;
}
