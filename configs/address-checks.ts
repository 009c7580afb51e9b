// Checks every address-valued setting shares (issue 21): one fact, one function, applied to each
// setting of that kind by components/settings/. Pure: no Pulumi here.
//   - look-alike text: zero-width and bidirectional-control characters anywhere in any setting;
//     non-ASCII in host names, e-mail addresses and URLs unless written in their ASCII
//     (punycode) form, so what a reviewer reads is what the program dials;
//   - link-local and metadata addresses: the instance metadata service (169.254.169.254, and on
//     IPv6 fd00:ec2::254) and every other link-local address, so no setting makes a container
//     reach it, whatever the metadata firewall admits;
//   - credentials inside a URL (user:password@, or a token-like query parameter), which would be
//     written into files a reviewer reads and, for a probe, become the `instance` label of every
//     alert about it.
import { Problem, show } from "./value-checks";

// ---------------------------------------------------------------------------------------------
// Look-alike text

/**
 * Characters that change how text looks without being seen: zero-width spaces and joiners, the
 * word joiner, invisible operators, the byte-order mark, soft hyphen, Mongolian vowel separator,
 * and every bidirectional control (embeddings, overrides, isolates, marks).
 */
const INVISIBLE = /[\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0]/u;

export function hasInvisible(value: string): boolean {
  return INVISIBLE.test(value);
}

/** The first invisible character as U+XXXX, for a message that cannot show it. */
function invisibleName(value: string): string {
  const m = INVISIBLE.exec(value);
  return m ? `U+${(m[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0")}` : "";
}

/**
 * Zero-width and bidirectional-control characters, anywhere in a setting's text (free-text
 * titles included). `secret`: the message does not repeat the value.
 */
export function checkNoInvisible(value: string, secret = false): Problem {
  if (!hasInvisible(value)) return undefined;
  const what = `an invisible character (${invisibleName(value)}: zero-width or bidirectional control) that makes the text read differently from what it is`;
  return secret ? `holds ${what}; retype it (the value is not shown because it is a secret)` : `${show(value)} holds ${what}; retype it`;
}

function isAscii(value: string): boolean {
  return /^[\x20-\x7e]*$/.test(value);
}

/** A host name, e-mail address or URL in ASCII only: IDNs in their xn-- (punycode) form. */
export function checkAsciiAddress(value: string, kind: "host name" | "e-mail address" | "URL"): Problem {
  if (isAscii(value)) return undefined;
  let hint = "";
  if (kind === "URL") {
    try {
      hint = `; its host in ASCII is ${new URL(value).hostname} (non-ASCII in a path: %-encode it)`;
    } catch {
      hint = "";
    }
  } else if (kind === "host name") {
    try {
      hint = `; in ASCII that is ${new URL(`http://${value.split(":")[0]}`).hostname}`;
    } catch {
      hint = "";
    }
  }
  return `${show(value)} holds non-ASCII characters, which can look like other ones; write the ${kind} in ASCII (an international domain in its xn-- punycode form)${hint}`;
}

// ---------------------------------------------------------------------------------------------
// Link-local and metadata addresses

/**
 * IPv4 in any form inet_aton(3) reads (a libc resolver turns "2852039166" or "0xa9.0xfe.0xa9.0xfe"
 * into 169.254.169.254), as a 32-bit number; undefined for a name.
 */
export function looseIPv4(host: string): number | undefined {
  const parts = host.split(".");
  if (parts.length < 1 || parts.length > 4 || parts.some((p) => p === "")) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/i.test(p)) n = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]+$/.test(p)) n = parseInt(p, 8);
    else if (/^(0|[1-9]\d*)$/.test(p)) n = Number(p);
    else return undefined;
    nums.push(n);
  }
  const last = nums[nums.length - 1];
  const head = nums.slice(0, -1);
  if (head.some((n) => n > 255) || last >= 2 ** (8 * (5 - nums.length))) return undefined;
  return head.reduce((acc, n, i) => acc + n * 2 ** (8 * (3 - i)), 0) + last;
}

