// The dev stack with `remoteWrite` to an https URL and a bearer token, run as the program under
// mocks: the token reaches Prometheus only as the secret 0400 file prometheus.yml names (checked
// by the real promtool), and no other resource carries it.
import * as yaml from "js-yaml";
import { ProgramRun, RecordedResource, resourcesHolding, runProgram, uploadsOf } from "../../harness/mock-program";
import { promtoolCheckUploads } from "../helpers/tools";
import { PROMETHEUS_REMOTE_WRITE_SECRET } from "../../components/prometheus";

const URL = "https://vm.example.com/api/v1/write";
const TOKEN = "secret-remote-write-token";

let prog: ProgramRun;
let prometheus: RecordedResource;
let writer: RecordedResource;

beforeAll(async () => {
  prog = await runProgram({ stack: "dev", config: { remoteWrite: URL }, secrets: { remoteWriteBearerToken: TOKEN } });
  const containers = prog.byType("docker:index/container:Container");
  prometheus = containers.find((c) => c.inputs.name === "prometheus")!;
  writer = containers.find((c) => c.inputs.name === "prometheus-secrets")!;
});

test("prometheus.yml sends the token from the secret file, not basic auth; promtool accepts it", () => {
  const files = uploadsOf(prometheus);
  const config = files["/etc/prometheus/prometheus.yml"];
  const doc = yaml.load(config) as { remote_write: Record<string, unknown>[] };
  expect(doc.remote_write).toEqual([
    expect.objectContaining({
      url: URL,
      name: "remote",
      authorization: { type: "Bearer", credentials_file: PROMETHEUS_REMOTE_WRITE_SECRET },
    }),
  ]);
  expect(doc.remote_write[0]).not.toHaveProperty("basic_auth");
  expect(config).not.toContain(TOKEN);
  const check = promtoolCheckUploads(files, "bearer-prometheus");
  expect(check.output).toContain("SUCCESS");
  expect(check.status).toBe(0);
});

test("the token is a secret 0400 file owned by Prometheus' user, written by its secrets writer, and nowhere else", () => {
  const uploads = writer.inputs.uploads as { file: string; content: string; permissions: string; owner?: string }[];
  expect(uploads.find((u) => u.file === PROMETHEUS_REMOTE_WRITE_SECRET)).toMatchObject({
    content: TOKEN,
    permissions: "0400",
    owner: "65534",
  });
  expect(writer.secretPaths).toEqual(["uploads"]);
  expect(resourcesHolding(prog, TOKEN)).toEqual([writer.name]);
  expect(prog.outputs.remoteWriteUrl).toEqual({ value: URL, secret: false });
});
