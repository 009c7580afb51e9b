// Composition root: read the settings, choose the host (or the pair's two), wire the components on
// each, export the URLs. On the redundant pair every member runs the whole stack; the first member
// keeps the resource names a single host has, so turning highAvailability on adds the second host
// and changes the first in place instead of replacing it.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as aws from "@pulumi/aws";
import { loadSettings, pulumiConfigSource } from "./components/settings";
import { CATALOG, dockerEndpoints, endpointsAt } from "./catalog/containers";
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
import { GrafanaLoadBalancer } from "./components/host/grafana-lb";
import { PairNetwork, pairNetwork } from "./components/host/pair-network";
import { GossipCertificates } from "./components/gossip-tls";
import { DockerHost } from "./components/host/types";
import { DataStore, Storage, VOLUME_STORE } from "./components/storage";
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
import { PAIR_MEMBERS, PAIR_SERVICES, pairExternalLabels, pairPeerPorts } from "./configs/cluster";
import { PairScrape } from "./configs/prometheus";
import { LOKI_PUSH_PATH } from "./configs/loki";

const settings = loadSettings(pulumiConfigSource(), pulumi.getStack());
const { integrations } = settings;
const endpoints = dockerEndpoints();
/** Internal UIs are published on the host's loopback only; reach them locally or via an SSH tunnel. */
const LOOPBACK = "127.0.0.1";
const pair = settings.pair;
/** One host, or the pair's members in position order. */
const MEMBERS: readonly string[] = pair ? PAIR_MEMBERS : [PAIR_MEMBERS[0]];
const FIRST = MEMBERS[0];
/** A resource's name on a member: the first member's is the single host's, the others' carry the member's name. */
const named = (base: string, member: string): string => (member === FIRST ? base : `${base}-${member}`);

/** A member's host and where its data that must outlive the host goes. */
interface MemberHost {
  readonly host: DockerHost;
  readonly ec2?: Ec2Host;
  readonly stores: { readonly loki: DataStore; readonly backup: DataStore };
  readonly lokiBucket?: pulumi.Output<string>;
}

let storage: Storage | undefined;
let amp: AmpWorkspace | undefined;
let network: PairNetwork | undefined;
let grafanaLb: GrafanaLoadBalancer | undefined;
const hosts: Record<string, MemberHost> = {};
if (settings.aws) {
  storage = new Storage("storage", {
    stack: settings.stack,
    backupRetentionDays: backupObjectExpiryDays(settings.backup.retentionDays, durationSeconds(settings.prometheus.retentionTime)),
    protect: settings.aws.protectBuckets,
    region: settings.aws.region,
    moreLokis: MEMBERS.slice(1),
  });
  if (settings.remoteWrite?.kind === "amp") amp = new AmpWorkspace("amp", { stack: settings.stack, region: settings.aws.region });
  const rolePolicies: Record<string, pulumi.Input<string>> = {};
  if (amp) rolePolicies.amp = amp.arn.apply(ampWorkspacePolicy);
  if (settings.ec2Discovery.length > 0) rolePolicies["ec2-discovery"] = EC2_DISCOVERY_POLICY;
  if (pair) {
    const pairAws = new aws.Provider("pair-aws", { region: settings.aws.region });
    network = pairNetwork(settings.aws, pair, pairAws);
    if (settings.tls?.route53ZoneId) {
      grafanaLb = new GrafanaLoadBalancer("grafana-lb", {
        stack: settings.stack,
        domain: settings.tls.domain,
        route53ZoneId: settings.tls.route53ZoneId,
        vpcId: network.vpcId,
        subnetIds: network.subnetIds,
        allowedCidrs: settings.aws.grafanaAllowedCidrs,
        grafanaPort: CATALOG.grafana.port,
        provider: pairAws,
      });
    }
  }
  for (const [position, member] of MEMBERS.entries()) {
    const lokiBucket =
      member === FIRST
        ? { name: storage.lokiBucketName, arn: storage.lokiBucketArn, store: storage.lokiStore }
        : storage.moreLokiBuckets[member];
    const ec2 = new Ec2Host(named("host", member), {
      stack: settings.stack,
      aws: settings.aws,
      containers: ALL_CONTAINER_NAMES,
      // On the pair Grafana's address is the load balancer, not a proxy on each host.
      tls: settings.tls && !pair ? { domain: settings.tls.domain, route53ZoneId: settings.tls.route53ZoneId } : undefined,
      buckets: { loki: lokiBucket.arn, backup: storage.backupBucketArn },
      rolePolicies,
      subnetId: network?.subnetIds.apply((ids) => ids[position]),
      pair: !pair
        ? undefined
        : member === FIRST
          ? {
              peerPorts: pairPeerPorts(),
              loadBalancer: grafanaLb ? { securityGroupId: grafanaLb.securityGroupId, port: CATALOG.grafana.port } : undefined,
            }
          : { securityGroupId: hosts[FIRST].ec2!.securityGroupId },
    });
    grafanaLb?.attach(member, ec2.instanceId, ec2.awsProvider);
    hosts[member] = {
      host: ec2,
      ec2,
      // Each member backs up under its own prefix: two jobs never expire each other's runs.
      stores: {
        loki: lokiBucket.store,
        backup: pair ? { kind: "s3", bucket: storage.backupBucketName, region: settings.aws.region, prefix: member } : storage.backupStore,
      },
      lokiBucket: lokiBucket.name,
    };
  }
} else {
  // The one decision between buckets (ec2) and volumes (local) for data that must outlive the host.
  hosts[FIRST] = { host: new LocalHost("host", { dockerHost: settings.dockerHost }), stores: { loki: VOLUME_STORE, backup: VOLUME_STORE } };
}

