// Policies on the Docker containers and images every component creates through the one container
// helper (components/container.ts). They restate the README's promises so that a component that
// bypasses the helper, or a change to the helper, fails `pulumi preview` instead of shipping.
import { ResourcePolicy, TYPES, configOf } from "./types";

/** A tag that names one release: 1.2.3, v1.2.3, 1.2.3-alpine, 2.37.12. Not latest, 3, v3.13. */
const EXACT_TAG = /^v?\d+\.\d+\.\d+(?:[-+._][0-9A-Za-z.+_-]+)?$/;
const DIGEST = /@sha256:[0-9a-f]{64}$/;
/** What a docker.RemoteImage's `imageId` looks like; the RemoteImage's own name is checked. */
const IMAGE_ID = /^sha256:[0-9a-f]+$/;

/** Why a reference is not pinned, or undefined when it is. */
export function unpinnedReason(ref: string): string | undefined {
  if (DIGEST.test(ref)) return undefined;
  const lastSlash = ref.lastIndexOf("/");
  const colon = ref.lastIndexOf(":");
  if (colon <= lastSlash) return `${JSON.stringify(ref)} has no tag (Docker reads it as :latest)`;
  const tag = ref.slice(colon + 1);
  if (EXACT_TAG.test(tag)) return undefined;
  return `${JSON.stringify(ref)} has tag ${JSON.stringify(tag)}, which can move; pin an exact version (e.g. 1.2.3) or a digest (@sha256:...)`;
}

export const pinnedImages: ResourcePolicy = {
  name: "images-pinned",
  description: "Every image is pinned to an exact version tag or a sha256 digest, so a deploy is repeatable.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    let ref: unknown;
    if (args.type === TYPES.remoteImage) ref = args.props.name;
    else if (args.type === TYPES.container) ref = args.props.image;
    else return;
    if (typeof ref !== "string") return;
    if (args.type === TYPES.container && IMAGE_ID.test(ref)) return;
    const why = unpinnedReason(ref);
    if (why) report(`${args.name}: image ${why}.`);
  },
};

function positive(v: unknown): boolean {
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) && n > 0;
}

export const containerLimits: ResourcePolicy = {
  name: "container-limits",
  description: "Every container has a CPU limit and a memory limit, so one service cannot starve the host.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== TYPES.container) return;
    const p = args.props;
    const cpuByQuota = positive(p.cpuQuota) && positive(p.cpuPeriod);
    if (!positive(p.cpus) && !cpuByQuota) report(`${args.name}: container ${String(p.name)} has no CPU limit (set cpus).`);
    if (!positive(p.memory)) report(`${args.name}: container ${String(p.name)} has no memory limit (set memory, in MB).`);
  },
};

/** Containers documented as privileged (README "What runs"): cAdvisor reads every cgroup and /dev/kmsg. */
export const DOCUMENTED_PRIVILEGED = ["cadvisor"];

export const noPrivileged: ResourcePolicy = {
  name: "no-privileged-containers",
  description: "No container runs privileged, except those the README documents (cAdvisor).",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { allowed: { type: "array", items: { type: "string" }, default: DOCUMENTED_PRIVILEGED } },
  },
  validateResource: (args, report) => {
    if (args.type !== TYPES.container || args.props.privileged !== true) return;
    const { allowed } = configOf(args, { allowed: DOCUMENTED_PRIVILEGED });
    const service = String(args.props.name);
    if (!allowed.includes(service)) {
      report(
        `${args.name}: container ${service} is privileged; only ${allowed.join(", ")} may be (document why in the README and the policy's config).`,
      );
    }
  },
};

/** Environment names that hold a credential. `*_FILE` names point at a file holding it instead. */
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|ROUTING_?KEY|WEBHOOK_?URL|DSN)/i;
const FILE_INDIRECTION = /_FILE$/i;
/** A URL with a password in it, e.g. postgresql://user:pass@db:5432. */
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s:]+:[^/@\s]+@/i;

export const noSecretEnv: ResourcePolicy = {
  name: "no-secret-env",
  description: "No credential is passed in a container's environment (docker inspect shows it); secrets are files.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== TYPES.container) return;
    const envs = Array.isArray(args.props.envs) ? (args.props.envs as unknown[]) : [];
    for (const entry of envs) {
      if (typeof entry !== "string") continue;
      const eq = entry.indexOf("=");
      const key = eq < 0 ? entry : entry.slice(0, eq);
      const value = eq < 0 ? "" : entry.slice(eq + 1);
      if (value === "") continue;
      if (SECRET_NAME.test(key) && !FILE_INDIRECTION.test(key)) {
        report(
          `${args.name}: environment variable ${key} of container ${String(args.props.name)} looks like a credential; deliver it as a file (${key}_FILE or the image's equivalent).`,
        );
      } else if (URL_WITH_PASSWORD.test(value)) {
        report(
          `${args.name}: environment variable ${key} of container ${String(args.props.name)} holds a URL with a password; deliver it as a file.`,
        );
      }
    }
  },
};

/** Containers a documented setting may publish beyond loopback (grafanaBindAddress). */
export const DOCUMENTED_PUBLIC = ["grafana"];
/** The TLS entry point: a proxy's HTTP (ACME challenge, redirect) and HTTPS ports. */
export const TLS_PORTS = [80, 443];

function isLoopback(ip: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip) || ip === "::1" || ip === "localhost";
}

/** RFC 1918: a host's address inside its VPC (the redundant pair publishes there for the other host). */
export function isPrivateIPv4(ip: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(ip);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

export const loopbackPorts: ResourcePolicy = {
  name: "internal-ports-on-loopback",
  description:
    "Containers publish ports on the host's loopback only; exceptions are the TLS entry ports 80/443, the containers a documented setting exposes (Grafana's grafanaBindAddress), and ports on a private (RFC 1918) address, which the stack policy private-ports-only-from-own-group fences.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { publicContainers: { type: "array", items: { type: "string" }, default: DOCUMENTED_PUBLIC } },
  },
  validateResource: (args, report) => {
    if (args.type !== TYPES.container) return;
    const { publicContainers } = configOf(args, { publicContainers: DOCUMENTED_PUBLIC });
    const service = String(args.props.name);
    if (publicContainers.includes(service)) return;
    const ports = Array.isArray(args.props.ports) ? (args.props.ports as Record<string, unknown>[]) : [];
    for (const p of ports) {
      const ip = typeof p.ip === "string" && p.ip !== "" ? p.ip : "0.0.0.0";
      const external = Number(p.external ?? p.internal);
      if (isLoopback(ip) || isPrivateIPv4(ip) || TLS_PORTS.includes(external)) continue;
      report(
        `${args.name}: container ${service} publishes port ${String(p.internal)} on ${ip}:${external}; internal ports go on 127.0.0.1 (reach them through the SSH tunnel).`,
      );
    }
  },
};

export const CONTAINER_POLICIES = [pinnedImages, containerLimits, noPrivileged, noSecretEnv, loopbackPorts];
