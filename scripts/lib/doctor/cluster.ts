// The redundant pair (highAvailability), checked on one member at a time (each through its own
// tunnel): its Alertmanager has settled into a cluster with every member, and its Prometheus sends
// to every member's Alertmanager. Either missing means a lost host would lose notifications, or a
// partition sends each one twice.
import { getJson } from "./http";
import { CheckResult, Endpoint, fail, pass } from "./types";

interface ClusterStatus {
  readonly cluster?: { readonly status?: string; readonly peers?: readonly { readonly name: string; readonly address: string }[] };
}

export async function alertmanagerClusterCheck(ep: Endpoint, members: number, timeoutMs: number): Promise<CheckResult> {
  const name = "alertmanager cluster";
  try {
    const { cluster } = await getJson<ClusterStatus>(ep, "/api/v2/status", timeoutMs);
    const peers = (cluster?.peers ?? []).map((p) => `${p.name} (${p.address})`);
    const found = `status ${cluster?.status ?? "absent"}, ${peers.length} member(s)${peers.length ? `: ${peers.join(", ")}` : ""}`;
    return cluster?.status === "ready" && peers.length === members
      ? pass(name, found)
      : fail(name, `${found}; the pair needs ${members} members, ready (gossip port 9094 between the hosts, the gossip certificates)`);
  } catch (e) {
    return fail(name, (e as Error).message);
  }
}

export async function prometheusAlertmanagersCheck(ep: Endpoint, members: number, timeoutMs: number): Promise<CheckResult> {
  const name = "prometheus alertmanagers";
  try {
    const data = await getJson<{ data: { activeAlertmanagers: readonly { url: string }[] } }>(ep, "/api/v1/alertmanagers", timeoutMs);
    const urls = data.data.activeAlertmanagers.map((a) => a.url);
    return urls.length === members
      ? pass(name, `sends to ${urls.join(", ")}`)
      : fail(name, `sends to ${urls.length} Alertmanager(s) (${urls.join(", ") || "none"}); the pair needs every member's ${members}`);
  } catch (e) {
    return fail(name, (e as Error).message);
  }
}
