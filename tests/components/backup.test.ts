// The backup job and the one-shot restore, on their own under Pulumi's mocks: the containers
// Docker would get, and the ordering that keeps the data services stopped until a restore has
// succeeded (and out of the deployment when it failed).
import * as pulumi from "@pulumi/pulumi";
import type * as BackupModule from "../../components/backup";
import type * as ContainerModule from "../../components/container";
import { constructed, inputs, mocks, record, registered, settled, valueOf } from "../helpers/component-mocks";

const CONTAINER = "docker:index/container:Container";
/** Exit status the mocked Docker reports for each one-shot restore container. */
const EXIT: Record<string, number> = { "restore-ok-run": 0, "restore-bad-run": 3 };
const LOGS =
  "2026-12-02T05:00:00Z checksum mismatch against manifest 20261202T040000Z: /data/grafana/.restore-partial/grafana.db: FAILED\n2026-12-02T05:00:00Z restore failed\n";

let mod: typeof BackupModule;
let containerMod: typeof ContainerModule;
let docker: typeof import("@pulumi/docker");

interface ContainerInputs {
  name: string;
  image: string;
  restart: string;
  attach?: boolean;
  mustRun?: boolean;
  logs?: boolean;
  user?: string;
  init?: boolean;
  entrypoints: string[];
  uploads: { file: string; content: string }[];
  volumes: { volumeName: string; containerPath: string; readOnly: boolean }[];
}
const container = (name: string) => inputs<ContainerInputs>(CONTAINER, name);
const upload = (name: string, file: string) => container(name).uploads.find((u) => u.file === file)!.content;

const placement = (image: string, startAfter?: pulumi.Input<pulumi.Resource[]>): ContainerModule.Placement => ({
  image,
  limits: { cpus: 0.25, memoryMb: 256 },
  network: "observability",
  startAfter,
});

let volumes: BackupModule.DataVolumes;
let job: BackupModule.BackupJob;
let okRestore: BackupModule.BackupRestore;
let badRestore: BackupModule.BackupRestore;
let badOutcome: unknown;
/** What the components said through pulumi.log.warn (a preview shows these). */
const warnings: string[] = [];

beforeAll(async () => {
  // The shared mocks, plus a finished state for one-shot containers.
  const base = mocks();
  await pulumi.runtime.setMocks(
    {
      ...base,
      async newResource(args) {
        const r = await base.newResource(args);
        if (args.type === CONTAINER && args.name in EXIT)
          return { ...r, state: { ...r.state, exitCode: EXIT[args.name], containerLogs: LOGS } };
        return r;
      },
    },
    "observability-stack",
    "dev",
    false,
  );
  jest.spyOn(pulumi.log, "warn").mockImplementation(async (msg: string) => {
    warnings.push(msg);
  });
  mod = require("../../components/backup");
  containerMod = require("../../components/container");
  docker = require("@pulumi/docker");
  const opts = { transformations: [record] };
  const vol = (n: string) => new docker.Volume(n, { name: n }, opts);
  volumes = { prometheus: vol("prometheus-data"), grafana: vol("grafana-data"), alertmanager: vol("alertmanager-data") };
  const textfile = vol("node-exporter-textfile");

  job = new mod.BackupJob(
    "backup",
    {
      placement: placement("amazon/aws-cli:2.37.12"),
      verifyPlacement: placement("prom/prometheus:v3.13.3"),
      copyPlacement: placement("keinos/sqlite3:3.52.0"),
      prometheusUrl: "http://prometheus:9090",
      textfileVolume: textfile,
      volumes,
      destination: { kind: "volume" },
      prometheusAuth: { user: "backup", password: pulumi.secret("backup-password") },
    },
    opts,
  );
  new mod.BackupJob(
    "s3backup",
    {
      placement: placement("amazon/aws-cli:2.37.12"),
      verifyPlacement: placement("prom/prometheus:v3.13.3"),
      copyPlacement: placement("keinos/sqlite3:3.52.0"),
      prometheusUrl: "http://prometheus:9090",
      textfileVolume: textfile,
      volumes,
      destination: { kind: "s3", bucket: pulumi.output("obs-backup-mock"), region: "eu-west-1" },
      prometheusAuth: { user: "backup", password: pulumi.secret("backup-password") },
    },
    opts,
  );

  okRestore = new mod.BackupRestore(
    "restore-ok",
    {
      placement: placement("amazon/aws-cli:2.37.12"),
      from: "latest",
      volumes,
      source: { kind: "volume" },
      archiveVolume: job.archiveVolume,
    },
    opts,
  );
  // A data service gated on the good restore.
  new containerMod.ServiceContainer("after-ok", { ...placement("prom/prometheus:v3.13.3", okRestore.done), service: "after-ok" }, opts);

  badRestore = new mod.BackupRestore(
    "restore-bad",
    {
      placement: placement("amazon/aws-cli:2.37.12"),
      from: "20261202T040000Z",
      overwrite: true,
      restoreId: "incident-7",
      volumes,
      source: { kind: "s3", bucket: "obs-backup-mock", region: "eu-west-1" },
    },
    opts,
  );
  // The Output rejects with the error the `up` fails with; in a real run Pulumi's language host
  // reports it. Here every promise the Output carries is handled, or Node would exit.
  const inner = badRestore.done as unknown as { promise(): Promise<unknown>; isKnown: Promise<boolean>; isSecret: Promise<boolean> };
  inner.isKnown.catch(() => undefined);
  inner.isSecret.catch(() => undefined);
  badOutcome = await inner.promise().then(
    () => undefined,
    (e: unknown) => e,
  );
  await valueOf(okRestore.done);
  await settled();
});

