// The Stack health dashboard's remote-write row (only with the `remoteWrite` setting: without a
// queue there are no series): lag, samples and shards per queue.
import { STACK_JOBS } from "../catalog/containers";
import { PanelBuilder, timeSeries } from "./lib/panels";
import { RATE_WINDOW } from "./lib/promql";

const PROM = `job="${STACK_JOBS.prometheus}"`;

/** The remote-write queue (only with the `remoteWrite` setting: without a queue there are no series). */
export function remoteWritePanels(): PanelBuilder[] {
  const byQueue = "remote_name, url";
  return [
    timeSeries(
      "Remote write lag",
      [
        {
          expr:
            `max(prometheus_remote_storage_highest_timestamp_in_seconds{${PROM}})` +
            ` - on () group_right max by (${byQueue}) (prometheus_remote_storage_queue_highest_sent_timestamp_seconds{${PROM}})`,
          legend: "{{remote_name}}",
        },
      ],
      {
        description:
          "Newest sample stored locally minus newest sample sent. RemoteWriteBehind fires above 2 minutes for 15 minutes; past about 2 hours unsent samples are lost.",
        unit: "s",
        min: 0,
        w: 8,
      },
    ),
    timeSeries(
      "Remote write samples",
      [
        {
          expr: `sum by (remote_name) (rate(prometheus_remote_storage_samples_total{${PROM}}[${RATE_WINDOW}]))`,
          legend: "{{remote_name}} sent",
        },
        {
          expr: `sum by (remote_name) (rate(prometheus_remote_storage_samples_retried_total{${PROM}}[${RATE_WINDOW}]))`,
          legend: "{{remote_name}} retried",
        },
        {
          expr: `sum by (remote_name) (rate(prometheus_remote_storage_samples_failed_total{${PROM}}[${RATE_WINDOW}]))`,
          legend: "{{remote_name}} failed",
        },
      ],
      {
        description: "Retried samples wait in the WAL and are sent again; failed samples are lost (RemoteWriteSamplesLost).",
        unit: "short",
        min: 0,
        w: 8,
      },
    ),
    timeSeries(
      "Remote write shards",
      [
        { expr: `max by (remote_name) (prometheus_remote_storage_shards{${PROM}})`, legend: "{{remote_name}} running" },
        { expr: `max by (remote_name) (prometheus_remote_storage_shards_desired{${PROM}})`, legend: "{{remote_name}} desired" },
        { expr: `max by (remote_name) (prometheus_remote_storage_shards_max{${PROM}})`, legend: "{{remote_name}} limit" },
        { expr: `sum by (remote_name) (prometheus_remote_storage_samples_pending{${PROM}})`, legend: "{{remote_name}} pending samples" },
      ],
      {
        description:
          "Parallel senders. Desired above the limit for long means the queue cannot keep up (queue_config is sized from the expected series).",
        min: 0,
        limitSeries: "/limit$/",
        w: 8,
      },
    ),
  ];
}
