// A fake host for the live suite's node_exporter, so the host alerts (rules/system.yml) see
// the same healthy machine on every run instead of a busy CI runner's load, memory and disks.
//
// The committed tree harness/fixtures/host/ is copied into the stack's temp dir and handed
// to the real node_exporter as --path.procfs / --path.sysfs / --path.rootfs / --path.udev.data.
// Only collectors that read nothing but files under those paths run (FIXTURE_COLLECTORS);
// every node_* series the rules and dashboards read comes from them:
//   loadavg   proc/loadavg                    node_load1/5/15
//   meminfo   proc/meminfo                    node_memory_*
//   cpu, stat proc/stat (+ sys/devices/system/cpu)  node_cpu_seconds_total, node_boot_time_seconds
//   vmstat    proc/vmstat                     node_vmstat_oom_kill
//   diskstats proc/diskstats                  node_disk_*
//   netdev    proc/net/dev (netlink off)      node_network_*
//   textfile  textfile/host.prom              node_filesystem_*, node_timex_*
// The filesystem and timex collectors cannot run on a fixture: the first lists mount points
// from proc/1/mountinfo but sizes them with statfs(2) on the real directories (under
// --path.rootfs, i.e. this machine's disk), the second asks the kernel (adjtimex(2)). So they
// are disabled and host.prom serves their series, with the same names, labels and help texts
// (taken from node_exporter 1.11 on this machine), through the textfile collector. The rules
// cannot tell the difference; that the real collectors export these names is checked by
// tests/dashboards/exporters.test.ts.
//
// The cpu collector of node_exporter 1.11 panics (index out of range, cpu_linux.go
// updateOnline) when sysfs has no devices/system/cpu/cpuN, hence the two CPUs in sys/.
//
// Counters are constant: their rates are 0, which keeps the network and OOM alerts quiet.
// Every change is written to a temporary file and renamed over the old one, so node_exporter
// never reads a half-written file.
import * as fs from "node:fs";
import * as path from "node:path";

/** The committed healthy host. */
export const HOST_FIXTURE_DIR = path.join(__dirname, "fixtures", "host");

/** The node_exporter collectors that run on the fixture (every other one is off). */
export const FIXTURE_COLLECTORS = ["cpu", "diskstats", "loadavg", "meminfo", "netdev", "stat", "textfile", "vmstat"] as const;

/** The textfile that stands in for the filesystem and timex collectors. */
const HOST_TEXTFILE = "host.prom";

function writeAtomically(file: string, text: string): void {
  // The textfile collector reads *.prom only, so the temporary name is never picked up.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Replaces the value of every sample of `metric` (whose labels contain `labels`, if given). */
function setSample(text: string, metric: string, value: number, labels = ""): string {
  let found = 0;
  const out = text
    .split("\n")
    .map((line) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
      if (!m || m[1] !== metric || !(m[2] ?? "").includes(labels)) return line;
      found++;
      return `${m[1]}${m[2] ?? ""} ${value}`;
    })
    .join("\n");
  if (found === 0) throw new Error(`host fixture: no sample ${metric}${labels ? ` with ${labels}` : ""} in ${HOST_TEXTFILE}`);
  return out;
}

/** The value of the first sample of `metric` (whose labels contain `labels`, if given). */
function sampleValue(text: string, metric: string, labels = ""): number {
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m && m[1] === metric && (m[2] ?? "").includes(labels)) return Number(m[3]);
  }
  throw new Error(`host fixture: no sample ${metric}${labels ? ` with ${labels}` : ""} in ${HOST_TEXTFILE}`);
}

export interface MetricFamilyShape {
  help: string;
  type: string;
  /** Sorted label names of every sample, deduplicated. */
  labelSets: string[];
}

/** HELP, TYPE and label names of every family with samples in an exposition text. */
export function familyShapes(text: string): Map<string, MetricFamilyShape> {
  const families = new Map<string, MetricFamilyShape>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { help: "", type: "", labelSets: [] }));
    return f;
  };
  for (const line of text.split("\n")) {
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      family(meta[2])[meta[1] === "HELP" ? "help" : "type"] = meta[3];
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? \S+$/.exec(line);
    if (!sample) continue;
    const names = [...(sample[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)]
      .map((m) => m[1])
      .sort()
      .join(",");
    const f = family(sample[1]);
    if (!f.labelSets.includes(names)) f.labelSets.push(names);
  }
  for (const [name, f] of families) if (f.labelSets.length === 0) families.delete(name);
  return families;
}

/** The committed host.prom (what stands in for the filesystem and timex collectors). */
export function committedHostTextfile(): string {
  return fs.readFileSync(path.join(HOST_FIXTURE_DIR, "textfile", HOST_TEXTFILE), "utf8");
}

/**
 * node_exporter flags that export this machine's "/" through the real filesystem and timex
 * collectors (whatever the root's filesystem type), to compare host.prom's shape with.
 */
export const REAL_FILESYSTEM_AND_TIMEX_ARGS = [
  "--collector.disable-defaults",
  "--collector.filesystem",
  "--collector.timex",
  "--collector.filesystem.mount-points-include=^/$",
  "--collector.filesystem.fs-types-include=.+",
];