/** Each member's private address (the pair only): where the other member reaches its services. */
const privateIps = pair ? MEMBERS.map((m) => hosts[m].ec2!.privateIp) : [];
/** Each member's services as the other member reaches them (its private address). */
const pairEndpoints = privateIps.map((ip) => ip.apply(endpointsAt));
const pairScrape: pulumi.Output<PairScrape> | undefined = pair
  ? pulumi.all(pairEndpoints).apply((eps) => ({ members: MEMBERS.map((member, i) => ({ member, endpoints: eps[i] })) }))
  : undefined;
const gossipCertificates = pair ? new GossipCertificates("gossip-tls", { members: MEMBERS }) : undefined;

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
const ruleFiles = renderRuleFiles(
  {
    integrationAreas: integrationRuleAreas(integrations),
    backup: settings.backup.enabled,
    remoteWrite: rw !== undefined,
    cluster: pair !== undefined,
  },
  ruleOptions,
);
const dashboards = buildDashboards(
  dashboardInput({
    services: settings.services,
    integrations,
    kpis: settings.kpis,
    remoteWrite: rw !== undefined,
    pair: pair !== undefined,
  }),
);

/** What one member's stack hands to the others and to the outputs. */
interface MemberStack {
  readonly prometheus: PrometheusStack;
  readonly grafana: GrafanaStack;
  readonly tlsProxy?: TlsProxy;
}

