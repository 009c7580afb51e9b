// configs/container-security.ts: every container states its user (from the catalogue), drops
// every capability and adds back only named ones, and every deviation from the default says why.
import * as fs from "node:fs";
import * as path from "node:path";
import { ALL_CONTAINERS } from "../../integrations";
import { CAP_DROP, DEFAULT_SECURITY, SECURITY_OPTS, SECURITY_PROFILES, securityProfile } from "../../configs/container-security";

/** Every container the program can create, with the user its image runs as. */
const CATALOGUE = Object.values(ALL_CONTAINERS).map((e) => e.container);
const profile = (container: string) =>
  securityProfile(container, Object.values(ALL_CONTAINERS).find((e) => e.container === container)?.user);

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
  "mysqld-exporter",
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
    const p = profile(name);
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
    const root = CONTAINERS.filter((c) => profile(c).user === "0:0").sort();
    expect(root).toEqual(["backup", "caddy", "cadvisor", "socket-proxy"]);
    const withCaps = Object.fromEntries(CONTAINERS.map((c) => [c, profile(c).capAdd]).filter(([, caps]) => caps.length > 0));
    expect(withCaps).toEqual({
      backup: ["DAC_OVERRIDE", "CHOWN", "FOWNER"],
      caddy: ["NET_BIND_SERVICE"],
      cadvisor: ["SYSLOG"],
    });
    for (const c of CONTAINERS) expect(profile(c).capAdd).not.toContain("SYS_ADMIN");
  });

  test("read-only root for the containers that receive no uploaded files", () => {
    expect(CONTAINERS.filter((c) => profile(c).readOnlyRoot).sort()).toEqual(["cadvisor", "node-exporter", "socket-proxy"]);
  });
});

describe("task limits", () => {
  test("every catalogue container has a whole-number task limit; lower than the default only with a reason", () => {
    expect(DEFAULT_SECURITY.pids).toBe(1024);
    for (const c of CATALOGUE) {
      const pids = profile(c).pids;
      expect({ c, pids, sane: Number.isInteger(pids) && pids >= 128 && pids <= 4096 }).toEqual({ c, pids, sane: true });
      if (pids < DEFAULT_SECURITY.pids)
        expect({ c, why: SECURITY_PROFILES[c]?.why }).toEqual({ c, why: expect.stringContaining("fewer tasks") });
    }
    const lowered = Object.fromEntries(CATALOGUE.map((c) => [c, profile(c).pids]).filter(([, p]) => p !== DEFAULT_SECURITY.pids));
    expect(lowered).toEqual({ backup: 256, "backup-verify": 256, "grafana-db-copy": 256, "backup-restore": 256, "socket-proxy": 256 });
  });

  test("docs/security.md's derived table states each running container's task limit on ec2 as its profile sets it", () => {
    const doc = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "security.md"), "utf8").split("\n");
    const header = doc.findIndex((l) => l.startsWith("| container | runs | user |"));
    expect(doc[header]).toMatch(/\| tasks \(ec2\) \|$/);
    const stated: Record<string, number> = {};
    for (const line of doc.slice(header + 2)) {
      if (!line.startsWith("|")) break;
      const cells = line
        .split("|")
        .slice(1, -1)
        .map((x) => x.trim());
      if (cells[1].startsWith("never started")) continue;
      stated[cells[0]] = Number(cells[cells.length - 1]);
    }
    expect(stated).toEqual(Object.fromEntries(CATALOGUE.map((c) => [c, profile(c).pids])));
  });
});
