// The pure part of `npm run review`: thresholds found by the PromQL/LogQL grammars, files
// recognised by content, and the exact lines each kind of change produces.
import * as yaml from "js-yaml";
import { diffStack, exprChanges, fieldChanges } from "../../scripts/lib/review/diff";
import { renderMarkdown } from "../../scripts/lib/review/markdown";
import { CONTAINER, Snapshot, SnapshotResource, stackModel } from "../../scripts/lib/review/model";
import { thresholds } from "../../scripts/lib/review/thresholds";

type Obj = Record<string, unknown>;

function container(service: string, files: Record<string, string>, inputs: Obj = {}): SnapshotResource {
  return {
    type: CONTAINER,
    name: `x-${service}`,
    inputs: {
      name: service,
      image: `sha256:${service}`,
      cpus: "1",
      memory: 256,
      ports: [],
      uploads: Object.entries(files).map(([file, content]) => ({ file, content })),
      ...inputs,
    },
  };
}

function image(service: string, name: string): SnapshotResource {
  return { type: "docker:index/remoteImage:RemoteImage", name: `x-${service}-image`, inputs: { name, keepLocally: true } };
}

const alert = (name: string, expr: string, extra: Obj = {}): Obj => ({
  alert: name,
  expr,
  for: "5m",
  labels: { severity: "warning" },
  annotations: { summary: `${name} summary`, runbook_url: `https://runbooks/#${name.toLowerCase()}` },
  ...extra,
});

const rulesYaml = (rules: Obj[]): string => yaml.dump({ groups: [{ name: "latency", rules }] });

const BASE_RULES = [
  alert("HighLatencyP95", 'svc:latency:p95{quantile="0.95"} > 0.5 and on (service) svc:rate5m > 0.05'),
  alert("Gone", "up == 0"),
  alert("Relabelled", "x > 1"),
  { record: "svc:rate5m", expr: "sum by (service) (rate(http_requests_total[5m]))" },
];

const AM = {
  route: {
    receiver: "default",
    group_wait: "30s",
    routes: [
      { receiver: "heartbeat", matchers: ['alertname="Watchdog"'], repeat_interval: "1m" },
      { receiver: "critical", matchers: ['severity="critical"'] },
      { receiver: "warning", matchers: ['severity="warning"'] },
    ],
  },
  receivers: [{ name: "default" }, { name: "heartbeat" }, { name: "critical" }, { name: "warning" }],
  inhibit_rules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ["alertname"] }],
};

const PROM = {
  global: { scrape_interval: "15s" },
  rule_files: ["/etc/prometheus/rules/latency.yml"],
  scrape_configs: [
    { job_name: "prometheus", static_configs: [{ targets: ["prometheus:9090"] }] },
    { job_name: "api", static_configs: [{ targets: ["api:8080"] }] },
  ],
};

const panel = (id: number, title: string, expr?: string): Obj => ({
  id,
  type: "timeseries",
  title,
  gridPos: { x: 0, y: id * 8, w: 12, h: 8 },
  targets: expr ? [{ refId: "A", expr }] : [],
});

const DASHBOARD = {
  uid: "service",
  title: "Service",
  tags: ["service"],
  panels: [
    panel(1, "Requests/s", "sum(rate(http_requests_total[5m]))"),
    panel(2, "Latency distribution", "sum by (le) (x)"),
    panel(3, "Errors", "y"),
  ],
};

function snapshot(
  stack: string,
  parts: { rules?: Obj[]; am?: Obj; prom?: Obj; dashboard?: Obj; extra?: SnapshotResource[]; promImage?: string } = {},
): Snapshot {
  return {
    stack,
    resources: [
      image("prometheus", parts.promImage ?? "prom/prometheus:v3.13.3"),
      container(
        "prometheus",
        {
          "/etc/prometheus/prometheus.yml": yaml.dump(parts.prom ?? PROM),
          "/etc/prometheus/rules/latency.yml": rulesYaml(parts.rules ?? BASE_RULES),
        },
        { ports: [{ internal: 9090, external: 9090, ip: "127.0.0.1", protocol: "tcp" }] },
      ),
      container("alertmanager", { "/etc/alertmanager/alertmanager.yml": yaml.dump(parts.am ?? AM) }),
      container("grafana", {
        "/etc/grafana/dashboards/service.json": JSON.stringify(parts.dashboard ?? DASHBOARD),
        "/etc/grafana/provisioning/datasources/datasources.yaml": "apiVersion: 1\ndatasources: []\n",
      }),
      ...(parts.extra ?? []),
    ],
  };
}

