// The S3 path of the backup scripts: the rendered backup.sh and restore.sh with the real AWS CLI
// (.tools/bin/aws, Debian's v2; not whatever `aws` is first on PATH) against s3rver on
// 127.0.0.1: a first backup, an incremental second run, a restore, and expiry by manifest.
// Each AWS CLI call costs about a second of start-up, so this runs in `npm run test:live`
// (OBS_LIVE_FULL=1) and is skipped in `npm test`.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { BackupDestination, renderBackupScript } from "../../configs/backup";
import { renderRestoreScript } from "../../configs/backup-restore";
import { FakeSnapshotApi, runCommand, runScript, ScriptResult, treeHashes, ulid, writeFakeBlock } from "../../harness/backup-fixture";
import { startGrafanaCopier } from "../../harness/grafana-copier";
import { freePort, makeTempDir, sleep, toolPath } from "../../harness/processes";

const SQLITE3 = toolPath("sqlite3");
const LOG: string[] = [];
const maybe = process.env.OBS_LIVE_FULL ? test : test.skip;

function expectOk(what: string, r: ScriptResult): void {
  for (const line of r.stderr.trim().split("\n")) if (line) LOG.push(`[${what}] ${line}`);
  if (r.code !== 0) throw new Error(`${what} exited ${String(r.code)}:\n${r.stderr}`);
}

function note(line: string): void {
  LOG.push(`[drill] ${line}`);
}

afterAll(() => {
  if (LOG.length) console.log(LOG.join("\n"));
});

interface S3rverInstance {
  run(): Promise<unknown>;
  close(): Promise<unknown>;
}

