// The dev stack with `remoteWrite` to an https URL with basic auth, run as the program under
// mocks: the password reaches Prometheus only as a secret 0400 file that prometheus.yml names
// (checked by the real promtool), no AWS resource, no extra datasource, and the output. The
// bearer-token form: remote-write-bearer.test.ts.
import * as yaml from "js-yaml";
import { ProgramRun, RecordedResource, resourcesHolding, runProgram, uploadsOf } from "../../harness/mock-program";
import { promtoolCheckUploads } from "../helpers/tools";
import { PROMETHEUS_REMOTE_WRITE_SECRET } from "../../components/prometheus";
import { GRAFANA_DATASOURCES_PATH } from "../../configs/grafana";

const URL = "https://mimir.example.com/api/v1/push";
const PASSWORD = "secret-remote-write-password";

let prog: ProgramRun;
let prometheus: RecordedResource;
let writer: RecordedResource;

beforeAll(async () => {
  prog = await runProgram({
    stack: "dev",
    config: { remoteWrite: URL, remoteWriteUsername: "tenant-1" },
    secrets: { remoteWritePassword: PASSWORD },
  });
  prometheus = prog.byType("docker:index/container:Container").find((c) => c.inputs.name === "prometheus")!;
  writer = prog.byType("docker:index/container:Container").find((c) => c.inputs.name === "prometheus-secrets")!;
});

test("prometheus.yml writes to the URL with basic auth from the secret file; promtool accepts it", () => {
  const files = uploadsOf(prometheus);
  const config = files["/etc/prometheus/prometheus.yml"];
  const doc = yaml.load(config) as { remote_write: Record<string, unknown>[] };
  expect(doc.remote_write).toEqual([
    expect.objectContaining({
      url: URL,
      name: "remote",
      basic_auth: { username: "tenant-1", password_file: PROMETHEUS_REMOTE_WRITE_SECRET },
    }),
  ]);
  expect(config).not.toContain(PASSWORD);
  expect(Object.keys(files)).toContain("/etc/prometheus/rules/remote-write.yml");
  const check = promtoolCheckUploads(files, "url-prometheus");
  expect(check.output).toContain("SUCCESS");
  expect(check.status).toBe(0);
});

test("the password is a secret 0400 file owned by Prometheus' user, written by its secrets writer, and nowhere else", () => {
  const uploads = writer.inputs.uploads as { file: string; content: string; permissions: string; owner?: string }[];
  const i = uploads.findIndex((u) => u.file === PROMETHEUS_REMOTE_WRITE_SECRET);
  expect(uploads[i]).toMatchObject({ content: PASSWORD, permissions: "0400", owner: "65534" });
  expect(writer.secretPaths).toEqual(["uploads"]);
  // Prometheus mounts the writer's volume read-only where its config names the file.
  expect(prometheus.inputs.volumes).toContainEqual({ volumeName: "prometheus-secrets", containerPath: "/run/secrets", readOnly: true });
  expect(prometheus.secretPaths).toEqual([]);
  expect(JSON.stringify(prometheus.inputs.envs ?? [])).not.toContain(PASSWORD);
  expect(resourcesHolding(prog, PASSWORD)).toEqual([writer.name]);
});

test("no AWS resource and no AMP datasource; the output is the URL", () => {
  expect(prog.resources.filter((r) => r.type.startsWith("aws:"))).toEqual([]);
  const grafana = prog.byType("docker:index/container:Container").find((c) => c.inputs.name === "grafana")!;
  const ds = (yaml.load(uploadsOf(grafana)[GRAFANA_DATASOURCES_PATH]) as { datasources: { uid: string }[] }).datasources;
  expect(ds.map((d) => d.uid)).toEqual(["prometheus", "loki", "alertmanager"]);
  expect(prog.outputs.remoteWriteUrl).toEqual({ value: URL, secret: false });
});
