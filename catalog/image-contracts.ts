// What the project relies on inside each pinned image, with where upstream says so. Plain data
// beside the catalogue (catalog/containers.ts; an integration's exporter has its contract in its module): the catalogue says which image a container runs,
// this says what that image has. tests/components/image-contracts.test.ts renders the program and
// fails when a script, entrypoint or healthcheck calls a command the image is not recorded to
// have, when a contract lacks its evidence, or when a read-only root container writes a path that
// no volume, tmpfs or mount covers.
//
// Change an image tag and this table must change with it (the test refuses an image without a
// contract): re-read the image's Dockerfile or package list at the new tag. "Checked" is the date
// the sources were read (2026-12-07); a source marked "indirect" shows the tag in use or listed by
// others, not the publisher's own release page.

/** A shell the project runs scripts with: the image's /bin/sh and what it is. */
export interface ImageShell {
  readonly path: "/bin/sh";
  readonly kind: "busybox ash" | "bash" | "dash";
  /** Key into `sources`. */
  readonly source: string;
}

export interface ImageContract {
  /** Where the tag exists upstream (key into `sources`). */
  readonly tag: string;
  /** What the image is built FROM, for the reader. */
  readonly base: string;
  /** /bin/sh, or undefined when the image has no shell (scratch, distroless). */
  readonly shell?: ImageShell;
  /**
   * The image's own ENTRYPOINT, or undefined when it has none: then a container's `command` is
   * what runs, and its first word must be one of `commands`.
   */
  readonly entrypoint?: readonly string[];
  /** Commands the project calls inside the image (names on its PATH or absolute paths) → source key. */
  readonly commands: Readonly<Record<string, string>>;
  /** The image's default user (the catalogue decides what the container runs as). */
  readonly user: { readonly name: string; readonly uid?: number; readonly gid?: number; readonly source: string };
  /** Source key → "where: what it shows". */
  readonly sources: Readonly<Record<string, string>>;
}

/** A path a container writes while it runs, which a volume, tmpfs or mount must cover under a read-only root. */
export interface WrittenPath {
  readonly path: string;
  readonly why: string;
}

export const BUSYBOX_APPLETS = "busybox";
export const PROM_BUSYBOX = {
  [BUSYBOX_APPLETS]:
    "prometheus/busybox@869afd4:glibc/Dockerfile: the base of every prom/* image is FROM busybox:glibc, whose /bin/busybox provides sh and the applets (sed, awk, wget, sha256sum, date, cut, tr, wc, tail, sleep, mkdir, mv, rm, cat)",
};
export const busybox = (...applets: string[]) => Object.fromEntries(applets.map((a) => [a, BUSYBOX_APPLETS]));
/**
 * The contract of an image built the Prometheus way (prom/*, prometheus-community/*): FROM
 * quay.io/prometheus/busybox, the binary in /bin, USER nobody; `applets` are the busybox commands
 * the project calls in it (a healthcheck's wget).
 */
export function promBusyboxContract(
  binary: string,
  sources: { readonly tag: string; readonly dockerfile: string },
  applets: readonly string[] = [],
): ImageContract {
  return {
    tag: "tag",
    base: "quay.io/prometheus/busybox (glibc)",
    shell: { path: "/bin/sh", kind: "busybox ash", source: BUSYBOX_APPLETS },
    entrypoint: [`/bin/${binary}`],
    commands: { [`/bin/${binary}`]: "dockerfile", ...busybox(...applets) },
    user: { name: "nobody", uid: 65534, gid: 65534, source: "dockerfile" },
    sources: { ...sources, ...PROM_BUSYBOX },
  };
}

const ALPINE_BUSYBOX = "alpine base image: /bin/sh and the coreutils-like applets are busybox (alpine-baselayout, busybox package)";

