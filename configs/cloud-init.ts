// cloud-init for the EC2 host: install Docker, rotate its logs, start it, let the SSH user
// use it; and the command that waits for all of that before any container is created.
import * as yaml from "js-yaml";
import { DOCKER_DAEMON_CONFIG } from "./docker";

/** cloud-init user data for Amazon Linux 2023. */
export function renderCloudConfig(sshUser: string): string {
  const config = {
    packages: ["docker"],
    // write_files runs before packages are installed; the AL2023 docker package ships no
    // daemon.json, so this one is in place when Docker first starts.
    write_files: [
      {
        path: "/etc/docker/daemon.json",
        owner: "root:root",
        permissions: "0644",
        content: JSON.stringify(DOCKER_DAEMON_CONFIG, null, 2) + "\n",
      },
    ],
    // runcmd runs after the packages module, so the docker group exists by then.
    runcmd: [
      ["systemctl", "enable", "--now", "docker"],
      ["usermod", "-aG", "docker", sshUser],
    ],
  };
  return "#cloud-config\n" + yaml.dump(config, { lineWidth: -1 });
}

/**
 * Waits until cloud-init is done and Docker answers for the SSH user. `cloud-init status --wait`
 * exits 2 for "done with recoverable errors" (deprecation warnings on newer releases): that is
 * still done, and `docker info` decides. This SSH session began before cloud-init added the user
 * to the docker group, so its group list is stale: `sg docker` runs docker info with the group the
 * Docker provider's own (new) sessions will have.
 */
export const WAIT_FOR_DOCKER =
  "{ cloud-init status --wait >/dev/null || test $? -eq 2; } && sg docker -c 'docker info >/dev/null'";
