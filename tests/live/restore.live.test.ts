// The restore drill, on real binaries: the rendered backup and restore scripts take a real
// Prometheus (blocks written by promtool plus head data), Alertmanager (a silence) and a SQLite
// database, the data is destroyed, and the restored copies must answer exactly as before; then
// the Grafana-style database under a writer loop. (The S3 path is restore-s3.live.test.ts.)
// Every process listens on 127.0.0.1 and is stopped in afterAll.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { renderBackupScript, BackupDestination } from "../../configs/backup";
import { renderRestoreScript } from "../../configs/backup-restore";
import { renderVerifyScript } from "../../configs/backup-verify";
import { RunningCopier, startGrafanaCopier } from "../../harness/grafana-copier";
import { FakeSnapshotApi, Manifest, runScript, ScriptResult, ulid, writeFakeBlock } from "../../harness/backup-fixture";
import {
  AlertmanagerApi,
  freePort,
  httpJson,
  makeTempDir,
  ManagedProcess,
  PrometheusApi,
  sleep,
  toolPath,
  waitFor,
} from "../../harness/processes";

const SQLITE3 = toolPath("sqlite3");
const DRILL_LOG: string[] = [];
const processes: ManagedProcess[] = [];
const copiers: RunningCopier[] = [];

/** Keeps a script's log lines (they go into the drill log) and fails with them when it failed. */
function expectOk(what: string, r: ScriptResult): void {
  for (const line of r.stderr.trim().split("\n")) if (line) DRILL_LOG.push(`[${what}] ${line}`);
  if (r.code !== 0) throw new Error(`${what} exited ${String(r.code)}:\n${r.stderr}`);
}

function note(line: string): void {
  DRILL_LOG.push(`[drill] ${line}`);
}

async function startProcess(name: string, bin: string, args: string[], dir: string): Promise<ManagedProcess> {
  const p = new ManagedProcess(name, bin, args, path.join(dir, `${name}.log`));
  processes.push(p);
  p.start();
  return p;
}

