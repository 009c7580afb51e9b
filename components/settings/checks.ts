// Checks for setting values. Each returns an error sentence (without the key) or undefined,
// so the reader can name the key and collect every problem before throwing.

const DURATION = /^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/;
const SIZE = /^\d+(\.\d+)?(B|KB|MB|GB|TB|PB|EB)$/;

export type Problem = string | undefined;

/** A Prometheus/Loki duration such as 15s, 30d or 1h30m. */
export function checkDuration(value: unknown): Problem {
  if (typeof value !== "string" || value === "" || !DURATION.test(value) || /^0+[a-z]*$/.test(value)) {
    return `${show(value)} is not a duration; use a positive Prometheus duration such as 15s, 5m, 12h or 30d`;
  }
  return undefined;
}

/** A Prometheus retention size such as 50GB. */
export function checkSize(value: unknown): Problem {
  if (typeof value !== "string" || !SIZE.test(value)) {
    return `${show(value)} is not a size; use a number with one of B, KB, MB, GB, TB, PB, EB (e.g. 50GB)`;
  }
  return undefined;
}

export function checkPort(value: unknown): Problem {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 65535) {
    return `${show(value)} is not a port; use a whole number from 1 to 65535`;
  }
  return undefined;
}

export function checkIPv4(value: unknown): Problem {
  if (typeof value !== "string" || !isIPv4(value)) {
    return `${show(value)} is not an IPv4 address; use e.g. 127.0.0.1 or 0.0.0.0`;
  }
  return undefined;
}

export function checkCidr(value: unknown): Problem {
  const bad = `${show(value)} is not an IPv4 CIDR block; use e.g. 203.0.113.0/24 or 198.51.100.7/32`;
  if (typeof value !== "string") return bad;
  const [ip, prefix, ...rest] = value.split("/");
  if (rest.length > 0 || prefix === undefined || !/^\d{1,2}$/.test(prefix) || Number(prefix) > 32 || !isIPv4(ip)) {
    return bad;
  }
  return undefined;
}

/** A container image pinned to an exact tag or digest: "latest" and bare names move under you. */
export function checkPinnedImage(value: unknown): Problem {
  const bad =
    `${show(value)} is not a pinned image; use repository:tag with an exact version ` +
    `(e.g. prom/prometheus:v3.13.0) or repository@sha256:<digest>, never "latest" or no tag`;
  if (typeof value !== "string" || /\s/.test(value) || value === "") return bad;
  if (/@sha256:[0-9a-f]{64}$/.test(value)) return undefined;
  const lastSlash = value.lastIndexOf("/");
  const colon = value.indexOf(":", lastSlash + 1);
  if (colon < 0) return bad;
  const tag = value.slice(colon + 1);
  if (tag === "" || tag === "latest" || !/\d/.test(tag) || /^(main|master|edge|nightly)$/.test(tag)) return bad;
  return undefined;
}

/** A Docker-friendly name: a service, network or label value that ends up in container names. */
export function checkName(value: unknown): Problem {
  if (typeof value !== "string" || !/^[a-z0-9][a-z0-9_.-]{0,62}$/.test(value)) {
    return `${show(value)} is not a valid name; use 1-63 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit`;
  }
  return undefined;
}

/** host:port as Prometheus expects in static_configs. */
export function checkHostPort(value: unknown): Problem {
  if (typeof value !== "string" || !/^[A-Za-z0-9.-]+:\d{1,5}$/.test(value) || checkPort(Number(value.split(":")[1]))) {
    return `${show(value)} is not a host:port target; use e.g. api:8080 or 10.0.0.5:9100`;
  }
  return undefined;
}

export function checkUrl(value: unknown, schemes: string[] = ["http", "https"]): Problem {
  const bad = `${show(value)} is not a URL; use ${schemes.map((s) => `${s}://...`).join(" or ")}`;
  if (typeof value !== "string") return bad;
  try {
    const url = new URL(value);
    if (!schemes.includes(url.protocol.replace(/:$/, ""))) return bad;
  } catch {
    return bad;
  }
  return undefined;
}

export function checkEmail(value: unknown): Problem {
  if (typeof value !== "string" || !/^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/.test(value)) {
    return `${show(value)} is not an email address; use e.g. oncall@example.com`;
  }
  return undefined;
}

function isIPv4(value: string): boolean {
  const parts = value.split(".");
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

export function show(value: unknown): string {
  return value === undefined ? "(missing)" : JSON.stringify(value);
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

export function oneOf(accepted: readonly string[]): (v: unknown) => Problem {
  return (v) => (typeof v === "string" && accepted.includes(v) ? undefined : `${show(v)} is not accepted; use one of ${accepted.join(", ")}`);
}

export function range(min: number, max: number, unit: string): (v: number) => Problem {
  return (v) => (v >= min && v <= max ? undefined : `${show(v)} is not accepted; use a whole number of ${unit} from ${min} to ${max}`);
}

export function unique(list: readonly string[]): Problem {
  const dup = list.find((x, i) => list.indexOf(x) !== i);
  return dup === undefined ? undefined : `${show(dup)} is listed twice`;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
