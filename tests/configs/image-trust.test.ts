// configs/image-trust.ts: which containers hold privileges (derived from the container security
// profiles, the role addresses and the socket proxy), and where their images may come from.
import { CATALOG } from "../../catalog/containers";
import { imageRef, privilegedComponents, untrustedImageProblem } from "../../configs/image-trust";

test("the privileged containers: the socket, the instance role, added capabilities", () => {
  const p = privilegedComponents();
  expect(Object.keys(p).sort()).toEqual([
    "backup",
    "backupRestore",
    "backupVerify",
    "caddy",
    "cadvisor",
    "grafana",
    "grafanaDbCopy",
    "loki",
    "prometheus",
    "socketProxy",
  ]);
  expect(p.socketProxy).toEqual(["the Docker socket"]);
  expect(p.cadvisor).toEqual(["the capabilities SYSLOG"]);
});

test("references resolve as Docker resolves them", () => {
  expect(imageRef("caddy:2.11.4")).toEqual({ registry: "docker.io", repository: "docker.io/library/caddy", digest: undefined });
  expect(imageRef("grafana/loki:3.7.8").repository).toBe("docker.io/grafana/loki");
  expect(imageRef("docker.io/grafana/loki:3.7.8").repository).toBe("docker.io/grafana/loki");
  expect(imageRef("ghcr.io/google/cadvisor:v0.60.6").repository).toBe("ghcr.io/google/cadvisor");
  expect(imageRef("registry.example.com:5000/team/loki:1.2.3").registry).toBe("registry.example.com:5000");
  expect(imageRef(`x/y@sha256:${"0".repeat(64)}`).digest).toBe(`sha256:${"0".repeat(64)}`);
});

test("a privileged image: its default repository, a digest, or a trusted registry", () => {
  expect(untrustedImageProblem("loki", "grafana/loki:3.7.9", [])).toBeUndefined();
  expect(untrustedImageProblem("loki", "docker.io/grafana/loki:3.7.9", [])).toBeUndefined();
  expect(untrustedImageProblem("loki", `someone/loki@sha256:${"a".repeat(64)}`, [])).toBeUndefined();
  expect(untrustedImageProblem("loki", "mirror.example.com/grafana/loki:3.7.8", ["mirror.example.com"])).toBeUndefined();
  expect(untrustedImageProblem("loki", "someone/loki:3.7.8", [])).toMatch(/instance role/);
  expect(untrustedImageProblem("loki", "mirror.example.com/grafana/loki:3.7.8", ["other.example.com"])).toMatch(/"mirror\.example\.com"/);
  expect(untrustedImageProblem("cadvisor", "gcr.io/cadvisor/cadvisor:v0.49.1", [])).toMatch(/ghcr\.io\/google\/cadvisor/);
});

test("an unprivileged image may come from anywhere", () => {
  expect(untrustedImageProblem("alertmanager", "someone/alertmanager:0.34.0", [])).toBeUndefined();
  expect(untrustedImageProblem("nodeExporter", "quay.io/prometheus/node-exporter:v1.12.1", [])).toBeUndefined();
  expect(CATALOG.alertmanager.image).toMatch(/^prom\//);
});
