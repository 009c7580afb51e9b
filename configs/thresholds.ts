// Every alert threshold of the core stack, named once with the reason for its value (the style of
// the kubernetes mixins' `fsSpaceFillingUpWarningThreshold: 40`), grouped by rule area and keyed
// by alert name; an integration names its own in its module. This is the only place a threshold's
// value is written: rules/*.yml and rules/loki/*.yml say `${name}` in the alert's expression and
// `${name|percent}` (or another format of configs/threshold-text.ts) in its annotations, filled
// when configs/rules.ts renders them; the promtool tests' expected annotations and
// docs/runbooks.md's markers (refreshed by `npm run docs`) read the same names. To change a
// threshold, change it here, run `npm run docs`, and add a promtool case near the new value if
// tests/rules/threshold-edges.test.ts says none is there. tests/rules/thresholds.test.ts fails on
// a number written in a rule file instead of a name, or a name its alert does not use.
// Dashboards colour their panels from these names (dashboards/lib/steps.ts), so a panel turns
// red where the alert fires.
//
// Units: ratios are 0..1, durations seconds, sizes bytes, counts per the alert's window.
// Comparisons with 0 ("any", "none") and equality checks of a state (up == 0) are not
// thresholds and are not listed.

/** Below 0.05 req/s (15 requests in 5 minutes) a ratio or a quantile describes one or two requests. */
const minRequestsPerSecond = 0.05;
/** More than 3 new processes in 15 minutes is a crash loop; a deploy restarts a service once or twice. */
const serviceRestartLoopRestarts = 3;
/** The last 3 days before a certificate expires leave just enough time to renew it by hand. */
export const certificateCriticalSecondsLeft = 3 * 86400;

/** rules/service-health.yml */
export const serviceHealth = {
  ServiceRestartLoop: { restarts: serviceRestartLoopRestarts },
  ServiceFlapping: {
    /** More than 4 up/down changes in 15 minutes: at least two down-up cycles that each stay under ServiceDown's 1m. */
    upChanges: 4,
    /** A target that also restarts in a loop is left to ServiceRestartLoop. */
    restarts: serviceRestartLoopRestarts,
  },
} as const;

/** rules/errors.yml */
export const errors = {
  HighServerErrorRate: {
    /** One request in twenty failing with 5xx is an outage users notice: critical. */
    errorRatio: 0.05,
    minRequestsPerSecond,
  },
  HighClientErrorRate: {
    /** Some 4xx are normal (validation, expired sessions); one answer in ten points at a broken client or a changed API. */
    errorRatio: 0.1,
    minRequestsPerSecond,
  },
  ErrorSpike: {
    /** The 5xx share at least doubled against the same window 10 minutes earlier. */
    factor: 2,
    /** Below a 1 % share a doubling is noise. */
    minErrorRatio: 0.01,
    /** 15 failed requests in 5 minutes: fewer are too few to call a spike. */
    minErrorsPerSecond: 0.05,
  },
  WebSocketDisconnectSpike: {
    /** More than 10 disconnections in 5 minutes: fewer is ordinary client churn. */
    disconnections: 10,
    /** And more than 10 % of the connections open in that window, so a busy service's normal churn stays quiet. */
    shareOfOpen: 0.1,
  },
  DatabaseConnectionIssues: {
    /** More than 5 failed connection attempts in 5 minutes: a pool's occasional retry stays below. */
    failures: 5,
  },
} as const;

/** rules/latency.yml */
export const latency = {
  HighLatencyP95: {
    /** One request in twenty slower than 500 ms is noticeable to users: warning. */
    seconds: 0.5,
    minRequestsPerSecond,
  },
  HighLatencyP99: {
    /** One request in a hundred slower than 1 s: critical. */
    seconds: 1,
    minRequestsPerSecond,
  },
  SlowRequestRate: {
    /** A median above 200 ms means most requests are slow, not just the tail. */
    seconds: 0.2,
    minRequestsPerSecond,
  },
} as const;

