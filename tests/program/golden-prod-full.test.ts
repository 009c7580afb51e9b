// The prod-full scenario's resource graph and files equal the committed golden record (see helpers/graph.ts).
import { runProgram } from "../../harness/mock-program";
import { GOLDEN_SCENARIOS, graphRecord, readGolden, writeGolden } from "../helpers/graph";
import { expectGraphsEqual } from "../helpers/graph-compare";

test("the prod-full resource graph matches the golden record", async () => {
  const record = graphRecord(await runProgram(GOLDEN_SCENARIOS["prod-full"]));
  if (process.env.UPDATE_GOLDEN === "1") writeGolden("prod-full", record);
  expectGraphsEqual(record, readGolden("prod-full"));
});