function linesOf(before: Snapshot, after: Snapshot): Record<string, readonly string[]> {
  return Object.fromEntries(diffStack(stackModel(before), stackModel(after)).map((s) => [s.title, s.lines]));
}

describe("thresholds", () => {
  test("finds the numbers compared on either side, with or without bool, and only those", () => {
    const t = thresholds("histogram_quantile(0.95, sum by (le) (rate(x[5m]))) > 0.5 and on () 3 < -y");
    expect(t.values).toEqual(["0.5", "3"]);
    expect(t.template).toBe("histogram_quantile(0.95, sum by (le) (rate(x[5m]))) > $threshold and on () $threshold < -y");
    expect(thresholds("x > bool (1e3)").values).toEqual(["1e3"]);
    expect(thresholds("x * 3 + 2").values).toEqual([]);
    expect(thresholds("x > y").values).toEqual([]);
    expect(thresholds("time() - last_success > 8 * 3600").values).toEqual(["8 * 3600"]);
  });

  test("reads LogQL comparisons with the LogQL grammar", () => {
    expect(thresholds('sum(count_over_time({service="api"} |= "panic" [5m])) > 20', "logql").values).toEqual(["20"]);
  });

  test("reports a moved threshold as a threshold, a reshaped expression as both expressions", () => {
    expect(exprChanges("a > 0.5 and b > 0.05", "a  >  0.8\nand b > 0.05", "promql")).toEqual(["threshold 0.5 → 0.8"]);
    expect(exprChanges("a > 0.5 and b > 0.05", "a > 0.8 and b > 0.1", "promql")).toEqual(["thresholds 0.5, 0.05 → 0.8, 0.1"]);
    expect(exprChanges("a > 1", "rate(a[5m]) > 1", "promql")).toEqual(["expr `a > 1` → `rate(a[5m]) > 1`"]);
    expect(exprChanges("a > 1", "a > 1 and b < 2", "promql")).toEqual(["thresholds 1 → 1, 2", "expr `a > 1` → `a > 1 and b < 2`"]);
    expect(exprChanges("a > 1", "a   >\n 1", "promql")).toEqual([]);
    expect(exprChanges("t > 8 * 3600", "t > 12 * 3600", "promql")).toEqual(["threshold 8 * 3600 → 12 * 3600"]);
  });
});

describe("stackModel", () => {
  test("recognises rules, alertmanager.yml, prometheus.yml and dashboards by content, keeps other files as files", () => {
    const m = stackModel(snapshot("dev"));
    expect([...m.rules.keys()]).toEqual(["HighLatencyP95", "Gone", "Relabelled", "svc:rate5m"]);
    expect([...(m.alertmanager?.routes.keys() ?? [])]).toEqual([
      "root",
      'alertname="Watchdog"',
      'severity="critical"',
      'severity="warning"',
    ]);
    expect([...(m.scrape?.jobs.keys() ?? [])]).toEqual(["prometheus", "api"]);
    expect([...(m.dashboards.get("service")?.panels.keys() ?? [])]).toEqual(["Requests/s", "Latency distribution", "Errors"]);
    expect([...m.files.keys()]).toEqual(["grafana:/etc/grafana/provisioning/datasources/datasources.yaml"]);
    expect(m.containers.get("prometheus")?.image).toBe("prom/prometheus:v3.13.3");
  });

  test("an alert evaluated by Loki is named with its service", () => {
    const loki = container("loki", {
      "/etc/loki/rules/fake/logs.yml": rulesYaml([alert("ErrorLogSpike", 'sum(count_over_time({a="b"}[5m])) > 20')]),
    });
    expect([...stackModel({ stack: "dev", resources: [loki] }).rules.keys()]).toEqual(["ErrorLogSpike (loki)"]);
  });
});

