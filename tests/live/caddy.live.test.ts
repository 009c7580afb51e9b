// LIVE PROOF: the rendered Caddyfile runs on the real Caddy (.tools/bin/caddy) in front of a
// stand-in Grafana on 127.0.0.1. The file is the production rendering with two test-only
// differences: certificates come from Caddy's internal CA (`tls internal`, no public CA can
// reach a loopback server) and the listeners are free loopback ports instead of 80/443.
// HTTPS answers with a certificate that CA verifies, plain HTTP redirects to HTTPS, HSTS and the
// security headers are sent, and the upstream sees X-Forwarded-Proto: https.
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as path from "node:path";
import * as tls from "node:tls";
import { HSTS_VALUE, SECURITY_HEADERS, renderCaddyfile } from "../../configs/caddy";
import { ManagedProcess, freePort, makeTempDir, startCaddyWithLocalCa, withLogOf } from "../../harness/processes";

const DOMAIN = "grafana.test";

interface SeenRequest {
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
}

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly authorized?: boolean;
  readonly peerSubjectAltName?: string;
}

let dir: string;
let upstream: http.Server;
const seen: SeenRequest[] = [];
let caddy: ManagedProcess;
let httpPort: number;
let httpsPort: number;
let rootCa: string;

function request(options: https.RequestOptions, secure: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const lib = secure ? https : http;
    const req = lib.request({ host: "127.0.0.1", timeout: 5000, ...options }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => {
        const socket = res.socket as tls.TLSSocket;
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          ...(secure ? { authorized: socket.authorized, peerSubjectAltName: socket.getPeerCertificate().subjectaltname } : {}),
        });
      });
    });
    req.on("timeout", () => req.destroy(new Error("request timed out")));
    req.on("error", reject);
    req.end();
  });
}

/** `ca: null` trusts only the system's roots. */
function httpsGet(pathname: string, extraHeaders: Record<string, string> = {}, ca: string | null = rootCa): Promise<Answer> {
  return request(
    { port: httpsPort, path: pathname, servername: DOMAIN, headers: { host: DOMAIN, ...extraHeaders }, ca: ca ?? undefined, agent: false },
    true,
  );
}

beforeAll(async () => {
  dir = makeTempDir("obs-caddy-live");
  upstream = http.createServer((req, res) => {
    seen.push({ url: req.url ?? "", headers: req.headers });
    res.setHeader("Content-Type", "application/json");
    // Grafana sends this itself; the proxy must not send it twice.
    res.setHeader("X-Frame-Options", "deny");
    res.end(JSON.stringify({ database: "ok" }));
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const upstreamPort = (upstream.address() as { port: number }).port;

  httpPort = await freePort();
  httpsPort = await freePort();
  const file = path.join(dir, "Caddyfile");
  fs.writeFileSync(
    file,
    renderCaddyfile({
      domain: DOMAIN,
      upstream: `127.0.0.1:${upstreamPort}`,
      internalCa: true,
      httpPort,
      httpsPort,
      bindAddress: "127.0.0.1",
    }),
  );
  ({ process: caddy, rootCa } = await startCaddyWithLocalCa(
    dir,
    file,
    "Caddy's local CA root and a certificate for the site",
    async (ca) =>
      (await request({ port: httpsPort, path: "/api/health", servername: DOMAIN, headers: { host: DOMAIN }, ca, agent: false }, true))
        .status === 200,
  ));
}, 30_000);

afterAll(async () => {
  await caddy?.stop(5000);
  await new Promise((resolve) => upstream?.close(resolve));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const withLog = <T>(fn: () => Promise<T>): (() => Promise<T>) => withLogOf(() => caddy, fn);

describe("Caddy in front of a stand-in Grafana", () => {
  test(
    "HTTPS answers with a certificate for the domain that the local CA verifies",
    withLog(async () => {
      const r = await httpsGet("/api/health");
      expect(r.status).toBe(200);
      expect(r.authorized).toBe(true);
      expect(r.peerSubjectAltName).toBe(`DNS:${DOMAIN}`);
      expect(JSON.parse(r.body)).toEqual({ database: "ok" });
    }),
  );

  test(
    "the certificate is not trusted without that CA (the check above can fail)",
    withLog(async () => {
      await expect(httpsGet("/api/health", {}, null)).rejects.toThrow(/certificate/i);
    }),
  );

  test(
    "HSTS and the security headers are sent once each; the proxy does not name itself",
    withLog(async () => {
      const r = await httpsGet("/login");
      expect(r.headers["strict-transport-security"]).toBe(HSTS_VALUE);
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        expect([name, r.headers[name.toLowerCase()]]).toEqual([name, value]);
      }
      expect(r.headers.server).toBeUndefined();
    }),
  );

  test(
    "the upstream sees X-Forwarded-Proto https, the client address and the original host, even when the client lies",
    withLog(async () => {
      const before = seen.length;
      await httpsGet("/api/dashboards?x=1", { "X-Forwarded-Proto": "http", "X-Forwarded-For": "203.0.113.9" });
      const req = seen[seen.length - 1];
      expect(seen.length).toBe(before + 1);
      expect(req.url).toBe("/api/dashboards?x=1");
      expect(req.headers["x-forwarded-proto"]).toBe("https");
      expect(req.headers["x-forwarded-for"]).toBe("127.0.0.1");
      expect(req.headers.host).toBe(DOMAIN);
    }),
  );

  test(
    "plain HTTP is redirected permanently to HTTPS with the path and query kept, never proxied",
    withLog(async () => {
      const before = seen.length;
      const r = await request({ port: httpPort, path: "/d/overview?orgId=1", headers: { host: DOMAIN }, agent: false }, false);
      expect(r.status).toBe(308);
      // Caddy leaves its configured https_port out of the redirect: it stands for 443 as seen
      // by clients (the container's 443 is published as the host's 443).
      expect(r.headers.location).toBe(`https://${DOMAIN}/d/overview?orgId=1`);
      expect(seen.length).toBe(before);
    }),
  );

  test(
    "the ACME HTTP-01 challenge path on port 80 is Caddy's, not Grafana's",
    withLog(async () => {
      const before = seen.length;
      const r = await request(
        { port: httpPort, path: "/.well-known/acme-challenge/some-token", headers: { host: DOMAIN }, agent: false },
        false,
      );
      // No challenge is pending (internal CA), so Caddy answers it with a redirect like any
      // other path; the point is that nothing on port 80 reaches the upstream.
      expect([308, 404]).toContain(r.status);
      expect(seen.length).toBe(before);
    }),
  );
});
