// Compares two graph records resource by resource, so a failure names the resource and input
// that changed instead of printing two multi-megabyte JSON documents.
import { GraphRecord } from "./graph";

const key = (r: GraphRecord["resources"][number]) => `${r.type} ${r.name}`;

export function expectGraphsEqual(actual: GraphRecord, golden: GraphRecord): void {
  expect(actual.resources.map(key)).toEqual(golden.resources.map(key));
  const byKey = new Map(golden.resources.map((r) => [key(r), r]));
  for (const r of actual.resources) {
    const g = byKey.get(key(r))!;
    expect({ resource: key(r), provider: r.provider, secretPaths: r.secretPaths }).toEqual({
      resource: key(r),
      provider: g.provider,
      secretPaths: g.secretPaths,
    });
    for (const input of new Set([...Object.keys(r.inputs), ...Object.keys(g.inputs)])) {
      expect({ resource: key(r), input, value: r.inputs[input] }).toEqual({ resource: key(r), input, value: g.inputs[input] });
    }
  }
  expect(actual.outputs).toEqual(golden.outputs);
}
