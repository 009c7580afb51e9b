// Container and image policies: each with a resource that passes and one that violates.
import { containerLimits, loopbackPorts, noPrivileged, noSecretEnv, pinnedImages, unpinnedReason } from "../../policy/containers";
import { TYPES } from "../../policy/types";
import { violations } from "../helpers/policy-args";

const container = (props: Record<string, unknown>) => ({
  name: "prometheus",
  image: "sha256:0123abcd",
  cpus: "2",
  memory: 2048,
  envs: [],
  ports: [{ internal: 9090, external: 9090, ip: "127.0.0.1", protocol: "tcp" }],
  ...props,
});

describe("images-pinned", () => {
  test.each([
    "prom/prometheus:v3.13.3",
    "grafana/grafana:13.2.0",
    "amazon/aws-cli:2.37.12",
    "localhost:5000/team/app:1.2.3-alpine",
    `caddy@sha256:${"a".repeat(64)}`,
  ])("accepts %s", (name) => expect(violations(pinnedImages, TYPES.remoteImage, { name })).toEqual([]));
  test.each([
    ["prom/prometheus", "has no tag"],
    ["localhost:5000/app", "has no tag"],
    ["grafana/grafana:latest", 'tag "latest"'],
    ["grafana/grafana:12", 'tag "12"'],
    ["prom/prometheus:v3.13", 'tag "v3.13"'],
    ["grafana/grafana:latest-2", 'tag "latest-2"'],
  ])("rejects %s", (name, why) => {
    const found = violations(pinnedImages, TYPES.remoteImage, { name });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(why);
  });
  test("a container's image is checked too, unless it is the id of a (checked) RemoteImage", () => {
    expect(violations(pinnedImages, TYPES.container, container({ image: "sha256:9f86d081884c7d65" }))).toEqual([]);
    expect(violations(pinnedImages, TYPES.container, container({ image: "redis:7" }))).toHaveLength(1);
    expect(unpinnedReason("redis:7.4.1")).toBeUndefined();
  });
});

describe("container-limits", () => {
  test("cpus and memory set: passes", () => {
    expect(violations(containerLimits, TYPES.container, container({}))).toEqual([]);
  });
  test("a CPU quota and period count as a CPU limit", () => {
    expect(violations(containerLimits, TYPES.container, container({ cpus: undefined, cpuQuota: 50000, cpuPeriod: 100000 }))).toEqual([]);
  });
  test("missing or zero limits are reported, each by name", () => {
    const found = violations(containerLimits, TYPES.container, container({ cpus: undefined, memory: 0 }));
    expect(found).toEqual([expect.stringContaining("no CPU limit"), expect.stringContaining("no memory limit")]);
  });
});

describe("no-privileged-containers", () => {
  test("cAdvisor may be privileged (documented), others not", () => {
    expect(violations(noPrivileged, TYPES.container, container({ name: "cadvisor", privileged: true }))).toEqual([]);
    expect(violations(noPrivileged, TYPES.container, container({ privileged: false }))).toEqual([]);
    const found = violations(noPrivileged, TYPES.container, container({ name: "alloy", privileged: true }));
    expect(found).toEqual([expect.stringContaining("container alloy is privileged; only cadvisor may be")]);
  });
  test("the allow-list comes from the policy's config", () => {
    expect(violations(noPrivileged, TYPES.container, container({ name: "cadvisor", privileged: true }), { allowed: [] })).toHaveLength(1);
  });
});

describe("no-secret-env", () => {
  test("file indirections and plain settings pass", () => {
    const envs = [
      "GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/admin_password",
      "DATA_SOURCE_PASS_FILE=/etc/pg/pass",
      "GF_AUTH_ANONYMOUS_ENABLED=false",
      "GF_SECURITY_ADMIN_USER=admin",
      "EMPTY_TOKEN=",
    ];
    expect(violations(noSecretEnv, TYPES.container, container({ envs }))).toEqual([]);
  });
  test.each([
    ["GF_SECURITY_ADMIN_PASSWORD=hunter2", "GF_SECURITY_ADMIN_PASSWORD"],
    ["SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T/B/x", "SLACK_WEBHOOK_URL"],
    ["AWS_SECRET_ACCESS_KEY=abc", "AWS_SECRET_ACCESS_KEY"],
    ["DATA_SOURCE_NAME=postgresql://exporter:s3cret@db:5432/postgres", "URL with a password"],
  ])("%s is reported", (entry, why) => {
    const found = violations(noSecretEnv, TYPES.container, container({ envs: [entry] }));
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(why);
  });
});

describe("internal-ports-on-loopback", () => {
  test("loopback, the TLS ports and Grafana's documented bind address pass", () => {
    expect(violations(loopbackPorts, TYPES.container, container({}))).toEqual([]);
    expect(
      violations(
        loopbackPorts,
        TYPES.container,
        container({
          name: "caddy",
          ports: [
            { internal: 443, external: 443, ip: "0.0.0.0" },
            { internal: 80, external: 80 },
          ],
        }),
      ),
    ).toEqual([]);
    expect(
      violations(
        loopbackPorts,
        TYPES.container,
        container({ name: "grafana", ports: [{ internal: 3000, external: 3000, ip: "0.0.0.0" }] }),
      ),
    ).toEqual([]);
  });
  test("an internal port on every address (explicit or by default) is reported", () => {
    expect(violations(loopbackPorts, TYPES.container, container({ ports: [{ internal: 9090, external: 9090, ip: "0.0.0.0" }] }))).toEqual([
      expect.stringContaining("publishes port 9090 on 0.0.0.0:9090"),
    ]);
    expect(
      violations(loopbackPorts, TYPES.container, container({ name: "loki", ports: [{ internal: 3100, external: 3100 }] })),
    ).toHaveLength(1);
  });
});