/** The 16 bytes of an IPv6 address (brackets allowed, embedded IPv4 allowed); undefined otherwise. */
export function parseIPv6(text: string): number[] | undefined {
  let host = text.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (!host.includes(":") || !/^[0-9a-f:.]+$/i.test(host)) return undefined;
  const v4 = /:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
  if (v4) {
    const n = looseIPv4(v4[1]);
    if (n === undefined) return undefined;
    host = `${host.slice(0, host.length - v4[1].length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = host.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const left = groups(halves[0]);
  const right = halves.length === 2 ? groups(halves[1]) : [];
  if (left.concat(right).some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...left, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...right].map((g) => parseInt(g, 16));
  return all.flatMap((g) => [g >> 8, g & 255]);
}

/** Names that resolve to the instance metadata service on EC2 (and on other clouds). */
const METADATA_NAMES = ["instance-data", "instance-data.ec2.internal", "metadata.google.internal"];

/** Why `host` (a name or address, as written) is link-local or the metadata service, or undefined. */
export function linkLocalReason(host: string): string | undefined {
  const h = host.toLowerCase().replace(/\.$/, "");
  if (METADATA_NAMES.includes(h)) return "the name of the instance metadata service";
  const v4 = looseIPv4(h);
  if (v4 !== undefined) {
    return v4 >>> 16 === (169 << 8) + 254
      ? `a link-local address (169.254.0.0/16${v4 === 0xa9fea9fe ? ", the instance metadata service" : ""})`
      : undefined;
  }
  const v6 = parseIPv6(h);
  if (v6) {
    if (v6[0] === 0xfe && (v6[1] & 0xc0) === 0x80) return "a link-local address (fe80::/10)";
    const metadata6 = parseIPv6("fd00:ec2::254") as number[];
    if (v6.every((b, i) => b === metadata6[i])) return "the instance metadata service's IPv6 address (fd00:ec2::254)";
    // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible forms reach the IPv4 address.
    const mapped = v6.slice(0, 10).every((b) => b === 0) && ((v6[10] === 0xff && v6[11] === 0xff) || (v6[10] === 0 && v6[11] === 0));
    if (mapped && v6[12] === 169 && v6[13] === 254) return "a link-local IPv4 address (169.254.0.0/16) written as IPv6";
  }
  return undefined;
}

/** The host part of a URL or of host:port (brackets kept off), or undefined when there is none. */
export function hostOf(value: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    try {
      return new URL(value).hostname.replace(/^\[|\]$/g, "");
    } catch {
      return undefined;
    }
  }
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) return bracketed[1];
  return value.replace(/:\d*$/, "");
}

/**
 * A scrape target, probe URL, exporter host, smarthost, remote-write URL, ACME CA or bind address
 * that is not link-local: on EC2 that range holds the metadata service, whose credentials the
 * stack's own settings must never reach.
 */
export function checkNotLinkLocal(value: string, secret = false): Problem {
  const host = hostOf(value);
  const reason = host === undefined ? undefined : linkLocalReason(host);
  if (!reason) return undefined;
  const accepted =
    "use the address of the service itself; link-local addresses (169.254.0.0/16, fe80::/10, fd00:ec2::254) are never accepted, so no setting leads a container to the instance metadata service";
  return secret
    ? `points at ${reason}; ${accepted} (the value is not shown because it is a secret)`
    : `${show(value)} is ${reason}; ${accepted}`;
}

// ---------------------------------------------------------------------------------------------
// Credentials in URLs

/** Query parameters that carry a credential (API keys, tokens, signatures, passwords). */
const TOKEN_PARAM =
  /^(api[-_]?key|apikey|key|token|access[-_]?token|auth[-_]?token|id[-_]?token|refresh[-_]?token|private[-_]?token|session[-_]?token|bearer|auth|authorization|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|password|passwd|pwd|pass|secret|client[-_]?secret|access[-_]?key|secret[-_]?key|code)$/i;

/** The URL with every credential replaced by ***, so a message can show where it was. */
function redacted(url: URL): string {
  const u = new URL(url.href);
  if (u.username) u.username = "***";
  if (u.password) u.password = "***";
  for (const k of [...new Set(u.searchParams.keys())]) if (TOKEN_PARAM.test(k)) u.searchParams.set(k, "***");
  return u.href.replace(/%2A%2A%2A/g, "***");
}

/**
 * No user:password and no token-like query parameter in a URL setting. `secretSetting`: the
 * secret setting that exists for this credential (named in the message), or undefined when none
 * does. The credential itself is never repeated.
 */
export function checkNoCredentialsInUrl(value: string, secretSetting: string | undefined): Problem {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  const params = [...new Set(url.searchParams.keys())].filter((k) => TOKEN_PARAM.test(k));
  const inUserInfo = url.username !== "" || url.password !== "";
  if (!inUserInfo && params.length === 0) return undefined;
  const where = inUserInfo
    ? "a user name or password before the host"
    : `the token-like query parameter${params.length > 1 ? "s" : ""} ${params.join(", ")}`;
  const instead = secretSetting
    ? `put the credential in the secret setting ${secretSetting} instead (pulumi config set --secret)`
    : "no setting of this program holds a credential for it: use an address that needs none (for a probe, an unauthenticated health endpoint)";
  return `${show(redacted(url))} carries a credential in ${where} (shown as ***), which would be written into files a reviewer reads and into alert text; ${instead}`;
}
