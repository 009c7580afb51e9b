// Alertmanager routing for several receiver settings, checked by the real amtool: each severity
// and Watchdog reach the receiver the README promises, and receivers exist only when configured.
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { AlertmanagerReceivers, SECRET_FILES, renderAlertmanagerConfig } from "../../configs/alertmanager";
import { TARGET_DOWN_ALERTS } from "../../integrations";
import { alerts } from "../../harness/alert-catalogue";
import { run, tempDir } from "../helpers/tools";

const CHANNELS = { critical: "#crit", warning: "#warn", info: "#info" };
const EMAIL = { to: "oncall@example.com", from: "alerts@example.com", smarthost: "smtp.example.com:587", requireTls: true };

// [setting, receivers, expected receiver per severity (critical, warning, info), Watchdog receiver]
const CASES: [string, AlertmanagerReceivers, [string, string, string], string][] = [
  ["nothing configured", {}, ["default", "default", "default"], "heartbeat"],
  ["slack only", { slack: { channels: CHANNELS } }, ["critical", "warning", "info"], "heartbeat"],
  ["pagerduty only", { pagerduty: true }, ["critical", "default", "default"], "heartbeat"],
  ["email only", { email: EMAIL }, ["critical", "warning", "default"], "heartbeat"],
  ["webhook and heartbeat", { webhook: true, heartbeat: true }, ["critical", "warning", "info"], "heartbeat"],
  [
    "everything",
    { slack: { channels: CHANNELS }, email: { ...EMAIL, username: "alerts" }, pagerduty: true, webhook: true, heartbeat: true },
    ["critical", "warning", "info"],
    "heartbeat",
  ],
];

function render(receivers: AlertmanagerReceivers): { file: string; config: Record<string, unknown> } {
  const dir = tempDir("routing");
  const secrets = path.join(dir, "secrets");
  fs.mkdirSync(secrets);
  for (const f of Object.values(SECRET_FILES)) fs.writeFileSync(path.join(secrets, f), "https://example.com/secret\n");
  const text = renderAlertmanagerConfig({ receivers, secretsDir: secrets, targetDownAlerts: TARGET_DOWN_ALERTS });
  const file = path.join(dir, "alertmanager.yml");
  fs.writeFileSync(file, text);
  return { file, config: yaml.load(text) as Record<string, unknown> };
}

function routeOf(file: string, labels: string[]): string {
  const r = run("amtool", ["config", "routes", "test", `--config.file=${file}`, ...labels]);
  return r.stdout.trim();
}

describe.each(CASES)("%s", (_what, receivers, [crit, warn, info], watchdog) => {
  const { file, config } = render(receivers);

  test("amtool check-config accepts it", () => {
    const r = run("amtool", ["check-config", file]);
    expect(r.output).toContain("SUCCESS");
    expect(r.status).toBe(0);
  });

  test("each severity and Watchdog reach their receiver (amtool --verify.receivers)", () => {
    const cases: [string[], string][] = [
      [["alertname=ServiceDown", "severity=critical", "service=api"], crit],
      [["alertname=HighLatencyP95", "severity=warning", "service=api"], warn],
      [["alertname=SomethingToKnow", "severity=info"], info],
      [["alertname=Watchdog", "severity=none"], watchdog],
    ];
    for (const [labels, receiver] of cases) {
      const r = run("amtool", ["config", "routes", "test", `--config.file=${file}`, `--verify.receivers=${receiver}`, ...labels]);
      expect({ labels, receiver, status: r.status }).toEqual({ labels, receiver, status: 0 });
      // And a wrong expectation fails, so the check above means something.
      const wrong = receiver === "default" ? "heartbeat" : "default";
      const bad = run("amtool", ["config", "routes", "test", `--config.file=${file}`, `--verify.receivers=${wrong}`, ...labels]);
      expect({ labels, wrong, status: bad.status }).toEqual({ labels, wrong, status: 1 });
    }
  });

  test("Watchdog never reaches a person", () => {
    expect(routeOf(file, ["alertname=Watchdog", "severity=critical"])).toBe("heartbeat");
  });

  test("receivers exist only for what is configured", () => {
    const names = (config.receivers as { name: string }[]).map((r) => r.name).sort();
    const expected = new Set(["default", "heartbeat", crit, warn, info]);
    expect(names).toEqual([...expected].sort());
  });
});

