// The documentation as a newcomer meets it: a README short enough to read in five minutes that
// links every page of docs/, links that all resolve (files and #anchors), the generated reference
// (docs/settings.md, docs/alerts.md, Pulumi.yaml) in step with the code, and Pulumi called one
// way (`npm run deploy -- <stack>` or `npx pulumi ...`) in every command shown.
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { ROOT, generated } from "../../scripts/lib/reference";
import { SECRET_KEYS, SETTINGS, STRUCTURED_SETTINGS } from "../../components/settings";
import { SETTING_DOCS } from "../../components/settings/setting-docs";
import { alerts } from "../../harness/alert-catalogue";
import { ALERT_THRESHOLDS } from "../../integrations";

const README = path.join(ROOT, "README.md");
const DOCS = path.join(ROOT, "docs");
const pages = (): string[] => [
  README,
  ...fs
    .readdirSync(DOCS)
    .filter((f) => f.endsWith(".md"))
    .map((f) => path.join(DOCS, f)),
];
const read = (f: string): string => fs.readFileSync(f, "utf8");
const rel = (f: string): string => path.relative(ROOT, f);

/** Text outside ``` fences, as the README's word budget counts it. */
function prose(md: string): string {
  return md.replace(/^```[\s\S]*?^```/gm, "");
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(md: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of prose(md).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = m[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, "")
      .replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Relative Markdown links `[text](target)` outside code fences and code spans. */
function links(md: string): string[] {
  const text = prose(md).replace(/`[^`\n]*`/g, "");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((t) => !/^[a-z]+:/.test(t));
}

test("the README stays under 1,500 words outside its code blocks", () => {
  const words = prose(read(README)).split(/\s+/).filter(Boolean).length;
  expect(words).toBeGreaterThan(300);
  expect(words).toBeLessThanOrEqual(1500);
});

test("the README links every page of docs/", () => {
  const linked = new Set(links(read(README)).map((l) => l.split("#")[0]));
  const missing = fs.readdirSync(DOCS).filter((f) => f.endsWith(".md") && !linked.has(`docs/${f}`));
  expect(missing).toEqual([]);
});

test("every relative link in the README and docs/ resolves, anchors included", () => {
  const broken: string[] = [];
  for (const page of pages()) {
    for (const link of links(read(page))) {
      const [file, anchor] = link.split("#");
      const target = file === "" ? page : path.resolve(path.dirname(page), file);
      if (!fs.existsSync(target)) broken.push(`${rel(page)}: ${link} (no such file)`);
      else if (anchor !== undefined && target.endsWith(".md") && !anchors(read(target)).has(anchor))
        broken.push(`${rel(page)}: ${link} (no such heading)`);
    }
  }
  expect(broken).toEqual([]);
});

test("the link check can fail: a missing page and a missing heading are both found", () => {
  expect(links("see [a](docs/nope.md) and [b](#nowhere), not `[c](x.md)`")).toEqual(["docs/nope.md", "#nowhere"]);
  expect(anchors("# Scale: capacity, fleet\n## Add a service to scrape\n## Add a service to scrape\n")).toEqual(
    new Set(["scale-capacity-fleet", "add-a-service-to-scrape", "add-a-service-to-scrape-1"]),
  );
});

test("Pulumi.yaml, docs/settings.md and docs/alerts.md are what npm run docs generates", () => {
  const stale = generated()
    .filter((g) => g.current !== g.wanted)
    .map((g) => g.file);
  expect(stale).toEqual([]);
});

test("docs/settings.md documents every key with accepted values, targets, secrecy and an example", () => {
  const keys = [...Object.keys(SETTINGS), ...Object.keys(STRUCTURED_SETTINGS), ...Object.keys(SECRET_KEYS)];
  expect(Object.keys(SETTING_DOCS).sort()).toEqual([...keys].sort());
  const md = read(path.join(DOCS, "settings.md"));
  for (const key of keys) {
    const row = md.split("\n").find((l) => l.startsWith(`| \`${key}\` |`));
    const cells = row?.split(" | ") ?? [];
    expect({ key, cells: cells.length, secret: cells[5] }).toEqual({ key, cells: 8, secret: key in SECRET_KEYS ? "yes" : "no" });
    expect(["local", "ec2", "both"]).toContain(cells[4]);
  }
});

test("every typed setting's example has the setting's type", () => {
  for (const [key, spec] of Object.entries(SETTINGS)) {
    const v = yaml.load(SETTING_DOCS[key].example);
    const type = Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v;
    expect({ key, type }).toEqual({ key, type: spec.type });
  }
  for (const key of Object.keys(STRUCTURED_SETTINGS))
    expect({ key, list: Array.isArray(yaml.load(SETTING_DOCS[key].example)) }).toEqual({ key, list: true });
});

test("docs/alerts.md lists every alert with severity, for, its named thresholds and its runbook anchor", () => {
  const md = read(path.join(DOCS, "alerts.md"));
  for (const a of alerts()) {
    const name = a.rule.alert;
    const row = md.split("\n").find((l) => l.startsWith(`| [${name}](runbooks.md#${name.toLowerCase()}) |`));
    expect({ name, row: row !== undefined }).toEqual({ name, row: true });
    for (const [k, v] of Object.entries(ALERT_THRESHOLDS[name] ?? {})) expect(row).toContain(`\`${k}\` ${v}`);
    expect(row).toContain(` | ${a.rule.for ?? "0s"} | `);
  }
});

/** Every page is checked. */
const NOT_CHECKED_FOR_PULUMI: readonly string[] = [];

test("every command shown calls Pulumi as npm run deploy or npx pulumi, never a bare pulumi", () => {
  const bare = /(^|[^\w./@-])pulumi (up|preview|config|stack|destroy|state|login|whoami|refresh|cancel|import)\b/;
  const found: string[] = [];
  for (const page of pages().filter((p) => !NOT_CHECKED_FOR_PULUMI.includes(rel(p)))) {
    const md = read(page);
    const code = [...md.matchAll(/^```[\s\S]*?^```/gm), ...prose(md).matchAll(/`[^`\n]+`/g)].map((m) => m[0]);
    for (const c of code)
      for (const line of c.split("\n")) if (bare.test(line.replace(/npx pulumi/g, ""))) found.push(`${rel(page)}: ${line.trim()}`);
  }
  expect(found).toEqual([]);
  expect(bare.test("run `pulumi up` now".replace(/npx pulumi/g, ""))).toBe(true);
});
