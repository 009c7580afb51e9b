// Alertmanager: ready, the configuration it runs is the one rendered for the stack, no receiver
// integration failing, and (--notify) a labelled test alert routed to every configured receiver
// and handed to each integration without error.
//
// /api/v2/status gives `config.original` as Alertmanager re-marshals it (defaults filled in,
// durations normalised: 24h reads 1d), so "equal" means every key the rendered file sets has the
// same value in the running one, durations compared as durations.
import * as yaml from "js-yaml";
import { DOCTOR_TEST } from "../../../configs/alertmanager";
import { request, getJson } from "./http";
import { CheckResult, DoctorOptions, Endpoint, Expectations, fail, pass } from "./types";

const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
const UNIT: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

function seconds(d: string): number {
  let total = 0;
  for (const m of d.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(m[1]) * UNIT[m[2]];
  return total;
}

/** Paths where `running` differs from what `rendered` sets (keys only in `running` are defaults). */
export function configDifferences(rendered: unknown, running: unknown, at = ""): string[] {
  if (typeof rendered === "string" && typeof running === "string" && DURATION.test(rendered) && DURATION.test(running)) {
    return seconds(rendered) === seconds(running) ? [] : [`${at}: ${running} (rendered ${rendered})`];
  }
  if (Array.isArray(rendered)) {
    if (!Array.isArray(running)) return [`${at}: not a list`];
    if (running.length !== rendered.length) return [`${at}: ${running.length} entries (rendered ${rendered.length})`];
    return rendered.flatMap((r, i) => configDifferences(r, running[i], `${at}[${i}]`));
  }
  if (typeof rendered === "object" && rendered !== null) {
    if (typeof running !== "object" || running === null) return [`${at}: missing`];
    const run = running as Record<string, unknown>;
    return Object.entries(rendered).flatMap(([k, v]) => configDifferences(v, run[k], at ? `${at}.${k}` : k));
  }
  return rendered === running ? [] : [`${at}: ${JSON.stringify(running)} (rendered ${JSON.stringify(rendered)})`];
}

/** Counter values of one metric family from a Prometheus text exposition, keyed by their label set. */
export function counters(exposition: string, metric: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of exposition.split("\n")) {
    const m = new RegExp(`^${metric}(\\{[^}]*\\})?\\s+(\\S+)`).exec(line);
    if (m) out.set(m[1] ?? "{}", Number(m[2]));
  }
  return out;
}

async function metrics(ep: Endpoint, t: number): Promise<string> {
  const r = await request(ep, "/metrics", t);
  if (r.status !== 200) throw new Error(`GET ${ep.url}/metrics: HTTP ${r.status}`);
  return r.text;
}

export async function alertmanagerChecks(
  ep: Endpoint,
  expected: Expectations,
  opts: DoctorOptions,
  since: Map<string, number> | undefined,
): Promise<CheckResult[]> {
  const t = opts.timeoutMs;
  const out: CheckResult[] = [];
  try {
    const r = await request(ep, "/-/ready", t);
    if (r.status !== 200) return [fail("alertmanager ready", `HTTP ${r.status} ${r.text.trim().slice(0, 200)}`)];
    out.push(pass("alertmanager ready", "ready"));
  } catch (e) {
    return [fail("alertmanager ready", (e as Error).message)];
  }
  if (expected.alertmanagerConfig !== undefined) {
    try {
      const status = await getJson<{ config: { original: string } }>(ep, "/api/v2/status", t);
      const diff = configDifferences(yaml.load(expected.alertmanagerConfig), yaml.load(status.config.original));
      out.push(
        diff.length === 0
          ? pass("alertmanager config", "runs the rendered configuration")
          : fail(
              "alertmanager config",
              `differs from the rendered one: ${diff.slice(0, 5).join("; ")}${diff.length > 5 ? ` (+${diff.length - 5} more)` : ""}`,
            ),
      );
    } catch (e) {
      out.push(fail("alertmanager config", (e as Error).message));
    }
  }
  if (opts.notify) out.push(await notifyCheck(ep, expected, opts));
  try {
    const now = counters(await metrics(ep, t), "alertmanager_notifications_failed_total");
    const grew = [...now].filter(([k, v]) => v > (since?.get(k) ?? (since ? 0 : v)));
    out.push(
      grew.length === 0
        ? pass("notifications", "no integration failed while the doctor ran")
        : fail("notifications", `failed deliveries: ${grew.map(([k, v]) => `${k} +${v - (since?.get(k) ?? 0)}`).join(", ")}`),
    );
  } catch (e) {
    out.push(fail("notifications", (e as Error).message));
  }
  return out;
}

/** The failure counters before the doctor's own traffic, so the final check sees only its window. */
export async function failureBaseline(ep: Endpoint, t: number): Promise<Map<string, number> | undefined> {
  try {
    return counters(await metrics(ep, t), "alertmanager_notifications_failed_total");
  } catch {
    return undefined;
  }
}

async function notifyCheck(ep: Endpoint, expected: Expectations, opts: DoctorOptions): Promise<CheckResult> {
  const name = "test notification";
  const receivers = expected.receivers ?? [];
  if (receivers.length === 0) return fail(name, "no receiver is configured (receivers setting): nothing would notify anyone");
  const run = new Date().toISOString();
  const labels = { alertname: DOCTOR_TEST.alertname, [DOCTOR_TEST.label]: DOCTOR_TEST.value, doctor_run: run };
  const t = opts.timeoutMs;
  try {
    const before = counters(await metrics(ep, t), "alertmanager_notifications_total");
    const body = JSON.stringify([
      {
        labels,
        annotations: {
          summary: "Test notification from `npm run doctor --notify`: no action needed",
          description: `Sent ${run} to check that alerts reach every receiver.`,
        },
        startsAt: run,
        endsAt: new Date(Date.now() + 5 * 60_000).toISOString(),
      },
    ]);
    const posted = await request(ep, "/api/v2/alerts", t, { method: "POST", body });
    if (posted.status !== 200) return fail(name, `POST /api/v2/alerts: HTTP ${posted.status} ${posted.text.slice(0, 200)}`);
    const deadline = Date.now() + opts.notifyTimeoutMs;
    let routed: string[] = [];
    let sent: string[] = [];
    for (;;) {
      const alerts = await getJson<{ labels: Record<string, string>; receivers: { name: string }[] }[]>(
        ep,
        `/api/v2/alerts?${new URLSearchParams({ filter: `doctor_run="${run}"` })}`,
        t,
      );
      routed = alerts.flatMap((a) => a.receivers.map((r) => r.name));
      const now = counters(await metrics(ep, t), "alertmanager_notifications_total");
      sent = [...now].filter(([k, v]) => v > (before.get(k) ?? 0)).map(([k]) => k);
      const allRouted = receivers.every((r) => routed.includes(r));
      if (allRouted && sent.length > 0) break;
      if (Date.now() > deadline) {
        const missing = receivers.filter((r) => !routed.includes(r));
        return fail(
          name,
          missing.length
            ? `not routed to: ${missing.join(", ")} (the doctor's test route in alertmanager.yml)`
            : `routed to ${routed.join(", ")} but no integration sent it within ${opts.notifyTimeoutMs / 1000} s`,
        );
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    return pass(name, `${DOCTOR_TEST.alertname} (doctor_run=${run}) routed to ${routed.join(", ")}; sent by ${sent.join(", ")}`);
  } catch (e) {
    return fail(name, (e as Error).message);
  }
}
