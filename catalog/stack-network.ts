// The stack's network layout on ec2, as plain vocabulary: the bridge and subnet of the stack
// network and the fixed addresses of the containers that may use the instance role. index.ts
// creates the network from it, the metadata firewall (configs/host-hardening.ts) admits by it,
// and the settings and policies read it.
import { CATALOG } from "./containers";

/**
 * The stack network on ec2: a fixed subnet and bridge name, so the firewall can name the
 * containers that use the instance role by address. 172.30.53.0/24 stays clear of the default
 * VPC (172.31.0.0/16) and of docker0 (172.17.0.0/16).
 */
export const STACK_BRIDGE = "obs0";
export const STACK_SUBNET = "172.30.53.0/24";
/**
 * Docker hands out addresses only from this upper half, so no other container can be given a
 * role address while its owner is being replaced (fixed addresses may lie outside ip_range).
 */
export const STACK_DYNAMIC_RANGE = "172.30.53.128/25";
/**
 * Fixed addresses of the containers that may use the instance role: Loki (S3 chunks), the backup
 * job and the restore (the backup bucket), and, only when a setting needs it, Prometheus (SigV4
 * remote write to AMP, EC2 discovery) and Grafana (the AMP datasource). A container that does not
 * need the role gets a dynamic address, which the firewall keeps away from the metadata service.
 */
export const ROLE_ADDRESSES = {
  loki: "172.30.53.10",
  backup: "172.30.53.11",
  restore: "172.30.53.12",
  prometheus: "172.30.53.13",
  grafana: "172.30.53.14",
} as const;

/** The container each role address belongs to. */
export const ROLE_CONTAINERS: Readonly<Record<keyof typeof ROLE_ADDRESSES, string>> = {
  loki: CATALOG.loki.container,
  backup: CATALOG.backup.container,
  restore: CATALOG.backupRestore.container,
  prometheus: CATALOG.prometheus.container,
  grafana: CATALOG.grafana.container,
};
