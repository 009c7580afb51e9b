// Where the images of privileged containers may come from (issue 21). A container that gets the
// Docker socket, the instance role (through the metadata firewall) or added capabilities runs its
// image's code with that privilege, so its image is accepted only from the repository of the
// catalogue's default, or pinned by digest (the bytes are then fixed, whoever serves them), or
// from a registry the stack file lists by name in `trustedRegistries`. Pure: no Pulumi here.
import { CATALOG, COMPONENTS, ComponentKey } from "../catalog/containers";
import { securityProfile } from "./container-security";
import { ROLE_ADDRESSES } from "../catalog/stack-network";

/** The only container that mounts the Docker socket (components/docker-api.ts). */
const DOCKER_SOCKET_COMPONENTS: readonly ComponentKey[] = ["socketProxy"];

/** Components that may be given a role address (configs/host-hardening.ts ROLE_ADDRESSES). */
const ROLE_COMPONENTS: Readonly<Record<keyof typeof ROLE_ADDRESSES, ComponentKey>> = {
  loki: "loki",
  backup: "backup",
  restore: "backupRestore",
  prometheus: "prometheus",
  grafana: "grafana",
};

/** Each privileged component with the privileges its image would run with. */
export function privilegedComponents(): Readonly<Partial<Record<ComponentKey, readonly string[]>>> {
  const out: Partial<Record<ComponentKey, string[]>> = {};
  const add = (k: ComponentKey, what: string) => (out[k] = [...(out[k] ?? []), what]);
  for (const k of DOCKER_SOCKET_COMPONENTS) add(k, "the Docker socket");
  for (const k of Object.values(ROLE_COMPONENTS)) add(k, "the instance role on ec2");
  for (const k of COMPONENTS) {
    const caps = securityProfile(CATALOG[k].container).capAdd;
    if (caps.length > 0) add(k, `the capabilities ${caps.join(", ")}`);
  }
  return out;
}

export interface ImageRef {
  /** Registry host (docker.io for Docker Hub). */
  readonly registry: string;
  /** registry/path, e.g. docker.io/grafana/loki. */
  readonly repository: string;
  readonly digest?: string;
}

/** The registry and repository of an image reference as Docker resolves it. */
export function imageRef(image: string): ImageRef {
  const withoutDigest = image.split("@")[0];
  const digest = image.includes("@") ? image.split("@")[1] : undefined;
  const name = withoutDigest.replace(/:[\w][\w.-]*$/, "");
  const first = name.split("/")[0];
  const hasRegistry = name.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  const registry = hasRegistry ? first : "docker.io";
  let path = hasRegistry ? name.slice(first.length + 1) : name;
  if (registry === "docker.io" && !path.includes("/")) path = `library/${path}`;
  return { registry, repository: `${registry}/${path}`, digest };
}

/** A registry host as Docker writes it: name or address, optional :port, no scheme or path. */
export function checkRegistryHost(value: string): string | undefined {
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/.test(value)) {
    return `${JSON.stringify(value)} is not a registry host; use its host name as Docker writes it, e.g. registry.example.com or registry.example.com:5000 (no scheme, no path)`;
  }
  return undefined;
}

/**
 * Why `image` may not run `key`'s container, or undefined: a privileged container's image from a
 * repository other than its default's, neither pinned by digest nor from a trusted registry.
 */
export function untrustedImageProblem(key: string, image: string, trustedRegistries: readonly string[]): string | undefined {
  // Only core components hold privileges (an integration's exporter holds none of these).
  if (!(key in CATALOG)) return undefined;
  const privileges = privilegedComponents()[key as ComponentKey];
  if (!privileges) return undefined;
  const ref = imageRef(image);
  const home = imageRef(CATALOG[key as ComponentKey].image);
  if (ref.digest || ref.repository === home.repository || trustedRegistries.includes(ref.registry)) return undefined;
  return (
    `${JSON.stringify(image)} comes from ${ref.repository}, not ${home.repository}; ${CATALOG[key as ComponentKey].title} runs with ${privileges.join(" and ")}, ` +
    `so its image is accepted only from ${home.repository}, pinned by digest (repository@sha256:<64 hex digits>), ` +
    `or from a registry listed in trustedRegistries (add ${JSON.stringify(ref.registry)} there if you mean it)`
  );
}
