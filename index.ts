// Composition root: read the settings, choose the host, wire the components, export the URLs.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { loadSettings, pulumiConfigSource } from "./components/settings";
import { dockerEndpoints } from "./catalog/containers";
import {
  ALERT_THRESHOLDS,
  ALL_CONTAINERS,
  ALL_CONTAINER_NAMES,
  ContainerKey,
  TARGET_DOWN_ALERTS,
  activeIntegrations,
  dashboardInput,
  integrationRuleAreas,
  integrationScrapeConfigs,
} from "./integrations";
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
import { BackupJob, BackupRestore } from "./components/backup";
import { DOCKER_API_NETWORK, DockerApiProxy } from "./components/docker-api";
import { TlsProxy } from "./components/tls-proxy";
import { ROLE_ADDRESSES, STACK_BRIDGE, STACK_DYNAMIC_RANGE, STACK_SUBNET } from "./catalog/stack-network";
import { containerSlice } from "./configs/container-slices";
import { STACK_TAG } from "./configs/docker";
import { backupObjectExpiryDays } from "./configs/backup";
import { durationSeconds } from "./configs/prometheus";
import { renderLokiRuleFiles, renderRuleFiles } from "./configs/rules";
import { buildDashboards } from "./dashboards";

const settings = loadSettings(pulumiConfigSource(), pulumi.getStack());
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
    backupRetentionDays: backupObjectExpiryDays(settings.backup.retentionDays, durationSeconds(settings.prometheus.retentionTime)),
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
    containers: ALL_CONTAINER_NAMES,
    tls: settings.tls ? { domain: settings.tls.domain, route53ZoneId: settings.tls.route53ZoneId } : undefined,
    buckets: { loki: storage.lokiBucketArn, backup: storage.backupBucketArn },
    rolePolicies,
  });
  host = ec2;
} else {
  host = new LocalHost("host", { dockerHost: settings.dockerHost });
}
// The one decision between buckets (ec2) and volumes (local) for data that must outlive the host.
const stores = storage ? { loki: storage.lokiStore, backup: storage.backupStore } : { loki: VOLUME_STORE, backup: VOLUME_STORE };

const dockerOpts: pulumi.ComponentResourceOptions = { providers: [host.provider], dependsOn: host.ready };
// On ec2 the stack network has a fixed subnet and bridge name: the metadata firewall that
// cloud-init installs lets only the containers given a role address (Loki, backup and restore;
// Prometheus and Grafana when AMP or discovery needs them) reach the instance role.
const network = new docker.Network(
  "network",
  {
    name: "observability",
    driver: "bridge",
    labels: [{ label: STACK_TAG, value: settings.stack }],
    ...(ec2
      ? {
          options: { "com.docker.network.bridge.name": STACK_BRIDGE },
          ipamConfigs: [{ subnet: STACK_SUBNET, ipRange: STACK_DYNAMIC_RANGE }],
        }
      : {}),
  },
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

/**
 * Image and limits from the settings (catalogue defaults), on the stack network; on ec2 in the
 * container's own slice, which cloud-init wrote with its task limit.
 */
function placement(
  key: ContainerKey,
  options: {
    readonly appNetworks?: boolean;
    readonly dockerApi?: boolean;
    readonly roleAddress?: keyof typeof ROLE_ADDRESSES;
    readonly afterRestore?: boolean;
  } = {},
): Placement {
  const extraNetworks = [...(options.appNetworks ? settings.networks : []), ...(options.dockerApi ? [DOCKER_API_NETWORK] : [])];
  return {
    image: settings.images[key],
    limits: settings.limits[key],
    network: network.name,
    extraNetworks: extraNetworks.length > 0 ? extraNetworks : undefined,
    address: ec2 && options.roleAddress ? ROLE_ADDRESSES[options.roleAddress] : undefined,
    startAfter: options.afterRestore ? restoreGate : undefined,
    cgroupParent: ec2 ? containerSlice(ALL_CONTAINERS[key].container) : undefined,
    imageUser: ALL_CONTAINERS[key].user,
  };
}

// The only container that mounts the Docker socket; Alloy and cAdvisor read the API through it.
const dockerApi = new DockerApiProxy("docker-api", { placement: placement("socketProxy"), stack: settings.stack }, dockerOpts);
const dockerApiOpts: pulumi.ComponentResourceOptions = { ...dockerOpts, dependsOn: [...host.ready, dockerApi] };

const exporters = new Exporters(
  "exporters",
  {
    placements: {
      nodeExporter: placement("nodeExporter"),
      cadvisor: placement("cadvisor", { dockerApi: true }),
    },
    integrations: activeIntegrations(integrations).flatMap((a) => {
      const exporter = a.integration.exporter;
      const secrets = settings.secrets.integrations[a.integration.name as keyof typeof integrations] ?? {};
      const run = a.exporterRun(Object.keys(secrets));
      // The registry erases each module's literal key type; every exporter key is a ContainerKey.
      return exporter && run
        ? [{ placement: placement(exporter.key as ContainerKey, { appNetworks: run.appNetworks }), entry: exporter.entry, run, secrets }]
        : [];
    }),
    dockerHost: dockerApi.dockerHost,
  },
  dockerApiOpts,
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
    targetDownAlerts: TARGET_DOWN_ALERTS,
  },
  dockerOpts,
);

