// What rolling a change out does to the running stack, read from the resource diff of the two
// renderings: what holds data and is replaced or deleted (first, loudly), which containers are
// replaced (they stop and start again) or updated in place, where each changed alert goes and
// how long it takes at worst to notify, and what a changed scrape or evaluation interval does to
// every rule. Pure: no Pulumi import.
import { SECRETS_FOR_LABEL } from "../../../configs/docker";
import { Alertmanager, CONTAINER, Rule, Snapshot, SnapshotResource, StackModel } from "./model";
import { code } from "./diff";
import { DATA_LOSS } from "./markdown";

type Obj = Record<string, unknown>;

const VOLUME = "docker:index/volume:Volume";
const BUCKETS = new Set(["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"]);
const INSTANCE = "aws:ec2/instance:Instance";

/**
 * Container inputs the Docker provider changes without recreating the container: the ones its
 * update calls `docker update` for (kreuzwerker/terraform-provider-docker,
 * resourceDockerContainerUpdate: restart, max_retry_count, cpu_shares, memory, cpu_set,
 * memory_swap) and destroy_grace_seconds, which is neither ForceNew nor sent to Docker (it is
 * read when the container is deleted). Every other input is ForceNew: a change recreates it.
 */
const CONTAINER_IN_PLACE = new Set(["restart", "maxRetryCount", "cpuShares", "memory", "cpuSet", "memorySwap", "destroyGraceSeconds"]);
/**
 * aws_s3_bucket inputs marked ForceNew (bucket, bucket_prefix, object_lock_enabled), and the
 * region (Pulumi aws v7's per-resource region: a bucket cannot move).
 */
const BUCKET_REPLACE = new Set(["bucket", "bucketPrefix", "objectLockEnabled", "region"]);
/**
 * aws_instance inputs marked ForceNew (hashicorp/terraform-provider-aws
 * internal/service/ec2/ec2_instance.go, resourceInstance), and the region; root_block_device's
 * encrypted and kms_key_id are checked apart (its size and type change in place).
 */
const INSTANCE_REPLACE = new Set([
  "ami",
  "associatePublicIpAddress",
  "availabilityZone",
  "cpuCoreCount",
  "cpuOptions",
  "cpuThreadsPerCore",
  "ebsBlockDevices",
  "ebsOptimized",
  "enclaveOptions",
  "ephemeralBlockDevices",
  "hibernation",
  "hostId",
  "instanceMarketOptions",
  "ipv6Addresses",
  "keyName",
  "launchTemplate",
  "networkInterfaces",
  "placementGroup",
  "placementPartitionNumber",
  "privateDnsNameOptions",
  "privateIp",
  "region",
  "securityGroups",
  "subnetId",
  "tenancy",
]);
/**
 * aws_instance inputs whose change stops and starts the instance (every container restarts):
 * the instance type (the provider replaces only across CPU architectures, which the program's
 * x86_64 AMI does not allow) and the user data, unless userDataReplaceOnChange makes that a
 * replacement.
 */
const INSTANCE_STOP_START = new Set(["instanceType", "userData", "userDataBase64"]);

