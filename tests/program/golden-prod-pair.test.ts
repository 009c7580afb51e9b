// The prod-pair scenario's resource graph and files equal the committed golden record (see helpers/graph.ts).
import { runProgram } from "../../harness/mock-program";
import { GOLDEN_SCENARIOS, graphRecord, readGolden, writeGolden } from "../helpers/graph";
import { expectGraphsEqual } from "../helpers/graph-compare";

test("the prod-pair resource graph matches the golden record", async () => {
  const record = graphRecord(await runProgram(GOLDEN_SCENARIOS["prod-pair"]));
  if (process.env.UPDATE_GOLDEN === "1") writeGolden("prod-pair", record);
  expectGraphsEqual(record, readGolden("prod-pair"));
});
