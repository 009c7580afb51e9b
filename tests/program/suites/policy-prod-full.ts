// Every policy of the pack over prod with every option and every secret set (the golden
// prod-full scenario): integrations, receivers and their secrets must not trip a policy either,
// and no secret value may reach a container's environment.
import type { ProgramRun } from "../../../harness/mock-program";
import { TYPES } from "../../../policy/types";
import { runPolicies } from "../../helpers/policy-over-stack";
import { GOLDEN_SCENARIOS } from "../../helpers/graph";

/** Registers these tests on a run of the scenario, made once by the calling test file. */
export function policyProdFullSuite(scenario: () => ProgramRun): void {
  let run: ProgramRun;
  beforeAll(() => {
    run = scenario();
  });

  test("prod with every option violates no policy", () => {
    expect(run.byType(TYPES.container).length).toBeGreaterThanOrEqual(10);
    expect(runPolicies(run)).toEqual([]);
  });

  test("no secret value appears in any container's environment", () => {
    const secrets = Object.values(GOLDEN_SCENARIOS["prod-full"].secrets ?? {});
    for (const c of run.byType(TYPES.container)) {
      const envs = JSON.stringify(c.inputs.envs ?? []);
      for (const s of secrets)
        expect({ container: c.inputs.name, leaks: envs.includes(s) }).toEqual({ container: c.inputs.name, leaks: false });
    }
  });
}
