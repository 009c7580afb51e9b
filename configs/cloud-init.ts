// cloud-init for the EC2 host: install Docker, rotate its logs, start it, let the SSH user
// use it; and the command that waits for all of that before any container is created.
import * as yaml from "js-yaml";
import { ROLE_ADDRESSES, ROLE_CONTAINERS, STACK_BRIDGE } from "../catalog/stack-network";
import { MetadataFirewallInput, hardeningRuncmd, hardeningWriteFiles } from "./host-hardening";
import { HostKey } from "./ssh-keys";

/**
 * Only the containers that may use the instance role reach it: by their fixed addresses on the
 * stack bridge and their addresses on any other network they join, each on its own bridge.
 */
export const DEFAULT_METADATA_FIREWALL: MetadataFirewallInput = {
  bridge: STACK_BRIDGE,
  allowedAddresses: Object.values(ROLE_ADDRESSES),
  containers: Object.values(ROLE_CONTAINERS),
};

/**
 * cloud-init user data for Amazon Linux 2023. With `hostKey`, sshd gets that ed25519 host key
 * and no other (cloud-init's ssh module: ssh_deletekeys removes the image's keys, ssh_keys writes
 * this one, an empty ssh_genkeytypes generates none besides it), so the program can pin it for
 * the remote commands and Docker over SSH. The user data then holds a private key: the caller
 * passes it as a secret.
 */
export function renderCloudConfig(sshUser: string, firewall: MetadataFirewallInput = DEFAULT_METADATA_FIREWALL, hostKey?: HostKey): string {
  const config = {
    ...(hostKey
      ? {
          ssh_deletekeys: true,
          ssh_genkeytypes: [],
          ssh_keys: { ed25519_private: hostKey.privateOpenssh, ed25519_public: hostKey.publicOpenssh },
        }
      : {}),
    packages: ["docker"],
    // write_files runs before packages are installed; the AL2023 docker package ships no
    // daemon.json, so this one (with the hardening) is in place when Docker first starts, and so
    // is the metadata firewall unit.
    write_files: hardeningWriteFiles(firewall),
    // runcmd runs after the packages module, so the docker group exists by then.
    runcmd: [["systemctl", "enable", "--now", "docker"], ...hardeningRuncmd(), ["usermod", "-aG", "docker", sshUser]],
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
export const WAIT_FOR_DOCKER = "{ cloud-init status --wait >/dev/null || test $? -eq 2; } && sg docker -c 'docker info >/dev/null'";
