// The backup job's scripts, run for real with /bin/sh against a stand-in for Prometheus's
// snapshot API, a real SQLite database and Alertmanager-shaped files, to the volume
// destination: incremental uploads, manifests, expiry by manifest, restore with sha256
// checks, the restore check's failure path, and metrics that promtool accepts. Every rendered
// script also passes shellcheck. (The restore drill on real Prometheus/Alertmanager and the
// S3 path are in tests/live/restore.live.test.ts.)
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { backupObjectExpiryDays, BackupScriptInput, renderBackupScript } from "../../configs/backup";
import { checkRestoreFrom, renderRestoreScript, RESTORE_MARKER, RestoreScriptInput } from "../../configs/backup-restore";
import { renderVerifyScript } from "../../configs/backup-verify";
import { renderGrafanaCopierScript } from "../../configs/grafana-db-copy";
import { delimitedMessages, FakeSnapshotApi, Manifest, runScript, treeHashes, ulid, writeFakeBlock } from "../../harness/backup-fixture";
import { RunningCopier, startGrafanaCopier } from "../../harness/grafana-copier";
import { tempDir, tool, TOOLS_BIN } from "../helpers/tools";

const SQLITE3 = path.join(TOOLS_BIN, "sqlite3");
const SHELLCHECK = path.join(TOOLS_BIN, "shellcheck");

let root: string;
let api: FakeSnapshotApi;
let promUrl: string;
/** Runs sqlite3 for backup.sh, as the grafana-db-copy container does (see the helper for the stand-in). */
let copier: RunningCopier;
const dirs = () => ({
  prometheus: path.join(root, "prometheus"),
  grafana: path.join(root, "grafana"),
  alertmanager: path.join(root, "alertmanager"),
});
const archive = () => path.join(root, "archive");
const textfile = () => path.join(root, "textfile");

function backupInput(over: Partial<BackupScriptInput> = {}): BackupScriptInput {
  return {
    prometheusUrl: promUrl,
    intervalHours: 6,
    retentionDays: 30,
    destination: { kind: "volume", dir: archive() },
    textfileDir: textfile(),
    sources: dirs(),
    scratchDir: path.join(root, "scratch"),
    grafanaCopyDir: copier.exchangeDir,
    ...over,
  };
}

function write(name: string, text: string): string {
  const p = path.join(root, name);
  fs.writeFileSync(p, text);
  return p;
}

function stamps(): string[] {
  return fs
    .readdirSync(archive())
    .filter((s) => /^\d{8}T\d{6}Z$/.test(s))
    .sort();
}

function manifest(stamp: string): Manifest {
  return JSON.parse(fs.readFileSync(path.join(archive(), stamp, "manifest.json"), "utf8")) as Manifest;
}

function metric(file: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, "m").exec(fs.readFileSync(path.join(textfile(), file), "utf8"));
  if (!m) throw new Error(`${name} not in ${file}`);
  return Number(m[1]);
}

const sqlite = (db: string, sql: string) => spawnSync(SQLITE3, [db, sql], { encoding: "utf8" });

beforeAll(async () => {
  root = tempDir("backup");
  for (const d of ["prometheus", "grafana", "alertmanager", "archive", "textfile"]) fs.mkdirSync(path.join(root, d));
  writeFakeBlock(dirs().prometheus, ulid(Date.now() - 7200_000), 20_000, 2);
  writeFakeBlock(dirs().prometheus, ulid(Date.now() - 3600_000), 20_000);
  const db = path.join(dirs().grafana, "grafana.db");
  expect(
    sqlite(db, "CREATE TABLE dashboard(id INTEGER PRIMARY KEY, title TEXT); INSERT INTO dashboard(title) VALUES ('home');").status,
  ).toBe(0);
  fs.writeFileSync(path.join(dirs().alertmanager, "silences"), delimitedMessages([Buffer.from("silence-1"), Buffer.alloc(300, 7)]));
  fs.writeFileSync(path.join(dirs().alertmanager, "nflog"), delimitedMessages([Buffer.from("entry")]));
  api = new FakeSnapshotApi(dirs().prometheus);
  promUrl = await api.start();
  copier = startGrafanaCopier(dirs().grafana, root);
});

