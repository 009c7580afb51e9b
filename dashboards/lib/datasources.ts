// Datasource references and the `$datasource`-style variables every dashboard carries.
// Panels never name a datasource directly: they point at a dashboard variable whose default is
// the uid provisioned by configs/grafana-datasources.ts, so the dashboards work out of the box
// and can still be pointed at another Prometheus/Loki from the variable picker.
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { DATASOURCE_UIDS } from "../../configs/grafana-datasources";

export type DatasourceKind = "prometheus" | "loki";

/** Name of the variable holding the metrics datasource. */
export const PROMETHEUS_VARIABLE = "datasource";
/** Name of the variable holding the logs datasource. */
export const LOKI_VARIABLE = "loki_datasource";

export interface DatasourceRef {
  readonly type: DatasourceKind;
  readonly uid: string;
}

export const PROMETHEUS: DatasourceRef = { type: "prometheus", uid: `\${${PROMETHEUS_VARIABLE}}` };
export const LOKI: DatasourceRef = { type: "loki", uid: `\${${LOKI_VARIABLE}}` };

/** The variable for Prometheus; defaults to the provisioned Prometheus datasource. */
export function prometheusDatasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder(PROMETHEUS_VARIABLE)
    .label("Metrics")
    .type("prometheus")
    .current({ selected: true, text: "Prometheus", value: DATASOURCE_UIDS.prometheus })
    .regex("")
    .multi(false)
    .includeAll(false);
}

/** The variable for Loki; defaults to the provisioned Loki datasource. */
export function lokiDatasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder(LOKI_VARIABLE)
    .label("Logs")
    .type("loki")
    .current({ selected: true, text: "Loki", value: DATASOURCE_UIDS.loki })
    .regex("")
    .multi(false)
    .includeAll(false);
}

/**
 * A `label_values(...)` variable refreshed with the time range. With `allValue` it is
 * multi-select with an "All" option matching that regex, selected by default.
 */
export function labelValuesVariable(
  name: string,
  label: string,
  datasource: DatasourceRef,
  query: string,
  allValue?: string,
): dashboard.QueryVariableBuilder {
  const v = new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(datasource)
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(allValue !== undefined)
    .includeAll(allValue !== undefined);
  if (allValue !== undefined) v.allValue(allValue).current({ selected: true, text: ["All"], value: ["$__all"] });
  return v;
}
