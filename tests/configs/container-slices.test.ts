// configs/container-slices.ts: one systemd slice per catalogue container with the task limit of
// its security profile, checked by the real `systemd-analyze verify` (offline: no systemd as PID 1
// needed), together with a bad unit the same check must reject, so the check cannot pass vacuously.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { securityProfile } from "../../configs/container-security";
import { ALL_CONTAINER_NAMES } from "../../integrations";
import {
  SLICE_DIR,
  containerSlice,
  containerSliceFiles,
  renderContainerSlice,
  renderSliceInstallScript,
} from "../../configs/container-slices";
import { TOOLS_BIN, systemTool, tempDir } from "../helpers/tools";

const CONTAINERS = ALL_CONTAINER_NAMES;

/**
 * `systemd-analyze verify` on unit files written to a temporary directory. It exits 0 for most
 * problems in a file (it logs and ignores the line), so the lines that name one of the files are
 * what counts; lines about this machine's own units, if any, are not the files' problems.
 */
function verify(files: Readonly<Record<string, string>>): { status: number | null; problems: string[]; output: string } {
  const dir = tempDir("slices");
  const paths = Object.entries(files).map(([name, content]) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, content);
    return p;
  });
  const r = spawnSync(systemTool("systemd-analyze"), ["verify", "--man=no", "--generators=no", ...paths], {
    cwd: dir,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, SYSTEMD_COLORS: "0", SYSTEMD_PAGER: "" },
  });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}`;
  const problems = output.split("\n").filter((l) => l.includes(dir) || Object.keys(files).some((n) => l.includes(n)));
  return { status: r.status, problems, output };
}

describe("container slices", () => {
  test("every catalogue container has its own slice, '-' written '_' so no slice nests in another", () => {
    const files = containerSliceFiles(ALL_CONTAINER_NAMES);
    expect(files.map((f) => f.container)).toEqual(CONTAINERS);
    expect(CONTAINERS).toEqual(expect.arrayContaining(["caddy", "socket-proxy", "backup-verify", "backup-restore"]));
    expect(new Set(files.map((f) => f.slice)).size).toBe(files.length);
    for (const f of files) {
      // One level below obs.slice: the only '-' is the one after the prefix.
      expect({ container: f.container, slice: f.slice }).toEqual({
        container: f.container,
        slice: expect.stringMatching(/^obs-[a-z0-9_]+\.slice$/),
      });
      expect(f.path).toBe(`${SLICE_DIR}/${f.slice}`);
    }
    expect(containerSlice("node-exporter")).toBe("obs-node_exporter.slice");
    expect(containerSlice("backup-verify")).toBe("obs-backup_verify.slice");
    expect(containerSlice("prometheus")).toBe("obs-prometheus.slice");
  });

  test("TasksMax is the pids of the container's security profile", () => {
    for (const f of containerSliceFiles(ALL_CONTAINER_NAMES)) {
      const tasks = /^\[Slice\]\nTasksMax=(\d+)$/m.exec(f.content)?.[1];
      expect({ container: f.container, tasks: Number(tasks) }).toEqual({
        container: f.container,
        tasks: securityProfile(f.container).pids,
      });
    }
    expect(renderContainerSlice("prometheus", 1024)).toBe(
      "[Unit]\nDescription=observability-stack: task limit of the prometheus container\n\n[Slice]\nTasksMax=1024\n",
    );
  });

  test("refuses a name that would escape ambiguously and a limit systemd would not take", () => {
    expect(() => containerSlice("node_exporter")).toThrow(/not a container name/);
    expect(() => containerSlice("Node-Exporter")).toThrow(/not a container name/);
    expect(() => containerSlice("a--b")).toThrow(/not a container name/);
    expect(() => renderContainerSlice("prometheus", 0)).toThrow(/positive whole number/);
    expect(() => renderContainerSlice("prometheus", 10.5)).toThrow(/positive whole number/);
  });

  test("systemd-analyze verify accepts every rendered slice", () => {
    const r = verify(Object.fromEntries(containerSliceFiles(ALL_CONTAINER_NAMES).map((f) => [f.slice, f.content])));
    expect(r.problems).toEqual([]);
    expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: r.output });
  });

  test("the same check rejects a bad limit, a misspelt section and a misspelt key", () => {
    const good = renderContainerSlice("prometheus", 1024);
    const r = verify({
      "obs-bad_limit.slice": good.replace("TasksMax=1024", "TasksMax=lots"),
      "obs-bad_section.slice": good.replace("[Slice]", "[Slcie]"),
      "obs-bad_key.slice": good.replace("TasksMax=", "TaskMax="),
    });
    expect(r.problems).toHaveLength(3);
    expect(r.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/obs-bad_limit\.slice:5: .*'lots'/),
        expect.stringMatching(/obs-bad_section\.slice:4: Unknown section 'Slcie'/),
        expect.stringMatching(/obs-bad_key\.slice:5: Unknown key 'TaskMax'/),
      ]),
    );
  });
});

// The installer the ec2 host runs over SSH, run here against stand-ins: `sudo` runs its command
// with every absolute path moved under a scratch root, `docker info` answers with the driver the
// test picks, and `systemctl show` answers what systemd would after the reload: the TasksMax of
// the unit file on disk (or "infinity" for the slice named in SKIP, a limit systemd did not take).
const FAKE_SUDO = `#!/bin/sh
cmd=$1; shift
case "$cmd" in
  tee) exec tee "$ROOT$1" ;;
  *) exec "$cmd" "$@" ;;
