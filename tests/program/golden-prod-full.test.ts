// The prod-full scenario, run once under mocks: its resource graph and files equal the committed
// golden record (see helpers/graph.ts; UPDATE_GOLDEN=1 npx jest tests/program/golden), and the
// suites in ./suites check the same run (one program run per file: each run costs seconds).
import { ProgramRun, runProgram } from "../../harness/mock-program";
import { GOLDEN_SCENARIOS, graphRecord, readGolden, writeGolden } from "../helpers/graph";
import { expectGraphsEqual } from "../helpers/graph-compare";
import { policyProdFullSuite } from "./suites/policy-prod-full";
import { grafanaNoAlertRulesSuite } from "./suites/grafana-no-alert-rules";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram(GOLDEN_SCENARIOS["prod-full"]);
});

test("the prod-full resource graph matches the golden record", () => {
  const record = graphRecord(run);
  if (process.env.UPDATE_GOLDEN === "1") writeGolden("prod-full", record);
  expectGraphsEqual(record, readGolden("prod-full"));
});

describe("policies with every option on", () => policyProdFullSuite(() => run));
describe("Grafana holds no alert rules", () => grafanaNoAlertRulesSuite(() => run));
