// Prometheus: ready, asks for credentials, every target up, the rule groups of the stack's
// catalogue loaded and evaluating without error, and the backups' last success (the backup job
// writes it through node-exporter's textfile collector, rules/backup.yml).
import { getData, request } from "./http";
import { CheckResult, DoctorOptions, Endpoint, Expectations, fail, pass } from "./types";

interface Target {
  readonly scrapePool: string;
  readonly scrapeUrl: string;
  readonly health: string;
  readonly lastError: string;
}
interface Rule {
  readonly name: string;
  readonly health: string;
  readonly lastError?: string;
}
interface Group {
  readonly name: string;
  readonly file: string;
  readonly rules: readonly Rule[];
}
interface Sample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

export function query(ep: Endpoint, expr: string, timeoutMs: number): Promise<Sample[]> {
  return getData<{ result: Sample[] }>(ep, `/api/v1/query?${new URLSearchParams({ query: expr })}`, timeoutMs).then((d) => d.result);
}

export async function prometheusChecks(ep: Endpoint, expected: Expectations, opts: DoctorOptions): Promise<CheckResult[]> {
  const t = opts.timeoutMs;
  const out: CheckResult[] = [];
  try {
    const r = await request(ep, "/-/ready", t);
    if (r.status !== 200) return [fail("prometheus ready", `HTTP ${r.status} ${r.text.trim().slice(0, 200)}`)];
    out.push(pass("prometheus ready", "ready"));
  } catch (e) {
    return [fail("prometheus ready", (e as Error).message)];
  }
  if (ep.user !== undefined) {
    try {
      const r = await request(ep, "/api/v1/status/buildinfo", t, { auth: false });
      out.push(
        r.status === 401
          ? pass("prometheus auth", "asks for credentials (401 without them)")
          : fail("prometheus auth", `answered HTTP ${r.status} without credentials; its web config (web.yml) is not in force`),
      );
    } catch (e) {
      out.push(fail("prometheus auth", (e as Error).message));
    }
  }
  try {
    const targets = (await getData<{ activeTargets: Target[] }>(ep, "/api/v1/targets?state=active", t)).activeTargets;
    const bad = targets.filter((x) => x.health !== "up");
    out.push(
      bad.length === 0 && targets.length > 0
        ? pass("prometheus targets", `${targets.length} targets up`)
        : fail(
            "prometheus targets",
            targets.length === 0
              ? "no targets"
              : `${bad.length} of ${targets.length} not up: ${bad.map((x) => `${x.scrapePool} ${x.scrapeUrl} (${x.health}${x.lastError ? `: ${x.lastError}` : ""})`).join("; ")}`,
          ),
    );
  } catch (e) {
    out.push(fail("prometheus targets", (e as Error).message));
  }
  try {
    const groups = (await getData<{ groups: Group[] }>(ep, "/api/v1/rules", t)).groups;
    const loaded = new Set(groups.map((g) => g.name));
    if (expected.ruleGroups) {
      const want = new Set(expected.ruleGroups);
      const missing = [...want].filter((g) => !loaded.has(g));
      const extra = [...loaded].filter((g) => !want.has(g));
      out.push(
        missing.length === 0 && extra.length === 0
          ? pass("prometheus rule groups", `${loaded.size} groups, as the stack's catalogue`)
          : fail(
              "prometheus rule groups",
              [missing.length ? `missing: ${missing.join(", ")}` : "", extra.length ? `not in the catalogue: ${extra.join(", ")}` : ""]
                .filter(Boolean)
                .join("; "),
            ),
      );
    }
    const erring = groups.flatMap((g) => g.rules.filter((r) => r.health === "err").map((r) => `${g.name}/${r.name}: ${r.lastError ?? ""}`));
    let failures: Sample[] = [];
    try {
      failures = await query(ep, "sum by (rule_group) (increase(prometheus_rule_evaluation_failures_total[10m])) > 0", t);
    } catch {
      // The self-scrape may be missing; the per-rule health above still speaks.
    }
    const failing = failures.map((s) => `${s.metric.rule_group}: ${Math.round(Number(s.value[1]))} failures in 10m`);
    out.push(
      erring.length === 0 && failing.length === 0
        ? pass("prometheus rule evaluation", "no rule failing")
        : fail("prometheus rule evaluation", [...erring, ...failing].join("; ")),
    );
  } catch (e) {
    out.push(fail("prometheus rule groups", (e as Error).message));
  }
  if (expected.backupIntervalHours !== undefined) out.push(await backupCheck(ep, expected.backupIntervalHours, t));
  return out;
}

/**
 * Notifications that failed in the last 15 minutes, as Prometheus saw them on Alertmanager's
 * /metrics (the `alertmanager` scrape job): what happened before the doctor ran.
 */
export async function recentNotificationFailures(ep: Endpoint, t: number): Promise<CheckResult> {
  const name = "notifications, last 15 min";
  try {
    const failed = await query(ep, "sum by (integration) (increase(alertmanager_notifications_failed_total[15m])) > 0", t);
    return failed.length === 0
      ? pass(name, "no failed delivery")
      : fail(
          name,
          `failed deliveries: ${failed.map((s) => `${s.metric.integration} ${Math.round(Number(s.value[1]))}`).join(", ")} (Alertmanager's log says why)`,
        );
  } catch (e) {
    return fail(name, (e as Error).message);
  }
}

async function backupCheck(ep: Endpoint, intervalHours: number, t: number): Promise<CheckResult> {
  const name = "backups";
  try {
    const last = await query(ep, "observability_backup_last_success_timestamp_seconds", t);
    if (last.length === 0) {
      const runs = await query(ep, "observability_backup_last_run_timestamp_seconds", t);
      return fail(
        name,
        runs.length === 0
          ? "no backup has reported yet (the job runs once Prometheus is ready, then every interval; node-exporter's textfile collector carries it)"
          : "runs reported, none succeeded",
      );
    }
    const now = Date.now() / 1000;
    const limit = intervalHours * 3600;
    const old = last.filter((s) => now - Number(s.value[1]) > limit);
    const ages = last.map((s) => `${s.metric.backup ?? "?"} ${Math.round((now - Number(s.value[1])) / 60)} min ago`).join(", ");
    return old.length === 0
      ? pass(name, `last success: ${ages} (interval ${intervalHours} h)`)
      : fail(name, `older than the ${intervalHours} h interval: ${ages}`);
  } catch (e) {
    return fail(name, (e as Error).message);
  }
}
