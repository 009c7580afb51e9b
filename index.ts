// Composition root: read the settings, choose the host, wire the components, export the URLs.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { loadSettings } from "./components/settings";
import { LocalHost } from "./components/host/local";
import { Ec2Host } from "./components/host/ec2";
import { DockerHost } from "./components/host/types";
import { Storage } from "./components/storage";
import { Exporters } from "./components/exporters";
import { AlertingStack } from "./components/alerting";
import { PrometheusStack } from "./components/prometheus";
import { LokiStack } from "./components/loki";
import { GrafanaStack } from "./components/grafana";
import { BackupJob } from "./components/backup";
import { dockerEndpoints, CONTAINER_PORTS } from "./configs/endpoints";
import { renderLokiRuleFiles, renderRuleFiles } from "./configs/rules";
import { EnabledIntegrations } from "./configs/types";
import { buildDashboards } from "./dashboards";

const settings = loadSettings(new pulumi.Config(), pulumi.getStack());
const endpoints = dockerEndpoints();
const integrations: EnabledIntegrations = {
  postgres: settings.integrations.postgres !== undefined,
  redis: settings.integrations.redis !== undefined,
  redisAddress: settings.integrations.redis?.address,
  rabbitmq: settings.integrations.rabbitmq,
  blackbox: settings.integrations.blackbox,
};
/** Internal UIs are published on the host's loopback only; reach them locally or via an SSH tunnel. */
const LOOPBACK = "127.0.0.1";

let host: DockerHost;
let storage: Storage | undefined;
let ec2: Ec2Host | undefined;
if (settings.target === "ec2" && settings.aws) {
  storage = new Storage("storage", {
    stack: settings.stack,
    backupRetentionDays: settings.backup.retentionDays,
    protect: settings.aws.protectBuckets,
    region: settings.aws.region,
  });
  ec2 = new Ec2Host("host", {
    stack: settings.stack,
    aws: settings.aws,
    grafanaPort: settings.ports.grafana,
    bucketArns: [storage.lokiBucketArn, storage.backupBucketArn],
    region: settings.aws.region,
    agentSocketPath: settings.aws.sshAgentSocket,
  });
  host = ec2;
} else {
  host = new LocalHost("host", { dockerHost: settings.dockerHost });
}

const dockerOpts: pulumi.ComponentResourceOptions = { providers: [host.provider], dependsOn: host.ready };
const network = new docker.Network(
  "network",
  { name: "observability", driver: "bridge", labels: [{ label: "observability-stack/stack", value: settings.stack }] },
  { provider: host.provider, dependsOn: host.ready },
);

const exporters = new Exporters(
  "exporters",
  {
    images: settings.images,
    limits: settings.limits,
    network: network.name,
    extraNetworks: settings.networks,
    integrations: settings.integrations,
  },
  dockerOpts,
);

const alertmanagerUrl = `http://${LOOPBACK}:${settings.ports.alertmanager}`;
const alerting = new AlertingStack(
  "alerting",
  {
    image: settings.images.alertmanager,
    limits: settings.limits.alertmanager,
    network: network.name,
    port: { internal: CONTAINER_PORTS.alertmanager, external: settings.ports.alertmanager, ip: LOOPBACK },
    receivers: settings.receivers,
    externalUrl: alertmanagerUrl,
  },
  dockerOpts,
);

const ruleOptions = { runbookBaseUrl: settings.runbookBaseUrl };
const prometheus = new PrometheusStack(
  "prometheus",
  {
    image: settings.images.prometheus,
    limits: settings.limits.prometheus,
    network: network.name,
    extraNetworks: settings.networks,
    port: { internal: CONTAINER_PORTS.prometheus, external: settings.ports.prometheus, ip: LOOPBACK },
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
  { ...dockerOpts, dependsOn: [...host.ready, alerting] },
);

const logs = new LokiStack(
  "logs",
  {
    lokiImage: settings.images.loki,
    alloyImage: settings.images.alloy,
    lokiLimits: settings.limits.loki,
    alloyLimits: settings.limits.alloy,
    network: network.name,
    retentionPeriod: settings.loki.retentionPeriod,
    storage:
      storage && settings.aws
        ? { kind: "s3", bucket: storage.lokiBucketName, region: settings.aws.region }
        : { kind: "filesystem" },
    alertmanagerUrl: `http://${endpoints.alertmanager}`,
    ruleFiles: renderLokiRuleFiles(ruleOptions),
    lokiPort: { external: settings.ports.loki, ip: LOOPBACK },
  },
  dockerOpts,
);

const grafana = new GrafanaStack(
  "grafana",
  {
    image: settings.images.grafana,
    limits: settings.limits.grafana,
    network: network.name,
    adminUser: settings.grafana.adminUser,
    port: { external: settings.ports.grafana, ip: settings.grafanaBindAddress },
    endpoints,
    scrapeInterval: settings.prometheus.scrapeInterval,
    dashboards: buildDashboards({ services: settings.services, integrations, kpis: settings.kpis }),
  },
  { ...dockerOpts, dependsOn: [...host.ready, prometheus, logs] },
);

if (settings.backup.enabled) {
  new BackupJob(
    "backup",
    {
      image: settings.images.backup,
      limits: settings.limits.backup,
      network: network.name,
      intervalHours: settings.backup.intervalHours,
      retentionDays: settings.backup.retentionDays,
      prometheusUrl: `http://${endpoints.prometheus}`,
      textfileVolume: exporters.textfileVolume,
      volumes: {
        prometheus: prometheus.container.volumes.data,
        grafana: grafana.container.volumes.data,
        alertmanager: alerting.container.volumes.data,
      },
      destination:
        storage && settings.aws ? { kind: "s3", bucket: storage.backupBucketName, region: settings.aws.region } : { kind: "volume" },
    },
    dockerOpts,
  );
}

const grafanaHost = settings.target === "ec2" ? host.publicAddress : pulumi.output(settings.grafanaBindAddress === "0.0.0.0" ? "localhost" : settings.grafanaBindAddress);

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
