// prometheus.yml from plain values: the stack's own jobs from the catalogue, the optional
// integrations, application services, probe ownership, and a file promtool accepts.
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { CATALOG, dockerEndpoints } from "../../catalog/containers";
import { PrometheusConfigInput, durationSeconds, renderPrometheusConfig } from "../../configs/prometheus";
import { LATENCY_BUCKET_RELABEL } from "../../configs/latency-buckets";
import { EnabledIntegrations, integrationScrapeConfigs } from "../../integrations";
import { run, tempDir } from "../helpers/tools";

interface Job {
  job_name: string;
  metrics_path?: string;
  scheme?: string;
  static_configs: { targets: string[]; labels?: Record<string, string> }[];
  relabel_configs?: { source_labels?: string[]; target_label: string; replacement?: string }[];
}
interface Config {
  global: Record<string, unknown>;
  alerting: unknown;
  rule_files: string[];
  scrape_configs: Job[];
}

const ALL: EnabledIntegrations = {
  postgres: {},
  redis: { address: "cache:6380" },
  rabbitmq: { targets: ["mq:15692"] },
  blackbox: { httpTargets: ["https://example.com/", "http://api:8080/health"] },
  mysql: { address: "db:3306", user: "exporter" },
};
const API = { name: "api", targets: ["api:8080"], metricsPath: "/metrics", scheme: "http" as const, labels: {} };

function render(over: Partial<PrometheusConfigInput> = {}): Config {
  return yaml.load(
    renderPrometheusConfig({
      scrapeInterval: "15s",
      evaluationInterval: "15s",
      endpoints: dockerEndpoints(),
      services: [],
      integrationJobs: [],
      ruleFiles: [],
      ...over,
    }),
  ) as Config;
}
const jobs = (c: Config) => Object.fromEntries(c.scrape_configs.map((j) => [j.job_name, j]));

test("scrapes every core component under its catalogue job, at its container name and port", () => {
  const j = jobs(render());
  for (const k of ["prometheus", "alertmanager", "grafana", "loki", "alloy", "nodeExporter", "cadvisor"] as const) {
    expect(j[CATALOG[k].job].static_configs).toEqual([{ targets: [`${CATALOG[k].container}:${CATALOG[k].port}`] }]);
  }
  expect(Object.keys(j)).toHaveLength(7);
});

test("scrape timeout never exceeds the interval, and external labels are set only when given", () => {
  expect(render({ scrapeInterval: "5s" }).global.scrape_timeout).toBe("5s");
  expect(render({ scrapeInterval: "1m" }).global.scrape_timeout).toBe("10s");
  expect(render().global.external_labels).toBeUndefined();
  expect(render({ externalLabels: { stack: "prod" } }).global.external_labels).toEqual({ stack: "prod" });
});

test("alerts go to Alertmanager on the stack network and the rule files are listed", () => {
  const c = render({ ruleFiles: ["/etc/prometheus/rules/meta.yml"] });
  expect(c.alerting).toEqual({ alertmanagers: [{ static_configs: [{ targets: ["alertmanager:9093"] }] }] });
  expect(c.rule_files).toEqual(["/etc/prometheus/rules/meta.yml"]);
});

test("integrations add their jobs; Redis and blackbox use the exporter as transport only", () => {
  const c = render({ integrationJobs: integrationScrapeConfigs(ALL, [API]), services: [API] });
  const j = jobs(c);
  // After the stack's own jobs, in registry order, before the services'.
  expect(c.scrape_configs.map((x) => x.job_name).slice(7)).toEqual([
    "postgres-exporter",
    "redis-exporter",
    "rabbitmq",
    "blackbox",
    "mysqld-exporter",
    "api",
  ]);
  expect(j["postgres-exporter"].static_configs[0].targets).toEqual(["postgres-exporter:9187"]);
  expect(j["mysqld-exporter"].static_configs[0].targets).toEqual(["mysqld-exporter:9104"]);
  const redis = j["redis-exporter"];
  expect(redis.metrics_path).toBe("/scrape");
  expect(redis.static_configs[0].targets).toEqual(["redis://cache:6380"]);
  expect(redis.relabel_configs).toContainEqual({ target_label: "__address__", replacement: "redis-exporter:9121" });
  expect(j.rabbitmq.static_configs[0].targets).toEqual(["mq:15692"]);
  const probe = j.blackbox;
  expect(probe.metrics_path).toBe("/probe");
  expect(probe.relabel_configs).toContainEqual({ target_label: "__address__", replacement: "blackbox-exporter:9115" });
  // The probe of the api service's own address carries its service label (one page per outage).
  expect(probe.static_configs).toEqual([
    { targets: ["https://example.com/"] },
    { targets: ["http://api:8080/health"], labels: { service: "api" } },
  ]);
});

test("application services get their path, scheme, labels, and the service and tier labels", () => {
  const j = jobs(
    render({
      services: [
        { name: "web", targets: ["web:3000", "web2:3000"], metricsPath: "/internal/metrics", scheme: "https", labels: { team: "shop" } },
      ],
    }),
  );
  expect(j.web).toEqual({
    job_name: "web",
    metrics_path: "/internal/metrics",
    scheme: "https",
    static_configs: [{ targets: ["web:3000", "web2:3000"], labels: { team: "shop", service: "web", tier: "app" } }],
    // The latency bucket allow-list; tests/live/relabel.live.test.ts applies it on a real Prometheus.
    metric_relabel_configs: LATENCY_BUCKET_RELABEL,
  });
});

test("the live harness can leave out components it does not run", () => {
  const j = jobs(render({ components: { grafana: false, loki: false, alloy: false, cadvisor: false } }));
  expect(Object.keys(j).sort()).toEqual(["alertmanager", "node-exporter", "prometheus"]);
});

test("durationSeconds reads every Prometheus unit", () => {
  expect(durationSeconds("1h30m")).toBe(5400);
  expect(durationSeconds("2w")).toBe(1209600);
  expect(durationSeconds("1y")).toBe(31536000);
  expect(durationSeconds("250ms")).toBe(0.25);
});

test("promtool accepts the rendered file with every integration and a service", () => {
  const dir = tempDir("prom-config");
  const file = path.join(dir, "prometheus.yml");
  fs.writeFileSync(
    file,
    renderPrometheusConfig({
      scrapeInterval: "15s",
      evaluationInterval: "15s",
      endpoints: dockerEndpoints(),
      services: [API],
      integrationJobs: integrationScrapeConfigs(ALL, [API]),
      ruleFiles: [],
      externalLabels: { stack: "dev" },
    }),
  );
  const r = run("promtool", ["check", "config", file]);
  expect(r.output).toContain("SUCCESS");
  expect(r.status).toBe(0);
});