/** A `Key:   <n> kB` line of /proc/meminfo, in kB. */
function meminfoKb(text: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB$`, "m").exec(text);
  if (!m) throw new Error(`host fixture: no ${key} in proc/meminfo`);
  return Number(m[1]);
}

/** The fixture host of one live stack: its directories, node_exporter flags and ways to make it sick. */
export class HostFixture {
  readonly procfs: string;
  readonly sysfs: string;
  readonly rootfs: string;
  readonly udevData: string;

  /** Copies the committed fixture under `dir`; host.prom goes into `textfileDir`. */
  constructor(
    readonly dir: string,
    readonly textfileDir: string,
  ) {
    this.procfs = path.join(dir, "proc");
    this.sysfs = path.join(dir, "sys");
    // Empty: no enabled collector reads the root filesystem, and nothing may reach this machine's.
    this.rootfs = path.join(dir, "root");
    this.udevData = path.join(dir, "run", "udev", "data");
    fs.mkdirSync(this.rootfs, { recursive: true });
    fs.mkdirSync(this.udevData, { recursive: true });
    fs.mkdirSync(textfileDir, { recursive: true });
    this.reset();
  }

  /** Flags that point node_exporter at this host (its listen address is the caller's). */
  nodeExporterArgs(): string[] {
    return [
      `--path.procfs=${this.procfs}`,
      `--path.sysfs=${this.sysfs}`,
      `--path.rootfs=${this.rootfs}`,
      `--path.udev.data=${this.udevData}`,
      "--collector.disable-defaults",
      ...FIXTURE_COLLECTORS.map((c) => `--collector.${c}`),
      // netlink would read this machine's interfaces; /proc/net/dev is the fixture's.
      "--no-collector.netdev.netlink",
      `--collector.textfile.directory=${this.textfileDir}`,
    ];
  }

  /** Puts the committed (healthy) fixture back, file by file. */
  reset(): void {
    this.copyTree("proc");
    this.copyTree("sys");
    writeAtomically(path.join(this.textfileDir, HOST_TEXTFILE), this.committed(`textfile/${HOST_TEXTFILE}`));
  }

  private copyTree(rel: string): void {
    fs.mkdirSync(path.join(this.dir, rel), { recursive: true });
    for (const entry of fs.readdirSync(path.join(HOST_FIXTURE_DIR, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) this.copyTree(child);
      else writeAtomically(path.join(this.dir, child), this.committed(child));
    }
  }

  /** MemTotal of the fixture, in bytes. */
  memTotalBytes(): number {
    return meminfoKb(this.committed("proc/meminfo"), "MemTotal") * 1024;
  }

  /** Rewrites /proc/loadavg with these 1-, 5- and 15-minute load averages. */
  setLoadAverage(load1: number, load5: number, load15: number): void {
    const [, , , ...rest] = this.committed("proc/loadavg").trim().split(/\s+/);
    writeAtomically(path.join(this.procfs, "loadavg"), `${[load1, load5, load15].map((l) => l.toFixed(2)).join(" ")} ${rest.join(" ")}\n`);
  }

  /** Rewrites MemAvailable in /proc/meminfo to `ratio` of MemTotal. */
  setMemoryAvailable(ratio: number): void {
    const text = this.committed("proc/meminfo");
    const kb = Math.round(meminfoKb(text, "MemTotal") * ratio);
    writeAtomically(
      path.join(this.procfs, "meminfo"),
      text.replace(/^MemAvailable:\s+\d+ kB$/m, `MemAvailable:   ${String(kb).padStart(8)} kB`),
    );
  }

  /** Sets the space available (and free) on the fixture's filesystem at `mountpoint` to `ratio` of its size. */
  setFilesystemAvailable(mountpoint: string, ratio: number): void {
    const labels = `mountpoint="${mountpoint}"`;
    let text = this.current();
    const size = sampleValue(text, "node_filesystem_size_bytes", labels);
    const reserved = sampleValue(text, "node_filesystem_free_bytes", labels) - sampleValue(text, "node_filesystem_avail_bytes", labels);
    text = setSample(text, "node_filesystem_avail_bytes", Math.round(size * ratio), labels);
    text = setSample(text, "node_filesystem_free_bytes", Math.round(size * ratio) + reserved, labels);
    writeAtomically(path.join(this.textfileDir, HOST_TEXTFILE), text);
  }

  /**
   * An unsynchronised kernel clock as adjtimex(2) reports it: status unsynchronised, offset 0,
   * maximum error at its 16 s ceiling (what ClockNotSynchronising looks for); `true` puts the
   * fixture's synchronised clock back.
   */
  setClockSynchronised(synchronised: boolean): void {
    const committed = this.committed(`textfile/${HOST_TEXTFILE}`);
    let text = this.current();
    for (const metric of ["node_timex_sync_status", "node_timex_offset_seconds", "node_timex_maxerror_seconds"]) {
      text = setSample(text, metric, synchronised ? sampleValue(committed, metric) : metric === "node_timex_maxerror_seconds" ? 16 : 0);
    }
    writeAtomically(path.join(this.textfileDir, HOST_TEXTFILE), text);
  }

  private committed(rel: string): string {
    return fs.readFileSync(path.join(HOST_FIXTURE_DIR, rel), "utf8");
  }

  private current(): string {
    return fs.readFileSync(path.join(this.textfileDir, HOST_TEXTFILE), "utf8");
  }
}
