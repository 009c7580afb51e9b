// The prod target: an Amazon Linux 2023 instance with Docker installed by cloud-init, reached by
// the Docker provider over ssh. IMDSv2 only, encrypted gp3 root volume, a stable Elastic IP, and
// an instance profile that may use exactly the stack's buckets (no static keys anywhere).
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import { AwsSettings } from "../settings";
import { DockerHost } from "./types";
import { EC2_ASSUME_ROLE_POLICY, bucketAccessPolicy } from "../../configs/aws-policies";
import { WAIT_FOR_DOCKER, renderCloudConfig } from "../../configs/cloud-init";
import { STACK_TAG } from "../../configs/docker";

export interface Ec2HostArgs {
  /** Stack name, for the STACK_TAG tag. */
  readonly stack: string;
  readonly aws: AwsSettings;
  /** Published Grafana port, opened to `aws.grafanaAllowedCidrs` (no rule when that list is empty). */
  readonly grafanaPort: number;
  /** Buckets the instance profile may use (list, get, put, delete objects); no policy when empty. */
  readonly bucketArns: pulumi.Input<string>[];
  /**
   * More inline policies for the instance role, by name (`${name}-<key>`): remote write to a
   * workspace, EC2 discovery. Default none.
   */
  readonly rolePolicies?: Readonly<Record<string, pulumi.Input<string>>>;
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
    const tags = (n: string): Record<string, string> => ({ Name: n, [STACK_TAG]: args.stack });

    this.awsProvider = new aws.Provider(`${name}-aws`, { region: settings.region }, { parent: this });
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
        assumeRolePolicy: EC2_ASSUME_ROLE_POLICY,
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
    for (const [key, policy] of Object.entries(args.rolePolicies ?? {})) {
      rolePolicies.push(new aws.iam.RolePolicy(`${name}-${key}`, { role: role.name, policy }, child));
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
        // hand (find it by the STACK_TAG tag, observability-stack/stack).
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
          // Without a key, the agent of the `pulumi` process (SSH_AUTH_SOCK) signs.
          agentSocketPath: settings.sshPrivateKey ? undefined : settings.sshAgentSocket,
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
