// Mutations of tests/rules/threshold-edges.test.ts that promtool does not catch today: the alert's
// promtool tests have no case between the threshold and the value moved by the factor (1.5) on
// that side. Each is a test case to add to the area's test file (rules/tests/<area>.test.yml or
// beside the integration); the test fails until a closed gap is removed from this list, and fails
// on any new gap, so the list only shrinks.
export const EDGE_GAPS: readonly string[] = [
  // A count of Alertmanagers is whole: no value lies between 1 / 1.5 and 1, so this one stays.
  "PrometheusNotConnectedToAlertmanagers.minAlertmanagers lowered",
];
