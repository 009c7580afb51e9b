// What the offline tools (tests, `npm run render`, `npm run review`) use for a secret the stack
// file holds encrypted (`key: {secure: v1:...}`, written by `pulumi config set --secret`): they
// cannot decrypt it (that needs the stack's passphrase or the Pulumi service), so they stand in
// a placeholder that names the key and has the form the settings check, so the program runs the
// same path as with the real value. The placeholder is handed to the program as a secret, exactly
// as Pulumi hands the decrypted value; `npm run render` writes secret files redacted anyway.
/** `.invalid` (RFC 2606) never resolves: a placeholder URL can never reach anything. */
const HOST = "offline-placeholder.invalid";

/**
 * By key; a secret key not listed gets `<secret:KEY>`, which passes a check that only refuses
 * control characters or quotes. tests/components/settings-secure.test.ts loads a stack with every
 * secret key encrypted, so a new key whose check needs a form fails there until it is listed.
 */
const PLACEHOLDERS: Readonly<Record<string, string>> = {
  // https URLs, as checkSecretUrl requires.
  slackWebhookUrl: `https://${HOST}/secret/slackWebhookUrl`,
  webhookUrl: `https://${HOST}/secret/webhookUrl`,
  heartbeatUrl: `https://${HOST}/secret/heartbeatUrl`,
  // 32 letters and digits, as checkRoutingKey requires.
  pagerdutyRoutingKey: "secretpagerdutyRoutingKey0000000",
  // A DSN with user, password and host, as checkPostgresDsn requires (the exporter's files are cut from it).
  postgresDataSourceName: `postgresql://secret-user:secret-password@${HOST}:5432/postgresDataSourceName?sslmode=require`,
  smtpPassword: "<secret:smtpPassword>",
  redisPassword: "<secret:redisPassword>",
  // An unencrypted openssh-key-v1 envelope, as checkSshPrivateKey requires; it holds no key.
  sshPrivateKey: opensshEnvelope("offline placeholder for sshPrivateKey: no key in it"),
  remoteWritePassword: "<secret:remoteWritePassword>",
  remoteWriteBearerToken: "<secret:remoteWriteBearerToken>",
};

/** An OpenSSH private-key file whose header says "not encrypted" and whose body is only `label`. */
function opensshEnvelope(label: string): string {
  const str = (text: string) => {
    const b = Buffer.from(text, "latin1");
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const body = Buffer.concat([Buffer.from("openssh-key-v1\0", "latin1"), str("none"), str("none"), str(""), str(label)]).toString("base64");
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${body.match(/.{1,70}/g)!.join("\n")}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

/** The stand-in for an encrypted value of `key`. */
export function secretPlaceholder(key: string): string {
  return Object.prototype.hasOwnProperty.call(PLACEHOLDERS, key) ? PLACEHOLDERS[key] : `<secret:${key}>`;
}
