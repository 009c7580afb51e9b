// Runs the Grafana database copier (configs/grafana-db-copy.ts) beside a backup script under test,
// as its container does beside the backup job: the rendered script under /bin/sh, polling an
// exchange directory the backup script writes requests into.
//
// Stand-in: the image's sqlite3 is keinos/sqlite3's /usr/bin/sqlite3 (a static build of the SQLite
// release in its tag, 3.52.0; KEINOS/Dockerfile_of_SQLite3 Dockerfile and VERSION_SQLite3.txt),
// called by name from PATH as the image's PATH has it. Here PATH starts with .tools/bin, whose
// sqlite3 is Debian's (3.40.1 here): the same shell, `.backup`, `.timeout` and
// `PRAGMA integrity_check` are in both (all predate 3.40).
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { renderGrafanaCopierScript } from "../configs/grafana-db-copy";
import { TOOLS_BIN } from "./processes";

export interface RunningCopier {
  /** The exchange directory to give the backup script (grafanaCopyDir). */
  readonly exchangeDir: string;
  /** What the copier logged so far. */
  log(): string;
  stop(): Promise<void>;
}

/** Starts the copier on grafanaDataDir with a fresh exchange directory under workDir. */
export function startGrafanaCopier(grafanaDataDir: string, workDir: string): RunningCopier {
  const exchangeDir = path.join(workDir, "grafana-copy");
  fs.mkdirSync(exchangeDir, { recursive: true });
  const script = path.join(workDir, "grafana-db-copy.sh");
  fs.writeFileSync(script, renderGrafanaCopierScript({ grafanaDataDir, exchangeDir, pollSeconds: 0.2 }));
  if (!fs.existsSync(path.join(TOOLS_BIN, "sqlite3"))) throw new Error(`${TOOLS_BIN}/sqlite3 is missing: run \`npm run tools\``);
  const child: ChildProcess = spawn("/bin/sh", [script], {
    env: { ...process.env, PATH: `${TOOLS_BIN}${path.delimiter}${process.env.PATH ?? ""}` },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  return {
    exchangeDir,
    log: () => stderr,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}
