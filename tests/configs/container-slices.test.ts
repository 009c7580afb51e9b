// configs/container-slices.ts: one systemd slice per catalogue container with the task limit of
// its security profile, checked by the real `systemd-analyze verify` (offline: no systemd as PID 1
// needed), together with a bad unit the same check must reject, so the check cannot pass vacuously.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { CATALOG, COMPONENTS } from "../../components/catalog";
import { securityProfile } from "../../configs/container-security";
import { SLICE_DIR, containerSlice, containerSliceFiles, renderContainerSlice } from "../../configs/container-slices";
import { systemTool, tempDir } from "../helpers/tools";

const CONTAINERS = COMPONENTS.map((k) => CATALOG[k].container);

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
    const files = containerSliceFiles();
    expect(files.map((f) => f.container)).toEqual(CONTAINERS);
    expect(CONTAINERS).toEqual(expect.arrayContaining(["caddy", "socket-proxy", "backup-verify", "backup-restore"]));
    expect(new Set(files.map((f) => f.slice)).size).toBe(files.length);
    for (const f of files) {
      // One level below obs.slice: the only '-' is the one after the prefix.
      expect({ container: f.container, slice: f.slice }).toEqual({ container: f.container, slice: expect.stringMatching(/^obs-[a-z0-9_]+\.slice$/) });
      expect(f.path).toBe(`${SLICE_DIR}/${f.slice}`);
    }
    expect(containerSlice("node-exporter")).toBe("obs-node_exporter.slice");
    expect(containerSlice("backup-verify")).toBe("obs-backup_verify.slice");
    expect(containerSlice("prometheus")).toBe("obs-prometheus.slice");
  });

  test("TasksMax is the pids of the container's security profile", () => {
    for (const f of containerSliceFiles()) {
      const tasks = /^\[Slice\]\nTasksMax=(\d+)$/m.exec(f.content)?.[1];
      expect({ container: f.container, tasks: Number(tasks) }).toEqual({ container: f.container, tasks: securityProfile(f.container).pids });
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
    const r = verify(Object.fromEntries(containerSliceFiles().map((f) => [f.slice, f.content])));
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
