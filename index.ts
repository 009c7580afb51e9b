// Composition root: read the settings, choose the host, wire the components, export the URLs.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { loadSettings } from "./components/settings";
import { ComponentKey, dockerEndpoints } from "./components/catalog";
import { Placement } from "./components/container";
import { LocalHost } from "./components/host/local";
import { Ec2Host } from "./components/host/ec2";
import { DockerHost } from "./components/host/types";
import { Storage, VOLUME_STORE } from "./components/storage";
import { Exporters } from "./components/exporters";
import { AlertingStack } from "./components/alerting";
import { PrometheusStack } from "./components/prometheus";
import { LokiStack } from "./components/loki";
import { GrafanaStack } from "./components/grafana";
import { BackupJob, BackupRestore } from "./components/backup";
import { STACK_TAG } from "./configs/docker";
import { backupObjectExpiryDays } from "./configs/backup";
import { durationSeconds } from "./configs/prometheus";
import { renderLokiRuleFiles, renderRuleFiles } from "./configs/rules";
import { buildDashboards } from "./dashboards";

const settings = loadSettings(new pulumi.Config(), pulumi.getStack());
const { integrations } = settings;
const endpoints = dockerEndpoints();
/** Internal UIs are published on the host's loopback only; reach them locally or via an SSH tunnel. */
const LOOPBACK = "127.0.0.1";

let host: DockerHost;
let storage: Storage | undefined;
let ec2: Ec2Host | undefined;
if (settings.aws) {
  storage = new Storage("storage", {
    stack: settings.stack,
    backupRetentionDays: backupObjectExpiryDays(settings.backup.retentionDays, durationSeconds(settings.prometheus.retentionTime)),
    protect: settings.aws.protectBuckets,
    region: settings.aws.region,
  });
  ec2 = new Ec2Host("host", {
    stack: settings.stack,
    aws: settings.aws,
    grafanaPort: settings.ports.grafana,
    bucketArns: [storage.lokiBucketArn, storage.backupBucketArn],
  });
  host = ec2;
} else {
  host = new LocalHost("host", { dockerHost: settings.dockerHost });
}
// The one decision between buckets (ec2) and volumes (local) for data that must outlive the host.
const stores = storage ? { loki: storage.lokiStore, backup: storage.backupStore } : { loki: VOLUME_STORE, backup: VOLUME_STORE };

const dockerOpts: pulumi.ComponentResourceOptions = { providers: [host.provider], dependsOn: host.ready };
const network = new docker.Network(
  "network",
  { name: "observability", driver: "bridge", labels: [{ label: STACK_TAG, value: settings.stack }] },
  { provider: host.provider, dependsOn: host.ready },
);

// With restoreFrom set, the containers that use the data volumes start only after the restore
// filled them. The restore needs those volumes (created with their services), so the services
// get a gate now that opens once the restore, created further down, has succeeded.
const restoreSettings = settings.backup.enabled ? settings.backup.restore : undefined;
let openRestoreGate: (done: pulumi.Input<pulumi.Resource[]>) => void = () => undefined;
const restoreGate = restoreSettings
  ? pulumi.output(new Promise<pulumi.Input<pulumi.Resource[]>>((resolve) => (openRestoreGate = resolve)))
  : undefined;

/**
 * A component's dependencies on other components (start order). A dependency on a component
 * holds back its children, the data volumes included; while a restore is pending the volumes
 * must exist before it and the services after it, so then the gate alone orders them.
 */
function afterServices(...components: pulumi.Resource[]): pulumi.Input<pulumi.Resource>[] {
  return restoreGate ? [...host.ready] : [...host.ready, ...components];
}

/** Image and limits from the settings (catalogue defaults), on the stack network. */
function placement(key: ComponentKey, options: { readonly appNetworks?: boolean; readonly afterRestore?: boolean } = {}): Placement {
  return {
    image: settings.images[key],
    limits: settings.limits[key],
    network: network.name,
    extraNetworks: options.appNetworks ? settings.networks : undefined,
    startAfter: options.afterRestore ? restoreGate : undefined,
  };
}

const exporters = new Exporters(
  "exporters",
  {
    placements: {
      nodeExporter: placement("nodeExporter"),
      cadvisor: placement("cadvisor"),
      postgresExporter: placement("postgresExporter", { appNetworks: true }),
      redisExporter: placement("redisExporter", { appNetworks: true }),
      blackboxExporter: placement("blackboxExporter", { appNetworks: true }),
    },
    integrations,
    secrets: settings.secrets.integrations,
  },
  dockerOpts,
);

