// Test and benchmark fixtures for the backup scripts: running a rendered script without
// blocking the event loop (an in-process server may have to answer it), a stand-in for
// Prometheus's snapshot API over a directory of blocks, and block directories.
import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import * as path from "node:path";

export interface ScriptResult {
  readonly code: number | null;
  readonly stderr: string;
  readonly stdout: string;
}

/** Runs `sh <script> args…` and resolves when it exits (killed after timeoutMs). */
export function runScript(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 120_000,
): Promise<ScriptResult> {
  return runCommand("/bin/sh", [script, ...args], env, timeoutMs);
}

/** Runs a command without blocking the event loop (a server in this process may serve it). */
export function runCommand(
  bin: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 120_000,
): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A fresh ULID-shaped name (26 Crockford base32 characters), time-ordered by `ms`. */
export function ulid(ms = Date.now()): string {
  let t = "";
  let n = ms;
  for (let i = 0; i < 10; i++) {
    t = CROCKFORD[n % 32] + t;
    n = Math.floor(n / 32);
  }
  let r = "";
  for (const b of crypto.randomBytes(16)) r += CROCKFORD[b % 32];
  return t + r;
}

/** Writes a block-shaped directory (meta.json, index, chunks/*) of random bytes. */
export function writeFakeBlock(dir: string, id: string, chunkBytes: number, chunkFiles = 1): void {
  const b = path.join(dir, id);
  fs.mkdirSync(path.join(b, "chunks"), { recursive: true });
  fs.writeFileSync(path.join(b, "meta.json"), JSON.stringify({ ulid: id, version: 1 }));
  fs.writeFileSync(path.join(b, "index"), crypto.randomBytes(4096));
  fs.writeFileSync(path.join(b, "tombstones"), Buffer.from([0, 0, 0, 0]));
  for (let i = 1; i <= chunkFiles; i++) {
    fs.writeFileSync(path.join(b, "chunks", String(i).padStart(6, "0")), crypto.randomBytes(Math.ceil(chunkBytes / chunkFiles)));
  }
}

/**
 * Prometheus's POST /api/v1/admin/tsdb/snapshot over a data directory of blocks: hard-links
 * every block into snapshots/<name>/ and writes the "head" as one more fresh block, as the
 * real API does. `headBytes` 0 means an empty head (no head block). `holdMs` keeps the answer
 * back that long after the snapshot is on disk (a run to interrupt). GET /-/ready answers 200.
 */
export class FakeSnapshotApi {
  private server?: http.Server;
  calls = 0;
  headBytes = 4096;
  fail = false;
  holdMs = 0;

  constructor(private readonly dataDir: string) {}

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      if (req.method === "GET" && req.url === "/-/ready") {
        res.writeHead(200).end("Prometheus Server is Ready.\n");
        return;
      }
      if (req.method !== "POST" || req.url !== "/api/v1/admin/tsdb/snapshot" || this.fail) {
        res.writeHead(this.fail ? 500 : 404).end();
        return;
      }
      this.calls++;
      const name = `snap-${this.calls}-${crypto.randomBytes(4).toString("hex")}`;
      const snap = path.join(this.dataDir, "snapshots", name);
      fs.mkdirSync(snap, { recursive: true });
      for (const id of fs.readdirSync(this.dataDir)) {
        const src = path.join(this.dataDir, id);
        if (!fs.existsSync(path.join(src, "meta.json"))) continue;
        linkTree(src, path.join(snap, id));
      }
      if (this.headBytes > 0) writeFakeBlock(snap, ulid(), this.headBytes);
      const answer = () =>
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "success", data: { name } }));
      if (this.holdMs > 0) setTimeout(answer, this.holdMs).unref();
      else answer();
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise((r) => this.server!.close(r));
  }
}

function linkTree(src: string, dest: string): void {
  fs.mkdirSync(dest, { recursive: true });
  for (const e of fs.readdirSync(src, { withFileTypes: true })) {
    const s = path.join(src, e.name);
    const d = path.join(dest, e.name);
    if (e.isDirectory()) linkTree(s, d);
    else fs.linkSync(s, d);
  }
}

/** Every file under dir (relative path → sha256), for comparing trees. */
export function treeHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = crypto.createHash("sha256").update(fs.readFileSync(p)).digest("hex");
    }
  };
  walk(dir);
  return out;
}

/** An Alertmanager-style state file: length-delimited messages (varint length, then bytes). */
export function delimitedMessages(messages: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const m of messages) {
    const len: number[] = [];
    let n = m.length;
    do {
      let b = n % 128;
      n = Math.floor(n / 128);
      if (n > 0) b += 128;
      len.push(b);
    } while (n > 0);
    parts.push(Buffer.from(len), m);
  }
  return Buffer.concat(parts);
}

export interface Manifest {
  readonly version: number;
  readonly stamp: string;
  readonly blocks: string[];
  readonly head: string[];
  readonly objects: { kind: string; path: string; size: number; sha256: string }[];
}
