// Grafana holds no alert rules of its own (the prod-full golden scenario: every feature on; one
// program run per test file, the mocks hold one run per process). Grafana 13's unified alerting is on by default and evaluates
// every rule it holds on every Grafana instance: on the redundant pair a provisioned rule would
// run on both hosts and notify twice, and it would bypass the Prometheus/Loki rules, their
// promtool tests and the runbooks. Alerting lives in Prometheus and Loki; Grafana only shows it.
//
// Where a rule could come from: a file under <provisioning>/alerting/ (the image creates that
// directory empty: grafana/grafana packaging/docker Dockerfile `mkdir -p
// "$GF_PATHS_PROVISIONING/alerting"`), or a dashboard panel's legacy `alert` block (removed in
// Grafana 11, but a dashboard carrying one would still be a rule someone meant to run).
import * as path from "node:path";
import { ProgramRun, containersOf, uploadsOf } from "../../../harness/mock-program";
import { GRAFANA_DASHBOARD_PROVIDER_PATH, GRAFANA_DATASOURCES_PATH, GRAFANA_PROVISIONING_DIR } from "../../../configs/grafana";
import { DASHBOARDS_DIR } from "../../../configs/grafana-datasources";

/** Registers these tests on a run of the scenario, made once by the calling test file. */
export function grafanaNoAlertRulesSuite(scenario: () => ProgramRun): void {
  let run: ProgramRun;
  beforeAll(() => {
    run = scenario();
  });

  /** Every Grafana container of a run (one per host), by container name. */
  function grafanas(run: ProgramRun): Record<string, Record<string, string>> {
    const { services } = containersOf(run);
    const out: Record<string, Record<string, string>> = {};
    for (const [name, c] of Object.entries(services)) if (/^grafana(-[a-z0-9]+)?$/.test(name)) out[name] = uploadsOf(c);
    return out;
  }

  /** Dotted paths of every object key named `alert` (or `alertRule`) in a parsed JSON value. */
  function alertKeys(value: unknown, at = "$"): string[] {
    if (Array.isArray(value)) return value.flatMap((v, i) => alertKeys(v, `${at}[${i}]`));
    if (value === null || typeof value !== "object") return [];
    return Object.entries(value).flatMap(([k, v]) => [
      ...(/^alert(Rule)?s?$/i.test(k) ? [`${at}.${k}`] : []),
      ...alertKeys(v, `${at}.${k}`),
    ]);
  }

  test("Grafana's provisioning holds the datasources and the dashboard provider, and no alerting file", () => {
    const hosts = grafanas(run);
    expect(Object.keys(hosts).length).toBeGreaterThan(0);
    for (const files of Object.values(hosts)) {
      const provisioning = Object.keys(files).filter((f) => f.startsWith(`${GRAFANA_PROVISIONING_DIR}/`));
      expect(provisioning.sort()).toEqual([GRAFANA_DASHBOARD_PROVIDER_PATH, GRAFANA_DATASOURCES_PATH].sort());
      expect(Object.keys(files).filter((f) => f.startsWith(`${GRAFANA_PROVISIONING_DIR}/alerting/`))).toEqual([]);
      // Anything else Grafana receives is a dashboard.
      for (const f of Object.keys(files).filter((x) => !x.startsWith(`${GRAFANA_PROVISIONING_DIR}/`))) {
        expect(path.posix.relative(DASHBOARDS_DIR, f).startsWith("..")).toBe(false);
        expect(f.endsWith(".json")).toBe(true);
      }
    }
  });

  test("no dashboard carries an alert rule", () => {
    const hosts = grafanas(run);
    expect(Object.keys(hosts).length).toBeGreaterThan(0);
    for (const files of Object.values(hosts)) {
      const dashboards = Object.entries(files).filter(([f]) => f.startsWith(`${DASHBOARDS_DIR}/`));
      expect(dashboards.length).toBeGreaterThan(0);
      for (const [f, content] of dashboards) expect({ file: f, alerts: alertKeys(JSON.parse(content)) }).toEqual({ file: f, alerts: [] });
    }
  });

  test("the alert-key search finds a legacy panel alert (so the check above can fail)", () => {
    const legacy = { panels: [{ type: "timeseries", alert: { name: "High CPU", conditions: [] } }] };
    expect(alertKeys(legacy)).toEqual(["$.panels[0].alert"]);
  });
}
