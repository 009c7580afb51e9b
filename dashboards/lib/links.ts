// URLs for panel and data links: the Service dashboard of one service, and Grafana Explore
// opened on a LogQL query. Template variables (`${...}`) are left unencoded so Grafana can
// interpolate them when the link is clicked.
import { DATASOURCE_UIDS } from "../../configs/grafana-datasources";

/** Uid of the Service dashboard (dashboards/service.ts), the target of drill-down links. */
export const SERVICE_DASHBOARD_UID = "service";

/** URI-encodes everything except `${...}` template variable references. */
export function encodeKeepingVariables(text: string): string {
  return text
    .split(/(\$\{[^}]+\})/)
    .map((part) => (/^\$\{[^}]+\}$/.test(part) ? part : encodeURIComponent(part)))
    .join("");
}

/** Link to the Service dashboard for `service` (a name or a variable such as `${__value.raw}`). */
export function serviceDashboardUrl(service: string): string {
  return `/d/${SERVICE_DASHBOARD_UID}?var-service=${encodeKeepingVariables(service)}&\${__url_time_range}`;
}

/** Explore on the provisioned Loki datasource, showing `expr` over the dashboard's time range. */
export function exploreLogsUrl(expr: string): string {
  const panes = {
    logs: {
      datasource: DATASOURCE_UIDS.loki,
      queries: [
        {
          refId: "A",
          expr,
          queryType: "range",
          editorMode: "code",
          datasource: { type: "loki", uid: DATASOURCE_UIDS.loki },
        },
      ],
      range: { from: "${__from}", to: "${__to}" },
    },
  };
  return `/explore?schemaVersion=1&orgId=1&panes=${encodeKeepingVariables(JSON.stringify(panes))}`;
}
