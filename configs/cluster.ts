// The redundant pair (setting highAvailability): the members' fixed names, Alertmanager's gossip
// flags and its TLS transport file, and the labels that make two Prometheus servers one source of
// alerts. Plain values: the components, the live cluster tests and the benchmark all read these.
//
// Upstream facts (Alertmanager v0.34 cmd/alertmanager/main.go, cluster/cluster.go,
// docs/high_availability.md; Prometheus docs "alert_relabel_configs"; AMP "Deduplicating high
// availability metrics"): a peer waits position × peer-timeout before it notifies, its position
// being its index among the members sorted by peer name, so the names are fixed here and never
// random; every Prometheus sends to every Alertmanager; the replica label must leave each alert
// or the two copies are two alerts.
import * as yaml from "js-yaml";
import { CATALOG } from "../catalog/containers";

/** The members in position order: "a" notifies first, "b" one peer timeout later if "a" did not. */
export const PAIR_MEMBERS = ["a", "b"] as const;
export type PairMember = (typeof PAIR_MEMBERS)[number];

/** Target label naming the member whose host a target runs on (both replicas scrape both hosts). */
export const MEMBER_LABEL = "member";
/** External label naming the Prometheus replica; Mimir's and AMP's default HA replica label. */
export const REPLICA_LABEL = "__replica__";
/** External label naming the pair as one source; Mimir's and AMP's default HA cluster label. */
export const CLUSTER_LABEL = "cluster";

/** Alertmanager's gossip port, the same on the host and in the container (moby #53384). */
export const GOSSIP_PORT = 9094;
/** Alertmanager's default: how long a member waits per position before it notifies. */
export const PEER_TIMEOUT = "15s";
/** The name both members' gossip certificates carry and each checks its peer's against. */
export const GOSSIP_SERVER_NAME = "alertmanager-gossip";

/**
 * The gossip certificates' profile, one fact for the program (components/gossip-tls.ts, TLS
 * provider names) and the live suite's openssl stand-in (harness/cluster.ts): ECDSA P-256 keys, a
 * CA of the stack's own, member certificates for GOSSIP_SERVER_NAME that serve and authenticate
 * as clients (each member is both to its peer).
 */
export const GOSSIP_CERTIFICATES = {
  curve: "P256",
  caUses: ["cert_signing", "crl_signing"],
  memberUses: ["digital_signature", "key_encipherment", "server_auth", "client_auth"],
} as const;

/** `alerting.alert_relabel_configs`: the two replicas' copies of an alert become one. */
export const DROP_REPLICA_LABEL: readonly Record<string, unknown>[] = [{ action: "labeldrop", regex: REPLICA_LABEL }];

/** External labels a member's Prometheus adds (besides `stack`): the pair and which replica. */
export function pairExternalLabels(stack: string, member: string): Record<string, string> {
  return { [CLUSTER_LABEL]: stack, [REPLICA_LABEL]: member };
}

/** Paths, inside the Alertmanager container, of the files the gossip TLS transport reads. */
export interface GossipTlsFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * The `--cluster.tls-config` file: mutual TLS, each member presents its certificate and accepts
 * only a peer whose certificate the stack's own CA signed. With it gossip runs over TCP only.
 */
export function renderGossipTlsConfig(files: GossipTlsFiles): string {
  return yaml.dump(
    {
      tls_server_config: {
        cert_file: files.certFile,
        key_file: files.keyFile,
        client_ca_file: files.caFile,
        client_auth_type: "RequireAndVerifyClientCert",
        min_version: "TLS13",
      },
      tls_client_config: {
        ca_file: files.caFile,
        cert_file: files.certFile,
        key_file: files.keyFile,
        server_name: GOSSIP_SERVER_NAME,
      },
    },
    { lineWidth: -1, noRefs: true },
  );
}

export interface AlertmanagerClusterInput {
  /** The member's fixed peer name (PAIR_MEMBERS): it sets the notification order. */
  readonly member: string;
  /** Address the gossip listener binds inside the container, e.g. 0.0.0.0:9094. */
  readonly listenAddress: string;
  /** ip:port the peers reach this member at: the host's private IP, never a hostname or a Docker address. */
  readonly advertiseAddress: string;
  /** ip:port of every other member. */
  readonly peers: readonly string[];
  /** Path of the gossip TLS file (renderGossipTlsConfig); unset only in tests of plain gossip. */
  readonly tlsConfigFile?: string;
  /** Default PEER_TIMEOUT. */
  readonly peerTimeout?: string;
  /** How long a starting member waits for the others before it serves; default Alertmanager's (1m). */
  readonly settleTimeout?: string;
}

/** Alertmanager's cluster flags: the same on every member but for its name and addresses. */
export function alertmanagerClusterFlags(input: AlertmanagerClusterInput): string[] {
  if (input.peers.length === 0) throw new Error(`Alertmanager ${input.member}: a cluster member needs at least one peer`);
  return [
    `--cluster.listen-address=${input.listenAddress}`,
    `--cluster.advertise-address=${input.advertiseAddress}`,
    `--cluster.peer-name=${input.member}`,
    ...input.peers.map((p) => `--cluster.peer=${p}`),
    `--cluster.peer-timeout=${input.peerTimeout ?? PEER_TIMEOUT}`,
    ...(input.settleTimeout ? [`--cluster.settle-timeout=${input.settleTimeout}`] : []),
    ...(input.tlsConfigFile ? [`--cluster.tls-config=${input.tlsConfigFile}`] : []),
  ];
}

/**
 * The services each member publishes at its private address for the other (scraped by both
 * replicas; Loki also takes the other host's log pushes), with the gossip port: the ports the
 * pair's security group admits from itself, and from nothing else. All TCP: plain gossip would
 * need UDP 9094 too, but with --cluster.tls-config memberlist's transport is TCP only
 * (Alertmanager v0.34 cluster/tls_transport.go: "TLS over TCP for both packet and stream
 * operations"), so no UDP rule is opened.
 */
export const PAIR_SERVICES = [
  "prometheus",
  "alertmanager",
  "grafana",
  "loki",
  "alloy",
  "nodeExporter",
  "cadvisor",
] as const satisfies readonly (keyof typeof CATALOG)[];

export function pairPeerPorts(): { readonly port: number; readonly description: string }[] {
  return [
    { port: GOSSIP_PORT, description: "Alertmanager gossip (mutual TLS)" },
    ...PAIR_SERVICES.map((k) => ({ port: CATALOG[k].port, description: `${CATALOG[k].title} (${CATALOG[k].job})` })),
  ];
}
