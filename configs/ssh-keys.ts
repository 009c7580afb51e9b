// SSH keys as text: the checks of the keys a user gives (sshPublicKey, sshPrivateKey), parsed by
// their wire format rather than matched by a pattern, and the ec2 host's own ed25519 host key,
// built from 32 random bytes so the program can pin it (issue 21: host keys verified).
// Formats: RFC 4253 section 6.6 (public key blobs), RFC 8709 (ssh-ed25519), RFC 5656 (ecdsa),
// OpenSSH's PROTOCOL.key (the openssh-key-v1 private key envelope). Pure: no Pulumi here.
import { createPrivateKey, createPublicKey } from "node:crypto";
import { Problem, hasControl, show } from "./value-checks";

/** Key types accepted for the host's authorized key (what OpenSSH 9 and AWS key pairs take). */
export const SSH_KEY_TYPES = ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"] as const;

/** Reads the SSH wire strings (uint32 length + bytes) of a blob; undefined when it does not parse. */
export function sshStrings(blob: Buffer): Buffer[] | undefined {
  const out: Buffer[] = [];
  let at = 0;
  while (at < blob.length) {
    if (at + 4 > blob.length) return undefined;
    const len = blob.readUInt32BE(at);
    at += 4;
    if (at + len > blob.length) return undefined;
    out.push(blob.subarray(at, at + len));
    at += len;
  }
  return out;
}

function isBase64(text: string): boolean {
  return text.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(text);
}

/** Why the blob of a `type` key is not one, or undefined. */
function blobProblem(type: string, blob: Buffer): string | undefined {
  const parts = sshStrings(blob);
  if (!parts || parts.length === 0) return "its base64 part is not an SSH key blob (length-prefixed fields)";
  const embedded = parts[0].toString("latin1");
  if (embedded !== type) return `it says ${type} but its base64 part holds a ${show(embedded)} key`;
  if (type === "ssh-ed25519") return parts.length === 2 && parts[1].length === 32 ? undefined : "its ed25519 key is not 32 bytes";
  if (type === "ssh-rsa") {
    if (parts.length !== 3) return "its RSA key lacks the exponent or the modulus";
    const modulusBits = (parts[2].length - (parts[2][0] === 0 ? 1 : 0)) * 8;
    return modulusBits >= 2048 ? undefined : `its RSA modulus has ${modulusBits} bits; use at least 2048 (or ed25519)`;
  }
  const curve = type.replace("ecdsa-sha2-", "");
  const pointBytes: Record<string, number> = { nistp256: 65, nistp384: 97, nistp521: 133 };
  if (parts.length !== 3 || parts[1].toString("latin1") !== curve || parts[2].length !== pointBytes[curve] || parts[2][0] !== 4) {
    return `its ECDSA key is not an uncompressed point on ${curve}`;
  }
  return undefined;
}

/**
 * One authorized_keys line without options: type, base64 blob whose embedded type matches and
 * whose fields are whole, and an optional comment on the same line.
 */
export function checkSshPublicKey(value: string): Problem {
  const accepted = "use the one line of ~/.ssh/id_ed25519.pub (ssh-ed25519 AAAA... comment)";
  if (/[\r\n]/.test(value.trim())) return `holds more than one line; ${accepted}`;
  const [type, data, ...comment] = value.trim().split(/ +/);
  if (!(SSH_KEY_TYPES as readonly string[]).includes(type)) {
    return `${show(value.slice(0, 40))}... is not an SSH public key: it does not start with a key type this program accepts (${SSH_KEY_TYPES.join(", ")}); ${accepted}`;
  }
  if (data === undefined || !isBase64(data)) return `has no valid base64 key after ${type}; ${accepted}`;
  const problem = blobProblem(type, Buffer.from(data, "base64"));
  if (problem) return `is not a well-formed ${type} key: ${problem}; ${accepted}`;
  if (hasControl(comment.join(" "))) return `has a control character in its comment; ${accepted}`;
  return undefined;
}

const PEM = /^-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)\r?\n?-----END ([A-Z0-9 ]+)-----\s*$/;
const PRIVATE_LABELS = ["OPENSSH PRIVATE KEY", "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"];
const OPENSSH_MAGIC = Buffer.from("openssh-key-v1\0", "latin1");

/**
 * A private key the command provider can use without a passphrase: an unencrypted OpenSSH
 * (openssh-key-v1) or PEM (PKCS#1, SEC1, PKCS#8) envelope around a key that parses. Never shown.
 */