async function startPrometheus(name: string, dir: string, dataDir: string): Promise<{ proc: ManagedProcess; api: PrometheusApi }> {
  const port = await freePort();
  const cfg = path.join(dir, `${name}.yml`);
  // Self-scrape every second: the head holds fresh samples when the snapshot is taken.
  fs.writeFileSync(
    cfg,
    `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: drill\n    static_configs:\n      - targets: ["127.0.0.1:${port}"]\n`,
  );
  const proc = await startProcess(
    name,
    toolPath("prometheus"),
    [
      `--config.file=${cfg}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--web.enable-admin-api",
      "--storage.tsdb.retention.time=30d",
    ],
    dir,
  );
  const api = new PrometheusApi(`http://127.0.0.1:${port}`);
  await waitFor(`${name} ready`, async () => (proc.assertRunning(), api.ready()), 60_000);
  return { proc, api };
}

async function startAlertmanager(name: string, dir: string, dataDir: string): Promise<{ proc: ManagedProcess; api: AlertmanagerApi }> {
  const port = await freePort();
  const cfg = path.join(dir, `${name}.yml`);
  fs.writeFileSync(cfg, `route:\n  receiver: "null"\nreceivers:\n  - name: "null"\n`);
  const proc = await startProcess(
    name,
    toolPath("alertmanager"),
    [
      `--config.file=${cfg}`,
      `--storage.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
      // Silences reach their file at each maintenance (15m by default) and on shutdown.
      "--data.maintenance-interval=1s",
    ],
    dir,
  );
  const api = new AlertmanagerApi(`http://127.0.0.1:${port}`);
  await waitFor(`${name} ready`, async () => (proc.assertRunning(), api.ready()), 60_000);
  return { proc, api };
}

interface RangeSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

/** A range query over every series, sorted, as comparable text. */
async function everySeries(api: PrometheusApi, start: number, end: number): Promise<RangeSeries[]> {
  const q = new URLSearchParams({ query: '{__name__=~".+"}', start: String(start), end: String(end), step: "5" });
  const body = await httpJson<{ data: { result: RangeSeries[] } }>(`${api.baseUrl}/api/v1/query_range?${q}`, {}, 30_000);
  return body.data.result.sort((a, b) => JSON.stringify(a.metric).localeCompare(JSON.stringify(b.metric)));
}

/** OpenMetrics text for promtool: 4 series, one sample a minute over [from, to). */
function openMetrics(from: number, to: number): string {
  const lines = ["# HELP drill_value Samples written into blocks by promtool.", "# TYPE drill_value gauge"];
  for (const s of ["a", "b", "c", "d"]) {
    for (let t = from; t < to; t += 60) lines.push(`drill_value{series="${s}"} ${((t / 60) % 97) + s.charCodeAt(0)} ${t}`);
  }
  lines.push("# EOF");
  return lines.join("\n") + "\n";
}

afterAll(async () => {
  for (const p of processes) await p.stop(5000);
  for (const c of copiers) await c.stop();
  if (DRILL_LOG.length) console.log(DRILL_LOG.join("\n"));
});

test("restore drill: Prometheus blocks and head, an Alertmanager silence and the Grafana database come back from a --once backup", async () => {
  const dir = makeTempDir("obs-restore-drill");
  const d = (p: string) => path.join(dir, p);
  const dirs = { prometheus: d("prometheus"), grafana: d("grafana"), alertmanager: d("alertmanager") };
  for (const p of [...Object.values(dirs), d("archive"), d("textfile")]) fs.mkdirSync(p, { recursive: true });

  // At least two persisted blocks (promtool cuts 2-hour blocks), all inside the retention.
  const now = Math.floor(Date.now() / 1000);
  const from = now - 9 * 3600;
  fs.writeFileSync(d("input.om"), openMetrics(from, now - 3 * 3600));
  const created = spawnSync(toolPath("promtool"), ["tsdb", "create-blocks-from", "openmetrics", d("input.om"), dirs.prometheus], {
    encoding: "utf8",
  });
  expect(created.status).toBe(0);
  const blocks = fs.readdirSync(dirs.prometheus).filter((b) => fs.existsSync(path.join(dirs.prometheus, b, "meta.json")));
  expect(blocks.length).toBeGreaterThanOrEqual(2);
  note(`promtool wrote ${blocks.length} blocks: ${blocks.join(" ")}`);

  const prom = await startPrometheus("prometheus", dir, dirs.prometheus);
  // Head samples old enough to land on a step (5 s) of the compared range, which ends 10 s ago.
  await waitFor(
    "head samples from the self-scrape",
    async () => (await prom.api.query('up{job="drill"}', Date.now() / 1000 - 16)).length > 0,
    60_000,
  );
  const am = await startAlertmanager("alertmanager", dir, dirs.alertmanager);
  const silenceId = await am.api.createSilence([{ name: "alertname", value: "DrillSilence", isRegex: false }], 3600_000, "restore drill");
  await waitFor(
    "the silence in Alertmanager's file",
    () =>
      fs.existsSync(path.join(dirs.alertmanager, "silences")) &&
      fs.readFileSync(path.join(dirs.alertmanager, "silences")).includes(silenceId),
    20_000,
  );
  expect(
    spawnSync(SQLITE3, [
      path.join(dirs.grafana, "grafana.db"),
      "CREATE TABLE dashboard(id INTEGER PRIMARY KEY, title TEXT); INSERT INTO dashboard(title) VALUES ('drill');",
    ]).status,
  ).toBe(0);

  // The reference answer: every series over the whole range, ending before the snapshot.
  const end = Math.floor(Date.now() / 1000) - 10;
  const before = await everySeries(prom.api, from, end);
  const headSeries = before.filter((s) => s.metric.job === "drill").length;
  expect(before.filter((s) => s.metric.__name__ === "drill_value")).toHaveLength(4);
  expect(headSeries).toBeGreaterThan(10);
  note(
    `before: ${before.length} series (${headSeries} from the head), ${before.reduce((n, s) => n + s.values.length, 0)} points over ${from}..${end}`,
  );

  const destination: BackupDestination = { kind: "volume", dir: d("archive") };
  // sqlite3 runs in the copier, as in its own container (the backup image has none).
  const copier = startGrafanaCopier(dirs.grafana, dir);
  copiers.push(copier);
  fs.writeFileSync(
    d("backup.sh"),
    renderBackupScript({
      prometheusUrl: prom.api.baseUrl,
      intervalHours: 6,
      retentionDays: 30,
      destination,
      textfileDir: d("textfile"),
      sources: dirs,
      scratchDir: d("scratch"),
      grafanaCopyDir: copier.exchangeDir,
    }),
  );
  expectOk("backup.sh --once", await runScript(d("backup.sh"), ["--once"]));
  const stamp = fs.readdirSync(d("archive")).find((s) => /^\d{8}T\d{6}Z$/.test(s))!;
  const manifest = JSON.parse(fs.readFileSync(path.join(d("archive"), stamp, "manifest.json"), "utf8")) as Manifest;
  // Prometheus may have compacted promtool's blocks since: the manifest names what it holds now.
  const persisted = fs.readdirSync(dirs.prometheus).filter((b) => fs.existsSync(path.join(dirs.prometheus, b, "meta.json")));
  expect(manifest.blocks.sort()).toEqual(persisted.sort());
  expect(manifest.blocks.length).toBeGreaterThanOrEqual(2);
  expect(manifest.head).toHaveLength(1);
  note(`manifest ${stamp}: blocks ${manifest.blocks.join(" ")}; head ${manifest.head.join(" ")}; ${manifest.objects.length} objects`);

  // The daily restore check on real blocks: restored, integrity-checked, opened by promtool.
  expectOk("backup.sh --verify", await runScript(d("backup.sh"), ["--verify"]));
  fs.writeFileSync(
    d("verify.sh"),
    renderVerifyScript({ scratchDir: d("scratch"), textfileDir: d("textfile"), promtool: toolPath("promtool") }),
  );
  expectOk("verify-tsdb.sh --once", await runScript(d("verify.sh"), ["--once"]));
  const verifyMetrics = fs.readFileSync(d("textfile/observability_backup_verify.prom"), "utf8");
  expect(verifyMetrics).toMatch(/^observability_backup_verify_last_run_success 1$/m);
  expect(verifyMetrics).toMatch(/^observability_backup_verify_last_success_timestamp_seconds \d{10}$/m);

  // The host is lost: every data directory goes.
  await prom.proc.stop();
  await am.proc.stop();
  for (const p of Object.values(dirs)) {
    fs.rmSync(p, { recursive: true, force: true });
    fs.mkdirSync(p);
  }
  note("prometheus and alertmanager stopped; prometheus, grafana and alertmanager data directories destroyed");

  fs.writeFileSync(d("restore.sh"), renderRestoreScript({ destination, targets: dirs }));
  expectOk("restore.sh", await runScript(d("restore.sh"), []));

  const restored = await startPrometheus("prometheus-restored", dir, dirs.prometheus);
  const after = await everySeries(restored.api, from, end);
  expect(after.length).toBe(before.length);
  expect(after).toEqual(before);
  note(`after restore: ${after.length} series, ${after.reduce((n, s) => n + s.values.length, 0)} points, identical to before`);

  const fresh = await startAlertmanager("alertmanager-restored", dir, dirs.alertmanager);
  const silences = await fresh.api.silences();
  const back = silences.find((s) => s.id === silenceId);
  expect(back?.status.state).toBe("active");
  expect(back?.matchers).toEqual([expect.objectContaining({ name: "alertname", value: "DrillSilence" })]);
  note(`silence ${silenceId} active in a fresh Alertmanager on the restored directory`);

  const check = spawnSync(SQLITE3, [path.join(dirs.grafana, "grafana.db"), "PRAGMA integrity_check; SELECT title FROM dashboard;"], {
    encoding: "utf8",
  });
  expect(check.stdout.trim().split("\n")).toEqual(["ok", "drill"]);
  note("grafana.db restored: integrity_check ok, rows present");
}, 240_000);

test("restore drill: Grafana database backups taken while a writer inserts rows all pass integrity_check", async () => {
  const dir = makeTempDir("obs-restore-sqlite");
  const d = (p: string) => path.join(dir, p);
  const dirs = { prometheus: d("prometheus"), grafana: d("grafana"), alertmanager: d("alertmanager") };
  for (const p of [...Object.values(dirs), d("archive"), d("textfile")]) fs.mkdirSync(p, { recursive: true });
  const db = path.join(dirs.grafana, "grafana.db");
  expect(spawnSync(SQLITE3, [db, "CREATE TABLE annotation(id INTEGER PRIMARY KEY, text TEXT, pad BLOB);"]).status).toBe(0);
  const api = new FakeSnapshotApi(dirs.prometheus);
  writeFakeBlock(dirs.prometheus, ulid(), 1000);
  const url = await api.start();
  // The writer: one transaction after another, each a batch of rows with some bulk, with a
  // 20 ms pause between them (a tight loop with no pause at all, far busier than Grafana, can
  // starve SQLite's online backup until it reports "database is locked").
  const copier = startGrafanaCopier(dirs.grafana, dir);
  copiers.push(copier);
  const writer = spawn(
    "/bin/sh",
    [
      "-c",
      `while :; do "${SQLITE3}" "${db}" ".timeout 10000" "BEGIN; INSERT INTO annotation(text, pad) SELECT 'row', randomblob(2000) FROM (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4); COMMIT;" || exit 1; sleep 0.02; done`,
    ],
    { stdio: "ignore" },
  );
  try {
    fs.writeFileSync(
      d("backup.sh"),
      renderBackupScript({
        prometheusUrl: url,
        intervalHours: 6,
        retentionDays: 30,
        destination: { kind: "volume", dir: d("archive") },
        textfileDir: d("textfile"),
        sources: dirs,
        scratchDir: d("scratch"),
        grafanaCopyDir: copier.exchangeDir,
      }),
    );
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await runScript(d("backup.sh"), ["--once"]);
      expectOk(`backup.sh --once #${i + 1} under writes`, r);
      const stamp = fs
        .readdirSync(d("archive"))
        .filter((s) => /^\d{8}T\d{6}Z$/.test(s))
        .sort()
        .pop()!;
      const copy = path.join(d("archive"), stamp, "grafana", "grafana.db");
      const out = spawnSync(SQLITE3, [copy, "PRAGMA integrity_check; SELECT count(*) FROM annotation;"], { encoding: "utf8" });
      const [ok, count] = out.stdout.trim().split("\n");
      expect(ok).toBe("ok");
      counts.push(Number(count));
      await sleep(1100);
    }
    expect(writer.exitCode).toBeNull();
    // The writer made progress between backups, so each copy was taken mid-stream.
    expect(new Set(counts).size).toBe(counts.length);
    note(`4 backups under a writer loop: integrity_check ok each time, rows ${counts.join(" < ")}`);
  } finally {
    writer.kill("SIGKILL");
    await api.stop();
  }
}, 180_000);
