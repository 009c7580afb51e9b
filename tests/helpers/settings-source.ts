// Stack settings as the tests hand them to loadSettings: plain values (objects and lists as JSON,
// the way Pulumi passes them) and secrets (as secrets, with their text for the shape checks).
import * as pulumi from "@pulumi/pulumi";
import { ConfigSource, SettingsError, loadSettings } from "../../components/settings";

export function settingsSource(values: Record<string, unknown>, secrets: Record<string, string> = {}): ConfigSource {
  return {
    get: (k) => (values[k] === undefined ? undefined : typeof values[k] === "string" ? (values[k] as string) : JSON.stringify(values[k])),
    getSecret: (k) => (secrets[k] === undefined ? undefined : pulumi.secret(secrets[k])),
    secretText: (k) => secrets[k],
    keys: () => [...Object.keys(values), ...Object.keys(secrets)],
  };
}

/** The problems loadSettings reports for these settings (none: an empty list). */
export function settingsProblems(values: Record<string, unknown>, secrets: Record<string, string> = {}): string[] {
  try {
    loadSettings(settingsSource(values, secrets), "test", { SSH_AUTH_SOCK: "/tmp/agent.sock" });
  } catch (e) {
    if (e instanceof SettingsError) return [...e.problems];
    throw e;
  }
  return [];
}
