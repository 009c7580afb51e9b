// LIVE PROOF of the mysql integration, on real binaries on 127.0.0.1: a MariaDB server (Debian's
// mariadb-server-core), mysqld_exporter (Debian sid's prometheus-mysqld-exporter, the same
// upstream project as the prom/mysqld-exporter image) started with the command and my.cnf the
// integration module renders, and Prometheus scraping it with the integration's scrape job and
// rule file as the program deploys them (`for:` divided by TIME_SCALE). Every alert of the
// integration is driven by the real server's metrics: connections held open, slow queries, the
// server stopped, the exporter stopped.
import * as childProcess from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { metricsOf } from "../../integrations";
import { mysql } from "../../integrations/mysql";
import { SECRETS_DIR } from "../../components/container";
import { ManagedProcess, PromAlert, freePort, makeTempDir, toolPath, waitFor } from "../../harness/processes";
import { LiveStack } from "../../harness/live-stack";

/** 1m → 2s, 2m → 4s, 5m → 10s. */
const TIME_SCALE = 30;
const MAX_CONNECTIONS = 20;
const EXPORTER_PASSWORD = "s3cret#;with `quotes'\" and spaces";

let dir: string;
let socket: string;
let server: ManagedProcess;
let exporter: ManagedProcess;
let stack: LiveStack;
const sessions: childProcess.ChildProcess[] = [];

/** Runs SQL as root over the server's socket. */
function sql(statements: string): string {
  const r = childProcess.spawnSync(toolPath("mariadb"), ["--no-defaults", "-uroot", `--socket=${socket}`, "-N", "-e", statements], {
    encoding: "utf8",
    timeout: 20_000,
  });
  if (r.status !== 0) throw new Error(`mariadb -e ${statements}: ${r.stderr}`);
  return r.stdout;
}

async function firing(name: string): Promise<PromAlert | undefined> {
  return (await stack.prom.alerts()).find((a) => a.labels.alertname === name && a.state === "firing");
}

async function state(name: string): Promise<string> {
  return (await stack.prom.alerts()).find((a) => a.labels.alertname === name)?.state ?? "inactive";
}

beforeAll(async () => {
  dir = makeTempDir("mysql-live");
  socket = path.join(dir, "mysqld.sock");
  const data = path.join(dir, "data");
  const asRoot = process.getuid?.() === 0 ? ["--user=root"] : [];
  const install = childProcess.spawnSync(
    toolPath("mariadb-install-db"),
    ["--no-defaults", `--datadir=${data}`, "--auth-root-authentication-method=normal", "--skip-test-db", ...asRoot],
    { encoding: "utf8", timeout: 60_000 },
  );
  if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stdout}${install.stderr}`);

  const port = await freePort();
  server = new ManagedProcess(
    "mariadbd",
    toolPath("mariadbd"),
    [
      "--no-defaults",
      `--datadir=${data}`,
      `--socket=${socket}`,
      `--port=${port}`,
      "--bind-address=127.0.0.1",
      `--max-connections=${MAX_CONNECTIONS}`,
      "--innodb-buffer-pool-size=16M",
      "--skip-name-resolve",
      `--pid-file=${path.join(dir, "mysqld.pid")}`,
      ...asRoot,
    ],
    path.join(dir, "mariadbd.log"),
  );
  server.start();
  await waitFor(
    "mariadbd accepts connections",
    () => {
      server.assertRunning();
      return sql("SELECT 1").trim() === "1";
    },
    30_000,
  );
  // The exporter's user with the grants the runbook names; slow queries from 10 ms on.
  const quoted = EXPORTER_PASSWORD.replace(/\\/g, "\\\\").replace(/'/g, "\\'");
  sql(
    `CREATE USER 'exporter'@'127.0.0.1' IDENTIFIED BY '${quoted}'; GRANT PROCESS, REPLICATION CLIENT, SELECT ON *.* TO 'exporter'@'127.0.0.1'; SET GLOBAL long_query_time = 0.01;`,
  );

  // The exporter exactly as the module runs it: its command, its my.cnf (secrets dir moved here).
  const config = { address: `127.0.0.1:${port}`, user: "exporter" };
  const run = mysql.exporter!.run(config, ["mysqlPassword"]);
  const secrets = path.join(dir, "secrets");
  fs.mkdirSync(secrets);
  for (const f of run.secretFiles ?? [])
    fs.writeFileSync(path.join(secrets, f.name), f.content({ mysqlPassword: EXPORTER_PASSWORD }), { mode: 0o400 });
  const exporterAddress = `127.0.0.1:${await freePort()}`;
  exporter = new ManagedProcess(
    "mysqld_exporter",
    toolPath("mysqld_exporter"),
    [...(run.command ?? []).map((a) => a.replace(SECRETS_DIR, secrets)), `--web.listen-address=${exporterAddress}`],
    path.join(dir, "mysqld_exporter.log"),
  );
  exporter.start();
  await waitFor(
    "mysqld_exporter answers",
    async () => {
      exporter.assertRunning();
      return (await fetch(`http://${exporterAddress}/metrics`, { signal: AbortSignal.timeout(5000) })).ok;
    },
    20_000,
  );

  stack = await LiveStack.create({
    name: "mysql",
    scrapeInterval: "1s",
    evaluationInterval: "1s",
    timeScale: TIME_SCALE,
    routeTimings: "suite",
    services: [],
    integrations: { mysql: config },
    components: { grafana: false, loki: false, alloy: false, cadvisor: false },
    run: { nodeExporter: false, blackbox: false, alertmanager: false },
    endpointOverrides: { mysqldExporter: exporterAddress },
    webhookUrl: "http://127.0.0.1:9/unused",
    heartbeatUrl: "http://127.0.0.1:9/unused",
  });
  await stack.startAll();
}, 150_000);

