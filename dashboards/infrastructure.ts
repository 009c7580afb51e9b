// Infrastructure: the Docker host (node-exporter) and every container on it (cAdvisor).
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { addRow, alertAnnotation, DashboardMeta, finalize, newDashboard } from "./lib/dashboard";
import { labelValuesVariable, PROMETHEUS, prometheusDatasourceVariable } from "./lib/datasources";
import { barGauge, PanelBuilder, statPanel, tablePanel, timeSeries } from "./lib/panels";
import {
  anyOccurrence,
  CONTAINER_CPU_STEPS,
  CONTAINER_MEMORY_STEPS,
  DISK_USAGE_STEPS,
  HOST_MEMORY_STEPS,
  LOAD_PER_CORE_STEPS,
  RESTART_STEPS,
  USAGE_STEPS,
} from "./lib/steps";
import {
  containerCpuCores,
  containerCpuLimitCores,
  containerMemoryBytes,
  containerMemoryLimitBytes,
  containerRestarts,
  RANGE_WINDOW,
  RATE_WINDOW,
} from "./lib/promql";

export const INFRASTRUCTURE: DashboardMeta = {
  uid: "infrastructure",
  title: "Infrastructure",
  description: "Host CPU, memory, disks, network and load (node-exporter); CPU, memory, network and restarts per container (cAdvisor).",
  tags: ["infrastructure", "host", "containers"],
};

/** Real filesystems only: pseudo and container-layer filesystems would crowd the panels. */
const FS = `fstype!~"tmpfs|overlay|squashfs|ramfs|nsfs|fuse.lxcfs|autofs|devtmpfs"`;
const NET = `device!~"lo|veth.*|docker.*|br-.*|virbr.*"`;
/** One host at a time: the stack's own and every host found through ec2Discovery. */
const HOST = `instance="$instance"`;
const CPU_COUNT = `count(count by (cpu) (node_cpu_seconds_total{${HOST}}))`;
const CONTAINERS = `name=~"$container"`;

/** The disk colours in words, from the alerts they follow. */
function diskStepsDescription(): string {
  const percent = (ratio: number) => `${Math.round(ratio * 100)} %`;
  const [low, critical] = DISK_USAGE_STEPS;
  return `Green below ${percent(low.value)}, yellow from ${percent(low.value)} (DiskSpaceLow), red from ${percent(critical.value)} (DiskSpaceCritical).`;
}

function instanceVariable(): dashboard.QueryVariableBuilder {
  return labelValuesVariable("instance", "Host", PROMETHEUS, "label_values(node_boot_time_seconds, instance)");
}

function containerVariable(): dashboard.QueryVariableBuilder {
  return labelValuesVariable(
    "container",
    "Container",
    PROMETHEUS,
    `label_values(container_memory_working_set_bytes{name!=""}, name)`,
    ".+",
  );
}

function hostPanels(): PanelBuilder[] {
  const diskUsage = `1 - node_filesystem_avail_bytes{${HOST},${FS}} / node_filesystem_size_bytes{${HOST},${FS}}`;
  return [
    statPanel("CPU busy", [{ expr: `1 - avg(rate(node_cpu_seconds_total{${HOST},mode="idle"}[${RATE_WINDOW}]))` }], {
      unit: "percentunit",
      thresholds: USAGE_STEPS,
      sparkline: true,
      w: 4,
    }),
    statPanel("Memory used", [{ expr: `1 - sum(node_memory_MemAvailable_bytes{${HOST}}) / sum(node_memory_MemTotal_bytes{${HOST}})` }], {
      unit: "percentunit",
      thresholds: HOST_MEMORY_STEPS,
      sparkline: true,
      w: 4,
    }),
    statPanel(
      "Root filesystem used",
      [{ expr: `max(1 - node_filesystem_avail_bytes{${HOST},mountpoint="/"} / node_filesystem_size_bytes{${HOST},mountpoint="/"})` }],
      {
        unit: "percentunit",
        thresholds: DISK_USAGE_STEPS,
        w: 4,
      },
    ),
    statPanel("Load (1m) per core", [{ expr: `sum(node_load1{${HOST}}) / ${CPU_COUNT}` }], {
      description: "Above 1 means runnable tasks are waiting for a CPU.",
      decimals: 2,
      thresholds: LOAD_PER_CORE_STEPS,
      w: 4,
    }),
    statPanel("CPU cores", [{ expr: CPU_COUNT }], { w: 4 }),
    statPanel("Uptime", [{ expr: `time() - max(node_boot_time_seconds{${HOST}})` }], { unit: "s", w: 4 }),
    timeSeries(
      "CPU usage by mode",
      [{ expr: `avg by (mode) (rate(node_cpu_seconds_total{${HOST},mode!="idle"}[${RATE_WINDOW}]))`, legend: "{{mode}}" }],
      { unit: "percentunit", stack: true, min: 0, max: 1 },
    ),
    timeSeries(
      "Memory",
      [
        { expr: `sum(node_memory_MemTotal_bytes{${HOST}} - node_memory_MemAvailable_bytes{${HOST}})`, legend: "used" },
        { expr: `sum(node_memory_Cached_bytes{${HOST}} + node_memory_Buffers_bytes{${HOST}})`, legend: "page cache and buffers" },
        { expr: `sum(node_memory_SwapTotal_bytes{${HOST}} - node_memory_SwapFree_bytes{${HOST}})`, legend: "swap used" },
        { expr: `sum(node_memory_MemTotal_bytes{${HOST}})`, legend: "total limit" },
      ],
      { unit: "bytes", min: 0, limitSeries: "/limit$/" },
    ),
    barGauge("Disk usage per mount", [{ expr: diskUsage, legend: "{{mountpoint}}" }], {
      description: diskStepsDescription(),
      unit: "percentunit",
      min: 0,
      max: 1,
      thresholds: DISK_USAGE_STEPS,
    }),
    timeSeries("Disk usage over time", [{ expr: diskUsage, legend: "{{mountpoint}}" }], {
      unit: "percentunit",
      min: 0,
      max: 1,
      thresholds: DISK_USAGE_STEPS,
      showThresholds: true,
    }),
    timeSeries(
      "Disk I/O",
      [
        { expr: `sum by (device) (rate(node_disk_read_bytes_total{${HOST}}[${RATE_WINDOW}]))`, legend: "{{device}} read" },
        { expr: `sum by (device) (rate(node_disk_written_bytes_total{${HOST}}[${RATE_WINDOW}]))`, legend: "{{device}} written" },
      ],
      { description: "Writes are drawn below the axis.", unit: "Bps", negativeSeries: "/written$/" },
    ),
    timeSeries(
      "Network I/O",
      [
        { expr: `sum by (device) (rate(node_network_receive_bytes_total{${HOST},${NET}}[${RATE_WINDOW}]))`, legend: "{{device}} received" },
        { expr: `sum by (device) (rate(node_network_transmit_bytes_total{${HOST},${NET}}[${RATE_WINDOW}]))`, legend: "{{device}} sent" },
      ],
      { description: "Physical interfaces; sent traffic is drawn below the axis.", unit: "Bps", negativeSeries: "/sent$/" },
    ),
    timeSeries(
      "Load average",
      [
        { expr: `sum(node_load1{${HOST}})`, legend: "1m" },
        { expr: `sum(node_load5{${HOST}})`, legend: "5m" },
        { expr: `sum(node_load15{${HOST}})`, legend: "15m" },
        { expr: CPU_COUNT, legend: "CPU cores limit" },
      ],
      { decimals: 2, min: 0, limitSeries: "/limit$/" },
    ),
    timeSeries(
      "Network errors and drops",
      [
        {
          expr: `sum by (device) (rate(node_network_receive_errs_total{${HOST},${NET}}[${RATE_WINDOW}]))`,
          legend: "{{device}} receive errors",
        },
        {
          expr: `sum by (device) (rate(node_network_transmit_errs_total{${HOST},${NET}}[${RATE_WINDOW}]))`,
          legend: "{{device}} transmit errors",
        },
        {
          expr: `sum by (device) (rate(node_network_receive_drop_total{${HOST},${NET}}[${RATE_WINDOW}]))`,
          legend: "{{device}} receive drops",
        },
      ],
      { unit: "pps", min: 0 },
    ),
  ];
}

