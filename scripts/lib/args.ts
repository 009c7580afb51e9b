// The one argument parser of the npm scripts (render, review, deploy, docs, the benchmarks):
// `--help` prints the usage and exits 0 before anything is loaded or started; an unknown option
// or a wrong number of arguments prints the problem and the usage and exits 2. Built on node's
// own util.parseArgs. Scripts import this module first and everything heavy (the program under
// mocks, Prometheus harnesses) only after parsing, so `--help` answers in about a second.
import { parseArgs } from "node:util";

export interface Command {
  /** The npm script, e.g. "bench:notify". */
  readonly script: string;
  /** What follows `npm run <script> --`, e.g. "[runs]". */
  readonly synopsis: string;
  /** One or more sentences: what the command does, what it writes, how long it takes. */
  readonly about: string;
  /** Positional arguments: name → what it is. */
  readonly args?: Readonly<Record<string, string>>;
  /** Options besides --help: name → what it does (all are flags). */
  readonly flags?: Readonly<Record<string, string>>;
  /** Environment variables read: name → what it does. */
  readonly env?: Readonly<Record<string, string>>;
  /** Fewest and most positional arguments (default: none accepted). */
  readonly min?: number;
  readonly max?: number;
}

export interface Parsed {
  readonly positionals: string[];
  readonly flags: ReadonlySet<string>;
}

/** The usage text `--help` prints. */
export function usage(c: Command): string {
  const lines = [`usage: npm run ${c.script}${c.synopsis ? ` -- ${c.synopsis}` : ""}`, "", c.about];
  const block = (title: string, entries: Readonly<Record<string, string>> | undefined): void => {
    if (!entries || Object.keys(entries).length === 0) return;
    lines.push("", `${title}:`);
    for (const [k, v] of Object.entries(entries)) lines.push(`  ${k.padEnd(26)} ${v}`);
  };
  block("arguments", c.args);
  block("options", {
    ...Object.fromEntries(Object.entries(c.flags ?? {}).map(([k, v]) => [`--${k}`, v])),
    "--help, -h": "print this help and exit",
  });
  block("environment", c.env);
  return lines.join("\n") + "\n";
}

/** Stops with the usage on stderr and exit status 2. */
export function refuse(c: Command, problem: string): never {
  process.stderr.write(`${c.script}: ${problem}\n\n${usage(c)}`);
  process.exit(2);
}

/** Parses argv (default: this process's) against `c`; handles --help and refusals itself. */
export function parseCommand(c: Command, argv: readonly string[] = process.argv.slice(2)): Parsed {
  const options: Record<string, { type: "boolean"; short?: string }> = { help: { type: "boolean", short: "h" } };
  for (const f of Object.keys(c.flags ?? {})) options[f] = { type: "boolean" };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (e) {
    // --help wins over anything else on the line, even an option it does not know.
    if (argv.includes("--help") || argv.includes("-h")) help(c);
    // Node's message ends with advice about "--" that does not apply to npm scripts.
    return refuse(c, (e as Error).message.split(". To specify")[0]);
  }
  if (parsed.values.help) help(c);
  const n = parsed.positionals.length;
  const min = c.min ?? 0;
  const max = c.max ?? 0;
  if (n < min)
    refuse(
      c,
      `missing ${
        Object.keys(c.args ?? {})
          .slice(n, min)
          .join(" ") || "arguments"
      }`,
    );
  if (n > max)
    refuse(
      c,
      `unexpected argument${n - max > 1 ? "s" : ""} ${parsed.positionals
        .slice(max)
        .map((a) => JSON.stringify(a))
        .join(" ")}`,
    );
  const flags = new Set(Object.keys(parsed.values).filter((k) => k !== "help" && parsed.values[k] === true));
  return { positionals: parsed.positionals, flags };
}

function help(c: Command): never {
  process.stdout.write(usage(c));
  process.exit(0);
}

/** Whole numbers ≥ 1 from arguments such as series counts or run counts; refuses anything else. */
export function counts(c: Command, values: readonly string[], what: string): number[] {
  return values.map((v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1)
      refuse(c, `${what} ${JSON.stringify(v)} is not accepted; use a whole number of at least 1`);
    return n;
  });
}

/** "[2/3] message" on stderr: progress before each step of a long run, apart from the results on stdout. */
export function progress(step: number, of: number, message: string): void {
  process.stderr.write(`[${step}/${of}] ${message}\n`);
}