test("the backup job runs backup.sh with a state, a scratch and (local target) an archive volume", () => {
  const c = container("backup-job");
  expect(c.name).toBe("backup");
  expect(c.entrypoints).toEqual(["/bin/sh", "/backup/backup.sh"]);
  // tini as PID 1 passes docker stop's SIGTERM on to the script (whose trap releases the lock).
  expect(c.init).toBe(true);
  const script = upload("backup-job", "/backup/backup.sh");
  expect(script).toContain("trap on_stop TERM INT");
  expect(script).toContain("DEST='/archive'");
  expect(script).toContain("STATE_DIR='/state'");
  expect(script).toContain("SCRATCH='/scratch'");
  expect(c.volumes.map((v) => [v.volumeName, v.containerPath, v.readOnly])).toEqual([
    ["backup-archive", "/archive", false],
    ["backup-state", "/state", false],
    ["backup-scratch", "/scratch", false],
    ["backup-grafana-copy", "/grafana-copy", false],
    ["node-exporter-textfile", "/textfile", false],
    ["prometheus-data", "/data/prometheus", false],
    ["alertmanager-data", "/data/alertmanager", true],
    // Prometheus's basic-auth credentials as a netrc file, from the job's secrets writer.
    ["backup-secrets", "/run/secrets", true],
  ]);
  expect(script).toContain("--netrc-file '/run/secrets/prometheus.netrc'");
});

test("with S3 the script targets the bucket and there is no archive volume", () => {
  const script = upload("s3backup-job", "/backup/backup.sh");
  expect(script).toContain("S3='s3://obs-backup-mock'");
  expect(script).toContain("--region 'eu-west-1'");
  expect(container("s3backup-job").volumes.map((v) => v.containerPath)).not.toContain("/archive");
});

test("the verifier runs promtool's check on the Prometheus image, sharing the scratch and textfile volumes", () => {
  const v = container("backup-verify");
  expect(v.name).toBe("backup-verify");
  expect(v.entrypoints).toEqual(["/bin/sh", "/backup/verify-tsdb.sh"]);
  expect(v.user).toBe("0:0");
  expect(v.volumes.map((x) => [x.volumeName, x.containerPath])).toEqual([
    ["node-exporter-textfile", "/textfile"],
    ["backup-scratch", "/scratch"],
  ]);
  expect(upload("backup-verify", "/backup/verify-tsdb.sh")).toContain("tsdb analyze");
  // Same tag as Prometheus: promtool opens the blocks Prometheus writes.
  const image = registered.find((r) => r.type === "docker:index/remoteImage:RemoteImage" && r.name === "backup-verify-image")!;
  expect(image.inputs.name).toBe("prom/prometheus:v3.13.3");
});

test("the Grafana database copier runs sqlite3 on its own image, reading Grafana's volume and sharing the exchange volume", () => {
  const c = container("backup-grafana-copy");
  expect(c.name).toBe("grafana-db-copy");
  expect(c.entrypoints).toEqual(["/sbin/tini", "-g", "--", "/bin/sh", "/copier/grafana-db-copy.sh"]);
  expect(c.volumes.map((x) => [x.volumeName, x.containerPath, x.readOnly])).toEqual([
    ["grafana-data", "/data/grafana", true],
    ["backup-grafana-copy", "/grafana-copy", false],
  ]);
  expect(upload("backup-grafana-copy", "/copier/grafana-db-copy.sh")).toContain("DB='/data/grafana'/grafana.db");
  expect(upload("backup-job", "/backup/backup.sh")).toContain("GRAFANA_COPY='/grafana-copy'");
  const image = registered.find((r) => r.type === "docker:index/remoteImage:RemoteImage" && r.name === "backup-grafana-copy-image")!;
  expect(image.inputs.name).toBe("keinos/sqlite3:3.52.0");
});

