// The placeholder finder `npm run deploy` runs before `up`: the committed prod stack's example
// values are each found under their own key, real values are not.
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { findPlaceholders, placeholderReason } from "../../scripts/lib/placeholders";

const ROOT = path.join(__dirname, "..", "..");
const config = (stack: string) =>
  (yaml.load(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> }).config;

test("the committed prod stack: the example key, the documentation CIDR and the example.com target, each by key", () => {
  const found = findPlaceholders(config("prod"));
  expect(found.map((f) => f.key).sort()).toEqual([
    "observability-stack:blackboxTargets[0]",
    "observability-stack:sshAllowedCidrs[0]",
    "observability-stack:sshPublicKey",
  ]);
  const by = Object.fromEntries(found.map((f) => [f.key, f.reason]));
  expect(by["observability-stack:sshPublicKey"]).toMatch(/example SSH key/);
  expect(by["observability-stack:sshAllowedCidrs[0]"]).toMatch(/198\.51\.100\.7\/32.*RFC 5737, 198\.51\.100\.0\/24/);
  expect(by["observability-stack:blackboxTargets[0]"]).toMatch(/example\.com.*RFC 2606/);
});

test("the committed dev stack has none", () => {
  expect(findPlaceholders(config("dev"))).toEqual([]);
});

test.each([
  ["192.0.2.1", /RFC 5737, 192\.0\.2\.0\/24/],
  ["203.0.113.0/24", /RFC 5737, 203\.0\.113\.0\/24/],
  ["203.0.113.128/25", /RFC 5737/],
  ["http://198.51.100.9:8080/metrics", /RFC 5737/],
  ["2001:db8::1", /RFC 3849/],
  ["2001:DB8:1::/48", /RFC 3849/],
  ["2001:0db8:0:0:0:0:0:1/128", /RFC 3849/],
  ["ops@example.org", /example\.org/],
  ["grafana.example.net", /example\.net/],
  ["https://status.Example.com/health", /Example\.com/i],
])("%s is a placeholder", (value, reason) => {
  expect(placeholderReason(value)).toMatch(reason);
});

test.each([
  "10.0.0.0/8",
  "0.0.0.0/0",
  // Wider than a documentation range: a real (if broad) choice, not a stand-in.
  "198.51.0.0/16",
  "192.0.20.1/32",
  "203.0.114.1",
  "2001:db9::1",
  "2001::/16",
  "::/0",
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl me@laptop",
  "ops@myexample.com",
  "example.community",
  "api:8080",
  "12:30:00",
])("%s is not a placeholder", (value) => {
  expect(placeholderReason(value)).toBeUndefined();
});

test("nested values are named by path; secure values are never read", () => {
  const found = findPlaceholders({
    "observability-stack:services": [{ name: "api", targets: ["api:8080", "192.0.2.10:9100"] }],
    "observability-stack:emailReceiver": { to: "oncall@example.com", from: "am@mycorp.io" },
    "observability-stack:webhookUrl": { secure: "v1:abc" },
  });
  expect(found.map((f) => f.key)).toEqual(["observability-stack:services[0].targets[1]", "observability-stack:emailReceiver.to"]);
});
