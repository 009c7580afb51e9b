// Images as contracts: the program is run under mocks with every optional container on (prod with
// every integration, a domain and a pending restore), and each container is held to its image's
// contract (catalog/image-contracts.ts, or the integration's module): every command its entrypoint, healthcheck and shipped
// scripts call must be one the image is recorded to have (scripts are parsed with mvdan/sh, see
// tests/helpers/shell-commands.ts), a shell only where the image has one, every fact with its
// source, and every path it writes on a volume, tmpfs or mount. The checks themselves are shown to
// fail on a deliberate break (sqlite3 called in the backup image; a read-only root writing /state).
import { ImageContract } from "../../catalog/image-contracts";
import { ALL_CONTAINERS, IMAGE_CONTRACTS, WRITTEN_PATHS } from "../../integrations";
import { containersOf, ProgramRun, RecordedResource, runProgram, uploadsOf } from "../../harness/mock-program";
import { scriptCommands } from "../helpers/shell-commands";
import { ALL_SECRETS, DOMAIN_CONFIG, FULL_PROD_CONFIG } from "../helpers/stack-fixtures";

/** What the checks need of a container: as rendered, or made up to show a check failing. */
interface ContainerView {
  readonly name: string;
  readonly image: string;
  readonly entrypoint?: readonly string[];
  readonly command?: readonly string[];
  /** Docker's healthcheck test: ["CMD", ...argv] or ["CMD-SHELL", script]. */
  readonly healthcheck?: readonly string[];
  readonly uploads: Readonly<Record<string, string>>;
  readonly readOnlyRoot: boolean;
  /** Paths where the container can write: writable volumes and mounts, tmpfs. */
  readonly writable: readonly string[];
}

const SHELLS = new Set(["/bin/sh", "sh"]);

/** Everything in `c` its image's contract does not allow; empty when it keeps the contract. */
function violations(c: ContainerView): string[] {
  const contract: ImageContract | undefined = IMAGE_CONTRACTS[c.image];
  if (!contract) return [`${c.name}: image ${c.image} has no contract in catalog/image-contracts.ts or its integration's module`];
  const out: string[] = [];
  const where = `${c.name} (${c.image})`;

  // The shell is recorded once, with its source, as `shell`.
  const has = (command: string) => command in contract.commands || (SHELLS.has(command) && contract.shell !== undefined);
  const script = (text: string, what: string) => {
    if (!contract.shell) out.push(`${where}: ${what} needs /bin/sh, and the image has no shell`);
    let parsed;
    try {
      parsed = scriptCommands(text);
    } catch (e) {
      out.push(`${where}: ${what} does not parse as POSIX sh: ${String(e)}`);
      return;
    }
    for (const u of parsed.unresolved) out.push(`${where}: ${what} line ${u.line}: a command word that is not a literal ${u.command}`);
    for (const u of parsed.commands) {
      if (!has(u.command) && !(u.command in c.uploads))
        out.push(`${where}: ${what} line ${u.line} calls \`${u.command}\`, which the image is not recorded to have`);
    }
  };
  const argv = (args: readonly string[], what: string) => {
    let rest = [...args];
    // The image's own entrypoint (tini and its flags) runs the rest.
    const own = contract.entrypoint ?? [];
    if (own.length > 1 && own.every((a, i) => rest[i] === a)) rest = rest.slice(own.length);
    const [cmd, ...tail] = rest;
    if (cmd === undefined) return;
    if (!has(cmd)) out.push(`${where}: ${what} runs \`${cmd}\`, which the image is not recorded to have`);
    if (SHELLS.has(cmd)) {
      if (tail[0] === "-c") script(tail[1] ?? "", `${what} (sh -c)`);
      else if (tail[0] !== undefined && tail[0] in c.uploads) script(c.uploads[tail[0]], tail[0]);
      else out.push(`${where}: ${what} runs sh on ${String(tail[0])}, which is not a file the container receives`);
    }
  };

  if (c.entrypoint && c.entrypoint.length > 0) argv([...c.entrypoint, ...(c.command ?? [])], "the entrypoint");
  else if (!contract.entrypoint && c.command && c.command.length > 0) argv(c.command, "the command (the image has no ENTRYPOINT)");
  if (c.healthcheck) {
    if (c.healthcheck[0] === "CMD") argv(c.healthcheck.slice(1), "the healthcheck");
    else if (c.healthcheck[0] === "CMD-SHELL") script(c.healthcheck[1] ?? "", "the healthcheck (CMD-SHELL)");
    else out.push(`${where}: healthcheck form ${c.healthcheck[0]} is not checked`);
  }

  // Evidence: every fact names a source the contract records.
  const keys = [
    contract.tag,
    contract.user.source,
    ...(contract.shell ? [contract.shell.source] : []),
    ...Object.values(contract.commands),
  ];
  for (const k of keys) if (!contract.sources[k]) out.push(`${c.image}: the contract cites source "${k}", which it does not record`);

  const writes = WRITTEN_PATHS[c.name];
  if (!writes)
    out.push(`${c.name}: no entry in WRITTEN_PATHS (catalog/image-contracts.ts, or the integration's module): say which paths it writes`);
  for (const w of writes ?? []) {
    const covered = c.writable.some((m) => w.path === m || w.path.startsWith(`${m.replace(/\/$/, "")}/`));
    if (!covered) {
      out.push(
        `${c.name}: writes ${w.path} (${w.why}) with no volume, tmpfs or mount there` +
          (c.readOnlyRoot ? " under a read-only root: the write fails" : ": it would be lost with the container"),
      );
    }
  }
  return out;
}

