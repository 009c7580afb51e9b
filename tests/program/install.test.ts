// What a user meets at `npm install`: a Node version still supported upstream, and a decision
// with a reason for every dependency install script npm asks about (npm warns about scripts not
// covered by package.json "allowScripts"; npm 12 blocks them by default). The lockfile's
// `hasInstallScript` marks exactly the packages with preinstall/install/postinstall scripts, so
// a new dependency with one fails here until someone decides about it.
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

const ROOT = path.join(__dirname, "..", "..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  engines: { node: string };
  allowScripts?: Record<string, boolean>;
  "//"?: { allowScripts?: string[] };
};
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
  packages: Record<string, { hasInstallScript?: boolean }>;
};

/** Node release lines in LTS support and their end of life (nodejs/Release schedule.json; FACTS.md "Checked 2026-12-07"). */
const SUPPORTED_LTS: Record<number, string> = { 22: "2027-04-30", 24: "2028-04-30" };

test("engines.node asks for a Node release that is still supported (Node 20 reached end of life on 2026-04-30)", () => {
  const min = /^>=(\d+)(\.\d+)*$/.exec(pkg.engines.node);
  expect(min).not.toBeNull();
  expect(Number(min?.[1])).toBeGreaterThanOrEqual(22);
});

test("every workflow sets up a supported LTS that engines.node accepts", () => {
  const dir = path.join(ROOT, ".github", "workflows");
  const min = Number(/^>=(\d+)/.exec(pkg.engines.node)?.[1]);
  const versions = fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .flatMap((f) => {
      const wf = yaml.load(fs.readFileSync(path.join(dir, f), "utf8")) as {
        jobs: Record<string, { steps?: { uses?: string; with?: Record<string, unknown> }[] }>;
      };
      return Object.values(wf.jobs).flatMap((j) =>
        (j.steps ?? []).filter((s) => s.uses?.startsWith("actions/setup-node@")).map((s) => Number(s.with?.["node-version"])),
      );
    });
  expect(versions.length).toBeGreaterThan(0);
  for (const v of versions) expect({ v, supported: SUPPORTED_LTS[v] !== undefined && v >= min }).toEqual({ v, supported: true });
});

test("allowScripts decides about exactly the packages with install scripts, each with its reason", () => {
  const withScripts = Object.entries(lock.packages)
    .filter(([, p]) => p.hasInstallScript)
    .map(([where]) => where.replace(/^.*node_modules\//, ""))
    .sort();
  expect(withScripts.length).toBeGreaterThan(0);
  expect(Object.keys(pkg.allowScripts ?? {}).sort()).toEqual([...new Set(withScripts)]);
  const reasons = pkg["//"]?.allowScripts ?? [];
  for (const name of withScripts)
    expect({ name, reason: reasons.some((r) => r.startsWith(`${name}:`) || r.startsWith(`${name} (`)) }).toEqual({ name, reason: true });
});
