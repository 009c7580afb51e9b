// Overview: every application service at a glance (traffic, errors, latency, availability,
// firing alerts), with links from each service to its Service dashboard and to its error logs
// in Explore. Services listed in the `services` setting get a row of their own; the table at
// the top lists whatever Prometheus scrapes with tier="app", so a service added later shows up
// there without regenerating anything.
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { ServiceSettings } from "../configs/service-settings";
import { DashboardInput, integrationRows } from "./lib/input";
import { addRow, alertAnnotation, DashboardMeta, finalize, newDashboard } from "./lib/dashboard";
import { prometheusDatasourceVariable } from "./lib/datasources";
import { exploreLogsUrl, serviceDashboardUrl } from "./lib/links";
import { Link, PanelBuilder, statPanel, tablePanel, timeSeries } from "./lib/panels";
import { ALL_UP_STEPS, AVAILABILITY_STEPS, ERROR_RATIO_STEPS, LATENCY_STEPS, SEVERITY_COLORS } from "./lib/steps";
import { errorLogSelector, firingAlerts, latencyQuantile, RANGE_WINDOW, RATE_WINDOW, requestRate, statusRatio } from "./lib/promql";

export const OVERVIEW: DashboardMeta = {
  uid: "overview",
  title: "Overview",
  description: "Request rate, errors, latency and availability of every application service, and the alerts firing now.",
  tags: ["overview", "services"],
};

const APP = `tier="app"`;
/** Rows per service are collapsed beyond this many services to keep the page short. */
const EXPANDED_SERVICE_ROWS = 4;

/** The two drill-down links every service gets. */
export function serviceLinks(service: string): Link[] {
  return [
    { title: `Service dashboard: ${service}`, url: serviceDashboardUrl(service) },
    { title: `Error logs of ${service} in Explore`, url: exploreLogsUrl(errorLogSelector(`service="${service}"`)) },
  ];
}

function summaryPanels(): PanelBuilder[] {
  return [
    statPanel("Application targets up", [{ expr: `sum(up{${APP}}) / count(up{${APP}})` }], {
      description: "Share of application scrape targets that answered their last scrape.",
      unit: "percentunit",
      baseColor: "red",
      thresholds: ALL_UP_STEPS,
      colorBackground: true,
      noValue: "no services",
      w: 4,
    }),
    statPanel("Requests/s", [{ expr: requestRate(APP) }], { unit: "reqps", sparkline: true, w: 5 }),
    statPanel("5xx error ratio", [{ expr: statusRatio(APP, "5..") }], {
      unit: "percentunit",
      decimals: 2,
      thresholds: ERROR_RATIO_STEPS,
      sparkline: true,
      w: 5,
    }),
    statPanel("p95 latency", [{ expr: latencyQuantile(0.95, APP) }], {
      unit: "s",
      thresholds: LATENCY_STEPS,
      sparkline: true,
      w: 5,
    }),
    statPanel("Firing alerts by severity", [{ expr: `sum by (severity) (${firingAlerts()})`, legend: "{{severity}}" }], {
      description: "Prometheus alerts firing now (the Watchdog heartbeat excluded). Details on the Alerts dashboard.",
      noValue: "0",
      colorBackground: true,
      seriesColors: SEVERITY_COLORS,
      links: [{ title: "Alerts dashboard", url: "/d/alerts?${__url_time_range}" }],
      w: 5,
    }),
  ];
}

function servicesTable(): PanelBuilder {
  const by = ["service"];
  const rowLinks = serviceLinks("${__value.raw}");
  return tablePanel(
    "Services",
    [
      { expr: requestRate(APP, by) },
      { expr: statusRatio(APP, "5..", by) },
      { expr: latencyQuantile(0.5, APP, by) },
      { expr: latencyQuantile(0.95, APP, by) },
      { expr: latencyQuantile(0.99, APP, by) },
      { expr: `avg by (service) (avg_over_time(up{${APP}}[${RANGE_WINDOW}]))` },
    ],
    {
      description: "One row per application service Prometheus scrapes. Click a service name for its dashboard or its error logs.",
      merge: true,
      w: 24,
      h: 8,
      rename: {
        service: "Service",
        "Value #A": "Requests/s",
        "Value #B": "5xx ratio",
        "Value #C": "p50",
        "Value #D": "p95",
        "Value #E": "p99",
        "Value #F": "Availability",
      },
      sortBy: { field: "Requests/s", desc: true },
      columns: [
        { field: "Service", links: rowLinks },
        { field: "Requests/s", unit: "reqps", decimals: 2 },
        { field: "5xx ratio", unit: "percentunit", decimals: 2, thresholds: ERROR_RATIO_STEPS },
        { field: "p50", unit: "s" },
        { field: "p95", unit: "s", thresholds: LATENCY_STEPS },
        { field: "p99", unit: "s" },
        { field: "Availability", unit: "percentunit", decimals: 2, baseColor: "red", thresholds: AVAILABILITY_STEPS },
      ],
    },
  );
}

