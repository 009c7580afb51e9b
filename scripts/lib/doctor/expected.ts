// What a stack should run, from the program itself: the program is run under mocks (as
// `npm run render` does, harness/mock-program.ts) and the files it uploads are read, so the
// doctor compares the running stack with the same renderers `pulumi up` used.
import * as yaml from "js-yaml";
import { runProgram } from "../../../harness/mock-program";
import { loadSettings, pulumiConfigSource } from "../../../components/settings";
import { DOCTOR_TEST } from "../../../configs/alertmanager";
import { DASHBOARDS_DIR } from "../../../configs/grafana-datasources";
import { Expectations } from "./types";
import { PAIR_MEMBERS } from "../../../configs/cluster";

interface Route {
  readonly receiver: string;
  readonly matchers?: readonly string[];
  readonly routes?: readonly Route[];
}

/** Receivers the doctor's test route sends to, from a rendered alertmanager.yml. */
export function doctorReceivers(alertmanagerYml: string): string[] {
  const doc = yaml.load(alertmanagerYml) as { route: Route };
  const matcher = `${DOCTOR_TEST.label}="${DOCTOR_TEST.value}"`;
  return (doc.route.routes ?? []).filter((r) => r.matchers?.includes(matcher)).map((r) => r.receiver);
}

/** Group names of rendered Prometheus rule files. */
export function ruleGroupNames(files: readonly string[]): string[] {
  return files.flatMap((text) => ((yaml.load(text) as { groups?: { name: string }[] } | undefined)?.groups ?? []).map((g) => g.name));
}

export async function stackExpectations(stack: string): Promise<{ expected: Expectations; tlsDomain?: string }> {
  const program = await runProgram({ stack });
  // Each file once: on the redundant pair both members upload the same dashboards, rules and
  // alertmanager.yml, and the doctor checks one member at a time.
  const byFile = new Map<string, string>();
  for (const c of program.byType("docker:index/container:Container"))
    for (const u of (c.inputs.uploads as { file: string; content?: string }[] | undefined) ?? [])
      if (!byFile.has(u.file)) byFile.set(u.file, u.content ?? "");
  const uploads = [...byFile].map(([file, content]) => ({ file, content }));
  const find = (re: RegExp) => uploads.filter((u) => re.test(u.file));
  const am = find(/\/alertmanager\/alertmanager\.yml$/)[0]?.content;
  const rules = find(/^\/etc\/prometheus\/rules\/[^/]+\.ya?ml$/).map((u) => u.content);
  const dashboards = uploads.filter((u) => u.file.startsWith(`${DASHBOARDS_DIR}/`) && u.file.endsWith(".json")).length;
  const ds = find(/\/provisioning\/datasources\/[^/]+\.ya?ml$/).flatMap((u) =>
    ((yaml.load(u.content) as { datasources?: { uid: string }[] }).datasources ?? []).map((d) => d.uid),
  );
  // The program ran with this stack's config: read the settings it read.
  const settings = loadSettings(pulumiConfigSource(), stack);
  return {
    expected: {
      alertmanagerConfig: am,
      ruleGroups: ruleGroupNames(rules),
      dashboards,
      datasources: ds,
      receivers: am ? doctorReceivers(am) : [],
      backupIntervalHours: settings.backup.enabled ? settings.backup.intervalHours : undefined,
      pairMembers: settings.pair ? PAIR_MEMBERS.length : undefined,
    },
    tlsDomain: settings.tls?.domain,
  };
}