afterAll(async () => {
  for (const s of sessions) s.kill("SIGKILL");
  await stack?.stopAll();
  await exporter?.stop();
  await server?.stop(20_000);
  stack?.cleanup();
  if (dir && process.env.LIVE_KEEP_TMP !== "1") fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

test("live mysql: the exporter connects with the module's my.cnf and every listed metric exists on the real exporter", async () => {
  const up = await waitFor(
    "mysql_up = 1 in Prometheus",
    async () => (await stack.prom.query('mysql_up{job="mysqld-exporter"} == 1')).length === 1,
    20_000,
  );
  expect(up).toBe(true);
  const target = (await stack.prom.targets()).find((t) => t.labels.job === "mysqld-exporter");
  expect(target?.health).toBe("up");
  const body = await (await fetch(target!.scrapeUrl, { signal: AbortSignal.timeout(5000) })).text();
  const exposed = new Set([...body.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/gm)].map((m) => m[1]));
  const listed = metricsOf("mysqld-exporter", "live");
  expect(listed.length).toBeGreaterThanOrEqual(6);
  expect(listed.filter((n) => !exposed.has(n))).toEqual([]);
  // Quiet while healthy.
  for (const name of ["MySQLDown", "MySQLExporterDown", "MySQLTooManyConnections", "MySQLSlowQueries"])
    expect({ name, state: await state(name) }).toEqual({ name, state: "inactive" });
}, 40_000);

test("live mysql: MySQLSlowQueries fires on real slow queries", async () => {
  sql(Array.from({ length: 12 }, () => "SELECT SLEEP(0.03);").join(" "));
  const alert = await waitFor("MySQLSlowQueries firing", () => firing("MySQLSlowQueries"), 20_000);
  expect(alert.labels).toMatchObject({ severity: "warning", job: "mysqld-exporter" });
}, 30_000);

test("live mysql: MySQLTooManyConnections fires with most of max_connections held, after its for", async () => {
  // 16 sessions + the exporter's own: above 80% of 20.
  for (let i = 0; i < 16; i++) {
    sessions.push(
      childProcess.spawn(toolPath("mariadb"), ["--no-defaults", "-uroot", `--socket=${socket}`, "-e", "SELECT SLEEP(120)"], {
        stdio: "ignore",
      }),
    );
  }
  await waitFor(
    "16 sessions connected",
    async () => Number(sql("SHOW GLOBAL STATUS LIKE 'Threads_connected'").split("\t")[1]) >= 17,
    20_000,
  );
  await waitFor("MySQLTooManyConnections pending", async () => (await state("MySQLTooManyConnections")) === "pending", 15_000);
  const alert = await waitFor("MySQLTooManyConnections firing", () => firing("MySQLTooManyConnections"), 30_000);
  expect(alert.labels).toMatchObject({ severity: "warning", job: "mysqld-exporter" });
  for (const s of sessions.splice(0)) s.kill("SIGKILL");
}, 70_000);

test("live mysql: MySQLDown fires when the server stops, MySQLExporterDown when the exporter does", async () => {
  await server.stop(20_000);
  const down = await waitFor("MySQLDown firing", () => firing("MySQLDown"), 30_000);
  expect(down.labels).toMatchObject({ severity: "critical", job: "mysqld-exporter" });
  await exporter.stop();
  const gone = await waitFor("MySQLExporterDown firing", () => firing("MySQLExporterDown"), 30_000);
  expect(gone.labels).toMatchObject({ severity: "warning", job: "mysqld-exporter" });
}, 70_000);