afterAll(async () => {
  await copier.stop();
  await api.stop();
});

test("every rendered script passes shellcheck", () => {
  const s3 = { kind: "s3" as const, bucket: "backups", region: "eu-west-1", prefix: "stack", endpointUrl: "http://127.0.0.1:9000" };
  const scripts: Record<string, string> = {
    "backup-volume.sh": renderBackupScript(backupInput()),
    "backup-s3.sh": renderBackupScript(backupInput({ destination: s3 })),
    "restore-volume.sh": renderRestoreScript({ destination: { kind: "volume", dir: "/archive" }, targets: dirs() }),
    "restore-s3.sh": renderRestoreScript({
      destination: s3,
      targets: dirs(),
      owners: { prometheus: "65534:65534", grafana: "472:0", alertmanager: "65534:65534" },
      from: "20261202T050000Z",
      overwrite: true,
      restoreId: "2026-12-07-host-lost",
      workDir: "/tmp/restore",
    }),
    "verify-tsdb.sh": renderVerifyScript({ scratchDir: "/scratch", textfileDir: "/textfile" }),
    "grafana-db-copy.sh": renderGrafanaCopierScript({ grafanaDataDir: "/data/grafana", exchangeDir: "/grafana-copy" }),
  };
  for (const [name, text] of Object.entries(scripts)) {
    const r = spawnSync(SHELLCHECK, ["--shell=sh", "-"], { input: text, encoding: "utf8" });
    expect({ name, output: r.stdout + r.stderr }).toEqual({ name, output: "" });
    expect(r.status).toBe(0);
  }
});

test("the copier answers a check of a database that is not one with SQLite's reason, and a copy of a good one with ok", async () => {
  const dir = tempDir("copier");
  const xchg = path.join(dir, "x");
  fs.mkdirSync(xchg);
  const script = path.join(dir, "copy.sh");
  fs.writeFileSync(script, renderGrafanaCopierScript({ grafanaDataDir: dirs().grafana, exchangeDir: xchg }));
  const env = { ...process.env, PATH: `${TOOLS_BIN}${path.delimiter}${process.env.PATH ?? ""}` };
  fs.writeFileSync(path.join(xchg, "check.db"), Buffer.alloc(4096, 7));
  fs.writeFileSync(path.join(xchg, "request"), "r1 check\n");
  expect((await runScript(script, ["--once"], env)).code).toBe(0);
  expect(fs.readFileSync(path.join(xchg, "answer"), "utf8")).toMatch(/^r1 failed integrity_check: .*not a database/);
  fs.writeFileSync(path.join(xchg, "request"), "r2 copy\n");
  expect((await runScript(script, ["--once"], env)).code).toBe(0);
  expect(fs.readFileSync(path.join(xchg, "answer"), "utf8")).toBe("r2 ok\n");
  expect(sqlite(path.join(xchg, "grafana.db"), "SELECT title FROM dashboard;").stdout.trim()).toBe("home");
  expect(fs.existsSync(path.join(xchg, "request"))).toBe(false);
});

test("restoreFrom accepts latest or a stamp, and the restore renderer rejects anything else", () => {
  expect(checkRestoreFrom("latest")).toBeUndefined();
  expect(checkRestoreFrom("20261202T050000Z")).toBeUndefined();
  expect(checkRestoreFrom("yesterday")).toMatch(/latest.*stamp/);
  expect(checkRestoreFrom("20261202")).toBeDefined();
  expect(() => renderRestoreScript({ destination: { kind: "volume", dir: "/a" }, targets: dirs(), from: "../etc" })).toThrow(
    /restore from "..\/etc"/,
  );
});

test("the bucket's safety-net expiry outlasts every block a kept manifest can name", () => {
  // 30 days of manifests naming blocks Prometheus keeps 30 days after upload, plus a week.
  expect(backupObjectExpiryDays(30, 30 * 86400)).toBe(67);
  expect(backupObjectExpiryDays(7, 36 * 3600)).toBe(16);
});

