// Runs every policy of the pack over a program run recorded under the mocks, the way the engine
// would during `pulumi preview --policy-pack policy`: each resource policy on each resource's
// inputs, each stack policy on all resources at once.
import type { ProgramRun } from "../../harness/mock-program";
import type { StackResource } from "../../policy/buckets";
import { RESOURCE_POLICIES, STACK_POLICIES } from "../../policy/policies";
import { resourceArgs } from "./policy-args";

/** The id mock-program's newResource gives every resource (`${name}-id`): what `bucket: b.id` resolves to. */
const mockId = (name: string): string => `${name}-id`;

export function runPolicies(run: ProgramRun): string[] {
  const violations: string[] = [];
  for (const r of run.resources) {
    for (const policy of RESOURCE_POLICIES) {
      policy.validateResource(resourceArgs(r.type, r.inputs, r.name), (message) => violations.push(`${policy.name}: ${message}`));
    }
  }
  const resources: StackResource[] = run.resources.map((r) => ({
    type: r.type,
    name: r.name,
    urn: `urn:pulumi:mock::observability-stack::${r.type}::${r.name}`,
    props: { ...r.inputs, id: mockId(r.name) },
  }));
  for (const policy of STACK_POLICIES) {
    policy.validateStack({ resources }, (message) => violations.push(`${policy.name}: ${message}`));
  }
  return violations;
}
