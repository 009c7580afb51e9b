// Caddyfile of the TLS proxy in front of Grafana. Caddy obtains and renews the certificate for
// `domain` from an ACME CA, answers plain HTTP only for the ACME HTTP-01 challenge and a redirect
// to HTTPS (Caddy's automatic HTTPS does both for a site with a domain name), adds HSTS and the
// usual security headers, and proxies to Grafana on the stack network. Caddy itself sets
// X-Forwarded-Proto/-For/-Host towards the upstream. Pure: no Pulumi here, so the live test
// renders the very same file with Caddy's internal CA and loopback ports.
import { IPV4_PATTERN } from "./patterns";

/** Official image; the same Caddy release as Debian's package the tests run (2.11.4). */
export const CADDY_DEFAULT_IMAGE = "caddy:2.11.4";
export const CADDY_CONFIG_PATH = "/etc/caddy/Caddyfile";
/** The image sets XDG_DATA_HOME=/data: certificates, ACME account keys and OCSP staples. */
export const CADDY_DATA_DIR = "/data";
/** The image sets XDG_CONFIG_HOME=/config: Caddy's autosaved config (unused with `admin off`). */
export const CADDY_CONFIG_DIR = "/config";
export const LETS_ENCRYPT_DIRECTORY = "https://acme-v02.api.letsencrypt.org/directory";
export const LETS_ENCRYPT_STAGING_DIRECTORY = "https://acme-staging-v02.api.letsencrypt.org/directory";

/** One year; no `preload`: submitting a domain to browsers' preload lists is the owner's call. */
export const HSTS_VALUE = "max-age=31536000; includeSubDomains";

/**
 * Response headers on every answer. Grafana sets its own Content-Security-Policy when asked
 * (`[security] content_security_policy`); a second one here would fight it, so none is set.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Strict-Transport-Security": HSTS_VALUE,
  "X-Content-Type-Options": "nosniff",
  // Grafana refuses framing unless allow_embedding is on (it is off); say so for every answer.
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
  "Cross-Origin-Opener-Policy": "same-origin",
};

export interface CaddyConfigInput {
  /** Public hostname of Grafana, no scheme or port (the `grafanaDomain` setting). */
  readonly domain: string;
  /** host:port of Grafana as the proxy reaches it, e.g. grafana:3000. */
  readonly upstream: string;
  /** Contact address for the ACME account (expiry warnings, policy changes). */
  readonly acmeEmail?: string;
  /** ACME directory URL. Default Let's Encrypt's production directory. */
  readonly acmeCa?: string;
  /**
   * Certificates from Caddy's own local CA instead of ACME (`tls internal`): for the live test
   * on loopback, where no public CA can reach the server.
   */
  readonly internalCa?: boolean;
  /** Listen ports; default 80 and 443. The live test uses free loopback ports. */
  readonly httpPort?: number;
  readonly httpsPort?: number;
  /** Address every listener binds; default all interfaces (the container's). */
  readonly bindAddress?: string;
}

const HOSTNAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;
// Deliberately narrow: one @, no quotes, spaces or braces that could break out of the token.
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`|~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
const UPSTREAM = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?:\d{1,5}$/;

function hasControlCharacter(value: string): boolean {
  return [...value].some((ch) => (ch.codePointAt(0) as number) < 0x20 || ch === "\u007f");
}

/** Why `domain` is not a hostname Caddy can get a public certificate for, or undefined. */
export function domainProblem(domain: string): string | undefined {
  if (!HOSTNAME.test(domain)) {
    return "a lowercase DNS name with at least two labels (letters, digits, inner hyphens), no scheme, port, path or wildcard";
  }
  if (/^[\d.]+$/.test(domain)) return "a DNS name, not an IP address (public CAs do not issue for addresses here)";
  if (domain === "localhost" || domain.endsWith(".localhost")) return "a public DNS name, not localhost";
  return undefined;
}

/** Why `email` is not usable as the ACME account contact, or undefined. */
export function acmeEmailProblem(email: string): string | undefined {
  return EMAIL.test(email) && email.length <= 254 ? undefined : "an e-mail address such as ops@example.com";
}

/** Why `url` is not an ACME directory URL, or undefined. */
export function acmeCaProblem(url: string): string | undefined {
  const shape = "an https URL of an ACME directory, such as " + LETS_ENCRYPT_STAGING_DIRECTORY;
  if (/[\s"'{}\\#]/.test(url) || hasControlCharacter(url)) return shape;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return shape;
  }
  if (u.protocol !== "https:" || !u.hostname || u.username || u.password) return shape;
  return undefined;
}

function port(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`Caddy ${name} ${value} is not a TCP port (1-65535)`);
  }
  return value;
}

/** A Caddyfile token in double quotes; inputs are validated first, this only guards the quoting. */
function quote(value: string): string {
  if (hasControlCharacter(value)) throw new Error(`${JSON.stringify(value)} holds a control character`);
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

export function renderCaddyfile(input: CaddyConfigInput): string {
  const domainError = domainProblem(input.domain);
  if (domainError) throw new Error(`Caddy domain ${JSON.stringify(input.domain)} is not accepted; use ${domainError}`);
  if (!UPSTREAM.test(input.upstream)) {
    throw new Error(`Caddy upstream ${JSON.stringify(input.upstream)} is not accepted; use host:port such as grafana:3000`);
  }
  if (input.acmeEmail !== undefined) {
    const e = acmeEmailProblem(input.acmeEmail);
    if (e) throw new Error(`ACME e-mail ${JSON.stringify(input.acmeEmail)} is not accepted; use ${e}`);
  }
  const acmeCa = input.acmeCa ?? LETS_ENCRYPT_DIRECTORY;
  const caError = acmeCaProblem(acmeCa);
  if (caError) throw new Error(`ACME CA ${JSON.stringify(acmeCa)} is not accepted; use ${caError}`);
  if (input.bindAddress !== undefined && !IPV4_PATTERN.test(input.bindAddress)) {
    throw new Error(`Caddy bind address ${JSON.stringify(input.bindAddress)} is not an IPv4 address`);
  }

  const global: string[] = [
    // No admin API: the config only changes by replacing the container, and an admin endpoint
    // would be one more listener that can rewrite the proxy.
    "admin off",
  ];
  if (input.internalCa) {
    // The local CA's root is not installed into any trust store (the test reads it from the
    // data directory instead).
    global.push("skip_install_trust");
  } else {
    global.push(`acme_ca ${quote(acmeCa)}`);
    if (input.acmeEmail !== undefined) global.push(`email ${quote(input.acmeEmail)}`);
  }
  if (input.httpPort !== undefined) global.push(`http_port ${port("httpPort", input.httpPort)}`);
  if (input.httpsPort !== undefined) global.push(`https_port ${port("httpsPort", input.httpsPort)}`);
  if (input.bindAddress !== undefined) global.push(`default_bind ${input.bindAddress}`);
  global.push(
    // HTTP/1.1 and HTTP/2 over TCP only; HTTP/3 would need udp/443 open as well.
    "servers {",
    "\tprotocols h1 h2",
    "}",
  );

  const headerLines = Object.entries(SECURITY_HEADERS).map(([k, v]) => `\t\t${k} ${quote(v)}`);
  const site: string[] = [
    ...(input.internalCa ? ["\ttls internal"] : []),
    // `defer` applies the headers after the upstream answered, so a header Grafana sets
    // (X-Frame-Options) is replaced instead of sent twice; -Server hides the proxy's version.
    "\theader {",
    "\t\tdefer",
    ...headerLines,
    "\t\t-Server",
    "\t}",
    // Caddy sets X-Forwarded-For/-Proto/-Host itself and drops client-sent copies (no
    // trusted_proxies), so Grafana sees https and the real client address.
    `\treverse_proxy ${input.upstream}`,
  ];

  return [
    "# Rendered by observability-stack (configs/caddy.ts); edits here are overwritten.",
    "{",
    ...global.map((l) => `\t${l}`),
    "}",
    "",
    // Port 80 of this site serves only the ACME HTTP-01 challenge and the redirect to HTTPS
    // (automatic HTTPS); everything else is answered on 443.
    `${input.domain} {`,
    ...site,
    "}",
    "",
  ].join("\n");
}