test("the restore runs to completion: attached, not kept running, not restarted, logs kept", () => {
  const c = container("restore-ok-run");
  expect(c.name).toBe("backup-restore");
  expect([c.attach, c.mustRun, c.restart, c.logs]).toEqual([true, false, "no", true]);
  expect(c.entrypoints).toEqual(["/bin/sh", "/backup/restore.sh"]);
  const script = upload("restore-ok-run", "/backup/restore.sh");
  expect(script).toContain("FROM='latest'");
  expect(script).toContain("OVERWRITE=0");
  // Each tree goes to its service's user.
  expect(script).toContain("chown -R '65534:65534' '/data/prometheus'");
  expect(script).toContain("chown -R '472:0' '/data/grafana'");
  expect(c.volumes.map((v) => [v.volumeName, v.containerPath, v.readOnly])).toEqual([
    ["prometheus-data", "/data/prometheus", false],
    ["grafana-data", "/data/grafana", false],
    ["alertmanager-data", "/data/alertmanager", false],
    ["backup-archive", "/archive", true],
  ]);
  const bad = upload("restore-bad-run", "/backup/restore.sh");
  expect(bad).toContain("FROM='20261202T040000Z'");
  expect(bad).toContain("OVERWRITE=1");
  expect(bad).toContain("RESTORE_ID='incident-7'");
  expect(script).toContain("RESTORE_ID=''");
  // A one-shot container has no init: it is not a long-running script.
  expect(c.init).toBeUndefined();
  expect(bad).toContain("S3='s3://obs-backup-mock'");
});

test("a service gated on a successful restore starts after it", async () => {
  const names = registered.filter((r) => r.type === CONTAINER).map((r) => r.name);
  expect(names.indexOf("after-ok")).toBeGreaterThan(names.indexOf("restore-ok-run"));
  const gate = constructed.find((c) => c.name === "after-ok" && c.type === CONTAINER)!.opts.dependsOn as pulumi.Output<pulumi.Resource[]>;
  const deps = await valueOf(gate);
  expect(deps).toEqual([okRestore.container.container]);
});

test("a failed restore fails the program with the container's log", async () => {
  expect(badOutcome).toBeInstanceOf(Error);
  const message = (badOutcome as Error).message;
  expect(message).toContain("the restore from 20261202T040000Z failed (container backup-restore exited with status 3)");
  expect(message).toContain("Prometheus, Grafana and Alertmanager were not started");
  expect(message).toContain("checksum mismatch against manifest 20261202T040000Z");
  // Services gated on it wait on this Output; Pulumi fails their registration with its error.
});

test("a volume source without the archive volume is refused", () => {
  expect(
    () =>
      new mod.BackupRestore("restore-x", {
        placement: placement("amazon/aws-cli:2.37.12"),
        from: "latest",
        volumes,
        source: { kind: "volume" },
      }),
  ).toThrow(/volume source needs the backup job's archiveVolume/);
});

test("an overwrite restore is announced in the preview; a plain restore is not", () => {
  const overwrite = warnings.filter((w) => w.includes("OVERWRITE RESTORE"));
  expect(overwrite).toHaveLength(1);
  expect(overwrite[0]).toContain(
    "OVERWRITE RESTORE incident-7: this up replaces the contents of the Prometheus, Grafana and Alertmanager volumes with backup 20261202T040000Z",
  );
  expect(overwrite[0]).toContain("unless every volume already holds the marker of restore incident-7");
  expect(overwrite[0]).toContain("Remove restoreFrom, restoreOverwrite and restoreId");
});

test("an overwrite restore without a restore id is refused", () => {
  expect(
    () =>
      new mod.BackupRestore("restore-y", {
        placement: placement("amazon/aws-cli:2.37.12"),
        from: "latest",
        overwrite: true,
        volumes,
        source: { kind: "s3", bucket: "obs-backup-mock", region: "eu-west-1" },
      }),
  ).toThrow(/an overwrite restore needs a restoreId, so that it runs once/);
});
