// HTTP for the doctor: bounded, with basic auth, and errors that say which call failed and how
// (connection refused, timeout, HTTP status with the start of the body).
import { Endpoint } from "./types";

export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
}

/** The cause of a failed fetch as a short phrase (Node wraps it: "fetch failed" + cause). */
export function fetchError(e: unknown): string {
  // Duck-typed: errors from another realm (jest's sandbox) are not `instanceof Error` here.
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } } | undefined;
  if (err?.name === "TimeoutError" || err?.name === "AbortError") return "no answer in time";
  return err?.cause?.message ?? err?.cause?.code ?? err?.message ?? String(e);
}

export function basicAuth(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` };
}

export async function request(
  ep: Endpoint,
  path: string,
  timeoutMs: number,
  init: { method?: string; body?: string; auth?: boolean } = {},
): Promise<HttpAnswer> {
  const url = `${ep.url.replace(/\/$/, "")}${path}`;
  const headers: Record<string, string> = { accept: "application/json" };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (init.auth !== false && ep.user !== undefined && ep.password !== undefined) Object.assign(headers, basicAuth(ep.user, ep.password));
  try {
    const res = await fetch(url, { method: init.method ?? "GET", headers, body: init.body, signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, text: await res.text() };
  } catch (e) {
    throw new Error(`${init.method ?? "GET"} ${url}: ${fetchError(e)}`);
  }
}

/** GET that must answer 200 with JSON; throws a one-line reason otherwise. */
export async function getJson<T>(ep: Endpoint, path: string, timeoutMs: number, auth = true): Promise<T> {
  const r = await request(ep, path, timeoutMs, { auth });
  if (r.status !== 200) throw new Error(`GET ${ep.url}${path}: HTTP ${r.status} ${r.text.trim().slice(0, 200)}`);
  try {
    return JSON.parse(r.text) as T;
  } catch {
    throw new Error(`GET ${ep.url}${path}: not JSON: ${r.text.trim().slice(0, 200)}`);
  }
}

/** Prometheus-style API envelope ({status, data}). */
export async function getData<T>(ep: Endpoint, path: string, timeoutMs: number): Promise<T> {
  const body = await getJson<{ status: string; data: T; error?: string }>(ep, path, timeoutMs);
  if (body.status !== "success") throw new Error(`GET ${ep.url}${path}: ${body.error ?? body.status}`);
  return body.data;
}