/** The whole stack on one member's host. */
function memberStack(member: string, first?: MemberStack): MemberStack {
  const { host, ec2, stores } = hosts[member];
  const position = MEMBERS.indexOf(member);
  const dockerOpts: pulumi.ComponentResourceOptions = { providers: [host.provider], dependsOn: host.ready };
  // On ec2 the stack network has a fixed subnet and bridge name: the metadata firewall that
  // cloud-init installs lets only the containers given a role address (Loki, backup and restore;
  // Prometheus and Grafana when AMP or discovery needs them) reach the instance role.
  const stackNetwork = new docker.Network(
    named("network", member),
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
   * container's own slice, which cloud-init wrote with its task limit; on the pair, the services
   * the other member scrapes are also published at this host's private address.
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
    const pairService = (PAIR_SERVICES as readonly string[]).includes(key) ? (key as (typeof PAIR_SERVICES)[number]) : undefined;
    return {
      image: settings.images[key],
      limits: settings.limits[key],
      network: stackNetwork.name,
      extraNetworks: extraNetworks.length > 0 ? extraNetworks : undefined,
      address: ec2 && options.roleAddress ? ROLE_ADDRESSES[options.roleAddress] : undefined,
      startAfter: options.afterRestore ? restoreGate : undefined,
      cgroupParent: ec2 ? containerSlice(ALL_CONTAINERS[key].container) : undefined,
      imageUser: ALL_CONTAINERS[key].user,
      pairAddress: pair && pairService ? { ip: privateIps[position], port: CATALOG[pairService].port } : undefined,
    };
  }

  // The only container that mounts the Docker socket; Alloy and cAdvisor read the API through it.
  const dockerApi = new DockerApiProxy(
    named("docker-api", member),
    { placement: placement("socketProxy"), stack: settings.stack },
    dockerOpts,
  );
  const dockerApiOpts: pulumi.ComponentResourceOptions = { ...dockerOpts, dependsOn: [...host.ready, dockerApi] };

  const exporters = new Exporters(
    named("exporters", member),
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

  const alerting = new AlertingStack(
    named("alerting", member),
    {
      placement: placement("alertmanager", { afterRestore: true }),
      published: { external: settings.ports.alertmanager, ip: LOOPBACK },
      receivers: settings.receivers,
      secrets: settings.secrets.receivers,
      externalUrl: alertmanagerUrl,
      targetDownAlerts: TARGET_DOWN_ALERTS,
      cluster:
        pair && gossipCertificates
          ? {
              member,
              address: privateIps[position],
              peers: privateIps.filter((_, i) => i !== position),
              tls: {
                caPem: gossipCertificates.caPem,
                certPem: gossipCertificates.members[member].certPem,
                keyPem: gossipCertificates.members[member].keyPem,
              },
            }
          : undefined,
    },
    dockerOpts,
  );

  const prometheus = new PrometheusStack(
    named("prometheus", member),
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
      ruleFiles,
      externalLabels: { stack: settings.stack, ...(pair ? pairExternalLabels(settings.stack, member) : {}) },
      ec2Discovery:
        settings.aws && settings.ec2Discovery.length > 0 ? { region: settings.aws.region, jobs: settings.ec2Discovery } : undefined,
      remoteWrite: remoteWriteTarget && rw ? { target: remoteWriteTarget, expectedSeries: rw.expectedSeries } : undefined,
      remoteWriteSecret: settings.secrets.remoteWrite,
      pair: pairScrape,
      passwordsOf: first?.prometheus,
    },
    { ...dockerOpts, dependsOn: afterServices(alerting) },
  );

  const logs = new LokiStack(
    named("logs", member),
    {
      placements: { loki: placement("loki", { roleAddress: "loki" }), alloy: placement("alloy", { dockerApi: true }) },
      retentionPeriod: settings.loki.retentionPeriod,
      store: stores.loki,
      // On the pair: the ruler alerts both Alertmanagers, and the log agent writes to both Lokis
      // (member order, one pipeline each), labelling its streams with its member.
      alertmanagerUrls: pair ? pairEndpoints.map((e) => e.apply((x) => `http://${x.alertmanager}`)) : [`http://${endpoints.alertmanager}`],
      lokiPushUrls: pair ? pairEndpoints.map((e) => e.apply((x) => `http://${x.loki}${LOKI_PUSH_PATH}`)) : undefined,
      member: pair ? member : undefined,
      ruleFiles: renderLokiRuleFiles(ruleOptions),
      published: { external: settings.ports.loki, ip: LOOPBACK },
      dockerHost: dockerApi.dockerHost,
    },
    dockerApiOpts,
  );

  const grafana = new GrafanaStack(
    named("grafana", member),
    {
      // The instance role signs the AMP datasource's queries.
      placement: placement("grafana", { afterRestore: true, roleAddress: amp ? "grafana" : undefined }),
      adminUser: settings.grafana.adminUser,
      // On ec2 always the host's loopback (settings refuse anything else): the proxy or the SSH
      // tunnel reaches it, the security group never names its port (on the pair: only from the
      // load balancer and the other member).
      published: { external: settings.ports.grafana, ip: settings.grafanaBindAddress },
      endpoints,
      scrapeInterval: settings.prometheus.scrapeInterval,
      dashboards,
      rootUrl: settings.tls ? `https://${settings.tls.domain}` : undefined,
      prometheusAuth: prometheus.credentials.grafana,
      amp: amp && settings.aws ? { queryUrl: amp.queryUrl, region: settings.aws.region } : undefined,
      adminPasswordOf: first?.grafana,
    },
    { ...dockerOpts, dependsOn: afterServices(prometheus, logs) },
  );

  // Only with grafanaDomain on one host (either target): HTTPS on 443, ACME challenge and redirect
  // on 80. The pair's address is the load balancer instead.
  const tlsProxy =
    settings.tls && !pair
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
      named("backup", member),
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
      // On the pair each member restores its own host from its own prefix.
      const restore = new BackupRestore(
        named("restore", member),
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
  return { prometheus, grafana, tlsProxy };
}

const alertmanagerUrl = `http://${LOOPBACK}:${settings.ports.alertmanager}`;
const firstStack = memberStack(FIRST);
for (const member of MEMBERS.slice(1)) memberStack(member, firstStack);

const tunnelPorts = [settings.ports.grafana, settings.ports.prometheus, settings.ports.alertmanager, settings.ports.loki];
const tunnelCommand = (ec2: Ec2Host): pulumi.Output<string> =>
  pulumi.interpolate`ssh -N ${tunnelPorts.map((p) => `-L ${p}:127.0.0.1:${p}`).join(" ")} ${settings.aws?.sshUser}@${ec2.publicIp}`;
const firstEc2 = hosts[FIRST].ec2;

/**
 * https://<grafanaDomain> with the proxy (or, on the pair, the load balancer that fails over); on
 * ec2 without it, the tunnelled address (run sshTunnelCommand first).
 */
export const grafanaUrl = grafanaLb
  ? grafanaLb.url
  : firstStack.tlsProxy
    ? firstStack.tlsProxy.url
    : `http://${settings.grafanaBindAddress === "0.0.0.0" ? "localhost" : settings.grafanaBindAddress}:${settings.ports.grafana}`;
export const prometheusUrl = `http://${LOOPBACK}:${settings.ports.prometheus}`;
/** Prometheus asks for basic auth on every endpoint; people use this user (the same on both members of a pair). */
export const prometheusUser = firstStack.prometheus.credentials.admin.user;
export const prometheusPassword = firstStack.prometheus.credentials.admin.password;
export { alertmanagerUrl };
export const lokiUrl = `http://${LOOPBACK}:${settings.ports.loki}`;
export const grafanaAdminUser = firstStack.grafana.adminUser;
export const grafanaAdminPassword = firstStack.grafana.adminPassword;
export const lokiBucket = storage?.lokiBucketName;
export const backupBucket = storage?.backupBucketName;
/** The first member's host (the only one without highAvailability); `pairHosts` lists both. */
export const instanceId = firstEc2?.instanceId;
/** Where Prometheus remote-writes (remoteWrite): the AMP workspace's endpoint or the configured URL. */
export const remoteWriteUrl = amp ? amp.remoteWriteUrl : rw?.kind === "url" ? rw.url : undefined;
export const publicIp = firstEc2?.publicIp;
/** On ec2 Grafana (without a domain) and the internal UIs are on the host's loopback: this opens them on yours. */
export const sshTunnelCommand = firstEc2 ? tunnelCommand(firstEc2) : undefined;
/**
 * The pair (highAvailability): each member's host, its tunnel (one at a time: they use the same
 * local ports), its Loki bucket and where its backups go in backupBucket.
 */
export const pairHosts = pair
  ? Object.fromEntries(
      MEMBERS.map((m) => {
        const { ec2, stores, lokiBucket: loki } = hosts[m];
        return [
          m,
          {
            instanceId: ec2!.instanceId,
            publicIp: ec2!.publicIp,
            privateIp: ec2!.privateIp,
            sshTunnelCommand: tunnelCommand(ec2!),
            lokiBucket: loki,
            backupPrefix: stores.backup.kind === "s3" ? `${stores.backup.prefix}/` : undefined,
          },
        ];
      }),
    )
  : undefined;
