// The prod (ec2) stack with every container the catalogue has switched on (integrations, the TLS
// proxy, a pending restore), run as the program under mocks: each started container names a
// systemd slice as its cgroup parent, and the slice installer the host runs over SSH writes
// exactly that slice with the container's TasksMax, for a Docker daemon on the systemd cgroup
// driver.
import * as yaml from "js-yaml";
import { ProgramRun, RecordedResource, containersOf, runProgram } from "../../harness/mock-program";
import { ALL_SECRETS, DOMAIN_CONFIG, FULL_PROD_CONFIG } from "../helpers/stack-fixtures";
import { ALL_CONTAINER_NAMES } from "../../integrations";
import { securityProfile } from "../../configs/container-security";

let prog: ProgramRun;
let services: Record<string, RecordedResource>;
let writers: Record<string, RecordedResource>;
let userData: { runcmd: string[][]; write_files: { path: string; content: string; permissions: string }[] };
/** Files the slice installer writes: path → content. */
let installed: Map<string, string>;

beforeAll(async () => {
  prog = await runProgram({
    stack: "prod",
    config: { ...FULL_PROD_CONFIG, ...DOMAIN_CONFIG, restoreFrom: "latest" },
    secrets: ALL_SECRETS,
  });
  ({ services, writers } = containersOf(prog));
  const instances = prog.byType("aws:ec2/instance:Instance");
  expect(instances).toHaveLength(1);
  userData = yaml.load(String(instances[0].inputs.userData)) as typeof userData;
  const installer = prog.byType("command:remote:Command").find((c) => /-task-slices$/.test(c.name));
  const script = String(installer?.inputs.create ?? "");
  installed = new Map([...script.matchAll(/^sudo tee (\S+) >\/dev\/null <<'EOF'\n([\s\S]*?)\nEOF$/gm)].map((m) => [m[1], `${m[2]}\n`]));
});

test("the scenario starts every container of the catalogue", () => {
  expect(Object.keys(services).sort()).toEqual([...ALL_CONTAINER_NAMES].sort());
});

test("every started container runs in a slice the installer writes, with the TasksMax of its profile", () => {
  for (const [name, c] of Object.entries(services)) {
    const slice = c.inputs.cgroupParent;
    expect({ name, slice }).toEqual({ name, slice: expect.stringMatching(/^obs-[a-z0-9_]+\.slice$/) });
    const unit = installed.get(`/etc/systemd/system/${String(slice)}`);
    expect({ name, written: unit !== undefined }).toEqual({ name, written: true });
    const tasks = /^\[Slice\]\nTasksMax=(\d+)$/m.exec(unit ?? "")?.[1];
    expect({ name, tasks: Number(tasks) }).toEqual({ name, tasks: securityProfile(name).pids });
    expect(unit).toContain(`task limit of the ${name} container`);
    // The nproc ulimit stays as a second fence for the non-root containers.
    expect({ name, ulimits: c.inputs.ulimits }).toEqual({ name, ulimits: [{ name: "nproc", soft: 4096, hard: 4096 }] });
  }
  // One slice per container: no two share a limit.
  const slices = Object.values(services).map((c) => c.inputs.cgroupParent);
  expect(new Set(slices).size).toBe(slices.length);
});

test("a new host's daemon uses the systemd cgroup driver; the user data itself writes no slice", () => {
  const daemon = userData.write_files.find((f) => f.path === "/etc/docker/daemon.json");
  expect(JSON.parse(daemon?.content ?? "{}")["exec-opts"]).toEqual(["native.cgroupdriver=systemd"]);
  expect(userData.write_files.filter((f) => f.path.endsWith(".slice"))).toEqual([]);
  expect(installed.size).toBe(ALL_CONTAINER_NAMES.length);
});

test("the never-started secrets writers get no slice: they have no tasks to limit", () => {
  expect(Object.keys(writers).length).toBeGreaterThan(0);
  for (const [service, w] of Object.entries(writers))
    expect({ service, slice: w.inputs.cgroupParent }).toEqual({ service, slice: undefined });
});
