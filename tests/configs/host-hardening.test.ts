// configs/host-hardening.ts: the Docker daemon settings, and the metadata firewall the ec2 host
// installs. The script is checked by shellcheck and run against a stand-in `iptables` that
// keeps the rule set in a file and a stand-in `docker inspect` that reports each container's
// addresses, twice, to show it converges to the same single set of rules; the resulting rules
// are then evaluated for packets as the kernel would walk them (issue 21: the rule must hold
// whatever network carries a role container's default route).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  DOCKER_DAEMON_CONFIG,
  METADATA_CHAIN,
  METADATA_SCRIPT_PATH,
  MetadataFirewallInput,
  METADATA_UNIT_NAME,
  METADATA_WATCH_UNIT_NAME,
  hardeningRuncmd,
  hardeningWriteFiles,
  renderMetadataFirewallScript,
  renderMetadataFirewallUnit,
  renderMetadataWatchUnit,
} from "../../configs/host-hardening";
import { ROLE_ADDRESSES, ROLE_CONTAINERS, STACK_DYNAMIC_RANGE, STACK_SUBNET } from "../../catalog/stack-network";
import { DEFAULT_METADATA_FIREWALL } from "../../configs/cloud-init";
import { tempDir, TOOLS_BIN } from "../helpers/tools";

const INPUT = { bridge: "obs0", allowedAddresses: ["172.30.53.10", "172.30.53.13"], containers: ["loki", "prometheus"] };
/** Docker's id of the stack network (bridge option obs0) and of an application network (no option). */
const STACK_NET = "5ac0ffee0000111122223333444455556666777788889999aaaabbbbccccdddd";
const APP_NET = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/**
 * A stand-in for iptables(8) with the semantics the script relies on: -N fails on an existing
 * chain, -D fails when the rule is absent, -I 1 inserts at the top, -F empties a chain, -X
 * deletes an empty chain, -E renames a chain (and the jumps to it, which follow the chain).
 */
const FAKE_IPTABLES = `#!/bin/sh
state="$FAKE_IPTABLES_STATE"
[ "$1" = "-w" ] && shift
op="$1"; shift
case "$op" in
  -N) grep -qx "chain $1" "$state" 2>/dev/null && exit 1; echo "chain $1" >> "$state" ;;
  -F) grep -qx "chain $1" "$state" || exit 1; grep -v "^rule $1 " "$state" > "$state.tmp"; mv "$state.tmp" "$state" ;;
  -X) grep -qx "chain $1" "$state" || exit 1; grep -q "^rule $1 " "$state" && exit 1; grep -vx "chain $1" "$state" > "$state.tmp"; mv "$state.tmp" "$state" ;;
  -E) grep -qx "chain $1" "$state" || exit 1; sed -e "s/^chain $1\\$/chain $2/" -e "s/^rule $1 /rule $2 /" -e "s/ -j $1\\$/ -j $2/" "$state" > "$state.tmp"; mv "$state.tmp" "$state" ;;
  -A) grep -qx "chain $1" "$state" || exit 1; echo "rule $*" >> "$state" ;;
  -I) chain="$1"; shift 2; { grep -v "^rule " "$state"; echo "rule $chain $*"; grep "^rule " "$state"; } > "$state.tmp"; mv "$state.tmp" "$state" ;;
  -D) line="rule $*"; grep -qxF "$line" "$state" || exit 1; awk -v l="$line" 'done || $0 != l { print; next } { done = 1 }' "$state" > "$state.tmp"; mv "$state.tmp" "$state" ;;
  *) echo "unexpected $op" >&2; exit 2 ;;
esac
`;

/**
 * A stand-in for the two Docker calls the script makes:
 * \`docker inspect --format '{{range .NetworkSettings.Networks}}{{.NetworkID}} {{.IPAddress}}{{println}}{{end}}' NAME\`
 * prints the "network-id address" lines in $FAKE_DOCKER/containers/NAME (or fails like Docker for a
 * missing container), and \`docker network inspect --format '{{index .Options "com.docker.network.bridge.name"}}' ID\`
 * prints $FAKE_DOCKER/networks/ID (the bridge.name option; empty when the network has none).
 */
