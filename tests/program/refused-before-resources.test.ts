// Issue 21: a refused setting stops the program before it registers any resource. One bad value
// per class of the refusal table (tests/components/settings-refusals-21.test.ts) over the
// committed prod stack, run as the program under Pulumi's mocks: the run fails with the setting's
// key and the mocks saw no resource at all.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ROOT, stackConfig } from "../../harness/mock-program";

const CASES: [cls: string, config: Record<string, unknown>, secrets: Record<string, string>, key: string][] = [
  ["credentials", { remoteWrite: "https://mimir.example.com/api/v1/push?api_key=k-1" }, {}, "remoteWrite"],
  ["link-local", { services: [{ name: "api", targets: ["169.254.169.254:80"] }] }, {}, "services[0].targets"],
  ["label", { services: [{ name: "api", targets: ["api:8080"], labels: { le: "x" } }] }, {}, "services[0].labels.le"],
  ["look-alike", { runbookBaseUrl: "https://wiki.example.com/\u202erunbooks" }, {}, "runbookBaseUrl"],
  ["discovery", { ec2Discovery: [{ name: "all", port: 9100, tags: { Name: "*" } }] }, {}, "ec2Discovery[0].tags.Name"],
  ["after up", { instanceType: "t3.small" }, {}, "instanceType"],
  ["image", { socketProxyImage: "evil.example.com/socket-proxy:1.13.1" }, {}, "socketProxyImage"],
  ["network", { networks: ["observability-docker-api"] }, {}, "networks"],
  ["exposure", { sshAllowedCidrs: ["3.0.0.0/8"] }, {}, "sshAllowedCidrs"],
  [
    "mail",
    {
      receivers: ["email"],
      emailTo: "a@example.com",
      emailFrom: "b@example.com",
      smtpSmarthost: "smtp.example.com:587",
      smtpUsername: "u",
      smtpRequireTls: false,
    },
    { smtpPassword: "pw-1" },
    "smtpRequireTls",
  ],
];

test.each(CASES)("%s: the program stops at the settings, with no resource registered", async (_cls, extra, secrets, key) => {
  let registered = 0;
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered++;
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: () => ({}),
    },
    "observability-stack",
    "prod",
    false,
  );
  const { config, secretKeys } = stackConfig(path.join(ROOT, "Pulumi.prod.yaml"));
  for (const [k, v] of Object.entries({ ...extra, ...secrets }))
    config[`observability-stack:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  pulumi.runtime.setAllConfig(config, [...secretKeys, ...Object.keys(secrets).map((k) => `observability-stack:${k}`)]);
  let error: unknown;
  jest.isolateModules(() => {
    try {
      require(path.join(ROOT, "index"));
    } catch (e) {
      error = e;
    }
  });
  await new Promise((r) => setTimeout(r, 50));
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).name).toBe("SettingsError");
  expect((error as Error).message).toContain(`observability-stack:${key}`);
  expect(registered).toBe(0);
});
