// `npm run deploy -- <stack> [pulumi up flags...]`: one command from a fresh clone to a running
// stack. Uses the `pulumi` CLI from node_modules (the npm launcher fetches the matching CLI on
// first use), so a user needs only Node and Docker (and AWS credentials for prod).
//
//   1. Backend: PULUMI_BACKEND_URL if set, else whatever `pulumi whoami` says you are logged in
//      to, else the local file backend in your home directory (`pulumi login --local`).
//   2. `pulumi stack select --create <stack>` (the stack's settings are Pulumi.<stack>.yaml).
//   3. `pulumi up --stack <stack> --policy-pack policy`, with any further arguments passed on.
import { spawnSync, SpawnSyncOptions } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

// The usage in the layout of scripts/lib/args.ts; kept here because tests/scripts/deploy.test.ts
// runs this file transpiled on its own, without scripts/lib.
const USAGE = `usage: npm run deploy -- <stack> [pulumi up flags...]

Deploys a stack: picks the backend (PULUMI_BACKEND_URL, else the one you are logged in to, else the
local file backend ~/.pulumi), selects the stack (creating it from Pulumi.<stack>.yaml), then runs
\`pulumi up --stack <stack> --policy-pack policy\` with the flags you add, e.g. --yes or --refresh.
Uses the Pulumi CLI from node_modules (its npm launcher downloads the CLI on first use).

arguments:
  stack                      a committed stack (Pulumi.<stack>.yaml: dev, prod) or a new name
  pulumi up flags            passed on to pulumi up

options:
  --help, -h                 print this help and exit

environment:
  PULUMI_BACKEND_URL         the state backend to use
  PULUMI_CONFIG_PASSPHRASE   passphrase of the stack's secrets (local backend)
`;

export interface DeployPlan {
  readonly stack: string;
  readonly upArgs: string[];
}

/** Parses `<stack> [flags...]`; throws with a usage message on anything else. */
export function parseArgs(argv: readonly string[], root = ROOT): DeployPlan {
  const [stack, ...upArgs] = argv;
  const committed = fs
    .readdirSync(root)
    .flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? [])
    .sort();
  if (stack === undefined || stack.startsWith("-")) {
    throw new Error(`usage: npm run deploy -- <stack> [pulumi up flags]; committed stacks: ${committed.join(", ")}`);
  }
  if (!STACK_NAME.test(stack)) {
    throw new Error(`stack name ${JSON.stringify(stack)} is not accepted; use letters, digits, ".", "_" or "-" (committed stacks: ${committed.join(", ")})`);
  }
  return { stack, upArgs: [...upArgs] };
}

function pulumi(args: string[], opts: SpawnSyncOptions = {}): number {
  const r = spawnSync("pulumi", args, { stdio: "inherit", cwd: ROOT, ...opts });
  if (r.error) throw new Error(`could not run pulumi ${args[0]}: ${r.error.message}`);
  return r.status ?? 1;
}

function step(message: string): void {
  process.stderr.write(`deploy: ${message}\n`);
}

export function deploy(plan: DeployPlan, env: NodeJS.ProcessEnv = process.env): number {
  if (env.PULUMI_BACKEND_URL) {
    step(`backend ${env.PULUMI_BACKEND_URL} (PULUMI_BACKEND_URL)`);
  } else if (pulumi(["whoami", "--non-interactive", "--verbose"], { stdio: ["ignore", "inherit", "ignore"] }) === 0) {
    step("using the backend you are logged in to (pulumi whoami)");
  } else {
    step("no backend set: logging in to the local file backend (~/.pulumi); set PULUMI_BACKEND_URL to use another");
    const code = pulumi(["login", "--local"]);
    if (code !== 0) return code;
  }
  let code = pulumi(["stack", "select", "--create", plan.stack]);
  if (code !== 0) return code;
  step(`pulumi up --stack ${plan.stack} --policy-pack policy ${plan.upArgs.join(" ")}`.trimEnd());
  code = pulumi(["up", "--stack", plan.stack, "--policy-pack", path.join(ROOT, "policy"), ...plan.upArgs]);
  return code;
}

if (require.main === module) {
  // `npm run` puts node_modules/.bin first on PATH; run directly, fall back to it last.
  process.env.PATH = `${process.env.PATH ?? ""}${path.delimiter}${path.join(ROOT, "node_modules", ".bin")}`;
  const first = process.argv[2];
  if (first === "--help" || first === "-h") {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  try {
    process.exitCode = deploy(parseArgs(process.argv.slice(2)));
  } catch (e) {
    process.stderr.write(`deploy: ${(e as Error).message}\n`);
    process.exitCode = 2;
  }
}
