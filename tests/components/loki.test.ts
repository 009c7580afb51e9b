// The logs component on its own under Pulumi's mocks: on the redundant pair its Loki ruler and its
// Alloy take URLs that exist only once the instances do (Outputs), and the files the containers
// receive name every Alertmanager and every Loki; with one host nothing changes.
import * as pulumi from "@pulumi/pulumi";
import * as yaml from "js-yaml";
import type * as LokiModule from "../../components/loki";
import type { Placement } from "../../components/container";
import { ALLOY_CONFIG_PATH } from "../../configs/alloy";
import { LOKI_CONFIG_PATH } from "../../configs/loki";
import { mocks, record, registered, settled, unwrap } from "../helpers/component-mocks";

const CONTAINER = "docker:index/container:Container";
let mod: typeof LokiModule;

const placement: Placement = { image: "img", limits: { cpus: 0.25, memoryMb: 256 }, network: "observability" };
const common = {
  placements: { loki: placement, alloy: placement },
  retentionPeriod: "30d",
  store: { kind: "volume" } as const,
  published: { external: 3100, ip: "127.0.0.1" },
};
/** Private addresses as the instances would report them: known only once they exist. */
const later = (v: string): pulumi.Output<string> => pulumi.output(Promise.resolve(v));

/** The file a container of a LokiStack (by resource name) receives. */
function upload(resource: string, file: string): string {
  const found = registered.filter((r) => r.type === CONTAINER && r.name === resource);
  expect(found).toHaveLength(1);
  const uploads = unwrap(found[0].inputs.uploads) as { file: string; content: string }[];
  return uploads.find((u) => u.file === file)!.content;
}

beforeAll(async () => {
  await pulumi.runtime.setMocks(mocks(), "observability-stack", "prod", false);
  mod = require("../../components/loki");
  const opts = { transformations: [record] };
  new mod.LokiStack(
    "pair-a",
    {
      ...common,
      alertmanagerUrls: [later("http://10.0.1.10:9093"), later("http://10.0.2.10:9093")],
      lokiPushUrls: [later("http://10.0.1.10:3100/loki/api/v1/push"), "http://10.0.2.10:3100/loki/api/v1/push"],
      member: "a",
    },
    opts,
  );
  new mod.LokiStack("single", { ...common, alertmanagerUrls: ["http://alertmanager:9093"] }, opts);
  await settled();
});

test("pair: the Loki ruler sends to both Alertmanagers", () => {
  const doc = yaml.load(upload("pair-a-loki", LOKI_CONFIG_PATH)) as { ruler: Record<string, unknown> };
  expect(doc.ruler.alertmanager_url).toBe("http://10.0.1.10:9093,http://10.0.2.10:9093");
});

test("pair: Alloy has one pipeline per Loki, each stream labelled with the member", () => {
  const alloy = upload("pair-a-alloy", ALLOY_CONFIG_PATH);
  expect([...alloy.matchAll(/^loki\.write "([a-z_0-9]+)"/gm)].map((m) => m[1])).toEqual(["containers", "containers_1"]);
  expect([...alloy.matchAll(/url\s+= "([^"]+)"/g)].map((m) => m[1])).toEqual([
    "http://10.0.1.10:3100/loki/api/v1/push",
    "http://10.0.2.10:3100/loki/api/v1/push",
  ]);
  expect((alloy.match(/external_labels = \{ member = "a" \}/g) ?? []).length).toBe(2);
});

test("one host: the stack's own Loki and Alertmanager by their Docker names, no member label", () => {
  const doc = yaml.load(upload("single-loki", LOKI_CONFIG_PATH)) as { ruler: Record<string, unknown> };
  expect(doc.ruler.alertmanager_url).toBe("http://alertmanager:9093");
  const alloy = upload("single-alloy", ALLOY_CONFIG_PATH);
  expect([...alloy.matchAll(/url\s+= "([^"]+)"/g)].map((m) => m[1])).toEqual(["http://loki:3100/loki/api/v1/push"]);
  expect(alloy).not.toMatch(/external_labels|max_backoff_retries/);
});

test("an empty list is refused before any resource is made", () => {
  const before = registered.length;
  expect(() => new mod.LokiStack("none", { ...common, alertmanagerUrls: [] })).toThrow(/alertmanagerUrls is empty/);
  expect(() => new mod.LokiStack("none", { ...common, alertmanagerUrls: ["http://am:9093"], lokiPushUrls: [] })).toThrow(
    /lokiPushUrls is empty/,
  );
  expect(registered.length).toBe(before);
});
