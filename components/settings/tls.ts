// TLS in front of Grafana: the public name, the ACME account and CA, and the optional Route 53
// record. Without a domain there is no proxy, and on ec2 nothing about Grafana is exposed.
import { acmeCaProblem, acmeEmailProblem, domainProblem } from "../../configs/caddy";
import { checkAsciiAddress, checkIPv4, checkNoCredentialsInUrl, checkNotLinkLocal, show } from "./checks";
import { Reader } from "./reader";
import { Target } from "./schema";

export interface TlsSettings {
  /** Public hostname of Grafana. */
  readonly domain: string;
  readonly acmeEmail?: string;
  /** ACME directory URL; undefined means Let's Encrypt. */
  readonly acmeCa?: string;
  /** Hosted zone for the A record (ec2 only). */
  readonly route53ZoneId?: string;
  /** Host address Caddy's 80 and 443 are published on (local only; required there). */
  readonly bindAddress?: string;
}

export function readTls(r: Reader, target: Target): TlsSettings | undefined {
  const domain = r.value<string>("grafanaDomain", (v) => {
    if (v === "") return undefined;
    const ascii = checkAsciiAddress(v, "host name");
    if (ascii) return ascii;
    const p = domainProblem(v);
    return p ? `${show(v)} is not accepted; use ${p}, e.g. grafana.example.com` : undefined;
  });
  const acmeEmail = r.value<string>("acmeEmail", (v) => {
    if (v === "") return undefined;
    const ascii = checkAsciiAddress(v, "e-mail address");
    if (ascii) return ascii;
    const p = acmeEmailProblem(v);
    return p ? `${show(v)} is not accepted; use ${p}` : undefined;
  });
  const acmeCa = r.value<string>("acmeCa", (v) => {
    if (v === "") return undefined;
    const early = checkAsciiAddress(v, "URL") ?? checkNoCredentialsInUrl(v, undefined);
    if (early) return early;
    const p = acmeCaProblem(v);
    return p ? `${show(v)} is not accepted; use ${p}` : checkNotLinkLocal(v);
  });
  const wide = r.value<boolean>("allowWideIngress");
  const bindAddress = r.value<string>("proxyBindAddress", (v) => {
    if (v === "") return undefined;
    const p = checkIPv4(v);
    if (p) return p;
    return v === "0.0.0.0" && !wide
      ? `${show(v)} publishes the proxy on every interface of the host; use the address Grafana's users reach (e.g. the LAN address), or set allowWideIngress: true if you mean every interface`
      : undefined;
  });
  const route53ZoneId = r.value<string>("route53ZoneId", (v) =>
    v === "" || /^Z[A-Z0-9]{1,31}$/.test(v) ? undefined : `${show(v)} is not a Route 53 hosted zone id; use e.g. Z0123456789ABCDEFGHIJ`,
  );

  if (domain === "") {
    for (const key of ["acmeEmail", "acmeCa", "route53ZoneId", "proxyBindAddress"]) {
      if (r.isSet(key) && !r.hasProblem(key)) r.fail(key, "is only used with grafanaDomain; set grafanaDomain or remove it");
    }
    return undefined;
  }
  if (route53ZoneId !== "" && target !== "ec2") {
    r.fail("route53ZoneId", `is only used with target ec2 (the record points at the host's Elastic IP); this stack's target is ${target}`);
  }
  if (target === "ec2" && bindAddress !== "") {
    r.fail(
      "proxyBindAddress",
      "is only used with target local; on ec2 the proxy listens on the host's address and the security group (grafanaAllowedCidrs) fences it",
    );
  }
  if (target === "local" && bindAddress === "" && !r.hasProblem("proxyBindAddress")) {
    // Without it Docker would publish 80 and 443 on every interface, with no allow-list in front.
    r.fail(
      "proxyBindAddress",
      `is missing; with grafanaDomain on target local the proxy would publish 80 and 443 on every interface of the host with no allow-list: set the address Grafana's users reach (e.g. the LAN address), or 0.0.0.0 with allowWideIngress: true`,
    );
  }
  return {
    bindAddress: target === "local" && bindAddress !== "" ? bindAddress : undefined,
    domain,
    acmeEmail: acmeEmail || undefined,
    acmeCa: acmeCa || undefined,
    route53ZoneId: route53ZoneId && target === "ec2" ? route53ZoneId : undefined,
  };
}