/** The core images' contracts; integrations/index.ts adds each exporter's (in its module) as IMAGE_CONTRACTS. */
export const CORE_IMAGE_CONTRACTS: Readonly<Record<string, ImageContract>> = {
  "prom/prometheus:v3.13.3": {
    tag: "tag",
    base: "quay.io/prometheus/busybox (glibc)",
    shell: { path: "/bin/sh", kind: "busybox ash", source: BUSYBOX_APPLETS },
    entrypoint: ["/bin/prometheus"],
    commands: {
      "/bin/prometheus": "dockerfile",
      promtool: "dockerfile",
      ...busybox("sh", "cat", "cut", "date", "mkdir", "mv", "rm", "sha256sum", "sleep", "tail", "tr", "wc"),
    },
    user: { name: "nobody", uid: 65534, gid: 65534, source: "dockerfile" },
    sources: {
      tag: "indirect: pinned as prom/prometheus:v3.13.3 (release date 2026-09-07) and v3.13.4@sha256 in public code; FACTS.md: v3.13.3 in the release notes (LTS line); prometheus/prometheus release-3.13 CHANGELOG in the stored snapshot (2026-08-21) ends at 3.13.2",
      dockerfile:
        "prometheus/prometheus@release-3.13:Dockerfile: FROM quay.io/prometheus/busybox; COPY prometheus /bin/prometheus, promtool /bin/promtool; USER nobody; ENTRYPOINT /bin/prometheus",
      ...PROM_BUSYBOX,
    },
  },
  "prom/alertmanager:v0.34.0": promBusyboxContract(
    "alertmanager",
    {
      tag: "prometheus/alertmanager: git tag v0.34.0 (2026-08-16) in the stored snapshot",
      dockerfile:
        "prometheus/alertmanager@v0.34.0:Dockerfile: FROM quay.io/prometheus/busybox; /bin/alertmanager, /bin/amtool; USER nobody",
    },
    ["wget"],
  ),
  "grafana/grafana:13.2.0": {
    tag: "tag",
    base: "alpine",
    shell: { path: "/bin/sh", kind: "busybox ash", source: "alpine" },
    entrypoint: ["/run.sh"],
    commands: { sh: "alpine", "/bin/sh": "alpine", wget: "alpine", grafana: "dockerfile", "/run.sh": "dockerfile" },
    user: { name: "grafana", uid: 472, gid: 0, source: "dockerfile" },
    sources: {
      tag: "indirect: grafana/grafana:13.2.0@sha256:3fd54ae1… pinned by digest in public code",
      dockerfile:
        "grafana/grafana:Dockerfile (code index, not read at the tag): FROM alpine; PATH starts /usr/share/grafana/bin (the grafana binary); ARG GF_UID=472 GF_GID=0; COPY packaging/docker/run.sh /run.sh; ENTRYPOINT /run.sh",
      alpine: ALPINE_BUSYBOX,
    },
  },
  "grafana/loki:3.7.8": {
    tag: "tag",
    base: "gcr.io/distroless/static:nonroot (no shell, no wget)",
    entrypoint: ["/usr/bin/loki"],
    commands: { "/usr/bin/loki": "dockerfile" },
    user: { name: "loki", uid: 10001, gid: 10001, source: "dockerfile" },
    sources: {
      tag: "indirect: grafana/loki:3.7.8 listed beside alloy v1.20.1 in public code; Alpine v3.25 packages loki 3.7.10 (pkgs.alpinelinux.org, built 2026-11-17); grafana/loki snapshot (older) ends at v3.7.6",
      dockerfile:
        "grafana/loki@v3.7.6:cmd/loki/Dockerfile: FROM gcr.io/distroless/static:nonroot; COPY loki /usr/bin/loki; USER 10001; ENTRYPOINT /usr/bin/loki",
    },
  },
  "grafana/alloy:v1.18.1": {
    tag: "tag",
    base: "ubuntu:noble",
    shell: { path: "/bin/sh", kind: "dash", source: "dockerfile" },
    entrypoint: ["/bin/alloy"],
    commands: { "/bin/alloy": "dockerfile" },
    user: { name: "root (the image also creates alloy 473)", uid: 0, gid: 0, source: "dockerfile" },
    sources: {
      tag: "grafana/alloy: git tag v1.18.1 (2026-08-06) in the stored snapshot",
      dockerfile:
        "grafana/alloy@v1.18.1:Dockerfile: FROM public.ecr.aws/ubuntu/ubuntu:noble (dash as /bin/sh); /bin/alloy; useradd -u 473 alloy; /var/lib/alloy/data owned by alloy; ENTRYPOINT /bin/alloy, no USER line",
    },
  },
  "prom/node-exporter:v1.12.1": promBusyboxContract(
    "node_exporter",
    {
      tag: "prometheus/node_exporter: git tag v1.12.1 (2026-07-14) in the stored snapshot",
      dockerfile: "prometheus/node_exporter@v1.12.1:Dockerfile: FROM quay.io/prometheus/busybox; /bin/node_exporter; USER nobody",
    },
    ["wget"],
  ),
  "ghcr.io/google/cadvisor:v0.60.6": {
    tag: "tag",
    base: "alpine:3.23",
    shell: { path: "/bin/sh", kind: "busybox ash", source: "alpine" },
    entrypoint: ["/usr/bin/entrypoint.sh"],
    commands: { wget: "alpine" },
    user: { name: "root", uid: 0, gid: 0, source: "dockerfile" },
    sources: {
      tag: "indirect: ghcr.io/google/cadvisor:v0.60.6 in public compose files; aminvakil/aur PR 827 (2026-09-19) packages cadvisor 0.60.6 as an upstream release; google/cadvisor snapshot (older) ends at v0.60.5",
      dockerfile:
        "google/cadvisor@v0.60.5:deploy/Dockerfile: FROM alpine:3.23; /usr/bin/cadvisor; ENTRYPOINT /usr/bin/entrypoint.sh; no USER line",
      alpine: ALPINE_BUSYBOX,
    },
  },

  "amazon/aws-cli:2.37.12": {
    tag: "tag",
    base: "amazonlinux:2023",
    shell: { path: "/bin/sh", kind: "bash", source: "al2023" },
    entrypoint: ["/usr/local/bin/aws"],
    commands: {
      aws: "dockerfile",
      sh: "al2023",
      "/bin/sh": "al2023",
      ...Object.fromEntries(
        [
          "cat",
          "chmod",
          "chown",
          "cp",
          "cut",
          "date",
          "df",
          "expr",
          "head",
          "mkdir",
          "mktemp",
          "mv",
          "od",
          "paste",
          "rm",
          "rmdir",
          "sha256sum",
          "sleep",
          "sort",
          "stat",
          "tail",
          "tr",
          "wc",
        ].map((c) => [c, "coreutils"]),
      ),
      awk: "al2023",
      grep: "al2023",
      sed: "al2023",
      curl: "al2023",
    },
    user: { name: "root", uid: 0, gid: 0, source: "dockerfile" },
    sources: {
      tag: "indirect: amazon/aws-cli:2.37.12@sha256:4295c1f8… pinned by digest in public code; aws/aws-cli snapshot (2026-07-23) ends at 2.36.7",
      dockerfile:
        "aws/aws-cli@v2:docker/Dockerfile (same at 2.36.7): FROM public.ecr.aws/amazonlinux/amazonlinux:2023 since PR 9551 (2025-07-14); dnf install less groff findutils jq (PR 9600); /usr/local/bin/aws; ENTRYPOINT /usr/local/bin/aws; no USER line",
      al2023:
        "Amazon Linux 2023 container image: rpm -qa of an AL2023 image in amazonlinux/amazon-linux-2023 issue 585 lists bash, coreutils-single, curl-minimal, gawk, grep; sed (not in that excerpt) is in docker-library repo-info's package lists of AL2023-based official images (maven:3.9.8-amazoncorretto-11-al2023: sed-4.8-7.amzn2023.0.2), indirect; docker-library/official-images PR 21808 (2026-07-08) updates sqlite-libs only, no sqlite3 shell",
      coreutils:
        "coreutils-single (the AL2023 container's coreutils, one multi-call binary with every coreutils command: sha256sum, od, mktemp, paste, expr, stat, df...)",
    },
  },
  "caddy:2.11.4": {
    tag: "tag",
    base: "alpine:3.23",
    shell: { path: "/bin/sh", kind: "busybox ash", source: "alpine" },
    commands: { caddy: "dockerfile", wget: "alpine" },
    user: { name: "root", uid: 0, gid: 0, source: "dockerfile" },
    sources: {
      tag: "docker-library/official-images@37079fb:library/caddy: Tags 2.11.4-alpine, SharedTags 2.11.4",
      dockerfile:
        "caddyserver/caddy-docker:2.11/alpine/Dockerfile: FROM alpine:3.23; /usr/bin/caddy; CMD caddy run …, no ENTRYPOINT, no USER line",
      alpine: ALPINE_BUSYBOX,
    },
  },
  "wollomatic/socket-proxy:1.13.1": {
    tag: "tag",
    base: "scratch",
    entrypoint: ["/socket-proxy"],
    commands: { "/socket-proxy": "dockerfile", "/healthcheck": "dockerfile" },
    user: { name: "65534", uid: 65534, gid: 65534, source: "dockerfile" },
    sources: {
      tag: "wollomatic/socket-proxy: git tag 1.13.1 (2026-08-15) in the stored snapshot",
      dockerfile:
        "wollomatic/socket-proxy@1.13.1:Dockerfile: FROM scratch; USER 65534:65534; COPY healthcheck socket-proxy /; ENTRYPOINT /socket-proxy (cmd/healthcheck: HEAD http://127.0.0.1:55555/health)",
    },
  },
  "keinos/sqlite3:3.52.0": {
    tag: "tag",
    base: "alpine:latest at build time",
    shell: { path: "/bin/sh", kind: "busybox ash", source: "alpine" },
    entrypoint: ["/sbin/tini", "-g", "--"],
    commands: {
      sqlite3: "dockerfile",
      "/sbin/tini": "dockerfile",
      "/bin/sh": "alpine",
      cut: "alpine",
      date: "alpine",
      mv: "alpine",
      rm: "alpine",
      sleep: "alpine",
      tr: "alpine",
    },
    user: { name: "sqlite (adduser -S: a system uid, not fixed)", source: "dockerfile" },
    sources: {
      tag: "KEINOS/Dockerfile_of_SQLite3@1e6fcac (master, 2026-03-30): VERSION_SQLite3.txt says 3.52.0; build-images.sh pushes keinos/sqlite3:<that version> and deploy-on-merge.yml runs it on every merge",
      dockerfile:
        "KEINOS/Dockerfile_of_SQLite3@1e6fcac:Dockerfile: sqlite3 built static from the SQLite release into /usr/bin/sqlite3; final stage FROM alpine:latest, apk add tini; adduser -S sqlite; USER sqlite; ENTRYPOINT /sbin/tini -g --; CMD /usr/bin/sqlite3",
      alpine: ALPINE_BUSYBOX,
    },
  },
};