const ruleOptions = { runbookBaseUrl: settings.runbookBaseUrl, thresholds: ALERT_THRESHOLDS };
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
    // The instance role signs remote write to AMP and lists instances for EC2 discovery.
    placement: placement("prometheus", {
      appNetworks: true,
      afterRestore: true,
      roleAddress: amp || settings.ec2Discovery.length > 0 ? "prometheus" : undefined,
    }),
    published: { external: settings.ports.prometheus, ip: LOOPBACK },
    endpoints,
    scrapeInterval: settings.prometheus.scrapeInterval,
    evaluationInterval: settings.prometheus.evaluationInterval,
    retentionTime: settings.prometheus.retentionTime,
    retentionSize: settings.prometheus.retentionSize,
    services: settings.services,
    integrationJobs: integrationScrapeConfigs(integrations, settings.services),
    ruleFiles: renderRuleFiles(
      { integrationAreas: integrationRuleAreas(integrations), backup: settings.backup.enabled, remoteWrite: rw !== undefined },
      ruleOptions,
    ),
    externalLabels: { stack: settings.stack },
    ec2Discovery:
      settings.aws && settings.ec2Discovery.length > 0 ? { region: settings.aws.region, jobs: settings.ec2Discovery } : undefined,
    remoteWrite: remoteWriteTarget && rw ? { target: remoteWriteTarget, expectedSeries: rw.expectedSeries } : undefined,
    remoteWriteSecret: settings.secrets.remoteWrite,
  },
  { ...dockerOpts, dependsOn: afterServices(alerting) },
);

const logs = new LokiStack(
  "logs",
  {
    placements: { loki: placement("loki", { roleAddress: "loki" }), alloy: placement("alloy", { dockerApi: true }) },
    retentionPeriod: settings.loki.retentionPeriod,
    store: stores.loki,
    alertmanagerUrls: [`http://${endpoints.alertmanager}`],
    ruleFiles: renderLokiRuleFiles(ruleOptions),
    published: { external: settings.ports.loki, ip: LOOPBACK },
    dockerHost: dockerApi.dockerHost,
  },
  dockerApiOpts,
);

const grafana = new GrafanaStack(
  "grafana",
  {
    // The instance role signs the AMP datasource's queries.
    placement: placement("grafana", { afterRestore: true, roleAddress: amp ? "grafana" : undefined }),
    adminUser: settings.grafana.adminUser,
    // On ec2 always the host's loopback (settings refuse anything else): the proxy or the SSH
    // tunnel reaches it, the security group never names its port.
    published: { external: settings.ports.grafana, ip: settings.grafanaBindAddress },
    endpoints,
    scrapeInterval: settings.prometheus.scrapeInterval,
    dashboards: buildDashboards(
      dashboardInput({ services: settings.services, integrations, kpis: settings.kpis, remoteWrite: rw !== undefined }),
    ),
    rootUrl: settings.tls ? `https://${settings.tls.domain}` : undefined,
    prometheusAuth: prometheus.credentials.grafana,
    amp: amp && settings.aws ? { queryUrl: amp.queryUrl, region: settings.aws.region } : undefined,
  },
  { ...dockerOpts, dependsOn: afterServices(prometheus, logs) },
);

// Only with grafanaDomain (on either target): HTTPS on 443, ACME challenge and redirect on 80.
const tlsProxy = settings.tls
  ? new TlsProxy(
      "tls",
      {
        placement: placement("caddy"),
        domain: settings.tls.domain,
        acmeEmail: settings.tls.acmeEmail,
        acmeCa: settings.tls.acmeCa,
        bindAddress: settings.tls.bindAddress,
        upstream: endpoints.grafana,
      },
      { ...dockerOpts, dependsOn: [...host.ready, grafana] },
    )
  : undefined;

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
      placement: placement("backup", { roleAddress: "backup", afterRestore: true }),
      verifyPlacement: placement("backupVerify", { afterRestore: true }),
      // Runs sqlite3 for the job (Grafana's database copy): the backup image has none.
      copyPlacement: placement("grafanaDbCopy", { afterRestore: true }),
      intervalHours: settings.backup.intervalHours,
      retentionDays: settings.backup.retentionDays,
      prometheusUrl: `http://${endpoints.prometheus}`,
      textfileVolume: exporters.textfileVolume,
      volumes: dataVolumes,
      destination: stores.backup,
      prometheusAuth: prometheus.credentials.backup,
    },
    dockerOpts,
  );
  if (restoreSettings) {
    const restore = new BackupRestore(
      "restore",
      {
        placement: placement("backupRestore", { roleAddress: "restore" }),
        from: restoreSettings.from,
        overwrite: restoreSettings.overwrite,
        restoreId: restoreSettings.id,
        volumes: dataVolumes,
        source: stores.backup,
        archiveVolume: backup.archiveVolume,
      },
      dockerOpts,
    );
    openRestoreGate(restore.done);
  }
}

const tunnelPorts = [settings.ports.grafana, settings.ports.prometheus, settings.ports.alertmanager, settings.ports.loki];

/** https://<grafanaDomain> with the proxy; on ec2 without it, the tunnelled address (run sshTunnelCommand first). */
export const grafanaUrl = tlsProxy
  ? tlsProxy.url
  : `http://${settings.grafanaBindAddress === "0.0.0.0" ? "localhost" : settings.grafanaBindAddress}:${settings.ports.grafana}`;
export const prometheusUrl = `http://${LOOPBACK}:${settings.ports.prometheus}`;
/** Prometheus asks for basic auth on every endpoint; people use this user. */
export const prometheusUser = prometheus.credentials.admin.user;
export const prometheusPassword = prometheus.credentials.admin.password;
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
/** On ec2 Grafana (without a domain) and the internal UIs are on the host's loopback: this opens them on yours. */
export const sshTunnelCommand = ec2
  ? pulumi.interpolate`ssh -N ${tunnelPorts.map((p) => `-L ${p}:127.0.0.1:${p}`).join(" ")} ${settings.aws?.sshUser}@${ec2.publicIp}`
  : undefined;
