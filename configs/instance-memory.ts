// Memory the ec2 host has and the containers need, so a stack whose limits cannot fit, or a
// container whose limit is too small to start, is refused before `up` instead of being OOM-killed
// after it (issue 21). Pure: no Pulumi here.

/**
 * Memory (GiB) per vCPU of each x86_64 family accepted, by AWS's published sizes (the "Instance
 * types" pages, general purpose, compute and memory optimised): m 4, c 2, r 8. The burstable t3
 * and t3a families have their own table (nano to 2xlarge).
 */
const GIB_PER_VCPU: Readonly<Record<string, number>> = {
  m5: 4,
  m5a: 4,
  m6i: 4,
  m6a: 4,
  m7i: 4,
  m7a: 4,
  c5: 2,
  c5a: 2,
  c6i: 2,
  c6a: 2,
  c7i: 2,
  c7a: 2,
  r5: 8,
  r5a: 8,
  r6i: 8,
  r6a: 8,
  r7i: 8,
  r7a: 8,
};
const BURSTABLE_GIB: Readonly<Record<string, number>> = { nano: 0.5, micro: 1, small: 2, medium: 4, large: 8, xlarge: 16, "2xlarge": 32 };
const BURSTABLE = ["t3", "t3a"];

/** Families accepted, for messages. */
export const KNOWN_FAMILIES: readonly string[] = [...BURSTABLE, ...Object.keys(GIB_PER_VCPU)];

/**
 * What the operating system, dockerd, containerd and the page cache the TSDB relies on keep for
 * themselves on the host: the containers' limits together must leave this much free.
 */
export const HOST_RESERVED_MB = 1024;

/** vCPUs of a size (large 2, xlarge 4, Nxlarge 4N), or undefined for sizes these families lack. */
function vcpus(size: string): number | undefined {
  if (size === "large") return 2;
  if (size === "xlarge") return 4;
  const m = /^([1-9]\d?)xlarge$/.exec(size);
  return m ? 4 * Number(m[1]) : undefined;
}

/**
 * Memory in MB (MiB, Docker's unit) of an instance type; a sentence saying why not otherwise
 * (an Arm type the x86_64 AMI cannot boot, or a type this table does not know).
 */
export function instanceMemoryMb(instanceType: string): number | { readonly problem: string } {
  const [family, size = ""] = instanceType.split(".");
  if (/^[a-z]+\d+[a-z]*g[a-z]*$/.test(family) && !/^(g|p)/.test(family)) {
    return {
      problem: `is an Arm (Graviton) type; the host runs the x86_64 Amazon Linux 2023 image, so use an x86_64 type such as t3.xlarge or m7i.xlarge`,
    };
  }
  const gib = BURSTABLE.includes(family)
    ? BURSTABLE_GIB[size]
    : family in GIB_PER_VCPU && vcpus(size) !== undefined
      ? (vcpus(size) as number) * GIB_PER_VCPU[family]
      : undefined;
  if (gib === undefined) {
    return {
      problem: `is not in the program's table of instance types, so it cannot check that the containers' memory limits fit; use a size of ${KNOWN_FAMILIES.join(", ")} (e.g. t3.xlarge)`,
    };
  }
  return gib * 1024;
}
