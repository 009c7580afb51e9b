// The backup job's script, run for real with /bin/sh against a fake Prometheus admin API:
// it copies a snapshot and the data directories, prunes old copies, and leaves metrics that
// promtool accepts and BackupTooOld/BackupJobFailed can read.
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import * as path from "node:path";
import { renderBackupScript } from "../../configs/backup";
import { tempDir, tool } from "../helpers/tools";

let server: http.Server;
let child: ChildProcess | undefined;
let root: string;
let snapshotCalls = 0;

beforeAll(async () => {
  root = tempDir("backup");
  for (const d of ["prometheus", "grafana", "alertmanager", "archive", "textfile"]) fs.mkdirSync(path.join(root, d));
  fs.writeFileSync(path.join(root, "grafana", "grafana.db"), "sqlite");
  fs.writeFileSync(path.join(root, "alertmanager", "silences"), "silences");
  // A copy older than the retention must go; a recent one must stay.
  fs.mkdirSync(path.join(root, "archive", "grafana", "20200101T000000Z"), { recursive: true });
  fs.mkdirSync(path.join(root, "archive", "grafana", "29990101T000000Z"), { recursive: true });
  server = http.createServer((req, res) => {
    if (req.method === "POST" && req.url === "/api/v1/admin/tsdb/snapshot") {
      snapshotCalls++;
      const name = "20261122T000000Z-abc";
      fs.mkdirSync(path.join(root, "prometheus", "snapshots", name, "01BLOCK"), { recursive: true });
      fs.writeFileSync(path.join(root, "prometheus", "snapshots", name, "01BLOCK", "index"), "tsdb");
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "success", data: { name } }));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
});

afterAll(async () => {
  child?.kill("SIGKILL");
  await new Promise((r) => server.close(r));
});

test("one pass backs up all three, prunes, and writes valid metrics", async () => {
  const port = (server.address() as AddressInfo).port;
  const script = renderBackupScript({
    prometheusUrl: `http://127.0.0.1:${port}`,
    intervalHours: 1,
    retentionDays: 30,
    destination: { kind: "volume", dir: path.join(root, "archive") },
    textfileDir: path.join(root, "textfile"),
    sources: { prometheus: path.join(root, "prometheus"), grafana: path.join(root, "grafana"), alertmanager: path.join(root, "alertmanager") },
  });
  const scriptPath = path.join(root, "backup.sh");
  fs.writeFileSync(scriptPath, script);
  child = spawn("/bin/sh", [scriptPath], { stdio: "ignore" });
  const metricsFile = path.join(root, "textfile", "observability_backup.prom");
  const deadline = Date.now() + 20_000;
  while (!fs.existsSync(metricsFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  // The prune runs right after the metrics are written.
  await new Promise((r) => setTimeout(r, 500));
  child.kill("SIGKILL");

  const text = fs.readFileSync(metricsFile, "utf8");
  for (const b of ["prometheus", "grafana", "alertmanager"]) {
    expect(text).toMatch(new RegExp(`observability_backup_last_success_timestamp_seconds\\{backup="${b}"\\} \\d{10}`));
    expect(text).toContain(`observability_backup_last_run_success{backup="${b}"} 1`);
  }
  // promtool check metrics reads the exposition from stdin and lints it.
  const lint = spawnSync(tool("promtool"), ["check", "metrics"], { input: text, encoding: "utf8" });
  expect(lint.stdout + lint.stderr).toBe("");
  expect(lint.status).toBe(0);

  expect(snapshotCalls).toBe(1);
  const stamps = (d: string) => fs.readdirSync(path.join(root, "archive", d));
  const prom = stamps("prometheus");
  expect(prom).toHaveLength(1);
  expect(fs.readFileSync(path.join(root, "archive", "prometheus", prom[0], "01BLOCK", "index"), "utf8")).toBe("tsdb");
  // The snapshot is removed from Prometheus's volume once copied.
  expect(fs.readdirSync(path.join(root, "prometheus", "snapshots"))).toEqual([]);
  expect(stamps("grafana")).not.toContain("20200101T000000Z");
  expect(stamps("grafana")).toContain("29990101T000000Z");
  const fresh = stamps("grafana").find((s) => s.startsWith("20") && s !== "20200101T000000Z")!;
  expect(fs.readFileSync(path.join(root, "archive", "grafana", fresh, "grafana.db"), "utf8")).toBe("sqlite");
  expect(stamps("alertmanager")).toHaveLength(1);
});

test("a failed snapshot is reported as a failed run, keeping the last success", async () => {
  const script = renderBackupScript({
    prometheusUrl: "http://127.0.0.1:1",
    intervalHours: 1,
    retentionDays: 30,
    destination: { kind: "volume", dir: path.join(root, "archive") },
    textfileDir: path.join(root, "textfile"),
    sources: { prometheus: path.join(root, "prometheus"), grafana: path.join(root, "grafana"), alertmanager: path.join(root, "alertmanager") },
  });
  const metricsFile = path.join(root, "textfile", "observability_backup.prom");
  const before = fs.statSync(metricsFile).mtimeMs;
  const scriptPath = path.join(root, "backup-fail.sh");
  fs.writeFileSync(scriptPath, script);
  child = spawn("/bin/sh", [scriptPath], { stdio: "ignore" });
  const deadline = Date.now() + 20_000;
  while (fs.statSync(metricsFile).mtimeMs === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  child.kill("SIGKILL");
  const text = fs.readFileSync(metricsFile, "utf8");
  expect(text).toContain('observability_backup_last_run_success{backup="prometheus"} 0');
  expect(text).toMatch(/observability_backup_last_success_timestamp_seconds\{backup="prometheus"\} \d{10}/);
  expect(text).toContain('observability_backup_last_run_success{backup="grafana"} 1');
});