maybe(
  "restore over S3 with the real AWS CLI: backup, incremental run, restore and expiry against s3rver",
  async () => {
    const dir = makeTempDir("obs-restore-s3");
    const d = (p: string) => path.join(dir, p);
    const dirs = { prometheus: d("prometheus"), grafana: d("grafana"), alertmanager: d("alertmanager") };
    for (const p of [...Object.values(dirs), d("textfile"), d("s3")]) fs.mkdirSync(p, { recursive: true });
    const port = await freePort();
    // s3rver has no type declarations; its constructor options are documented in its README.
    const S3rver = require("s3rver") as new (o: Record<string, unknown>) => S3rverInstance;
    const s3 = new S3rver({ address: "127.0.0.1", port, silent: true, directory: d("s3"), configureBuckets: [{ name: "backups" }] });
    await s3.run();
    // Credentials as files, as the instance profile would be: nothing secret in the scripts.
    fs.writeFileSync(d("credentials"), "[default]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n");
    fs.writeFileSync(d("config"), "[default]\ns3 =\n  addressing_style = path\n");
    const env = {
      ...process.env,
      AWS_SHARED_CREDENTIALS_FILE: d("credentials"),
      AWS_CONFIG_FILE: d("config"),
      AWS_EC2_METADATA_DISABLED: "true",
    };
    const api = new FakeSnapshotApi(dirs.prometheus);
    // sqlite3 runs in the copier, as in its own container (the backup image has none).
    const copier = startGrafanaCopier(dirs.grafana, dir);
    try {
      const url = await api.start();
      writeFakeBlock(dirs.prometheus, ulid(Date.now() - 7200_000), 200_000, 2);
      writeFakeBlock(dirs.prometheus, ulid(Date.now() - 3600_000), 100_000);
      expect(spawnSync(SQLITE3, [path.join(dirs.grafana, "grafana.db"), "CREATE TABLE t(x); INSERT INTO t VALUES (42);"]).status).toBe(0);
      const destination: BackupDestination = {
        kind: "s3",
        bucket: "backups",
        region: "us-east-1",
        prefix: "stack",
        endpointUrl: `http://127.0.0.1:${port}`,
      };
      const aws = toolPath("aws");
      // Not spawnSync: s3rver answers from this very process.
      const awsRun = (args: string[]) =>
        runCommand(aws, ["--endpoint-url", `http://127.0.0.1:${port}`, "--region", "us-east-1", ...args], env);
      // Stamped long ago: a backup and a block only it names.
      const oldBlock = ulid(Date.parse("2020-01-01"));
      fs.writeFileSync(
        d("old-manifest.json"),
        `{\n  "objects": [\n    {"kind":"block","path":"blocks/${oldBlock}/index","size":1,"sha256":"00"}\n  ]\n}\n`,
      );
      expect((await awsRun(["s3", "cp", d("old-manifest.json"), "s3://backups/stack/20200101T000000Z/manifest.json"])).code).toBe(0);
      expect((await awsRun(["s3", "cp", d("old-manifest.json"), `s3://backups/stack/blocks/${oldBlock}/SHA256SUMS`])).code).toBe(0);

      fs.writeFileSync(
        d("backup.sh"),
        renderBackupScript({
          prometheusUrl: url,
          intervalHours: 6,
          retentionDays: 30,
          destination,
          textfileDir: d("textfile"),
          sources: dirs,
          scratchDir: d("scratch"),
          grafanaCopyDir: copier.exchangeDir,
          tools: { aws },
        }),
      );
      const metric = (name: string) =>
        Number(new RegExp(`^${name} (\\S+)$`, "m").exec(fs.readFileSync(d("textfile/observability_backup.prom"), "utf8"))![1]);
      const first = await runScript(d("backup.sh"), ["--once"], env, 300_000);
      expectOk("s3 backup.sh --once #1", first);
      expect(metric("observability_backup_last_run_blocks_uploaded")).toBe(3);
      const firstBytes = metric("observability_backup_last_run_uploaded_bytes");
      // Stamped 2020 but stored just now (S3's LastModified): expiry goes by both, so it stays, and
      // so does the block it names (tests/live/backup-faults.live.test.ts expires by stored time).
      expect(first.stderr).not.toContain("expiry: removing backup 20200101T000000Z");
      expect(first.stderr).not.toContain(`expiry: removing block ${oldBlock}`);
      expect((await awsRun(["s3", "ls", `s3://backups/stack/blocks/${oldBlock}/`])).stdout).toContain("SHA256SUMS");

      await sleep(1100);
      writeFakeBlock(dirs.prometheus, ulid(), 20_000);
      const second = await runScript(d("backup.sh"), ["--once"], env, 300_000);
      expectOk("s3 backup.sh --once #2", second);
      expect(metric("observability_backup_last_run_blocks_uploaded")).toBe(2);
      expect(metric("observability_backup_last_run_blocks_skipped")).toBe(2);
      const secondBytes = metric("observability_backup_last_run_uploaded_bytes");
      expect(secondBytes).toBeLessThan(firstBytes / 5);
      note(`s3: first run ${firstBytes} bytes, second run ${secondBytes} bytes`);

      const targets = { prometheus: d("r/prometheus"), grafana: d("r/grafana"), alertmanager: d("r/alertmanager") };
      fs.writeFileSync(d("restore.sh"), renderRestoreScript({ destination, targets, tools: { aws } }));
      expectOk("s3 restore.sh", await runScript(d("restore.sh"), [], env, 300_000));
      // The restored blocks are the data directory's (the head block of the latest run aside).
      const restored = treeHashes(targets.prometheus);
      for (const [rel, sum] of Object.entries(treeHashes(dirs.prometheus))) {
        if (!rel.startsWith("snapshots")) expect(restored[rel]).toBe(sum);
      }
      expect(spawnSync(SQLITE3, [path.join(targets.grafana, "grafana.db"), "SELECT x FROM t;"], { encoding: "utf8" }).stdout.trim()).toBe(
        "42",
      );
    } finally {
      await copier.stop();
      await api.stop();
      await s3.close();
    }
  },
  600_000,
);
