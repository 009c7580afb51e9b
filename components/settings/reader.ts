// Reads stack configuration against the settings table and collects every problem with the
// key it belongs to, so one `pulumi preview` reports them all before anything is created.
import * as pulumi from "@pulumi/pulumi";
import { Problem, show } from "./checks";
import { PROJECT, SETTINGS, STRUCTURED_SETTINGS, SecretKey, SimpleType } from "./schema";

/** What the settings need from pulumi.Config; tests may hand in pulumi.Config over setAllConfig. */
export interface ConfigSource {
  get(key: string): string | undefined;
  getSecret(key: string): pulumi.Output<string> | undefined;
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
    return this.parsed(key);
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

