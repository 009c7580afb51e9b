// Alloy pipeline that ships every container's logs to Loki:
//   discovery.docker → discovery.relabel → loki.source.docker → loki.process → loki.write
// Stream labels are kept to three low-cardinality names (container, service, level); anything
// per request stays in the log line, where LogQL's parsers reach it. Pure: no Pulumi here.
//
// On the redundant pair (issue 22) every host writes to two independent Lokis, and one Loki that
// is slow or down must not stall the other. What Alloy v1.18.1 does (grafana/alloy at v1.18.1):
// - A source's `forward_to` with two receivers is a loki.Fanout
//   (internal/component/common/loki/fanout.go): it hands each entry to every receiver in turn,
//   on unbuffered channels, so one receiver that stops reading blocks the entry for all of them.
// - loki.write with two `endpoint` blocks is no better: its client fans out the same way
//   (common/loki/client/consumer_fanout.go; the loki.write docs say one bottlenecked endpoint
//   "may impact the rest").
// - A loki.write stops reading when its queue is full: `queue_config.block_on_overflow` defaults
//   to true (loki/write/types.go), and endpoint.enqueue then waits until a batch leaves. Setting it
//   to false drops instead, but queue_config needs `--stability.level=experimental`
//   (write.go validateConfigStabilityLevel), and a Loki down for more than a few minutes would
//   then miss nearly all of its outage.
// - Each batch is retried with backoff from min_backoff_period 500ms doubling (with jitter) to
//   max_backoff_period 5m, and given up after max_backoff_retries 10 attempts (about 4 to 9
//   minutes, client/shards.go sendBatch and dskit backoff); 0 means "retry forever" (types.go,
//   dskit backoff.Ongoing). The queue holds queue_config.capacity 10MiB of 1MiB batches.
// - loki.source.docker advances its positions (one file per component, in the component's data
//   directory) only once an entry has been handed on, and Docker keeps the rest in the
//   container's log files.
// So with more than one Loki each gets a pipeline of its own — source, process, write — and
// only discovery is shared: a stalled pipeline holds back only its own Loki, and because its
// endpoint retries forever (GA settings only, no experimental flag) nothing is dropped; the
// lines wait in Docker's log files (LOG_ROTATION: 3 × 10 MB per container) and are sent in
// order when that Loki is back. What such a Loki still misses: lines Docker rotated away or
// removed with their container meanwhile, lines older than dropOlderThan, and what is held in
// memory (the 10MiB queue, the batch being filled and the one being retried, about 12 MiB) if
// Alloy itself restarts during the outage.
// With one Loki the pipeline stays as it was (default retries; blocking is the right back
// pressure when there is nothing else to feed).

import { MEMBER_LABEL } from "./cluster";
import { SOCKET_PROXY_DOCKER_HOST } from "./socket-proxy";

/** Component label used for every block of the pipeline. */
const NAME = "containers";

/** The only stream labels this pipeline produces (on one host). */
export const ALLOY_STREAM_LABELS = ["container", "service", "level"] as const;
/** The fourth stream label on the redundant pair: which member's container wrote the line. */
export const ALLOY_MEMBER_LABEL = MEMBER_LABEL;

/**
 * The Docker API as Alloy reaches it: the socket proxy (configs/socket-proxy.ts), which forwards
 * only the read-only calls discovery.docker and loki.source.docker make. Alloy never mounts the
 * socket itself.
 */
export const ALLOY_DOCKER_HOST = SOCKET_PROXY_DOCKER_HOST;
export const ALLOY_CONFIG_PATH = "/etc/alloy/config.alloy";
export const ALLOY_DATA_DIR = "/var/lib/alloy/data";

/**
 * Canonical level → spellings seen in JSON logs (compared lower-cased; the numbers are
 * pino/bunyan levels). Levels outside this table get no label at all, so a misbehaving
 * application cannot grow the stream count.
 */
