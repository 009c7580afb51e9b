// Fixed datasource uids: provisioned datasources and every dashboard panel refer to these.
export const DATASOURCE_UIDS = {
  prometheus: "prometheus",
  loki: "loki",
  alertmanager: "alertmanager",
  /** Amazon Managed Service for Prometheus (remoteWrite amp only). */
  amp: "amp",
} as const;

/** Where Grafana's file provider reads dashboards inside the container. */
export const DASHBOARDS_DIR = "/etc/grafana/dashboards";
