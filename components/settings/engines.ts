// The engines' own settings: Prometheus's intervals and retention, Loki's retention, Grafana's
// admin user. Each duration is bounded by value, not only by shape.
import { ADMIN_USER_ACCEPTED, ADMIN_USER_PATTERN } from "../../configs/patterns";
import { checkDurationBetween, checkSize, show } from "./checks";
import { Reader } from "./reader";
import { SettingKey } from "./schema";

const SECOND = 1000;
const DAY = 86400 * SECOND;
/** Bounds of each duration setting, as numbers: a zero or a 999y is refused by value, not shape. */
const DURATION_BOUNDS = {
  scrapeInterval: [SECOND, 5 * 60 * SECOND],
  evaluationInterval: [SECOND, 5 * 60 * SECOND],
  prometheusRetentionTime: [2 * 3600 * SECOND, 10 * 365 * DAY],
  lokiRetentionPeriod: [DAY, 10 * 365 * DAY],
} as const satisfies Partial<Record<SettingKey, readonly [number, number]>>;
function duration(key: keyof typeof DURATION_BOUNDS): (v: string) => string | undefined {
  const [min, max] = DURATION_BOUNDS[key];
  return (v) => checkDurationBetween(v, min, max);
}

export function readEngines(r: Reader) {
  const prometheus = {
    scrapeInterval: r.value<string>("scrapeInterval", duration("scrapeInterval")),
    evaluationInterval: r.value<string>("evaluationInterval", duration("evaluationInterval")),
    retentionTime: r.value<string>("prometheusRetentionTime", duration("prometheusRetentionTime")),
    retentionSize: r.value<string>("prometheusRetentionSize", (v) => checkSize(v)),
  };
  const loki = {
    retentionPeriod: r.value<string>("lokiRetentionPeriod", (v) => {
      const problem = duration("lokiRetentionPeriod")(v);
      if (problem) return problem;
      return /^[1-9]\d*d$/.test(v) || (/^[1-9]\d*h$/.test(v) && parseInt(v, 10) % 24 === 0)
        ? undefined
        : `${show(v)} is not accepted; Loki retention must be a whole number of days (its index period is 24h), e.g. 30d or 720h`;
    }),
  };
  const grafana = {
    adminUser: r.value<string>("grafanaAdminUser", (v) =>
      ADMIN_USER_PATTERN.test(v) ? undefined : `${show(v)} is not accepted; use ${ADMIN_USER_ACCEPTED}`,
    ),
  };
  return { prometheus, loki, grafana };
}
