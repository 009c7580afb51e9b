// The Rollout section's rules on synthetic renderings: what holds data and is replaced or
// deleted comes first and is marked as a data-loss risk; a container is replaced when an input
// the Docker provider cannot update changes (or its secrets writer is replaced), updated in place
// for memory and restart policy; an alert's route is walked as Alertmanager walks it.
import * as yaml from "js-yaml";
import { SECRETS_FOR_LABEL } from "../../configs/docker";
import { renderMarkdown } from "../../scripts/lib/review/markdown";
import { CONTAINER, Snapshot, SnapshotResource, stackModel } from "../../scripts/lib/review/model";
import { destinations, durationSeconds, formatSeconds, rolloutLines } from "../../scripts/lib/review/rollout";

type Obj = Record<string, unknown>;

function res(type: string, name: string, inputs: Obj): SnapshotResource {
  return { type, name, inputs };
}

function container(service: string, inputs: Obj = {}): SnapshotResource {
  return res(CONTAINER, `c-${service}`, {
    name: service,
    image: "sha256:a",
    memory: 256,
    uploads: [{ file: "/etc/x.yml", content: "a: 1\n" }],
    ...inputs,
  });
}

function lines(before: SnapshotResource[], after: SnapshotResource[]): string[] {
  const base: Snapshot = { stack: "t", resources: before };
  const head: Snapshot = { stack: "t", resources: after };
  return rolloutLines(base, head, stackModel(base), stackModel(head));
}

test("nothing changed, nothing to say", () => {
  const all = [container("prometheus"), res("docker:index/volume:Volume", "v", { name: "prometheus-data" })];
  expect(lines(all, all)).toEqual([]);
});

test("a replaced or removed data volume, bucket or instance is a data-loss risk, listed before the containers", () => {
  const before = [
    container("prometheus"),
    res("docker:index/volume:Volume", "v1", { name: "prometheus-data", labels: [{ label: "service", value: "prometheus" }] }),
    res("docker:index/volume:Volume", "v2", { name: "grafana-data" }),
    res("docker:index/volume:Volume", "v3", { name: "grafana-secrets" }),
    res("aws:s3/bucket:Bucket", "loki", { bucketPrefix: "loki-", tags: { a: "1" } }),
    res("aws:s3/bucket:Bucket", "backup", { bucketPrefix: "backup-" }),
    res("aws:ec2/instance:Instance", "host", { ami: "ami-1", instanceType: "t3.large" }),
  ];
  const after = [
    container("prometheus", { image: "sha256:b" }),
    res("docker:index/volume:Volume", "v1", { name: "prometheus-data", labels: [{ label: "service", value: "prom" }] }),
    res("docker:index/volume:Volume", "v3", { name: "grafana-secrets", labels: [] }),
    res("aws:s3/bucket:Bucket", "loki", { bucketPrefix: "logs-", tags: { a: "1" } }),
    res("aws:s3/bucket:Bucket", "backup", { bucketPrefix: "backup-", tags: { b: "2" } }),
    res("aws:ec2/instance:Instance", "host", { ami: "ami-2", instanceType: "t3.large" }),
  ];
  const out = lines(before, after);
  expect(out.slice(0, 4)).toEqual([
    "**Data-loss risk**: volume `prometheus-data` is replaced (labels changed): its containers start on an empty volume",
    "**Data-loss risk**: volume `grafana-data` is removed from the stack (a data volume is retained on the host but no longer used)",
    "**Data-loss risk**: bucket `loki` is replaced (bucketPrefix changed): a new, empty bucket",
    "**Data-loss risk**: EC2 instance `host` is replaced (ami changed): a new host with empty Docker volumes (Prometheus, Grafana, Alertmanager data); restore from the backup bucket",
  ]);
  // A tag on a bucket and a secrets volume are not data-loss risks.
  expect(out.filter((l) => l.includes("Data-loss"))).toHaveLength(4);
  expect(out[4]).toMatch(/^`prometheus` is replaced \(stopped, removed, started again\) for image: no scrapes/);
});

test("an instance type change stops and starts the host without a data-loss risk", () => {
  const out = lines(
    [res("aws:ec2/instance:Instance", "host", { ami: "ami-1", instanceType: "t3.large" })],
    [res("aws:ec2/instance:Instance", "host", { ami: "ami-1", instanceType: "t3.xlarge" })],
  );
  expect(out).toEqual(["EC2 instance `host` is stopped and started (instanceType changed): every container restarts; data volumes stay"]);
});

