// The doctor's test route (npm run doctor -- <stack> --notify): an alert labelled doctor="test"
// reaches every receiver that has an integration, and nothing else, by the real amtool.
import { TARGET_DOWN_ALERTS } from "../../integrations";
import * as fs from "node:fs";
import * as path from "node:path";
import { AlertmanagerReceivers, DOCTOR_TEST, SECRET_FILES, renderAlertmanagerConfig } from "../../configs/alertmanager";
import { run, tempDir } from "../helpers/tools";

const CHANNELS = { critical: "#crit", warning: "#warn", info: "#info" };
const EMAIL = { to: "oncall@mycorp.test", from: "alerts@mycorp.test", smarthost: "smtp.mycorp.test:587", requireTls: true };

function render(receivers: AlertmanagerReceivers): string {
  const dir = tempDir("doctor-route");
  const secrets = path.join(dir, "secrets");
  fs.mkdirSync(secrets);
  for (const f of Object.values(SECRET_FILES)) fs.writeFileSync(path.join(secrets, f), "https://hooks.mycorp.test/secret\n");
  const file = path.join(dir, "alertmanager.yml");
  fs.writeFileSync(file, renderAlertmanagerConfig({ receivers, secretsDir: secrets, targetDownAlerts: TARGET_DOWN_ALERTS }));
  return file;
}

const TEST_LABELS = [`alertname=${DOCTOR_TEST.alertname}`, `${DOCTOR_TEST.label}=${DOCTOR_TEST.value}`, "doctor_run=2026-12-07T08:00:00Z"];

test.each<[string, AlertmanagerReceivers, string]>([
  ["webhook and heartbeat", { webhook: true, heartbeat: true }, "critical,warning,info"],
  ["pagerduty only", { pagerduty: true }, "critical"],
  ["email only", { email: EMAIL }, "critical,warning"],
  ["slack", { slack: { channels: CHANNELS } }, "critical,warning,info"],
  ["nothing", {}, "default"],
])("%s: the test alert reaches exactly the receivers with an integration (amtool --verify.receivers)", (_, receivers, expected) => {
  const file = render(receivers);
  const ok = run("amtool", ["config", "routes", "test", `--config.file=${file}`, `--verify.receivers=${expected}`, ...TEST_LABELS]);
  expect({ expected, status: ok.status, output: ok.output }).toEqual({ expected, status: 0, output: expect.any(String) });
  // The check can fail: without the heartbeat, and never the heartbeat.
  const wrong = run("amtool", [
    "config",
    "routes",
    "test",
    `--config.file=${file}`,
    `--verify.receivers=${expected},heartbeat`,
    ...TEST_LABELS,
  ]);
  expect(wrong.status).toBe(1);
});

test("an ordinary alert is not sent twice by the doctor routes", () => {
  const file = render({ webhook: true, heartbeat: true });
  const r = run("amtool", [
    "config",
    "routes",
    "test",
    `--config.file=${file}`,
    "--verify.receivers=critical",
    "alertname=ServiceDown",
    "severity=critical",
    "service=api",
  ]);
  expect(r.status).toBe(0);
});
