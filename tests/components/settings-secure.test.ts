// Stack files read as Pulumi reads them, through the SDK's own config store (what the language
// host fills from PULUMI_CONFIG and PULUMI_CONFIG_SECRET_KEYS; the mock harness fills it the same
// way with setAllConfig): a `secure:` value is a secret whose text the offline tools replace by
// a labelled placeholder, and it never fails the settings; a secret key written as plain config
// is refused, naming the key and the command that encrypts it.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT, SECRET_KEYS } from "../../components/settings/schema";
import { SettingsError, loadSettings, pulumiConfigSource } from "../../components/settings";
import { ROOT, stackConfig } from "../../harness/mock-program";
import { secretPlaceholder } from "../../harness/secret-placeholders";
import { REMOTE_WRITE_BASIC_CONFIG, SECURE_STACK_SECRETS, secureStackYaml } from "../helpers/stack-fixtures";
import { tempDir } from "../helpers/tools";

const PROD = path.join(ROOT, "Pulumi.prod.yaml");
const ENV = { SSH_AUTH_SOCK: "/tmp/agent.sock" };

/** Loads a stack file as the program would: the SDK's config store, then the settings. */
function loadStackFile(text: string, stack = "prod", extra: Record<string, string> = {}) {
  const file = path.join(tempDir("secure-stack"), `Pulumi.${stack}.yaml`);
  fs.writeFileSync(file, text);
  const { config, secretKeys } = stackConfig(file);
  pulumi.runtime.setAllConfig({ ...config, ...extra }, secretKeys);
  return loadSettings(pulumiConfigSource(), stack, ENV);
}

function refusal(load: () => unknown): string {
  try {
    load();
  } catch (e) {
    expect(e).toBeInstanceOf(SettingsError);
    return (e as Error).message;
  }
  throw new Error("the stack file was accepted");
}

function isSecret(o: pulumi.Output<string> | undefined): Promise<boolean> {
  // Output.isSecret is internal API; the test needs it to prove the value stays secret.
  return (o as unknown as { isSecret: Promise<boolean> }).isSecret;
}

function valueOf(o: pulumi.Output<string> | undefined): Promise<string> {
  return new Promise((resolve) => o?.apply((v) => resolve(v)));
}

test("the committed stack files load as they are", () => {
  for (const stack of ["dev", "prod"]) {
    expect(() => loadStackFile(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"), stack)).not.toThrow();
  }
});

/** Every Output inside the settings' secret parts, wherever the settings keep it. */
function secretOutputs(v: unknown, seen = new Set<unknown>()): pulumi.Output<string>[] {
  if (pulumi.Output.isInstance(v)) return [v as pulumi.Output<string>];
  if (typeof v !== "object" || v === null || seen.has(v)) return [];
  seen.add(v);
  return Object.values(v).flatMap((x) => secretOutputs(x, seen));
}

/** The keys whose placeholders the outputs carry, each checked to be a secret. */
async function placeholderKeys(outputs: pulumi.Output<string>[], candidates: readonly string[]): Promise<string[]> {
  const keys: string[] = [];
  for (const o of outputs) {
    const value = await valueOf(o);
    const key = candidates.find((k) => secretPlaceholder(k) === value);
    expect({ value: key ? `placeholder of ${key}` : value, secret: await isSecret(o) }).toEqual({
      value: expect.stringMatching(/^placeholder of /),
      secret: true,
    });
    if (key) keys.push(key);
  }
  return keys.sort();
}

test("a stack file with every receiver and integration on and every secret encrypted loads, each secret a secret placeholder", async () => {
  const s = loadStackFile(secureStackYaml(PROD));
  expect(Object.keys(s.receivers).sort()).toEqual(["email", "heartbeat", "pagerduty", "slack", "webhook"]);
  const keys = await placeholderKeys(secretOutputs({ secrets: s.secrets, ssh: s.aws?.sshPrivateKey }), Object.keys(SECRET_KEYS));
  // Each secret of the file reaches the settings once, as its placeholder, and as a secret.
  expect(keys).toEqual([...SECURE_STACK_SECRETS].sort());
  // Nothing a reviewer reads carries a placeholder.
  const plain = JSON.stringify({ receivers: s.receivers, integrations: s.integrations, remoteWrite: s.remoteWrite });
  for (const key of SECURE_STACK_SECRETS) expect({ key, inPlain: plain.includes(secretPlaceholder(key)) }).toEqual({ key, inPlain: false });
});

test("the full stack and its bearer-token variant hold every secret key there is", () => {
  expect([...new Set([...SECURE_STACK_SECRETS, "remoteWriteBearerToken"])].sort()).toEqual(Object.keys(SECRET_KEYS).sort());
});

test("the bearer-token variant of remote write loads with its token encrypted", async () => {
  const bearer = SECURE_STACK_SECRETS.filter((k) => k !== "remoteWritePassword").concat("remoteWriteBearerToken");
  const text = secureStackYaml(PROD, bearer).replace(/^.*remoteWriteUsername.*\n/m, "");
  const s = loadStackFile(text);
  expect(s.remoteWrite).toMatchObject({ kind: "url", url: REMOTE_WRITE_BASIC_CONFIG.remoteWrite, auth: { kind: "bearer" } });
  expect(await isSecret(s.secrets.remoteWrite)).toBe(true);
  expect(await valueOf(s.secrets.remoteWrite)).toBe(secretPlaceholder("remoteWriteBearerToken"));
});

describe.each(Object.keys(SECRET_KEYS))("%s written as plain config", (key) => {
  test("is refused, naming the key and the command that encrypts it", () => {
    // The full stack, with this one secret as a plain value (what editing the YAML by hand gives).
    const text = secureStackYaml(
      PROD,
      SECURE_STACK_SECRETS.filter((k) => k !== key),
    );
    const message = refusal(() => loadStackFile(text, "prod", { [`${PROJECT}:${key}`]: secretPlaceholder(key) }));
    expect(message).toContain(`${PROJECT}:${key}: is plain text in the stack file`);
    expect(message).toContain(`npx pulumi config set --secret ${PROJECT}:${key} <value>`);
    // Only this key is refused: the other secrets are encrypted.
    expect(message.match(/is plain text in the stack file/g)).toHaveLength(1);
  });
});

test("a plain secret in the YAML itself is refused, as the README's 'edit the stack file' would give", () => {
  const text =
    fs.readFileSync(PROD, "utf8") +
    `  ${PROJECT}:receivers: [slack]\n  ${PROJECT}:slackWebhookUrl: https://hooks.slack.com/services/T000/B000/XXXX\n`;
  const message = refusal(() => loadStackFile(text));
  expect(message).toContain(`${PROJECT}:slackWebhookUrl: is plain text in the stack file`);
  expect(message).toContain(`npx pulumi config set --secret ${PROJECT}:slackWebhookUrl <value>`);
  expect(message).not.toContain("hooks.slack.com");
});

test("a setting that is not a secret, set with --secret, is refused with the command that sets it plain", () => {
  const text = fs
    .readFileSync(PROD, "utf8")
    .replace(/^ {2}observability-stack:instanceType: .*$/m, "  observability-stack:instanceType:\n    secure: v1:aW5zdGFuY2VUeXBl");
  const message = refusal(() => loadStackFile(text));
  expect(message).toContain(`${PROJECT}:instanceType: is encrypted in the stack file, but it is not a secret setting`);
  expect(message).toContain(`npx pulumi config set ${PROJECT}:instanceType <value>`);
  // Not also a complaint about the placeholder's form.
  expect(message.match(/instanceType/g)).toHaveLength(2);
});
