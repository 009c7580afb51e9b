// Where each stack component is reached. The program uses container names on the shared
// Docker network; the live test renders the very same files with loopback addresses.

export interface Endpoints {
  readonly prometheus: string;
  readonly alertmanager: string;
  readonly grafana: string;
  readonly loki: string;
  readonly logAgent: string;
  readonly nodeExporter: string;
  readonly cadvisor: string;
  readonly postgresExporter: string;
  readonly redisExporter: string;
  readonly blackboxExporter: string;
}

/** Container names double as DNS names on the `observability` network. */
export const CONTAINER_NAMES = {
  prometheus: "prometheus",
  alertmanager: "alertmanager",
  grafana: "grafana",
  loki: "loki",
  logAgent: "alloy",
  nodeExporter: "node-exporter",
  cadvisor: "cadvisor",
  postgresExporter: "postgres-exporter",
  redisExporter: "redis-exporter",
  blackboxExporter: "blackbox-exporter",
  backup: "backup",
} as const;

/** Ports the images listen on inside their containers. */
export const CONTAINER_PORTS = {
  prometheus: 9090,
  alertmanager: 9093,
  grafana: 3000,
  loki: 3100,
  logAgent: 12345,
  nodeExporter: 9100,
  cadvisor: 8080,
  postgresExporter: 9187,
  redisExporter: 9121,
  blackboxExporter: 9115,
} as const;

export function dockerEndpoints(): Endpoints {
  const e = {} as Record<keyof Endpoints, string>;
  for (const k of Object.keys(CONTAINER_PORTS) as (keyof Endpoints)[]) {
    e[k] = `${CONTAINER_NAMES[k]}:${CONTAINER_PORTS[k]}`;
  }
  return e;
}
