// `npm run review -- <git-ref>`: what a change does to the deployed stacks, in words a reviewer
// reads ("HighLatencyP95: threshold 0.5 → 0.8; for 5m → 10m"), not a 2,000-line YAML diff.
// Renders every committed stack (Pulumi.<stack>.yaml) under mocks at <git-ref> and at the
// working tree, and prints a Markdown summary; prints nothing when nothing changed. The PR
// workflow posts the output as a comment.
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Command, parseCommand, refuse } from "./lib/args";
import { diffStack } from "./lib/review/diff";
import { renderMarkdown, StackDiff } from "./lib/review/markdown";
import { Snapshot, stackModel } from "./lib/review/model";
import { rolloutLines } from "./lib/review/rollout";

const COMMAND: Command = {
  script: "review",
  synopsis: "<git-ref>",
  about:
    "What a change does to the deployed stacks, in words: renders every committed stack under mocks at\n" +
    "<git-ref> and at the working tree and prints a Markdown summary (alerts, routes, scrape jobs, panels,\n" +
    "images, limits, ports, security groups, buckets, then other changed files). Prints nothing when nothing\n" +
    "changed. Writes only to a temporary folder it removes. Takes 10-30 s.",
  args: { "git-ref": "the base to compare with, e.g. origin/main or HEAD~1" },
  min: 1,
  max: 1,
};

const ROOT = path.join(__dirname, "..");
const DUMP = path.join(__dirname, "lib", "review", "dump.ts");
/** Program runs in parallel: each is one busy Node process for a few seconds. */
const PARALLEL = 2;

function git(args: string[]): string {
  return execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

function stacksIn(root: string): string[] {
  return fs
    .readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/** The sources of the project at `commit`, extracted into `dir` (no checkout, no worktree to clean up). */
function extract(commit: string, dir: string): void {
  const prefix = git(["rev-parse", "--show-prefix"]);
  const tree = prefix ? `${commit}:${prefix.replace(/\/$/, "")}` : commit;
  const tar = execFileSync("git", ["archive", "--format=tar", tree], { cwd: ROOT, maxBuffer: 1 << 30 });
  execFileSync("tar", ["-x", "-C", dir], { input: tar });
  // The same dependencies as the working tree: the old program must share its @pulumi/pulumi
  // instance with the mocks, which holds as long as both resolve to the same real directory.
  const modules = path.join(dir, "node_modules");
  fs.rmSync(modules, { recursive: true, force: true });
  fs.symlinkSync(fs.realpathSync(path.join(ROOT, "node_modules")), modules, "dir");
}

/** Runs the program in `root` for `stack` in a child process and reads its recording. */
function dump(root: string, stack: string, out: string): Promise<Snapshot> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-r", "ts-node/register", DUMP, root, stack, out], {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true", PULUMI_CONFIG: undefined },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (status) => {
      if (status === 0) resolve(JSON.parse(fs.readFileSync(out, "utf8")) as Snapshot);
      else reject(new Error(`rendering stack ${stack} from ${root} failed (exit ${String(status)}):\n${stderr.trim()}`));
    });
  });
}

async function inBatches<T>(jobs: (() => Promise<T>)[], size: number): Promise<T[]> {
  const results: T[] = new Array<T>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, jobs.length) }, worker));
  return results;
}

async function main(): Promise<void> {
  const [ref] = parseCommand(COMMAND).positionals;
  let commit = "";
  try {
    commit = git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  } catch {
    refuse(COMMAND, `${ref} is not a commit in this repository`);
  }

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "review-"));
  try {
    const base = path.join(tmp, "base");
    fs.mkdirSync(base);
    extract(commit, base);
    const stacks = stacksIn(ROOT);
    const baseStacks = new Set(stacksIn(base));
    const notes: string[] = [];
    for (const s of baseStacks) if (!stacks.includes(s)) notes.push(`stack \`${s}\` removed`);
    const jobs: (() => Promise<Snapshot>)[] = [];
    for (const s of stacks) {
      jobs.push(() => dump(ROOT, s, path.join(tmp, `head-${s}.json`)));
      if (baseStacks.has(s)) jobs.push(() => dump(base, s, path.join(tmp, `base-${s}.json`)));
    }
    const snapshots = await inBatches(jobs, PARALLEL);
    const diffs: StackDiff[] = [];
    let i = 0;
    for (const s of stacks) {
      const head = snapshots[i++];
      if (!baseStacks.has(s)) {
        notes.push(`stack \`${s}\` added`);
        continue;
      }
      const base = snapshots[i++];
      const [before, after] = [stackModel(base), stackModel(head)];
      const rollout = { title: "Rollout", lines: rolloutLines(base, head, before, after) };
      diffs.push({ stack: s, sections: [rollout, ...diffStack(before, after)].filter((x) => x.lines.length > 0) });
    }
    process.stdout.write(renderMarkdown(ref, diffs, notes));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
