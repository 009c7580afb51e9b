// `npm run doctor -- <stack> [--notify] [--wait <seconds>] [address flags]`: checks a deployed
// stack through the addresses its outputs give (`pulumi stack output --json --show-secrets`; on
// ec2 without a domain, open sshTunnelCommand first), one line per check, exit 1 on any failure.
// What the stack should run (alertmanager.yml, rule groups, dashboards, datasources, receivers,
// backups, the TLS domain) comes from the program itself (lib/doctor/expected.ts).
//
// Flags override the outputs, so the doctor can point anywhere (the live tests use loopback):
//   --grafana-url U --grafana-user U --grafana-password-file F
//   --prometheus-url U --prometheus-user U --prometheus-password-file F
//   --alertmanager-url U --loki-url U
//   --tls-domain D --tls-address host:port --tls-ca F (PEM)
//   --expect-file F   expectations as JSON (lib/doctor/types.ts Expectations) instead of a stack
//   --notify          send a labelled test alert to every configured receiver
//   --wait S          repeat the checks until all pass or S seconds have passed (right after up)
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_OPTIONS, DoctorTargets, Expectations, formatResults, runDoctor } from "./lib/doctor";
import { findPulumi } from "./lib/pulumi-cli";
import { StackOutputs, parseOutputs } from "./lib/stack-outputs";

const ROOT = path.join(__dirname, "..");
const VALUE_FLAGS = [
  "grafana-url",
  "grafana-user",
  "grafana-password-file",
  "prometheus-url",
  "prometheus-user",
  "prometheus-password-file",
  "alertmanager-url",
  "loki-url",
  "tls-domain",
  "tls-address",
  "tls-ca",
  "expect-file",
  "wait",
] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

export interface DoctorArgs {
  readonly stack?: string;
  readonly notify: boolean;
  readonly flags: Partial<Record<ValueFlag, string>>;
}

const USAGE = `usage: npm run doctor -- <stack> [--notify] [--wait <seconds>] [--<component>-url <url> ...] [--expect-file <json>]`;

const HELP = `${USAGE}

Checks a deployed stack through the addresses its outputs give (on ec2 without a domain, open
sshTunnelCommand first) against what the program renders for it: Grafana (health, login,
datasources, dashboards), Prometheus (ready, auth, targets, rule groups, evaluation, backups),
Alertmanager (ready, the configuration it runs), notifications, Loki (ready, recent logs) and the
TLS certificate. One line per check; exit status 1 when any fails.

options:
  --notify                   also send a labelled test alert to every configured receiver
  --wait <seconds>           repeat until every check passes or the time is up
  --grafana-url, --prometheus-url, --alertmanager-url, --loki-url <url>
                             check these addresses instead of the stack outputs
  --grafana-user, --grafana-password-file, --prometheus-user, --prometheus-password-file
  --tls-domain <name>, --tls-address <host:port>, --tls-ca <pem file>
  --expect-file <json>       what to expect, instead of rendering the stack under mocks
  --help, -h                 print this help and exit
`;

