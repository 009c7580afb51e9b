// TLS in front of Grafana (the grafanaDomain setting): Caddy obtains and renews the certificate
// from an ACME CA, redirects HTTP to HTTPS, adds HSTS and the security headers, and proxies to
// Grafana on the stack network (configs/caddy.ts). Certificates and the ACME account live on a
// volume that survives `pulumi destroy`, so a redeploy does not ask the CA again (rate limits).
import * as pulumi from "@pulumi/pulumi";
import { Placement, ServiceContainer } from "./container";
import { CATALOG } from "../catalog/containers";
import { CADDY_CONFIG_PATH, CADDY_DATA_DIR, renderCaddyfile } from "../configs/caddy";

export interface TlsProxyArgs {
  readonly placement: Placement;
  /** Public hostname (no scheme). */
  readonly domain: string;
  readonly acmeEmail?: string;
  /** ACME directory; default Let's Encrypt. */
  readonly acmeCa?: string;
  /** host:port of Grafana on the stack network. */
  readonly upstream: string;
  /** Host address 80 and 443 are published on. Default all addresses. */
  readonly bindAddress?: string;
}

export class TlsProxy extends pulumi.ComponentResource {
  readonly container: ServiceContainer;
  /** https://<domain> */
  readonly url: string;

  constructor(name: string, args: TlsProxyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:TlsProxy", name, {}, opts);
    const ip = args.bindAddress ?? "0.0.0.0";

    this.container = new ServiceContainer(
      `${name}-caddy`,
      {
        ...args.placement,
        service: CATALOG.caddy.container,
        command: ["caddy", "run", "--config", CADDY_CONFIG_PATH, "--adapter", "caddyfile"],
        files: [
          {
            path: CADDY_CONFIG_PATH,
            content: renderCaddyfile({ domain: args.domain, upstream: args.upstream, acmeEmail: args.acmeEmail, acmeCa: args.acmeCa }),
          },
        ],
        // ServiceContainer volumes are retained on delete: the certificates survive a destroy.
        volumes: [{ name: "data", containerPath: CADDY_DATA_DIR }],
        ports: [
          { internal: 80, external: 80, ip },
          { internal: 443, external: 443, ip },
        ],
        // No healthcheck: with the admin API off, every local HTTP request is redirected to the
        // public name, which the container may not reach from inside (no hairpin NAT).
      },
      { parent: this },
    );
    this.url = `https://${args.domain}`;

    this.registerOutputs({ url: this.url, containerName: this.container.containerName });
  }
}