test("grouping and timings follow the design", () => {
  const { config } = render({ slack: { channels: CHANNELS }, heartbeat: true });
  const route = config.route as Record<string, unknown> & { routes: Record<string, unknown>[] };
  expect(route.group_by).toEqual(["alertname", "service", "severity"]);
  expect([route.group_wait, route.group_interval, route.repeat_interval]).toEqual(["30s", "5m", "4h"]);
  const byReceiver = Object.fromEntries(route.routes.map((r) => [r.receiver, r]));
  expect(byReceiver.critical).toMatchObject({ group_wait: "10s", repeat_interval: "1h" });
  expect(byReceiver.warning).toMatchObject({ repeat_interval: "12h" });
  expect(byReceiver.heartbeat).toMatchObject({ repeat_interval: "1m", matchers: ['alertname="Watchdog"'] });
});

test("inhibition: critical mutes the same alert's warning, ServiceDown mutes the service's other alerts", () => {
  const { config } = render({});
  const rules = config.inhibit_rules as { source_matchers: string[]; target_matchers: string[]; equal: string[] }[];
  expect(rules).toContainEqual({
    source_matchers: ['severity="critical"'],
    target_matchers: ['severity="warning"'],
    equal: ["alertname", "service"],
  });
  expect(rules).toContainEqual({
    source_matchers: ['alertname="ServiceDown"'],
    target_matchers: ['alertname!="ServiceDown"', 'service=~".+"'],
    equal: ["service"],
  });
});

test("every alert an inhibit rule names exists in the catalogue", () => {
  const { config } = render({});
  const rules = config.inhibit_rules as { source_matchers: string[]; target_matchers: string[] }[];
  const known = new Set(alerts().map((a) => a.rule.alert));
  const named = rules
    .flatMap((r) => [...r.source_matchers, ...r.target_matchers])
    .flatMap((m) => /^alertname(?:=|=~|!=)"(.*)"$/.exec(m)?.[1].split("|") ?? []);
  expect(named.length).toBeGreaterThan(10);
  expect(named.filter((n) => !known.has(n))).toEqual([]);
});

test("each alert that makes TargetUnreachable redundant keeps the target's job and instance", () => {
  // The inhibition compares job and instance, so the source alert must be built on `up` for
  // that job (absent() branches aside, which carry no instance and inhibit nothing).
  const byName = new Map(alerts().map((a) => [a.rule.alert, a.rule.expr]));
  for (const name of TARGET_DOWN_ALERTS) {
    expect({ name, expr: byName.get(name) }).toEqual({ name, expr: expect.stringMatching(/^up\{[^}]*\} == 0/) });
  }
});

test("the remote-write alerts route by their severity (warning while behind, critical when samples are lost)", () => {
  const { file } = render({ slack: { channels: CHANNELS }, pagerduty: true });
  const severityOf = new Map(alerts().map((a) => [a.rule.alert, a.rule.labels?.severity]));
  expect([severityOf.get("RemoteWriteBehind"), severityOf.get("RemoteWriteSamplesLost")]).toEqual(["warning", "critical"]);
  const queue = ["job=prometheus", "instance=prometheus:9090", "remote_name=amp"];
  expect(routeOf(file, ["alertname=RemoteWriteBehind", "severity=warning", ...queue])).toBe("warning");
  expect(routeOf(file, ["alertname=RemoteWriteSamplesLost", "severity=critical", ...queue])).toBe("critical");
});