let first: string;
let firstBytes = 0; // the first run's upload, for the incremental comparison
test("a first --once run uploads every block once, with a manifest naming blocks, head, grafana and alertmanager", async () => {
  // An interrupted run (no manifest) and an expired complete one, whose block no kept manifest names.
  const oldBlock = ulid(Date.parse("2020-01-01"));
  writeFakeBlock(path.join(archive(), "blocks"), oldBlock, 100);
  fs.mkdirSync(path.join(archive(), "20200101T000000Z"), { recursive: true });
  fs.writeFileSync(
    path.join(archive(), "20200101T000000Z", "manifest.json"),
    `{\n  "objects": [\n    {"kind":"block","path":"blocks/${oldBlock}/index","size":1,"sha256":"00"}\n  ]\n}\n`,
  );
  // Expiry judges age by the stamp and by the time the store recorded for the manifest.
  const longAgo = new Date("2020-01-01T00:00:00Z");
  fs.utimesSync(path.join(archive(), "20200101T000000Z", "manifest.json"), longAgo, longAgo);
  fs.mkdirSync(path.join(archive(), "20200102T000000Z", "grafana"), { recursive: true });

  const script = write("backup.sh", renderBackupScript(backupInput()));
  const r = await runScript(script, ["--once"]);
  expect(r.stderr).toMatch(/backup \d{8}T\d{6}Z complete: uploaded_bytes=\d+ blocks_uploaded=3 blocks_skipped=0/);
  expect(r.code).toBe(0);

  expect(stamps()).toHaveLength(1);
  first = stamps()[0];
  const m = manifest(first);
  const persisted = fs
    .readdirSync(dirs().prometheus)
    .filter((d) => d !== "snapshots")
    .sort();
  expect(m.blocks.sort()).toEqual(persisted);
  expect(m.head).toHaveLength(1);
  expect(m.objects.map((o) => o.kind)).toEqual(expect.arrayContaining(["block", "head", "grafana", "alertmanager"]));
  // Every object is there with the size and sha256 the manifest says.
  const hashes = treeHashes(archive());
  for (const o of m.objects) {
    expect(hashes[o.path]).toBe(o.sha256);
    expect(fs.statSync(path.join(archive(), o.path)).size).toBe(o.size);
  }
  // The uploaded blocks are the persisted ones, byte for byte.
  for (const id of persisted) {
    for (const [rel, sum] of Object.entries(treeHashes(path.join(dirs().prometheus, id)))) expect(hashes[`blocks/${id}/${rel}`]).toBe(sum);
  }
  // The Grafana copy is a real database with the row in it.
  expect(sqlite(path.join(archive(), first, "grafana", "grafana.db"), "SELECT title FROM dashboard;").stdout.trim()).toBe("home");
  // Expiry: the old manifest, the interrupted run and the block only the old manifest named are gone.
  expect(fs.existsSync(path.join(archive(), "blocks", oldBlock))).toBe(false);
  expect(r.stderr).toContain("expiry: removing incomplete backup 20200102T000000Z");
  expect(r.stderr).toContain(`expiry: removing block ${oldBlock}`);
  // The snapshot is removed from Prometheus's volume once copied.
  expect(fs.readdirSync(path.join(dirs().prometheus, "snapshots"))).toEqual([]);

  const text = fs.readFileSync(path.join(textfile(), "observability_backup.prom"), "utf8");
  for (const b of ["prometheus", "grafana", "alertmanager"]) {
    expect(text).toMatch(new RegExp(`observability_backup_last_success_timestamp_seconds\\{backup="${b}"\\} \\d{10}`));
    expect(text).toContain(`observability_backup_last_run_success{backup="${b}"} 1`);
  }
  expect(metric("observability_backup.prom", "observability_backup_last_run_blocks_uploaded")).toBe(3);
  firstBytes = metric("observability_backup.prom", "observability_backup_last_run_uploaded_bytes");
  expect(firstBytes).toBeGreaterThan(60_000);
  const lint = spawnSync(tool("promtool"), ["check", "metrics"], { input: text, encoding: "utf8" });
  expect(lint.stdout + lint.stderr).toBe("");
  expect(lint.status).toBe(0);
});

