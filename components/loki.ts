// Logs: Loki (single binary, storage on the volume or in S3, ruler for LogQL alerts) and the
// Alloy agent that tails every container on the Docker host through the Docker API proxy.
import * as pulumi from "@pulumi/pulumi";
import { HostPort, Placement, ServiceContainer } from "./container";
import { CATALOG } from "../catalog/containers";
import { DataStore } from "./storage";
import { LOKI_CONFIG_PATH, LOKI_DATA_DIR, LOKI_PUSH_PATH, LokiStorage, lokiRuleFilePath, renderLokiConfig } from "../configs/loki";
import { ALLOY_CONFIG_PATH, ALLOY_DATA_DIR, ALLOY_DOCKER_HOST, renderAlloyConfig } from "../configs/alloy";

export interface LokiStackArgs {
  readonly placements: { readonly loki: Placement; readonly alloy: Placement };
  /** Loki retention, whole days, e.g. "30d". */
  readonly retentionPeriod: string;
  /** Where chunks and index live: the data volume, or an S3 bucket. */
  readonly store: DataStore;
  /**
   * Every Alertmanager the Loki ruler sends alerts to, e.g. [http://alertmanager:9093]; on the
   * redundant pair both members' (their private addresses, known once the instances exist).
   */
  readonly alertmanagerUrls: readonly pulumi.Input<string>[];
  /**
   * Every Loki Alloy pushes to, each fed by a pipeline of its own (configs/alloy.ts); on the
   * redundant pair both members'. Default this stack's own Loki by its Docker name.
   */
  readonly lokiPushUrls?: readonly pulumi.Input<string>[];
  /**
   * The pair member this host is: Alloy adds it to every log stream (label `member`), since both
   * Lokis receive the same container names from both hosts. Default none (one host).
   */
  readonly member?: string;
  /** LogQL rule files (file name → content) for the single tenant. Default none. */
  readonly ruleFiles?: Readonly<Record<string, string>>;
  /** Where Loki's API is published on the host. */
  readonly published: HostPort;
  /**
   * The Docker API as Alloy reaches it: the socket proxy (components/docker-api.ts), whose
   * network is in the Alloy placement's extraNetworks. Default ALLOY_DOCKER_HOST.
   */
  readonly dockerHost?: string;
}

export class LokiStack extends pulumi.ComponentResource {
  readonly containers: { readonly loki: ServiceContainer; readonly alloy: ServiceContainer };

  constructor(name: string, args: LokiStackArgs, opts?: pulumi.ComponentResourceOptions) {
    // The URLs may be unknown until the instances exist; their count is known now, so an empty
    // list fails before any resource is made (the renderers check each URL once it is known).
    if (args.alertmanagerUrls.length === 0) throw new Error(`${name}: alertmanagerUrls is empty; the Loki ruler needs an Alertmanager`);
    if (args.lokiPushUrls?.length === 0) throw new Error(`${name}: lokiPushUrls is empty; leave it unset for this stack's own Loki`);
    super("observability:index:LokiStack", name, {}, opts);

    const lokiPort = CATALOG.loki.port;
    const lokiUrl = `http://${CATALOG.loki.container}:${lokiPort}`;

    const st = args.store;
    const storage: pulumi.Output<LokiStorage> =
      st.kind === "s3"
        ? pulumi.output(st.bucket).apply((bucket): LokiStorage => ({ kind: "s3", bucket, region: st.region }))
        : pulumi.output<LokiStorage>({ kind: "filesystem" });
    const lokiConfig = pulumi
      .all([storage, pulumi.all([...args.alertmanagerUrls])])
      .apply(([s, alertmanagerUrls]) => renderLokiConfig({ storage: s, retentionPeriod: args.retentionPeriod, alertmanagerUrls }));
    const alloyConfig = pulumi
      .all([...(args.lokiPushUrls ?? [`${lokiUrl}${LOKI_PUSH_PATH}`])])
      .apply((lokiPushUrls) => renderAlloyConfig({ lokiPushUrls, member: args.member, dockerHost: args.dockerHost ?? ALLOY_DOCKER_HOST }));

    const ruleFiles = args.ruleFiles ?? {};
    const ruleNames = Object.keys(ruleFiles).sort();

    const loki = new ServiceContainer(
      `${name}-loki`,
      {
        ...args.placements.loki,
        service: CATALOG.loki.container,
        command: [`-config.file=${LOKI_CONFIG_PATH}`, "-target=all"],
        files: [
          { path: LOKI_CONFIG_PATH, content: lokiConfig },
          ...ruleNames.map((f) => ({ path: lokiRuleFilePath(f), content: ruleFiles[f] })),
        ],
        volumes: [{ name: "data", containerPath: LOKI_DATA_DIR }],
        ports: [{ internal: lokiPort, ...args.published }],
        // Since 3.6 the image has no shell, busybox or wget (grafana/loki#20149); the binary
        // checks /ready itself with -health (grafana/loki#20313).
        healthcheck: ["/usr/bin/loki", "-health", `-health.url=http://localhost:${lokiPort}/ready`],
        stateful: true,
      },
      { parent: this },
    );

    const alloy = new ServiceContainer(
      `${name}-alloy`,
      {
        ...args.placements.alloy,
        service: CATALOG.alloy.container,
        command: [
          "run",
          ALLOY_CONFIG_PATH,
          `--server.http.listen-addr=0.0.0.0:${CATALOG.alloy.port}`,
          `--storage.path=${ALLOY_DATA_DIR}`,
          "--disable-reporting",
        ],
        files: [{ path: ALLOY_CONFIG_PATH, content: alloyConfig }],
        // Positions live here: without it a replaced agent re-sends every container's log.
        volumes: [{ name: "data", containerPath: ALLOY_DATA_DIR }],
        // The fixed container name collides on create-before-delete, and two agents would
        // share (and race on) the positions file.
        stateful: true,
      },
      // Start after Loki so the first pushes don't fail.
      { parent: this, dependsOn: [loki] },
    );

    this.containers = { loki, alloy };

    this.registerOutputs({ lokiContainerName: loki.containerName, alloyContainerName: alloy.containerName });
  }
}
