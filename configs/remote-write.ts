// prometheus.yml `remote_write` from plain values: where the samples go, how Prometheus
// authenticates, and a queue sized for the series the stack expects to hold. Alerts keep
// evaluating on the local Prometheus; the remote store is for long-term queries.
import { durationMs } from "./value-checks";

/** Credentials for a generic endpoint, always read by Prometheus from a file. */
export type RemoteWriteAuth =
  | { readonly kind: "basic"; readonly username: string; readonly passwordFile: string }
  | { readonly kind: "bearer"; readonly credentialsFile: string };

export type RemoteWriteTarget =
  /** Amazon Managed Service for Prometheus: SigV4 with the instance role's credentials. */
  | { readonly kind: "amp"; readonly url: string; readonly region: string }
  /** Any remote-write receiver (Mimir, Thanos Receive, VictoriaMetrics, Cortex). */
  | { readonly kind: "url"; readonly url: string; readonly auth?: RemoteWriteAuth };

export interface RemoteWriteInput {
  readonly target: RemoteWriteTarget;
  /** Active series the stack is sized for (the queue is sized from the sample rate they give). */
  readonly expectedSeries: number;
  readonly scrapeInterval: string;
}

/** `remote_name` label of the queue's metrics, used by the alerts and the Stack health panels. */
export const REMOTE_WRITE_NAME = { amp: "amp", url: "remote" } as const;

/**
 * Samples per request: Prometheus 3's default. Bigger batches compress better, but a failed
 * request then retries more samples at once.
 */
export const MAX_SAMPLES_PER_SEND = 2000;
/**
 * Throughput assumed for one shard: one request in flight, 2000 samples, 500 ms per round trip
 * (a slow cross-region write; within a region it is usually under 100 ms, so this errs on the
 * side of more shards).
 */
export const SAMPLES_PER_SHARD_PER_SECOND = MAX_SAMPLES_PER_SEND / 0.5;
/**
 * How much faster than the scrape rate the queue may send when it is behind: after an outage
 * of D minutes the backlog drains in about D / (CATCH_UP_FACTOR - 1) minutes, well inside the
 * 2 hours the WAL keeps.
 */
export const CATCH_UP_FACTOR = 4;
/** Prometheus' own bounds for max_shards are 50 by default; a very large stack may need more. */
const MIN_MAX_SHARDS = 4;
const MAX_MAX_SHARDS = 200;

export interface QueueConfig {
  readonly capacity: number;
  readonly min_shards: number;
  readonly max_shards: number;
  readonly max_samples_per_send: number;
  readonly batch_send_deadline: string;
  readonly min_backoff: string;
  readonly max_backoff: string;
}

/**
 * The queue for `expectedSeries` scraped every `scrapeInterval`:
 * - min_shards: enough shards for the steady sample rate from the start, instead of waiting
 *   for Prometheus to reshard up from 1 after every restart;
 * - max_shards: CATCH_UP_FACTOR times that, so a backlog (after the receiver was away) drains
 *   while new samples keep arriving;
 * - capacity: 5 requests' worth per shard (the Prometheus docs recommend 3 to 10 times
 *   max_samples_per_send), so a slow request does not block the WAL reader at once.
 * Memory held by the queue is bounded by max_shards * (capacity + max_samples_per_send) samples.
 */
export function queueConfig(expectedSeries: number, scrapeInterval: string): QueueConfig {
  const ms = durationMs(scrapeInterval);
  const interval = ms === undefined ? 0 : ms / 1000;
  if (!(expectedSeries > 0) || !(interval > 0)) {
    throw new Error(`queueConfig: expected series (${expectedSeries}) and scrape interval (${scrapeInterval}) must be positive`);
  }
  const samplesPerSecond = expectedSeries / interval;
  const steady = Math.max(1, Math.ceil(samplesPerSecond / SAMPLES_PER_SHARD_PER_SECOND));
  const max = Math.min(
    MAX_MAX_SHARDS,
    Math.max(MIN_MAX_SHARDS, Math.ceil((samplesPerSecond * CATCH_UP_FACTOR) / SAMPLES_PER_SHARD_PER_SECOND)),
  );
  return {
    capacity: 5 * MAX_SAMPLES_PER_SEND,
    min_shards: Math.min(steady, max),
    max_shards: max,
    max_samples_per_send: MAX_SAMPLES_PER_SEND,
    batch_send_deadline: "5s",
    min_backoff: "30ms",
    max_backoff: "5s",
  };
}

/** One entry of prometheus.yml `remote_write`. */
export function remoteWriteConfig(input: RemoteWriteInput): Record<string, unknown> {
  const t = input.target;
  const base = {
    url: t.url,
    name: REMOTE_WRITE_NAME[t.kind],
    remote_timeout: "30s",
    queue_config: queueConfig(input.expectedSeries, input.scrapeInterval),
    // Series metadata (type, help) is sent too, so the remote store's query UI can show it.
    metadata_config: { send: true, send_interval: "1m" },
  };
  if (t.kind === "amp") {
    // No keys: the SDK's default chain finds the instance role through IMDSv2.
    return { ...base, sigv4: { region: t.region } };
  }
  if (!t.auth) return base;
  if (t.auth.kind === "basic") {
    return { ...base, basic_auth: { username: t.auth.username, password_file: t.auth.passwordFile } };
  }
  return { ...base, authorization: { type: "Bearer", credentials_file: t.auth.credentialsFile } };
}

/** AMP's remote-write URL from the workspace endpoint (https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>/). */
export function ampRemoteWriteUrl(endpoint: string): string {
  return `${endpoint.replace(/\/?$/, "/")}api/v1/remote_write`;
}
