// The prod stack with grafanaDomain set, run as the program under mocks: Caddy in front of
// Grafana with its certificates on a retained volume, 80/443 in the security group (and nothing
// on Grafana's port), Grafana on the host's loopback with an https root URL and secure cookies,
// the Route 53 record, and grafanaUrl = https://<domain>. The rendered Caddyfile passes the real
// `caddy validate`.
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { ProgramRun, RecordedResource, runProgram, uploadsOf } from "../../harness/mock-program";
import { tempDir, tool } from "../helpers/tools";

const DOMAIN = "grafana.example.com";
const CONTAINER = "docker:index/container:Container";
let prog: ProgramRun;
let containers: Record<string, RecordedResource>;

beforeAll(async () => {
  prog = await runProgram({
    stack: "prod",
    config: {
      grafanaDomain: DOMAIN,
      acmeEmail: "ops@example.com",
      route53ZoneId: "Z0123456789ABCDEFGHIJ",
      grafanaAllowedCidrs: ["203.0.113.0/24", "198.51.100.0/24"],
    },
  });
  containers = {};
  // Services only: the secret carriers (created, never started) are checked on their own.
  for (const c of prog.byType(CONTAINER)) if (c.inputs.start !== false) containers[String(c.inputs.name)] = c;
});

test("the security group: 22 from the SSH CIDRs, 443 from the Grafana CIDRs, 80 from all for ACME; nothing on Grafana's port", () => {
  const sg = prog.byType("aws:ec2/securityGroup:SecurityGroup")[0].inputs;
  const rules = (sg.ingress as { fromPort: number; toPort: number; cidrBlocks: string[]; ipv6CidrBlocks?: string[] }[])
    .map((r) => ({ from: r.fromPort, to: r.toPort, cidrs: r.cidrBlocks, v6: r.ipv6CidrBlocks }))
    .sort((a, b) => a.from - b.from);
  expect(rules).toEqual([
    { from: 22, to: 22, cidrs: ["198.51.100.7/32"], v6: undefined },
    { from: 80, to: 80, cidrs: ["0.0.0.0/0"], v6: ["::/0"] },
    { from: 443, to: 443, cidrs: ["203.0.113.0/24", "198.51.100.0/24"], v6: undefined },
  ]);
});

test("Caddy publishes 80 and 443 and keeps its certificates on a volume that survives destroy", () => {
  const caddy = containers.caddy;
  expect(caddy.inputs.ports).toEqual([
    { internal: 80, external: 80, ip: "0.0.0.0", protocol: "tcp" },
    { internal: 443, external: 443, ip: "0.0.0.0", protocol: "tcp" },
  ]);
  expect(caddy.inputs.volumes).toEqual([{ volumeName: "caddy-data", containerPath: "/data", readOnly: false }]);
  const volume = prog.byType("docker:index/volume:Volume").find((v) => v.inputs.name === "caddy-data");
  expect(volume).toBeDefined();
  expect((caddy.inputs.capabilities as { adds: string[] }).adds).toEqual(["NET_BIND_SERVICE"]);
  const image = prog.byType("docker:index/remoteImage:RemoteImage").find((i) => i.name === "tls-caddy-image");
  expect(image?.inputs.name).toBe("caddy:2.11.4");
});

test("the Caddyfile proxies the domain to Grafana with ACME and passes caddy validate", () => {
  const text = uploadsOf(containers.caddy)["/etc/caddy/Caddyfile"];
  expect(text).toMatch(new RegExp(`^${DOMAIN.replace(/\./g, "\\.")} \\{$`, "m"));
  expect(text).toContain("reverse_proxy grafana:3000");
  expect(text).toContain('email "ops@example.com"');
  expect(text).toContain('acme_ca "https://acme-v02.api.letsencrypt.org/directory"');
  const dir = tempDir("tls-prod");
  const file = path.join(dir, "Caddyfile");
  fs.writeFileSync(file, text);
  const env = { ...process.env, HOME: dir, XDG_DATA_HOME: path.join(dir, "data"), XDG_CONFIG_HOME: path.join(dir, "config") };
  const r = spawnSync(tool("caddy"), ["validate", "--config", file, "--adapter", "caddyfile"], { encoding: "utf8", env, timeout: 30_000 });
  expect(`${r.stdout}${r.stderr}`).toContain("Valid configuration");
  expect(r.status).toBe(0);
});

test("Grafana stays on the host's loopback, with an https root URL and Secure, SameSite cookies", () => {
  const g = containers.grafana;
  expect(g.inputs.ports).toEqual([{ internal: 3000, external: 3000, ip: "127.0.0.1", protocol: "tcp" }]);
  const env = Object.fromEntries((g.inputs.envs as string[]).map((e) => e.split(/=(.*)/s).slice(0, 2)));
  expect(env).toMatchObject({
    GF_SERVER_ROOT_URL: `https://${DOMAIN}`,
    GF_SECURITY_COOKIE_SECURE: "true",
    GF_SECURITY_COOKIE_SAMESITE: "lax",
  });
  for (const [name, c] of Object.entries(containers)) {
    for (const p of (c.inputs.ports as { ip: string }[] | undefined) ?? []) {
      expect({ name, ip: p.ip }).toEqual({ name, ip: name === "caddy" ? "0.0.0.0" : "127.0.0.1" });
    }
  }
});

test("the A record points grafanaDomain at the Elastic IP; grafanaUrl is https://<domain>", () => {
  const records = prog.byType("aws:route53/record:Record");
  expect(records.map((r) => r.inputs)).toEqual([
    expect.objectContaining({ zoneId: "Z0123456789ABCDEFGHIJ", name: DOMAIN, type: "A", records: [prog.outputs.publicIp.value] }),
  ]);
  expect(prog.outputs.grafanaUrl.value).toBe(`https://${DOMAIN}`);
});
