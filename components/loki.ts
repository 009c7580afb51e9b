// Logs: Loki (single binary, storage on the volume or in S3, ruler for LogQL alerts) and the
// Alloy agent that tails every container on the Docker host through its socket.
import * as pulumi from "@pulumi/pulumi";
import { ServiceContainer } from "./container";
import { Limits } from "./settings";
import { CONTAINER_NAMES, CONTAINER_PORTS } from "../configs/endpoints";
import {
  LOKI_CONFIG_PATH,
  LOKI_DATA_DIR,
  LokiStorage,
  lokiRuleFilePath,
  renderLokiConfig,
} from "../configs/loki";
import { ALLOY_CONFIG_PATH, ALLOY_DATA_DIR, ALLOY_DOCKER_HOST, ALLOY_HTTP_PORT, renderAlloyConfig } from "../configs/alloy";

export type LokiStorageArgs =
  | { readonly kind: "filesystem" }
  | {
      readonly kind: "s3";
      /** Bucket name (usually the output of the storage component). */
      readonly bucket: pulumi.Input<string>;
      readonly region: string;
    };

export interface LokiStackArgs {
  readonly lokiImage: string;
  readonly alloyImage: string;
  readonly lokiLimits: Limits;
  readonly alloyLimits: Limits;
  readonly network: pulumi.Input<string>;
  /** Loki retention, whole days, e.g. "30d". */
  readonly retentionPeriod: string;
  readonly storage: LokiStorageArgs;
  /** Where the Loki ruler sends alerts, e.g. http://alertmanager:9093. */
  readonly alertmanagerUrl: string;
  /** LogQL rule files (file name → content) for the single tenant. Default none. */
  readonly ruleFiles?: Readonly<Record<string, string>>;
  /** Where Loki's API (3100) is published on the host. */
  readonly lokiPort: { readonly external: number; readonly ip: string };
  /** Docker socket on the host, mounted read-only into Alloy. Default /var/run/docker.sock. */
  readonly dockerSocket?: string;
}

/** grafana/loki runs as loki (10001:10001); its /loki directory, copied into the fresh volume, is owned by it. */
const LOKI_USER = "10001:10001";

export class LokiStack extends pulumi.ComponentResource {
  /** http://loki:3100 on the stack network. */
  readonly lokiUrl: string;
  readonly containers: { readonly loki: ServiceContainer; readonly alloy: ServiceContainer };
  readonly lokiConfigText: pulumi.Output<string>;
  readonly alloyConfigText: string;

  constructor(name: string, args: LokiStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:LokiStack", name, {}, opts);

    const lokiHost = CONTAINER_NAMES.loki;
    const lokiPort = CONTAINER_PORTS.loki;
    this.lokiUrl = `http://${lokiHost}:${lokiPort}`;

    const st = args.storage;
    let storage: pulumi.Output<LokiStorage>;
    if (st.kind === "s3") {
      const region = st.region;
      storage = pulumi.output(st.bucket).apply((bucket): LokiStorage => ({ kind: "s3", bucket, region }));
    } else {
      storage = pulumi.output<LokiStorage>({ kind: "filesystem" });
    }
    this.lokiConfigText = storage.apply((s) =>
      renderLokiConfig({ storage: s, retentionPeriod: args.retentionPeriod, alertmanagerUrl: args.alertmanagerUrl }),
    );

    const ruleFiles = args.ruleFiles ?? {};
    const ruleNames = Object.keys(ruleFiles).sort();

    const loki = new ServiceContainer(
      `${name}-loki`,
      {
        service: lokiHost,
        image: args.lokiImage,
        limits: args.lokiLimits,
        network: args.network,
        command: [`-config.file=${LOKI_CONFIG_PATH}`, "-target=all"],
        files: [
          { path: LOKI_CONFIG_PATH, content: this.lokiConfigText },
          ...ruleNames.map((f) => ({ path: lokiRuleFilePath(f), content: ruleFiles[f] })),
        ],
        volumes: [{ name: "data", containerPath: LOKI_DATA_DIR }],
        ports: [{ internal: lokiPort, external: args.lokiPort.external, ip: args.lokiPort.ip }],
        // Since 3.6 the image has no shell, busybox or wget (grafana/loki#20149); the binary
        // checks /ready itself with -health (grafana/loki#20313).
        healthcheck: ["/usr/bin/loki", "-health", `-health.url=http://localhost:${lokiPort}/ready`],
        user: LOKI_USER,
        stateful: true,
      },
      { parent: this },
    );

    this.alloyConfigText = renderAlloyConfig({ lokiPushUrl: `${this.lokiUrl}/loki/api/v1/push` });

    const alloy = new ServiceContainer(
      `${name}-alloy`,
      {
        service: CONTAINER_NAMES.logAgent,
        image: args.alloyImage,
        limits: args.alloyLimits,
        network: args.network,
        command: [
          "run",
          ALLOY_CONFIG_PATH,
          `--server.http.listen-addr=0.0.0.0:${ALLOY_HTTP_PORT}`,
          `--storage.path=${ALLOY_DATA_DIR}`,
          "--disable-reporting",
        ],
        files: [{ path: ALLOY_CONFIG_PATH, content: this.alloyConfigText }],
        // Positions live here: without it a replaced agent re-sends every container's log.
        volumes: [{ name: "data", containerPath: ALLOY_DATA_DIR }],
        hostMounts: [
          {
            type: "bind",
            source: args.dockerSocket ?? "/var/run/docker.sock",
            target: ALLOY_DOCKER_HOST.replace(/^unix:\/\//, ""),
            readOnly: true,
          },
        ],
        // The fixed container name collides on create-before-delete, and two agents would
        // share (and race on) the positions file.
        stateful: true,
      },
      // Start after Loki so the first pushes don't fail.
      { parent: this, dependsOn: [loki] },
    );

    this.containers = { loki, alloy };

    this.registerOutputs({
      lokiUrl: this.lokiUrl,
      lokiContainerName: loki.containerName,
      alloyContainerName: alloy.containerName,
    });
  }
}
