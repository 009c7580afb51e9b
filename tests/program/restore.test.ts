// The dev stack with restoreFrom set, as the program under mocks: one restore container fills
// the data volumes, and Prometheus, Grafana, Alertmanager and the backup job are created only
// after it finished (the mocked Docker reports it exited 0).
import { ProgramRun, RecordedResource, runProgram, uploadsOf } from "../../harness/mock-program";

const CONTAINER = "docker:index/container:Container";
let prog: ProgramRun;
let containers: RecordedResource[];

beforeAll(async () => {
  prog = await runProgram({ stack: "dev", config: { restoreFrom: "20261202T050000Z", restoreOverwrite: true, restoreId: "drill-1" } });
  containers = prog.byType(CONTAINER);
});

const order = (name: string) => containers.findIndex((c) => c.inputs.name === name);

test("one restore container runs the rendered restore.sh from the archive volume, to completion", () => {
  const restore = containers.filter((c) => c.inputs.name === "backup-restore");
  expect(restore).toHaveLength(1);
  const c = restore[0].inputs;
  expect([c.attach, c.mustRun, c.restart]).toEqual([true, false, "no"]);
  const script = uploadsOf(restore[0])["/backup/restore.sh"];
  expect(script).toContain("FROM='20261202T050000Z'");
  expect(script).toContain("OVERWRITE=1");
  // The setting restoreId reaches the script: the overwrite runs once.
  expect(script).toContain("RESTORE_ID='drill-1'");
  expect(script).toContain("DEST='/archive'");
  const mounts = (c.volumes as { volumeName: string; containerPath: string; readOnly: boolean }[]).map(
    (v) => `${v.volumeName}:${v.containerPath}:${v.readOnly ? "ro" : "rw"}`,
  );
  expect(mounts).toEqual([
    "prometheus-data:/data/prometheus:rw",
    "grafana-data:/data/grafana:rw",
    "alertmanager-data:/data/alertmanager:rw",
    "backup-archive:/archive:ro",
  ]);
});

test("Prometheus, Grafana, Alertmanager and the backup job start only after the restore", () => {
  const restore = order("backup-restore");
  expect(restore).toBeGreaterThanOrEqual(0);
  for (const name of ["prometheus", "grafana", "alertmanager", "backup", "backup-verify"])
    expect({ name, after: order(name) > restore }).toEqual({ name, after: true });
});
