// The prod scenario, run once under mocks: its resource graph and files equal the committed
// golden record (see helpers/graph.ts; UPDATE_GOLDEN=1 npx jest tests/program/golden), and the
// suites in ./suites check the same run (one program run per file: each run costs seconds).
import { ProgramRun, runProgram } from "../../harness/mock-program";
import { GOLDEN_SCENARIOS, graphRecord, readGolden, writeGolden } from "../helpers/graph";
import { expectGraphsEqual } from "../helpers/graph-compare";
import { policyProdSuite } from "./suites/policy-prod";
import { hostKeyProdSuite } from "./suites/host-key-prod";
import { prodCommittedSuite } from "./suites/prod-committed";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram(GOLDEN_SCENARIOS["prod"]);
});

test("the prod resource graph matches the golden record", () => {
  const record = graphRecord(run);
  if (process.env.UPDATE_GOLDEN === "1") writeGolden("prod", record);
  expectGraphsEqual(record, readGolden("prod"));
});

describe("policies over the committed prod stack", () => policyProdSuite(() => run));
describe("SSH host keys pinned", () => hostKeyProdSuite(() => run));
describe("the committed prod stack file", () => prodCommittedSuite(() => run));
