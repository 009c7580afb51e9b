// Inputs the dashboard tests build from.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ServiceSettings } from "../../configs/service-settings";
import { DashboardInput } from "../../dashboards/lib/input";
import { dashboardInput } from "../../integrations";

function service(name: string): ServiceSettings {
  return { name, targets: [`${name}:8080`], metricsPath: "/metrics", scheme: "http", labels: {} };
}

/** Nothing configured: no services, integrations or KPIs. */
export const EMPTY_INPUT: DashboardInput = dashboardInput({ services: [], integrations: {}, kpis: [] });

/** Two services, every integration, two KPIs, remote write and the redundant pair. */
export const FULL_INPUT: DashboardInput = dashboardInput({
  remoteWrite: true,
  pair: true,
  services: [service("api"), service("billing-worker")],
  integrations: {
    postgres: {},
    redis: { address: "redis:6379" },
    rabbitmq: { targets: ["rabbitmq:15692"] },
    blackbox: { httpTargets: ["https://shop.example.com/health"] },
    mysql: { address: "mysql:3306", user: "exporter" },
  },
  kpis: [
    {
      title: "Orders per minute",
      expr: `sum(rate(http_requests_total{route="/orders", method="POST", status=~"2.."}[5m])) * 60`,
      unit: "short",
      thresholds: [
        { value: 5, color: "yellow" },
        { value: 1, color: "red" },
      ],
    },
    {
      title: "Checkout success ratio",
      expr: `sum(rate(http_requests_total{route="/checkout", status=~"2.."}[$__rate_interval])) / sum(rate(http_requests_total{route="/checkout"}[$__rate_interval]))`,
      unit: "percentunit",
    },
  ],
});

/** Enough services for the Overview to collapse the per-service rows (panels nested in rows). */
export const MANY_SERVICES_INPUT: DashboardInput = {
  ...EMPTY_INPUT,
  services: ["api", "web", "auth", "search", "billing-worker", "mailer"].map(service),
};

export const INPUTS: readonly [string, DashboardInput][] = [
  ["no services, integrations or KPIs", EMPTY_INPUT],
  ["two services, all integrations, two KPIs", FULL_INPUT],
  ["six services (collapsed rows)", MANY_SERVICES_INPUT],
];

/** A fresh empty directory (no user dashboards). */
export function emptyDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "dashboards-empty-"));
}
