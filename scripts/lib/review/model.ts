// What a reviewer reads in one rendered stack: the recorded resources of a program run under
// mocks, turned into named things (alerts, routes, scrape jobs, dashboard panels, containers,
// firewall rules, bucket settings). Files are recognised by their content, not their path, so
// the model still reads a commit whose components put files elsewhere. Pure: no Pulumi import.
import * as yaml from "js-yaml";

/** One resource as recorded by harness/mock-program.ts (inputs with secrets unwrapped). */
export interface SnapshotResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

/** One stack rendered under mocks, as written by scripts/lib/review/dump.ts. */
export interface Snapshot {
  readonly stack: string;
  readonly resources: readonly SnapshotResource[];
}

export interface Rule {
  /** Display key: the alert or record name, with the evaluating service when not Prometheus. */
  readonly key: string;
  readonly kind: "alert" | "record";
  readonly language: "promql" | "logql";
  readonly group: string;
  readonly expr: string;
  readonly for?: string;
  readonly keepFiringFor?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface Route {
  /** Matchers from the root down, `›` between levels; "root" for the top route. */
  readonly key: string;
  /** Keys of the child routes in evaluation order. */
  readonly children: readonly string[];
  /** Every other field of the route (receiver, group_by, timings, continue, …). */
  readonly settings: Readonly<Record<string, unknown>>;
}

export interface Alertmanager {
  readonly routes: ReadonlyMap<string, Route>;
  readonly receivers: ReadonlyMap<string, unknown>;
  /** Each inhibition rendered as one line. */
  readonly inhibitions: readonly string[];
  readonly timeIntervals: ReadonlyMap<string, unknown>;
  /** `global` and any other top-level setting. */
  readonly settings: Readonly<Record<string, unknown>>;
}

export interface ScrapeJob {
  readonly targets: readonly string[];
  /** Everything but the static targets. */
  readonly settings: Readonly<Record<string, unknown>>;
}

export interface Scrape {
  readonly jobs: ReadonlyMap<string, ScrapeJob>;
  /** global, alerting, remote_write, storage, … (rule_files are covered by the rules). */
  readonly settings: Readonly<Record<string, unknown>>;
}

export interface Panel {
  readonly title: string;
  readonly type: string;
  readonly queries: readonly string[];
  /** Everything else (options, field config, …) without position and id. */
  readonly settings: unknown;
}

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  /** Keyed by title (`title #2` for a repeated title), in dashboard order. */
  readonly panels: ReadonlyMap<string, Panel>;
  /** Variables, tags, time, links, … */
  readonly settings: Readonly<Record<string, unknown>>;
}

export interface Container {
  readonly service: string;
  readonly image: string;
  readonly cpus?: string;
  readonly memoryMb?: number;
  /** `ip:external→internal/protocol`. */
  readonly ports: readonly string[];
  /** Every other input except uploads. */
  readonly settings: Readonly<Record<string, unknown>>;
}

export interface StackModel {
  readonly rules: ReadonlyMap<string, Rule>;
  readonly alertmanager?: Alertmanager;
  readonly scrape?: Scrape;
  readonly dashboards: ReadonlyMap<string, Dashboard>;
  readonly containers: ReadonlyMap<string, Container>;
  /** Security group (or rule resource) name → its rules, one line each. */
  readonly firewall: ReadonlyMap<string, readonly string[]>;
  /** S3 resources by name → inputs (bucket policies parsed from JSON). */
  readonly buckets: ReadonlyMap<string, Record<string, unknown>>;
  /** Files no section above explains: `service:path` → content. */
  readonly files: ReadonlyMap<string, string>;
  /** Every other resource: `type name` → inputs. */
  readonly others: ReadonlyMap<string, Record<string, unknown>>;
}

export const CONTAINER = "docker:index/container:Container";
const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const SECURITY_GROUP_RULES = new Set([
  "aws:ec2/securityGroupRule:SecurityGroupRule",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
]);

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObj(v)) for (const [k, x] of Object.entries(v)) out[k] = String(x);
  return out;
}

function omit(obj: Obj, keys: readonly string[]): Obj {
  return Object.fromEntries(Object.entries(obj).filter(([k]) => !keys.includes(k)));
}