function viewOf(run: ProgramRun, c: RecordedResource): ContainerView {
  const i = c.inputs;
  const volumes = (i.volumes as { containerPath: string; readOnly?: boolean }[] | undefined) ?? [];
  const mounts = (i.mounts as { target: string; readOnly?: boolean }[] | undefined) ?? [];
  return {
    name: String(i.name),
    image: String(run.one("docker:index/remoteImage:RemoteImage", `${c.name}-image`).inputs.name),
    entrypoint: i.entrypoints as string[] | undefined,
    command: i.command as string[] | undefined,
    healthcheck: (i.healthcheck as { tests: string[] } | undefined)?.tests,
    uploads: uploadsOf(c),
    readOnlyRoot: i.readOnly === true,
    writable: [
      ...volumes.filter((v) => !v.readOnly).map((v) => v.containerPath),
      ...mounts.filter((m) => !m.readOnly).map((m) => m.target),
      ...Object.keys((i.tmpfs as Record<string, string> | undefined) ?? {}),
    ],
  };
}

let run: ProgramRun;
let views: ContainerView[];
beforeAll(async () => {
  run = await runProgram({ stack: "prod", config: { ...FULL_PROD_CONFIG, ...DOMAIN_CONFIG, restoreFrom: "latest" }, secrets: ALL_SECRETS });
  views = Object.values(containersOf(run).services).map((c) => viewOf(run, c));
}, 120_000);

test("the scenario runs every container of the catalogue", () => {
  expect(views.map((v) => v.name).sort()).toEqual(
    Object.values(ALL_CONTAINERS)
      .map((e) => e.container)
      .sort(),
  );
});

test("every pinned image has a contract, and every contract belongs to a pinned image", () => {
  const pinned = [...new Set(Object.values(ALL_CONTAINERS).map((e) => e.image))].sort();
  expect(Object.keys(IMAGE_CONTRACTS).sort()).toEqual(pinned);
});

test("every container keeps its image's contract: commands, shell, sources, written paths", () => {
  const found = views.flatMap(violations);
  expect(found).toEqual([]);
});

test("the shipped scripts are parsed, not skipped: the backup job's script calls the AWS CLI and sha256sum", () => {
  const backup = views.find((v) => v.name === "backup")!;
  const used = scriptCommands(backup.uploads["/backup/backup.sh"]).commands.map((u) => u.command);
  expect(used).toEqual(expect.arrayContaining(["aws", "sha256sum", "curl", "awk"]));
  const copier = views.find((v) => v.name === "grafana-db-copy")!;
  expect(scriptCommands(copier.uploads["/copier/grafana-db-copy.sh"]).commands.map((u) => u.command)).toContain("sqlite3");
});

test("a script calling a command its image lacks fails: sqlite3 put back in the backup image's script", () => {
  const backup = views.find((v) => v.name === "backup")!;
  const script = backup.uploads["/backup/backup.sh"].replace(
    "backup_grafana() {",
    'backup_grafana() {\n  sqlite3 "$GRAFANA_COPY/x.db" ".backup /tmp/y"',
  );
  const broken = { ...backup, uploads: { ...backup.uploads, "/backup/backup.sh": script } };
  expect(violations(broken)).toEqual([
    expect.stringMatching(
      /^backup \(amazon\/aws-cli:[^)]+\): \/backup\/backup\.sh line \d+ calls `sqlite3`, which the image is not recorded to have$/,
    ),
  ]);
});

test("a shell entrypoint or healthcheck in an image without a shell fails", () => {
  const loki = views.find((v) => v.name === "loki")!;
  expect(violations({ ...loki, healthcheck: ["CMD-SHELL", "wget -q -O- http://localhost:3100/ready"] })).toEqual([
    expect.stringContaining("the healthcheck (CMD-SHELL) needs /bin/sh, and the image has no shell"),
    expect.stringContaining("calls `wget`"),
  ]);
  expect(violations({ ...loki, healthcheck: ["CMD", "wget", "-q", "--spider", "http://localhost:3100/ready"] })).toEqual([
    expect.stringContaining("runs `wget`"),
  ]);
});

test("a read-only root container writing a path no volume, tmpfs or mount covers fails", () => {
  const proxy = views.find((v) => v.name === "socket-proxy")!;
  expect(proxy.readOnlyRoot).toBe(true);
  expect(violations(proxy)).toEqual([]);
  const backup = views.find((v) => v.name === "backup")!;
  const readOnlyBackup = { ...backup, readOnlyRoot: true, writable: backup.writable.filter((p) => p !== "/state") };
  expect(violations(readOnlyBackup)).toEqual([
    "backup: writes /state (last successes, lock, work files) with no volume, tmpfs or mount there under a read-only root: the write fails",
  ]);
});
