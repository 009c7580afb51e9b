// `npm run render -- <stack> <dir>` writes the files each container receives, from the same
// program run as `pulumi up`, with secret files redacted.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { tempDir } from "../helpers/tools";

const ROOT = path.join(__dirname, "..", "..");

test("renders the dev stack's files per container", () => {
  const dir = tempDir("render");
  const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules/ts-node/dist/bin.js"), "scripts/render.ts", "dev", dir], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/wrote \d+ files for stack dev/);
  const prom = yaml.load(fs.readFileSync(path.join(dir, "prometheus/etc/prometheus/prometheus.yml"), "utf8")) as {
    scrape_configs: unknown[];
  };
  expect(prom.scrape_configs.length).toBeGreaterThanOrEqual(7);
  expect(fs.existsSync(path.join(dir, "alertmanager/etc/alertmanager/alertmanager.yml"))).toBe(true);
  expect(fs.existsSync(path.join(dir, "loki/etc/loki/config.yaml"))).toBe(true);
  expect(fs.readdirSync(path.join(dir, "alloy/etc/alloy"))).toContain("config.alloy");
  expect(fs.readFileSync(path.join(dir, "grafana/run/secrets/grafana_admin_password"), "utf8")).toContain("<secret");
  // Every non-secret file in full: the dashboards as JSON, the provisioning files as YAML.
  const boards = path.join(dir, "grafana/etc/grafana/dashboards");
  const jsonFiles = fs.readdirSync(boards, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".json"));
  expect(jsonFiles.length).toBeGreaterThanOrEqual(6);
  for (const f of jsonFiles) expect(JSON.parse(fs.readFileSync(path.join(boards, f), "utf8"))).toHaveProperty("uid");
  const datasources = yaml.load(fs.readFileSync(path.join(dir, "grafana/etc/grafana/provisioning/datasources/datasources.yaml"), "utf8"));
  expect(datasources).toHaveProperty("datasources");
});

test("refuses an unknown stack", () => {
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, "node_modules/ts-node/dist/bin.js"), "scripts/render.ts", "staging", tempDir("render-x")],
    {
      cwd: ROOT,
      encoding: "utf8",
    },
  );
  expect(r.status).toBe(2);
  expect(r.stderr).toContain("Pulumi.staging.yaml");
});

function render(stack: string, dir: string): ReturnType<typeof spawnSync> & { stdout: string; stderr: string } {
  return spawnSync(process.execPath, [path.join(ROOT, "node_modules/ts-node/dist/bin.js"), "scripts/render.ts", stack, dir], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
}

function files(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, encoding: "utf8" }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort();
}

test("into a folder holding another stack's output: the old files are gone, the tree printed and labelled", () => {
  const fresh = tempDir("render-fresh");
  expect(render("dev", fresh).status).toBe(0);
  const reused = tempDir("render-reused");
  expect(render("prod", reused).status).toBe(0);
  const prodOnly = files(reused).filter((f) => !files(fresh).includes(f));
  expect(prodOnly.length).toBeGreaterThan(0);
  const r = render("dev", reused);
  expect(r.status).toBe(0);
  expect(files(reused)).toEqual(files(fresh));
  // The tree names every file it wrote under its container, secrets and stand-ins labelled.
  expect(r.stdout).toMatch(/^prometheus\/$/m);
  expect(r.stdout).toMatch(/^ {2}etc\/prometheus\/prometheus\.yml$/m);
  expect(r.stdout).toMatch(/^ {2}run\/secrets\/grafana_admin_password {3}\[secret: placeholder/m);
  expect(r.stdout).toMatch(/^ {2}etc\/prometheus\/web\.yml {3}\[stand-in: bcrypt hash of a generated password\]$/m);
}, 240_000);

test("refuses a non-empty folder render did not write, and leaves it as it was", () => {
  const dir = tempDir("render-foreign");
  fs.writeFileSync(path.join(dir, "notes.txt"), "mine\n");
  const r = render("dev", dir);
  expect(r.status).toBe(2);
  expect(r.stderr).toContain("is not empty and was not written by render");
  expect(r.stderr).toContain("usage: npm run render -- <stack> <dir>");
  expect(files(dir)).toEqual(["notes.txt"]);
});
