// cloud-init for the EC2 host and the readiness command.
import * as yaml from "js-yaml";
import { WAIT_FOR_DOCKER, renderCloudConfig } from "../../configs/cloud-init";
import { LOG_ROTATION } from "../../configs/docker";
import { ed25519HostKey } from "../../configs/ssh-keys";

test("installs Docker with log rotation, starts it and lets the SSH user use it", () => {
  const text = renderCloudConfig("ec2-user");
  expect(text.split("\n")[0]).toBe("#cloud-config");
  const cfg = yaml.load(text) as {
    packages: string[];
    runcmd: string[][];
    write_files: { path: string; content: string; permissions: string }[];
  };
  expect(cfg.packages).toEqual(["docker"]);
  expect(cfg.runcmd).toEqual([
    ["systemctl", "enable", "--now", "docker"],
    ["systemctl", "daemon-reload"],
    ["systemctl", "enable", "--now", "observability-metadata-firewall.service"],
    ["systemctl", "enable", "--now", "observability-metadata-firewall-watch.service"],
    ["usermod", "-aG", "docker", "ec2-user"],
  ]);
  const daemon = cfg.write_files.find((f) => f.path === "/etc/docker/daemon.json");
  expect(daemon?.permissions).toBe("0644");
  // The daemon's default rotation is the one every container of the stack gets.
  expect(JSON.parse(daemon?.content ?? "{}")).toEqual({
    "log-driver": "json-file",
    "log-opts": LOG_ROTATION,
    // Containers keep running across a daemon restart; no setuid escalation; no traffic between
    // containers on the default bridge (the stack network keeps its own setting).
    "live-restore": true,
    "no-new-privileges": true,
    icc: false,
    // Container cgroups as systemd units: each container runs in its task-limiting slice.
    "exec-opts": ["native.cgroupdriver=systemd"],
  });
});

test("writes no container slice: the host component installs those over SSH, on existing hosts too", () => {
  const cfg = yaml.load(renderCloudConfig("ec2-user")) as { write_files: { path: string }[] };
  expect(cfg.write_files.filter((f) => f.path.endsWith(".slice"))).toEqual([]);
  // EC2 refuses user data over 16 KB (before base64), host key included.
  expect(Buffer.byteLength(renderCloudConfig("ec2-user", undefined, ed25519HostKey(Buffer.alloc(32, 1))))).toBeLessThan(16 * 1024);
});

test("with a host key, sshd gets that ed25519 key and no other (cloud-init's ssh module)", () => {
  const key = ed25519HostKey(Buffer.alloc(32, 1));
  const cfg = yaml.load(renderCloudConfig("ec2-user", undefined, key)) as Record<string, unknown>;
  expect(cfg.ssh_deletekeys).toBe(true);
  expect(cfg.ssh_genkeytypes).toEqual([]);
  expect(cfg.ssh_keys).toEqual({ ed25519_private: key.privateOpenssh, ed25519_public: key.publicOpenssh });
  expect(yaml.load(renderCloudConfig("ec2-user"))).not.toHaveProperty("ssh_keys");
});

test("the wait accepts cloud-init's 'done with recoverable errors' and checks Docker with the new group", () => {
  expect(WAIT_FOR_DOCKER).toContain("cloud-init status --wait");
  expect(WAIT_FOR_DOCKER).toContain("test $? -eq 2");
  expect(WAIT_FOR_DOCKER).toContain("sg docker -c 'docker info >/dev/null'");
});
