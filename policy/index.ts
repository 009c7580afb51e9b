// The policy pack `pulumi preview|up --policy-pack policy` runs: the invariants the README
// promises, every one mandatory. The policies live in their own modules (see policies.ts).
import { PolicyPack } from "@pulumi/policy";
import { RESOURCE_POLICIES, STACK_POLICIES } from "./policies";

new PolicyPack("observability-stack", {
  enforcementLevel: "mandatory",
  policies: [...RESOURCE_POLICIES, ...STACK_POLICIES],
});