function containerPanels(): PanelBuilder[] {
  return [
    timeSeries("CPU by container", [{ expr: containerCpuCores(CONTAINERS), legend: "{{name}}" }], {
      description: "CPU in cores.",
      unit: "short",
      decimals: 2,
      min: 0,
    }),
    timeSeries(
      "CPU against limit",
      [{ expr: `${containerCpuCores(CONTAINERS)} / ${containerCpuLimitCores(CONTAINERS)}`, legend: "{{name}}" }],
      {
        description: "CPU used as a share of the container's CPU limit; containers without a limit are not shown.",
        unit: "percentunit",
        min: 0,
        thresholds: CONTAINER_CPU_STEPS,
        showThresholds: true,
      },
    ),
    timeSeries("Memory by container", [{ expr: containerMemoryBytes(CONTAINERS), legend: "{{name}}" }], {
      description: "Working set.",
      unit: "bytes",
      min: 0,
    }),
    timeSeries(
      "Memory against limit",
      [{ expr: `${containerMemoryBytes(CONTAINERS)} / ${containerMemoryLimitBytes(CONTAINERS)}`, legend: "{{name}}" }],
      {
        description: "Working set as a share of the memory limit; containers without a limit are not shown.",
        unit: "percentunit",
        min: 0,
        thresholds: CONTAINER_MEMORY_STEPS,
        showThresholds: true,
      },
    ),
    timeSeries(
      "Network by container",
      [
        {
          expr: `max by (name) (sum without (interface) (rate(container_network_receive_bytes_total{${CONTAINERS}}[${RATE_WINDOW}])))`,
          legend: "{{name}} received",
        },
        {
          expr: `max by (name) (sum without (interface) (rate(container_network_transmit_bytes_total{${CONTAINERS}}[${RATE_WINDOW}])))`,
          legend: "{{name}} sent",
        },
      ],
      { description: "Sent traffic is drawn below the axis.", unit: "Bps", negativeSeries: "/sent$/" },
    ),
    tablePanel(
      "Restarts and OOM kills",
      [
        { expr: containerRestarts(CONTAINERS) },
        { expr: `max by (name) (increase(container_oom_events_total{${CONTAINERS}}[${RANGE_WINDOW}]))` },
      ],
      {
        description: "Container starts (restart policy or re-creation) and out-of-memory kills within the time range.",
        merge: true,
        rename: { name: "Container", "Value #A": "Restarts", "Value #B": "OOM kills" },
        sortBy: { field: "Restarts", desc: true },
        columns: [
          { field: "Restarts", decimals: 0, thresholds: RESTART_STEPS },
          { field: "OOM kills", decimals: 0, thresholds: anyOccurrence("red") },
        ],
      },
    ),
  ];
}

export function buildInfrastructureDashboard(): dashboard.Dashboard {
  const d = newDashboard(INFRASTRUCTURE, [prometheusDatasourceVariable(), instanceVariable(), containerVariable()], [alertAnnotation()]);
  addRow(d, "Host", hostPanels());
  addRow(d, "Containers", containerPanels());
  return finalize(d);
}