test("memory is updated in place; a new secrets writer replaces its service; new and removed containers are named", () => {
  const writer = (content: string) =>
    container("alertmanager-secrets", {
      labels: [{ label: SECRETS_FOR_LABEL, value: "alertmanager" }],
      uploads: [{ file: "/run/secrets/x", content }],
    });
  const before = [container("grafana"), container("alertmanager"), writer("old"), container("old-exporter")];
  const after = [
    container("grafana", { memory: 512, memorySwap: 512 }),
    container("alertmanager"),
    writer("new"),
    container("new-exporter"),
  ];
  expect(lines(before, after)).toEqual([
    "`alertmanager` is replaced (stopped, removed, started again) for its secret files: no notifications until it is up again (alerts Prometheus sends meanwhile are retried)",
    "`new-exporter` is new and starts",
    "`old-exporter` is stopped and removed",
    "`grafana` is updated in place without a restart (memory, memorySwap)",
  ]);
});

test("routes are walked as Alertmanager does: first matching child, continue, inherited receiver and group_wait", () => {
  const config = {
    route: {
      receiver: "default",
      group_wait: "30s",
      routes: [
        { receiver: "watchdog", matchers: ['alertname="Watchdog"'], group_wait: "0s" },
        { receiver: "all", matchers: ['severity=~"critical|warning"'], continue: true },
        { receiver: "critical", matchers: ['severity="critical"'], group_wait: "10s" },
        { matchers: ['severity="warning"'] },
      ],
    },
    receivers: [{ name: "default" }, { name: "watchdog" }, { name: "all" }, { name: "critical" }],
  };
  const model = stackModel({
    stack: "t",
    resources: [container("alertmanager", { uploads: [{ file: "/etc/alertmanager/alertmanager.yml", content: yaml.dump(config) }] })],
  });
  const am = model.alertmanager!;
  expect(destinations(am, { alertname: "Watchdog", severity: "none" })).toEqual([{ receiver: "watchdog", groupWait: "0s" }]);
  expect(destinations(am, { alertname: "X", severity: "critical" })).toEqual([
    { receiver: "all", groupWait: "30s" },
    { receiver: "critical", groupWait: "10s" },
  ]);
  expect(destinations(am, { alertname: "X", severity: "warning" })).toEqual([
    { receiver: "all", groupWait: "30s" },
    { receiver: "default", groupWait: "30s" },
  ]);
  expect(destinations(am, { alertname: "X", severity: "info" })).toEqual([{ receiver: "default", groupWait: "30s" }]);
});

test("Prometheus durations in and out", () => {
  expect(durationSeconds("1h30m")).toBe(5400);
  expect(durationSeconds("15s")).toBe(15);
  expect(durationSeconds("soon")).toBeUndefined();
  expect(formatSeconds(355)).toBe("5m55s");
  expect(formatSeconds(3600)).toBe("1h");
});

test("a changed alert says where it goes and how fast; a removed one who no longer hears of it", () => {
  const am = {
    route: {
      receiver: "default",
      group_wait: "30s",
      routes: [{ receiver: "critical", matchers: ['severity="critical"'], group_wait: "10s" }],
    },
    receivers: [{ name: "default" }, { name: "critical", pagerduty_configs: [{}] }],
  };
  const prom = { global: { scrape_interval: "15s", evaluation_interval: "30s" }, scrape_configs: [] };
  const rules = (threshold: number, extra: object[] = []) => ({
    groups: [{ name: "g", rules: [{ alert: "Hot", expr: `temp > ${threshold}`, for: "5m", labels: { severity: "critical" } }, ...extra] }],
  });
  const stack = (r: object) => [
    container("alertmanager", { uploads: [{ file: "/etc/alertmanager/alertmanager.yml", content: yaml.dump(am) }] }),
    container("prometheus", {
      uploads: [
        { file: "/etc/prometheus/prometheus.yml", content: yaml.dump(prom) },
        { file: "/etc/prometheus/rules/r.yml", content: yaml.dump(r) },
      ],
    }),
  ];
  const out = lines(stack(rules(1, [{ alert: "Cold", expr: "temp < 0", labels: { severity: "warning" } }])), stack(rules(2)));
  expect(out).toEqual([
    "`prometheus` is replaced (stopped, removed, started again) for files `/etc/prometheus/rules/r.yml`: no scrapes and no rule evaluation until it is up again (a gap in every graph; alerts wait)",
    "`Hot` is critical → receiver `critical` (pagerduty); notifies at worst ≈ 5m55s after the condition starts (scrape 15s + evaluation 30s + for 5m + group_wait 10s)",
    "`Cold` (warning) is removed: `default` no longer hears of it",
  ]);
});

test("a data-loss risk is also announced at the top of the comment", () => {
  const risky = lines([res("docker:index/volume:Volume", "v", { name: "loki-data" })], []);
  const warn = "> This change replaces or deletes something that holds data: see the data-loss risks under Rollout.";
  const text = renderMarkdown("main", [{ stack: "dev", sections: [{ title: "Rollout", lines: risky }] }]);
  expect(text.split("\n").slice(0, 5)).toEqual(["## Observability stack changes since `main`", "", "> [!CAUTION]", warn, ""]);
  const calm = renderMarkdown("main", [{ stack: "dev", sections: [{ title: "Rollout", lines: ["`grafana` is new and starts"] }] }]);
  expect(calm).not.toContain("CAUTION");
});
