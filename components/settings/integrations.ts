// Optional integrations: which are on, each with the config its own module read from its settings
// (integrations/), and, apart from it, the secret settings their exporters read from files. The
// rules common to every integration live here once: a setting or secret of an integration that is
// off is refused, a required secret must be set, and a secret's text is checked when it can be read.
import * as pulumi from "@pulumi/pulumi";
import { EnabledIntegrations, INTEGRATIONS, INTEGRATION_NAMES, IntegrationName } from "../../integrations";
import { SecretSpec } from "../../integrations/integration";
import { each, oneOf, unique } from "./checks";
import { Reader } from "./reader";
import { PROJECT, SecretKey } from "./schema";

/** The secret settings that are set, by integration and key; each reaches its exporter as a file. */
export type IntegrationSecrets = Readonly<Partial<Record<IntegrationName, Readonly<Record<string, pulumi.Output<string>>>>>>;

export function readIntegrations(r: Reader): { integrations: EnabledIntegrations; secrets: IntegrationSecrets } {
  const names = r.value<readonly string[]>("integrations", (v) => each(oneOf(INTEGRATION_NAMES))(v) ?? unique(v));
  const integrations: Record<string, unknown> = {};
  const secrets: Record<string, Record<string, pulumi.Output<string>>> = {};
  for (const integration of INTEGRATIONS) {
    const on = names.includes(integration.name);
    const present: Record<string, pulumi.Output<string>> = {};
    for (const [key, spec] of Object.entries(integration.secrets as Readonly<Record<string, SecretSpec>>)) {
      const value = r.secret(key as SecretKey);
      if (!on) {
        if (value)
          r.fail(
            key,
            `is set but integration ${integration.name} is not enabled; add ${integration.name} to integrations or remove the secret`,
          );
      } else if (!value) {
        if (spec.required) {
          r.fail(
            "integrations",
            `${integration.name} is enabled but its secret ${key} (${spec.description}) is missing; set it with \`npx pulumi config set --secret ${PROJECT}:${key} ${spec.example}\``,
          );
        }
      } else {
        // Checked on its text now, not inside an apply at deploy time; never shown.
        const problem = r.canReadSecrets() ? spec.check?.(r.secretText(key as SecretKey) ?? "") : undefined;
        if (problem) r.fail(key, problem);
        else present[key] = value;
      }
    }
    if (!on) {
      for (const key of Object.keys(integration.settings)) {
        if (r.isSet(key)) r.fail(key, `is set but integration ${integration.name} is not enabled; add ${integration.name} to integrations`);
      }
      continue;
    }
    integrations[integration.name] = integration.read(r);
    secrets[integration.name] = present;
  }
  return { integrations: integrations as EnabledIntegrations, secrets };
}
