// The promtool tests sit on both sides of every named threshold: for each alert, each of its
// named thresholds is raised and lowered by EDGE_FACTOR in turn (the rule rendered with the moved
// value, its expected annotations too), and `promtool test rules` on that alert's own test cases
// must then FAIL: raising past a firing case silences it, lowering past a silent case fires it.
// A mutation that survives means the tests have no case between the threshold and the moved
// value on that side, so moving the threshold there would go unnoticed. The survivors today are
// listed in threshold-edge-gaps.ts; the list must match exactly, so a new threshold needs its
// cases, and a gap closed by a new case leaves the list.
import { ALERT_THRESHOLDS } from "../../integrations";
import { allAreas, readRuleFile } from "../../harness/alert-catalogue";
import { Mutation, survivingMutations, writeMutations } from "../helpers/threshold-mutations";
import { tempDir } from "../helpers/tools";
import { EDGE_GAPS } from "./threshold-edge-gaps";

/** How far a threshold moves: a case must lie within a factor 1.5 of the threshold on each side. */
const EDGE_FACTOR = 1.5;

function mutations(): Mutation[] {
  const dir = tempDir("threshold-edges");
  const out: Mutation[] = [];
  for (const area of allAreas()) {
    const alerts = readRuleFile(area.file)
      .groups.flatMap((g) => g.rules)
      .flatMap((r) => (r.alert && ALERT_THRESHOLDS[r.alert] ? [r.alert] : []));
    out.push(...writeMutations(dir, area, alerts, ALERT_THRESHOLDS, EDGE_FACTOR, out.length));
  }
  return out;
}

const all = mutations();

test("every named threshold of every Prometheus alert is mutated both ways", () => {
  const promql = allAreas().flatMap((a) =>
    readRuleFile(a.file)
      .groups.flatMap((g) => g.rules)
      .flatMap((r) => (r.alert ? [r.alert] : [])),
  );
  const expected = promql.flatMap((a) => Object.keys(ALERT_THRESHOLDS[a] ?? {}).flatMap((n) => [`${a}.${n} raised`, `${a}.${n} lowered`]));
  expect(all.map((m) => m.label).sort()).toEqual(expected.sort());
  expect(all.length).toBeGreaterThanOrEqual(100);
});

test("the listed gaps name existing thresholds", () => {
  const labels = new Set(all.map((m) => m.label));
  expect(EDGE_GAPS.filter((g) => !labels.has(g))).toEqual([]);
});

test(`moving a threshold by a factor ${EDGE_FACTOR} either way makes its promtool tests fail (except the listed gaps)`, async () => {
  const survivors = await survivingMutations(all, 2, 170_000);
  const newGaps = survivors.filter((s) => !EDGE_GAPS.includes(s));
  const closed = EDGE_GAPS.filter((g) => !survivors.includes(g));
  expect({
    "survives: add a test case between the threshold and the moved value": newGaps,
    "no longer survives: remove it from threshold-edge-gaps.ts": closed,
  }).toEqual({
    "survives: add a test case between the threshold and the moved value": [],
    "no longer survives: remove it from threshold-edge-gaps.ts": [],
  });
  // The mutation run can fail: most mutations are caught.
  expect(all.length - survivors.length).toBeGreaterThanOrEqual(50);
}, 180_000);
