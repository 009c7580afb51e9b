// CIDR arithmetic for the ingress policy: how many addresses a set of blocks opens, counting
// overlapping blocks once, so ["0.0.0.0/1", "128.0.0.0/1"] is seen as all of IPv4.

export interface ParsedCidr {
  readonly family: 4 | 6;
  readonly prefix: number;
  /** First address as a bigint (host bits cleared). */
  readonly start: bigint;
}

function ipv4ToBigint(ip: string): bigint | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = (n << 8n) | BigInt(Number(p));
  }
  return n;
}

function ipv6ToBigint(ip: string): bigint | undefined {
  if (!/^[0-9a-fA-F:]+$/.test(ip) || ip.split("::").length > 2) return undefined;
  const [head, tail] = ip.includes("::") ? ip.split("::") : [ip, undefined];
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const missing = 8 - headGroups.length - tailGroups.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...tailGroups];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return n;
}

/** Parses `a.b.c.d/n` or an IPv6 block; undefined when it is not a CIDR. */
export function parseCidr(cidr: string): ParsedCidr | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr.trim());
  if (!m) return undefined;
  const prefix = Number(m[2]);
  const v4 = ipv4ToBigint(m[1]);
  const family: 4 | 6 | undefined = v4 !== undefined ? 4 : ipv6ToBigint(m[1]) !== undefined ? 6 : undefined;
  if (family === undefined) return undefined;
  const bits = family === 4 ? 32 : 128;
  if (prefix > bits) return undefined;
  const addr = (family === 4 ? v4 : ipv6ToBigint(m[1])) as bigint;
  const hostBits = BigInt(bits - prefix);
  return { family, prefix, start: (addr >> hostBits) << hostBits };
}

/** Number of distinct addresses the blocks of one family cover together. */
export function unionSize(cidrs: readonly ParsedCidr[]): bigint {
  if (cidrs.length === 0) return 0n;
  const bits = cidrs[0].family === 4 ? 32n : 128n;
  const ranges = cidrs
    .map((c) => ({ start: c.start, end: c.start + (1n << (bits - BigInt(c.prefix))) }))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  let total = 0n;
  let curStart = ranges[0].start;
  let curEnd = ranges[0].end;
  for (const r of ranges.slice(1)) {
    if (r.start <= curEnd) {
      if (r.end > curEnd) curEnd = r.end;
    } else {
      total += curEnd - curStart;
      curStart = r.start;
      curEnd = r.end;
    }
  }
  return total + (curEnd - curStart);
}

/** Addresses in one block of the given prefix length. */
export function blockSize(family: 4 | 6, prefix: number): bigint {
  return 1n << BigInt((family === 4 ? 32 : 128) - prefix);
}
