// Every policy of the pack over the committed dev stack (Pulumi.dev.yaml) under the mocks: the
// program as committed must satisfy its own policies.
import type { ProgramRun } from "../../../harness/mock-program";
import { TYPES } from "../../../policy/types";
import { runPolicies } from "../../helpers/policy-over-stack";

/** Registers these tests on a run of the scenario, made once by the calling test file. */
export function policyDevSuite(scenario: () => ProgramRun): void {
  let run: ProgramRun;
  beforeAll(() => {
    run = scenario();
  });

  test("the dev stack violates no policy", () => {
    expect(run.byType(TYPES.container).length).toBeGreaterThanOrEqual(7);
    // Every container runs the id of an image a RemoteImage pulled, so images-pinned sees every
    // reference; a service's secrets writer reuses its service's image.
    const ids = new Set(run.byType(TYPES.container).map((c) => String(c.inputs.image)));
    expect([...ids].filter((i) => !i.startsWith("sha256:"))).toEqual([]);
    // One id per distinct reference: backup-verify pulls Prometheus's own image.
    expect(ids.size).toBe(new Set(run.byType(TYPES.remoteImage).map((i) => String(i.inputs.name))).size);
    expect(runPolicies(run)).toEqual([]);
  });

  test("the same run with a privileged, unpinned, public container is caught (the check is live)", () => {
    const bad = run.resources.map((r) =>
      r.type === TYPES.container && r.inputs.name === "prometheus"
        ? { ...r, inputs: { ...r.inputs, privileged: true, ports: [{ internal: 9090, external: 9090, ip: "0.0.0.0" }] } }
        : r.type === TYPES.remoteImage && r.name === "prometheus-server-image" // not backup-verify, which shares the image
          ? { ...r, inputs: { ...r.inputs, name: "prom/prometheus:latest" } }
          : r,
    );
    const found = runPolicies({ ...run, resources: bad });
    expect(found).toEqual([
      expect.stringMatching(/^images-pinned: .*"prom\/prometheus:latest"/),
      expect.stringMatching(/^no-privileged-containers: .*container prometheus is privileged/),
      expect.stringMatching(/^internal-ports-on-loopback: .*publishes port 9090 on 0\.0\.0\.0/),
    ]);
  });
}
