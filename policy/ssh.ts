// SSH to the ec2 host verifies the host's key (issue 21): the remote commands carry the expected
// key (connection.hostKey; without it @pulumi/command accepts any key), and a Docker provider that
// reaches its daemon over ssh:// refuses unknown keys instead of trusting the first one it sees.
import { ResourcePolicy } from "./types";

const REMOTE_COMMAND = "command:remote:Command";
const DOCKER_PROVIDER = "pulumi:providers:docker";

/** Provider inputs reach policies as their JSON text; resource inputs as values. */
function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === "string") {
    try {
      const parsed: unknown = JSON.parse(v);
      return Array.isArray(parsed) ? parsed.map(String) : [v];
    } catch {
      return [v];
    }
  }
  return [];
}

export const remoteCommandsPinHostKey: ResourcePolicy = {
  name: "remote-commands-pin-host-key",
  description: "Every remote command's SSH connection names the host key it expects (connection.hostKey).",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== REMOTE_COMMAND) return;
    const connection = args.props.connection as Record<string, unknown> | undefined;
    // The provider holds the connection as a secret; where the engine shows no object, nothing to read.
    if (typeof connection !== "object" || connection === null) return;
    const key = connection.hostKey;
    if (typeof key !== "string" || !/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+/.test(key)) {
      report(
        `${args.name}: connection.hostKey is ${key === undefined ? "unset" : JSON.stringify(key)}, so any key the host answers with is accepted; pin the host's public key.`,
      );
    }
  },
};

export const dockerSshVerifiesHostKey: ResourcePolicy = {
  name: "docker-ssh-verifies-host-key",
  description: "A Docker provider on ssh:// runs ssh with StrictHostKeyChecking=yes and a known-hosts source (no trust on first use).",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== DOCKER_PROVIDER || !String(args.props.host ?? "").startsWith("ssh://")) return;
    const opts = list(args.props.sshOpts);
    const values = (name: string) =>
      opts.filter((o) => o.toLowerCase().startsWith(`${name.toLowerCase()}=`)).map((o) => o.slice(name.length + 1));
    const strict = values("StrictHostKeyChecking");
    if (strict.length === 0 || strict.some((v) => v.toLowerCase() !== "yes")) {
      report(
        `${args.name}: sshOpts set StrictHostKeyChecking to ${strict.length === 0 ? "nothing (ssh asks, or accepts new keys)" : strict.join(", ")}; use -o StrictHostKeyChecking=yes with the host's key pinned.`,
      );
    }
    const source = values("KnownHostsCommand").length > 0 || values("UserKnownHostsFile").some((f) => f !== "/dev/null");
    if (!source)
      report(
        `${args.name}: sshOpts name no known-hosts source for the host's key (KnownHostsCommand or a UserKnownHostsFile); pin the key.`,
      );
  },
};

export const SSH_POLICIES = [remoteCommandsPinHostKey, dockerSshVerifiesHostKey];