test("a second run uploads only the new block and the head, and keeps the first manifest's blocks", async () => {
  await new Promise((r) => setTimeout(r, 1100)); // a new stamp
  const fresh = ulid();
  writeFakeBlock(dirs().prometheus, fresh, 5_000);
  const r = await runScript(path.join(root, "backup.sh"), ["--once"]);
  expect(r.code).toBe(0);
  expect(metric("observability_backup.prom", "observability_backup_last_run_blocks_uploaded")).toBe(2);
  expect(metric("observability_backup.prom", "observability_backup_last_run_blocks_skipped")).toBe(2);
  const second = stamps()[1];
  expect(stamps()).toEqual([first, second]);
  expect(manifest(second).blocks).toContain(fresh);
  // The first run's head is only in the first manifest, which is kept: so is its block.
  expect(fs.existsSync(path.join(archive(), "blocks", manifest(first).head[0]))).toBe(true);
  // Sent: the new block, the head, Grafana, Alertmanager, two SHA256SUMS and the manifest;
  // not the persisted blocks again.
  const old = new Set(manifest(first).blocks);
  const size = (key: string) => fs.statSync(path.join(archive(), key)).size;
  const sent = manifest(second)
    .objects.filter((o) => !old.has(o.path.split("/")[1]))
    .reduce((n, o) => n + o.size, 0);
  const sums = [fresh, ...manifest(second).head].reduce((n, id) => n + size(`blocks/${id}/SHA256SUMS`), 0);
  const bytes = metric("observability_backup.prom", "observability_backup_last_run_uploaded_bytes");
  expect(bytes).toBe(sent + sums + size(`${second}/manifest.json`));
  expect(bytes).toBeLessThan(firstBytes / 2);
});

