// The doctor's pure parts: how the running Alertmanager config is compared with the rendered
// one, counters read from an exposition, the receivers of the test route, rule group names,
// command-line parsing and where each address and credential comes from.
import { TARGET_DOWN_ALERTS } from "../../integrations";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { renderAlertmanagerConfig } from "../../configs/alertmanager";
import { configDifferences, counters } from "../../scripts/lib/doctor/alertmanager";
import { doctorReceivers, ruleGroupNames } from "../../scripts/lib/doctor/expected";
import { formatResults, runDoctor, DEFAULT_OPTIONS } from "../../scripts/lib/doctor";
import { parseDoctorArgs, targetsFrom } from "../../scripts/doctor";
import { fetchError } from "../../scripts/lib/doctor/http";

const rendered = renderAlertmanagerConfig({
  receivers: { webhook: true, heartbeat: true },
  secretsDir: "/run/secrets",
  targetDownAlerts: TARGET_DOWN_ALERTS,
});

describe("configDifferences (rendered ⊆ running, durations as durations)", () => {
  test("Alertmanager's re-marshalled form (defaults added, 24h as 1d, continue: false) equals the rendered file", () => {
    const running = yaml.load(rendered) as { global?: unknown; route: { routes: Record<string, unknown>[]; continue?: boolean } };
    running.global = { resolve_timeout: "5m" };
    running.route.continue = false;
    const info = running.route.routes.find((r) => r.receiver === "info" && String(r.matchers) === 'severity="info"')!;
    expect(info.repeat_interval).toBe("24h");
    info.repeat_interval = "1d";
    expect(configDifferences(yaml.load(rendered), running)).toEqual([]);
  });
  test("a changed timing, matcher or receiver list is named by its path", () => {
    const running = yaml.load(rendered) as { route: { group_wait: string; routes: { matchers: string[] }[] }; receivers: unknown[] };
    running.route.group_wait = "1m";
    running.route.routes[0].matchers = ['doctor="other"'];
    running.receivers.pop();
    expect(configDifferences(yaml.load(rendered), running)).toEqual([
      "route.group_wait: 1m (rendered 30s)",
      `route.routes[0].matchers[0]: ${JSON.stringify('doctor="other"')} (rendered ${JSON.stringify('doctor="test"')})`,
      "receivers: 4 entries (rendered 5)",
    ]);
  });
});

test("counters: every label set of one metric family, and nothing of another", () => {
  const text = [
    "# HELP alertmanager_notifications_failed_total The total number of failed notifications.",
    "# TYPE alertmanager_notifications_failed_total counter",
    'alertmanager_notifications_failed_total{integration="webhook",reason="other"} 3',
    'alertmanager_notifications_failed_total{integration="slack",reason="other"} 0',
    'alertmanager_notifications_total{integration="webhook"} 9',
  ].join("\n");
  expect([...counters(text, "alertmanager_notifications_failed_total")]).toEqual([
    ['{integration="webhook",reason="other"}', 3],
    ['{integration="slack",reason="other"}', 0],
  ]);
});

test("the test route's receivers and the rule group names come from the rendered files", () => {
  expect(doctorReceivers(rendered)).toEqual(["critical", "warning", "info"]);
  expect(
    doctorReceivers(renderAlertmanagerConfig({ receivers: { pagerduty: true }, secretsDir: "/s", targetDownAlerts: TARGET_DOWN_ALERTS })),
  ).toEqual(["critical"]);
  expect(ruleGroupNames(["groups:\n  - name: a\n    rules: []\n  - name: b\n    rules: []\n", "groups: []\n"])).toEqual(["a", "b"]);
});

describe("the command line", () => {
  test("a stack, flags with values, --notify; anything else refused with the usage", () => {
    expect(parseDoctorArgs(["dev", "--notify", "--wait", "60", "--loki-url", "http://l"])).toEqual({
      stack: "dev",
      notify: true,
      flags: { wait: "60", "loki-url": "http://l" },
    });
    expect(() => parseDoctorArgs([])).toThrow(/^usage: npm run doctor -- <stack>/);
    expect(() => parseDoctorArgs(["dev", "--bogus"])).toThrow(/"--bogus" is not an option/);
    expect(() => parseDoctorArgs(["dev", "--wait", "soon"])).toThrow(/--wait "soon": give whole seconds/);
    expect(() => parseDoctorArgs(["dev", "--loki-url"])).toThrow(/--loki-url needs a value/);
  });
  test("addresses and credentials: the stack outputs, each overridden by its flag; passwords from files", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "obs-doctor-"));
    fs.writeFileSync(path.join(dir, "pw"), "from-file\n");
    const t = targetsFrom(
      {
        grafanaUrl: "http://localhost:3000",
        grafanaAdminUser: "admin",
        grafanaAdminPassword: "out",
        prometheusUrl: "http://127.0.0.1:9090",
        prometheusUser: "admin",
        prometheusPassword: "p",
        alertmanagerUrl: "http://127.0.0.1:9093",
      },
      { "grafana-url": "https://grafana.mycorp.test", "grafana-password-file": path.join(dir, "pw"), "tls-address": "127.0.0.1:8443" },
      "grafana.mycorp.test",
    );
    fs.rmSync(dir, { recursive: true });
    expect(t).toEqual({
      grafana: { url: "https://grafana.mycorp.test", user: "admin", password: "from-file" },
      prometheus: { url: "http://127.0.0.1:9090", user: "admin", password: "p" },
      alertmanager: { url: "http://127.0.0.1:9093" },
      loki: undefined,
      tlsDomain: "grafana.mycorp.test",
      tlsAddress: { host: "127.0.0.1", port: 8443 },
      tlsCa: undefined,
    });
  });
});

test("a component without an address is a failed check, not a skipped one", async () => {
  const results = await runDoctor({}, {}, DEFAULT_OPTIONS);
  expect(results.map((r) => [r.name, r.ok])).toEqual([
    ["grafana health", false],
    ["prometheus ready", false],
    ["alertmanager ready", false],
    ["loki ready", false],
  ]);
  expect(formatResults(results).split("\n")[0]).toBe("FAIL  grafana health      no address (stack output or flag)");
});

test("fetchError gives the cause Node wraps in 'fetch failed'", () => {
  const e = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED", message: "connect ECONNREFUSED 127.0.0.1:1" } });
  expect(fetchError(e)).toBe("connect ECONNREFUSED 127.0.0.1:1");
  expect(fetchError(Object.assign(new Error("x"), { name: "TimeoutError" }))).toBe("no answer in time");
});
