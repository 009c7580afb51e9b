// Alert receivers: which are on, their non-secret settings (what alertmanager.yml may say) and,
// apart from those, the secret each needs (delivered to Alertmanager as a file).
import type { SettingKey } from "./schema";
import * as pulumi from "@pulumi/pulumi";
import { AlertmanagerReceivers, SECRET_FILES } from "../../configs/alertmanager";
import {
  Problem,
  checkEmail,
  checkHostPort,
  checkNoTemplate,
  checkRoutingKey,
  checkSecretToken,
  checkSecretUrl,
  each,
  oneOf,
  show,
  unique,
} from "./checks";
import { Reader } from "./reader";
import { PROJECT, RECEIVER_KINDS, ReceiverKind, SecretKey } from "./schema";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Each enabled receiver's credential, by the receiver it belongs to. */
export type ReceiverSecrets = Readonly<Partial<Record<keyof typeof SECRET_FILES, pulumi.Output<string>>>>;

export function readReceivers(r: Reader): { receivers: AlertmanagerReceivers; secrets: ReceiverSecrets } {
  const kinds = r.value<readonly string[]>("receivers", (v) => each(oneOf(RECEIVER_KINDS))(v) ?? unique(v)) as readonly ReceiverKind[];
  const secretOf: Record<ReceiverKind, SecretKey> = {
    slack: "slackWebhookUrl",
    pagerduty: "pagerdutyRoutingKey",
    webhook: "webhookUrl",
    heartbeat: "heartbeatUrl",
    email: "smtpPassword",
  };
  // The shape of each secret is checked on its plain text now, before anything is created; the
  // value itself never enters a message.
  const secretShape: Record<ReceiverKind, (v: string | undefined) => Problem> = {
    slack: checkSecretUrl,
    webhook: checkSecretUrl,
    heartbeat: checkSecretUrl,
    pagerduty: checkRoutingKey,
    email: (v) => checkSecretToken(v, "SMTP password"),
  };
  const needSecret = (kind: ReceiverKind): pulumi.Output<string> | undefined => {
    const s = r.secret(secretOf[kind]);
    if (s === undefined) {
      r.fail(
        "receivers",
        `${kind} is enabled but its credential is missing; set it with \`pulumi config set --secret ${PROJECT}:${secretOf[kind]} <value>\``,
      );
      return undefined;
    }
    const text = r.secretText(secretOf[kind]);
    const problem = text === undefined && !r.canReadSecrets() ? undefined : secretShape[kind](text);
    if (problem) {
      r.fail(secretOf[kind], problem);
      return undefined;
    }
    return s;
  };
  for (const kind of RECEIVER_KINDS) {
    if (!kinds.includes(kind) && r.secret(secretOf[kind]) !== undefined) {
      r.fail(secretOf[kind], `is set but receiver ${kind} is not enabled; add ${kind} to receivers or remove the secret`);
    }
  }
  const channel = (key: "slackChannelCritical" | "slackChannelWarning" | "slackChannelInfo") =>
    r.value<string>(key, (v) =>
      /^[#@][a-z0-9_.-]{1,80}$/.test(v) ? undefined : `${show(v)} is not accepted; use a channel such as #alerts-critical`,
    );
  const channels = {
    critical: channel("slackChannelCritical"),
    warning: channel("slackChannelWarning"),
    info: channel("slackChannelInfo"),
  };

  const receivers: Mutable<AlertmanagerReceivers> = {};
  const secrets: Mutable<ReceiverSecrets> = {};
  for (const kind of ["slack", "pagerduty", "webhook", "heartbeat"] as const) {
    if (!kinds.includes(kind)) continue;
    const secret = needSecret(kind);
    if (!secret) continue;
    secrets[kind] = secret;
    if (kind === "slack") receivers.slack = { channels };
    else receivers[kind] = true;
  }

  const emailOn = kinds.includes("email");
  const required = (key: SettingKey, check: (v: string) => Problem): string =>
    r.value<string>(key, (v) => (v === "" ? (emailOn ? "is required by receiver email" : undefined) : check(v)));
  // To and From are Go templates in Alertmanager: {{ would be evaluated, not sent.
  const to = required("emailTo", (v) => checkNoTemplate(v) ?? checkEmail(v));
  const from = required("emailFrom", (v) => checkNoTemplate(v) ?? checkEmail(v));
  const smarthost = required("smtpSmarthost", checkHostPort);
  const username = r.value<string>("smtpUsername", (v) => (v === "" ? undefined : checkNoTemplate(v)));
  const requireTls = r.value<boolean>("smtpRequireTls");
  if (emailOn) {
    for (const [key, v] of [
      ["emailTo", to],
      ["emailFrom", from],
      ["smtpSmarthost", smarthost],
    ] as const) {
      if (v === "" && !r.isSet(key)) r.fail(key, `is missing; receiver email needs emailTo, emailFrom and smtpSmarthost`);
    }
    const password = r.secret("smtpPassword");
    const passwordProblem =
      password !== undefined && r.canReadSecrets() ? checkSecretToken(r.secretText("smtpPassword"), "SMTP password") : undefined;
    if (passwordProblem) r.fail("smtpPassword", passwordProblem);
    // Port 465 is TLS from the first byte (Alertmanager dials it with TLS); elsewhere, without
    // STARTTLS required, the password may cross the network in clear.
    const allowPlain = r.value<boolean>("smtpAllowPlainAuth");
    if (username !== "" && !requireTls && !smarthost.endsWith(":465") && !allowPlain) {
      r.fail(
        "smtpRequireTls",
        `is false while smtpUsername is set: the SMTP password would cross the network in clear; keep smtpRequireTls true, use the server's port 465 (TLS), or set smtpAllowPlainAuth: true if the server is on a network you trust`,
      );
    }
    if (username !== "" && password === undefined) {
      r.fail(
        "smtpUsername",
        `is set but the SMTP password is missing; set it with \`pulumi config set --secret ${PROJECT}:smtpPassword <value>\``,
      );
    }
    if (username === "" && password !== undefined)
      r.fail("smtpPassword", "is set but smtpUsername is empty; set the user or remove the password");
    receivers.email = { to, from, smarthost, username: username || undefined, requireTls };
    if (password) secrets.email = password;
  }
  return { receivers, secrets };
}
