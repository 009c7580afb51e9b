// The committed prod stack file, exactly as it is in the repository, runs under mocks: no
// setting a preview needs is a secret only its author could decrypt.
import type { ProgramRun } from "../../../harness/mock-program";

/** Registers these tests on a run of the scenario, made once by the calling test file. */
export function prodCommittedSuite(scenario: () => ProgramRun): void {
  let prog: ProgramRun;
  beforeAll(() => {
    prog = scenario();
  });

  test("previews with the committed settings alone", () => {
    expect(prog.byType("aws:ec2/instance:Instance")).toHaveLength(1);
    expect(prog.byType("aws:s3/bucket:Bucket")).toHaveLength(2);
    const names = prog.byType("docker:index/container:Container").map((c) => c.inputs.name);
    expect(names).toContain("blackbox-exporter");
    expect(names).not.toContain("postgres-exporter");
  });

  test("without receivers, nothing is uploaded as an Alertmanager secret", () => {
    const am = prog.byType("docker:index/container:Container").find((c) => c.inputs.name === "alertmanager")!;
    expect((am.inputs.uploads as { file: string }[]).map((u) => u.file)).toEqual(["/etc/alertmanager/alertmanager.yml"]);
  });

  test("exports every prod output", () => {
    for (const k of [
      "grafanaUrl",
      "prometheusUrl",
      "alertmanagerUrl",
      "grafanaAdminUser",
      "grafanaAdminPassword",
      "lokiBucket",
      "backupBucket",
      "instanceId",
      "publicIp",
    ]) {
      expect({ k, defined: prog.outputs[k] !== undefined }).toEqual({ k, defined: true });
    }
  });
}
