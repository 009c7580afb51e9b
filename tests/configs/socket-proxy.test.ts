// configs/socket-proxy.ts: the allow-list the proxy compiles ("^" + pattern + "$", as
// wollomatic/socket-proxy 1.13.1 does in internal/config/config.go) admits exactly the calls
// Alloy's discovery.docker and loki.source.docker make, and nothing that reads files, executes
// or writes.
import { ALLOY_DOCKER_API, SOCKET_PROXY_DOCKER_HOST, socketProxyCommand } from "../../configs/socket-proxy";

/** The proxy's own anchoring: it concatenates, it does not wrap in a group. */
function allowed(method: string, path: string): boolean {
  const patterns = (ALLOY_DOCKER_API as Record<string, readonly string[]>)[method] ?? [];
  return patterns.some((p) => new RegExp(`^${p}$`).test(path));
}

const ID = "3f2a9c1b7d4e";

describe("the Docker API Alloy may reach through the proxy", () => {
  test.each([
    ["HEAD", "/_ping"],
    ["GET", "/_ping"],
    ["GET", "/v1.51/_ping"],
    ["GET", "/v1.51/containers/json"],
    ["GET", "/containers/json"],
    ["GET", "/v1.47/networks"],
    ["GET", `/v1.51/containers/${ID}/json`],
    ["GET", `/v1.51/containers/${ID}/logs`],
    ["GET", "/v1.51/containers/grafana/logs"],
    ["GET", "/v1.51/containers/node-exporter/json"],
    // cAdvisor
    ["GET", "/v1.51/info"],
    ["GET", "/v1.51/version"],
  ])("allows %s %s", (method, path) => {
    expect(allowed(method, path)).toBe(true);
  });

  test.each([
    // Reads that hand out files or host details.
    ["GET", `/v1.51/containers/${ID}/archive`],
    ["GET", `/v1.51/containers/${ID}/export`],
    ["GET", `/v1.51/containers/${ID}/changes`],
    ["GET", `/v1.51/containers/${ID}/top`],
    ["GET", `/v1.51/containers/${ID}/stats`],
    ["GET", `/v1.51/containers/${ID}/attach/ws`],
    ["GET", "/v1.51/events"],
    ["GET", "/v1.51/images/json"],
    ["GET", "/v1.51/infox"],
    ["GET", "/v1.51/system/info"],
    ["GET", "/v1.51/volumes"],
    ["GET", "/v1.51/secrets"],
    ["GET", "/v1.51/system/df"],
    ["GET", `/v1.51/networks/${ID}`],
    // Path tricks: a sub-path, a second segment, traversal, a bad version, a suffix.
    ["GET", `/v1.51/containers/${ID}/logs/extra`],
    ["GET", `/v1.51/containers/${ID}/../archive`],
    ["GET", `/v1.51/containers/../../containers/${ID}/archive`],
    ["GET", "/v1.51/containers/json/../create"],
    ["GET", "/v2.0/containers/json"],
    ["GET", "/v1.51/containers/jsonx"],
    ["GET", "/x/v1.51/containers/json"],
    // Writes, whatever the path.
    ["POST", "/v1.51/containers/create"],
    ["POST", `/v1.51/containers/${ID}/exec`],
    ["POST", "/v1.51/exec/abc/start"],
    ["POST", `/v1.51/containers/${ID}/json`],
    ["DELETE", `/v1.51/containers/${ID}`],
    ["PUT", `/v1.51/containers/${ID}/archive`],
    ["HEAD", `/v1.51/containers/${ID}/archive`],
  ])("refuses %s %s", (method, path) => {
    expect(allowed(method, path)).toBe(false);
  });

  test("no pattern has a top-level alternation the proxy would only half anchor", () => {
    const topLevelBars = (p: string): number => {
      let depth = 0;
      let bars = 0;
      for (const ch of p) {
        if (ch === "(") depth++;
        else if (ch === ")") depth--;
        else if (ch === "|" && depth === 0) bars++;
      }
      return bars;
    };
    expect(topLevelBars("/a|/b")).toBe(1);
    for (const p of [...ALLOY_DOCKER_API.GET, ...ALLOY_DOCKER_API.HEAD]) expect([p, topLevelBars(p)]).toEqual([p, 0]);
  });
});

describe("socketProxyCommand", () => {
  test("answers only the named clients, GET and HEAD only, with the health check and watchdog on", () => {
    const cmd = socketProxyCommand({ allowFrom: ["alloy"] });
    expect(cmd).toContain("-allowfrom=alloy");
    expect(cmd).toContain("-listenip=0.0.0.0");
    expect(cmd).toContain("-allowhealthcheck");
    expect(cmd).toContain("-stoponwatchdog");
    const methods = cmd.filter((a) => a.startsWith("-allow") && /^-allow[A-Z]+=/.test(a)).map((a) => /^-allow([A-Z]+)=/.exec(a)![1]);
    expect([...new Set(methods)].sort()).toEqual(["GET", "HEAD"]);
    expect(cmd.filter((a) => a.startsWith("-allowGET="))).toHaveLength(ALLOY_DOCKER_API.GET.length);
    expect(cmd.some((a) => /bindmount/.test(a))).toBe(false);
  });

  test("Alloy's host is the proxy over tcp", () => {
    expect(SOCKET_PROXY_DOCKER_HOST).toBe("tcp://socket-proxy:2375");
  });

  test("refuses an empty or malformed client list and a bad watchdog", () => {
    expect(() => socketProxyCommand({ allowFrom: [] })).toThrow(/at least one client/);
    expect(() => socketProxyCommand({ allowFrom: ["alloy,0.0.0.0/0"] })).toThrow(/not a container name/);
    expect(() => socketProxyCommand({ allowFrom: ["alloy"], watchdogSeconds: 0 })).toThrow(/watchdogSeconds/);
  });
});
