// Backup faults, on the tools the restore drill uses (sqlite3, promtool, the AWS CLI against
// s3rver): the rendered backup.sh, restore.sh and verify-tsdb.sh meet a kill mid-run, failing
// listings, a scratch volume too small, a backup stamped in the future, a tampered manifest, a
// leaked snapshot and a re-created overwrite restore, and must neither stop for good, lose
// data, fill the disk nor report success for a failed run.
//
// Stand-ins: Prometheus's snapshot API is FakeSnapshotApi (harness/backup-fixture.ts; it
// hard-links blocks into snapshots/<name>/ as the real API does, documented in Prometheus's
// "TSDB Admin APIs"). A container is a PID namespace of its own (`unshare --pid --fork
// --mount-proc`): the script is PID 1 there, as in the backup container, and killing the
// namespace's PID 1 ends every process in it, as `docker kill` does. A small scratch volume is a
// tmpfs in a private mount namespace. Both need root (CI runs as root); elsewhere those two
// tests are skipped and say so.
import { RunningCopier, startGrafanaCopier } from "../../harness/grafana-copier";
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import * as path from "node:path";
import { BackupDestination, BackupScriptInput, renderBackupScript } from "../../configs/backup";
import { renderRestoreScript, RESTORE_MARKER } from "../../configs/backup-restore";
import { renderVerifyScript } from "../../configs/backup-verify";
import {
  delimitedMessages,
  FakeSnapshotApi,
  Manifest,
  runCommand,
  runScript,
  ScriptResult,
  treeHashes,
  ulid,
  writeFakeBlock,
} from "../../harness/backup-fixture";
import { freePort, makeTempDir, sleep, toolPath, waitFor } from "../../harness/processes";

const SQLITE3 = toolPath("sqlite3");
const ROOT = process.getuid?.() === 0;
const asRoot = ROOT ? test : test.skip;
const STAMP = /^\d{8}T\d{6}Z$/;
const LOG: string[] = [];
const apis: FakeSnapshotApi[] = [];
/** The Grafana database copiers beside each rig's job, as its container runs beside the backup job. */
const copiers: RunningCopier[] = [];
/** Every process a test spawns itself, killed at the end whatever happened (a loop-mode job would sleep for hours). */
const spawned: ChildProcess[] = [];

afterAll(async () => {
  for (const p of spawned) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  for (const a of apis) await a.stop();
  for (const c of copiers) await c.stop();
  if (LOG.length) console.log(LOG.join("\n"));
});

function keep(what: string, r: ScriptResult): ScriptResult {
  for (const line of r.stderr.trim().split("\n")) if (line) LOG.push(`[${what}] ${line}`);
  return r;
}

function ok(what: string, r: ScriptResult): void {
  keep(what, r);
  if (r.code !== 0) throw new Error(`${what} exited ${String(r.code)}:\n${r.stderr}`);
}

interface Rig {
  dir: string;
  d: (p: string) => string;
  dirs: { prometheus: string; grafana: string; alertmanager: string };
  api: FakeSnapshotApi;
  input: BackupScriptInput;
  script: string;
}

