// configs/ssh-keys.ts: SSH keys parsed by their format, checked against the real ssh-keygen
// (OpenSSH, Debian's openssh-client): the keys it makes are accepted, the host key this program
// builds is one it reads, and a passphrase-protected key it makes is refused.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkSshPrivateKey, checkSshPublicKey, ed25519HostKey, pinnedSshOptions, sshStrings } from "../../configs/ssh-keys";

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sshkeys-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true }));

function keygen(name: string, ...args: string[]): { priv: string; pub: string } {
  const file = path.join(dir, name);
  execFileSync("ssh-keygen", ["-q", "-f", file, "-C", "test@example.com", ...args], { stdio: "ignore" });
  return { priv: fs.readFileSync(file, "utf8"), pub: fs.readFileSync(`${file}.pub`, "utf8") };
}

test.each([
  ["ed25519", ["-t", "ed25519", "-N", ""]],
  ["rsa 3072", ["-t", "rsa", "-b", "3072", "-N", ""]],
  ["rsa in PEM (PKCS#1)", ["-t", "rsa", "-b", "2048", "-N", "", "-m", "PEM"]],
  ["ecdsa 256", ["-t", "ecdsa", "-b", "256", "-N", ""]],
  ["ecdsa 521 in PKCS#8", ["-t", "ecdsa", "-b", "521", "-N", "", "-m", "PKCS8"]],
])("accepts the %s key pair ssh-keygen makes", (name, args) => {
  const k = keygen(name.replace(/\W/g, ""), ...args);
  expect(checkSshPublicKey(k.pub)).toBeUndefined();
  expect(checkSshPrivateKey(k.priv)).toBeUndefined();
});

test("refuses a key ssh-keygen protected with a passphrase, and a 1024-bit RSA key", () => {
  expect(checkSshPrivateKey(keygen("enc", "-t", "ed25519", "-N", "a passphrase").priv)).toMatch(/passphrase/);
  expect(checkSshPrivateKey(keygen("encpem", "-t", "rsa", "-b", "2048", "-N", "a passphrase", "-m", "PEM").priv)).toMatch(/passphrase/);
  expect(checkSshPublicKey(keygen("small", "-t", "rsa", "-b", "1024", "-N", "").pub)).toMatch(/1024 bits/);
});

test("refuses a public key whose blob is another type, truncated, or padded with a field", () => {
  const ed = keygen("ed", "-t", "ed25519", "-N", "").pub.split(" ");
  expect(checkSshPublicKey(`ssh-rsa ${ed[1]}`)).toMatch(/holds a "ssh-ed25519" key/);
  const blob = Buffer.from(ed[1], "base64");
  expect(checkSshPublicKey(`ssh-ed25519 ${blob.subarray(0, blob.length - 4).toString("base64")}`)).toMatch(
    /not an SSH key blob|not 32 bytes/,
  );
  const extra = Buffer.concat([blob, Buffer.from([0, 0, 0, 1, 65])]);
  expect(checkSshPublicKey(`ssh-ed25519 ${extra.toString("base64")}`)).toMatch(/not 32 bytes/);
  expect(sshStrings(blob)?.map((b) => b.length)).toEqual([11, 32]);
});

test("the host key built from a seed is one OpenSSH reads, and the same seed gives the same key", () => {
  const k = ed25519HostKey(Buffer.alloc(32, 5), "host");
  const file = path.join(dir, "host");
  fs.writeFileSync(file, k.privateOpenssh, { mode: 0o600 });
  expect(execFileSync("ssh-keygen", ["-y", "-f", file], { encoding: "utf8" }).trim()).toBe(k.publicOpenssh);
  expect(ed25519HostKey(Buffer.alloc(32, 5), "host")).toEqual(k);
  expect(ed25519HostKey(Buffer.alloc(32, 6), "host").publicOpenssh).not.toBe(k.publicOpenssh);
  expect(checkSshPrivateKey(k.privateOpenssh)).toBeUndefined();
  expect(() => ed25519HostKey(Buffer.alloc(16))).toThrow(/32 bytes/);
});

test("the pinned ssh options name one known-hosts line and accept nothing else", () => {
  const k = ed25519HostKey(Buffer.alloc(32, 5), "host");
  const opts = pinnedSshOptions("198.51.100.20", k.publicOpenssh);
  expect(opts).toContain("StrictHostKeyChecking=yes");
  expect(opts).toContain("UserKnownHostsFile=/dev/null");
  expect(opts).toContain(`KnownHostsCommand=/bin/echo 198.51.100.20 ${k.publicOpenssh.split(" ").slice(0, 2).join(" ")}`);
  expect(() => pinnedSshOptions("198.51.100.20; rm -rf /", k.publicOpenssh)).toThrow(/not "<address> ssh-ed25519/);
  // ssh reads the options as the Docker provider passes them (ssh -G prints the effective config).
  const effective = execFileSync("ssh", ["-G", ...opts, "198.51.100.20"], { encoding: "utf8" });
  expect(effective).toMatch(/^stricthostkeychecking true$/m);
  expect(effective).toMatch(/^knownhostscommand \/bin\/echo 198\.51\.100\.20 ssh-ed25519 /m);
  expect(effective).toMatch(/^hostkeyalgorithms ssh-ed25519$/m);
});