/** Seconds in a Prometheus duration (`1h30m`, `15s`, `500ms`); undefined when not one. */
export function durationSeconds(text: string | undefined): number | undefined {
  if (text === undefined || !/^(\d+(ms|s|m|h|d|w|y))+$/.test(text)) return undefined;
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  let total = 0;
  for (const [, n, u] of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(n) * unit[u];
  return total;
}

/** `10m55s`, `1h`, `0s`. */
export function formatSeconds(seconds: number): string {
  if (seconds === 0) return "0s";
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [u, n] of [
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (rest >= n) {
      parts.push(`${Math.floor(rest / n)}${u}`);
      rest %= n;
    }
  }
  return parts.join("");
}

function key(r: SnapshotResource): string {
  return `${r.type} ${r.name}`;
}

function changedInputs(a: Obj, b: Obj): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

function labelOf(r: SnapshotResource, label: string): string | undefined {
  return ((r.inputs.labels as { label: string; value: string }[] | undefined) ?? []).find((l) => l.label === label)?.value;
}

/** Paths of the uploaded files that differ, are new or are gone. */
function changedFiles(a: Obj, b: Obj): string[] {
  const files = (o: Obj) => new Map(((o.uploads as Obj[] | undefined) ?? []).map((u) => [String(u.file), JSON.stringify(u)]));
  const x = files(a);
  const y = files(b);
  return [...new Set([...x.keys(), ...y.keys()])].filter((f) => x.get(f) !== y.get(f)).sort();
}

function listed(items: readonly string[], max = 3): string {
  const shown = items.slice(0, max).map(code).join(", ");
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/** What stops while a service is replaced, for the services whose pause a reviewer should weigh. */
const PAUSE: Readonly<Record<string, string>> = {
  prometheus: "no scrapes and no rule evaluation until it is up again (a gap in every graph; alerts wait)",
  alertmanager: "no notifications until it is up again (alerts Prometheus sends meanwhile are retried)",
  grafana: "the UI is unavailable for the restart",
  loki: "no log ingestion or log alerts until it is up again (Alloy retries its pushes)",
  alloy: "no log shipping until it is up again",
};

/** Data-loss risks, then containers: one line each. */
function resourceLines(base: Snapshot, head: Snapshot): { risks: string[]; containers: string[] } {
  const before = new Map(base.resources.map((r) => [key(r), r]));
  const after = new Map(head.resources.map((r) => [key(r), r]));
  const risks: string[] = [];
  const replaced = new Map<string, string>();
  const inPlace = new Map<string, string[]>();
  const added: string[] = [];
  const removed: string[] = [];
  const writerReplaced = new Set<string>();

  for (const [k, a] of before) {
    const b = after.get(k);
    const name = String(a.inputs.name ?? a.name);
    // Every input of docker_volume is ForceNew (name, driver, driver_opts, labels); a secrets
    // volume holds nothing its writer does not write again.
    if (a.type === VOLUME && !name.endsWith("-secrets")) {
      if (!b)
        risks.push(
          `${DATA_LOSS}: volume ${code(name)} is removed from the stack (a data volume is retained on the host but no longer used)`,
        );
      else if (changedInputs(a.inputs, b.inputs).length > 0) {
        risks.push(
          `${DATA_LOSS}: volume ${code(name)} is replaced (${changedInputs(a.inputs, b.inputs).join(", ")} changed): its containers start on an empty volume`,
        );
      }
    } else if (BUCKETS.has(a.type)) {
      const forced = b ? changedInputs(a.inputs, b.inputs).filter((f) => BUCKET_REPLACE.has(f)) : [];
      if (!b) risks.push(`${DATA_LOSS}: bucket ${code(a.name)} is deleted (a protected bucket stops \`pulumi up\` instead)`);
      else if (forced.length > 0)
        risks.push(`${DATA_LOSS}: bucket ${code(a.name)} is replaced (${forced.join(", ")} changed): a new, empty bucket`);
    } else if (a.type === INSTANCE) {
      const changed = b ? changedInputs(a.inputs, b.inputs) : [];
      const forced = changed.filter(
        (f) => INSTANCE_REPLACE.has(f) || (f === "rootBlockDevice" && rootDeviceReplaced(a.inputs, b?.inputs ?? {})),
      );
      if (b?.inputs.userDataReplaceOnChange === true) forced.push(...changed.filter((f) => f === "userData" || f === "userDataBase64"));
      if (!b)
        risks.push(
          `${DATA_LOSS}: EC2 instance ${code(a.name)} is deleted, with every volume on its disk (Prometheus, Grafana, Alertmanager data)`,
        );
      else if (forced.length > 0) {
        risks.push(
          `${DATA_LOSS}: EC2 instance ${code(a.name)} is replaced (${forced.join(", ")} changed): a new host with empty Docker volumes (Prometheus, Grafana, Alertmanager data); restore from the backup bucket`,
        );
      } else {
        const stopStart = changed.filter((f) => INSTANCE_STOP_START.has(f));
        if (stopStart.length > 0)
          risks.push(
            `EC2 instance ${code(a.name)} is stopped and started (${stopStart.join(", ")} changed): every container restarts; data volumes stay`,
          );
      }
    } else if (a.type === CONTAINER) {
      const writerOf = labelOf(a, SECRETS_FOR_LABEL);
      if (!b) {
        if (writerOf === undefined) removed.push(name);
        continue;
      }
      const changed = changedInputs(a.inputs, b.inputs);
      const forcing = changed.filter((f) => !CONTAINER_IN_PLACE.has(f));
      if (writerOf !== undefined) {
        if (forcing.length > 0) writerReplaced.add(writerOf);
      } else if (forcing.length > 0) {
        const files = forcing.includes("uploads") ? changedFiles(a.inputs, b.inputs) : [];
        const other = forcing.filter((f) => f !== "uploads");
        replaced.set(
          name,
          [files.length > 0 ? `files ${listed(files)}` : "", other.length > 0 ? other.join(", ") : ""].filter((s) => s !== "").join("; "),
        );
      } else if (changed.length > 0) inPlace.set(name, changed);
    }
  }
  for (const [k, b] of after) {
    if (!before.has(k) && b.type === CONTAINER && labelOf(b, SECRETS_FOR_LABEL) === undefined) added.push(String(b.inputs.name ?? b.name));
  }
  // A service carries its secrets writer's id as a label: a new writer replaces the service too.
  for (const service of writerReplaced) if (!replaced.has(service) && !removed.includes(service)) replaced.set(service, "its secret files");

  const containers: string[] = [];
  for (const [service, why] of [...replaced].sort(([x], [y]) => x.localeCompare(y))) {
    const pause = PAUSE[service];
    containers.push(`${code(service)} is replaced (stopped, removed, started again) for ${why}${pause ? `: ${pause}` : ""}`);
  }
  for (const service of added.sort()) containers.push(`${code(service)} is new and starts`);
  for (const service of removed.sort()) containers.push(`${code(service)} is stopped and removed`);
  for (const [service, fields] of inPlace) containers.push(`${code(service)} is updated in place without a restart (${fields.join(", ")})`);
  return { risks, containers };
}

function rootDeviceReplaced(a: Obj, b: Obj): boolean {
  const x = (a.rootBlockDevice ?? {}) as Obj;
  const y = (b.rootBlockDevice ?? {}) as Obj;
  return ["encrypted", "kmsKeyId"].some((f) => JSON.stringify(x[f]) !== JSON.stringify(y[f]));
}

/** Alertmanager matcher `name="v"`, `!=`, `=~`, `!~`; a label the alert lacks is "" (as in Alertmanager). */
function matches(matcher: string, labels: Readonly<Record<string, string>>): boolean {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$/.exec(matcher);
  if (!m) return false;
  const value = labels[m[1]] ?? "";
  const [, , op, want] = m;
  if (op === "=") return value === want;
  if (op === "!=") return value !== want;
  const re = new RegExp(`^(?:${want})$`);
  return op === "=~" ? re.test(value) : !re.test(value);
}

function routeMatches(settings: Readonly<Obj>, labels: Readonly<Record<string, string>>): boolean {
  const list = [
    ...((settings.matchers as unknown[] | undefined) ?? []).map(String),
    ...Object.entries((settings.match ?? {}) as Obj).map(([k, v]) => `${k}="${String(v)}"`),
    ...Object.entries((settings.match_re ?? {}) as Obj).map(([k, v]) => `${k}=~"${String(v)}"`),
  ];
  return list.every((m) => matches(m, labels));
}

interface Destination {
  readonly receiver: string;
  readonly groupWait: string;
}

/**
 * Where Alertmanager sends an alert with these labels: the routing tree walked as Alertmanager
 * does (first matching child, further ones with `continue`, inherited receiver and timings).
 * Only the labels the rule sets are known here; this project routes on severity and alertname.
 */
export function destinations(am: Alertmanager, labels: Readonly<Record<string, string>>): Destination[] {
  const walk = (routeKey: string, inherited: Destination): Destination[] => {
    const route = am.routes.get(routeKey);
    if (!route) return [inherited];
    const own: Destination = {
      receiver: route.settings.receiver === undefined ? inherited.receiver : String(route.settings.receiver),
      groupWait: route.settings.group_wait === undefined ? inherited.groupWait : String(route.settings.group_wait),
    };
    const out: Destination[] = [];
    for (const child of route.children) {
      const settings = am.routes.get(child)?.settings ?? {};
      if (!routeMatches(settings, labels)) continue;
      out.push(...walk(child, own));
      if (settings.continue !== true) break;
    }
    return out.length > 0 ? out : [own];
  };
  // Alertmanager's default group_wait is 30s.
  return walk("root", { receiver: "", groupWait: "30s" });
}

function integrationsOf(am: Alertmanager, receiver: string): string[] {
  return Object.keys((am.receivers.get(receiver) ?? {}) as Obj)
    .filter((k) => k.endsWith("_configs"))
    .map((k) => k.replace(/_configs$/, ""));
}

interface Intervals {
  readonly scrape?: number;
  readonly evaluation?: number;
}

function intervals(m: StackModel): Intervals {
  const global = (m.scrape?.settings.global ?? {}) as Obj;
  // Prometheus's defaults: scrape_interval 1m, evaluation_interval 1m.
  return {
    scrape: durationSeconds(String(global.scrape_interval ?? "1m")),
    evaluation: durationSeconds(String(global.evaluation_interval ?? "1m")),
  };
}

/** Worst case from the condition becoming true to the first notification, as a sum of its parts. */
function timeToNotify(rule: Rule, iv: Intervals, groupWait: string): { total: number; parts: string } | undefined {
  const forSeconds = rule.for === undefined ? 0 : durationSeconds(rule.for);
  const wait = durationSeconds(groupWait);
  if (iv.scrape === undefined || iv.evaluation === undefined || forSeconds === undefined || wait === undefined) return undefined;
  const parts = `scrape ${formatSeconds(iv.scrape)} + evaluation ${formatSeconds(iv.evaluation)} + for ${formatSeconds(forSeconds)} + group_wait ${formatSeconds(wait)}`;
  return { total: iv.scrape + iv.evaluation + forSeconds + wait, parts };
}

function changedAlerts(before: StackModel, after: StackModel): Rule[] {
  return [...after.rules.values()].filter((r) => r.kind === "alert" && JSON.stringify(before.rules.get(r.key)) !== JSON.stringify(r));
}

/** Severity, route and worst-case time to notify of each added or changed alert. */
function alertLines(before: StackModel, after: StackModel): string[] {
  const am = after.alertmanager;
  const out: string[] = [];
  const ivAfter = intervals(after);
  const ivBefore = intervals(before);
  for (const rule of changedAlerts(before, after)) {
    const name = rule.key.replace(/ \(.*\)$/, "");
    const labels = { ...rule.labels, alertname: name };
    const severity = rule.labels.severity ?? "no severity";
    if (!am) {
      out.push(`${code(rule.key)} (${severity}): no Alertmanager configuration in this stack`);
      continue;
    }
    const dests = destinations(am, labels);
    const where = dests
      .map((d) => {
        const kinds = integrationsOf(am, d.receiver);
        return `receiver ${code(d.receiver)} (${kinds.length > 0 ? kinds.join(", ") : "no integration: nobody is notified"})`;
      })
      .join(" and ");
    let timing = "";
    if (rule.language === "promql") {
      const now = timeToNotify(rule, ivAfter, dests[0].groupWait);
      const old = before.rules.get(rule.key);
      const was =
        old && before.alertmanager
          ? timeToNotify(old, ivBefore, destinations(before.alertmanager, { ...old.labels, alertname: name })[0].groupWait)
          : undefined;
      if (now)
        timing = `; notifies at worst ≈ ${formatSeconds(now.total)} after the condition starts (${now.parts})${was && was.total !== now.total ? `, was ${formatSeconds(was.total)}` : ""}`;
    }
    out.push(`${code(rule.key)} is ${severity} → ${where}${timing}`);
  }
  for (const rule of before.rules.values()) {
    if (rule.kind !== "alert" || after.rules.has(rule.key)) continue;
    const dests = before.alertmanager
      ? destinations(before.alertmanager, { ...rule.labels, alertname: rule.key.replace(/ \(.*\)$/, "") })
      : [];
    const receivers = dests.map((d) => code(d.receiver)).join(" and ");
    out.push(
      `${code(rule.key)} (${rule.labels.severity ?? "no severity"}) is removed${receivers ? `: ${receivers} no longer hears of it` : ""}`,
    );
  }
  return out;
}

/** Range selectors of an expression, in seconds (`rate(x[1m])` → 60). */
function ranges(expr: string): number[] {
  return [...expr.matchAll(/\[(\d+(?:ms|s|m|h|d|w|y)(?:\d+(?:ms|s|m|h|d|w|y))*)(?::[^\]]*)?\]/g)]
    .map((m) => durationSeconds(m[1]) ?? 0)
    .filter((s) => s > 0);
}

/** What the scrape and evaluation intervals do to every rule. */
function timingLines(before: StackModel, after: StackModel): string[] {
  const a = intervals(before);
  const b = intervals(after);
  const out: string[] = [];
  const show = (s: number | undefined) => (s === undefined ? "unknown" : formatSeconds(s));
  if (a.scrape !== b.scrape) {
    const delta = (b.scrape ?? 0) - (a.scrape ?? 0);
    out.push(
      `scrape interval ${show(a.scrape)} → ${show(b.scrape)}: every alert's worst-case time to notify ${delta > 0 ? "grows" : "shrinks"} by ${formatSeconds(Math.abs(delta))}, and each series has ${delta > 0 ? "fewer" : "more"} samples per window`,
    );
  }
  if (a.evaluation !== b.evaluation) {
    const delta = (b.evaluation ?? 0) - (a.evaluation ?? 0);
    out.push(
      `evaluation interval ${show(a.evaluation)} → ${show(b.evaluation)}: every alert's worst-case time to notify ${delta > 0 ? "grows" : "shrinks"} by ${formatSeconds(Math.abs(delta))}`,
    );
  }
  if (
    b.scrape !== undefined &&
    b.evaluation !== undefined &&
    b.evaluation < b.scrape &&
    (a.scrape !== b.scrape || a.evaluation !== b.evaluation)
  ) {
    out.push(
      `evaluation interval ${show(b.evaluation)} is below the scrape interval ${show(b.scrape)}: consecutive evaluations see the same samples, so alert timing is set by the scrape interval, not by the evaluation`,
    );
  }
  if (b.scrape !== undefined && a.scrape !== b.scrape) {
    // rate() and friends need at least two samples in the window; four scrapes leave room for a missed one.
    const minimum = 4 * b.scrape;
    const short = [...after.rules.values()]
      .filter((r) => r.language === "promql" && ranges(r.expr).some((s) => s < minimum))
      .map((r) => r.key);
    if (short.length > 0) {
      out.push(
        `${short.length} rule(s) use a range shorter than 4 scrapes (${formatSeconds(minimum)}), which a missed scrape leaves with fewer than two samples: ${listed(short, 5)}`,
      );
    }
  }
  return out;
}

/** The Rollout section's lines: data-loss risks first, then containers, alerts and timing. */
export function rolloutLines(base: Snapshot, head: Snapshot, before: StackModel, after: StackModel): string[] {
  const { risks, containers } = resourceLines(base, head);
  return [...risks, ...containers, ...alertLines(before, after), ...timingLines(before, after)];
}
