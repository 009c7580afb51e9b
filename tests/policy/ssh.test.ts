// The SSH host-key policies: remote commands pin the host key, Docker over ssh:// verifies it.
import { dockerSshVerifiesHostKey, remoteCommandsPinHostKey } from "../../policy/ssh";
import { violations } from "../helpers/policy-args";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIBCt215KpDas5Dt4ZLwGVIXApwaumyXtt6mDi+n4DHZ";

describe("remote-commands-pin-host-key", () => {
  test("a connection with the host's key passes", () => {
    expect(violations(remoteCommandsPinHostKey, "command:remote:Command", { connection: { host: "198.51.100.20", hostKey: KEY } })).toEqual(
      [],
    );
  });
  test("a connection without one is reported", () => {
    expect(violations(remoteCommandsPinHostKey, "command:remote:Command", { connection: { host: "198.51.100.20" } })).toEqual([
      expect.stringContaining("hostKey is unset"),
    ]);
    expect(violations(remoteCommandsPinHostKey, "command:remote:Command", { connection: { host: "h", hostKey: "" } })).toHaveLength(1);
  });
});

describe("docker-ssh-verifies-host-key", () => {
  const pinned = [
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    `KnownHostsCommand=/bin/echo 198.51.100.20 ${KEY}`,
  ];
  test("pinned options pass, as a list or as the provider's JSON text; a local socket is not checked", () => {
    expect(
      violations(dockerSshVerifiesHostKey, "pulumi:providers:docker", { host: "ssh://ec2-user@198.51.100.20", sshOpts: pinned }),
    ).toEqual([]);
    expect(
      violations(dockerSshVerifiesHostKey, "pulumi:providers:docker", {
        host: "ssh://ec2-user@198.51.100.20",
        sshOpts: JSON.stringify(pinned),
      }),
    ).toEqual([]);
    expect(violations(dockerSshVerifiesHostKey, "pulumi:providers:docker", { host: "unix:///var/run/docker.sock" })).toEqual([]);
  });
  test("trust on first use, no strictness, or no key source is reported", () => {
    expect(
      violations(dockerSshVerifiesHostKey, "pulumi:providers:docker", {
        host: "ssh://u@h",
        sshOpts: ["-o", "StrictHostKeyChecking=accept-new", "-o", "ServerAliveInterval=30"],
      }),
    ).toEqual([expect.stringContaining("StrictHostKeyChecking to accept-new"), expect.stringContaining("no known-hosts source")]);
    expect(violations(dockerSshVerifiesHostKey, "pulumi:providers:docker", { host: "ssh://u@h" })).toHaveLength(2);
    expect(
      violations(dockerSshVerifiesHostKey, "pulumi:providers:docker", {
        host: "ssh://u@h",
        sshOpts: ["-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=/dev/null"],
      }),
    ).toEqual([expect.stringContaining("no known-hosts source")]);
  });
});
