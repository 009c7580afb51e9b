// Grafana: health, the admin login, every provisioned datasource's own health check, and the
// number of dashboards against the number provisioned. API shapes: Grafana HTTP API reference
// (grafana.com/docs/grafana/latest/developers/http_api/): "Other" (GET /api/health), "User"
// (GET /api/user), "Data source" (GET /api/datasources, GET /api/datasources/uid/:uid/health,
// which answers {status:"OK"|"ERROR", message}; an unhealthy datasource answers HTTP 400,
// pkg/api/datasources.go checkDatasourceHealth), "Data source proxy calls" (/api/datasources/proxy/uid/:uid/*),
// "Folder/Dashboard Search" (GET /api/search?type=dash-db).
import { getJson, request } from "./http";
import { CheckResult, DoctorOptions, Endpoint, Expectations, fail, pass } from "./types";

interface Datasource {
  readonly uid: string;
  readonly name: string;
  readonly type: string;
}

/**
 * The Alertmanager datasource has no backend (its plugin.json declares none), so Grafana answers
 * its health call with 404 "Plugin not found" (pkg/api/plugins.go). Its own "Save & test" asks
 * Alertmanager's status through Grafana's datasource proxy; so does this.
 */
async function alertmanagerThroughProxy(ep: Endpoint, d: Datasource, t: number): Promise<CheckResult> {
  const name = `grafana datasource ${d.uid}`;
  try {
    const r = await request(ep, `/api/datasources/proxy/uid/${encodeURIComponent(d.uid)}/api/v2/status`, t);
    return r.status === 200
      ? pass(name, `${d.name} (${d.type}): Alertmanager answers through Grafana's proxy (the plugin has no health check)`)
      : fail(name, `${d.name} (${d.type}): through Grafana's proxy, HTTP ${r.status} ${r.text.trim().slice(0, 200)}`);
  } catch (e) {
    return fail(name, (e as Error).message);
  }
}

export async function grafanaChecks(ep: Endpoint, expected: Expectations, opts: DoctorOptions): Promise<CheckResult[]> {
  const t = opts.timeoutMs;
  const out: CheckResult[] = [];
  try {
    const h = await getJson<{ database?: string; version?: string }>(ep, "/api/health", t, false);
    out.push(
      h.database === "ok"
        ? pass("grafana health", `Grafana ${h.version ?? "?"}, database ok`)
        : fail("grafana health", `database ${JSON.stringify(h.database)}`),
    );
  } catch (e) {
    // Grafana unreachable: the other Grafana checks would only repeat it.
    return [fail("grafana health", (e as Error).message)];
  }
  try {
    const r = await request(ep, "/api/user", t);
    if (r.status === 200) out.push(pass("grafana login", `signed in as ${(JSON.parse(r.text) as { login: string }).login}`));
    else {
      out.push(
        fail(
          "grafana login",
          `the admin credentials were refused (HTTP ${r.status}); the password applies only when Grafana's database is first created (grafanaAdminPassword output)`,
        ),
      );
      return out;
    }
  } catch (e) {
    out.push(fail("grafana login", (e as Error).message));
    return out;
  }
  try {
    const list = await getJson<Datasource[]>(ep, "/api/datasources", t);
    const have = new Set(list.map((d) => d.uid));
    const missing = (expected.datasources ?? []).filter((u) => !have.has(u));
    if (missing.length > 0) out.push(fail("grafana datasources", `provisioned but absent: ${missing.join(", ")}`));
    for (const d of list) {
      const name = `grafana datasource ${d.uid}`;
      try {
        const r = await request(ep, `/api/datasources/uid/${encodeURIComponent(d.uid)}/health`, t);
        const body = (() => {
          try {
            return JSON.parse(r.text) as { status?: string; message?: string };
          } catch {
            return { message: r.text.trim().slice(0, 200) };
          }
        })();
        if (r.status === 404 && d.type === "alertmanager") out.push(await alertmanagerThroughProxy(ep, d, t));
        else if (r.status === 200 && body.status === "OK") out.push(pass(name, `${d.name} (${d.type}): ${body.message ?? "OK"}`));
        else out.push(fail(name, `${d.name} (${d.type}): ${body.status ?? `HTTP ${r.status}`}: ${body.message ?? ""}`.trimEnd()));
      } catch (e) {
        out.push(fail(name, (e as Error).message));
      }
    }
  } catch (e) {
    out.push(fail("grafana datasources", (e as Error).message));
  }
  try {
    const found = await getJson<{ uid: string; title: string }[]>(ep, "/api/search?type=dash-db&limit=5000", t);
    const want = expected.dashboards;
    if (want === undefined) out.push(pass("grafana dashboards", `${found.length} dashboards`));
    else if (found.length === want) out.push(pass("grafana dashboards", `${found.length} of ${want} provisioned`));
    else
      out.push(
        fail(
          "grafana dashboards",
          `${found.length} found, ${want} provisioned (a dashboard file Grafana could not load, or one made by hand): ${found.map((d) => d.title).join(", ")}`,
        ),
      );
  } catch (e) {
    out.push(fail("grafana dashboards", (e as Error).message));
  }
  return out;
}
