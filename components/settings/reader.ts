// Reads stack configuration against the settings table and collects every problem with the
// key it belongs to, so one `pulumi preview` reports them all before anything is created.
import * as pulumi from "@pulumi/pulumi";
import { Problem, checkNoInvisible, show } from "./checks";
import { PROJECT, SECRET_KEYS, SETTINGS, SETTINGS_TABLE, STRUCTURED_SETTINGS, SecretKey, SettingKey, SimpleType } from "./schema";

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
  /**
   * Whether the stack file holds `key` encrypted (`secure:`, what `pulumi config set --secret`
   * writes). A source without it cannot tell, and plain secrets are not refused.
   */
  isSecret?(key: string): boolean;
}

/**
 * Pulumi's own record of which config keys are secret: the language host passes the stack
 * file's `secure:` keys in PULUMI_CONFIG_SECRET_KEYS (pulumi-language-nodejs main.go,
 * constructConfigSecretKeys), the SDK keeps them in its store and answers `isConfigSecret`
 * (@pulumi/pulumi runtime/config.js; `setAllConfig(config, secretKeys)` fills the same store
 * under mocks). It is exported from `pulumi.runtime` but marked internal, so not typed.
 * `config.getSecret` cannot tell: it wraps a plain value as a secret without complaint.
 */
function sdkIsConfigSecret(): (fullKey: string) => boolean {
  const fn = (pulumi.runtime as unknown as { isConfigSecret?: unknown }).isConfigSecret;
  if (typeof fn !== "function") {
    throw new Error(
      "@pulumi/pulumi no longer exports runtime.isConfigSecret: the settings cannot tell a secret from plain config; update components/settings/reader.ts",
    );
  }
  return fn as (fullKey: string) => boolean;
}

/** The stack's configuration as Pulumi gives it to the program. */
export function pulumiConfigSource(): ConfigSource {
  const config = new pulumi.Config(PROJECT);
  const prefix = `${PROJECT}:`;
  const isSecret = sdkIsConfigSecret();
  return {
    get: (k) => config.get(k),
    getSecret: (k) => config.getSecret(k),
    secretText: (k) => pulumi.runtime.getConfig(`${prefix}${k}`),
    isSecret: (k) => isSecret(`${prefix}${k}`),
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
        `\nFix with \`npx pulumi config set ${PROJECT}:<key> <value>\` (lists and objects: edit the stack file or use --path).`,
    );
    this.name = "SettingsError";
  }
}

/** Reads typed values and collects problems with the key they belong to, so one run reports them all. */
export class Reader {
  readonly problems: string[] = [];
  /** Plain settings held encrypted: refused once, then read as unset so no check repeats the problem. */
  private readonly encrypted = new Set<string>();
  constructor(private readonly cfg: ConfigSource) {
    // First, and whether or not anything reads it: a secret written as plain config sits readable
    // in the stack file, which is committed; only `secure:` values are encrypted there.
    for (const key of this.plainSecrets()) {
      this.fail(
        key,
        `is plain text in the stack file, where everyone who can read the repository can read it; ` +
          `delete it from Pulumi.<stack>.yaml and set it encrypted with \`npx pulumi config set --secret ${PROJECT}:${key} <value>\`` +
          ` (and if it was committed, rotate it: git history keeps it)`,
      );
    }
    // A plain setting set with --secret would be read as plain text (config.get), so Pulumi would
    // stop treating it as secret where it is used; and the offline tools cannot stand in a value
    // of its form. Only SECRET_KEYS are read as secrets.
    for (const key of this.encryptedSettings()) {
      this.encrypted.add(key);
      this.fail(
        key,
        `is encrypted in the stack file, but it is not a secret setting (the program uses it as plain text); ` +
          `set it without --secret: \`npx pulumi config set ${PROJECT}:${key} <value>\``,
      );
    }
  }

  /** Declared non-secret settings the stack file holds encrypted. */
  private encryptedSettings(): string[] {
    if (this.cfg.isSecret === undefined) return [];
    const plain = [...Object.keys(SETTINGS), ...Object.keys(STRUCTURED_SETTINGS)];
    return (this.cfg.keys?.() ?? []).filter((k) => plain.includes(k) && this.cfg.isSecret?.(k) === true).sort();
  }

  /** Secret keys the stack file holds as plain values (needs a source that knows which are secret). */
  private plainSecrets(): SecretKey[] {
    if (this.cfg.isSecret === undefined) return [];
    return (Object.keys(SECRET_KEYS) as SecretKey[]).filter((k) => this.cfg.get(k) !== undefined && this.cfg.isSecret?.(k) === false);
  }

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

  /** Refuses each field of the object at `key` that is not in `allowed`, suggesting the nearest one. */
  failUnknownFields(key: string, value: Record<string, unknown>, allowed: readonly string[]): void {
    for (const f of Object.keys(value)) {
      if (allowed.includes(f)) continue;
      const suggestion = nearest(f, allowed);
      this.fail(`${key}.${f}`, `unknown key${suggestion ? `; did you mean ${suggestion}?` : ""} (accepted keys are ${allowed.join(", ")})`);
    }
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
  value<T extends string | number | boolean | readonly string[]>(key: SettingKey, check?: (v: T) => Problem): T {
    const spec = SETTINGS_TABLE[key];
    if (!spec) throw new Error(`setting ${key} is not declared in SETTINGS`);
    const raw = this.encrypted.has(key) ? undefined : spec.type === "string" ? this.cfg.get(key) : this.parsed(key);
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
    return this.encrypted.has(key) || this.invisible(key) ? undefined : this.parsed(key);
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
      return Array.isArray(v) && v.every((x) => typeof x === "string") ? undefined : `${show(v)} is not accepted; use a list of strings`;
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

/** The known key nearest to `key`, when it is plausibly a typo of it; for top-level and nested keys alike. */
export function nearest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = distance(key, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  // A suggestion only when it is plausibly a typo: at most a third of the key differs.
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}