describe("diffStack", () => {
  test("nothing changed: no section", () => {
    expect(diffStack(stackModel(snapshot("dev")), stackModel(snapshot("dev")))).toEqual([]);
  });

  test("alerts: added, removed, threshold, for, severity, labels, runbook, summary", () => {
    const after = [
      alert("HighLatencyP95", 'svc:latency:p95{quantile="0.95"} > 0.8 and on (service) svc:rate5m > 0.05', { for: "10m" }),
      alert("Relabelled", "x > 1", {
        labels: { severity: "critical", team: "payments" },
        annotations: { summary: "New words", runbook_url: "https://runbooks/#other" },
      }),
      alert("HighLatencyP50", "p50 > 0.3", { for: "15m" }),
      { record: "svc:rate5m", expr: "sum by (service) (rate(http_requests_total[1m]))" },
      { record: "svc:errors", expr: "sum(errors)" },
    ];
    expect(linesOf(snapshot("dev"), snapshot("dev", { rules: after }))).toEqual({
      Alerts: [
        "added `HighLatencyP50` (warning, for 15m): `p50 > 0.3`",
        "removed `Gone`",
        "`HighLatencyP95`: threshold 0.5 → 0.8; for 5m → 10m",
        '`Relabelled`: severity warning → critical; label team=payments added; summary "Relabelled summary" → "New words"; runbook https://runbooks/#relabelled → https://runbooks/#other',
      ],
      "Recording rules": [
        "added `svc:errors`: `sum(errors)`",
        "`svc:rate5m`: expr `sum by (service) (rate(http_requests_total[5m]))` → `sum by (service) (rate(http_requests_total[1m]))`",
      ],
    });
  });

  test("alertmanager: routes by matchers (receiver, timings, order), receivers, inhibitions, settings", () => {
    const am = {
      global: { resolve_timeout: "10m" },
      route: {
        receiver: "default",
        group_wait: "1m",
        routes: [
          { receiver: "warning", matchers: ['severity="warning"'] },
          { receiver: "pager", matchers: ['severity="critical"'] },
          { receiver: "slack", matchers: ['team="payments"'], continue: true },
        ],
      },
      receivers: [
        { name: "default" },
        { name: "pager", pagerduty_configs: [{ routing_key_file: "/run/secrets/pd" }] },
        { name: "critical" },
        { name: "warning" },
        { name: "slack" },
      ],
      inhibit_rules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity=~"warning|info"'], equal: ["alertname"] }],
    };
    expect(linesOf(snapshot("dev"), snapshot("dev", { am })).Alertmanager).toEqual([
      'added route `team="payments"` → `slack` (continue)',
      'removed route `alertname="Watchdog"` (was → `heartbeat`)',
      'root route: group_wait 30s → 1m; order of child routes severity="critical" | severity="warning" → severity="warning" | severity="critical"',
      'route `severity="critical"`: receiver critical → pager',
      "added receiver `pager` (pagerduty_configs)",
      "added receiver `slack`",
      "removed receiver `heartbeat`",
      'added inhibition: source severity="critical" → target severity=~"warning|info", equal alertname',
      'removed inhibition: source severity="critical" → target severity="warning", equal alertname',
      'setting global none → {"resolve_timeout":"10m"}',
    ]);
  });

  test("scrape jobs: added, removed, targets and settings", () => {
    const prom = {
      global: { scrape_interval: "30s" },
      scrape_configs: [
        { job_name: "api", metrics_path: "/internal/metrics", static_configs: [{ targets: ["api:8080", "api-2:8080"] }] },
        { job_name: "web", static_configs: [{ targets: ["web:3000"], labels: { team: "web" } }] },
      ],
    };
    expect(linesOf(snapshot("dev"), snapshot("dev", { prom }))["Scrape jobs"]).toEqual([
      'added job `web`: targets web:3000 {team="web"}',
      "removed job `prometheus`",
      "job `api`: targets added api-2:8080; metrics_path none → /internal/metrics",
      "setting global.scrape_interval 15s → 30s",
    ]);
  });

  test("dashboards: panels by title, a removed panel does not make its neighbours' new positions a change", () => {
    const dashboard = {
      ...DASHBOARD,
      tags: ["service", "http"],
      panels: [
        panel(1, "Requests/s", "sum(irate(http_requests_total[5m]))"),
        { ...panel(2, "Errors", "y"), fieldConfig: { defaults: { unit: "percentunit" } } },
        panel(3, "Saturation", "z"),
      ],
    };
    const added = { uid: "new", title: "New board", panels: [panel(1, "A", "a")] };
    const after = snapshot("dev", { dashboard });
    const grafana = after.resources.find((r) => r.inputs.name === "grafana") as SnapshotResource;
    (grafana.inputs.uploads as Obj[]).push({ file: "/etc/grafana/dashboards/new.json", content: JSON.stringify(added) });
    expect(linesOf(snapshot("dev"), after).Dashboards).toEqual([
      "added dashboard `New board` (uid new, 1 panels)",
      "dashboard `Service`: added panel `Saturation` (`z`)",
      "dashboard `Service`: removed panel `Latency distribution`",
      "dashboard `Service`: panel `Requests/s` query `sum(rate(http_requests_total[5m]))` → `sum(irate(http_requests_total[5m]))`",
      'dashboard `Service`: panel `Errors` fieldConfig none → {"defaults":{"unit":"percentunit"}}',
      "dashboard `Service`: tags changed",
    ]);
  });

  test("containers: image, limits, published ports, other inputs; files by content", () => {
    const before = snapshot("dev", {
      extra: [image("loki", "grafana/loki:3.7.8"), container("loki", { "/etc/loki/config.yaml": "a: 1\nb: 2\n" })],
    });
    const after = snapshot("dev", {
      promImage: "prom/prometheus:v3.13.4",
      extra: [
        image("loki", "grafana/loki:3.7.8"),
        container(
          "loki",
          { "/etc/loki/config.yaml": "a: 1\nb: 3\nc: 4\n" },
          { cpus: "2", memory: 512, command: ["-config.file=/etc/loki/config.yaml"] },
        ),
      ],
    });
    const prom = after.resources.find((r) => r.inputs.name === "prometheus") as SnapshotResource;
    (prom.inputs as Obj).ports = [{ internal: 9090, external: 9091, ip: "127.0.0.1", protocol: "tcp" }];
    const lines = linesOf(before, after);
    expect(lines.Containers).toEqual([
      "`prometheus`: image prom/prometheus:v3.13.3 → prom/prometheus:v3.13.4; publishes 127.0.0.1:9091→9090/tcp; no longer publishes 127.0.0.1:9090→9090/tcp",
      '`loki`: cpus 1 → 2; memory 256 MB → 512 MB; command none → ["-config.file=/etc/loki/config.yaml"]',
    ]);
    expect(lines["Other files"]).toEqual(["`loki:/etc/loki/config.yaml` changed (+2 −1 lines)"]);
  });

  test("security group rules, bucket settings (policy JSON as fields) and other resources", () => {
    const sg = (ingress: Obj[]): SnapshotResource => ({
      type: "aws:ec2/securityGroup:SecurityGroup",
      name: "host-sg",
      inputs: { ingress, egress: [] },
    });
    const policy = (effect: string): SnapshotResource => ({
      type: "aws:s3/bucketPolicy:BucketPolicy",
      name: "storage-loki-tls-only",
      inputs: { policy: JSON.stringify({ Statement: [{ Effect: effect, Condition: { Bool: { "aws:SecureTransport": "false" } } }] }) },
    });
    const instance = (type: string, userData: string): SnapshotResource => ({
      type: "aws:ec2/instance:Instance",
      name: "host-instance",
      inputs: { instanceType: type, userData },
    });
    const grafana = { fromPort: 3000, toPort: 3000, protocol: "tcp", cidrBlocks: ["203.0.113.0/24"], description: "Grafana" };
    const before = snapshot("prod", { extra: [sg([grafana]), policy("Deny"), instance("t3.xlarge", "#cloud-config\na\n")] });
    const after = snapshot("prod", {
      extra: [
        sg([
          { ...grafana, cidrBlocks: ["0.0.0.0/0"] },
          { fromPort: 443, toPort: 443, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"] },
        ]),
        policy("Allow"),
        instance("t3.large", "#cloud-config\nb\n"),
      ],
    });
    const lines = linesOf(before, after);
    expect(lines["Security groups"]).toEqual([
      "`host-sg`: added ingress tcp 3000 from 0.0.0.0/0 (Grafana)",
      "`host-sg`: added ingress tcp 443 from 0.0.0.0/0",
      "`host-sg`: removed ingress tcp 3000 from 203.0.113.0/24 (Grafana)",
    ]);
    expect(lines.Buckets).toEqual(["`storage-loki-tls-only`: policy.Statement[0].Effect Deny → Allow"]);
    expect(lines["Other resources"]).toEqual([
      "`aws:ec2/instance:Instance host-instance`: instanceType t3.xlarge → t3.large; userData changed (+1 −1 lines)",
    ]);
  });

  test("a list that grows or shrinks is shown by its elements; a second container of an image resolves its reference", () => {
    expect(fieldChanges({ labels: [{ l: "a" }, { l: "b" }] }, { labels: [{ l: "b" }, { l: "c" }, { l: "d" }] })).toEqual([
      'labels + {"l":"c"}',
      'labels + {"l":"d"}',
      'labels − {"l":"a"}',
    ]);
    const writer: SnapshotResource = {
      type: CONTAINER,
      name: "x-grafana-secrets",
      inputs: { name: "grafana-secrets", image: "sha256:grafana", start: false },
    };
    const snap: Snapshot = {
      stack: "dev",
      resources: [image("grafana", "grafana/grafana:13.2.0"), container("grafana", {}, { image: "sha256:grafana" }), writer],
    };
    expect(stackModel(snap).containers.get("grafana-secrets")?.image).toBe("grafana/grafana:13.2.0");
  });

  test("field changes are capped so one replaced block does not flood the comment", () => {
    const before = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i]));
    const after = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i + 1]));
    expect(fieldChanges(before, after)).toEqual(["k0 0 → 1", "k1 1 → 2", "k2 2 → 3", "k3 3 → 4", "k4 4 → 5", "5 more fields changed"]);
  });
});

