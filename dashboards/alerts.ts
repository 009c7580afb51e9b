// Alerts: what fires now and what fired before (Prometheus' ALERTS series), and whether
// Alertmanager delivers the notifications (per integration), plus silences.
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { STACK_JOBS } from "../catalog/containers";
import { addRow, alertAnnotation, DashboardMeta, finalize, newDashboard } from "./lib/dashboard";
import { prometheusDatasourceVariable } from "./lib/datasources";
import { PanelBuilder, stateTimeline, statPanel, tablePanel, timeSeries } from "./lib/panels";
import { ALWAYS_FIRING_ALERTS, firingAlerts, RANGE_WINDOW, RATE_WINDOW } from "./lib/promql";
import { anyOccurrence, SEVERITY_COLORS } from "./lib/steps";

export const ALERTS_DASHBOARD: DashboardMeta = {
  uid: "alerts",
  title: "Alerts",
  description: "Firing and pending alerts by severity and name, alert history, Alertmanager notifications and silences.",
  tags: ["alerts", "alertmanager"],
};

const AM = `job="${STACK_JOBS.alertmanager}"`;

function alertPanels(): PanelBuilder[] {
  const severity = (s: string, color: string) =>
    statPanel(`Firing: ${s}`, [{ expr: `count(${firingAlerts(`severity="${s}"`)})` }], {
      noValue: "0",
      baseColor: "green",
      thresholds: anyOccurrence(color),
      colorBackground: true,
      w: 4,
    });
  return [
    severity("critical", "red"),
    severity("warning", "orange"),
    severity("info", "blue"),
    statPanel("Pending", [{ expr: `count(ALERTS{alertstate="pending"})` }], {
      description: "Alerts whose condition holds but whose `for` period has not yet elapsed.",
      noValue: "0",
      thresholds: anyOccurrence("yellow"),
      w: 4,
    }),
    statPanel("Firing in time range", [{ expr: `count(count by (alertname) (max_over_time(${firingAlerts()}[${RANGE_WINDOW}])))` }], {
      description: "Distinct alert names that fired at some point in the time range.",
      noValue: "0",
      w: 4,
    }),
    statPanel("Alerting pipeline heartbeat", [{ expr: `max(ALERTS{alertname="${ALWAYS_FIRING_ALERTS[0]}", alertstate="firing"})` }], {
      description: "The Watchdog alert always fires; if it does not, rule evaluation itself is broken.",
      mappings: [{ value: "1", text: "ALIVE", color: "green" }],
      baseColor: "red",
      thresholds: anyOccurrence("green"),
      noValue: "MISSING",
      colorBackground: true,
      w: 4,
    }),
    tablePanel("Firing now", [{ expr: firingAlerts() }], {
      description: "One row per firing alert with all its labels.",
      w: 24,
      h: 8,
      hide: ["__name__", "alertstate", "Value"],
      sortBy: { field: "severity", desc: false },
      rename: { alertname: "Alert", severity: "Severity" },
    }),
    timeSeries("Firing alerts by severity", [{ expr: `sum by (severity) (${firingAlerts()})`, legend: "{{severity}}" }], {
      bars: true,
      stack: true,
      seriesColors: SEVERITY_COLORS,
    }),
    timeSeries("Firing alerts by name", [{ expr: `sum by (alertname) (${firingAlerts()})`, legend: "{{alertname}}" }], {
      bars: true,
      stack: true,
    }),
    stateTimeline("Alert history", [{ expr: `max by (alertname, severity) (${firingAlerts()})`, legend: "{{alertname}} ({{severity}})" }], {
      description: "When each alert fired over the time range.",
      mappings: [{ value: "1", text: "firing", color: "red" }],
      h: 10,
    }),
  ];
}

function alertmanagerPanels(): PanelBuilder[] {
  return [
    timeSeries(
      "Notifications sent by integration",
      [{ expr: `sum by (integration) (rate(alertmanager_notifications_total{${AM}}[${RATE_WINDOW}]))`, legend: "{{integration}}" }],
      { unit: "ops", min: 0, w: 8 },
    ),
    timeSeries(
      "Failed notifications by integration",
      [
        {
          expr: `sum by (integration, reason) (rate(alertmanager_notifications_failed_total{${AM}}[${RATE_WINDOW}]))`,
          legend: "{{integration}} ({{reason}})",
        },
      ],
      { description: "Any sustained value here means alerts are not reaching people.", unit: "ops", min: 0, w: 8 },
    ),
    timeSeries(
      "Notification latency p99",
      [
        {
          expr: `histogram_quantile(0.99, sum by (integration, le) (rate(alertmanager_notification_latency_seconds_bucket{${AM}}[${RATE_WINDOW}])))`,
          legend: "{{integration}}",
        },
      ],
      { unit: "s", min: 0, w: 8 },
    ),
    statPanel("Active silences", [{ expr: `sum(alertmanager_silences{${AM}, state="active"})` }], {
      description: "Silences in force now. The link opens Grafana's silence list; pick the Alertmanager data source there.",
      noValue: "0",
      thresholds: anyOccurrence("blue"),
      links: [{ title: "Silences in Alertmanager", url: "/alerting/silences", targetBlank: true }],
      w: 6,
    }),
    timeSeries("Silences by state", [{ expr: `sum by (state) (alertmanager_silences{${AM}})`, legend: "{{state}}" }], {
      min: 0,
      w: 9,
    }),
    timeSeries("Alerts in Alertmanager by state", [{ expr: `sum by (state) (alertmanager_alerts{${AM}})`, legend: "{{state}}" }], {
      description: "active = notified, suppressed = silenced or inhibited.",
      min: 0,
      w: 9,
    }),
  ];
}

export function buildAlertsDashboard(): dashboard.Dashboard {
  const d = newDashboard(ALERTS_DASHBOARD, [prometheusDatasourceVariable()], [alertAnnotation()]);
  addRow(d, "Prometheus alerts", alertPanels());
  addRow(d, "Alertmanager", alertmanagerPanels());
  return finalize(d);
}