function trendPanels(): PanelBuilder[] {
  const by = ["service"];
  return [
    timeSeries("Request rate by service", [{ expr: requestRate(APP, by), legend: "{{service}}" }], { unit: "reqps" }),
    timeSeries("5xx error ratio by service", [{ expr: statusRatio(APP, "5..", by), legend: "{{service}}" }], {
      unit: "percentunit",
      min: 0,
      thresholds: ERROR_RATIO_STEPS,
      showThresholds: true,
    }),
    timeSeries("p95 latency by service", [{ expr: latencyQuantile(0.95, APP, by), legend: "{{service}}" }], {
      unit: "s",
      thresholds: LATENCY_STEPS,
      showThresholds: true,
    }),
    timeSeries("Availability by service", [{ expr: `avg by (service) (up{${APP}})`, legend: "{{service}}" }], {
      description: "Share of the service's scrape targets that are up.",
      unit: "percentunit",
      min: 0,
      max: 1,
    }),
    timeSeries("Firing alerts by severity", [{ expr: `sum by (severity) (${firingAlerts()})`, legend: "{{severity}}" }], {
      bars: true,
      stack: true,
      seriesColors: SEVERITY_COLORS,
      w: 24,
      h: 6,
    }),
  ];
}

function servicePanels(s: ServiceSettings): PanelBuilder[] {
  const m = `service="${s.name}"`;
  const links = serviceLinks(s.name);
  return [
    statPanel(`${s.name}: requests/s`, [{ expr: requestRate(m) }], { unit: "reqps", sparkline: true, links, w: 4 }),
    statPanel(`${s.name}: 5xx ratio`, [{ expr: statusRatio(m, "5..") }], {
      unit: "percentunit",
      decimals: 2,
      thresholds: ERROR_RATIO_STEPS,
      sparkline: true,
      links,
      w: 4,
    }),
    statPanel(`${s.name}: availability`, [{ expr: `avg(avg_over_time(up{${m}, ${APP}}[${RANGE_WINDOW}]))` }], {
      description: "Share of successful scrapes over the dashboard's time range.",
      unit: "percentunit",
      decimals: 2,
      baseColor: "red",
      thresholds: AVAILABILITY_STEPS,
      links,
      w: 4,
    }),
    timeSeries(
      `${s.name}: latency`,
      [
        { expr: latencyQuantile(0.5, m), legend: "p50" },
        { expr: latencyQuantile(0.95, m), legend: "p95" },
        { expr: latencyQuantile(0.99, m), legend: "p99" },
      ],
      { unit: "s", links, w: 6 },
    ),
    timeSeries(
      `${s.name}: requests by status class`,
      [
        {
          expr: `sum by (class) (label_replace(rate(http_requests_total{${m}}[${RATE_WINDOW}]), "class", "\${1}xx", "status", "([0-9]).."))`,
          legend: "{{class}}",
        },
      ],
      { unit: "reqps", stack: true, links, seriesColors: { "2xx": "green", "3xx": "blue", "4xx": "orange", "5xx": "red" }, w: 6 },
    ),
  ];
}

export function buildOverviewDashboard(input: DashboardInput): dashboard.Dashboard {
  const d = newDashboard(OVERVIEW, [prometheusDatasourceVariable()], [alertAnnotation()]);
  addRow(d, "Summary", summaryPanels());
  addRow(d, "All services", [servicesTable(), ...trendPanels()]);
  for (const row of integrationRows(input, "overview")) addRow(d, row.title, row.panels());
  const collapse = input.services.length > EXPANDED_SERVICE_ROWS;
  for (const s of input.services) addRow(d, `Service: ${s.name}`, servicePanels(s), collapse);
  return finalize(d);
}
