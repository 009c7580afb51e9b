// The catalogue is the one description of every container: its names, ports and jobs must be
// unique, and everything derived from it must agree with what the program deploys.
import { CATALOG, MONITORING_COMPONENTS, STACK_JOBS, SUPPORT_COMPONENTS, dockerEndpoints, userSpec } from "../../catalog/containers";
import { SETTINGS_TABLE } from "../../components/settings/schema";
import { checkPinnedImage } from "../../components/settings/checks";
import { ALL_CONTAINERS, INTEGRATIONS, INTEGRATION_EXPORTERS, RESERVED_JOBS } from "../../integrations";

const entries = Object.entries(ALL_CONTAINERS);

test("container names, ports and jobs are unique, integrations' exporters included", () => {
  const names = entries.map(([, e]) => e.container);
  expect(new Set(names).size).toBe(names.length);
  const ports = entries.flatMap(([, e]) => (e.port === undefined ? [] : [e.port]));
  expect(new Set(ports).size).toBe(ports.length);
  expect(new Set(RESERVED_JOBS).size).toBe(RESERVED_JOBS.length);
});

test("container names are valid DNS labels and default images are pinned", () => {
  for (const [k, e] of entries) {
    expect({ k, name: e.container }).toEqual({ k, name: expect.stringMatching(/^[a-z][a-z0-9-]{0,62}$/) });
    expect({ k, problem: checkPinnedImage(e.image) }).toEqual({ k, problem: undefined });
  }
});

test("every container has its image and limit settings with the catalogue defaults", () => {
  for (const [k, e] of entries) {
    expect(SETTINGS_TABLE[`${k}Image`].default).toBe(e.image);
    expect(SETTINGS_TABLE[`${k}MilliCpus`].default).toBe(Math.round(e.limits.cpus * 1000));
    expect(SETTINGS_TABLE[`${k}MemoryMb`].default).toBe(e.limits.memoryMb);
  }
});

test("the monitoring services come first, then the integrations' exporters, then the support jobs", () => {
  expect(Object.keys(ALL_CONTAINERS)).toEqual([
    ...MONITORING_COMPONENTS,
    ...INTEGRATION_EXPORTERS.map((e) => e.key),
    ...SUPPORT_COMPONENTS,
  ]);
  expect(MONITORING_COMPONENTS.slice(0, 2)).toEqual(["prometheus", "alertmanager"]);
  expect(INTEGRATION_EXPORTERS.map((e) => e.key)).toEqual(expect.arrayContaining(["postgresExporter", "mysqldExporter"]));
  expect(SUPPORT_COMPONENTS).toEqual(expect.arrayContaining(["backup", "caddy", "socketProxy", "backupRestore"]));
});

test("endpoints are container:port for every networked core component; jobs include every integration's", () => {
  expect(dockerEndpoints()).toEqual({
    prometheus: "prometheus:9090",
    alertmanager: "alertmanager:9093",
    grafana: "grafana:3000",
    loki: "loki:3100",
    alloy: "alloy:12345",
    nodeExporter: "node-exporter:9100",
    cadvisor: "cadvisor:8080",
    caddy: "caddy:443",
    socketProxy: "socket-proxy:2375",
  });
  expect(STACK_JOBS.alloy).toBe("log-agent");
  expect(RESERVED_JOBS).toEqual(expect.arrayContaining(["rabbitmq", "blackbox", "postgres-exporter", "redis-exporter", "mysqld-exporter"]));
  expect(userSpec(CATALOG.loki.user)).toBe("10001:10001");
});

test("an integration's exporter scrapes the job its module names", () => {
  for (const i of INTEGRATIONS) if (i.exporter) expect({ name: i.name, job: i.exporter.entry.job }).toEqual({ name: i.name, job: i.job });
});
