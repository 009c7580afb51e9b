// The layering rules docs/architecture.md states, checked on the sources: small modules, and no
// Pulumi in the pure renderers or the catalogue.
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const tsFiles = (dir: string): string[] =>
  fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : [],
  );

test("no module in components/, configs/ or dashboards/ is over 400 lines", () => {
  const long = ["components", "configs", "dashboards"]
    .flatMap(tsFiles)
    .map((f) => [f, fs.readFileSync(path.join(ROOT, f), "utf8").split("\n").length - 1] as const)
    .filter(([, lines]) => lines > 400);
  expect(long).toEqual([]);
});

test("configs/ and the catalogue import no Pulumi package", () => {
  const offenders = [...tsFiles("configs"), "components/catalog.ts"].filter((f) => /from "@pulumi\//.test(fs.readFileSync(path.join(ROOT, f), "utf8")));
  expect(offenders).toEqual([]);
});
