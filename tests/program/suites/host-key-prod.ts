// Issue 21, SSH host keys verified: in the prod graph under mocks, both SSH clients pin the key the
// host is given at boot. The remote commands carry it as their connection's hostKey, the Docker
// provider's ssh options accept only it, and the instance's user data (a secret, since it holds
// the private half) installs exactly that key and no other.
import * as yaml from "js-yaml";
import type { ProgramRun } from "../../../harness/mock-program";

/** Registers these tests on a run of the scenario, made once by the calling test file. */
export function hostKeyProdSuite(scenario: () => ProgramRun): void {
  let prog: ProgramRun;
  beforeAll(() => {
    prog = scenario();
  });

  function pinnedKey(): string {
    const userData = prog.one("aws:ec2/instance:Instance", "host-instance").inputs.userData as string;
    const cfg = yaml.load(userData) as { ssh_keys: { ed25519_public: string } };
    return cfg.ssh_keys.ed25519_public.split(" ").slice(0, 2).join(" ");
  }

  test("the user data installs one ed25519 host key and is a secret", () => {
    const instance = prog.one("aws:ec2/instance:Instance", "host-instance");
    expect(instance.secretPaths).toContain("userData");
    expect(pinnedKey()).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[A-Za-z0-9+/=]{40,}$/);
    expect(prog.byType("random:index/randomBytes:RandomBytes").map((r) => [r.name, r.inputs.length])).toEqual([["host-host-key-seed", 32]]);
  });

  test("every remote command's connection pins that key", () => {
    const commands = prog.byType("command:remote:Command");
    expect(commands.length).toBeGreaterThan(0);
    for (const c of commands) {
      const connection = c.inputs.connection as { hostKey?: string };
      expect({ command: c.name, hostKey: connection.hostKey }).toEqual({ command: c.name, hostKey: pinnedKey() });
    }
  });

  test("Docker over SSH accepts only that key for the Elastic IP", () => {
    const provider = prog.one("pulumi:providers:docker", "host-docker");
    const opts = JSON.parse(String(provider.inputs.sshOpts)) as string[];
    const settings = Object.fromEntries(opts.filter((_, i) => i % 2 === 1).map((o) => o.split(/=(.*)/s).slice(0, 2)));
    expect(settings).toEqual({
      StrictHostKeyChecking: "yes",
      UserKnownHostsFile: "/dev/null",
      GlobalKnownHostsFile: "/dev/null",
      KnownHostsCommand: `/bin/echo 198.51.100.20 ${pinnedKey()}`,
      HostKeyAlgorithms: "ssh-ed25519",
      ServerAliveInterval: "30",
    });
    expect(opts.filter((_, i) => i % 2 === 0).every((o) => o === "-o")).toBe(true);
    expect(provider.inputs.host).toBe("ssh://ec2-user@198.51.100.20");
  });
}
