// Alloy pipeline that ships every container's logs to Loki:
//   discovery.docker → discovery.relabel → loki.source.docker → loki.process → loki.write
// Stream labels are kept to three low-cardinality names (container, service, level); anything
// per request stays in the log line, where LogQL's parsers reach it. Pure: no Pulumi here.

import { SOCKET_PROXY_DOCKER_HOST } from "./socket-proxy";

/** Component label used for every block of the pipeline. */
const NAME = "containers";

/** The only stream labels this pipeline produces. */
export const ALLOY_STREAM_LABELS = ["container", "service", "level"] as const;

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
  /** Loki push endpoint, e.g. http://loki:3100/loki/api/v1/push. */
  readonly lokiPushUrl: string;
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

export function renderAlloyConfig(input: AlloyConfigInput): string {
  if (!/^https?:\/\/[^\s/]+\/\S*$/.test(input.lokiPushUrl)) {
    throw new Error(`lokiPushUrl ${JSON.stringify(input.lokiPushUrl)} is not an http(s) URL with a path`);
  }
  const dockerHost = input.dockerHost ?? ALLOY_DOCKER_HOST;
  if (!/^(unix:\/\/\/[A-Za-z0-9_./-]+|tcp:\/\/[a-z0-9.-]+:\d{1,5})$/.test(dockerHost)) {
    throw new Error(`Alloy dockerHost ${JSON.stringify(dockerHost)} is not unix:///<socket path> or tcp://<host>:<port>`);
  }
  const refresh = checkDuration("refreshInterval", input.refreshInterval ?? "15s");
  const dropOlderThan = checkDuration("dropOlderThan", input.dropOlderThan ?? "168h");
  const q = alloyString;
  const [container, service, level] = ALLOY_STREAM_LABELS;

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
    target_label  = ${q(container)}
  }

  rule {
    source_labels = ${alloyStringList(["__meta_docker_container_label_service"])}
    target_label  = ${q(service)}
  }
}

loki.source.docker ${q(NAME)} {
  host          = ${q(dockerHost)}
  targets       = discovery.relabel.${NAME}.output
  relabel_rules = discovery.relabel.${NAME}.rules
  forward_to    = [loki.process.${NAME}.receiver]
}

loki.process ${q(NAME)} {
  // Loki rejects lines older than its reject_old_samples_max_age; drop them here instead of
  // retrying them after a long outage.
  stage.drop {
    older_than          = ${q(dropOlderThan)}
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

  forward_to = [loki.write.${NAME}.receiver]
}

loki.write ${q(NAME)} {
  endpoint {
    url = ${q(input.lokiPushUrl)}
  }
}
`;
}
