// The Stack health dashboard's row for the redundant pair (the `highAvailability` setting): each
// member's own services as this Prometheus sees them, and Alertmanager's gossip cluster per
// member. Grafana queries its own host's Prometheus, which scrapes both members (targets labelled
// `member`, configs/prometheus.ts), so one dashboard shows the whole pair. The alerts on the same
// series are in rules/cluster.yml.
import { STACK_JOBS } from "../catalog/containers";
import { MEMBER_LABEL, PAIR_MEMBERS } from "../configs/cluster";
import { PanelBuilder, stateTimeline, timeSeries, UP_DOWN_MAPPINGS } from "./lib/panels";
import { anyOccurrence } from "./lib/steps";

const AM = `job="${STACK_JOBS.alertmanager}"`;
/** The jobs of a member's own services: the only targets with a `member` label. */
const OWN_JOBS = `job=~"${Object.values(STACK_JOBS).join("|")}"`;

/** One up/down timeline per member: every service of that host, by job. */
function memberServices(member: string): PanelBuilder {
  return stateTimeline(
    `Member ${member}: services`,
    [{ expr: `min by (job) (up{${OWN_JOBS}, ${MEMBER_LABEL}="${member}"})`, legend: "{{job}}" }],
    {
      description:
        `Whether this Prometheus can scrape each of member ${member}'s own services at its private address. ` +
        "All of them down at once is the host or the network between the hosts (PairMemberUnreachable).",
      mappings: UP_DOWN_MAPPINGS,
      w: 12,
    },
  );
}

/** The pair's row: services per member, then Alertmanager's cluster as each member sees it. */
export function pairPanels(): PanelBuilder[] {
  return [
    ...PAIR_MEMBERS.map(memberServices),
    timeSeries(
      "Alertmanager cluster members",
      [
        { expr: `max by (${MEMBER_LABEL}) (alertmanager_cluster_members{${AM}})`, legend: "seen by {{member}}" },
        { expr: `count(alertmanager_cluster_members{${AM}})`, legend: "Alertmanagers scraped" },
      ],
      {
        description:
          "Members each Alertmanager finds in its gossip cluster, itself included, against the Alertmanagers Prometheus scrapes. " +
          "Fewer for long: the members do not gossip, both notify (AlertmanagerMembersInconsistent).",
        min: 0,
        decimals: 0,
        limitSeries: "/^Alertmanagers scraped$/",
        w: 8,
      },
    ),
    timeSeries(
      "Alertmanager failed peers",
      [{ expr: `max by (${MEMBER_LABEL}) (alertmanager_cluster_failed_peers{${AM}})`, legend: "{{member}}" }],
      {
        description:
          "Peers an Alertmanager lost or never reached, kept until they rejoin (or 6 hours pass). " +
          "A restart shows for seconds; a lasting one is AlertmanagerClusterFailedPeers.",
        min: 0,
        decimals: 0,
        thresholds: anyOccurrence("orange"),
        showThresholds: true,
        w: 8,
      },
    ),
    timeSeries(
      "Alertmanager gossip health score",
      [{ expr: `max by (${MEMBER_LABEL}) (alertmanager_cluster_health_score{${AM}})`, legend: "{{member}}" }],
      {
        description:
          "Each member's own health as its gossip library rates it: 0 is healthy, higher is worse. It rises with failed probes: " +
          "in a pair, where no third member can tell the two causes apart, the member itself is slow or its peer does not answer.",
        min: 0,
        decimals: 0,
        w: 8,
      },
    ),
  ];
}