/** rules/resources.yml (cAdvisor, per container name) */
export const resources = {
  HighRestartRate: {
    /** More than 3 restarts in 5 minutes: the restart policy is looping, not recovering once. */
    restarts: 3,
  },
  HighCPUUsage: {
    /** Above 90 % of its CPU limit a container has no headroom left for a burst. */
    limitRatio: 0.9,
  },
  CriticalCPUUsage: {
    /** Above 95 % of its CPU limit the container is being starved. */
    limitRatio: 0.95,
  },
  HighMemoryUsage: {
    /** Above 90 % of its memory limit a container is one burst away from the OOM killer. */
    limitRatio: 0.9,
  },
  CriticalMemoryUsage: {
    /** Above 95 % of its memory limit the kernel will OOM-kill it any moment. */
    limitRatio: 0.95,
  },
  PossibleMemoryLeak: {
    /** A working set growing by more than 100 MiB per hour for two hours is more than cache warm-up. */
    growthBytesPerHour: 100 * 1024 * 1024,
    /** Containers younger than an hour are warming up their caches and grow like a leak. */
    minAgeSeconds: 3600,
  },
  ContainerCPUThrottling: {
    /** Throttled in more than a quarter of its CPU periods, the container's latency suffers. */
    throttledRatio: 0.25,
  },
} as const;

/** rules/system.yml (node-exporter) */
export const system = {
  DiskSpaceLow: {
    /** Less than 15 % free leaves time to clean up or grow the volume: warning. */
    freeRatio: 0.15,
  },
  DiskSpaceCritical: {
    /** Less than 10 % free: writes start failing soon. */
    freeRatio: 0.1,
  },
  DiskWillFillIn24Hours: {
    /** Only filesystems already below 40 % free count, so a write burst on a large disk does not alert. */
    freeRatio: 0.4,
    /** The prediction horizon the alert is named after. */
    horizonSeconds: 24 * 3600,
  },
  InodesLow: {
    /** Less than 10 % of inodes free: new files fail whatever the free space. */
    freeRatio: 0.1,
  },
  HighLoadAverage: {
    /** The source design's absolute 5-minute load of 2.0, not normalised per CPU. */
    load5: 2,
  },
  HostMemoryLow: {
    /** Less than 10 % of memory available: the kernel OOM killer is next. */
    availableRatio: 0.1,
  },
  ClockSkew: {
    /** 50 ms off its time source (either way) and still drifting: log and metric timestamps stop lining up across hosts. */
    offsetSeconds: 0.05,
  },
  ClockNotSynchronising: {
    /** The kernel's maximum error reaches its 16 s ceiling when no time source corrects it. */
    maxErrorSeconds: 16,
  },
  NetworkReceiveErrors: {
    /** More than 1 % of received packets with errors: a bad link, cable or driver. */
    errorRatio: 0.01,
  },
  NetworkTransmitErrors: {
    /** More than 1 % of sent packets failing: a bad link, cable or driver. */
    errorRatio: 0.01,
  },
} as const;

/** rules/prometheus.yml */
export const prometheus = {
  PrometheusTooManyTimeSeries: {
    /** Far above what the stack and a handful of services produce: beyond it, a label with unbounded values is the usual cause. */
    series: 100000,
  },
  PrometheusStorageLow: {
    /** At 80 % of the retention size the oldest blocks will soon be deleted early. */
    retentionRatio: 0.8,
  },
  PrometheusNotConnectedToAlertmanagers: {
    /** With fewer than one Alertmanager no alert can be delivered. */
    minAlertmanagers: 1,
  },
  PrometheusNotificationQueueFull: {
    /** At 80 % full the queue is close to dropping alerts. */
    queueRatio: 0.8,
  },
  PrometheusErrorSendingAlerts: {
    /** More than 1 % of alert sends failing means alerts are being lost. */
    errorRatio: 0.01,
  },
  PrometheusTSDBWALCorruptions: {
    /** A repair during the first 3 hours of uptime shows in the counter but not in increase(). */
    startupWindowSeconds: 3 * 3600,
  },
} as const;

