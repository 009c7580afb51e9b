// configs/host-hardening.ts: the Docker daemon settings, and the metadata firewall the ec2 host
// installs. The script is checked by shellcheck and run against a stand-in `iptables` that
// keeps the rule set in a file, twice, to show it converges to the same single set of rules.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  DOCKER_DAEMON_CONFIG,
  METADATA_CHAIN,
  METADATA_SCRIPT_PATH,
  METADATA_UNIT_NAME,
  ROLE_ADDRESSES,
  STACK_DYNAMIC_RANGE,
  STACK_SUBNET,
  hardeningRuncmd,
  hardeningWriteFiles,
  renderMetadataFirewallScript,
  renderMetadataFirewallUnit,
} from "../../configs/host-hardening";
import { tempDir, TOOLS_BIN } from "../helpers/tools";

const INPUT = { bridge: "obs0", allowedAddresses: ["172.30.53.10", "172.30.53.11"] };

/**
 * A stand-in for iptables(8) with the semantics the script relies on: -N fails on an existing
 * chain, -D fails when the rule is absent, -I 1 inserts at the top, -F empties a chain.
 */
const FAKE_IPTABLES = `#!/bin/sh
state="$FAKE_IPTABLES_STATE"
[ "$1" = "-w" ] && shift
op="$1"; shift
case "$op" in
  -N) grep -qx "chain $1" "$state" 2>/dev/null && exit 1; echo "chain $1" >> "$state" ;;
  -F) grep -v "^rule $1 " "$state" > "$state.tmp"; mv "$state.tmp" "$state" ;;
  -A) echo "rule $*" >> "$state" ;;
  -I) chain="$1"; shift 2; { grep -v "^rule " "$state"; echo "rule $chain $*"; grep "^rule " "$state"; } > "$state.tmp"; mv "$state.tmp" "$state" ;;
  -D) line="rule $*"; grep -qxF "$line" "$state" || exit 1; awk -v l="$line" 'done || $0 != l { print; next } { done = 1 }' "$state" > "$state.tmp"; mv "$state.tmp" "$state" ;;
  *) echo "unexpected $op" >&2; exit 2 ;;
esac
`;

function runScript(dir: string): { status: number | null; stderr: string; rules: string[] } {
  const script = path.join(dir, "firewall.sh");
  fs.writeFileSync(script, renderMetadataFirewallScript(INPUT), { mode: 0o755 });
  const r = spawnSync("/bin/sh", [script], {
    encoding: "utf8",
    env: { PATH: `${dir}/bin:/usr/bin:/bin`, FAKE_IPTABLES_STATE: path.join(dir, "state") },
  });
  const rules = fs.readFileSync(path.join(dir, "state"), "utf8").trim().split("\n").filter((l) => l.startsWith("rule "));
  return { status: r.status, stderr: r.stderr, rules };
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

  test("lets only the listed addresses on the stack bridge through, rejects the rest, and converges when run again", () => {
    const dir = tempDir("mdfw");
    fs.mkdirSync(path.join(dir, "bin"));
    fs.writeFileSync(path.join(dir, "bin", "iptables"), FAKE_IPTABLES, { mode: 0o755 });
    // Docker's own chain exists with an unrelated rule the script must keep.
    fs.writeFileSync(path.join(dir, "state"), "chain DOCKER-USER\nrule DOCKER-USER -j RETURN\n");
    const expected = [
      `rule DOCKER-USER -d 169.254.169.254/32 -j ${METADATA_CHAIN}`,
      "rule DOCKER-USER -j RETURN",
      `rule ${METADATA_CHAIN} -i obs0 -s 172.30.53.10/32 -j RETURN`,
      `rule ${METADATA_CHAIN} -i obs0 -s 172.30.53.11/32 -j RETURN`,
      `rule ${METADATA_CHAIN} -p tcp -j REJECT --reject-with tcp-reset`,
      `rule ${METADATA_CHAIN} -j DROP`,
    ];
    const first = runScript(dir);
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(first.rules).toEqual(expected);
    const second = runScript(dir);
    expect(second.status).toBe(0);
    expect(second.rules).toEqual(expected);
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
    ]);
    const files = hardeningWriteFiles(INPUT);
    expect(files.slice(0, 3).map((f) => [f.path, f.permissions])).toEqual([
      ["/etc/docker/daemon.json", "0644"],
      [METADATA_SCRIPT_PATH, "0755"],
      [`/etc/systemd/system/${METADATA_UNIT_NAME}`, "0644"],
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
      expect({ ip, inSubnet: within(ip, STACK_SUBNET), inDynamic: within(ip, STACK_DYNAMIC_RANGE) }).toEqual({ ip, inSubnet: true, inDynamic: false });
    }
    expect(within("172.30.53.200", STACK_DYNAMIC_RANGE)).toBe(true);
  });

  test("refuses a bridge name Linux would not take and addresses that are not IPv4", () => {
    expect(() => renderMetadataFirewallScript({ ...INPUT, bridge: "a-very-long-bridge-name" })).toThrow(/interface name/);
    expect(() => renderMetadataFirewallScript({ ...INPUT, bridge: "obs0; reboot" })).toThrow(/interface name/);
    expect(() => renderMetadataFirewallScript({ ...INPUT, allowedAddresses: ["172.30.53.0/24"] })).toThrow(/not an IPv4 address/);
  });
});