export const LEVEL_ALIASES: Readonly<Record<string, readonly string[]>> = {
  critical: ["critical", "crit", "fatal", "panic", "dpanic", "emerg", "emergency", "alert", "60"],
  error: ["error", "err", "eror", "50"],
  warning: ["warning", "warn", "40"],
  info: ["info", "information", "informational", "notice", "30"],
  debug: ["debug", "dbug", "20"],
  trace: ["trace", "10"],
};

/** JSON keys (JMESPath) the level is read from, first match wins. */
export const LEVEL_KEYS = ["level", "lvl", "severity", "log.level", "levelname"] as const;

export interface AlloyConfigInput {
  /**
   * Loki push endpoints, e.g. http://loki:3100/loki/api/v1/push: one, or on the redundant pair
   * every member's Loki (each then gets its own pipeline, see the top of this file).
   */
  readonly lokiPushUrls: readonly string[];
  /**
   * The pair member this host is (configs/cluster.ts PAIR_MEMBERS): added to every stream as the
   * label MEMBER_LABEL, so the same container name on the two hosts makes two streams in each Loki
   * instead of one stream fed by both. Default none (one host: no such label).
   */
  readonly member?: string;
  /** Docker API as seen from inside the Alloy container. Default ALLOY_DOCKER_HOST (the socket proxy). */
  readonly dockerHost?: string;
  /** How often containers are rediscovered. Default "15s". */
  readonly refreshInterval?: string;
  /**
   * Lines older than this are dropped before sending (Loki would reject them anyway).
   * Default "168h", Loki's reject_old_samples_max_age.
   */
  readonly dropOlderThan?: string;
}

/** An Alloy string literal: double-quoted, with Go-style escapes. */
export function alloyString(value: string): string {
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value)) {
    throw new Error(`${JSON.stringify(value)} holds a lone UTF-16 surrogate and cannot be written to an Alloy file`);
  }
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return out + '"';
}

function alloyStringList(values: readonly string[]): string {
  return `[${values.map(alloyString).join(", ")}]`;
}

function checkDuration(key: string, v: string): string {
  if (!/^(\d+(h|m|s|ms))+$/.test(v)) throw new Error(`Alloy ${key} ${JSON.stringify(v)} is not a duration such as 15s or 168h`);
  return v;
}

/**
 * Go template for stage.template: lower-cases the extracted level and maps it onto
 * LEVEL_ALIASES; an unknown or missing level renders empty, which removes the value.
 */
export function levelTemplate(): string {
  const branches = Object.entries(LEVEL_ALIASES).map(
    ([canonical, aliases], i) => `{{ ${i === 0 ? "if" : "else if"} eq $l ${aliases.map((a) => JSON.stringify(a)).join(" ")} }}${canonical}`,
  );
  return `{{ with .Value }}{{ $l := ToLower . }}${branches.join("")}{{ end }}{{ end }}`;
}

/** The label of the pipeline (source, process, write) feeding the i-th Loki. */
export function alloyPipelineLabel(i: number): string {
  return i === 0 ? NAME : `${NAME}_${i}`;
}

function checkPushUrls(urls: readonly string[]): readonly string[] {
  if (urls.length === 0) throw new Error("lokiPushUrls is empty; give at least one Loki push URL");
  for (const url of urls) {
    if (!/^https?:\/\/[^\s/]+\/\S*$/.test(url)) {
      throw new Error(`lokiPushUrls: ${JSON.stringify(url)} is not an http(s) URL with a path`);
    }
  }
  const repeated = urls.filter((u, i) => urls.indexOf(u) !== i);
  if (repeated.length > 0) {
    throw new Error(`lokiPushUrls: ${JSON.stringify(repeated[0])} is given twice; every line would be written twice to that Loki`);
  }
  return urls;
}

