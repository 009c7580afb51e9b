// Checks of single setting values by meaning, not only by shape: a duration is parsed to a number
// and bounded, a size likewise, an image tag must name one release, a URL may not hide control
// characters, a value that Alertmanager or Prometheus evaluate as a Go template may not carry
// template syntax, a KPI query must parse. Each returns one sentence (without the key) or
// undefined; secrets are never echoed. Pure: no Pulumi here.
import { parser as promqlParser } from "@prometheus-io/lezer-promql";
import { checkAsciiAddress, checkNoInvisible, checkNotLinkLocal } from "./address-checks";

export type Problem = string | undefined;

export function show(value: unknown): string {
  return value === undefined ? "(missing)" : JSON.stringify(value);
}

/** C0 and C1 control characters, DEL and the Unicode line separators. */
export function hasControl(value: string): boolean {
  return [...value].some((ch) => {
    const c = ch.codePointAt(0) as number;
    return c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0) || c === 0x2028 || c === 0x2029;
  });
}

// ---------------------------------------------------------------------------------------------
// Durations (Prometheus/Loki syntax: units y w d h m s ms, largest first, each at most once)

const UNIT_MS: Readonly<Record<string, number>> = { y: 365 * 86400e3, w: 7 * 86400e3, d: 86400e3, h: 3600e3, m: 60e3, s: 1e3, ms: 1 };
const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
/** Go's time.Duration is int64 nanoseconds: Prometheus refuses anything longer (about 292 years). */
export const MAX_GO_DURATION_MS = Number((1n << 63n) / 1_000_000n);

/** Milliseconds of a Prometheus duration, or undefined when it does not parse. */
export function durationMs(value: string): number | undefined {
  const m = DURATION.exec(value);
  if (!m || value === "") return undefined;
  const units = ["y", "w", "d", "h", "m", "s", "ms"];
  let total = 0;
  for (let i = 0; i < units.length; i++) if (m[i + 1] !== undefined) total += Number(m[i + 1]) * UNIT_MS[units[i]];
  return total;
}