describe("renderMarkdown", () => {
  test("a change in every stack is printed once, one in some stacks says which; nothing changed prints nothing", () => {
    const changed = [
      alert("HighLatencyP95", 'svc:latency:p95{quantile="0.95"} > 0.8 and on (service) svc:rate5m > 0.05'),
      ...BASE_RULES.slice(1),
    ];
    const prodOnly = snapshot("prod", { rules: changed, promImage: "prom/prometheus:v3.13.4" });
    const md = renderMarkdown("origin/main", [
      { stack: "dev", sections: diffStack(stackModel(snapshot("dev")), stackModel(snapshot("dev", { rules: changed }))) },
      { stack: "prod", sections: diffStack(stackModel(snapshot("prod")), stackModel(prodOnly)) },
    ]);
    expect(md).toBe(
      [
        "## Observability stack changes since `origin/main`",
        "",
        "Stacks dev, prod rendered under mocks at `origin/main` and at this change.",
        "",
        "### Alerts",
        "",
        "- `HighLatencyP95`: threshold 0.5 → 0.8",
        "",
        "### Containers",
        "",
        "- `prometheus`: image prom/prometheus:v3.13.3 → prom/prometheus:v3.13.4 (prod only)",
        "",
      ].join("\n"),
    );
    const same = diffStack(stackModel(snapshot("dev")), stackModel(snapshot("dev")));
    expect(
      renderMarkdown("HEAD", [
        { stack: "dev", sections: same },
        { stack: "prod", sections: same },
      ]),
    ).toBe("");
  });
});
