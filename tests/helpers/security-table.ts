// The security tables of docs/security.md, built from a rendered resource graph (issue 21: the
// security section is derived, not written). Per container: user, capabilities added, read-only
// root, no-new-privileges, host mounts, Docker socket, metadata access, task limit; per instance
// role policy statement: actions and resources. tests/program/security-table.test.ts renders the
// prod stack with every option on and compares the result with the doc.
import { INSTANCE_METADATA_ADDRESS } from "../../configs/host-hardening";
import { ROLE_ADDRESSES } from "../../catalog/stack-network";
import { ProgramRun, RecordedResource } from "../../harness/mock-program";

const CONTAINER = "docker:index/container:Container";
export const SECURITY_TABLE_START = "<!-- security-table:start -->";
export const SECURITY_TABLE_END = "<!-- security-table:end -->";

type Mount = { type?: string; source?: string; target?: string; readOnly?: boolean };
type Volume = { hostPath?: string; containerPath?: string; readOnly?: boolean; volumeName?: string };
type Device = { hostPath: string; containerPath?: string; permissions?: string };
type Network = { name: string; ipv4Address?: string };

function cell(values: readonly string[]): string {
  return values.length === 0 ? "–" : values.join(", ");
}

/** TasksMax of each slice, from the slice installer the host runs (a remote command's script). */
function taskLimits(run: ProgramRun): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of run.byType("command:remote:Command")) {
    const script = String(c.inputs.create ?? "");
    for (const m of script.matchAll(/\/etc\/systemd\/system\/(obs-[\w-]+\.slice)[^\n]*\n(?:(?!EOF)[^\n]*\n)*?TasksMax=(\d+)/g))
      out.set(m[1], m[2]);
  }
  return out;
}

function containerRow(c: RecordedResource, tasks: Map<string, string>): string[] {
  const i = c.inputs;
  const mounts = ((i.mounts as Mount[] | undefined) ?? []).filter((m) => m.type === "bind");
  const hostVolumes = ((i.volumes as Volume[] | undefined) ?? []).filter((v) => v.hostPath);
  const devices = (i.devices as Device[] | undefined) ?? [];
  const host = [
    ...mounts.map((m) => `${m.source} (${m.readOnly ? "ro" : "rw"})`),
    ...hostVolumes.map((v) => `${v.hostPath} (${v.readOnly ? "ro" : "rw"})`),
    ...devices.map((d) => `device ${d.hostPath} (${d.permissions ?? "rwm"})`),
    ...(i.pidMode === "host" ? ["host PID namespace"] : []),
    ...(i.networkMode === "host" ? ["host network"] : []),
    ...(i.privileged === true ? ["privileged"] : []),
  ];
  const socket = [...mounts.map((m) => m.source), ...hostVolumes.map((v) => v.hostPath)].some((p) => p === "/var/run/docker.sock");
  const caps = i.capabilities as { adds?: string[]; drops?: string[] } | undefined;
  const networks = (i.networksAdvanced as Network[] | undefined) ?? [];
  const roleAddress = networks
    .map((n) => n.ipv4Address)
    .find((a) => a !== undefined && (Object.values(ROLE_ADDRESSES) as string[]).includes(a));
  const metadata =
    i.networkMode === "none"
      ? "none (no network)"
      : roleAddress
        ? `instance role (role address ${roleAddress})`
        : "rejected by the metadata firewall";
  const slice = i.cgroupParent ? tasks.get(String(i.cgroupParent)) : undefined;
  return [
    String(i.name),
    i.start === false ? "never started (secrets writer)" : i.attach === true ? "once (runs to completion)" : "service",
    i.user === undefined ? "image default" : String(i.user),
    caps === undefined
      ? "Docker's default set (none dropped)"
      : `${cell(caps.adds ?? [])}${(caps.drops ?? []).includes("ALL") ? "" : " (ALL not dropped)"}`,
    i.readOnly === true ? "yes" : "no",
    ((i.securityOpts as string[] | undefined) ?? []).includes("no-new-privileges:true") ? "yes" : "no (daemon-wide on ec2)",
    cell(host),
    socket ? "yes" : "no",
    metadata,
    slice ?? "–",
  ];
}

/** Readable names for the ARNs a policy names: the buckets and the workspace of the graph. */
function resourceNames(run: ProgramRun): [string, string][] {
  const out: [string, string][] = [];
  for (const b of run.byType("aws:s3/bucket:Bucket"))
    out.push([`arn:aws:s3:::${String(b.inputs.bucketPrefix ?? b.name)}mock`, `<${b.name.replace(/^storage-/, "")} bucket>`]);
  for (const w of run.byType("aws:amp/workspace:Workspace"))
    out.push(["arn:aws:aps:eu-west-1:123456789012:workspace/ws-0mock", `<${w.name.replace(/-workspace$/, "")} workspace>`]);
  return out;
}

function roleRows(run: ProgramRun): string[][] {
  const names = resourceNames(run);
  const readable = (arn: string) => names.reduce((s, [from, to]) => s.split(from).join(to), arn);
  const rows: string[][] = [];
  for (const p of run.byType("aws:iam/rolePolicy:RolePolicy").sort((a, b) => a.name.localeCompare(b.name))) {
    const doc = JSON.parse(String(p.inputs.policy)) as {
      Statement: { Sid?: string; Effect: string; Action: string | string[]; Resource: string | string[]; Condition?: unknown }[];
    };
    for (const s of doc.Statement) {
      const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
      rows.push([
        p.name,
        s.Sid ?? "–",
        s.Effect,
        list(s.Action)
          .map((a) => `\`${a}\``)
          .join(", "),
        list(s.Resource)
          .map((r) => `\`${readable(r)}\``)
          .join(", ") + (s.Condition ? ` (condition ${JSON.stringify(s.Condition)})` : ""),
      ]);
    }
  }
  return rows;
}

function markdown(header: readonly string[], rows: readonly string[][]): string[] {
  const escape = (v: string) => v.replace(/\|/g, "\\|");
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(escape).join(" | ")} |`),
  ];
}

/** The generated section of docs/security.md (between the markers), from a rendered graph. */
export function securityTables(run: ProgramRun): string {
  const tasks = taskLimits(run);
  const containers = run.byType(CONTAINER).sort((a, b) => String(a.inputs.name).localeCompare(String(b.inputs.name)));
  return [
    SECURITY_TABLE_START,
    "<!-- Generated from the rendered prod graph with every option on: UPDATE_SECURITY_DOC=1 npx jest tests/program/security-table.test.ts -->",
    "",
    `Per container (metadata access: whether it can reach ${INSTANCE_METADATA_ADDRESS} and so the instance role's credentials):`,
    "",
    ...markdown(
      [
        "container",
        "runs",
        "user",
        "capabilities added",
        "read-only root",
        "no-new-privileges",
        "host mounts",
        "Docker socket",
        "metadata access",
        "tasks (ec2)",
      ],
      containers.map((c) => containerRow(c, tasks)),
    ),
    "",
    "The instance role's inline policies, statement by statement:",
    "",
    ...markdown(["policy", "statement", "effect", "actions", "resources"], roleRows(run)),
    "",
    SECURITY_TABLE_END,
  ].join("\n");
}

/** The section of a document between the markers (markers included), or undefined. */
export function documentedTables(doc: string): string | undefined {
  const start = doc.indexOf(SECURITY_TABLE_START);
  const end = doc.indexOf(SECURITY_TABLE_END);
  return start < 0 || end < start ? undefined : doc.slice(start, end + SECURITY_TABLE_END.length);
}
