// TLS in front of Grafana: the public name, the ACME account and CA, and the optional Route 53
// record. Without a domain there is no proxy, and on ec2 nothing about Grafana is exposed.
import { acmeCaProblem, acmeEmailProblem, domainProblem } from "../../configs/caddy";
import { show } from "./checks";
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
}

export function readTls(r: Reader, target: Target): TlsSettings | undefined {
  const domain = r.value<string>("grafanaDomain", (v) => {
    if (v === "") return undefined;
    const p = domainProblem(v);
    return p ? `${show(v)} is not accepted; use ${p}, e.g. grafana.example.com` : undefined;
  });
  const acmeEmail = r.value<string>("acmeEmail", (v) => {
    const p = v === "" ? undefined : acmeEmailProblem(v);
    return p ? `${show(v)} is not accepted; use ${p}` : undefined;
  });
  const acmeCa = r.value<string>("acmeCa", (v) => {
    const p = v === "" ? undefined : acmeCaProblem(v);
    return p ? `${show(v)} is not accepted; use ${p}` : undefined;
  });
  const route53ZoneId = r.value<string>("route53ZoneId", (v) =>
    v === "" || /^Z[A-Z0-9]{1,31}$/.test(v) ? undefined : `${show(v)} is not a Route 53 hosted zone id; use e.g. Z0123456789ABCDEFGHIJ`,
  );

  if (domain === "") {
    for (const key of ["acmeEmail", "acmeCa", "route53ZoneId"]) {
      if (r.isSet(key) && !r.hasProblem(key)) r.fail(key, "is only used with grafanaDomain; set grafanaDomain or remove it");
    }
    return undefined;
  }
  if (route53ZoneId !== "" && target !== "ec2") {
    r.fail("route53ZoneId", `is only used with target ec2 (the record points at the host's Elastic IP); this stack's target is ${target}`);
  }
  return {
    domain,
    acmeEmail: acmeEmail || undefined,
    acmeCa: acmeCa || undefined,
    route53ZoneId: route53ZoneId && target === "ec2" ? route53ZoneId : undefined,
  };
}
