// The catalogue is the one description of every container: its names, ports and jobs must be
// unique, and everything derived from it must agree with what the program deploys.
import { CATALOG, COMPONENTS, NETWORK_COMPONENTS, RESERVED_JOBS, STACK_JOBS, dockerEndpoints, userSpec } from "../../components/catalog";
import { SETTINGS } from "../../components/settings";
import { checkPinnedImage } from "../../components/settings/checks";

test("container names, ports and jobs are unique", () => {
  const names = COMPONENTS.map((k) => CATALOG[k].container);
  expect(new Set(names).size).toBe(names.length);
  const ports = NETWORK_COMPONENTS.map((k) => CATALOG[k].port);
  expect(new Set(ports).size).toBe(ports.length);
  expect(new Set(RESERVED_JOBS).size).toBe(RESERVED_JOBS.length);
});

test("container names are valid DNS labels and default images are pinned", () => {
  for (const k of COMPONENTS) {
    expect({ k, name: CATALOG[k].container }).toEqual({ k, name: expect.stringMatching(/^[a-z][a-z0-9-]{0,62}$/) });
    expect({ k, problem: checkPinnedImage(CATALOG[k].image) }).toEqual({ k, problem: undefined });
  }
});

test("every component has its image and limit settings with the catalogue defaults", () => {
  for (const k of COMPONENTS) {
    expect(SETTINGS[`${k}Image`].default).toBe(CATALOG[k].image);
    expect(SETTINGS[`${k}MilliCpus`].default).toBe(Math.round(CATALOG[k].limits.cpus * 1000));
    expect(SETTINGS[`${k}MemoryMb`].default).toBe(CATALOG[k].limits.memoryMb);
  }
});

test("endpoints are container:port for every networked component; jobs include RabbitMQ's", () => {
  expect(dockerEndpoints()).toEqual({
    prometheus: "prometheus:9090",
    alertmanager: "alertmanager:9093",
    grafana: "grafana:3000",
    loki: "loki:3100",
    alloy: "alloy:12345",
    nodeExporter: "node-exporter:9100",
    cadvisor: "cadvisor:8080",
    postgresExporter: "postgres-exporter:9187",
    redisExporter: "redis-exporter:9121",
    blackboxExporter: "blackbox-exporter:9115",
    caddy: "caddy:443",
    socketProxy: "socket-proxy:2375",
  });
  expect(STACK_JOBS.alloy).toBe("log-agent");
  expect(STACK_JOBS.blackboxExporter).toBe("blackbox");
  expect(RESERVED_JOBS).toContain("rabbitmq");
  expect(userSpec(CATALOG.loki.user)).toBe("10001:10001");
});
