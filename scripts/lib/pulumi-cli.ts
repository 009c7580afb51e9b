// Which `pulumi` CLI the user-facing scripts run. `npm run` puts node_modules/.bin first on PATH,
// where the npm package `pulumi` installs a launcher that downloads the CLI on first use; a CLI
// the user installed (on PATH outside any node_modules/.bin) is preferred, the launcher is the
// fallback. When neither answers `pulumi version`, the error says why and how to install one,
// instead of failing later at a step whose message reads as something else.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const INSTALL_HINT =
  "install the Pulumi CLI (https://www.pulumi.com/docs/install/, or `curl -fsSL https://get.pulumi.com | sh`) and run again; a `pulumi` on PATH is used before the npm launcher";

export interface PulumiCli {
  readonly path: string;
  /** "PATH" for a CLI the user installed, "launcher" for node_modules/.bin/pulumi. */
  readonly source: "PATH" | "launcher";
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Whether a PATH entry is some project's node_modules/.bin (where npm's launcher lives). */
function isNpmBin(dir: string): boolean {
  return path.basename(dir) === ".bin" && path.basename(path.dirname(dir)) === "node_modules";
}

/** The CLI to run: the first `pulumi` on PATH outside node_modules/.bin, else the project's launcher. */
export function findPulumi(root: string, env: NodeJS.ProcessEnv = process.env): PulumiCli | undefined {
  const names = process.platform === "win32" ? ["pulumi.exe", "pulumi.cmd"] : ["pulumi"];
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir || isNpmBin(path.resolve(dir))) continue;
    for (const n of names) {
      const p = path.join(dir, n);
      if (isExecutable(p)) return { path: p, source: "PATH" };
    }
  }
  const launcher = path.join(root, "node_modules", ".bin", "pulumi");
  return isExecutable(launcher) ? { path: launcher, source: "launcher" } : undefined;
}

export type CliCheck = { readonly ok: true; readonly version: string } | { readonly ok: false; readonly message: string };

/** Runs `pulumi version` (the launcher downloads the CLI here); on failure, the cause and the fix. */
export function checkPulumi(cli: PulumiCli | undefined, cwd: string, env: NodeJS.ProcessEnv = process.env, timeoutMs = 300_000): CliCheck {
  if (!cli) return { ok: false, message: `no Pulumi CLI: none on PATH and no npm launcher (run \`npm install\`); ${INSTALL_HINT}` };
  const r = spawnSync(cli.path, ["version"], { cwd, env, encoding: "utf8", timeout: timeoutMs });
  if (r.status === 0) return { ok: true, version: r.stdout.trim().split("\n").pop() ?? "" };
  const cause = r.error?.message ?? (`${r.stderr ?? ""}`.trim().split("\n").filter(Boolean).pop() || `exit status ${r.status ?? r.signal}`);
  const what =
    cli.source === "launcher" ? `the npm launcher (${cli.path}) could not get the CLI: ${cause}` : `${cli.path} does not run: ${cause}`;
  return { ok: false, message: `no Pulumi CLI: ${what}; ${INSTALL_HINT}` };
}
