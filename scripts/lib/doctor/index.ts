// `npm run doctor`: every check against the addresses given, one result line each. A component
// whose address is not given is reported as not checked (a failure: the doctor proves what runs,
// it does not assume it).
import { alertmanagerChecks, failureBaseline } from "./alertmanager";
import { grafanaChecks } from "./grafana";
import { lokiChecks } from "./loki";
import { prometheusChecks, recentNotificationFailures } from "./prometheus";
import { tlsCheck } from "./tls";
import { alertmanagerClusterCheck, prometheusAlertmanagersCheck } from "./cluster";
import { CheckResult, DoctorOptions, DoctorTargets, Expectations, fail } from "./types";

export type { CheckResult, DoctorOptions, DoctorTargets, Endpoint, Expectations } from "./types";
export { DEFAULT_OPTIONS } from "./types";

export async function runDoctor(targets: DoctorTargets, expected: Expectations, opts: DoctorOptions): Promise<CheckResult[]> {
  const missing = (what: string): CheckResult[] => [fail(what, "no address (stack output or flag)")];
  const baseline = targets.alertmanager ? await failureBaseline(targets.alertmanager, opts.timeoutMs) : undefined;
  const [grafana, prometheus, loki] = await Promise.all([
    targets.grafana ? grafanaChecks(targets.grafana, expected, opts) : missing("grafana health"),
    targets.prometheus ? prometheusChecks(targets.prometheus, expected, opts) : missing("prometheus ready"),
    targets.loki ? lokiChecks(targets.loki, opts) : missing("loki ready"),
  ]);
  // Last: the notification test and the failure window cover the doctor's whole run.
  const alertmanager = targets.alertmanager
    ? await alertmanagerChecks(targets.alertmanager, expected, opts, baseline)
    : missing("alertmanager ready");
  // Only when Prometheus answers: its own failure is already a line.
  if (prometheus[0]?.ok) alertmanager.push(await recentNotificationFailures(targets.prometheus!, opts.timeoutMs));
  const members = expected.pairMembers;
  if (members !== undefined) {
    if (alertmanager[0]?.ok) alertmanager.push(await alertmanagerClusterCheck(targets.alertmanager!, members, opts.timeoutMs));
    if (prometheus[0]?.ok) alertmanager.push(await prometheusAlertmanagersCheck(targets.prometheus!, members, opts.timeoutMs));
  }
  const tls = targets.tlsDomain
    ? [
        await tlsCheck(
          targets.tlsDomain,
          targets.tlsAddress ?? { host: targets.tlsDomain, port: 443 },
          opts.tlsMinDays,
          opts.timeoutMs,
          targets.tlsCa,
        ),
      ]
    : [];
  return [...grafana, ...prometheus, ...alertmanager, ...loki, ...tls];
}

/** One line per check: "ok  " or "FAIL", the check's name, what it found. */
export function formatResults(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  return results.map((r) => `${r.ok ? "ok  " : "FAIL"}  ${r.name.padEnd(width)}  ${r.detail}`).join("\n");
}