const FAKE_DOCKER = `#!/bin/sh
if [ "$1" = "inspect" ]; then
  [ -f "$FAKE_DOCKER/containers/$4" ] || { echo "Error: No such object: $4" >&2; exit 1; }
  cat "$FAKE_DOCKER/containers/$4"
elif [ "$1 $2" = "network inspect" ]; then
  [ -f "$FAKE_DOCKER/networks/$5" ] || { echo "Error: No such network: $5" >&2; exit 1; }
  cat "$FAKE_DOCKER/networks/$5"
else
  echo "unexpected $*" >&2; exit 2
fi
`;

function setUp(
  name: string,
  containers: Record<string, [network: string, address: string][]>,
  networks: Record<string, string> = { [STACK_NET]: "obs0", [APP_NET]: "" },
): string {
  const dir = tempDir(name);
  for (const d of ["bin", "docker/containers", "docker/networks"]) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.writeFileSync(path.join(dir, "bin", "iptables"), FAKE_IPTABLES, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, "bin", "docker"), FAKE_DOCKER, { mode: 0o755 });
  for (const [c, list] of Object.entries(containers))
    fs.writeFileSync(path.join(dir, "docker/containers", c), list.map((l) => `${l.join(" ")}\n`).join(""));
  for (const [id, bridge] of Object.entries(networks)) fs.writeFileSync(path.join(dir, "docker/networks", id), `${bridge}\n`);
  // Docker's own chain exists with an unrelated rule the script must keep.
  fs.writeFileSync(path.join(dir, "state"), "chain DOCKER-USER\nrule DOCKER-USER -j RETURN\n");
  return dir;
}

function runScript(
  dir: string,
  input: MetadataFirewallInput = INPUT,
): { status: number | null; stderr: string; rules: string[]; chains: string[] } {
  const script = path.join(dir, "firewall.sh");
  fs.writeFileSync(script, renderMetadataFirewallScript(input), { mode: 0o755 });
  const r = spawnSync("/bin/sh", [script], {
    encoding: "utf8",
    env: { PATH: `${dir}/bin:/usr/bin:/bin`, FAKE_IPTABLES_STATE: path.join(dir, "state"), FAKE_DOCKER: path.join(dir, "docker") },
  });
  const lines = fs.readFileSync(path.join(dir, "state"), "utf8").trim().split("\n");
  return {
    status: r.status,
    stderr: r.stderr,
    rules: lines.filter((l) => l.startsWith("rule ")),
    chains: lines.filter((l) => l.startsWith("chain ")),
  };
}

interface Packet {
  /** Bridge the packet arrives on (the network carrying the container's default route). */
  readonly in: string;
  readonly src: string;
  readonly dst: string;
  readonly proto: "tcp" | "udp";
}

/**
 * Walks the FORWARD path's DOCKER-USER chain for one packet, as netfilter does: rules in order,
 * a jump evaluates the target chain, RETURN (or its end) resumes after the jump, REJECT and DROP
 * end the walk. "continue" means the packet leaves DOCKER-USER to Docker's own rules (allowed).
 */
function verdict(rules: readonly string[], p: Packet, chain = "DOCKER-USER"): "continue" | "REJECT" | "DROP" {
  for (const line of rules.filter((l) => l.startsWith(`rule ${chain} `))) {
    const args = line.split(" ").slice(2);
    const opt = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
    const addr = (v: string | undefined) => v?.replace(/\/32$/, "");
    if (opt("-d") !== undefined && addr(opt("-d")) !== p.dst) continue;
    if (opt("-s") !== undefined && addr(opt("-s")) !== p.src) continue;
    if (opt("-i") !== undefined && opt("-i") !== p.in) continue;
    if (opt("-p") !== undefined && opt("-p") !== p.proto) continue;
    const target = opt("-j");
    if (target === "RETURN") return "continue";
    if (target === "REJECT" || target === "DROP") return target;
    if (target !== undefined && rules.some((l) => l.startsWith(`rule ${target} `))) {
      const inner = verdict(rules, p, target);
      if (inner !== "continue") return inner;
    }
  }
  return "continue";
}