export function checkSshPrivateKey(value: string | undefined): Problem {
  const accepted =
    "use the whole unencrypted private key file, -----BEGIN OPENSSH PRIVATE KEY----- to its END line (the value is not shown because it is a secret)";
  if (value === undefined || value.trim() === "") return `is empty; ${accepted}`;
  const m = PEM.exec(value.trim() + "\n");
  if (!m) return `is not a PEM or OpenSSH key envelope (BEGIN/END lines around base64); ${accepted}`;
  const [, begin, body, end] = m;
  if (begin !== end) return `begins as ${begin} but ends as ${end}; ${accepted}`;
  if (!PRIVATE_LABELS.includes(begin)) {
    return `is a ${begin}, not a private key${begin.includes("ENCRYPTED") ? " without a passphrase (no setting holds one: load the key into ssh-agent instead)" : ""}; ${accepted}`;
  }
  if (/Proc-Type: 4,ENCRYPTED/.test(body))
    return `is encrypted with a passphrase, which no setting holds; load it into ssh-agent instead, or ${accepted}`;
  const base64 = body.replace(/\s+/g, "");
  if (!isBase64(base64)) return `has a body that is not base64; ${accepted}`;
  const der = Buffer.from(base64, "base64");
  if (begin === "OPENSSH PRIVATE KEY") {
    if (!der.subarray(0, OPENSSH_MAGIC.length).equals(OPENSSH_MAGIC)) return `does not start with openssh-key-v1; ${accepted}`;
    const fields = sshStrings(der.subarray(OPENSSH_MAGIC.length, OPENSSH_MAGIC.length + 4 + der.readUInt32BE(OPENSSH_MAGIC.length)));
    if (!fields) return `has a broken openssh-key-v1 header; ${accepted}`;
    if (fields[0].toString("latin1") !== "none")
      return `is encrypted with a passphrase, which no setting holds; load it into ssh-agent instead, or ${accepted}`;
    return undefined;
  }
  try {
    const type = begin === "RSA PRIVATE KEY" ? "pkcs1" : begin === "EC PRIVATE KEY" ? "sec1" : "pkcs8";
    createPrivateKey({ key: der, format: "der", type });
  } catch {
    return `does not parse as a ${begin}; ${accepted}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The ec2 host's key

function sshString(data: Buffer | string): Buffer {
  const b = typeof data === "string" ? Buffer.from(data, "latin1") : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

export interface HostKey {
  /** /etc/ssh/ssh_host_ed25519_key: the openssh-key-v1 file, unencrypted. */
  readonly privateOpenssh: string;
  /** "ssh-ed25519 AAAA... <comment>": what a client pins. */
  readonly publicOpenssh: string;
}

/**
 * The ed25519 host key whose private scalar is `seed` (32 random bytes), in the files sshd and a
 * client read. Deterministic: the same seed gives the same files, so the program can keep the
 * seed in a stateful random resource and rebuild the key on every run.
 */
export function ed25519HostKey(seed: Buffer, comment = "observability-stack host key"): HostKey {
  if (seed.length !== 32) throw new Error(`ed25519 host key: the seed must be 32 bytes, got ${seed.length}`);
  // PKCS#8 for an Ed25519 seed (RFC 8410): a fixed prefix followed by the 32 bytes.
  const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  const privateKey = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  const pub = spki.subarray(spki.length - 32);
  const publicBlob = Buffer.concat([sshString("ssh-ed25519"), sshString(pub)]);
  // The check integers only let a decrypting reader notice a wrong passphrase; derived from the
  // seed so the file is stable.
  const check = seed.subarray(0, 4);
  let privateSection = Buffer.concat([
    check,
    check,
    sshString("ssh-ed25519"),
    sshString(pub),
    sshString(Buffer.concat([seed, pub])),
    sshString(comment),
  ]);
  const padding = (8 - (privateSection.length % 8)) % 8;
  privateSection = Buffer.concat([privateSection, Buffer.from(Array.from({ length: padding }, (_, i) => i + 1))]);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(1);
  const file = Buffer.concat([
    OPENSSH_MAGIC,
    sshString("none"),
    sshString("none"),
    sshString(""),
    count,
    sshString(publicBlob),
    sshString(privateSection),
  ]);
  const lines = file.toString("base64").match(/.{1,70}/g) as string[];
  return {
    privateOpenssh: ["-----BEGIN OPENSSH PRIVATE KEY-----", ...lines, "-----END OPENSSH PRIVATE KEY-----", ""].join("\n"),
    publicOpenssh: `ssh-ed25519 ${publicBlob.toString("base64")} ${comment}`,
  };
}

/** The key type and base64 blob of a public key line, without its comment (what hostKey compares). */
export function publicKeyWithoutComment(line: string): string {
  return line.trim().split(/ +/).slice(0, 2).join(" ");
}

/**
 * ssh(1) options that accept only `publicKey` for `address`, for the Docker provider (which runs
 * the ssh client with these as arguments, no shell): StrictHostKeyChecking=yes refuses any other
 * key and never learns one; the known-hosts files are /dev/null so a stale or planted entry
 * cannot interfere; KnownHostsCommand (OpenSSH 8.5+) supplies the one pinned line; only the
 * ed25519 algorithm is negotiated, the type of the key the host was given.
 */
export function pinnedSshOptions(address: string, publicKey: string): string[] {
  const line = `${address} ${publicKeyWithoutComment(publicKey)}`;
  if (!/^[0-9a-zA-Z.:-]+ ssh-ed25519 [A-Za-z0-9+/=]+$/.test(line))
    throw new Error(`pinned host key: ${JSON.stringify(line)} is not "<address> ssh-ed25519 <base64>"`);
  return [
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "GlobalKnownHostsFile=/dev/null",
    "-o",
    `KnownHostsCommand=/bin/echo ${line}`,
    "-o",
    "HostKeyAlgorithms=ssh-ed25519",
    "-o",
    "ServerAliveInterval=30",
  ];
}
