// Which latency histogram buckets the stack stores: one list of metric_relabel_configs, applied
// to every scrape job of application services (listed ones and those found by EC2 discovery).

/**
 * The buckets of `http_request_duration_seconds` the stack stores: le from 0.1 to 2.5 seconds,
 * and +Inf. Of prom-client's default buckets that keeps 0.1, 0.25, 0.5, 1, 2.5 and +Inf and drops
 * 0.005, 0.01, 0.025, 0.05, 5 and 10: half the bucket series, which are most of an application's
 * series and what the latency rules read every evaluation.
 *
 * No alert changes meaning: histogram_quantile interpolates only inside the bucket the quantile
 * falls in, so whether p50 > 0.2s, p95 > 0.5s or p99 > 1s depends only on the boundaries around
 * each threshold (0.1-0.25, 0.25-0.5, 0.5-1) and on one boundary above the highest (2.5, so a p99
 * beyond 1s is not capped at 1s). Finer buckets below 100 ms and coarser ones above 2.5s only
 * sharpen the quantile *value* far from every threshold. A service with its own boundaries keeps
 * those between 0.1 and 2.5 (docs/operating.md, "Metric contract").
 *
 * Prometheus 3 writes `le` as a float ("1.0", "5.0", "0.005"; exponents as "1e-05"), which is
 * what the patterns match.
 */
export const LATENCY_BUCKET_RELABEL: Record<string, unknown>[] = [
  {
    source_labels: ["__name__", "le"],
    // Below 0.1: 0.0x, 0.00x, ..., and exponent forms of small numbers.
    regex: "http_request_duration_seconds_bucket;(0|0\\.0[0-9]*|[0-9.]+e-[0-9]+)",
    action: "drop",
  },
  {
    source_labels: ["__name__", "le"],
    // Above 2.5: 2.5x (x > 0), 2.6-2.9x, 3-9.x, 10 and more, and exponent forms of large numbers.
    regex:
      "http_request_duration_seconds_bucket;(2\\.5[0-9]*[1-9][0-9]*|2\\.[6-9][0-9]*|[3-9](\\.[0-9]+)?|[1-9][0-9]+(\\.[0-9]+)?|[0-9.]+e\\+?[0-9]+)",
    action: "drop",
  },
];