/** rules/loki.yml */
export const loki = {
  LokiRequestErrors: {
    /** One request in ten failing with 5xx on a route, for 15 minutes: not a transient blip. */
    errorRatio: 0.1,
  },
  LokiCompactorNotRunning: {
    /** Compaction runs every 10 minutes by default: 3 hours without a success is many missed runs. */
    secondsSinceSuccess: 3 * 3600,
  },
} as const;

/** rules/log-agent.yml */
export const logAgent = {
  LogAgentRequestErrors: {
    /** One push in ten failing for 15 minutes: retries will soon run out and entries be dropped. */
    errorRatio: 0.1,
  },
} as const;

/** rules/backup.yml */
export const backup = {
  BackupTooOld: {
    /** Backups run every 6 hours by default (backupIntervalHours allows 1 to 7): 8 hours without a success is a missed run. */
    secondsSinceSuccess: 8 * 3600,
  },
  BackupVerifyFailed: {
    /** The restore check runs once a day: 2 days without a pass is at least one missed or failed check, never a late one. */
    secondsSinceSuccess: 2 * 86400,
  },
} as const;

/** rules/remote-write.yml (only with the remoteWrite setting) */
export const remoteWrite = {
  RemoteWriteBehind: {
    /** Batches go out every few seconds; 2 minutes behind is a queue that no longer keeps up, well before the WAL (about 2 hours) drops samples. */
    lagSeconds: 120,
  },
  RemoteWriteSamplesLost: {
    /** More than 1 % of samples failed or dropped: the long-term store's history gets holes, not just late. */
    lostRatio: 0.01,
  },
} as const;

/** rules/loki/logs.yml (LogQL, evaluated by Loki's ruler) */
export const logs = {
  ErrorLogSpike: {
    /** More than 20 error lines in 5 minutes: fewer is not a burst worth a look. */
    errorLines: 20,
    /** And more than 3 times the service's 5-minute average of the hour before. */
    factor: 3,
  },
  FailedAuthenticationAttempts: {
    /** More than 20 failed logins in 5 minutes on one service: spraying, a broken client or an expired credential. */
    failures: 20,
  },
  SuspiciousActivity: {
    /** More than 30 answers 401/403 to one client address in 5 minutes: stuffing, guessing or scanning. */
    deniedAnswers: 30,
  },
} as const;

/** Every alert's named thresholds, by alert name (what the threshold test walks). */
/** The core stack's thresholds by alert (integrations/index.ts adds the integrations', as ALERT_THRESHOLDS). */
export const CORE_ALERT_THRESHOLDS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  ...serviceHealth,
  ...errors,
  ...latency,
  ...resources,
  ...system,
  ...prometheus,
  ...loki,
  ...logAgent,
  ...backup,
  ...remoteWrite,
  ...logs,
};

/**
 * Levels only dashboards colour by: quantities no alert watches, or the early "have a look" step
 * below an alert's threshold. No alert fires on these.
 */
export const dashboardOnly = {
  /** Generic usage scale (host CPU, memory, pools): 80 % busy deserves a look, 90 % is saturated. */
  usage: { busyRatio: 0.8, saturatedRatio: 0.9 },
  /** Share of successful scrapes: below 99.9 % something flaps, below 99 % it is down for real. */
  availability: { degradedRatio: 0.99, goodRatio: 0.999 },
  /** Cache hit ratios: below 95 % the cache stops paying off, below 80 % the backend takes the load. */
  hitRatio: { poorRatio: 0.8, goodRatio: 0.95 },
  /** Runnable tasks per core: above 1 tasks wait for a CPU, above 2 they wait for long. */
  loadPerCore: { busy: 1, overloaded: 2 },
  /** Container restarts within the dashboard's time range: three or more is a loop. */
  restartsInRange: { many: 3 },
  /** Share of CPU periods throttled: from 10 % latency starts to suffer (the alert fires at 25 %). */
  throttledRatio: 0.1,
} as const;
