// The prod target: an Amazon Linux 2023 instance with Docker installed by cloud-init, reached by
// the Docker provider over ssh. IMDSv2 only, encrypted gp3 root volume, a stable Elastic IP, and
// an instance profile that may use exactly the stack's buckets (no static keys anywhere).
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import * as yaml from "js-yaml";
import { AwsSettings } from "../settings";
import { DockerHost } from "./types";

export interface Ec2HostArgs {
  /** Stack name, for the `observability-stack:stack` tag. */
  readonly stack: string;
  readonly aws: AwsSettings;
  /** Published Grafana port, opened to `aws.grafanaAllowedCidrs` (no rule when that list is empty). */
  readonly grafanaPort: number;
  /** Buckets the instance profile may use (list, get, put, delete objects); no policy when empty. */
  readonly bucketArns: pulumi.Input<string>[];
  /** Region of the `${name}-aws` provider every AWS resource here uses. Default: `aws.region`. */
  readonly region?: string;
  /**
   * SSH agent socket for the wait command when `aws.sshPrivateKey` is not set. Default: the
   * command provider's own default, the SSH_AUTH_SOCK of the `pulumi` process.
   */
  readonly agentSocketPath?: pulumi.Input<string>;
}

/** Json-file rotation for containers that set no log options of their own. */
export const DOCKER_DAEMON_CONFIG = {
  "log-driver": "json-file",
  "log-opts": { "max-size": "10m", "max-file": "3" },
};

/** cloud-init user data: install Docker, rotate its logs, start it, let the SSH user use it. */
export function renderCloudConfig(sshUser: string): string {
  const config = {
    packages: ["docker"],
    // write_files runs before packages are installed; the AL2023 docker package ships no
    // daemon.json, so this one is in place when Docker first starts.
    write_files: [
      {
        path: "/etc/docker/daemon.json",
        owner: "root:root",
        permissions: "0644",
        content: JSON.stringify(DOCKER_DAEMON_CONFIG, null, 2) + "\n",
      },
    ],
    // runcmd runs after the packages module, so the docker group exists by then.
    runcmd: [
      ["systemctl", "enable", "--now", "docker"],
      ["usermod", "-aG", "docker", sshUser],
    ],
  };
  return "#cloud-config\n" + yaml.dump(config, { lineWidth: -1 });
}

/**
 * Waits until cloud-init is done and Docker answers for the SSH user. `cloud-init status --wait`
 * exits 2 for "done with recoverable errors" (deprecation warnings on newer releases): that is
 * still done, and `docker info` decides. This SSH session began before cloud-init added the user
 * to the docker group, so its group list is stale: `sg docker` runs docker info with the group the
 * Docker provider's own (new) sessions will have.
 */
export const WAIT_FOR_DOCKER =
  "{ cloud-init status --wait >/dev/null || test $? -eq 2; } && sg docker -c 'docker info >/dev/null'";

/** Inline policy for the instance role: exactly these S3 actions on exactly these buckets. */
export function bucketAccessPolicy(bucketArns: readonly string[]): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "ListBuckets", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [...bucketArns] },
      {
        Sid: "ReadWriteObjects",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        Resource: bucketArns.map((arn) => `${arn}/*`),
      },
    ],
  });
}

export class Ec2Host extends pulumi.ComponentResource implements DockerHost {
  public readonly provider: docker.Provider;
  public readonly ready: pulumi.Resource[];
  /** The Elastic IP: Grafana's address and the Docker ssh host. */
  public readonly publicAddress: pulumi.Output<string>;
  public readonly instanceId: pulumi.Output<string>;
  public readonly publicIp: pulumi.Output<string>;
  /** The provider every AWS resource of this host uses (region `region`). */
  public readonly awsProvider: aws.Provider;

