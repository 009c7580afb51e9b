// configs/container-security.ts: every container states its user (from the catalogue), drops
// every capability and adds back only named ones, and every deviation from the default says why.
import { CAP_DROP, DEFAULT_SECURITY, SECURITY_OPTS, SECURITY_PROFILES, securityProfile } from "../../configs/container-security";

const CONTAINERS = [
  "prometheus",
  "alertmanager",
  "grafana",
  "loki",
  "alloy",
  "node-exporter",
  "cadvisor",
  "postgres-exporter",
  "redis-exporter",
  "blackbox-exporter",
  "backup",
  "caddy",
  "socket-proxy",
];

describe("container security profiles", () => {
  test("all capabilities dropped and no-new-privileges for everyone", () => {
    expect(CAP_DROP).toEqual(["ALL"]);
    expect(SECURITY_OPTS).toEqual(["no-new-privileges:true"]);
    expect(DEFAULT_SECURITY.capAdd).toEqual([]);
  });

  test.each(CONTAINERS)("%s runs as an explicit uid:gid from the catalogue and explains any deviation", (name) => {
    const p = securityProfile(name);
    expect(p.user).toMatch(/^\d+:\d+$/);
    const override = SECURITY_PROFILES[name];
    if (override) expect(override.why).toEqual(expect.stringMatching(/\w{3,}/));
    expect(p.nproc).toBeGreaterThanOrEqual(1024);
    for (const [path, opts] of Object.entries(p.tmpfs)) {
      expect(path).toMatch(/^\/[a-z/]+$/);
      expect(opts).toMatch(/(^|,)nosuid(,|$)/);
    }
  });

  test("root only where a reason needs it, and capabilities only there", () => {
    const root = CONTAINERS.filter((c) => securityProfile(c).user === "0:0").sort();
    expect(root).toEqual(["backup", "caddy", "cadvisor", "socket-proxy"]);
    const withCaps = Object.fromEntries(CONTAINERS.map((c) => [c, securityProfile(c).capAdd]).filter(([, caps]) => caps.length > 0));
    expect(withCaps).toEqual({
      backup: ["DAC_OVERRIDE", "CHOWN", "FOWNER"],
      caddy: ["NET_BIND_SERVICE"],
      cadvisor: ["SYSLOG"],
    });
    for (const c of CONTAINERS) expect(securityProfile(c).capAdd).not.toContain("SYS_ADMIN");
  });

  test("read-only root for the containers that receive no uploaded files", () => {
    expect(CONTAINERS.filter((c) => securityProfile(c).readOnlyRoot).sort()).toEqual(["cadvisor", "node-exporter", "socket-proxy"]);
  });
});