/** Data directories with one block, a Grafana database and Alertmanager files; backup.sh rendered to a volume. */
async function rig(name: string, over: Partial<BackupScriptInput> = {}): Promise<Rig> {
  const dir = makeTempDir(`obs-backup-fault-${name}`);
  const d = (p: string) => path.join(dir, p);
  const dirs = { prometheus: d("prometheus"), grafana: d("grafana"), alertmanager: d("alertmanager") };
  for (const p of [...Object.values(dirs), d("archive"), d("textfile")]) fs.mkdirSync(p, { recursive: true });
  writeFakeBlock(dirs.prometheus, ulid(Date.now() - 3600_000), 20_000);
  expect(
    spawnSync(SQLITE3, [
      path.join(dirs.grafana, "grafana.db"),
      "CREATE TABLE dashboard(title TEXT); INSERT INTO dashboard VALUES ('home');",
    ]).status,
  ).toBe(0);
  fs.writeFileSync(path.join(dirs.alertmanager, "silences"), delimitedMessages([Buffer.from("silence-1")]));
  const api = new FakeSnapshotApi(dirs.prometheus);
  apis.push(api);
  const url = await api.start();
  const copier = startGrafanaCopier(dirs.grafana, dir);
  copiers.push(copier);
  const input: BackupScriptInput = {
    prometheusUrl: url,
    intervalHours: 6,
    retentionDays: 30,
    destination: { kind: "volume", dir: d("archive") },
    textfileDir: d("textfile"),
    sources: dirs,
    stateDir: d("state"),
    scratchDir: d("scratch"),
    grafanaCopyDir: copier.exchangeDir,
    ...over,
  };
  fs.writeFileSync(d("backup.sh"), renderBackupScript(input));
  return { dir, d, dirs, api, input, script: d("backup.sh") };
}

const stampsIn = (archive: string) =>
  fs
    .readdirSync(archive)
    .filter((s) => STAMP.test(s))
    .sort();
const textfile = (r: Rig, file = "observability_backup.prom") => fs.readFileSync(path.join(r.d("textfile"), file), "utf8");

/** The stamp of a moment, as backup.sh writes it. */
function stampOf(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/** objects_sha256 as configs/backup-manifest.ts defines it, computed independently here. */
function objectsDigest(stamp: string, objects: Manifest["objects"]): string {
  const lines = [`stamp ${stamp}`, ...objects.map((o) => `${o.kind} ${o.path} ${o.size} ${o.sha256}`)];
  return crypto
    .createHash("sha256")
    .update(lines.join("\n") + "\n")
    .digest("hex");
}

function manifestText(stamp: string, objects: Manifest["objects"], digest = objectsDigest(stamp, objects)): string {
  const blocks = [...new Set(objects.filter((o) => o.kind === "block").map((o) => o.path.split("/")[1]))];
  return [
    "{",
    `  "version": 2,`,
    `  "stamp": "${stamp}",`,
    `  "created": "${new Date().toISOString().replace(/\.\d{3}/, "")}",`,
    `  "objects_sha256": "${digest}",`,
    `  "blocks": [${blocks.map((b) => `"${b}"`).join(",")}],`,
    `  "head": [],`,
    `  "objects": [`,
    objects.map((o) => `    {"kind":"${o.kind}","path":"${o.path}","size":${o.size},"sha256":"${o.sha256}"}`).join(",\n"),
    "  ]",
    "}",
    "",
  ].join("\n");
}

const sha256 = (p: string) => crypto.createHash("sha256").update(fs.readFileSync(p)).digest("hex");

/** The host pid of a PID namespace's PID 1 (the only child of `unshare --fork`). */
function namespaceInit(unsharePid: number): number {
  const children = fs.readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, "utf8").trim();
  return Number(children.split(/\s+/)[0]);
}

