// Secret values travel apart from the files a reviewer reads: with every secret setting set,
// no input that carries a non-secret file is secret (so `pulumi preview --diff` shows every
// dashboard, datasource and alertmanager.yml change), every secret value appears only inside
// inputs Pulumi holds as secret, and each secret still reaches a running container as a file.
import { ProgramRun, RecordedResource, runProgram } from "../../harness/mock-program";
import { SECRET_KEYS } from "../../components/settings";
import { ALL_SECRETS, FULL_PROD_CONFIG } from "../helpers/stack-fixtures";
import { ed25519HostKey } from "../../configs/ssh-keys";

const CONTAINER = "docker:index/container:Container";
/** What the mocks return for the generated Grafana admin password (harness/mock-program.ts). */
const GRAFANA_PASSWORD = "mock-password-0123456789abcdef";
/** A well-formed key (the settings parse it), distinct from every other secret. */
const SSH_KEY = ed25519HostKey(Buffer.alloc(32, 0x5e), "secret-ssh-key").privateOpenssh;

const secrets: Record<string, string> = { ...ALL_SECRETS, sshPrivateKey: SSH_KEY, remoteWritePassword: "secret-remote-write-password" };
/** Remote write takes a password or a bearer token, never both; the password is set here. */
const ALTERNATIVE_SECRETS = ["remoteWriteBearerToken"];
/** The Postgres DSN reaches the exporter split in three files (its host and user are secret too). */
const dsn = new URL(secrets.postgresDataSourceName);
const DSN_PARTS = { uri: `${dsn.host}${dsn.pathname}${dsn.search}`, user: dsn.username, password: dsn.password };
/** Strings that must never leave secret inputs: every configured secret (the DSN by its parts) and Grafana's password. */
const NEEDLES = [
  ...Object.entries(secrets)
    .filter(([k]) => k !== "postgresDataSourceName")
    .map(([, v]) => v),
  DSN_PARTS.uri,
  DSN_PARTS.password,
  GRAFANA_PASSWORD,
];

let prog: ProgramRun;

beforeAll(async () => {
  prog = await runProgram({
    stack: "prod",
    config: { ...FULL_PROD_CONFIG, remoteWrite: "https://mimir.example.com/api/v1/push", remoteWriteUsername: "tenant-1" },
    secrets,
  });
});

type Upload = { file: string; content?: string };

function uploads(c: RecordedResource): Upload[] {
  return (c.inputs.uploads as Upload[] | undefined) ?? [];
}

function carriesSecret(text: string): boolean {
  // The DSN's user ("app") is too short to search for: it counts when it is a whole value.
  return NEEDLES.some((n) => text.includes(n)) || text === DSN_PARTS.user;
}

/** Whether `path` lies inside one of the secret input paths. */
function isUnder(path: string, secretPaths: readonly string[]): boolean {
  return secretPaths.some((s) => path === s || path.startsWith(`${s}.`) || path.startsWith(`${s}[`));
}

/** Every string leaf of the inputs with its dotted path. */
function leaves(v: unknown, at: string, out: [string, string][] = []): [string, string][] {
  if (typeof v === "string") out.push([at, v]);
  else if (Array.isArray(v)) v.forEach((x, i) => leaves(x, `${at}[${i}]`, out));
  else if (typeof v === "object" && v !== null) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) leaves(x, at ? `${at}.${k}` : k, out);
  }
  return out;
}

test("the scenario sets every secret setting", () => {
  expect([...Object.keys(secrets), ...ALTERNATIVE_SECRETS].sort()).toEqual(Object.keys(SECRET_KEYS).sort());
});

test("no container holds a non-secret file in a secret input", () => {
  const offenders: string[] = [];
  for (const c of prog.byType(CONTAINER)) {
    uploads(c).forEach((u, i) => {
      if (isUnder(`uploads[${i}].content`, c.secretPaths) && !carriesSecret(u.content ?? "")) offenders.push(`${c.name}: ${u.file}`);
    });
  }
  expect(offenders).toEqual([]);
});

test("the reviewable files of Grafana and Alertmanager are plain inputs", () => {
  const grafana = prog.one(CONTAINER, "grafana-grafana");
  const alertmanager = prog.one(CONTAINER, "alerting-alertmanager");
  for (const c of [grafana, alertmanager]) expect(c.secretPaths).toEqual([]);
  expect(uploads(grafana).map((u) => u.file)).toEqual(expect.arrayContaining(["/etc/grafana/provisioning/datasources/datasources.yaml"]));
  expect(uploads(alertmanager).map((u) => u.file)).toEqual(["/etc/alertmanager/alertmanager.yml"]);
});

test("each secret value appears only inside secret inputs", () => {
  const exposed: string[] = [];
  for (const r of prog.resources) {
    for (const [path, text] of leaves(r.inputs, "")) {
      if (carriesSecret(text) && !isUnder(path, r.secretPaths)) exposed.push(`${r.type} ${r.name}: ${path}`);
    }
  }
  expect(exposed).toEqual([]);
  // And every needle was found somewhere, so the search above looked at real deliveries.
  const all = prog.resources.flatMap((r) => leaves(r.inputs, "").map(([, t]) => t));
  expect(NEEDLES.filter((n) => !all.some((t) => t.includes(n)))).toEqual([]);
});

test("no secret reaches a container's environment", () => {
  for (const c of prog.byType(CONTAINER)) {
    const envs = (c.inputs.envs as string[] | undefined) ?? [];
    expect(envs.filter(carriesSecret)).toEqual([]);
  }
});

test("every secret file reaches a running container, read-only, at the path its config names", () => {
  const running = prog.byType(CONTAINER).filter((c) => c.inputs.start !== false);
  type Vol = { volumeName?: string; containerPath: string; readOnly?: boolean };
  const volumesOf = (c: RecordedResource) => (c.inputs.volumes as Vol[] | undefined) ?? [];
  const unreached: string[] = [];
  for (const holder of prog.byType(CONTAINER)) {
    for (const u of uploads(holder).filter((x) => carriesSecret(x.content ?? ""))) {
      const dir = volumesOf(holder).find((v) => u.file.startsWith(`${v.containerPath}/`));
      const reached = running.some((c) =>
        c === holder
          ? holder.inputs.start !== false
          : dir !== undefined &&
            volumesOf(c).some((v) => v.volumeName === dir.volumeName && v.containerPath === dir.containerPath && v.readOnly === true),
      );
      if (!reached) unreached.push(`${holder.name}: ${u.file}`);
    }
  }
  expect(unreached).toEqual([]);
});
