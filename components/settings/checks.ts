// Checks for setting values. Each returns an error sentence (without the key) or undefined,
// so the reader can name the key and collect every problem before throwing.

export type { Problem } from "../../configs/value-checks";
export {
  checkDurationBetween,
  checkHostPort,
  checkPort,
  each,
  checkNoTemplate,
  checkPinnedImage,
  checkPostgresDsn,
  checkPromql,
  checkRoutingKey,
  checkSecretUrl,
  checkSize,
  checkUrl,
  durationMs,
  sizeBytes,
} from "../../configs/value-checks";
export { checkLabelName, checkSecretToken } from "../../configs/value-checks";
export { checkAsciiAddress, checkNoCredentialsInUrl, checkNoInvisible, checkNotLinkLocal } from "../../configs/address-checks";
import { Problem, show } from "../../configs/value-checks";
import { checkAsciiAddress, checkNotLinkLocal } from "../../configs/address-checks";
export { show };

export function checkIPv4(value: unknown): Problem {
  if (typeof value !== "string" || !isIPv4(value)) {
    return `${show(value)} is not an IPv4 address; use e.g. 127.0.0.1 or 0.0.0.0`;
  }
  return checkNotLinkLocal(value);
}

/** A Docker-friendly name: a service, network or label value that ends up in container names. */
export function checkName(value: unknown): Problem {
  if (typeof value !== "string" || !/^[a-z0-9][a-z0-9_.-]{0,62}$/.test(value)) {
    return `${show(value)} is not a valid name; use 1-63 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit`;
  }
  return undefined;
}

export function checkEmail(value: unknown): Problem {
  const ascii = typeof value === "string" ? checkAsciiAddress(value, "e-mail address") : undefined;
  if (ascii) return ascii;
  if (typeof value !== "string" || !/^[^\s@,{}]+@[^\s@,{}]+\.[^\s@,{}]+$/.test(value)) {
    return `${show(value)} is not an email address; use e.g. oncall@example.com`;
  }
  return undefined;
}

function isIPv4(value: string): boolean {
  const parts = value.split(".");
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

export function oneOf(accepted: readonly string[]): (v: unknown) => Problem {
  return (v) =>
    typeof v === "string" && accepted.includes(v) ? undefined : `${show(v)} is not accepted; use one of ${accepted.join(", ")}`;
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
