// How a setting is declared: the shape of every row of the settings table (components/settings/
// schema.ts), which integrations declare their own rows in too. Settings are flat keys of simple
// types because that is what Pulumi.yaml's `config:` schema can declare.

export type SimpleType = "string" | "integer" | "boolean" | "array";

export interface SettingSpec {
  readonly type: SimpleType;
  readonly default: string | number | boolean | readonly string[];
  readonly description: string;
}
