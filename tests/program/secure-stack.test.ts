// A prod stack file as a user with everything on has it: every receiver and integration enabled,
// remote write with basic auth, and every secret set with `pulumi config set --secret` (held as
// `secure:`). The program runs under mocks from that file alone: each secret arrives as its
// labelled placeholder (harness/secret-placeholders.ts), only in secret inputs, every
// receiver and integration is deployed, and the policy pack passes.
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { ProgramRun, ROOT, containersOf, resourcesHolding, runProgram, uploadsOf } from "../../harness/mock-program";
import { secretPlaceholder } from "../../harness/secret-placeholders";
import { SECURE_STACK_SECRETS, secureStackYaml } from "../helpers/stack-fixtures";
import { tempDir } from "../helpers/tools";
import { runPolicies } from "../helpers/policy-over-stack";

let prog: ProgramRun;
beforeAll(async () => {
  const file = path.join(tempDir("secure-stack"), "Pulumi.prod.yaml");
  fs.writeFileSync(file, secureStackYaml(path.join(ROOT, "Pulumi.prod.yaml")));
  prog = await runProgram({ stack: "prod", stackFile: file });
}, 120_000);

test("every receiver is routed to and every integration's exporter runs", () => {
  const { services } = containersOf(prog);
  const am = yaml.load(uploadsOf(services.alertmanager)["/etc/alertmanager/alertmanager.yml"]) as { receivers: Record<string, unknown>[] };
  const kinds = new Set(am.receivers.flatMap((r) => Object.keys(r).filter((k) => k.endsWith("_configs"))));
  expect([...kinds].sort()).toEqual(["email_configs", "pagerduty_configs", "slack_configs", "webhook_configs"]);
  expect(Object.keys(services)).toEqual(expect.arrayContaining(["postgres-exporter", "redis-exporter", "blackbox-exporter"]));
});

test("each secret reaches the program as its placeholder, and only inside secret inputs", () => {
  for (const key of SECURE_STACK_SECRETS) {
    const placeholder = secretPlaceholder(key);
    // The DSN reaches the exporter cut into parts (the host part is unique to it); the SSH key is
    // found by the first line of its body.
    const needles: Record<string, string> = {
      postgresDataSourceName: "offline-placeholder.invalid:5432",
      sshPrivateKey: secretPlaceholder("sshPrivateKey").split("\n")[1],
    };
    const needle = needles[key] ?? placeholder;
    const holders = resourcesHolding(prog, needle);
    expect({ key, used: holders.length > 0 }).toEqual({ key, used: true });
    for (const r of prog.resources.filter((x) => holders.includes(x.name))) {
      // Every input path that holds it is, or lies under, a path that arrived as a secret.
      const leaks = leafPaths(r.inputs)
        .filter(([, v]) => v.includes(needle))
        .map(([p]) => p)
        .filter((p) => !r.secretPaths.some((s) => p === s || p.startsWith(`${s}.`) || p.startsWith(`${s}[`)));
      expect({ key, resource: r.name, leaks }).toEqual({ key, resource: r.name, leaks: [] });
    }
  }
});

test("no output carries a placeholder unless it is secret", () => {
  for (const [name, out] of Object.entries(prog.outputs)) {
    const text = JSON.stringify(out.value) ?? "";
    const carried = SECURE_STACK_SECRETS.filter((k) => text.includes(secretPlaceholder(k)));
    expect({ name, carried: out.secret ? [] : carried }).toEqual({ name, carried: [] });
  }
});

test("the stack violates no policy of the pack", () => {
  expect(runPolicies(prog)).toEqual([]);
});

/** Every string leaf of a value with its dotted path (the form secretPaths uses). */
function leafPaths(value: unknown, at = ""): [string, string][] {
  if (typeof value === "string") return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => leafPaths(v, `${at}[${i}]`));
  if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([k, v]) => leafPaths(v, at ? `${at}.${k}` : k));
  return [];
}