/** Adds `key`, or `key #2`, `key #3`… when it is taken. */
function uniqueKey(taken: { has(k: string): boolean }, key: string): string {
  if (!taken.has(key)) return key;
  let n = 2;
  while (taken.has(`${key} #${n}`)) n++;
  return `${key} #${n}`;
}

function parseYaml(text: string): unknown {
  try {
    return yaml.load(text);
  } catch {
    return undefined;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRuleFile(doc: unknown): doc is { groups: Obj[] } {
  return isObj(doc) && Array.isArray(doc.groups) && doc.groups.every((g) => isObj(g) && Array.isArray(g.rules));
}

function isPrometheusConfig(doc: unknown): doc is Obj {
  return isObj(doc) && (Array.isArray(doc.scrape_configs) || (isObj(doc.global) && "scrape_interval" in doc.global));
}

function isAlertmanagerConfig(doc: unknown): doc is Obj {
  return isObj(doc) && isObj(doc.route) && Array.isArray(doc.receivers);
}

function isDashboard(doc: unknown): doc is Obj {
  return isObj(doc) && typeof doc.uid === "string" && Array.isArray(doc.panels);
}

function addRules(rules: Map<string, Rule>, doc: { groups: Obj[] }, service: string): void {
  const language = service === "prometheus" ? "promql" : "logql";
  for (const group of doc.groups) {
    for (const r of group.rules as Obj[]) {
      const name = str(r.alert) ?? str(r.record);
      if (name === undefined) continue;
      const kind = r.alert !== undefined ? "alert" : "record";
      const labels = strMap(r.labels);
      let key = language === "promql" ? name : `${name} (${service})`;
      // A recording rule may be defined several times with different labels.
      if (kind === "record" && rules.has(key) && Object.keys(labels).length > 0) {
        key = `${key}{${Object.entries(labels)
          .map(([k, v]) => `${k}="${v}"`)
          .join(",")}}`;
      }
      key = uniqueKey(rules, key);
      rules.set(key, {
        key,
        kind,
        language,
        group: String(group.name),
        expr: String(r.expr ?? ""),
        for: str(r.for),
        keepFiringFor: str(r.keep_firing_for),
        labels,
        annotations: strMap(r.annotations),
      });
    }
  }
}

function matchersOf(route: Obj): string {
  const list: string[] = [];
  for (const m of (route.matchers as unknown[] | undefined) ?? []) list.push(String(m));
  for (const [k, v] of Object.entries(strMap(route.match))) list.push(`${k}="${v}"`);
  for (const [k, v] of Object.entries(strMap(route.match_re))) list.push(`${k}=~"${v}"`);
  return list.length > 0 ? list.join(", ") : "(any)";
}

function addRoute(routes: Map<string, Route>, route: Obj, key: string): void {
  const children: string[] = [];
  const placeholder: Route = { key, children, settings: omit(route, ["routes"]) };
  routes.set(key, placeholder);
  for (const child of (route.routes as Obj[] | undefined) ?? []) {
    const base = key === "root" ? matchersOf(child) : `${key} › ${matchersOf(child)}`;
    const childKey = uniqueKey(routes, base);
    children.push(childKey);
    addRoute(routes, child, childKey);
  }
}

function matcherList(v: unknown): string {
  return ((v as unknown[] | undefined) ?? []).map(String).join(", ");
}

/** `source severity="critical" → target severity="warning", equal alertname, service`. */
export function describeInhibition(rule: Obj): string {
  const source = [matcherList(rule.source_matchers), ...Object.entries(strMap(rule.source_match)).map(([k, v]) => `${k}="${v}"`)]
    .filter((s) => s !== "")
    .join(", ");
  const target = [matcherList(rule.target_matchers), ...Object.entries(strMap(rule.target_match)).map(([k, v]) => `${k}="${v}"`)]
    .filter((s) => s !== "")
    .join(", ");
  const equal = matcherList(rule.equal);
  return `source ${source} → target ${target}${equal ? `, equal ${equal}` : ""}`;
}

function alertmanagerModel(doc: Obj): Alertmanager {
  const routes = new Map<string, Route>();
  addRoute(routes, doc.route as Obj, "root");
  const receivers = new Map<string, unknown>();
  for (const r of doc.receivers as Obj[]) receivers.set(String(r.name), omit(r, ["name"]));
  const timeIntervals = new Map<string, unknown>();
  for (const t of [...((doc.time_intervals as Obj[] | undefined) ?? []), ...((doc.mute_time_intervals as Obj[] | undefined) ?? [])]) {
    timeIntervals.set(String(t.name), t.time_intervals);
  }
  return {
    routes,
    receivers,
    inhibitions: ((doc.inhibit_rules as Obj[] | undefined) ?? []).map(describeInhibition),
    timeIntervals,
    settings: omit(doc, ["route", "receivers", "inhibit_rules", "time_intervals", "mute_time_intervals"]),
  };
}

function scrapeModel(doc: Obj): Scrape {
  const jobs = new Map<string, ScrapeJob>();
  for (const job of (doc.scrape_configs as Obj[] | undefined) ?? []) {
    const targets: string[] = [];
    for (const sc of (job.static_configs as Obj[] | undefined) ?? []) {
      const labels = strMap(sc.labels);
      const suffix =
        Object.keys(labels).length > 0
          ? ` {${Object.entries(labels)
              .map(([k, v]) => `${k}="${v}"`)
              .join(", ")}}`
          : "";
      for (const t of (sc.targets as unknown[] | undefined) ?? []) targets.push(`${String(t)}${suffix}`);
    }
    jobs.set(uniqueKey(jobs, String(job.job_name)), { targets, settings: omit(job, ["job_name", "static_configs"]) });
  }
  return { jobs, settings: omit(doc, ["scrape_configs", "rule_files"]) };
}

function flattenPanels(panels: Obj[]): Obj[] {
  return panels.flatMap((p) => [p, ...flattenPanels((p.panels as Obj[] | undefined) ?? [])]);
}

function queryOf(target: Obj): string {
  const q = target.expr ?? target.query ?? target.rawSql ?? "";
  return normalizeSpace(String(q));
}

function normalizeSpace(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

function dashboardModel(doc: Obj): Dashboard {
  const panels = new Map<string, Panel>();
  for (const p of flattenPanels(doc.panels as Obj[])) {
    const title = str(p.title) ?? "";
    const key = uniqueKey(panels, title === "" ? `(untitled ${String(p.type)})` : title);
    panels.set(key, {
      title,
      type: String(p.type ?? ""),
      queries: ((p.targets as Obj[] | undefined) ?? []).map(queryOf).filter((q) => q !== ""),
      settings: omit(p, ["id", "gridPos", "title", "type", "targets", "panels", "collapsed"]),
    });
  }
  return {
    uid: String(doc.uid),
    title: String(doc.title ?? doc.uid),
    panels,
    settings: omit(doc, ["uid", "title", "panels", "id", "version"]),
  };
}

function portsOf(inputs: Obj): string[] {
  return ((inputs.ports as Obj[] | undefined) ?? []).map(
    (p) => `${String(p.ip ?? "0.0.0.0")}:${String(p.external ?? p.internal)}→${String(p.internal)}/${String(p.protocol ?? "tcp")}`,
  );
}

function cidrsOf(rule: Obj): string {
  const sources = [
    ...((rule.cidrBlocks as unknown[] | undefined) ?? []),
    ...((rule.ipv6CidrBlocks as unknown[] | undefined) ?? []),
    ...((rule.securityGroups as unknown[] | undefined) ?? []),
    ...((rule.prefixListIds as unknown[] | undefined) ?? []),
    ...[rule.cidrIpv4, rule.cidrIpv6, rule.referencedSecurityGroupId, rule.sourceSecurityGroupId, rule.prefixListId].filter(
      (x) => x !== undefined,
    ),
  ].map(String);
  if (rule.self === true) sources.push("self");
  return sources.join(", ");
}

/** `ingress tcp 3000 from 203.0.113.0/24 (Grafana)`. */
export function describeFirewallRule(direction: string, rule: Obj): string {
  const protocol = String(rule.protocol ?? rule.ipProtocol ?? "tcp");
  const from = rule.fromPort;
  const to = rule.toPort;
  const ports =
    protocol === "-1" ? "all traffic" : `${protocol} ${from === to || to === undefined ? String(from) : `${String(from)}-${String(to)}`}`;
  const desc = rule.description ? ` (${String(rule.description)})` : "";
  return `${direction} ${ports} ${direction === "egress" ? "to" : "from"} ${cidrsOf(rule)}${desc}`;
}

/** Bucket policies are JSON strings: parse them so a changed statement is shown as a field. */
function bucketInputs(inputs: Obj): Obj {
  if (typeof inputs.policy !== "string") return inputs;
  const policy = parseJson(inputs.policy);
  return policy === undefined ? inputs : { ...inputs, policy };
}

/** Reads one rendered stack. */
export function stackModel(snapshot: Snapshot): StackModel {
  const rules = new Map<string, Rule>();
  const dashboards = new Map<string, Dashboard>();
  const containers = new Map<string, Container>();
  const firewall = new Map<string, string[]>();
  const buckets = new Map<string, Obj>();
  const files = new Map<string, string>();
  const others = new Map<string, Obj>();
  let alertmanager: Alertmanager | undefined;
  let scrape: Scrape | undefined;

  // A container's recorded image is the mocked image id; the pinned reference is on the
  // RemoteImage `<container resource>-image`. Learn id → reference from those pairs, so other
  // containers of the same image (a secrets writer) resolve too.
  const images = new Map<string, string>();
  for (const r of snapshot.resources) if (r.type === REMOTE_IMAGE) images.set(r.name, String(r.inputs.name));
  const byId = new Map<string, string>();
  for (const r of snapshot.resources) {
    const ref = r.type === CONTAINER ? images.get(`${r.name}-image`) : undefined;
    if (ref !== undefined) byId.set(String(r.inputs.image), ref);
  }

  for (const r of snapshot.resources) {
    if (r.type === CONTAINER) {
      const service = String(r.inputs.name ?? r.name);
      for (const u of (r.inputs.uploads as Obj[] | undefined) ?? []) {
        const file = String(u.file);
        const content = String(u.content ?? "");
        const doc = file.endsWith(".json") ? parseJson(content) : /\.ya?ml$/.test(file) ? parseYaml(content) : undefined;
        if (isRuleFile(doc)) addRules(rules, doc, service);
        else if (isAlertmanagerConfig(doc)) alertmanager = alertmanagerModel(doc);
        else if (isPrometheusConfig(doc)) scrape = scrapeModel(doc);
        else if (isDashboard(doc)) dashboards.set(uniqueKey(dashboards, String(doc.uid)), dashboardModel(doc));
        else files.set(`${service}:${file}`, content);
      }
      const image = byId.get(String(r.inputs.image)) ?? String(r.inputs.image);
      containers.set(uniqueKey(containers, service), {
        service,
        image,
        cpus: str(r.inputs.cpus),
        memoryMb: typeof r.inputs.memory === "number" ? r.inputs.memory : undefined,
        ports: portsOf(r.inputs),
        settings: omit(r.inputs, ["name", "image", "uploads", "cpus", "memory", "memorySwap", "ports"]),
      });
    } else if (r.type === REMOTE_IMAGE || r.type.startsWith("observability:")) {
      // Images are shown with their container; components have no inputs of their own.
    } else if (r.type === SECURITY_GROUP) {
      const lines = [
        ...((r.inputs.ingress as Obj[] | undefined) ?? []).map((x) => describeFirewallRule("ingress", x)),
        ...((r.inputs.egress as Obj[] | undefined) ?? []).map((x) => describeFirewallRule("egress", x)),
      ];
      firewall.set(r.name, lines);
      const rest = omit(r.inputs, ["ingress", "egress"]);
      if (Object.keys(rest).length > 0) others.set(`${r.type} ${r.name}`, rest);
    } else if (SECURITY_GROUP_RULES.has(r.type)) {
      const direction = String(r.inputs.type ?? (r.type.includes("Egress") ? "egress" : "ingress"));
      firewall.set(r.name, [describeFirewallRule(direction, r.inputs)]);
    } else if (r.type.startsWith("aws:s3/")) {
      buckets.set(r.name, bucketInputs(r.inputs));
    } else {
      others.set(`${r.type} ${r.name}`, r.inputs);
    }
  }
  return { rules, alertmanager, scrape, dashboards, containers, firewall, buckets, files, others };
}
