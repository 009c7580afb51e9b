// npm run bench:backup — bytes the backup job uploads on its first run and on the next one
// after one new block, with the rendered backup.sh (--once, volume destination).
//
// The TSDB is synthetic: block directories of random bytes (meta.json, index, chunk files)
// served through a stand-in for Prometheus's snapshot API (harness/backup-fixture.ts),
// which hard-links them into a snapshot with a fresh head block, as Prometheus does. The script
// never reads block contents, so random bytes cost it what real chunks would.
// Shape: 205 MB in 10 compacted blocks, a 1 MB head, and a 2 MB new block — about what two
// hours add to a TSDB of that size with 15 days of retention.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Command, parseCommand, progress } from "./lib/args";
import { ensureTools } from "./lib/tools";

const COMMAND: Command = {
  script: "bench:backup",
  synopsis: "",
  about:
    "Bytes the backup job uploads: the rendered backup.sh --once (volume destination) on a synthetic 217 MB\n" +
    "TSDB, then again after one new 2 MB block. Prints full_bytes=<first run> incremental_bytes=<second run>\n" +
    "ratio=<second/first>. Under a minute; works in a temporary directory it removes. Fetches the tools\n" +
    "(sqlite3 among them) into .tools/bin first if they are missing.",
};

const MB = 1024 * 1024;

function uploaded(textfile: string): number {
  const m = /^observability_backup_last_run_uploaded_bytes (\d+)$/m.exec(fs.readFileSync(textfile, "utf8"));
  if (!m) throw new Error(`no uploaded_bytes in ${textfile}`);
  return Number(m[1]);
}

async function main(): Promise<void> {
  parseCommand(COMMAND);
  ensureTools();
  const { renderBackupScript } = require("../configs/backup") as typeof import("../configs/backup");
  const { delimitedMessages, FakeSnapshotApi, runScript, treeHashes, ulid, writeFakeBlock } =
    require("../harness/backup-fixture") as typeof import("../harness/backup-fixture");
  const { makeTempDir, toolPath } = require("../harness/processes") as typeof import("../harness/processes");
  const { startGrafanaCopier } = require("../harness/grafana-copier") as typeof import("../harness/grafana-copier");
  progress(1, 3, "writing a synthetic 217 MB TSDB, a Grafana database and Alertmanager silences");
  const root = makeTempDir("obs-bench-backup");
  const dirs = {
    prometheus: path.join(root, "prometheus"),
    grafana: path.join(root, "grafana"),
    alertmanager: path.join(root, "alertmanager"),
  };
  for (const d of [...Object.values(dirs), path.join(root, "archive"), path.join(root, "textfile")]) fs.mkdirSync(d, { recursive: true });
  const hour = 3600_000;
  for (let i = 0; i < 10; i++) writeFakeBlock(dirs.prometheus, ulid(Date.now() - (300 - i * 24) * hour), 20.5 * MB, 1);
  const sqlite = spawnSync(toolPath("sqlite3"), [
    path.join(dirs.grafana, "grafana.db"),
    "CREATE TABLE dashboard(id INTEGER PRIMARY KEY, data BLOB); INSERT INTO dashboard(data) VALUES (randomblob(500000));",
  ]);
  if (sqlite.status !== 0) throw new Error(`sqlite3: ${sqlite.stderr}`);
  fs.writeFileSync(path.join(dirs.alertmanager, "silences"), delimitedMessages([Buffer.alloc(2000, 1)]));
  const api = new FakeSnapshotApi(dirs.prometheus);
  api.headBytes = 1 * MB;
  // sqlite3 runs in the copier, as in its own container (the backup image has none).
  const copier = startGrafanaCopier(dirs.grafana, root);
  try {
    const url = await api.start();
    const script = path.join(root, "backup.sh");
    fs.writeFileSync(
      script,
      renderBackupScript({
        prometheusUrl: url,
        intervalHours: 6,
        retentionDays: 30,
        destination: { kind: "volume", dir: path.join(root, "archive") },
        textfileDir: path.join(root, "textfile"),
        sources: dirs,
        scratchDir: path.join(root, "scratch"),
        grafanaCopyDir: copier.exchangeDir,
      }),
    );
    const textfile = path.join(root, "textfile", "observability_backup.prom");
    progress(2, 3, "first backup run (every block)");
    const first = await runScript(script, ["--once"], process.env, 600_000);
    if (first.code !== 0) throw new Error(first.stderr);
    const full = uploaded(textfile);
    await new Promise((r) => setTimeout(r, 1100));
    writeFakeBlock(dirs.prometheus, ulid(), 2 * MB, 1);
    progress(3, 3, "second backup run after one new 2 MB block");
    const second = await runScript(script, ["--once"], process.env, 600_000);
    if (second.code !== 0) throw new Error(second.stderr);
    const incremental = uploaded(textfile);
    const blocks = fs.readdirSync(dirs.prometheus).filter((b) => b !== "snapshots");
    const bytes = blocks.reduce(
      (n, b) =>
        n +
        Object.keys(treeHashes(path.join(dirs.prometheus, b))).reduce((m, f) => m + fs.statSync(path.join(dirs.prometheus, b, f)).size, 0),
      0,
    );
    console.log(`synthetic_tsdb_blocks=${blocks.length} synthetic_tsdb_bytes=${bytes} head_block_chunk_bytes=${api.headBytes}`);
    console.log(`full_bytes=${full} incremental_bytes=${incremental} ratio=${(incremental / full).toFixed(4)}`);
  } finally {
    await copier.stop();
    await api.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
