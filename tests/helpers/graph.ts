// A canonical, diffable record of one program run under mocks: every resource (type, name,
// provider, inputs, which inputs are secret) and every stack output. The golden test compares it
// with the committed record, so a change to what `pulumi up` would create is always deliberate
// and visible in review (`UPDATE_GOLDEN=1 npx jest tests/program/golden` rewrites the records).
import * as fs from "node:fs";
import * as path from "node:path";
import { ProgramRun, RunOptions } from "../../harness/mock-program";
import { ALL_SECRETS, DOMAIN_CONFIG, FULL_PROD_CONFIG, PAIR_CONFIG } from "./stack-fixtures";

export const GOLDEN_DIR = path.join(__dirname, "..", "program", "golden");

/** Scenarios recorded: the two committed stacks, prod with every optional feature on, and that on the redundant pair. */
export const GOLDEN_SCENARIOS: Readonly<Record<string, RunOptions>> = {
  dev: { stack: "dev" },
  prod: { stack: "prod" },
  "prod-full": { stack: "prod", config: { ...FULL_PROD_CONFIG, ...DOMAIN_CONFIG }, secrets: ALL_SECRETS },
  "prod-pair": { stack: "prod", config: PAIR_CONFIG, secrets: ALL_SECRETS },
};

export interface GraphRecord {
  readonly resources: {
    readonly type: string;
    readonly name: string;
    readonly provider?: string;
    readonly secretPaths: readonly string[];
    readonly inputs: Record<string, unknown>;
  }[];
  readonly outputs: Record<string, { value: unknown; secret: boolean }>;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(
      Object.keys(v as Record<string, unknown>)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** The run as a stable record: resources sorted by type and name, object keys sorted. */
export function graphRecord(run: ProgramRun): GraphRecord {
  const resources = [...run.resources]
    .sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type.localeCompare(b.type)))
    .map((r) => ({
      type: r.type,
      name: r.name,
      provider: r.provider,
      secretPaths: [...r.secretPaths].sort(),
      inputs: sortKeys(r.inputs) as Record<string, unknown>,
    }));
  const outputs = sortKeys(run.outputs) as GraphRecord["outputs"];
  return { resources, outputs };
}

export function goldenPath(scenario: string): string {
  return path.join(GOLDEN_DIR, `${scenario}.json`);
}

export function readGolden(scenario: string): GraphRecord {
  return JSON.parse(fs.readFileSync(goldenPath(scenario), "utf8")) as GraphRecord;
}

export function writeGolden(scenario: string, record: GraphRecord): void {
  fs.mkdirSync(GOLDEN_DIR, { recursive: true });
  fs.writeFileSync(goldenPath(scenario), JSON.stringify(record, null, 1) + "\n");
}
