// Logs: what every container writes, from Loki. Volume by service and level, error lines, the
// most frequent error messages, and a log stream filtered by `$service`, `$level` and a free
// text `$search`. Stream labels (container, service, level) come from the log agent.
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { addRow, DashboardMeta, finalize, newDashboard } from "./lib/dashboard";
import { labelValuesVariable, LOKI, lokiDatasourceVariable } from "./lib/datasources";
import { exploreLogsUrl } from "./lib/links";
import { logsPanel, logsTable, logTimeSeries } from "./lib/panels";
import { ERROR_LEVEL_REGEX, LOG_WINDOW, RANGE_WINDOW } from "./lib/promql";

export const LOGS: DashboardMeta = {
  uid: "logs",
  title: "Logs",
  description: "Log volume, error lines and the most frequent error messages of every container, with a filtered log stream.",
  tags: ["logs", "loki"],
};

export const LEVEL_COLORS = {
  critical: "dark-red",
  error: "red",
  warning: "orange",
  info: "green",
  debug: "blue",
  trace: "purple",
};

function lokiLabelVariable(name: string, label: string, allValue: string): dashboard.QueryVariableBuilder {
  return labelValuesVariable(name, label, LOKI, `label_values(${name})`, allValue);
}

function searchVariable(): dashboard.TextBoxVariableBuilder {
  return new dashboard.TextBoxVariableBuilder("search")
    .label("Search (regex, case-insensitive)")
    .description("Keeps only lines matching this regular expression. Empty shows everything.")
    .defaultValue("")
    .current({ selected: false, text: "", value: "" });
}

/** Selected services and levels. `.+` for "All" keeps the selector valid (one non-empty matcher). */
const SELECTED = `service=~"$service", level=~"$level"`;
const SELECTED_ERRORS = `service=~"$service", level=~"${ERROR_LEVEL_REGEX}"`;
const SEARCH = `|~ "(?i)$search"`;

/**
 * Most frequent error messages: JSON lines contribute their `message`/`msg` field, other lines
 * their first 120 characters. Parse failures are dropped rather than failing the query.
 */
export const TOP_ERROR_MESSAGES =
  `topk(10, sum by (service, message) (count_over_time({${SELECTED_ERRORS}} ${SEARCH} | json` +
  " | drop __error__, __error_details__" +
  " | label_format message=`{{ if .message }}{{ .message }}{{ else if .msg }}{{ .msg }}{{ else }}{{ __line__ | trunc 120 }}{{ end }}`" +
  ` [${RANGE_WINDOW}])))`;

export function buildLogsDashboard(): dashboard.Dashboard {
  const d = newDashboard(LOGS, [
    lokiDatasourceVariable(),
    lokiLabelVariable("service", "Service", ".+"),
    lokiLabelVariable("level", "Level", ".*"),
    searchVariable(),
  ]);
  addRow(d, "Volume", [
    logTimeSeries(
      "Log volume by service",
      [{ expr: `sum by (service) (count_over_time({${SELECTED}} ${SEARCH} [${LOG_WINDOW}]))`, legend: "{{service}}" }],
      { description: "Lines per interval for the selected services and levels." },
    ),
    logTimeSeries(
      "Log volume by level",
      [{ expr: `sum by (level) (count_over_time({${SELECTED}} ${SEARCH} [${LOG_WINDOW}]))`, legend: "{{level}}" }],
      { description: "Lines without a recognised level have an empty level.", seriesColors: LEVEL_COLORS },
    ),
    logTimeSeries(
      "Error lines by service",
      [{ expr: `sum by (service) (count_over_time({${SELECTED_ERRORS}} ${SEARCH} [${LOG_WINDOW}]))`, legend: "{{service}}" }],
      { description: "Lines labelled error or critical." },
    ),
    logsTable("Top error messages", [{ expr: TOP_ERROR_MESSAGES }], {
      description: "The ten most frequent error messages over the time range.",
      rename: { service: "Service", message: "Message", Value: "Lines" },
      sortBy: { field: "Lines", desc: true },
    }),
  ]);
  addRow(d, "Logs", [
    logsPanel("Error logs", `{${SELECTED_ERRORS}} ${SEARCH}`, {
      description: "Error and critical lines of the selected services.",
      links: [{ title: "Open in Explore", url: exploreLogsUrl(`{service=~"\${service:regex}", level=~"${ERROR_LEVEL_REGEX}"}`) }],
      h: 10,
    }),
    logsPanel("Live logs", `{${SELECTED}} ${SEARCH}`, {
      description: "Newest lines first for the selected services, levels and search; follows the 30 s refresh.",
      maxLines: 1000,
      h: 16,
    }),
  ]);
  return finalize(d);
}