export function parseDoctorArgs(argv: readonly string[]): DoctorArgs {
  let stack: string | undefined;
  let notify = false;
  const flags: Partial<Record<ValueFlag, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--notify") notify = true;
    else if (a.startsWith("--") && (VALUE_FLAGS as readonly string[]).includes(a.slice(2))) {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value; ${USAGE}`);
      flags[a.slice(2) as ValueFlag] = v;
    } else if (!a.startsWith("-") && stack === undefined) stack = a;
    else throw new Error(`${JSON.stringify(a)} is not an option; ${USAGE}`);
  }
  if (stack === undefined && flags["expect-file"] === undefined) throw new Error(USAGE);
  if (flags.wait !== undefined && !/^\d+$/.test(flags.wait)) throw new Error(`--wait ${JSON.stringify(flags.wait)}: give whole seconds`);
  return { stack, notify, flags };
}

function stackOutputs(stack: string): StackOutputs {
  const cli = process.env.PULUMI_CLI ?? findPulumi(ROOT)?.path;
  if (!cli) throw new Error("no Pulumi CLI to read the stack outputs; give the addresses as flags");
  const r = spawnSync(cli, ["stack", "output", "--json", "--show-secrets", "--stack", stack], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (r.status !== 0) throw new Error(`pulumi stack output --stack ${stack} failed (${r.error?.message ?? `exit ${r.status}`})`);
  return parseOutputs(r.stdout);
}

const readSecret = (file: string | undefined): string | undefined =>
  file === undefined ? undefined : fs.readFileSync(file, "utf8").trim();

export function targetsFrom(out: StackOutputs, f: DoctorArgs["flags"], tlsDomain: string | undefined): DoctorTargets {
  const url = (flag: string | undefined, o: string | undefined) => flag ?? o;
  const grafanaUrl = url(f["grafana-url"], out.grafanaUrl);
  const promUrl = url(f["prometheus-url"], out.prometheusUrl);
  const amUrl = url(f["alertmanager-url"], out.alertmanagerUrl);
  const lokiUrl = url(f["loki-url"], out.lokiUrl);
  const [host, port] = (f["tls-address"] ?? "").split(/:(?=\d+$)/);
  const domain = f["tls-domain"] ?? tlsDomain;
  return {
    grafana: grafanaUrl
      ? {
          url: grafanaUrl,
          user: f["grafana-user"] ?? out.grafanaAdminUser,
          password: readSecret(f["grafana-password-file"]) ?? out.grafanaAdminPassword,
        }
      : undefined,
    prometheus: promUrl
      ? {
          url: promUrl,
          user: f["prometheus-user"] ?? out.prometheusUser,
          password: readSecret(f["prometheus-password-file"]) ?? out.prometheusPassword,
        }
      : undefined,
    alertmanager: amUrl ? { url: amUrl } : undefined,
    loki: lokiUrl ? { url: lokiUrl } : undefined,
    tlsDomain: domain || undefined,
    tlsAddress: host && port ? { host, port: Number(port) } : undefined,
    tlsCa: f["tls-ca"] ? fs.readFileSync(f["tls-ca"], "utf8") : undefined,
  };
}

export async function doctorMain(argv: readonly string[], write: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const args = parseDoctorArgs(argv);
  let expected: Expectations;
  let tlsDomain: string | undefined;
  if (args.flags["expect-file"]) {
    expected = JSON.parse(fs.readFileSync(args.flags["expect-file"], "utf8")) as Expectations;
  } else {
    write(`doctor: rendering stack ${args.stack} to know what it should run\n`);
    // Loaded only here: it runs the program under mocks (Pulumi's runtime and every component).
    const { stackExpectations } = require("./lib/doctor/expected") as typeof import("./lib/doctor/expected");
    ({ expected, tlsDomain } = await stackExpectations(args.stack!));
  }
  const everyFlag = ["grafana-url", "prometheus-url", "alertmanager-url", "loki-url"].every((k) => args.flags[k as ValueFlag]);
  const outputs = args.stack && !everyFlag ? stackOutputs(args.stack) : {};
  const targets = targetsFrom(outputs, args.flags, tlsDomain);
  const deadline = Date.now() + Number(args.flags.wait ?? 0) * 1000;
  for (let round = 1; ; round++) {
    // The test notification is sent once, on the last round (when everything else passes or time is up).
    const results = await runDoctor(targets, expected, { ...DEFAULT_OPTIONS, notify: false });
    const last = results.every((r) => r.ok) || Date.now() >= deadline;
    if (!last) {
      write(
        `doctor: round ${round}: ${results
          .filter((r) => !r.ok)
          .map((r) => r.name)
          .join(", ")} not yet; again in 10 s\n`,
      );
      await new Promise((r) => setTimeout(r, 10_000));
      continue;
    }
    const final = args.notify ? await runDoctor(targets, expected, { ...DEFAULT_OPTIONS, notify: true }) : results;
    write(`${formatResults(final)}\n`);
    const failed = final.filter((r) => !r.ok);
    write(
      failed.length === 0
        ? `doctor: all ${final.length} checks passed\n`
        : `doctor: ${failed.length} of ${final.length} checks failed: ${failed.map((r) => r.name).join(", ")}\n`,
    );
    return failed.length === 0 ? 0 : 1;
  }
}

if (require.main === module) {
  if (process.argv[2] === "--help" || process.argv[2] === "-h") {
    process.stdout.write(HELP);
    process.exit(0);
  }
  doctorMain(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`doctor: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(2);
    },
  );
}