const alertmanagerUrl = `http://${LOOPBACK}:${settings.ports.alertmanager}`;
const alerting = new AlertingStack(
  "alerting",
  {
    placement: placement("alertmanager", { afterRestore: true }),
    published: { external: settings.ports.alertmanager, ip: LOOPBACK },
    receivers: settings.receivers,
    secrets: settings.secrets.receivers,
    externalUrl: alertmanagerUrl,
  },
  dockerOpts,
);

const ruleOptions = { runbookBaseUrl: settings.runbookBaseUrl };
const prometheus = new PrometheusStack(
  "prometheus",
  {
    placement: placement("prometheus", { appNetworks: true, afterRestore: true }),
    published: { external: settings.ports.prometheus, ip: LOOPBACK },
    endpoints,
    scrapeInterval: settings.prometheus.scrapeInterval,
    evaluationInterval: settings.prometheus.evaluationInterval,
    retentionTime: settings.prometheus.retentionTime,
    retentionSize: settings.prometheus.retentionSize,
    services: settings.services,
    integrations,
    ruleFiles: renderRuleFiles({ integrations, backup: settings.backup.enabled }, ruleOptions),
    externalLabels: { stack: settings.stack },
  },
  { ...dockerOpts, dependsOn: afterServices(alerting) },
);

const logs = new LokiStack(
  "logs",
  {
    placements: { loki: placement("loki"), alloy: placement("alloy") },
    retentionPeriod: settings.loki.retentionPeriod,
    store: stores.loki,
    alertmanagerUrl: `http://${endpoints.alertmanager}`,
    ruleFiles: renderLokiRuleFiles(ruleOptions),
    published: { external: settings.ports.loki, ip: LOOPBACK },
  },
  dockerOpts,
);

const grafana = new GrafanaStack(
  "grafana",
  {
    placement: placement("grafana", { afterRestore: true }),
    adminUser: settings.grafana.adminUser,
    published: { external: settings.ports.grafana, ip: settings.grafanaBindAddress },
    endpoints,
    scrapeInterval: settings.prometheus.scrapeInterval,
    dashboards: buildDashboards({ services: settings.services, integrations, kpis: settings.kpis }),
  },
  { ...dockerOpts, dependsOn: afterServices(prometheus, logs) },
);

if (settings.backup.enabled) {
  const dataVolumes = {
    prometheus: prometheus.container.volumes.data,
    grafana: grafana.container.volumes.data,
    alertmanager: alerting.container.volumes.data,
  };
  const backup = new BackupJob(
    "backup",
    {
      // The job must not back up the empty services of a host being restored.
      placement: placement("backup", { afterRestore: true }),
      verifyPlacement: placement("backupVerify", { afterRestore: true }),
      intervalHours: settings.backup.intervalHours,
      retentionDays: settings.backup.retentionDays,
      prometheusUrl: `http://${endpoints.prometheus}`,
      textfileVolume: exporters.textfileVolume,
      volumes: dataVolumes,
      destination: stores.backup,
    },
    dockerOpts,
  );
  if (restoreSettings) {
    const restore = new BackupRestore(
      "restore",
      {
        placement: placement("backupRestore"),
        from: restoreSettings.from,
        overwrite: restoreSettings.overwrite,
        volumes: dataVolumes,
        source: stores.backup,
        archiveVolume: backup.archiveVolume,
      },
      dockerOpts,
    );
    openRestoreGate(restore.done);
  }
}

const grafanaHost = ec2 ? ec2.publicAddress : pulumi.output(settings.grafanaBindAddress === "0.0.0.0" ? "localhost" : settings.grafanaBindAddress);

export const grafanaUrl = pulumi.interpolate`http://${grafanaHost}:${settings.ports.grafana}`;
export const prometheusUrl = `http://${LOOPBACK}:${settings.ports.prometheus}`;
export { alertmanagerUrl };
export const lokiUrl = `http://${LOOPBACK}:${settings.ports.loki}`;
export const grafanaAdminUser = grafana.adminUser;
export const grafanaAdminPassword = grafana.adminPassword;
export const lokiBucket = storage?.lokiBucketName;
export const backupBucket = storage?.backupBucketName;
export const instanceId = ec2?.instanceId;
export const publicIp = ec2?.publicIp;
/** On ec2 the internal UIs are on the host's loopback: this opens them on yours. */
export const sshTunnelCommand = ec2
  ? pulumi.interpolate`ssh -N -L ${settings.ports.prometheus}:127.0.0.1:${settings.ports.prometheus} -L ${settings.ports.alertmanager}:127.0.0.1:${settings.ports.alertmanager} -L ${settings.ports.loki}:127.0.0.1:${settings.ports.loki} ${settings.aws?.sshUser}@${ec2.publicIp}`
  : undefined;
