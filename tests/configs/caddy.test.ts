// configs/caddy.ts: the rendered Caddyfile is accepted by the real Caddy (`caddy validate`,
// .tools/bin/caddy), validation stays offline (it never contacts the ACME CA), and every input
// that could break out of a Caddyfile token is refused with a message naming it.
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { HSTS_VALUE, LETS_ENCRYPT_DIRECTORY, LETS_ENCRYPT_STAGING_DIRECTORY, SECURITY_HEADERS, renderCaddyfile } from "../../configs/caddy";
import { tempDir, tool } from "../helpers/tools";

const PROD = { domain: "grafana.example.com", upstream: "grafana:3000", acmeEmail: "ops@example.com" };

interface CaddyResult {
  readonly status: number | null;
  readonly output: string;
}

/** Runs the real caddy with its data and config directories (and HOME) in a temp dir. */
function caddy(args: string[], home: string): Promise<CaddyResult> {
  return new Promise((resolve) => {
    const env = { ...process.env, HOME: home, XDG_DATA_HOME: path.join(home, "data"), XDG_CONFIG_HOME: path.join(home, "config") };
    const child = spawn(tool("caddy"), args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr.on("data", (b: Buffer) => (output += b.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

async function validate(text: string): Promise<CaddyResult & { home: string }> {
  const home = tempDir("caddy");
  const file = path.join(home, "Caddyfile");
  fs.writeFileSync(file, text);
  const r = await caddy(["validate", "--config", file, "--adapter", "caddyfile"], home);
  return { ...r, home };
}

describe("renderCaddyfile", () => {
  test("the production file passes caddy validate, formatted as caddy fmt would write it", async () => {
    const text = renderCaddyfile(PROD);
    const r = await validate(text);
    expect(r.output).toContain("Valid configuration");
    expect(r.status).toBe(0);
    expect(r.output).not.toMatch(/not formatted/);
    expect(r.output).toContain("enabling automatic HTTP->HTTPS redirects");
  });

  test("Let's Encrypt is the default CA, the e-mail is the account contact, no admin API, no HTTP/3", () => {
    const text = renderCaddyfile(PROD);
    expect(text).toContain(`acme_ca "${LETS_ENCRYPT_DIRECTORY}"`);
    expect(text).toContain('email "ops@example.com"');
    expect(text).toMatch(/^\tadmin off$/m);
    expect(text).toMatch(/^\t\tprotocols h1 h2$/m);
    expect(text).toMatch(/^grafana\.example\.com \{$/m);
    expect(text).toMatch(/^\treverse_proxy grafana:3000$/m);
    expect(text).not.toContain("tls internal");
  });

  test("every security header is set once, deferred so Grafana's own copy is replaced", () => {
    const text = renderCaddyfile(PROD);
    expect(text).toMatch(/^\t\tdefer$/m);
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) {
      expect(text.split(`\t\t${k} "${v}"`).length).toBe(2);
    }
    expect(SECURITY_HEADERS["Strict-Transport-Security"]).toBe(HSTS_VALUE);
    expect(text).toMatch(/^\t\t-Server$/m);
  });

  test("the staging CA and the internal-CA test variant pass caddy validate", async () => {
    for (const text of [
      renderCaddyfile({ ...PROD, acmeCa: LETS_ENCRYPT_STAGING_DIRECTORY }),
      renderCaddyfile({
        domain: "grafana.test",
        upstream: "127.0.0.1:3000",
        internalCa: true,
        httpPort: 18080,
        httpsPort: 18443,
        bindAddress: "127.0.0.1",
      }),
    ]) {
      const r = await validate(text);
      expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: expect.stringContaining("Valid configuration") });
    }
  });

  test("caddy validate does not contact the ACME CA or write certificates", async () => {
    // A CA directory on loopback that counts connections: validation must open none.
    let connections = 0;
    const server = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      const r = await validate(renderCaddyfile({ ...PROD, acmeCa: `https://127.0.0.1:${port}/directory` }));
      expect(r.status).toBe(0);
      // Give a stray background request time to arrive before counting.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(connections).toBe(0);
      const certs = path.join(r.home, "data", "caddy", "certificates");
      expect(fs.existsSync(certs) ? fs.readdirSync(certs) : []).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("a broken file is rejected by caddy validate (the check can fail)", async () => {
    const r = await validate(renderCaddyfile(PROD).replace("reverse_proxy grafana", "reverse_proxyy grafana"));
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/unrecognized directive: reverse_proxyy/);
  });

  test.each([
    ["https://grafana.example.com", "domain"],
    ["grafana.example.com:443", "domain"],
    ["grafana", "domain"],
    ["Grafana.Example.com", "domain"],
    ["*.example.com", "domain"],
    ["192.0.2.10", "domain"],
    ["grafana.example.com {\n}\nevil.com", "domain"],
    ["-grafana.example.com", "domain"],
    ["grafana..example.com", "domain"],
  ])("refuses the domain %j", (domain, what) => {
    expect(() => renderCaddyfile({ ...PROD, domain })).toThrow(new RegExp(`Caddy ${what} .*is not accepted`));
  });

  test.each([["ops"], ["ops@example"], ['ops"@example.com'], ["ops@example.com\n}"], ["ops @example.com"]])(
    "refuses the ACME e-mail %j",
    (acmeEmail) => {
      expect(() => renderCaddyfile({ ...PROD, acmeEmail })).toThrow(/ACME e-mail .* is not accepted; use an e-mail address/);
    },
  );

  test.each([
    ["http://acme.example.com/directory"],
    ["acme-staging-v02.api.letsencrypt.org/directory"],
    ['https://acme.example.com/"dir'],
    ["https://acme.example.com/dir\n}"],
    ["https://user:pw@acme.example.com/directory"],
    [""],
  ])("refuses the ACME CA %j", (acmeCa) => {
    expect(() => renderCaddyfile({ ...PROD, acmeCa })).toThrow(/ACME CA .* is not accepted; use an https URL/);
  });

  test("refuses an upstream that is not host:port and ports out of range", () => {
    expect(() => renderCaddyfile({ ...PROD, upstream: "http://grafana:3000" })).toThrow(/upstream/);
    expect(() => renderCaddyfile({ ...PROD, httpPort: 0 })).toThrow(/httpPort 0 is not a TCP port/);
    expect(() => renderCaddyfile({ ...PROD, httpsPort: 70000 })).toThrow(/httpsPort 70000/);
    expect(() => renderCaddyfile({ ...PROD, bindAddress: "localhost" })).toThrow(/bind address/);
  });
});
