// Fleets found through EC2 (`ec2Discovery`): a structured setting, every field checked here.
// Only the ec2 target has the instance role DescribeInstances is called with.
import { CATALOG, NetworkComponent } from "../../catalog/containers";
import { RESERVED_JOBS } from "../../integrations";
import { ANY_TAG_VALUE, Ec2DiscoveryJob } from "../../configs/ec2-discovery";
import { ServiceSettings } from "../../configs/service-settings";
import { checkName, checkPort, isRecord, show } from "./checks";
import { Reader } from "./reader";
import { Target } from "./schema";

/** EC2 tag keys: 1-128 letters, digits, spaces and + - = . _ : / @, not starting with aws: (reserved). */
const TAG_KEY = /^[\p{L}\p{N}\p{Zs}+\-=._:/@]{1,128}$/u;
/** EC2 tag values: 0-256 of the same characters; the filter also takes the wildcards * and ?. */
const TAG_VALUE = /^[\p{L}\p{N}\p{Zs}+\-=._:/@*?]{0,256}$/u;
/**
 * Ports discovery may not scrape (issue 21): sshd, and the ports of the stack's own services
 * (not the exporters, whose ports application fleets run too): a job on one of them scrapes
 * this stack or another one, not an application.
 */
const STACK_SERVICES: readonly NetworkComponent[] = ["prometheus", "alertmanager", "grafana", "loki", "alloy", "caddy", "socketProxy"];
export const DISCOVERY_REFUSED_PORTS: Readonly<Record<number, string>> = {
  22: "sshd's port (an SSH server is no metrics endpoint)",
  80: "the stack's TLS proxy's HTTP port",
  ...Object.fromEntries(STACK_SERVICES.map((k) => [CATALOG[k].port, `the port of the stack's own ${CATALOG[k].title}`])),
};
/** Tag keys nearly every instance carries: a wildcard on one selects the whole region. */
const UNIVERSAL_TAG_KEYS = ["Name"];
const SHAPE = 'a list of {name, port, tags}, e.g. [{name: app-nodes, port: 9100, tags: {"observability:scrape": node}}]';

export function readEc2Discovery(r: Reader, target: Target, services: readonly ServiceSettings[]): Ec2DiscoveryJob[] {
  const v = r.structured("ec2Discovery");
  if (v === undefined) return [];
  if (target !== "ec2") {
    r.fail(
      "ec2Discovery",
      `is only used with target ec2 (this stack's target is ${target}): discovery runs with the EC2 host's instance role; list local targets in services instead`,
    );
    return [];
  }
  if (!Array.isArray(v)) {
    r.fail("ec2Discovery", `${show(v)} is not accepted; use ${SHAPE}`);
    return [];
  }
  const out: Ec2DiscoveryJob[] = [];
  const names = new Set(services.map((s) => s.name));
  v.forEach((job: unknown, i) => {
    const key = `ec2Discovery[${i}]`;
    if (!isRecord(job)) {
      r.fail(key, `${show(job)} is not accepted; use an object {name, port, tags}`);
      return;
    }
    const allowed = ["name", "port", "tags"];
    r.failUnknownFields(key, job, allowed);
    const name = job.name;
    const nameProblem = checkName(name);
    if (nameProblem) r.fail(`${key}.name`, nameProblem);
    else if (RESERVED_JOBS.includes(name as string)) {
      r.fail(`${key}.name`, `${show(name)} is the job of a stack component; choose another (reserved: ${RESERVED_JOBS.join(", ")})`);
    } else if (names.has(name as string)) {
      r.fail(
        `${key}.name`,
        `${show(name)} is already the name of a service or of another ec2Discovery entry; job names must be unique (taken: ${[...names].join(", ")})`,
      );
    }
    if (!nameProblem && !RESERVED_JOBS.includes(name as string)) names.add(name as string);
    const portProblem = checkPort(job.port);
    if (portProblem) r.fail(`${key}.port`, portProblem);
    else if (DISCOVERY_REFUSED_PORTS[job.port as number]) {
      r.fail(
        `${key}.port`,
        `${job.port} is ${DISCOVERY_REFUSED_PORTS[job.port as number]}; discovery scrapes an application fleet: use the port its exporter listens on (e.g. 9100 for node-exporter)`,
      );
    }
    const tags = job.tags;
    const checked: Record<string, string> = {};
    if (!isRecord(tags) || Object.keys(tags).length === 0) {
      r.fail(
        `${key}.tags`,
        `${show(tags)} is not accepted; use a non-empty mapping of EC2 tag key to value, e.g. {"observability:scrape": node} ` +
          `(without a tag the job would scrape every running instance in the region)`,
      );
    } else {
      for (const [k, val] of Object.entries(tags)) {
        if (!TAG_KEY.test(k) || k.toLowerCase().startsWith("aws:")) {
          r.fail(
            `${key}.tags`,
            `${show(k)} is not an EC2 tag key; use 1-128 letters, digits, spaces and + - = . _ : / @, not starting with aws:`,
          );
        } else if (typeof val !== "string" || !TAG_VALUE.test(val)) {
          r.fail(
            `${key}.tags.${k}`,
            `${show(val)} is not an EC2 tag value; use a string of up to 256 letters, digits, spaces and + - = . _ : / @ ` +
              `(* and ? match any characters; "${ANY_TAG_VALUE}" alone means any value)`,
          );
        } else if (UNIVERSAL_TAG_KEYS.includes(k) && /^[*?]*$/.test(val)) {
          r.fail(
            `${key}.tags.${k}`,
            `${show(val)} matches every instance that has a ${k} (nearly all of them), so the job would scrape the whole region; ` +
              `select the fleet by a tag of its own (e.g. {"observability:scrape": node}) or by a ${k} pattern with fixed text (e.g. "web-*")`,
          );
        } else checked[k] = val;
      }
    }
    out.push({ name: String(name), port: typeof job.port === "number" ? job.port : 0, tags: checked });
  });
  return out;
}