esac
`;
const FAKE_DOCKER = `#!/bin/sh
echo "docker $*" >>"$ROOT/log"
echo "$DRIVER"
`;
const FAKE_SYSTEMCTL = `#!/bin/sh
echo "systemctl $*" >>"$ROOT/log"
if [ "$1" = show ]; then
  unit=$5
  if [ "$unit" = "$SKIP" ]; then echo infinity; exit 0; fi
  sed -n 's/^TasksMax=//p' "$ROOT${SLICE_DIR}/$unit"
fi
`;

function install(driver: string, skip = ""): { status: number | null; stderr: string; root: string; log: string[] } {
  const root = tempDir("slice-install");
  const bin = path.join(root, "bin");
  fs.mkdirSync(bin);
  fs.mkdirSync(path.join(root, SLICE_DIR), { recursive: true });
  for (const [name, body] of Object.entries({ sudo: FAKE_SUDO, docker: FAKE_DOCKER, systemctl: FAKE_SYSTEMCTL })) {
    fs.writeFileSync(path.join(bin, name), body, { mode: 0o755 });
  }
  const r = spawnSync("sh", ["-c", renderSliceInstallScript(containerSliceFiles(ALL_CONTAINER_NAMES))], {
    encoding: "utf8",
    timeout: 30_000,
    env: { PATH: `${bin}:/usr/bin:/bin`, ROOT: root, DRIVER: driver, SKIP: skip },
  });
  const logFile = path.join(root, "log");
  return {
    status: r.status,
    stderr: r.stderr,
    root,
    log: fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").trim().split("\n") : [],
  };
}

describe("slice installer (run over SSH on every ec2 host)", () => {
  test("passes shellcheck", () => {
    const file = path.join(tempDir("slice-sc"), "install.sh");
    fs.writeFileSync(file, renderSliceInstallScript(containerSliceFiles(ALL_CONTAINER_NAMES)));
    const r = spawnSync(path.join(TOOLS_BIN, "shellcheck"), ["-s", "sh", file], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  test("writes exactly the rendered slices, reloads systemd, then reads every limit back", () => {
    const r = install("systemd");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const files = containerSliceFiles(ALL_CONTAINER_NAMES);
    expect(fs.readdirSync(path.join(r.root, SLICE_DIR)).sort()).toEqual(files.map((f) => f.slice).sort());
    for (const f of files)
      expect({ slice: f.slice, content: fs.readFileSync(path.join(r.root, f.path), "utf8") }).toEqual({
        slice: f.slice,
        content: f.content,
      });
    expect(r.log[0]).toBe("docker info --format {{.CgroupDriver}}");
    expect(r.log[1]).toBe("systemctl daemon-reload");
    expect(r.log.slice(2)).toEqual(files.map((f) => `systemctl show -p TasksMax --value ${f.slice}`));
  });

  test("refuses a daemon on the cgroupfs driver before writing anything", () => {
    const r = install("cgroupfs");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Docker uses the cgroupfs cgroup driver; .*native\.cgroupdriver=systemd/);
    expect(fs.readdirSync(path.join(r.root, SLICE_DIR))).toEqual([]);
  });

  test("fails, naming the slice, when systemd did not take a limit", () => {
    const r = install("systemd", "obs-caddy.slice");
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`obs-caddy.slice: systemd did not take TasksMax=${securityProfile("caddy").pids}`);
  });
});
