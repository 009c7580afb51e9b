// Hardening of the ec2 host's Docker daemon and of the instance metadata service, as plain
// cloud-init pieces (files and commands) the host component adds to its user data. Pure: no
// Pulumi here.
//
// Docker daemon (daemon.json):
//   - live-restore: containers keep running while dockerd restarts (package updates).
//   - no-new-privileges: no process in any container gains privileges through setuid/setcap
//     binaries, even in containers this program did not start.
//   - icc false: applies to Docker's default bridge (docker0) only. User-defined bridges, such
//     as the stack's `observability` network, have their own switch
//     (com.docker.network.bridge.enable_icc, default true), which the stack leaves on: its
//     containers talk to each other by name. (docs.docker.com, engine/network/drivers/bridge.)
//     So icc=false cannot break the stack; it isolates anything started by hand with a plain
//     `docker run`.
//   - exec-opts native.cgroupdriver=systemd: container cgroups are systemd units, so each
//     container can run in the slice that limits its tasks (below).
//
// Task limits: one systemd slice per container with TasksMax (configs/container-slices.ts). Not
// written here: cloud-init runs once per instance, so an existing host would never get them and a
// changed limit would never arrive. The host component installs them over SSH instead, on every
// host and whenever they change, before any container is created.
//
// Instance metadata (IMDSv2, hop limit 2): a container one hop away can fetch the instance
// role's credentials. Only the containers that use the role may: a chain jumped to from
// DOCKER-USER (the chain Docker leaves to the administrator, consulted first for forwarded
// traffic) returns for their addresses and rejects every other forwarded packet to
// 169.254.169.254. The host's own processes (cloud-init, the SSM agent) do not cross FORWARD and
// keep their access.
//
// The rule matches a role container on whichever network the packet leaves it, not only on the
// stack's bridge (issue 21): Prometheus also joins the `networks` setting's networks, and Docker
// gives a container its default route through one network only, chosen by its own order (moby
// libnetwork's sandbox endpoint order: gateway priority, then network name), so with
// `networks: [app_default]` its packets to the metadata service leave through app_default's
// bridge with its address there. The chain therefore admits each (bridge, address) pair a role
// container holds: its fixed address on the stack bridge, and every address `docker inspect`
// reports on the other networks it joined, each on that network's own bridge (so a container
// elsewhere that forges a role address arrives on the wrong interface and is still refused).
// The rules are rebuilt in a new chain that replaces the old one in one step, so no moment leaves
// the metadata service open; a systemd unit rebuilds them after every start of docker.service,
// and a second one (the script's --watch mode) rebuilds them whenever a role container starts
// or stops, when its addresses on those networks are handed out or given back.
import { DOCKER_DAEMON_CONFIG } from "./docker";
import { IPV4_PATTERN } from "./patterns";

export const INSTANCE_METADATA_ADDRESS = "169.254.169.254";
export const METADATA_CHAIN = "OBS-METADATA";
export const METADATA_SCRIPT_PATH = "/usr/local/sbin/observability-metadata-firewall";
export const METADATA_UNIT_NAME = "observability-metadata-firewall.service";
export const METADATA_UNIT_PATH = `/etc/systemd/system/${METADATA_UNIT_NAME}`;
export const METADATA_WATCH_UNIT_NAME = "observability-metadata-firewall-watch.service";
export const METADATA_WATCH_UNIT_PATH = `/etc/systemd/system/${METADATA_WATCH_UNIT_NAME}`;

export { DOCKER_DAEMON_CONFIG };

export interface MetadataFirewallInput {
  /** Linux name of the stack network's bridge (com.docker.network.bridge.name). */
  readonly bridge: string;
  /** Fixed IPv4 addresses on that bridge of the containers that use the instance role. */
  readonly allowedAddresses: readonly string[];
  /** Names of those containers: their addresses on every other network they join count too. */
  readonly containers: readonly string[];
}

function checkInput(input: MetadataFirewallInput): void {
  // Linux interface names: at most 15 characters, no slash or whitespace.
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,14}$/.test(input.bridge)) {
    throw new Error(
      `metadata firewall: bridge ${JSON.stringify(input.bridge)} is not a Linux interface name (1-15 letters, digits, "_", ".", "-")`,
    );
  }
  for (const c of input.containers) {
    // Docker's container names; the script puts them in a shell word list unquoted.
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/.test(c)) throw new Error(`metadata firewall: ${JSON.stringify(c)} is not a container name`);
  }
  for (const a of input.allowedAddresses) {
    if (!IPV4_PATTERN.test(a)) throw new Error(`metadata firewall: ${JSON.stringify(a)} is not an IPv4 address`);
  }
}

/**
 * The script the units run. Idempotent: it builds the rule set in a fresh chain, points the single
 * DOCKER-USER jump at it, then drops the old chain, whatever state an earlier run or a daemon
 * restart left behind. With --watch it stays running and rebuilds on every start or stop of a
 * role container.
 */
