// How a setting is declared: the shape of every row of the settings table (components/settings/
// schema.ts), which integrations declare their own rows in too. Settings are flat keys of simple
// types because that is what Pulumi.yaml's `config:` schema can declare.

export type SimpleType = "string" | "integer" | "boolean" | "array";

export interface SettingSpec {
  readonly type: SimpleType;
  readonly default: string | number | boolean | readonly string[];
  readonly description: string;
}

/** Which target a setting applies to: local (a Docker host), ec2 (the host this program creates) or both. */
export type Applies = "local" | "ec2" | "both";

/** What docs/settings.md says of a key beyond its type and default; `example` is a stack-file (YAML) value. */
export interface SettingDoc {
  readonly accepts: string;
  readonly targets: Applies;
  readonly example: string;
}

/** A setting declared with its documentation beside it (how integrations declare theirs). */
export interface DocumentedSetting extends SettingSpec {
  readonly doc: SettingDoc;
}
