// Values that only stand in for the user's own: the example SSH key committed in Pulumi.prod.yaml,
// documentation address ranges (RFC 5737, RFC 3849) and the example domains of RFC 2606/6761.
// `npm run deploy` refuses them at `up` (an EC2 host with an unusable key or a security group
// open to nobody is created, then fails a minute later at SSH) but not at preview, so render,
// review and the tests of the committed stack files keep working with them. Pure: a stack
// file's parsed `config:` map in, one finding per offending key out.
import * as net from "node:net";

/** The throwaway key committed in Pulumi.prod.yaml (its base64 body: the comment may change). */
export const EXAMPLE_SSH_KEYS: readonly string[] = ["AAAAC3NzaC1lZDI1NTE5AAAAIIBCt215KpDas5Dt4ZLwGVIXApwaumyXtt6mDi+n4DHZ"];

/** RFC 5737 (IPv4 TEST-NET-1/2/3) as [network, prefix length]. */
const DOC_V4: readonly (readonly [string, number])[] = [
  ["192.0.2.0", 24],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
];
/** RFC 2606 second-level example domains (and every name under them). */
export const EXAMPLE_DOMAINS: readonly string[] = ["example.com", "example.org", "example.net"];

export interface Placeholder {
  /** The key as the stack file spells it, with a path into lists and objects, e.g. `observability-stack:sshAllowedCidrs[0]`. */
  readonly key: string;
  readonly value: string;
  /** What makes it a placeholder, and what to put instead. */
  readonly reason: string;
}

function v4ToInt(ip: string): number {
  return ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
}

/**
 * The documentation range an IPv4 address or range lies inside, if any. A wider range that merely
 * contains one (0.0.0.0/0, 198.51.0.0/16) is a real choice, not a placeholder.
 */
function v4Documentation(ip: string, prefix: number): string | undefined {
  const a = v4ToInt(ip);
  for (const [base, len] of DOC_V4) {
    const mask = (0xffffffff << (32 - len)) >>> 0;
    if (prefix >= len && (a & mask) >>> 0 === v4ToInt(base)) return `${base}/${len}`;
  }
  return undefined;
}

/** The first 32 bits of an IPv6 address (net.isIPv6 already accepted it). */
function v6High32(ip: string): number {
  const [head, tail] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail === undefined ? [] : tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return parseInt(groups[0] || "0", 16) * 0x10000 + parseInt(groups[1] || "0", 16);
}

/** Whether an IPv6 address or range lies inside 2001:db8::/32 (RFC 3849). */
function v6Documentation(ip: string, prefix: number): boolean {
  return prefix >= 32 && v6High32(ip) === 0x20010db8;
}

const V4_CANDIDATE = /(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?(?![\d.])/g;
const V6_CANDIDATE = /(?<![\w:])([0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?:\/(\d{1,3}))?/g;
const DOMAIN_CANDIDATE = /(?<![\w-])((?:[A-Za-z0-9-]+\.)*example\.(?:com|org|net))(?![\w-])/gi;

/** Why one string value is a placeholder, or undefined when it is not. */
export function placeholderReason(value: string): string | undefined {
  for (const key of EXAMPLE_SSH_KEYS) {
    if (value.includes(key)) return "is the example SSH key committed with the project; put the line from your own ~/.ssh/id_ed25519.pub";
  }
  for (const m of value.matchAll(V4_CANDIDATE)) {
    if (!net.isIPv4(m[1])) continue;
    const range = v4Documentation(m[1], m[2] === undefined ? 32 : Number(m[2]));
    if (range) return `holds ${m[0]}, a documentation address (RFC 5737, ${range}) that reaches nobody; put your own address or range`;
  }
  for (const m of value.matchAll(V6_CANDIDATE)) {
    if (!net.isIPv6(m[1])) continue;
    if (v6Documentation(m[1], m[2] === undefined ? 128 : Number(m[2]))) {
      return `holds ${m[0]}, a documentation address (RFC 3849, 2001:db8::/32) that reaches nobody; put your own address or range`;
    }
  }
  const domain = DOMAIN_CANDIDATE.exec(value);
  DOMAIN_CANDIDATE.lastIndex = 0;
  if (domain)
    return `names ${domain[1]}, an example domain (RFC 2606) nobody can receive mail or certificates for; put your own domain or address`;
  return undefined;
}

/**
 * Every placeholder in a stack file's `config:` map (keys as written, e.g. `observability-stack:x`).
 * Secrets (`{ secure: ... }`) are opaque here: their values are not in the file.
 */
export function findPlaceholders(config: Readonly<Record<string, unknown>>): Placeholder[] {
  const out: Placeholder[] = [];
  const walk = (value: unknown, key: string): void => {
    if (typeof value === "string") {
      const reason = placeholderReason(value);
      if (reason) out.push({ key, value, reason });
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, `${key}[${i}]`));
    } else if (typeof value === "object" && value !== null) {
      if ("secure" in value) return;
      for (const [k, v] of Object.entries(value)) walk(v, `${key}.${k}`);
    }
  };
  for (const [k, v] of Object.entries(config)) walk(v, k);
  return out;
}
