// Colour steps of the dashboards, built from the named thresholds in configs/thresholds.ts: a
// panel that shows what an alert watches changes colour where that alert fires (yellow for a
// warning, red for a critical one or a saturated resource); the other levels come from the
// dashboard-only names there. Dashboards import their steps from here, never from each other.
import * as t from "../../configs/thresholds";
import { ThresholdStep } from "./panels";

const view = t.dashboardOnly;

/** Generic usage scale (host CPU, memory, pools): busy deserves a look, saturated is full. */
export const BUSY_RATIO = view.usage.busyRatio;
export const SATURATED_RATIO = view.usage.saturatedRatio;

/** Panel colour of each alert severity. */
export const SEVERITY_COLORS = { critical: "red", warning: "orange", info: "blue" };

/** A count where any occurrence deserves attention (failed compactions, OOM kills, evictions). */
export function anyOccurrence(color: string): ThresholdStep[] {
  return [{ value: 1, color }];
}

/** 5xx ratio: yellow where ErrorSpike starts to look (1 %), red where HighServerErrorRate pages (5 %). */
export const ERROR_RATIO_STEPS: readonly ThresholdStep[] = [
  { value: t.errors.ErrorSpike.minErrorRatio, color: "yellow" },
  { value: t.errors.HighServerErrorRate.errorRatio, color: "red" },
];
/** 5xx threshold line on a chart that also draws 4xx. */
export const SERVER_ERROR_LINE: readonly ThresholdStep[] = [{ value: t.errors.HighServerErrorRate.errorRatio, color: "red" }];
/** 4xx ratio: yellow where HighClientErrorRate fires. */
export const CLIENT_ERROR_RATIO_STEPS: readonly ThresholdStep[] = [{ value: t.errors.HighClientErrorRate.errorRatio, color: "yellow" }];

/**
 * Latency (p95, and the p50/p95/p99 chart): yellow where HighLatencyP95 fires (warning), red
 * from HighLatencyP99's threshold (critical; a p95 above it means the p99 is above it too).
 */
export const LATENCY_STEPS: readonly ThresholdStep[] = [
  { value: t.latency.HighLatencyP95.seconds, color: "yellow" },
  { value: t.latency.HighLatencyP99.seconds, color: "red" },
];

/** Availability (share of successful scrapes), on a red base: no alert, a dashboard judgement. */
export const AVAILABILITY_STEPS: readonly ThresholdStep[] = [
  { value: view.availability.degradedRatio, color: "yellow" },
  { value: view.availability.goodRatio, color: "green" },
];
/** "All application targets up", on a red base. */
export const ALL_UP_STEPS: readonly ThresholdStep[] = [{ value: view.availability.goodRatio, color: "green" }];

/** Usage of a resource no alert watches (host CPU busy). */
export const USAGE_STEPS: readonly ThresholdStep[] = [
  { value: view.usage.busyRatio, color: "yellow" },
  { value: view.usage.saturatedRatio, color: "red" },
];
/** Host memory used: red where HostMemoryLow fires (available below its ratio). */
export const HOST_MEMORY_STEPS: readonly ThresholdStep[] = [
  { value: view.usage.busyRatio, color: "yellow" },
  { value: 1 - t.system.HostMemoryLow.availableRatio, color: "red" },
];
/** Filesystem used: yellow where DiskSpaceLow fires, red where DiskSpaceCritical does. */
export const DISK_USAGE_STEPS: readonly ThresholdStep[] = [
  { value: 1 - t.system.DiskSpaceLow.freeRatio, color: "yellow" },
  { value: 1 - t.system.DiskSpaceCritical.freeRatio, color: "red" },
];
/** Host load per core: no alert per core (HighLoadAverage watches the absolute load). */
export const LOAD_PER_CORE_STEPS: readonly ThresholdStep[] = [
  { value: view.loadPerCore.busy, color: "yellow" },
  { value: view.loadPerCore.overloaded, color: "red" },
];

/** Container CPU against its limit: HighCPUUsage (yellow), CriticalCPUUsage (red). */
export const CONTAINER_CPU_STEPS: readonly ThresholdStep[] = [
  { value: t.resources.HighCPUUsage.limitRatio, color: "yellow" },
  { value: t.resources.CriticalCPUUsage.limitRatio, color: "red" },
];
/** Container memory against its limit: HighMemoryUsage (yellow), CriticalMemoryUsage (red). */
export const CONTAINER_MEMORY_STEPS: readonly ThresholdStep[] = [
  { value: t.resources.HighMemoryUsage.limitRatio, color: "yellow" },
  { value: t.resources.CriticalMemoryUsage.limitRatio, color: "red" },
];
/** CPU throttling: red where ContainerCPUThrottling fires. */
export const THROTTLING_STEPS: readonly ThresholdStep[] = [
  { value: view.throttledRatio, color: "yellow" },
  { value: t.resources.ContainerCPUThrottling.throttledRatio, color: "red" },
];
/** Container restarts within the time range. */
export const RESTART_STEPS: readonly ThresholdStep[] = [
  { value: 1, color: "orange" },
  { value: view.restartsInRange.many, color: "red" },
];

/** Cache hit ratios, on a red base. */
export const HIT_RATIO_STEPS: readonly ThresholdStep[] = [
  { value: view.hitRatio.poorRatio, color: "yellow" },
  { value: view.hitRatio.goodRatio, color: "green" },
];

/** Alertmanagers discovered by Prometheus, on a red base: green from the number PrometheusNotConnectedToAlertmanagers wants. */
export const ALERTMANAGERS_DISCOVERED_STEPS: readonly ThresholdStep[] = [
  { value: t.prometheus.PrometheusNotConnectedToAlertmanagers.minAlertmanagers, color: "green" },
];
