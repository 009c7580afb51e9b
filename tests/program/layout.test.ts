// The layering docs/architecture.md states, checked on the sources: small modules, no Pulumi below
// the components, and every relative import pointing down (or within its own floor). The floors,
// from the ground up, are listed once below; there are no exceptions.
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const tsFiles = (dir: string): string[] =>
  fs
    .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? e.name === "node_modules"
          ? []
          : tsFiles(path.join(dir, e.name))
        : e.name.endsWith(".ts")
          ? [path.join(dir, e.name)]
          : [],
    );

/**
 * Each floor may import its own and lower floors only. The ground floor holds plain vocabulary
 * (the catalogue of containers, image contracts, the shape of a setting); renderers build files
 * from plain values; dashboards are built from renderers' vocabulary; integrations use both; the
 * components and the settings reader create resources from them; index.ts composes; the harness
 * runs the program and the real binaries offline for scripts and tests; scripts are what users
 * run; tests sit on top. The policy pack stands apart: it imports nothing of the program, and only
 * the tests import it.
 */
const FLOORS: readonly (readonly string[])[] = [
  ["catalog"],
  ["configs"],
  ["dashboards"],
  ["integrations"],
  ["components"],
  ["index.ts"],
  ["harness"],
  ["scripts"],
  ["tests"],
];
const POLICY = "policy";

/** The floor of a source file or an import target (a module path without extension, or a folder). */
function floorOf(file: string): number {
  const first = file.split(path.sep)[0];
  const top = first === "index" ? "index.ts" : first;
  const i = FLOORS.findIndex((f) => f.includes(top));
  if (i < 0 && top !== POLICY) throw new Error(`${file} is on no floor: add its folder to FLOORS`);
  return i;
}

/** Relative imports and requires of a source file, as repository paths. */
function importsOf(file: string): string[] {
  const src = fs.readFileSync(path.join(ROOT, file), "utf8");
  const specs = [...src.matchAll(/(?:from\s+|require\(|import\()["'](\.[^"']*)["']/g)].map((m) => m[1]);
  return specs.map((s) => path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), s)));
}

const SOURCES = [...FLOORS.flat().flatMap((d) => (d.endsWith(".ts") ? [d] : tsFiles(d))), ...tsFiles(POLICY)];

test("every relative import points down or within its floor; the policy pack imports only itself", () => {
  const upward: string[] = [];
  for (const file of SOURCES) {
    const from = floorOf(file);
    for (const target of importsOf(file)) {
      const toPolicy = target.split(path.sep)[0] === POLICY;
      // The pack imports only itself, and only the tests (the top floor) import the pack.
      if (from < 0 || toPolicy) {
        if (!(toPolicy && (from < 0 || from === FLOORS.length - 1))) upward.push(`${file} → ${target}`);
        continue;
      }
      const to = floorOf(target);
      if (to > from) upward.push(`${file} → ${target}`);
    }
  }
  expect(upward).toEqual([]);
});

test("the check sees real imports and would catch an upward one", () => {
  expect(importsOf(path.join("configs", "prometheus.ts"))).toContain(path.join("catalog", "containers"));
  expect(floorOf(path.join("configs", "prometheus.ts"))).toBeLessThan(floorOf(path.join("integrations", "index.ts")));
  expect(SOURCES.length).toBeGreaterThan(150);
});

test("no module in catalog/, configs/, dashboards/, integrations/ or components/ is over 400 lines", () => {
  const long = ["catalog", "configs", "dashboards", "integrations", "components"]
    .flatMap(tsFiles)
    .map((f) => [f, fs.readFileSync(path.join(ROOT, f), "utf8").split("\n").length - 1] as const)
    .filter(([, lines]) => lines > 400);
  expect(long).toEqual([]);
});

test("nothing below the components imports Pulumi: catalog/, configs/, dashboards/ and integrations/ are plain", () => {
  const offenders = ["catalog", "configs", "dashboards", "integrations"]
    .flatMap(tsFiles)
    .filter((f) => /from "@pulumi\//.test(fs.readFileSync(path.join(ROOT, f), "utf8")));
  expect(offenders).toEqual([]);
});