/** backup.sh in a PID namespace of its own, as PID 1 (its container). */
function container(r: Rig, args: string[] = []): { proc: ChildProcess; log: () => string; exited: Promise<number | null> } {
  let log = "";
  const proc = spawn("unshare", ["--pid", "--fork", "--mount-proc", "--kill-child=SIGKILL", "/bin/sh", r.script, ...args], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  spawned.push(proc);
  proc.stderr!.on("data", (b: Buffer) => (log += b.toString()));
  const exited = new Promise<number | null>((res) => proc.on("close", (code, signal) => res(code ?? (signal ? 128 : null))));
  return { proc, log: () => log, exited };
}

asRoot(
  "backup fault: the job killed mid-run as PID 1 and restarted runs again, breaks the stale lock and releases its own",
  async () => {
    const r = await rig("kill");
    const lock = r.d("state/lock");
    // First life: the snapshot is taken and its answer held back; the container is killed there.
    r.api.holdMs = 20_000;
    const first = container(r);
    const holder = await waitFor(
      "the first run holding the lock",
      () => fs.existsSync(`${lock}/holder`) && r.api.calls === 1 && fs.readFileSync(`${lock}/holder`, "utf8"),
      20_000,
    );
    const [bootId, pid] = holder.trim().split(" ");
    expect(pid).toBe("1");
    expect(bootId).toBe(fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim());
    first.proc.kill("SIGKILL");
    await first.exited;
    keep("first life (killed)", { code: null, stdout: "", stderr: first.log() });
    // What the kill left: the lock, naming pid 1, and the snapshot.
    expect(fs.readFileSync(`${lock}/holder`, "utf8")).toBe(holder);
    expect(fs.readdirSync(path.join(r.dirs.prometheus, "snapshots"))).toHaveLength(1);

    // Second life: pid 1 again. The run must take over the lock, back up and release it.
    r.api.holdMs = 0;
    const t0 = Math.floor(Date.now() / 1000);
    const second = container(r);
    try {
      await waitFor(
        "a successful run after the restart, its lock released",
        () => {
          const text = fs.existsSync(r.d("textfile/observability_backup.prom")) ? textfile(r) : "";
          const run = /observability_backup_last_run_timestamp_seconds\{backup="prometheus"\} (\d+)/.exec(text);
          return !!run && Number(run[1]) >= t0 && !fs.existsSync(lock);
        },
        20_000,
      );
      const text = textfile(r);
      for (const b of ["prometheus", "grafana", "alertmanager", "expiry"])
        expect(text).toContain(`observability_backup_last_run_success{backup="${b}"} 1`);
      expect(second.log()).toContain(`breaking a stale lock: its holder (${holder.trim()}: boot id, pid, start time) is gone`);
      expect(second.log()).toMatch(/removing snapshot .*snapshots\/snap-1-\w+ left by an interrupted run/);
      expect(fs.readdirSync(path.join(r.dirs.prometheus, "snapshots"))).toEqual([]);
      expect(stampsIn(r.d("archive"))).toHaveLength(1);
    } finally {
      second.proc.kill("SIGKILL");
      await second.exited;
      keep("second life", { code: null, stdout: "", stderr: second.log() });
    }

    // Third life, stopped the way `docker stop` does (SIGTERM to PID 1) in the middle of a run:
    // it must end at once, well inside the 10 s grace, with the lock released.
    r.api.holdMs = 20_000;
    const third = container(r);
    await waitFor("the third run holding the lock", () => fs.existsSync(`${lock}/holder`) && r.api.calls === 3, 20_000);
    const stoppedAt = Date.now();
    process.kill(namespaceInit(third.proc.pid!), "SIGTERM");
    const code = await third.exited;
    keep("third life (SIGTERM)", { code, stdout: "", stderr: third.log() });
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    expect(third.log()).toContain("stop signal: ending the current step and releasing the lock");
    expect(fs.existsSync(lock)).toBe(false);
  },
  60_000,
);

interface S3rverInstance {
  run(): Promise<unknown>;
  close(): Promise<unknown>;
}

/** s3rver behind a proxy that answers 500 to the listings `fail` picks (query parameters of ListObjects). */
async function s3WithFaults(
  dir: string,
): Promise<{ url: string; fail: { match?: (q: URLSearchParams) => boolean; hits: number }; close: () => Promise<void> }> {
  const port = await freePort();
  // s3rver has no type declarations; its constructor options are documented in its README.
  const S3rver = require("s3rver") as new (o: Record<string, unknown>) => S3rverInstance;
  const s3 = new S3rver({ address: "127.0.0.1", port, silent: true, directory: dir, configureBuckets: [{ name: "backups" }] });
  await s3.run();
  const fail: { match?: (q: URLSearchParams) => boolean; hits: number } = { hits: 0 };
  const proxy = http.createServer((req, res) => {
    const q = new URL(req.url ?? "/", "http://x").searchParams;
    if (req.method === "GET" && q.has("list-type") && fail.match?.(q)) {
      fail.hits++;
      res
        .writeHead(500, { "content-type": "application/xml" })
        .end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>injected listing fault</Message></Error>`);
      return;
    }
    const up = http.request({ host: "127.0.0.1", port, method: req.method, path: req.url, headers: req.headers }, (u) => {
      res.writeHead(u.statusCode ?? 502, u.headers);
      u.pipe(res);
    });
    up.on("error", () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((ok) => proxy.listen(0, "127.0.0.1", ok));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    fail,
    close: async () => {
      await new Promise((ok) => proxy.close(ok));
      await s3.close();
    },
  };
}

/** Keys s3rver holds in a bucket (its on-disk store: <key>._S3rver_object). */
function s3Keys(dir: string, bucket: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    for (const e of fs.readdirSync(p, { withFileTypes: true })) {
      const f = path.join(p, e.name);
      if (e.isDirectory()) walk(f);
      else if (e.name.endsWith("._S3rver_object")) out.push(path.relative(path.join(dir, bucket), f).replace(/\._S3rver_object$/, ""));
    }
  };
  walk(path.join(dir, bucket));
  return out.sort();
}

test("backup fault: listings that fail during expiry delete nothing, fail the run, and its expiry metric says so", async () => {
  const r = await rig("listings");
  // One block and the Grafana database per run: every AWS CLI call costs a second or more.
  r.api.headBytes = 0;
  fs.rmSync(path.join(r.dirs.alertmanager, "silences"));
  const s3dir = r.d("s3");
  fs.mkdirSync(s3dir);
  const s3 = await s3WithFaults(s3dir);
  try {
    fs.writeFileSync(r.d("credentials"), "[default]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n");
    fs.writeFileSync(r.d("config"), "[default]\ns3 =\n  addressing_style = path\n");
    // One attempt per request: the injected 500 is a fault that outlasted the CLI's retries.
    const env = {
      ...process.env,
      AWS_SHARED_CREDENTIALS_FILE: r.d("credentials"),
      AWS_CONFIG_FILE: r.d("config"),
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_MAX_ATTEMPTS: "1",
    };
    const aws = toolPath("aws");
    const destination: BackupDestination = { kind: "s3", bucket: "backups", region: "us-east-1", prefix: "stack", endpointUrl: s3.url };
    fs.writeFileSync(r.script, renderBackupScript({ ...r.input, destination, tools: { aws } }));

    // In the bucket: a complete backup B whose block only it names, an incomplete run C, and a
    // block O nothing names. A healthy expiry would remove C and O, and keep B and its block.
    const seed = r.d("seed/stack");
    const kept = ulid(Date.now() - 86400_000);
    writeFakeBlock(path.join(seed, "blocks"), kept, 1000);
    fs.writeFileSync(path.join(seed, "blocks", kept, "SHA256SUMS"), "x\n");
    const orphan = ulid(Date.now() - 2 * 86400_000);
    writeFakeBlock(path.join(seed, "blocks"), orphan, 1000);
    const b = stampOf(Date.now() - 86400_000);
    const objects = ["index", "meta.json"].map((f) => {
      const p = path.join(seed, "blocks", kept, f);
      return { kind: "block", path: `blocks/${kept}/${f}`, size: fs.statSync(p).size, sha256: sha256(p) };
    });
    fs.mkdirSync(path.join(seed, b));
    fs.writeFileSync(path.join(seed, b, "manifest.json"), manifestText(b, objects));
    const c = stampOf(Date.now() - 3600_000);
    fs.mkdirSync(path.join(seed, c, "grafana"), { recursive: true });
    fs.writeFileSync(path.join(seed, c, "grafana", "grafana.db"), "partial");
    const seeded = await runCommand(
      aws,
      ["--endpoint-url", s3.url, "--region", "us-east-1", "s3", "cp", "--only-show-errors", "--recursive", r.d("seed"), "s3://backups/"],
      env,
    );
    expect(seeded.code).toBe(0);

    const faults: [string, (q: URLSearchParams) => boolean][] = [
      // The look-up of B's manifest fails: B must not be taken for an incomplete run.
      [`the listing of ${b}/manifest.json`, (q) => q.get("prefix") === `stack/${b}/manifest.json`],
      // The listing of every stamp fails: no kept manifest can be read, so no block may go.
      ["the listing of the backups", (q) => q.get("prefix") === "stack/" && q.get("delimiter") === "/"],
    ];
    for (const [what, match] of faults) {
      const before = s3Keys(s3dir, "backups");
      s3.fail.match = match;
      s3.fail.hits = 0;
      await sleep(1100); // a stamp of its own
      const run = keep(`backup.sh --once, failing ${what}`, await runScript(r.script, ["--once"], env, 120_000));
      s3.fail.match = undefined;
      expect(s3.fail.hits).toBeGreaterThan(0);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/expiry: cannot (look for|list) .*; nothing deleted/);
      expect(run.stderr).not.toContain("expiry: removing");
      expect(run.stderr).toMatch(/backup \d{8}T\d{6}Z failed/);
      // Nothing that was there is gone: the new run only added its own objects.
      const after = s3Keys(s3dir, "backups");
      expect(after.filter((k) => !before.includes(k)).every((k) => k.startsWith("stack/blocks/") || /^stack\/\d{8}T\d{6}Z\//.test(k))).toBe(
        true,
      );
      expect(before.filter((k) => !after.includes(k))).toEqual([]);
      const text = textfile(r);
      expect(text).toContain('observability_backup_last_run_success{backup="expiry"} 0');
      expect(text).toContain('observability_backup_last_run_success{backup="prometheus"} 1');
    }
    expect(s3Keys(s3dir, "backups")).toEqual(
      expect.arrayContaining([
        `stack/${b}/manifest.json`,
        `stack/blocks/${kept}/index`,
        `stack/blocks/${orphan}/index`,
        `stack/${c}/grafana/grafana.db`,
      ]),
    );
  } finally {
    await s3.close();
  }
}, 120_000);

asRoot(
  "backup fault: a restore check with too little scratch fetches nothing, keeps the floor and reports why",
  async () => {
    const r = await rig("scratch");
    writeFakeBlock(r.dirs.prometheus, ulid(), 2 * 1024 * 1024);
    ok("backup.sh --once", await runScript(r.script, ["--once"]));
    const MiB = 1024 * 1024;
    fs.writeFileSync(
      r.d("verify.sh"),
      renderVerifyScript({ scratchDir: r.d("scratch"), textfileDir: r.d("textfile"), promtool: toolPath("promtool") }),
    );
    fs.mkdirSync(r.d("scratch"));
    // A 4 MiB scratch filesystem, private to this check, and a backup of about 2 MiB.
    const check = async (floorBytes: number, verifier: boolean) => {
      fs.writeFileSync(r.d("backup-floor.sh"), renderBackupScript({ ...r.input, verifyFloorBytes: floorBytes }));
      const inside = `mount -t tmpfs -o size=4m tmpfs "$1" || exit 9
sh "$2" --verify; echo "verify=$?" >&2
df -Pk "$1" | awk 'NR == 2 { print "scratch_used_kib=" $3 }' >&2
cat "$1/VERIFY_REQUEST" >&2
[ "$4" = 1 ] || exit 0
sh "$3" --once; echo "verifier=$?" >&2`;
      return runCommand("unshare", [
        "--mount",
        "/bin/sh",
        "-c",
        inside,
        "sh",
        r.d("scratch"),
        r.d("backup-floor.sh"),
        r.d("verify.sh"),
        verifier ? "1" : "0",
      ]);
    };
    // A 3 MiB floor: 4 MiB free minus 2 MiB needed leaves less. Skipped; nothing fetched.
    const tight = keep("restore check, 3 MiB floor on 4 MiB scratch", await check(3 * MiB, true));
    expect(tight.stderr).toMatch(
      /restore check skipped: backup \d{8}T\d{6}Z needs \d+ bytes, scratch has 4194304 free and keeps 3145728 free at the least/,
    );
    expect(tight.stderr).toContain("verify=1");
    expect(Number(/scratch_used_kib=(\d+)/.exec(tight.stderr)![1])).toBeLessThan(64); // the request file only
    expect(tight.stderr).toMatch(/^\d{8}T\d{6}Z skipped scratch_too_small \d+ 4194304$/m);
    const metrics = textfile(r, "observability_backup_verify.prom");
    expect(metrics).toContain('observability_backup_verify_last_run_skipped{reason="scratch_too_small"} 1');
    expect(metrics).toMatch(/^observability_backup_verify_needed_bytes \d{7}$/m);
    expect(metrics).toMatch(/^observability_backup_verify_scratch_free_bytes 4194304$/m);
    expect(metrics).not.toMatch(/observability_backup_verify_last_run_success/);
    const lint = spawnSync(toolPath("promtool"), ["check", "metrics"], { input: metrics, encoding: "utf8" });
    expect(lint.stdout + lint.stderr).toBe("");

    // The control: a 1 MiB floor leaves room, and the same check restores the backup.
    const roomy = keep("restore check, 1 MiB floor on 4 MiB scratch", await check(1 * MiB, false));
    expect(roomy.stderr).toContain("verify=0");
    expect(roomy.stderr).toMatch(/^\d{8}T\d{6}Z ok$/m);
    expect(Number(/scratch_used_kib=(\d+)/.exec(roomy.stderr)![1])).toBeGreaterThan(2048);
  },
  60_000,
);

test("backup fault: a backup stamped in the future is never restored as latest, is counted, and expires by its recorded time", async () => {
  const r = await rig("future");
  ok("backup.sh --once", await runScript(r.script, ["--once"]));
  const [real] = stampsIn(r.d("archive"));
  // Complete, self-consistent backups days ahead, with another Grafana database: what a wrong
  // clock (or someone holding the instance role) would leave. The store recorded the first just
  // now, the second 40 days ago.
  const future = (days: number, storedDaysAgo: number) => {
    const stamp = stampOf(Date.now() + days * 86400_000);
    const fdir = path.join(r.d("archive"), stamp);
    fs.mkdirSync(path.join(fdir, "grafana"), { recursive: true });
    const db = path.join(fdir, "grafana", "grafana.db");
    expect(spawnSync(SQLITE3, [db, "CREATE TABLE dashboard(title TEXT); INSERT INTO dashboard VALUES ('from the future');"]).status).toBe(
      0,
    );
    const objects = [{ kind: "grafana", path: `${stamp}/grafana/grafana.db`, size: fs.statSync(db).size, sha256: sha256(db) }];
    fs.writeFileSync(path.join(fdir, "manifest.json"), manifestText(stamp, objects));
    const stored = new Date(Date.now() - storedDaysAgo * 86400_000);
    fs.utimesSync(path.join(fdir, "manifest.json"), stored, stored);
    return stamp;
  };
  const recent = future(2, 0);
  const stale = future(3, 40);

  const targets = { prometheus: r.d("r/prometheus"), grafana: r.d("r/grafana"), alertmanager: r.d("r/alertmanager") };
  fs.writeFileSync(r.d("restore.sh"), renderRestoreScript({ destination: r.input.destination, targets }));
  const restore = keep("restore.sh (latest)", await runScript(r.d("restore.sh"), []));
  expect(restore.code).toBe(0);
  expect(restore.stderr).toContain(`skipping backup ${stale} as latest: stamped more than an hour in the future`);
  expect(restore.stderr).toContain(`skipping backup ${recent} as latest: stamped more than an hour in the future`);
  expect(restore.stderr).toContain(`restoring backup ${real} (from latest)`);
  expect(
    spawnSync(SQLITE3, [path.join(targets.grafana, "grafana.db"), "SELECT title FROM dashboard;"], { encoding: "utf8" }).stdout.trim(),
  ).toBe("home");

  // Expiry keeps and counts the one the store recorded recently (BackupStampInFuture), and
  // removes the one the store recorded longer ago than the retention.
  await sleep(1100);
  const second = keep("backup.sh --once", await runScript(r.script, ["--once"]));
  expect(second.code).toBe(0);
  expect(second.stderr).toContain(`expiry: backup ${recent} is stamped more than an hour in the future`);
  expect(second.stderr).toContain(`expiry: removing backup ${stale} (stamped in the future, stored more than 30 days ago)`);
  expect(textfile(r)).toMatch(/^observability_backup_future_stamped_backups 1$/m);
  expect(stampsIn(r.d("archive"))).toEqual([real, stampsIn(r.d("archive"))[1], recent].sort());
  expect(fs.existsSync(path.join(r.d("archive"), stale))).toBe(false);
}, 60_000);

test("backup fault: a tampered manifest is refused before anything is restored", async () => {
  const r = await rig("tamper");
  ok("backup.sh --once", await runScript(r.script, ["--once"]));
  const [stamp] = stampsIn(r.d("archive"));
  const mpath = path.join(r.d("archive"), stamp, "manifest.json");
  const original = fs.readFileSync(mpath, "utf8");
  const m = JSON.parse(original) as Manifest & { objects_sha256: string };
  // The digest written by the shell is the one computed here from the object list.
  expect(m.objects_sha256).toBe(objectsDigest(stamp, m.objects));
  const targets = { prometheus: r.d("r/prometheus"), grafana: r.d("r/grafana"), alertmanager: r.d("r/alertmanager") };
  fs.writeFileSync(r.d("restore.sh"), renderRestoreScript({ destination: r.input.destination, targets }));

  // Someone swaps Grafana's database and updates its sha256 and size in the manifest.
  const gkey = m.objects.find((o) => o.kind === "grafana")!.path;
  const swapped = r.d("swapped.db");
  expect(spawnSync(SQLITE3, [swapped, "CREATE TABLE dashboard(title TEXT); INSERT INTO dashboard VALUES ('swapped');"]).status).toBe(0);
  fs.copyFileSync(swapped, path.join(r.d("archive"), gkey));
  const g = m.objects.find((o) => o.kind === "grafana")!;
  fs.writeFileSync(
    mpath,
    original.replace(
      `"path":"${gkey}","size":${g.size},"sha256":"${g.sha256}"`,
      `"path":"${gkey}","size":${fs.statSync(swapped).size},"sha256":"${sha256(swapped)}"`,
    ),
  );
  expect(fs.readFileSync(mpath, "utf8")).not.toBe(original);
  const edited = keep("restore.sh, edited manifest", await runScript(r.d("restore.sh"), []));
  expect(edited.code).toBe(1);
  expect(edited.stderr).toContain(`manifest ${stamp} does not match its objects_sha256`);
  const emptyOrAbsent = (t: string) => !fs.existsSync(t) || fs.readdirSync(t).length === 0;
  for (const t of Object.values(targets)) expect(emptyOrAbsent(t)).toBe(true);

  // The untouched manifest copied under another stamp (to pass an old backup off as new).
  const later = stampOf(Date.now() + 60_000);
  fs.mkdirSync(path.join(r.d("archive"), later));
  fs.writeFileSync(path.join(r.d("archive"), later, "manifest.json"), original);
  const moved = keep("restore.sh --from <other stamp>", await runScript(r.d("restore.sh"), ["--from", later]));
  expect(moved.code).toBe(1);
  expect(moved.stderr).toContain(`manifest under ${later}/ says it is backup ${stamp}: refusing it`);
  for (const t of Object.values(targets)) expect(emptyOrAbsent(t)).toBe(true);
}, 60_000);

test("backup fault: the snapshot an interrupted run left in Prometheus's volume is removed by the next run", async () => {
  const r = await rig("snapshot");
  r.api.holdMs = 20_000;
  const run = spawn("/bin/sh", [r.script, "--once"], { stdio: "ignore", detached: true });
  spawned.push(run);
  const snapshots = path.join(r.dirs.prometheus, "snapshots");
  await waitFor("the snapshot on disk", () => fs.existsSync(snapshots) && fs.readdirSync(snapshots).length === 1, 20_000);
  // Killed with its whole process group, as an OOM kill or a SIGKILL after the stop grace would.
  process.kill(-run.pid!, "SIGKILL");
  await new Promise((res) => run.on("close", res));
  const [leaked] = fs.readdirSync(snapshots);
  expect(fs.readdirSync(path.join(snapshots, leaked)).length).toBeGreaterThan(0);
  r.api.holdMs = 0;
  const next = keep("backup.sh --once after the kill", await runScript(r.script, ["--once"]));
  expect(next.code).toBe(0);
  expect(next.stderr).toContain(`removing snapshot ${path.join(snapshots, leaked)} left by an interrupted run`);
  expect(next.stderr).toContain("breaking a stale lock");
  expect(fs.readdirSync(snapshots)).toEqual([]);
}, 60_000);

test("backup fault: an overwrite restore whose container is re-created by an unrelated change leaves the volumes untouched", async () => {
  const r = await rig("overwrite");
  ok("backup.sh --once", await runScript(r.script, ["--once"]));
  const targets = { prometheus: r.d("live/prometheus"), grafana: r.d("live/grafana"), alertmanager: r.d("live/alertmanager") };
  for (const t of Object.values(targets)) {
    fs.mkdirSync(t, { recursive: true });
    fs.writeFileSync(path.join(t, "broken"), "the data the restore replaces");
  }
  const render = (restoreId: string, workDir: string) =>
    fs.writeFileSync(
      r.d("restore.sh"),
      renderRestoreScript({ destination: r.input.destination, targets, from: "latest", overwrite: true, restoreId, workDir }),
    );
  render("incident-1", r.d("work-a"));
  ok("restore.sh, overwrite incident-1", await runScript(r.d("restore.sh"), []));
  for (const t of Object.values(targets)) expect(fs.existsSync(path.join(t, "broken"))).toBe(false);

  // The services run on and write; then an unrelated change re-creates the restore container
  // (here: another script text, as an image, limit or script change would give).
  expect(
    spawnSync(SQLITE3, [path.join(targets.grafana, "grafana.db"), "INSERT INTO dashboard VALUES ('made after the restore');"]).status,
  ).toBe(0);
  writeFakeBlock(targets.prometheus, ulid(), 1000);
  fs.writeFileSync(path.join(targets.alertmanager, "nflog"), delimitedMessages([Buffer.from("after")]));
  const live = Object.values(targets).map((t) => treeHashes(t));
  render("incident-1", r.d("work-b"));
  const again = keep("restore.sh re-created, same id", await runScript(r.d("restore.sh"), []));
  expect(again.code).toBe(0);
  expect(again.stderr).toContain(
    `restore incident-1 is already done (every volume holds its marker ${RESTORE_MARKER}): nothing restored, nothing overwritten`,
  );
  expect(Object.values(targets).map((t) => treeHashes(t))).toEqual(live);

  // The control: a new restore id is a new restore, and does overwrite.
  render("incident-2", r.d("work-c"));
  ok("restore.sh, overwrite incident-2", await runScript(r.d("restore.sh"), []));
  expect(
    spawnSync(SQLITE3, [path.join(targets.grafana, "grafana.db"), "SELECT count(*) FROM dashboard;"], { encoding: "utf8" }).stdout.trim(),
  ).toBe("1");
}, 60_000);
