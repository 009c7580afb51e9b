// Every policy of the pack over the committed prod stack (Pulumi.prod.yaml) under the mocks:
// containers, the security group, the instance and both buckets with their settings.
import type { ProgramRun } from "../../../harness/mock-program";
import { TYPES } from "../../../policy/types";
import { runPolicies } from "../../helpers/policy-over-stack";

/** Registers these tests on a run of the scenario, made once by the calling test file. */
export function policyProdSuite(scenario: () => ProgramRun): void {
  let run: ProgramRun;
  beforeAll(() => {
    run = scenario();
  });

  test("the prod stack violates no policy", () => {
    expect(run.byType(TYPES.bucket)).toHaveLength(2);
    expect(run.byType(TYPES.securityGroup)).toHaveLength(1);
    expect(run.byType(TYPES.instance)).toHaveLength(1);
    expect(runPolicies(run)).toEqual([]);
  });

  test("dropping a bucket's versioning or widening SSH is caught (the check is live)", () => {
    const bad = run.resources
      .filter((r) => !(r.type === TYPES.bucketVersioning && r.name.includes("loki")))
      .map((r) =>
        r.type === TYPES.securityGroup
          ? { ...r, inputs: { ...r.inputs, ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] } }
          : r,
      );
    const found = runPolicies({ ...run, resources: bad });
    expect(found).toEqual([
      expect.stringMatching(/^ingress-narrower-than-slash-8: .*opens ports 22-22 to 0\.0\.0\.0\/0/),
      expect.stringMatching(/^bucket-versioned: bucket storage-loki: no BucketVersioning/),
    ]);
  });
}