test("restore fills empty targets from latest, refuses non-empty ones, and overwrites when asked", async () => {
  const targets = {
    prometheus: path.join(root, "r", "prometheus"),
    grafana: path.join(root, "r", "grafana"),
    alertmanager: path.join(root, "r", "alertmanager"),
  };
  const input: RestoreScriptInput = { destination: { kind: "volume", dir: archive() }, targets };
  const script = write("restore.sh", renderRestoreScript(input));
  const r = await runScript(script, []);
  expect(r.stderr).toMatch(/restored backup \d{8}T\d{6}Z: \d+ objects, \d+ bytes, every sha256 verified/);
  expect(r.code).toBe(0);
  const latest = manifest(stamps()[1]);
  const restored = treeHashes(targets.prometheus);
  for (const o of latest.objects.filter((x) => x.kind === "block" || x.kind === "head"))
    expect(restored[o.path.replace(/^blocks\//, "")]).toBe(o.sha256);
  expect(Object.keys(restored).some((p) => p.startsWith(".restore-partial"))).toBe(false);
  expect(sqlite(path.join(targets.grafana, "grafana.db"), "SELECT title FROM dashboard;").stdout.trim()).toBe("home");
  expect(fs.readFileSync(path.join(targets.alertmanager, "silences"))).toEqual(fs.readFileSync(path.join(dirs().alertmanager, "silences")));

  const again = await runScript(script, []);
  expect(again.code).toBe(1);
  expect(again.stderr).toContain(`refusing to restore into non-empty ${targets.prometheus}`);

  // An overwrite must be named, so that it runs once.
  const unnamed = await runScript(script, ["--from", first, "--overwrite"]);
  expect(unnamed.code).toBe(2);
  expect(unnamed.stderr).toContain("--overwrite needs --id <restore id>");
  // --from a stamp, with --overwrite: the first backup's head replaces the second's.
  const over = await runScript(script, ["--from", first, "--overwrite", "--id", "drill-1"]);
  expect(over.code).toBe(0);
  const ids = fs
    .readdirSync(targets.prometheus)
    .filter((f) => f !== RESTORE_MARKER)
    .sort();
  expect(ids).toEqual([...manifest(first).blocks, ...manifest(first).head].sort());
  for (const t of Object.values(targets)) expect(fs.readFileSync(path.join(t, RESTORE_MARKER), "utf8")).toBe("drill-1\n");

  const bad = await runScript(script, ["--from", "19990101T000000Z", "--overwrite", "--id", "drill-2"]);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain("no manifest for backup 19990101T000000Z");
});

test("restore rejects an object whose sha256 does not match and leaves empty targets empty", async () => {
  const m = manifest(stamps()[1]);
  const victim = m.objects.find((o) => o.kind === "grafana")!;
  const p = path.join(archive(), victim.path);
  const original = fs.readFileSync(p);
  fs.writeFileSync(p, Buffer.concat([original.subarray(0, original.length - 1), Buffer.from([original[original.length - 1] ^ 1])]));
  try {
    const targets = { prometheus: path.join(root, "c", "p"), grafana: path.join(root, "c", "g"), alertmanager: path.join(root, "c", "a") };
    const script = write("restore-c.sh", renderRestoreScript({ destination: { kind: "volume", dir: archive() }, targets }));
    const r = await runScript(script, []);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`checksum mismatch against manifest .*${path.join(targets.grafana, ".restore-partial", "grafana.db")}: FAILED`),
    );
    for (const t of Object.values(targets)) expect(fs.readdirSync(t)).toEqual([]);
  } finally {
    fs.writeFileSync(p, original);
  }
});

test("the restore check restores into scratch and reports a failure when the blocks do not open", async () => {
  const r = await runScript(path.join(root, "backup.sh"), ["--verify"]);
  expect(r.stderr).toContain("grafana.db integrity ok, alertmanager files parse");
  expect(r.code).toBe(0);
  expect(fs.readFileSync(path.join(root, "scratch", "VERIFY_REQUEST"), "utf8")).toMatch(/^\d{8}T\d{6}Z ok\n$/);
  // These blocks are random bytes: promtool must refuse them, and the check must say so.
  const verify = write(
    "verify.sh",
    renderVerifyScript({ scratchDir: path.join(root, "scratch"), textfileDir: textfile(), promtool: tool("promtool") }),
  );
  const v = await runScript(verify, ["--once"]);
  expect(v.stderr).toContain("promtool tsdb analyze");
  expect(v.code).toBe(1);
  expect(metric("observability_backup_verify.prom", "observability_backup_verify_last_run_success")).toBe(0);
  expect(fs.readFileSync(path.join(textfile(), "observability_backup_verify.prom"), "utf8")).not.toMatch(
    /^observability_backup_verify_last_success_timestamp_seconds /m,
  );
  expect(fs.readdirSync(path.join(root, "scratch"))).toEqual([]);
});

test("a failed snapshot fails the run: no manifest, last success kept, expiry keeps the last good backup", async () => {
  await new Promise((r) => setTimeout(r, 1100));
  const before = stamps();
  const firstHead = manifest(first).head[0];
  api.fail = true;
  try {
    const script = write("backup-short.sh", renderBackupScript(backupInput({ retentionDays: 0 })));
    const r = await runScript(script, ["--once"]);
    expect(r.stderr).toContain("snapshot request failed");
    expect(r.code).toBe(1);
  } finally {
    api.fail = false;
  }
  const text = fs.readFileSync(path.join(textfile(), "observability_backup.prom"), "utf8");
  expect(text).toContain('observability_backup_last_run_success{backup="prometheus"} 0');
  expect(text).toMatch(/observability_backup_last_success_timestamp_seconds\{backup="prometheus"\} \d{10}/);
  expect(text).toContain('observability_backup_last_run_success{backup="grafana"} 1');
  // Retention 0 days expires the older manifest but never the newest complete one.
  expect(stamps()).toEqual([before[1]]);
  for (const id of [...manifest(before[1]).blocks, ...manifest(before[1]).head])
    expect(fs.existsSync(path.join(archive(), "blocks", id, "SHA256SUMS"))).toBe(true);
  // The first run's head block was named only by the expired manifest.
  expect(fs.existsSync(path.join(archive(), "blocks", firstHead))).toBe(false);
});
