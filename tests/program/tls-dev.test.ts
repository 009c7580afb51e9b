// The dev (local) stack with grafanaDomain set: the proxy runs on the local target too (it is off
// without a domain, see dev.test.ts), with the internal UIs still on loopback.
import { ProgramRun, RecordedResource, runProgram } from "../../harness/mock-program";

const CONTAINER = "docker:index/container:Container";
let prog: ProgramRun;
let containers: Record<string, RecordedResource>;

beforeAll(async () => {
  prog = await runProgram({
    stack: "dev",
    config: {
      grafanaDomain: "grafana.example.org",
      acmeCa: "https://acme-staging-v02.api.letsencrypt.org/directory",
      proxyBindAddress: "192.0.2.10",
    },
  });
  containers = {};
  // Services only: the secret carriers (created, never started) are checked on their own.
  for (const c of prog.byType(CONTAINER)) if (c.inputs.start !== false) containers[String(c.inputs.name)] = c;
});

test("runs Caddy with the staging CA in front of Grafana on the local host", () => {
  expect(Object.keys(containers)).toContain("caddy");
  const uploads = containers.caddy.inputs.uploads as { file: string; content: string }[];
  expect(uploads[0].content).toContain('acme_ca "https://acme-staging-v02.api.letsencrypt.org/directory"');
  expect(prog.outputs.grafanaUrl.value).toBe("https://grafana.example.org");
  expect(prog.resources.filter((r) => r.type.startsWith("aws:"))).toEqual([]);
});

test("Caddy publishes 80 and 443 only on proxyBindAddress (issue 21: no proxy on every interface without a fence)", () => {
  expect((containers.caddy.inputs.ports as { ip: string; external: number }[]).map((p) => [p.external, p.ip])).toEqual([
    [80, "192.0.2.10"],
    [443, "192.0.2.10"],
  ]);
});

test("the other published ports stay on loopback", () => {
  for (const [name, c] of Object.entries(containers)) {
    if (name === "caddy") continue;
    for (const p of (c.inputs.ports as { ip: string }[] | undefined) ?? []) expect({ name, ip: p.ip }).toEqual({ name, ip: "127.0.0.1" });
  }
});

test("on the local target no container, the proxy included, runs in a task-limiting slice (only nproc)", () => {
  for (const [name, c] of Object.entries(containers)) {
    expect({ name, cgroupParent: c.inputs.cgroupParent }).toEqual({ name, cgroupParent: undefined });
    expect({ name, ulimits: c.inputs.ulimits }).toEqual({ name, ulimits: [{ name: "nproc", soft: 4096, hard: 4096 }] });
  }
});