/**
 * Docker's choice of the network that carries a container's default route (moby libnetwork,
 * sandbox endpoint order: internal networks never, then gateway priority, then network name,
 * lowest first). A stand-in for the daemon, which cannot run here; the order is the one the
 * issue reports and libnetwork's sandbox.go implements.
 */
function gatewayNetwork(networks: readonly { name: string; internal?: boolean }[]): string {
  return networks
    .filter((n) => !n.internal)
    .map((n) => n.name)
    .sort()[0];
}

describe("Docker daemon settings", () => {
  test("live-restore, no-new-privileges and icc off, with the log rotation kept", () => {
    expect(DOCKER_DAEMON_CONFIG).toMatchObject({ "live-restore": true, "no-new-privileges": true, icc: false });
    expect(DOCKER_DAEMON_CONFIG["log-opts"]).toEqual({ "max-size": "10m", "max-file": "3" });
    const daemon = hardeningWriteFiles(INPUT).find((f) => f.path === "/etc/docker/daemon.json")!;
    expect(JSON.parse(daemon.content)).toEqual(DOCKER_DAEMON_CONFIG);
  });

  test("the systemd cgroup driver, so a container's cgroup parent is a slice unit with its TasksMax (new hosts; the slice installer checks the driver on every host)", () => {
    const daemon = hardeningWriteFiles(INPUT).find((f) => f.path === "/etc/docker/daemon.json")!;
    expect(JSON.parse(daemon.content)["exec-opts"]).toEqual(["native.cgroupdriver=systemd"]);
  });
});

