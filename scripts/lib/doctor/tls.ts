// TLS: the certificate Grafana's domain presents, verified as a browser would (the system CAs,
// the domain's name) and with enough days left.
import * as tls from "node:tls";
import { CheckResult, fail, pass } from "./types";

export function tlsCheck(
  domain: string,
  address: { host: string; port: number },
  minDays: number,
  timeoutMs: number,
  ca?: string,
): Promise<CheckResult> {
  const name = "tls certificate";
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: address.host,
      port: address.port,
      servername: domain,
      ca: ca ? [...tls.rootCertificates, ca] : undefined,
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    const done = (r: CheckResult) => {
      socket.destroy();
      resolve(r);
    };
    socket.once("secureConnect", () => {
      const cert = socket.getPeerCertificate();
      if (!socket.authorized) return done(fail(name, `${domain}: not trusted: ${String(socket.authorizationError)}`));
      const days = (new Date(cert.valid_to).getTime() - Date.now()) / 86_400_000;
      const detail = `${domain}: issued by ${cert.issuer?.O ?? cert.issuer?.CN ?? "?"}, expires ${cert.valid_to} (${Math.floor(days)} days)`;
      done(
        days >= minDays ? pass(name, detail) : fail(name, `${detail}: fewer than ${minDays} days left; is Caddy renewing it (its logs)?`),
      );
    });
    socket.once("timeout", () => done(fail(name, `${domain} (${address.host}:${address.port}): no TLS answer in time`)));
    socket.once("error", (e) => done(fail(name, `${domain} (${address.host}:${address.port}): ${e.message}`)));
  });
}
