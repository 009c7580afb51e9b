// The dev scenario's resource graph and files equal the committed golden record (see helpers/graph.ts).
import { runProgram } from "../../harness/mock-program";
import { GOLDEN_SCENARIOS, graphRecord, readGolden, writeGolden } from "../helpers/graph";
import { expectGraphsEqual } from "../helpers/graph-compare";

test("the dev resource graph matches the golden record", async () => {
  const record = graphRecord(await runProgram(GOLDEN_SCENARIOS["dev"]));
  if (process.env.UPDATE_GOLDEN === "1") writeGolden("dev", record);
  expectGraphsEqual(record, readGolden("dev"));
});
