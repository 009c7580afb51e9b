// The capacity estimate of `npm run bench:capacity`: a straight line through the measured sizes
// (marginal memory per series and fixed overhead), then the series that fit the limit with
// the headroom kept free.
import { estimateCapacity } from "../../scripts/bench-capacity";
import { SizeResult } from "../../harness/synthetic-stack";

const MIB = 2 ** 20;

function size(headSeries: number, rssMb: number): SizeResult {
  return { series: headSeries, headSeries, ruleEvalMs: 0, rssMb, samplesPerSecond: 0, line: "" };
}

test("the slope between the smallest and the largest size is the cost of a series; the rest is fixed", () => {
  // 100 MiB fixed and 3 KiB per series, measured out of order, with a middle size off the line.
  const e = estimateCapacity([size(200000, 100 + 600000 / 1024), size(50000, 100 + 150000 / 1024), size(100000, 999)], 2048);
  expect(e.marginalBytesPerSeries).toBeCloseTo(3072, 6);
  expect(e.fixedBytes / MIB).toBeCloseTo(100, 6);
  // 70% of 2048 MiB, less the fixed 100 MiB, at 3 KiB a series.
  expect(Math.abs(e.estimatedSeries - ((2048 * 0.7 - 100) * 1024) / 3)).toBeLessThanOrEqual(1);
});

test("a larger limit fits more than proportionally more series (the fixed overhead is paid once)", () => {
  const results = [size(50000, 250), size(200000, 650)];
  expect(estimateCapacity(results, 4096).estimatedSeries).toBeGreaterThan(2 * estimateCapacity(results, 2048).estimatedSeries);
});

test("refuses to estimate from one size", () => {
  expect(() => estimateCapacity([size(100000, 400)], 2048)).toThrow(/two different sizes/);
  expect(() => estimateCapacity([size(100000, 400), size(100000, 410)], 2048)).toThrow(/two different sizes/);
});
