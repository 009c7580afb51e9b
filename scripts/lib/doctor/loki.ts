// Loki: ready, and lines from the stack's own containers in the last five minutes. Every stack
// container carries the Docker label `service`, which Alloy turns into the stream label
// `service` (configs/alloy.ts); applications may set it too, so the answer names the services.
// API: Loki HTTP API reference (grafana.com/docs/loki/latest/reference/loki-http-api/): GET /ready
// answers 200 "ready"; GET /loki/api/v1/query_range with a metric query answers
// {status:"success", data:{resultType:"matrix", result:[{metric, values:[[ts,"n"],...]}]}}.
import { getJson, request } from "./http";
import { CheckResult, DoctorOptions, Endpoint, fail, pass } from "./types";
import { ALLOY_STREAM_LABELS } from "../../../configs/alloy";

const SERVICE = ALLOY_STREAM_LABELS[1];
export const LOKI_RECENT_QUERY = `sum by (${SERVICE}) (count_over_time({${SERVICE}=~".+"}[1m]))`;

export async function lokiChecks(ep: Endpoint, opts: DoctorOptions, now = Date.now()): Promise<CheckResult[]> {
  const t = opts.timeoutMs;
  const out: CheckResult[] = [];
  try {
    const r = await request(ep, "/ready", t);
    if (r.status !== 200) return [fail("loki ready", `HTTP ${r.status} ${r.text.trim().slice(0, 200)}`)];
    out.push(pass("loki ready", r.text.trim() || "ready"));
  } catch (e) {
    return [fail("loki ready", (e as Error).message)];
  }
  try {
    const q = new URLSearchParams({
      query: LOKI_RECENT_QUERY,
      start: String((now - 5 * 60_000) * 1e6),
      end: String(now * 1e6),
      step: "60",
    });
    const body = await getJson<{
      status: string;
      data: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] };
    }>(ep, `/loki/api/v1/query_range?${q}`, t);
    const per = body.data.result
      .map((s) => ({ service: s.metric[SERVICE], lines: s.values.reduce((n, [, v]) => n + Number(v), 0) }))
      .filter((s) => s.lines > 0);
    out.push(
      per.length > 0
        ? pass("loki logs", `lines in the last 5 min from ${per.map((s) => `${s.service} (${s.lines})`).join(", ")}`)
        : fail(
            "loki logs",
            "no line from any container in the last 5 minutes: is Alloy running and reaching the Docker API (socket proxy) and Loki?",
          ),
    );
  } catch (e) {
    out.push(fail("loki logs", (e as Error).message));
  }
  return out;
}