describe("metadata firewall", () => {
  test("passes shellcheck", () => {
    const dir = tempDir("mdfw-sc");
    const file = path.join(dir, "firewall.sh");
    fs.writeFileSync(file, renderMetadataFirewallScript(INPUT));
    const r = spawnSync(path.join(TOOLS_BIN, "shellcheck"), ["-s", "sh", file], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  test("admits the role containers by every (bridge, address) they hold, rejects the rest, and converges when run again", () => {
    const dir = setUp("mdfw", {
      loki: [[STACK_NET, "172.30.53.10"]],
      prometheus: [
        [STACK_NET, "172.30.53.13"],
        [APP_NET, "10.0.5.3"],
      ],
    });
    const expected = [
      `rule DOCKER-USER -d 169.254.169.254/32 -j ${METADATA_CHAIN}`,
      "rule DOCKER-USER -j RETURN",
      `rule ${METADATA_CHAIN} -i obs0 -s 172.30.53.10/32 -j RETURN`,
      `rule ${METADATA_CHAIN} -i obs0 -s 172.30.53.13/32 -j RETURN`,
      `rule ${METADATA_CHAIN} -i br-0123456789ab -s 10.0.5.3/32 -j RETURN`,
      `rule ${METADATA_CHAIN} -p tcp -j REJECT --reject-with tcp-reset`,
      `rule ${METADATA_CHAIN} -j DROP`,
    ];
    const first = runScript(dir);
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(first.rules).toEqual(expected);
    expect(first.chains).toEqual(["chain DOCKER-USER", `chain ${METADATA_CHAIN}`]);
    const second = runScript(dir);
    expect(second.status).toBe(0);
    expect(second.rules).toEqual(expected);
    expect(second.chains).toEqual(first.chains);
  });

  test("a role container that is not running (or a restore that never ran) leaves only its fixed address", () => {
    const dir = setUp("mdfw-absent", { loki: [[STACK_NET, "172.30.53.10"]] });
    const r = runScript(dir);
    expect(r.status).toBe(0);
    expect(r.rules.filter((l) => l.includes("-s "))).toEqual([
      `rule ${METADATA_CHAIN} -i obs0 -s 172.30.53.10/32 -j RETURN`,
      `rule ${METADATA_CHAIN} -i obs0 -s 172.30.53.13/32 -j RETURN`,
    ]);
  });

  describe("whatever network carries a role container's default route (Prometheus joining `networks`)", () => {
    // Prometheus on the stack network (observability, bridge obs0), on the application's
    // app_default (Docker's bridge br-<id>, 10.0.5.0/24) and on the Docker API proxy's internal network.
    const API_NET = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
    const prometheusNetworks = [
      { name: "observability", id: STACK_NET, bridge: "obs0", address: "172.30.53.13" },
      { name: "app_default", id: APP_NET, bridge: "br-0123456789ab", address: "10.0.5.3" },
      { name: "observability-docker-api", id: API_NET, bridge: "br-fedcba987654", address: "172.19.0.4", internal: true },
    ];
    const gateway = prometheusNetworks.find((n) => n.name === gatewayNetwork(prometheusNetworks))!;
    const fromPrometheus: Packet = { in: gateway.bridge, src: gateway.address, dst: "169.254.169.254", proto: "tcp" };

    function rendered(): string[] {
      const dir = setUp(
        "mdfw-route",
        { prometheus: prometheusNetworks.map((n) => [n.id, n.address]), loki: [[STACK_NET, "172.30.53.10"]] },
        { [STACK_NET]: "obs0", [APP_NET]: "", [API_NET]: "" },
      );
      const r = runScript(dir, DEFAULT_METADATA_FIREWALL);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      return r.rules;
    }

    test("Docker routes Prometheus's metadata requests through app_default, with its address there", () => {
      expect(gateway.name).toBe("app_default");
    });

    test("today's rule (role addresses on the stack bridge only) would reject them", () => {
      const bridgeOnly = [
        `rule DOCKER-USER -d 169.254.169.254/32 -j ${METADATA_CHAIN}`,
        `rule ${METADATA_CHAIN} -i obs0 -s 172.30.53.13/32 -j RETURN`,
        `rule ${METADATA_CHAIN} -p tcp -j REJECT --reject-with tcp-reset`,
        `rule ${METADATA_CHAIN} -j DROP`,
      ];
      expect(verdict(bridgeOnly, fromPrometheus)).toBe("REJECT");
    });

    test("the rendered rules admit them, and still reject every other container on either network", () => {
      const rules = rendered();
      expect(verdict(rules, fromPrometheus)).toBe("continue");
      // Through the stack bridge, had Docker chosen it (a gateway priority, or another name order).
      expect(verdict(rules, { ...fromPrometheus, in: "obs0", src: "172.30.53.13" })).toBe("continue");
      expect(verdict(rules, { in: "obs0", src: "172.30.53.10", dst: "169.254.169.254", proto: "tcp" })).toBe("continue");
      // An application container on app_default, and a stack container without the role.
      expect(verdict(rules, { in: "br-0123456789ab", src: "10.0.5.7", dst: "169.254.169.254", proto: "tcp" })).toBe("REJECT");
      expect(verdict(rules, { in: "obs0", src: "172.30.53.200", dst: "169.254.169.254", proto: "tcp" })).toBe("REJECT");
      expect(verdict(rules, { in: "br-0123456789ab", src: "10.0.5.7", dst: "169.254.169.254", proto: "udp" })).toBe("DROP");
      // Traffic elsewhere is untouched.
      expect(verdict(rules, { in: "br-0123456789ab", src: "10.0.5.7", dst: "10.0.5.3", proto: "tcp" })).toBe("continue");
    });

    test("an address is admitted only on its own network's bridge: a forged role address elsewhere is refused", () => {
      const rules = rendered();
      expect(verdict(rules, { in: "br-0123456789ab", src: "172.30.53.13", dst: "169.254.169.254", proto: "tcp" })).toBe("REJECT");
      expect(verdict(rules, { in: "obs0", src: "10.0.5.3", dst: "169.254.169.254", proto: "tcp" })).toBe("REJECT");
      expect(verdict(rules, { in: "docker0", src: "172.30.53.10", dst: "169.254.169.254", proto: "tcp" })).toBe("REJECT");
    });

    test("the watcher rebuilds the rules when a role container starts or stops", () => {
      const script = renderMetadataFirewallScript(DEFAULT_METADATA_FIREWALL);
      expect(script).toContain("docker events --filter type=container --filter event=start --filter event=die");
      for (const c of Object.values(ROLE_CONTAINERS)) expect(script).toContain(`--filter container=${c} `);
      const unit = renderMetadataWatchUnit();
      expect(unit).toContain(`ExecStart=${METADATA_SCRIPT_PATH} --watch`);
      expect(unit).toMatch(/^Restart=always$/m);
      expect(unit).toMatch(/^PartOf=docker\.service$/m);
    });
  });

  test("the unit runs the script after every start of docker.service and at boot", () => {
    const unit = renderMetadataFirewallUnit();
    expect(unit).toMatch(/^After=docker\.service$/m);
    expect(unit).toMatch(/^PartOf=docker\.service$/m);
    expect(unit).toMatch(/^WantedBy=docker\.service multi-user\.target$/m);
    expect(unit).toContain(`ExecStart=${METADATA_SCRIPT_PATH}`);
    expect(hardeningRuncmd()).toEqual([
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "--now", METADATA_UNIT_NAME],
      ["systemctl", "enable", "--now", METADATA_WATCH_UNIT_NAME],
    ]);
    const files = hardeningWriteFiles(INPUT);
    expect(files.slice(0, 4).map((f) => [f.path, f.permissions])).toEqual([
      ["/etc/docker/daemon.json", "0644"],
      [METADATA_SCRIPT_PATH, "0755"],
      [`/etc/systemd/system/${METADATA_UNIT_NAME}`, "0644"],
      [`/etc/systemd/system/${METADATA_WATCH_UNIT_NAME}`, "0644"],
    ]);
  });

  test("the role addresses are in the stack subnet and outside Docker's dynamic range", () => {
    const toInt = (ip: string) => ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);
    const within = (ip: string, cidr: string) => {
      const [net, prefix] = cidr.split("/");
      const size = 2 ** (32 - Number(prefix));
      return toInt(ip) >= toInt(net) && toInt(ip) < toInt(net) + size;
    };
    for (const ip of Object.values(ROLE_ADDRESSES)) {
      expect({ ip, inSubnet: within(ip, STACK_SUBNET), inDynamic: within(ip, STACK_DYNAMIC_RANGE) }).toEqual({
        ip,
        inSubnet: true,
        inDynamic: false,
      });
    }
    expect(within("172.30.53.200", STACK_DYNAMIC_RANGE)).toBe(true);
  });

  test("refuses a bridge or container name Linux or Docker would not take and addresses that are not IPv4", () => {
    expect(() => renderMetadataFirewallScript({ ...INPUT, bridge: "a-very-long-bridge-name" })).toThrow(/interface name/);
    expect(() => renderMetadataFirewallScript({ ...INPUT, bridge: "obs0; reboot" })).toThrow(/interface name/);
    expect(() => renderMetadataFirewallScript({ ...INPUT, containers: ["prometheus; reboot"] })).toThrow(/not a container name/);
    expect(() => renderMetadataFirewallScript({ ...INPUT, containers: ["$(reboot)"] })).toThrow(/not a container name/);
    expect(() => renderMetadataFirewallScript({ ...INPUT, allowedAddresses: ["172.30.53.0/24"] })).toThrow(/not an IPv4 address/);
  });
});
