// A throwaway git repository holding a copy of the project as it is now, for the tests that run
// the review on commits (tests/scripts/review*.test.ts).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const ROOT = path.join(__dirname, "..", "..");

export function sh(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 26 });
}

/** The project's files as they are now (tracked and new, not ignored), minus the shared dependencies. */
export function copySources(dest: string): void {
  const files = sh("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], ROOT)
    .split("\0")
    .filter((f) => f !== "" && !/^(node_modules|\.tools)(\/|$)/.test(f) && fs.existsSync(path.join(ROOT, f)));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dest, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(dest, f));
  }
  fs.symlinkSync(fs.realpathSync(path.join(ROOT, "node_modules")), path.join(dest, "node_modules"), "dir");
}

/** Rewrites a file of `repo` and fails loudly when the edit no longer applies (the sources moved on). */
export function editFile(repo: string, file: string, change: (text: string) => string): void {
  const p = path.join(repo, file);
  const before = fs.readFileSync(p, "utf8");
  const after = change(before);
  if (after === before) throw new Error(`the test's edit of ${file} no longer applies`);
  fs.writeFileSync(p, after);
}

/** Commits everything in `repo`. */
export function commitAll(repo: string, message: string): void {
  sh("git", ["add", "-A"], repo);
  sh("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", message], repo);
}
