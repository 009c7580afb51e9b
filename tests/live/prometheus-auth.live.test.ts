// LIVE PROOF: the real Prometheus (.tools/bin/prometheus) with the rendered web.yml and the web
// flags the component uses, on 127.0.0.1. Unauthenticated and wrongly authenticated calls to the
// admin API are refused (401), the backup job's credentials (curl with the rendered netrc file,
// as the job does) take a snapshot, the lifecycle API is off even for an authenticated user,
// the self-scrape authenticates with its password file, and the healthcheck command (promtool
// with the rendered client config) passes.
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import * as bcrypt from "bcryptjs";
import {
  PROMETHEUS_USERS,
  prometheusHealthcheck,
  prometheusWebFlags,
  renderNetrc,
  renderPrometheusClientConfig,
  renderPrometheusWebConfig,
} from "../../configs/prometheus-web";
import { renderPrometheusConfig } from "../../configs/prometheus";
import { Endpoints, NETWORK_COMPONENTS } from "../../catalog/containers";
import { ManagedProcess, freePort, makeTempDir, toolPath, waitFor, withLogOf } from "../../harness/processes";

// Letters and digits, like random.RandomPassword({ special: false }).
const PASSWORDS: Record<string, string> = {
  [PROMETHEUS_USERS.self]: "selfPw0rdAbc123",
  [PROMETHEUS_USERS.backup]: "backupPw0rdXyz789",
  [PROMETHEUS_USERS.grafana]: "grafanaPw0rdQrs456",
  [PROMETHEUS_USERS.admin]: "adminPw0rdLmn012",
};

let dir: string;
let port: number;
let base: string;
let prometheus: ManagedProcess;
let selfPasswordFile: string;

function basic(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` };
}

async function call(method: string, p: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const res = await fetch(`${base}${p}`, { method, headers, signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.text() };
}

beforeAll(async () => {
  dir = makeTempDir("obs-prom-auth");
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const hashes = Object.fromEntries(Object.entries(PASSWORDS).map(([u, p]) => [u, bcrypt.hashSync(p, 10)]));
  const webConfig = path.join(dir, "web.yml");
  fs.writeFileSync(webConfig, renderPrometheusWebConfig(hashes));
  selfPasswordFile = path.join(dir, "self_password");
  fs.writeFileSync(selfPasswordFile, PASSWORDS[PROMETHEUS_USERS.self], { mode: 0o400 });

  // Only the self-scrape matters here; the other stack jobs point at closed loopback ports.
  const closed = `127.0.0.1:${await freePort()}`;
  const endpoints = Object.fromEntries(NETWORK_COMPONENTS.map((k) => [k, closed])) as Record<keyof Endpoints, string>;
  const config = path.join(dir, "prometheus.yml");
  fs.writeFileSync(
    config,
    renderPrometheusConfig({
      scrapeInterval: "1s",
      evaluationInterval: "1s",
      endpoints: { ...endpoints, prometheus: `127.0.0.1:${port}` },
      services: [],
      integrationJobs: [],
      ruleFiles: [],
      components: { grafana: false, loki: false, alloy: false, cadvisor: false },
      selfAuth: { username: PROMETHEUS_USERS.self, passwordFile: selfPasswordFile },
    }),
  );

  prometheus = new ManagedProcess(
    "prometheus",
    toolPath("prometheus"),
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...prometheusWebFlags(webConfig),
    ],
    path.join(dir, "prometheus.log"),
  );
  prometheus.start();
  await waitFor(
    "Prometheus ready (authenticated)",
    async () => {
      prometheus.assertRunning();
      return (await call("GET", "/-/ready", basic(PROMETHEUS_USERS.admin, PASSWORDS.admin))).status === 200;
    },
    30_000,
  );
}, 40_000);

afterAll(async () => {
  await prometheus?.stop(5000);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const withLog = <T>(fn: () => Promise<T>): (() => Promise<T>) => withLogOf(() => prometheus, fn);

const SNAPSHOT = "/api/v1/admin/tsdb/snapshot";

describe("Prometheus behind its web config", () => {
  test(
    "an unauthenticated admin call is refused with 401, as is a wrong password",
    withLog(async () => {
      expect((await call("POST", SNAPSHOT)).status).toBe(401);
      expect((await call("POST", SNAPSHOT, basic(PROMETHEUS_USERS.backup, "wrong"))).status).toBe(401);
      expect((await call("POST", "/api/v1/admin/tsdb/delete_series?match[]=up")).status).toBe(401);
      // Every endpoint, reads included.
      expect((await call("GET", "/api/v1/query?query=up")).status).toBe(401);
      expect((await call("GET", "/-/healthy")).status).toBe(401);
      expect(fs.existsSync(path.join(dir, "data", "snapshots")) ? fs.readdirSync(path.join(dir, "data", "snapshots")) : []).toEqual([]);
    }),
  );

  test(
    "the backup job's credentials (curl --netrc-file, as the job runs it) take a snapshot",
    withLog(async () => {
      const netrc = path.join(dir, "netrc");
      fs.writeFileSync(netrc, renderNetrc("127.0.0.1", PROMETHEUS_USERS.backup, PASSWORDS.backup), { mode: 0o400 });
      const r = spawnSync("curl", ["-fsS", "--netrc-file", netrc, "-X", "POST", `${base}${SNAPSHOT}`], {
        encoding: "utf8",
        timeout: 15_000,
      });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const name = (JSON.parse(r.stdout) as { status: string; data: { name: string } }).data.name;
      expect(fs.statSync(path.join(dir, "data", "snapshots", name)).isDirectory()).toBe(true);
    }),
  );

  test(
    "the lifecycle API is off, even for an authenticated user",
    withLog(async () => {
      const admin = basic(PROMETHEUS_USERS.admin, PASSWORDS.admin);
      const quit = await call("POST", "/-/quit", admin);
      expect(quit.status).toBe(403);
      expect(quit.body).toMatch(/Lifecycle API is not enabled/);
      expect((await call("POST", "/-/reload", admin)).status).toBe(403);
      prometheus.assertRunning();
    }),
  );

  test(
    "the self-scrape authenticates with its password file (up == 1)",
    withLog(async () => {
      const admin = basic(PROMETHEUS_USERS.admin, PASSWORDS.admin);
      await waitFor(
        "up{job=prometheus} == 1",
        async () => {
          const r = await call("GET", `/api/v1/query?query=${encodeURIComponent('up{job="prometheus"}')}`, admin);
          const result = (JSON.parse(r.body) as { data: { result: { value: [number, string] }[] } }).data.result;
          return result.length === 1 && result[0].value[1] === "1";
        },
        15_000,
      );
    }),
  );

  test(
    "the healthcheck command passes with the client config and fails without it",
    withLog(async () => {
      const client = path.join(dir, "client.yml");
      fs.writeFileSync(client, renderPrometheusClientConfig({ username: PROMETHEUS_USERS.self, passwordFile: selfPasswordFile }));
      const [, ...args] = prometheusHealthcheck(port, client);
      const withAuth = spawnSync(
        toolPath("promtool"),
        args.map((a) => a.replace("localhost", "127.0.0.1")),
        { encoding: "utf8", timeout: 15_000 },
      );
      expect(`${withAuth.stdout}${withAuth.stderr}`).toMatch(/Healthy/);
      expect(withAuth.status).toBe(0);
      const without = spawnSync(toolPath("promtool"), ["check", "healthy", `--url=${base}`], { encoding: "utf8", timeout: 15_000 });
      expect(without.status).not.toBe(0);
    }),
  );
});