export function formatMs(ms: number): string {
  for (const [unit, size] of Object.entries(UNIT_MS)) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** A duration between `minMs` and `maxMs` inclusive, e.g. a scrape interval of 1s to 5m. */
export function checkDurationBetween(value: unknown, minMs: number, maxMs: number): Problem {
  const accepted = `use a Prometheus duration from ${formatMs(minMs)} to ${formatMs(maxMs)} such as ${formatMs(Math.max(minMs, Math.min(maxMs, 15e3)))}`;
  if (typeof value !== "string" || hasControl(value)) return `${show(value)} is not a duration; ${accepted}`;
  const ms = durationMs(value);
  if (ms === undefined) return `${show(value)} is not a duration (units y, w, d, h, m, s, ms, largest first, e.g. 1h30m); ${accepted}`;
  if (ms === 0) return `${show(value)} is zero; ${accepted}`;
  if (ms > MAX_GO_DURATION_MS) return `${show(value)} overflows Prometheus's duration type (at most about 292y); ${accepted}`;
  if (ms < minMs) return `${show(value)} is shorter than ${formatMs(minMs)}; ${accepted}`;
  if (ms > maxMs) return `${show(value)} is longer than ${formatMs(maxMs)}; ${accepted}`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Sizes (Prometheus's --storage.tsdb.retention.size: base-2 units, B to EB)

const SIZE = /^(\d+)(B|KB|MB|GB|TB|PB|EB)$/;
const SIZE_UNIT: Readonly<Record<string, bigint>> = {
  B: 1n,
  KB: 1n << 10n,
  MB: 1n << 20n,
  GB: 1n << 30n,
  TB: 1n << 40n,
  PB: 1n << 50n,
  EB: 1n << 60n,
};
const MAX_INT64 = (1n << 63n) - 1n;

/** Bytes of a Prometheus size, or undefined when it does not parse. */
export function sizeBytes(value: string): bigint | undefined {
  const m = SIZE.exec(value);
  return m ? BigInt(m[1]) * SIZE_UNIT[m[2]] : undefined;
}

/** A size Prometheus parses into its int64 byte count, at least `minBytes`. */
export function checkSize(value: unknown, minBytes: bigint = 1n << 30n): Problem {
  const accepted = "use a whole number with B, KB, MB, GB, TB, PB or EB (base 2, as Prometheus reads it) such as 50GB";
  if (typeof value !== "string") return `${show(value)} is not a size; ${accepted}`;
  const bytes = sizeBytes(value);
  if (bytes === undefined) return `${show(value)} is not a size; ${accepted}`;
  if (bytes === 0n) return `${show(value)} is zero (Prometheus would read it as "no limit"); ${accepted}`;
  if (bytes > MAX_INT64) return `${show(value)} is more than Prometheus can represent (under 8EB); ${accepted}`;
  if (bytes < minBytes) return `${show(value)} is less than ${minBytes >> 20n}MB, too small for a TSDB; ${accepted}`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Images

/**
 * A tag that names one release: major.minor.patch (optionally v-prefixed, with a suffix such as
 * -alpine), never a moving alias (`latest`, `12`, `3.7`, `latest-2`, `stable`); or a digest.
 */
export function checkPinnedImage(value: unknown): Problem {
  const accepted =
    "use repository:tag with an exact release (major.minor.patch, e.g. prom/prometheus:v3.13.3) or repository@sha256:<64 hex digits>";
  if (typeof value !== "string" || value === "" || /\s/.test(value) || hasControl(value))
    return `${show(value)} is not a pinned image; ${accepted}`;
  // A registry host (with an optional :port) only before a slash, so "caddy:2" is a name and a tag.
  const ref =
    /^((?:[a-z0-9.-]+(?::\d{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[0-9a-f]{64}))?$/.exec(
      value,
    );
  if (!ref) return `${show(value)} is not an image reference; ${accepted}`;
  const [, , tag, digest] = ref;
  if (digest) return undefined;
  if (tag === undefined) return `${show(value)} has no tag, which means "latest"; ${accepted}`;
  if (/latest|stable|edge|nightly|main|master|dev/i.test(tag)) return `${show(value)} has the moving tag ${show(tag)}; ${accepted}`;
  if (!/^v?\d+\.\d+\.\d+([.+-][\w.+-]*)?$/.test(tag)) {
    return `${show(value)} has the tag ${show(tag)}, which follows new releases (it is not major.minor.patch); ${accepted}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Text that Alertmanager or Prometheus evaluate as Go templates

/** Slack channels, e-mail headers, annotation text: `{{` would be evaluated, not sent. */
export function checkNoTemplate(value: unknown): Problem {
  if (typeof value !== "string") return `${show(value)} is not accepted; use text`;
  if (value.includes("{{") || value.includes("}}")) {
    return `${show(value)} holds Go template syntax ({{ or }}), which Alertmanager/Prometheus would evaluate; use plain text`;
  }
  if (hasControl(value)) return `${show(value)} holds a control character; use plain text on one line`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// URLs

/**
 * A URL with one of `schemes`, checked on the raw text first: the WHATWG parser silently drops
 * tabs and newlines (https://ex\nample.com parses as https://example.com).
 */
export function checkUrl(value: unknown, schemes: readonly string[] = ["http", "https"]): Problem {
  const accepted = `use ${schemes.map((s) => `${s}://host/path`).join(" or ")}`;
  if (typeof value !== "string" || value === "") return `${show(value)} is not a URL; ${accepted}`;
  if (value.includes("{{") || value.includes("}}")) return `${show(value)} holds Go template syntax; ${accepted}`;
  if (hasControl(value) || /\s/.test(value)) return `${show(value)} holds whitespace or a control character; ${accepted}`;
  const lookalike = checkNoInvisible(value) ?? checkAsciiAddress(value, "URL");
  if (lookalike) return lookalike;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${show(value)} is not a URL; ${accepted}`;
  }
  if (!schemes.includes(url.protocol.replace(/:$/, "")) || !url.hostname) return `${show(value)} is not accepted; ${accepted}`;
  return checkNotLinkLocal(value);
}

/**
 * A secret receiver URL (Slack webhook, generic webhook, heartbeat): https only, since the URL
 * itself is the credential. The value is never repeated in the message.
 */
export function checkSecretUrl(value: string | undefined): Problem {
  const accepted = "use an https:// URL (the value is not shown because it is a secret)";
  if (value === undefined || value.trim() === "") return `is empty; ${accepted}`;
  const invisible = checkNoInvisible(value, true);
  if (invisible) return invisible;
  if (value.includes("{{") || value.includes("}}")) return `holds Go template syntax; ${accepted}`;
  if (hasControl(value) || /\s/.test(value)) return `holds whitespace or a control character; ${accepted}`;
  if (!/^[\x21-\x7e]*$/.test(value))
    return `holds non-ASCII characters, which can look like other ones; write the host in its xn-- (punycode) form; ${accepted}`;
  try {
    const url = new URL(value);
    if (url.protocol !== "https:" || !url.hostname) return `is not an https URL; ${accepted}`;
  } catch {
    return `is not a URL; ${accepted}`;
  }
  return checkNotLinkLocal(value, true);
}

/** A PagerDuty Events v2 routing (integration) key: 32 letters and digits. Never echoed. */
export function checkRoutingKey(value: string | undefined): Problem {
  if (value === undefined || value === "") return "is empty; use the 32-character integration key of a PagerDuty Events v2 service";
  if (/[\r\n]/.test(value))
    return "holds a line break (CR or LF); set the 32-character key on one line (the value is not shown because it is a secret)";
  if (!/^[A-Za-z0-9]{32}$/.test(value)) {
    return "is not a PagerDuty Events v2 integration key (32 letters and digits; the value is not shown because it is a secret)";
  }
  return undefined;
}

/**
 * postgresql://user:pass@host:5432/db?sslmode=... with user and host; the value is never shown
 * (it holds a password).
 */
export function checkPostgresDsn(value: string | undefined): Problem {
  const accepted = "use postgresql://user:password@host:5432/database?sslmode=require (the value is not shown because it is a secret)";
  if (value === undefined || value === "") return `is empty; ${accepted}`;
  const invisible = checkNoInvisible(value, true);
  if (invisible) return invisible;
  if (hasControl(value) || /\s/.test(value)) return `holds whitespace or a control character; ${accepted}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `is not a URL; ${accepted}`;
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") return `does not start with postgresql://; ${accepted}`;
  if (!url.username) return `names no user; ${accepted}`;
  if (!url.hostname) return `names no host; ${accepted}`;
  if (url.port && (Number(url.port) < 1 || Number(url.port) > 65535)) return `has a port outside 1-65535; ${accepted}`;
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    return `has a user or password with broken %-escapes; ${accepted}`;
  }
  const linkLocal = checkNotLinkLocal(`postgresql://${url.host}/`, true);
  if (linkLocal) return linkLocal;
  const sslmode = url.searchParams.get("sslmode");
  if (sslmode !== null && !["disable", "allow", "prefer", "require", "verify-ca", "verify-full"].includes(sslmode)) {
    return `has an sslmode libpq does not know; ${accepted}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// PromQL

/** Where the PromQL grammar first fails in `text` (the start of its first error node), or -1. */
function promqlErrorAt(text: string): number {
  let at = -1;
  promqlParser.parse(text).iterate({
    enter: (node) => {
      if (at < 0 && node.type.isError) at = node.from;
      return at < 0;
    },
  });
  return at;
}

/**
 * What may come where the grammar stopped. The parser reports only where it failed, so each
 * candidate is tried in place: it is expected when the text up to the failure plus the candidate
 * parses at least that far.
 */
const PROMQL_CANDIDATES: readonly (readonly [string, string])[] = [
  [")", "`)`"],
  ["]", "`]`"],
  ["}", "`}`"],
  [",", "`,`"],
  ["(", "`(`"],
  ["{", "`{`"],
  ["[", "`[`"],
  ["*", "an operator"],
  ["x", "a name"],
  ["1", "a number"],
  ["5m", "a duration"],
  ['"a"', "a string"],
  [":", "`:`"],
  ["by", "`by`"],
];

function promqlExpected(prefix: string): string[] {
  const fits = (candidate: string): boolean => {
    const text = `${prefix} ${candidate}`;
    const at = promqlErrorAt(text);
    return at < 0 || at >= text.length;
  };
  const found = PROMQL_CANDIDATES.filter(([c]) => fits(c)).map(([, what]) => what);
  // Where any name fits, `:` (part of a metric name) and `by` (a name too) say nothing more.
  return found.includes("a name") ? found.filter((w) => w !== "`:`" && w !== "`by`") : found;
}

/** Whether a PromQL expression parses (the grammar Prometheus's own editor uses); if not, where it stops and what it expected there. */
export function checkPromql(value: unknown): Problem {
  if (typeof value !== "string" || value.trim() === "") return `${show(value)} is not a PromQL expression`;
  const at = promqlErrorAt(value);
  if (at < 0) return undefined;
  const before = value.slice(0, at).split("\n");
  const where = `line ${before.length}, column ${before[before.length - 1].length + 1}`;
  const token = /^\s*(\S{1,20})/.exec(value.slice(at))?.[1];
  const found = token === undefined ? "the end of the expression" : JSON.stringify(token);
  const expected = promqlExpected(value.slice(0, at));
  return (
    `${show(value)} does not parse as PromQL: at ${where} the grammar found ${found}` +
    (expected.length ? ` where it expected ${expected.length > 1 ? "one of " : ""}${expected.join(", ")}` : "")
  );
}

// ---------------------------------------------------------------------------------------------
// Addresses and lists

export function checkPort(value: unknown): Problem {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 65535) {
    return `${show(value)} is not a port; use a whole number from 1 to 65535`;
  }
  return undefined;
}

/** host:port as Prometheus expects in static_configs. */
export function checkHostPort(value: unknown): Problem {
  const ascii = typeof value === "string" ? checkAsciiAddress(value, "host name") : undefined;
  if (ascii) return ascii;
  if (typeof value !== "string" || !/^[A-Za-z0-9.-]+:\d{1,5}$/.test(value) || checkPort(Number(value.split(":")[1]))) {
    return `${show(value)} is not a host:port target; use e.g. api:8080 or 10.0.0.5:9100`;
  }
  return checkNotLinkLocal(value);
}

/** Applies a check to every element of a list; the first problem wins. */
export function each(check: (v: unknown) => Problem): (v: readonly string[]) => Problem {
  return (list) => {
    for (const x of list) {
      const p = check(x);
      if (p) return p;
    }
    return undefined;
  };
}

// ---------------------------------------------------------------------------------------------
// Label names (issue 21)

/** Labels the stack sets on every series it scrapes: a setting may not set them. */
export const STACK_LABELS: readonly string[] = ["job", "instance", "service", "tier"];

/**
 * A label name a setting may put on series: Prometheus's syntax, and none that breaks the
 * catalogue's queries: `le` (histogram buckets) and `quantile` (summaries) would collide with the
 * series' own, `__*` is Prometheus's internal space (dropped after relabelling), `exported_*` is
 * what Prometheus renames a clashing target label to, and the stack's own labels.
 */
export function checkLabelName(name: string): Problem {
  const accepted = "use [a-zA-Z_][a-zA-Z0-9_]* other than le, quantile, job, instance, service, tier, not starting with __ or exported_";
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) return `${show(name)} is not a label name; ${accepted}`;
  if (name.startsWith("__"))
    return `${show(name)} starts with __, which Prometheus keeps for itself and drops after relabelling; ${accepted}`;
  if (name.startsWith("exported_"))
    return `${show(name)} starts with exported_, the prefix Prometheus gives a target label that clashes with a scraped one; ${accepted}`;
  if (name === "le" || name === "quantile")
    return `${show(name)} is the bucket/quantile label of histograms and summaries, which the catalogue's queries aggregate by; ${accepted}`;
  if (STACK_LABELS.includes(name)) return `${show(name)} is set by the stack (job, instance, service, tier); ${accepted}`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Secret tokens and passwords (issue 21): what fails only at or after `up`

/**
 * A password or token delivered as a file: not empty, one line (a CR or LF would end the header
 * or the file where the reader stops), no control characters. Never shown.
 */
export function checkSecretToken(value: string | undefined, what: string): Problem {
  const tail = "(the value is not shown because it is a secret)";
  if (value === undefined || value === "") return `is empty; set the ${what} or remove the secret ${tail}`;
  if (value.trim() === "") return `is only whitespace; set the ${what} ${tail}`;
  const invisible = checkNoInvisible(value, true);
  if (invisible) return invisible;
  if (/[\r\n]/.test(value))
    return `holds a line break (CR or LF), which would cut the ${what} short or inject a header; set it on one line ${tail}`;
  if (hasControl(value)) return `holds a control character; set the ${what} as printable text ${tail}`;
  if (value !== value.trim()) return `begins or ends with whitespace, which the server would not expect; remove it ${tail}`;
  return undefined;
}