  constructor(name: string, args: Ec2HostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:host:Ec2Host", name, {}, opts);

    const settings = args.aws;
    const tags = (n: string): Record<string, string> => ({ Name: n, "observability-stack:stack": args.stack });

    this.awsProvider = new aws.Provider(`${name}-aws`, { region: args.region ?? settings.region }, { parent: this });
    const child = { parent: this, provider: this.awsProvider };

    const ami = aws.ec2.getAmiOutput(
      {
        owners: ["amazon"],
        mostRecent: true,
        filters: [
          { name: "name", values: ["al2023-ami-2023.*-x86_64"] },
          { name: "architecture", values: ["x86_64"] },
        ],
      },
      child,
    );
    const vpcId: pulumi.Input<string> = settings.vpcId ?? aws.ec2.getVpcOutput({ default: true }, child).id;

    // Inline rules: Pulumi owns the whole rule set, so a rule added by hand is removed on the next up.
    const ingress: aws.types.input.ec2.SecurityGroupIngress[] = [];
    if (settings.grafanaAllowedCidrs.length > 0) {
      ingress.push({
        description: "Grafana",
        protocol: "tcp",
        fromPort: args.grafanaPort,
        toPort: args.grafanaPort,
        cidrBlocks: [...settings.grafanaAllowedCidrs],
      });
    }
    if (settings.sshAllowedCidrs.length > 0) {
      ingress.push({
        description: "SSH (administration and the Docker API)",
        protocol: "tcp",
        fromPort: 22,
        toPort: 22,
        cidrBlocks: [...settings.sshAllowedCidrs],
      });
    }
    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        description: "Observability stack host",
        vpcId,
        ingress,
        egress: [
          {
            description: "All outbound (package repositories, image registries, S3, alert receivers)",
            protocol: "-1",
            fromPort: 0,
            toPort: 0,
            cidrBlocks: ["0.0.0.0/0"],
            ipv6CidrBlocks: ["::/0"],
          },
        ],
        tags: tags(`${name}-sg`),
      },
      child,
    );

    const keyPair = new aws.ec2.KeyPair(
      `${name}-key`,
      { publicKey: settings.sshPublicKey, tags: tags(`${name}-key`) },
      child,
    );

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: "Observability stack host: Loki chunks and backups in S3",
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        tags: tags(`${name}-role`),
      },
      child,
    );
    const rolePolicies: pulumi.Resource[] = [];
    if (args.bucketArns.length > 0) {
      rolePolicies.push(
        new aws.iam.RolePolicy(
          `${name}-s3`,
          { role: role.name, policy: pulumi.all(args.bucketArns).apply(bucketAccessPolicy) },
          child,
        ),
      );
    }
    const profile = new aws.iam.InstanceProfile(
      `${name}-profile`,
      { role: role.name, tags: tags(`${name}-profile`) },
      child,
    );

    const instance = new aws.ec2.Instance(
      `${name}-instance`,
      {
        ami: ami.id,
        instanceType: settings.instanceType,
        subnetId: settings.subnetId,
        vpcSecurityGroupIds: [securityGroup.id],
        keyName: keyPair.keyName,
        iamInstanceProfile: profile.name,
        // IMDSv2 only. Hop limit 2: containers on a bridge network are one hop further away and
        // need the instance-profile credentials (Loki and the backup job use S3).
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 },
        // deleteOnTermination false: this volume holds the Docker volumes (Prometheus TSDB,
        // Grafana's database, Alertmanager silences). If the instance is terminated or replaced,
        // the volume stays behind, tagged with the stack, and can be attached elsewhere to recover
        // the data. The price: after a deliberate `pulumi destroy` the volume has to be deleted by
        // hand (find it by the observability-stack:stack tag).
        rootBlockDevice: {
          encrypted: true,
          volumeType: "gp3",
          volumeSize: settings.rootVolumeGb,
          deleteOnTermination: false,
          tags: tags(`${name}-root`),
        },
        userData: renderCloudConfig(settings.sshUser),
        // A change to the user data stops and starts the instance instead of replacing it (and its
        // data); cloud-init's package and runcmd modules run once per instance, so such a change
        // only takes effect on a new instance (`pulumi up --replace <instance urn>`).
        userDataReplaceOnChange: false,
        monitoring: true,
        tags: tags(`${name}-instance`),
      },
      {
        ...child,
        dependsOn: rolePolicies,
        // The AMI lookup follows Amazon's releases; without this every new AL2023 image would
        // replace the instance on the next `up`. Upgrade deliberately with `--replace`.
        ignoreChanges: ["ami"],
      },
    );

    // A stable address: Grafana's URL, the Docker provider's ssh host and the known_hosts entry
    // survive a stop/start or a replaced instance. An associated EIP costs the same as the
    // automatically assigned public IPv4 address it replaces.
    const eip = new aws.ec2.Eip(`${name}-eip`, { domain: "vpc", instance: instance.id, tags: tags(`${name}-eip`) }, child);

    const waitForDocker = new command.remote.Command(
      `${name}-wait-docker`,
      {
        connection: {
          host: eip.publicIp,
          user: settings.sshUser,
          privateKey: settings.sshPrivateKey,
          agentSocketPath: settings.sshPrivateKey ? undefined : args.agentSocketPath,
          // sshd comes up some time after the instance is "running"; retry for a few minutes.
          dialErrorLimit: 60,
        },
        create: WAIT_FOR_DOCKER,
        triggers: [instance.id],
      },
      { parent: this },
    );

    this.provider = new docker.Provider(
      `${name}-docker`,
      {
        host: pulumi.interpolate`ssh://${settings.sshUser}@${eip.publicIp}`,
        sshOpts: ["-o", "StrictHostKeyChecking=accept-new", "-o", "ServerAliveInterval=30"],
      },
      { parent: this, dependsOn: [waitForDocker] },
    );

    this.ready = [waitForDocker];
    this.instanceId = instance.id;
    this.publicIp = eip.publicIp;
    this.publicAddress = eip.publicIp;

    this.registerOutputs({ instanceId: this.instanceId, publicIp: this.publicIp, publicAddress: this.publicAddress });
  }
}