export function renderAlloyConfig(input: AlloyConfigInput): string {
  const urls = checkPushUrls(input.lokiPushUrls);
  const dockerHost = input.dockerHost ?? ALLOY_DOCKER_HOST;
  if (!/^(unix:\/\/\/[A-Za-z0-9_./-]+|tcp:\/\/[a-z0-9.-]+:\d{1,5})$/.test(dockerHost)) {
    throw new Error(`Alloy dockerHost ${JSON.stringify(dockerHost)} is not unix:///<socket path> or tcp://<host>:<port>`);
  }
  if (input.member !== undefined && !/^[a-z0-9][a-z0-9-]*$/.test(input.member)) {
    throw new Error(`Alloy member ${JSON.stringify(input.member)} is not a pair member name such as "a"`);
  }
  const refresh = checkDuration("refreshInterval", input.refreshInterval ?? "15s");
  const dropOlderThan = checkDuration("dropOlderThan", input.dropOlderThan ?? "168h");
  const q = alloyString;

  return `// Rendered by observability-stack (configs/alloy.ts); edits here are overwritten.

// Every container on the Docker host. Targets repeat per exposed port; loki.source.docker
// tails each container once.
discovery.docker ${q(NAME)} {
  host             = ${q(dockerHost)}
  refresh_interval = ${q(refresh)}
}

// Stream labels: the container name without Docker's leading "/", and the \`service\` label
// every stack container carries (application containers may set it too).
discovery.relabel ${q(NAME)} {
  targets = discovery.docker.${NAME}.targets

  rule {
    source_labels = ${alloyStringList(["__meta_docker_container_name"])}
    regex         = ${q("/?(.*)")}
    target_label  = ${q(ALLOY_STREAM_LABELS[0])}
  }

  rule {
    source_labels = ${alloyStringList(["__meta_docker_container_label_service"])}
    target_label  = ${q(ALLOY_STREAM_LABELS[1])}
  }
}
${urls
  .map((url, i) => pipeline(alloyPipelineLabel(i), { url, dockerHost, dropOlderThan, member: input.member, retryForever: urls.length > 1 }))
  .join("")}`;
}

/** One Loki's pipeline: tail every container, label the level, push. */
function pipeline(
  label: string,
  p: { url: string; dockerHost: string; dropOlderThan: string; member?: string; retryForever: boolean },
): string {
  const q = alloyString;
  const level = ALLOY_STREAM_LABELS[2];
  const retry = p.retryForever
    ? `
    // One pipeline per Loki: retrying forever stalls only this one, and the lines wait in
    // Docker's log files until this Loki answers (see configs/alloy.ts).
    max_backoff_retries = 0`
    : "";
  const external = p.member !== undefined ? `\n\n  external_labels = { ${ALLOY_MEMBER_LABEL} = ${q(p.member)} }` : "";
  return `
loki.source.docker ${q(label)} {
  host          = ${q(p.dockerHost)}
  targets       = discovery.relabel.${NAME}.output
  relabel_rules = discovery.relabel.${NAME}.rules
  forward_to    = [loki.process.${label}.receiver]
}

loki.process ${q(label)} {
  // Loki rejects lines older than its reject_old_samples_max_age; drop them here instead of
  // retrying them after a long outage.
  stage.drop {
    older_than          = ${q(p.dropOlderThan)}
    drop_counter_reason = ${q("too_old")}
  }

  // JSON logs: take the level from the first key that has one. Non-JSON lines pass through.
  stage.json {
    expressions = { ${level} = ${q(LEVEL_KEYS.join(" || "))} }
  }

  // Normalise spellings (WARN, warn, Warning → warning); unknown values get no label.
  stage.template {
    source   = ${q(level)}
    template = ${q(levelTemplate())}
  }

  stage.labels {
    values = { ${level} = ${q(level)} }
  }

  forward_to = [loki.write.${label}.receiver]
}

loki.write ${q(label)} {
  endpoint {
    url${p.retryForever ? "                " : ""} = ${q(p.url)}${retry}
  }${external}
}
`;
}