export function renderMetadataFirewallScript(input: MetadataFirewallInput): string {
  checkInput(input);
  const md = `${INSTANCE_METADATA_ADDRESS}/32`;
  const next = `${METADATA_CHAIN}-NEXT`;
  const fixed = input.allowedAddresses.map((a) => `iptables -w -A ${next} -i ${input.bridge} -s ${a}/32 -j RETURN`);
  const names = input.containers.join(" ");
  const filters = input.containers.map((c) => `--filter container=${c}`).join(" ");
  return [
    "#!/bin/sh",
    "# Generated by observability-stack (configs/host-hardening.ts): only the containers that use",
    "# the instance role may reach the instance metadata service, on whichever network they send.",
    "set -eu",
    'if [ "${1:-}" = "--watch" ]; then',
    `  docker events --filter type=container --filter event=start --filter event=die ${filters} --format '{{.Actor.Attributes.name}}' |`,
    '    while read -r _; do "$0"; done',
    "  exit 1",
    "fi",
    `iptables -w -N ${next} 2>/dev/null || iptables -w -F ${next}`,
    "# Their fixed addresses on the stack bridge.",
    ...fixed,
    "# Their addresses on every other network they joined (the default route may be one of those),",
    "# each on its network's bridge: the bridge.name option, or Docker's br-<first 12 of the id>.",
    `fixed="${input.allowedAddresses.map((a) => `${input.bridge}/${a}`).join(" ")}"`,
    `for name in ${names}; do`,
    `  docker inspect --format '{{range .NetworkSettings.Networks}}{{.NetworkID}} {{.IPAddress}}{{println}}{{end}}' "$name" 2>/dev/null |`,
    "    while read -r network address; do",
    `      case "$address" in *.*.*.*) ;; *) continue ;; esac`,
    `      bridge=$(docker network inspect --format '{{index .Options "com.docker.network.bridge.name"}}' "$network" 2>/dev/null || true)`,
    `      [ -n "$bridge" ] || bridge="br-$(printf %.12s "$network")"`,
    `      case " $fixed " in *" $bridge/$address "*) continue ;; esac`,
    `      iptables -w -A ${next} -i "$bridge" -s "$address/32" -j RETURN`,
    "    done",
    "done",
    "# A reset instead of a silent drop: SDKs probing for credentials fail at once instead of timing out.",
    `iptables -w -A ${next} -p tcp -j REJECT --reject-with tcp-reset`,
    `iptables -w -A ${next} -j DROP`,
    `iptables -w -I DOCKER-USER 1 -d ${md} -j ${next}`,
    `while iptables -w -D DOCKER-USER -d ${md} -j ${METADATA_CHAIN} 2>/dev/null; do :; done`,
    `iptables -w -F ${METADATA_CHAIN} 2>/dev/null || true`,
    `iptables -w -X ${METADATA_CHAIN} 2>/dev/null || true`,
    `iptables -w -E ${next} ${METADATA_CHAIN}`,
    "",
  ].join("\n");
}

/** The unit: after docker.service (which creates DOCKER-USER), again on every docker start. */
export function renderMetadataFirewallUnit(): string {
  return [
    "[Unit]",
    "Description=Observability stack: only role-using containers reach the instance metadata service",
    "After=docker.service",
    "Requires=docker.service",
    "PartOf=docker.service",
    "",
    "[Service]",
    "Type=oneshot",
    "RemainAfterExit=yes",
    `ExecStart=${METADATA_SCRIPT_PATH}`,
    "",
    "[Install]",
    "WantedBy=docker.service multi-user.target",
    "",
  ].join("\n");
}

export interface CloudInitFile {
  readonly path: string;
  readonly owner: string;
  readonly permissions: string;
  readonly content: string;
}

/** The watcher: rebuilds the rules whenever a role container starts or stops. */
export function renderMetadataWatchUnit(): string {
  return [
    "[Unit]",
    "Description=Observability stack: rebuild the metadata firewall when a role-using container starts or stops",
    `After=docker.service ${METADATA_UNIT_NAME}`,
    "Requires=docker.service",
    "PartOf=docker.service",
    "",
    "[Service]",
    `ExecStart=${METADATA_SCRIPT_PATH} --watch`,
    "Restart=always",
    "RestartSec=2",
    "",
    "[Install]",
    "WantedBy=docker.service multi-user.target",
    "",
  ].join("\n");
}

/** write_files entries: daemon.json, the firewall script and its units. */
export function hardeningWriteFiles(input: MetadataFirewallInput): CloudInitFile[] {
  return [
    {
      path: "/etc/docker/daemon.json",
      owner: "root:root",
      permissions: "0644",
      content: JSON.stringify(DOCKER_DAEMON_CONFIG, null, 2) + "\n",
    },
    { path: METADATA_SCRIPT_PATH, owner: "root:root", permissions: "0755", content: renderMetadataFirewallScript(input) },
    { path: METADATA_UNIT_PATH, owner: "root:root", permissions: "0644", content: renderMetadataFirewallUnit() },
    { path: METADATA_WATCH_UNIT_PATH, owner: "root:root", permissions: "0644", content: renderMetadataWatchUnit() },
  ];
}

/** runcmd entries, after Docker is enabled and started. */
export function hardeningRuncmd(): string[][] {
  return [
    ["systemctl", "daemon-reload"],
    ["systemctl", "enable", "--now", METADATA_UNIT_NAME],
    ["systemctl", "enable", "--now", METADATA_WATCH_UNIT_NAME],
  ];
}
