// The dev scenario, run once under mocks: its resource graph and files equal the committed
// golden record (see helpers/graph.ts; UPDATE_GOLDEN=1 npx jest tests/program/golden), and the
// suites in ./suites check the same run (one program run per file: each run costs seconds).
import { ProgramRun, runProgram } from "../../harness/mock-program";
import { GOLDEN_SCENARIOS, graphRecord, readGolden, writeGolden } from "../helpers/graph";
import { expectGraphsEqual } from "../helpers/graph-compare";
import { policyDevSuite } from "./suites/policy-dev";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram(GOLDEN_SCENARIOS["dev"]);
});

test("the dev resource graph matches the golden record", () => {
  const record = graphRecord(run);
  if (process.env.UPDATE_GOLDEN === "1") writeGolden("dev", record);
  expectGraphsEqual(record, readGolden("dev"));
});

describe("policies over the committed dev stack", () => policyDevSuite(() => run));
