// Reads stack configuration against the settings table and collects every problem with the
// key it belongs to, so one `pulumi preview` reports them all before anything is created.
import * as pulumi from "@pulumi/pulumi";
import { Problem, checkNoInvisible, show } from "./checks";
import { PROJECT, SECRET_KEYS, SETTINGS, STRUCTURED_SETTINGS, SecretKey, SimpleType } from "./schema";

/** What the settings need from pulumi.Config; tests may hand in pulumi.Config over setAllConfig. */
export interface ConfigSource {
  get(key: string): string | undefined;
  getSecret(key: string): pulumi.Output<string> | undefined;
  /**
   * The plain text of a secret, only to check its shape before anything is created (it never
   * enters a message). Pulumi hands decrypted config to the program, so it is there at startup.
   */
  secretText?(key: string): string | undefined;
  /** Every key set in the project's namespace, to refuse the ones nobody reads. */
  keys?(): readonly string[];
}

/** The stack's configuration as Pulumi gives it to the program. */
export function pulumiConfigSource(): ConfigSource {
  const config = new pulumi.Config(PROJECT);
  const prefix = `${PROJECT}:`;
  return {
    get: (k) => config.get(k),
    getSecret: (k) => config.getSecret(k),
    secretText: (k) => pulumi.runtime.getConfig(`${prefix}${k}`),
    keys: () =>
      Object.keys(pulumi.runtime.allConfig())
        .filter((k) => k.startsWith(prefix))
        .map((k) => k.slice(prefix.length)),
  };
}

export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid stack settings (${problems.length}):\n` +
        problems.map((p) => `  - ${p}`).join("\n") +
        `\nFix with \`pulumi config set ${PROJECT}:<key> <value>\` (lists and objects: edit the stack file or use --path).`,
    );
    this.name = "SettingsError";
  }
}

/** Reads typed values and collects problems with the key they belong to, so one run reports them all. */
export class Reader {
  readonly problems: string[] = [];
  constructor(private readonly cfg: ConfigSource) {}

  fail(key: string, message: string): void {
    this.problems.push(`${PROJECT}:${key}: ${message}`);
  }

  /** Reports each "<key>[...]: <message>" line of a check that names its own keys. */
  failEach(lines: readonly string[]): void {
    for (const line of lines) this.problems.push(`${PROJECT}:${line}`);
  }

  /** Whether a problem was already reported for `key`, so a later cross-check stays quiet. */
  hasProblem(key: string): boolean {
    return this.problems.some((p) => p.startsWith(`${PROJECT}:${key}:`) || p.startsWith(`${PROJECT}:${key}[`));
  }

  /** The plain text of a secret, for shape checks only; undefined when unset or unavailable. */
  secretText(key: SecretKey): string | undefined {
    return this.cfg.secretText?.(key);
  }

  /** Whether this source can show secrets' text at all (a source without it skips shape checks). */
  canReadSecrets(): boolean {
    return this.cfg.secretText !== undefined;
  }

  /** Keys set in the namespace that no setting declares, each with the nearest declared key. */
  unknownKeys(): { key: string; suggestion?: string }[] {
    const known = [...Object.keys(SETTINGS), ...Object.keys(STRUCTURED_SETTINGS), ...Object.keys(SECRET_KEYS)];
    return (this.cfg.keys?.() ?? [])
      .filter((k) => !known.includes(k))
      .sort()
      .map((key) => ({ key, suggestion: nearest(key, known) }));
  }

  isSet(key: string): boolean {
    return this.cfg.get(key) !== undefined;
  }

  private parsed(key: string): unknown {
    const text = this.cfg.get(key);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }

  /** A declared setting, type-checked against SETTINGS, then by `check`. */
  value<T extends string | number | boolean | readonly string[]>(key: string, check?: (v: T) => Problem): T {
    const spec = SETTINGS[key];
    if (!spec) throw new Error(`setting ${key} is not declared in SETTINGS`);
    const raw = spec.type === "string" ? this.cfg.get(key) : this.parsed(key);
    if (raw === undefined) return spec.default as T;
    if (this.invisible(key)) return spec.default as T;
    const typeProblem = typeCheck(spec.type, raw);
    if (typeProblem) {
      this.fail(key, typeProblem);
      return spec.default as T;
    }
    const problem = check?.(raw as T);
    if (problem) {
      this.fail(key, problem);
      return spec.default as T;
    }
    return raw as T;
  }

  structured(key: keyof typeof STRUCTURED_SETTINGS): unknown {
    return this.invisible(key) ? undefined : this.parsed(key);
  }

  /** Refuses zero-width and bidirectional-control characters anywhere in a setting's text (issue 21). */
  private invisible(key: string): boolean {
    const text = this.cfg.get(key);
    const problem = text === undefined ? undefined : checkNoInvisible(text);
    if (problem) this.fail(key, problem);
    return problem !== undefined;
  }

  secret(key: SecretKey): pulumi.Output<string> | undefined {
    return this.cfg.getSecret(key);
  }
}

function typeCheck(type: SimpleType, v: unknown): Problem {
  switch (type) {
    case "string":
      return typeof v === "string" ? undefined : `${show(v)} is not accepted; use a string`;
    case "integer":
      return typeof v === "number" && Number.isInteger(v) ? undefined : `${show(v)} is not accepted; use a whole number`;
    case "boolean":
      return typeof v === "boolean" ? undefined : `${show(v)} is not accepted; use true or false`;
    case "array":
      return Array.isArray(v) && v.every((x) => typeof x === "string")
        ? undefined
        : `${show(v)} is not accepted; use a list of strings`;
  }
}


/** Edit distance, case-insensitive: "grafanaport" and "grafanPort" both find grafanaPort. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length];
}

function nearest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = distance(key, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  // A suggestion only when it is plausibly a typo: at most a third of the key differs.
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}
