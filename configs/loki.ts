// Loki 3.7 single binary (`-target=all`): TSDB index + chunks on the local volume (dev) or in
// S3 through the instance profile (prod), retention by the compactor, and the ruler for the
// LogQL alert rules in rules/loki/. Pure: no Pulumi here.
import * as yaml from "js-yaml";
import { CATALOG } from "../catalog/containers";
import { AWS_REGION_PATTERN } from "./patterns";

/** Where the data volume is mounted; `common.path_prefix` derives the index/compactor dirs. */
export const LOKI_DATA_DIR = "/loki";
export const LOKI_CONFIG_PATH = "/etc/loki/config.yaml";
/** With auth disabled every request belongs to this tenant. */
export const LOKI_TENANT = "fake";
/** Where the log agent pushes, on every Loki (one host's, or each of the pair's). */
export const LOKI_PUSH_PATH = "/loki/api/v1/push";
/**
 * Rule storage of the ruler (type local). Deliberately OUTSIDE the data volume: the rule files
 * are container uploads, and uploads into a volume would survive the container, so a rule
 * removed from rules/loki/ would keep firing forever.
 */
export const LOKI_RULER_DIR = "/etc/loki/rules";
/** Files of the single tenant: `<LOKI_RULER_DIR>/fake/<file>`. */
export const LOKI_RULER_TENANT_DIR = `${LOKI_RULER_DIR}/${LOKI_TENANT}`;
/** Scratch directory the ruler writes evaluated copies to (inside the writable volume). */
export const LOKI_RULER_TEMP_DIR = `${LOKI_DATA_DIR}/rules-temp`;
/** Lines older than this are rejected; keep the log agent's drop stage at or below it. */
export const LOKI_REJECT_OLD_SAMPLES_MAX_AGE = "168h";
/**
 * First day of the v13/tsdb schema. Fixed: moving it would orphan data written before it. A
 * later schema change appends a new entry with a future date instead of editing this one.
 */
export const LOKI_SCHEMA_FROM = "2024-04-01";

export type LokiStorage =
  | { readonly kind: "filesystem" }
  | {
      readonly kind: "s3";
      readonly bucket: string;
      readonly region: string;
    };

export interface LokiConfigInput {
  readonly storage: LokiStorage;
  /** Loki duration in whole days, e.g. "30d" or "720h"; "0s" keeps logs forever. */
  readonly retentionPeriod: string;
  /**
   * Every Alertmanager the ruler sends alerts to, e.g. [http://alertmanager:9093]; on the
   * redundant pair both members' (each Alertmanager of a cluster must get every alert, never
   * through a load balancer). Loki 3.7 takes them as one comma-separated `alertmanager_url`, each
   * URL a group of its own (pkg/ruler/base/ruler.go flag help, notifier.go buildNotifierConfig);
   * `enable_alertmanager_discovery` stays unset (false): with it each URL would have to be a DNS
   * SRV name.
   */
  readonly alertmanagerUrls: readonly string[];
  /** Default "info". */
  readonly logLevel?: "debug" | "info" | "warn" | "error";
}

/** The ruler path of a rule file; rejects names that would escape the tenant directory. */
export function lokiRuleFilePath(file: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*\.ya?ml$/.test(file)) {
    throw new Error(`Loki rule file name ${JSON.stringify(file)} is not accepted; use a plain file name ending in .yml or .yaml`);
  }
  return `${LOKI_RULER_TENANT_DIR}/${file}`;
}

export function renderLokiConfig(input: LokiConfigInput): string {
  const s3 = input.storage.kind === "s3" ? input.storage : undefined;
  if (s3) {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(s3.bucket)) {
      throw new Error(`Loki S3 bucket ${JSON.stringify(s3.bucket)} is not a valid bucket name`);
    }
    if (!AWS_REGION_PATTERN.test(s3.region)) {
      throw new Error(`Loki S3 region ${JSON.stringify(s3.region)} is not an AWS region such as eu-west-1`);
    }
  }
  const amUrls = input.alertmanagerUrls;
  if (amUrls.length === 0) throw new Error("alertmanagerUrls is empty; give at least one Alertmanager URL");
  for (const url of amUrls) {
    // No comma: Loki splits the list on commas.
    if (!/^https?:\/\/[^\s/,]+[^\s,]*$/.test(url)) {
      throw new Error(`alertmanagerUrls: ${JSON.stringify(url)} is not an http(s) URL (without spaces or commas)`);
    }
  }
  const repeated = amUrls.filter((u, i) => amUrls.indexOf(u) !== i);
  if (repeated.length > 0) throw new Error(`alertmanagerUrls: ${JSON.stringify(repeated[0])} is given twice`);
  if (!/^(\d+(y|w|d|h|m|s|ms))+$/.test(input.retentionPeriod)) {
    throw new Error(`Loki retentionPeriod ${JSON.stringify(input.retentionPeriod)} is not a duration such as 30d or 720h`);
  }
  const objectStore = s3 ? "s3" : "filesystem";

  const config = {
    auth_enabled: false,
    server: {
      http_listen_port: CATALOG.loki.port,
      grpc_listen_port: 9096,
      log_level: input.logLevel ?? "info",
    },
    common: {
      path_prefix: LOKI_DATA_DIR,
      replication_factor: 1,
      // One process: ring members talk to themselves over loopback.
      instance_addr: "127.0.0.1",
      ring: { kvstore: { store: "inmemory" } },
    },
    schema_config: {
      configs: [
        {
          from: LOKI_SCHEMA_FROM,
          store: "tsdb",
          object_store: objectStore,
          schema: "v13",
          // Retention works on whole index periods, so it must be 24h.
          index: { prefix: "index_", period: "24h" },
        },
      ],
    },
    storage_config: s3
      ? {
          // Classic client; no keys: the AWS SDK chain picks up the instance profile (IMDSv2).
          aws: { bucketnames: s3.bucket, region: s3.region, s3forcepathstyle: false, insecure: false },
        }
      : { filesystem: { directory: `${LOKI_DATA_DIR}/chunks` } },
    compactor: {
      working_directory: `${LOKI_DATA_DIR}/compactor`,
      compaction_interval: "10m",
      retention_enabled: true,
      retention_delete_delay: "2h",
      // Required with retention_enabled: Loki refuses to start without it.
      delete_request_store: objectStore,
    },
    limits_config: {
      retention_period: input.retentionPeriod,
      reject_old_samples: true,
      reject_old_samples_max_age: LOKI_REJECT_OLD_SAMPLES_MAX_AGE,
      allow_structured_metadata: true,
      volume_enabled: true,
    },
    query_range: {
      results_cache: { cache: { embedded_cache: { enabled: true, max_size_mb: 100 } } },
    },
    ruler: {
      storage: { type: "local", local: { directory: LOKI_RULER_DIR } },
      rule_path: LOKI_RULER_TEMP_DIR,
      alertmanager_url: amUrls.join(","),
      enable_api: true,
      ring: { kvstore: { store: "inmemory" } },
    },
    analytics: { reporting_enabled: false },
  };
  return yaml.dump(config, { lineWidth: -1, noRefs: true });
}
