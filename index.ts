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
import { PROMETHEUS_REMOTE_WRITE_SECRET, PrometheusStack } from "./components/prometheus";
import { AmpWorkspace } from "./components/amp";
import { EC2_DISCOVERY_POLICY, ampWorkspacePolicy } from "./configs/aws-policies";
import { RemoteWriteTarget } from "./configs/remote-write";
import { LokiStack } from "./components/loki";
import { GrafanaStack } from "./components/grafana";
import { BackupJob } from "./components/backup";
import { STACK_TAG } from "./configs/docker";
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
let amp: AmpWorkspace | undefined;
if (settings.aws) {
  storage = new Storage("storage", {
    stack: settings.stack,
    backupRetentionDays: settings.backup.retentionDays,
    protect: settings.aws.protectBuckets,
    region: settings.aws.region,
  });
  if (settings.remoteWrite?.kind === "amp") amp = new AmpWorkspace("amp", { stack: settings.stack, region: settings.aws.region });
  const rolePolicies: Record<string, pulumi.Input<string>> = {};
  if (amp) rolePolicies.amp = amp.arn.apply(ampWorkspacePolicy);
  if (settings.ec2Discovery.length > 0) rolePolicies["ec2-discovery"] = EC2_DISCOVERY_POLICY;
  ec2 = new Ec2Host("host", {
    stack: settings.stack,
    aws: settings.aws,
    grafanaPort: settings.ports.grafana,
    bucketArns: [storage.lokiBucketArn, storage.backupBucketArn],
    rolePolicies,
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

/** Image and limits from the settings (catalogue defaults), on the stack network. */
function placement(key: ComponentKey, options: { readonly appNetworks?: boolean } = {}): Placement {
  return {
    image: settings.images[key],
    limits: settings.limits[key],
    network: network.name,
    extraNetworks: options.appNetworks ? settings.networks : undefined,
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
    placement: placement("alertmanager"),
    published: { external: settings.ports.alertmanager, ip: LOOPBACK },
    receivers: settings.receivers,
    secrets: settings.secrets.receivers,
    externalUrl: alertmanagerUrl,
  },
  dockerOpts,
);

const ruleOptions = { runbookBaseUrl: settings.runbookBaseUrl };
const rw = settings.remoteWrite;
const awsRegion = settings.aws?.region;
/** Where Prometheus writes; the AMP URL exists once the workspace does. */
const remoteWriteTarget: pulumi.Input<RemoteWriteTarget> | undefined =
  rw?.kind === "amp" && amp && awsRegion
    ? amp.remoteWriteUrl.apply((url): RemoteWriteTarget => ({ kind: "amp", url, region: awsRegion }))
    : rw?.kind === "url"
      ? {
          kind: "url",
          url: rw.url,
          auth:
            rw.auth?.kind === "basic"
              ? { kind: "basic", username: rw.auth.username, passwordFile: PROMETHEUS_REMOTE_WRITE_SECRET }
              : rw.auth?.kind === "bearer"
                ? { kind: "bearer", credentialsFile: PROMETHEUS_REMOTE_WRITE_SECRET }
                : undefined,
        }
      : undefined;
const prometheus = new PrometheusStack(
  "prometheus",
  {
    placement: placement("prometheus", { appNetworks: true }),
    published: { external: settings.ports.prometheus, ip: LOOPBACK },
    endpoints,
    scrapeInterval: settings.prometheus.scrapeInterval,
    evaluationInterval: settings.prometheus.evaluationInterval,
    retentionTime: settings.prometheus.retentionTime,
    retentionSize: settings.prometheus.retentionSize,
    services: settings.services,
    integrations,
    ruleFiles: renderRuleFiles({ integrations, backup: settings.backup.enabled, remoteWrite: rw !== undefined }, ruleOptions),
    externalLabels: { stack: settings.stack },
    ec2Discovery: settings.aws && settings.ec2Discovery.length > 0 ? { region: settings.aws.region, jobs: settings.ec2Discovery } : undefined,
    remoteWrite: remoteWriteTarget && rw ? { target: remoteWriteTarget, expectedSeries: rw.expectedSeries } : undefined,
    remoteWriteSecret: settings.secrets.remoteWrite,
  },
  { ...dockerOpts, dependsOn: [...host.ready, alerting] },
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
    placement: placement("grafana"),
    adminUser: settings.grafana.adminUser,
    published: { external: settings.ports.grafana, ip: settings.grafanaBindAddress },
    endpoints,
    scrapeInterval: settings.prometheus.scrapeInterval,
    dashboards: buildDashboards({ services: settings.services, integrations, kpis: settings.kpis, remoteWrite: rw !== undefined }),
    amp: amp && settings.aws ? { queryUrl: amp.queryUrl, region: settings.aws.region } : undefined,
  },
  { ...dockerOpts, dependsOn: [...host.ready, prometheus, logs] },
);

if (settings.backup.enabled) {
  new BackupJob(
    "backup",
    {
      placement: placement("backup"),
      intervalHours: settings.backup.intervalHours,
      retentionDays: settings.backup.retentionDays,
      prometheusUrl: `http://${endpoints.prometheus}`,
      textfileVolume: exporters.textfileVolume,
      volumes: {
        prometheus: prometheus.container.volumes.data,
        grafana: grafana.container.volumes.data,
        alertmanager: alerting.container.volumes.data,
      },
      destination: stores.backup,
    },
    dockerOpts,
  );
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
/** Where Prometheus remote-writes (remoteWrite): the AMP workspace's endpoint or the configured URL. */
export const remoteWriteUrl = amp ? amp.remoteWriteUrl : rw?.kind === "url" ? rw.url : undefined;
export const publicIp = ec2?.publicIp;
/** On ec2 the internal UIs are on the host's loopback: this opens them on yours. */
export const sshTunnelCommand = ec2
  ? pulumi.interpolate`ssh -N -L ${settings.ports.prometheus}:127.0.0.1:${settings.ports.prometheus} -L ${settings.ports.alertmanager}:127.0.0.1:${settings.ports.alertmanager} -L ${settings.ports.loki}:127.0.0.1:${settings.ports.loki} ${settings.aws?.sshUser}@${ec2.publicIp}`
  : undefined;