/**
 * Paths each container writes while it runs (by container name), beyond what it is told to write
 * through a flag or setting the reader can see in its command. Under a read-only root each must
 * lie under a volume, tmpfs or mount of that container.
 */
export const CORE_WRITTEN_PATHS: Readonly<Record<string, readonly WrittenPath[]>> = {
  prometheus: [{ path: "/prometheus", why: "--storage.tsdb.path" }],
  alertmanager: [{ path: "/alertmanager", why: "--storage.path (silences, nflog)" }],
  grafana: [
    { path: "/var/lib/grafana", why: "GF_PATHS_DATA: grafana.db, plugins" },
    { path: "/var/log/grafana", why: "GF_PATHS_LOGS" },
  ],
  loki: [{ path: "/loki", why: "chunks, index, ruler and compactor directories (configs/loki.ts)" }],
  alloy: [{ path: "/var/lib/alloy/data", why: "--storage.path (positions, WAL)" }],
  "node-exporter": [],
  cadvisor: [],
  "socket-proxy": [],
  caddy: [
    { path: "/data", why: "certificates (XDG_DATA_HOME=/data)" },
    { path: "/config", why: "autosave.json (XDG_CONFIG_HOME=/config)" },
  ],
  backup: [
    { path: "/state", why: "last successes, lock, work files" },
    { path: "/scratch", why: "the restore check's copy" },
    { path: "/textfile", why: "metrics for node-exporter" },
    { path: "/grafana-copy", why: "requests to the copier" },
    { path: "/data/prometheus", why: "removes the snapshot it copied" },
  ],
  "backup-verify": [
    { path: "/scratch", why: "cleans the restore check's copy" },
    { path: "/textfile", why: "metrics and their state (.backup-verify)" },
  ],
  "backup-restore": [
    { path: "/tmp", why: "mktemp -d work directory" },
    { path: "/data/prometheus", why: "the restored blocks" },
    { path: "/data/grafana", why: "the restored grafana.db" },
    { path: "/data/alertmanager", why: "the restored silences and nflog" },
  ],
  "grafana-db-copy": [
    { path: "/grafana-copy", why: "the copy and the answers" },
    { path: "/tmp", why: "SQLITE_TMPDIR" },
  ],
};
