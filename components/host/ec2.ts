// The prod target: an Amazon Linux 2023 instance with Docker installed by cloud-init, reached by
// the Docker provider over ssh. IMDSv2 only, encrypted gp3 root volume, a stable Elastic IP, and
// an instance profile that may use exactly the stack's buckets (no static keys anywhere).
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import * as random from "@pulumi/random";
import { AwsSettings } from "../settings";
import { DockerHost } from "./types";
import { EC2_ASSUME_ROLE_POLICY } from "../../configs/aws-policies";
import { instanceRolePolicy } from "../../configs/bucket-access";
import { WAIT_FOR_DOCKER, renderCloudConfig } from "../../configs/cloud-init";
import { stackTags } from "../../configs/docker";
import { containerSliceFiles, renderSliceInstallScript } from "../../configs/container-slices";
import { ed25519HostKey, pinnedSshOptions, publicKeyWithoutComment } from "../../configs/ssh-keys";

export interface Ec2HostArgs {
  /** Stack name, for the STACK_TAG tag. */
  readonly stack: string;
  readonly aws: AwsSettings;
  /** Every container the program can run: each gets its systemd slice with its task limit. */
  readonly containers: readonly string[];
  /**
   * The TLS proxy's public name (the grafanaDomain setting). With it, 443 opens to
   * `aws.grafanaAllowedCidrs` and 80 to everyone (Caddy answers there only the ACME HTTP-01
   * challenge, which the CA sends from addresses nobody can list, and a redirect to HTTPS);
   * with `route53ZoneId` the A record points at the Elastic IP. Without it nothing but SSH is open.
   */
  readonly tls?: { readonly domain: string; readonly route53ZoneId?: string };
  /** The buckets the instance role may use, each only as its user needs (configs/bucket-access.ts). */
  readonly buckets?: { readonly loki: pulumi.Input<string>; readonly backup: pulumi.Input<string> };
  /**
   * More inline policies for the instance role, by name (`${name}-<key>`): remote write to a
   * workspace, EC2 discovery. Default none.
   */
  readonly rolePolicies?: Readonly<Record<string, pulumi.Input<string>>>;
  /** The subnet to launch in, overriding `aws.subnetId` (each member of the pair has its own zone's). */
  readonly subnetId?: pulumi.Input<string>;
  /**
   * The redundant pair: the first member's host creates the security group both share, with
   * `peerPorts` (TCP) admitted only from the group itself and `loadBalancer` (Grafana's port)
   * only from the load balancer's group; the second member's host joins it (`securityGroupId`).
   */
  readonly pair?:
    | {
        readonly peerPorts: readonly { readonly port: number; readonly description: string }[];
        readonly loadBalancer?: { readonly securityGroupId: pulumi.Input<string>; readonly port: number };
      }
    | { readonly securityGroupId: pulumi.Input<string> };
}

export class Ec2Host extends pulumi.ComponentResource implements DockerHost {
  public readonly provider: docker.Provider;
  public readonly ready: pulumi.Resource[];
  /** The Elastic IP: Grafana's address and the Docker ssh host. */
  public readonly publicAddress: pulumi.Output<string>;
  public readonly instanceId: pulumi.Output<string>;
  public readonly publicIp: pulumi.Output<string>;
  /** "ssh-ed25519 <base64>": the host key cloud-init installs, which both SSH clients pin. */
  public readonly hostPublicKey: pulumi.Output<string>;
  /** The provider every AWS resource of this host uses (region `region`). */
  public readonly awsProvider: aws.Provider;
  /** The address in its subnet: what the other member of a pair reaches this host at. */
  public readonly privateIp: pulumi.Output<string>;
  /** The host's security group (on a pair, the one both members share). */
  public readonly securityGroupId: pulumi.Output<string>;

  constructor(name: string, args: Ec2HostArgs, opts?: pulumi.ComponentResourceOptions) {
    // Registered as "observability:host:Ec2Host" until the tokens were unified: the alias keeps existing stacks
    // (and every child, whose URN includes this type) from being replaced.
    super(
      "observability:index:Ec2Host",
      name,
      {},
      { ...opts, aliases: [...(opts?.aliases ?? []), { type: "observability:host:Ec2Host" }] },
    );

    const settings = args.aws;
    const tags = (n: string): Record<string, string> => stackTags(args.stack, n);

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

    const joined = args.pair && "securityGroupId" in args.pair ? args.pair.securityGroupId : undefined;
    const securityGroupId = joined ? pulumi.output(joined) : this.securityGroup(name, args, vpcId, child).id;
    const keyPair = new aws.ec2.KeyPair(`${name}-key`, { publicKey: settings.sshPublicKey, tags: tags(`${name}-key`) }, child);

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
    if (args.buckets) {
      // One role for the instance: Loki and the backup job both get it through the metadata
      // service (the only containers that can, see configs/host-hardening.ts), so each can use the
      // other's statements too; the split still keeps deletes out of the backup bucket and every
      // other bucket out of reach.
      rolePolicies.push(
        new aws.iam.RolePolicy(
          `${name}-s3`,
          {
            role: role.name,
            policy: pulumi.all([args.buckets.loki, args.buckets.backup]).apply(([loki, backup]) => instanceRolePolicy({ loki, backup })),
          },
          child,
        ),
      );
    }
    for (const [key, policy] of Object.entries(args.rolePolicies ?? {})) {
      rolePolicies.push(new aws.iam.RolePolicy(`${name}-${key}`, { role: role.name, policy }, child));
    }
    const profile = new aws.iam.InstanceProfile(`${name}-profile`, { role: role.name, tags: tags(`${name}-profile`) }, child);

    // The host's SSH key, made here so both SSH clients can pin it (a first connection that
    // trusts whatever key answers could be a man in the middle): 32 random bytes kept in the
    // state, the ed25519 key built from them, installed by cloud-init. The user data then holds
    // the private key and is a secret as a whole; the public key is not secret.
    const hostKeySeed = new random.RandomBytes(`${name}-host-key-seed`, { length: 32 }, { parent: this });
    const hostKey = hostKeySeed.base64.apply((seed) => ed25519HostKey(Buffer.from(seed, "base64")));
    this.hostPublicKey = pulumi.unsecret(hostKey.apply((k) => publicKeyWithoutComment(k.publicOpenssh)));

    const instance = new aws.ec2.Instance(
      `${name}-instance`,
      {
        ami: ami.id,
        instanceType: settings.instanceType,
        subnetId: args.subnetId ?? settings.subnetId,
        vpcSecurityGroupIds: [securityGroupId],
        keyName: keyPair.keyName,
        iamInstanceProfile: profile.name,
        // IMDSv2 only. Hop limit 2: containers on a bridge network are one hop further away and
        // Loki and the backup job need the instance-profile credentials (S3); the firewall that
        // cloud-init installs keeps every other container away from the metadata service.
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
        userData: pulumi.secret(hostKey.apply((k) => renderCloudConfig(settings.sshUser, undefined, k))),
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

    const connection: command.types.input.remote.ConnectionArgs = {
      host: eip.publicIp,
      user: settings.sshUser,
      privateKey: settings.sshPrivateKey,
      // Without a key, the agent of the `pulumi` process (SSH_AUTH_SOCK) signs.
      agentSocketPath: settings.sshPrivateKey ? undefined : settings.sshAgentSocket,
      // Only the key cloud-init installed is accepted (the provider parses it as an authorized_keys
      // line and checks it with ssh.FixedHostKey, negotiating only its type: pulumi-command
      // provider/pkg/provider/remote/connection.go, since PR #794, in the 1.2 plugin this SDK pins).
      hostKey: this.hostPublicKey,
      // sshd comes up some time after the instance is "running"; retry for a few minutes.
      dialErrorLimit: 60,
    };
    const waitForDocker = new command.remote.Command(
      `${name}-wait-docker`,
      { connection, create: WAIT_FOR_DOCKER, triggers: [instance.id] },
      { parent: this },
    );

    // The containers' task limits (configs/container-slices.ts): run on every host, new or
    // created before the limits existed, on a replaced instance, and again whenever the script
    // changes (a changed input re-runs `create`); every container waits for it (host.ready), so
    // none is created in a slice systemd does not limit.
    const taskSlices = new command.remote.Command(
      `${name}-task-slices`,
      { connection, create: renderSliceInstallScript(containerSliceFiles(args.containers)), triggers: [instance.id] },
      { parent: this, dependsOn: [waitForDocker] },
    );

    this.provider = new docker.Provider(
      `${name}-docker`,
      {
        host: pulumi.interpolate`ssh://${settings.sshUser}@${eip.publicIp}`,
        // The Docker CLI's ssh helper passes these to ssh(1) as arguments, no shell (docker/cli
        // connhelper.GetConnectionHelperWithSSHOpts): only the pinned key is accepted.
        sshOpts: pulumi.all([eip.publicIp, this.hostPublicKey]).apply(([ip, key]) => pinnedSshOptions(ip, key)),
        // No daemon ping when the provider makes its client, so `pulumi preview` (CI has no SSH
        // key or route to the host) never dials ssh://: nothing else does on a preview without
        // --refresh (the client is made only to create, read, update or delete). Set on every
        // run rather than only when pulumi.runtime.isDryRun(): a value that differed between
        // preview and up would show the provider as changed in every preview. The daemon is still
        // proven before any container exists: waitForDocker runs `docker info` on the host.
        disableDockerDaemonCheck: true,
      },
      { parent: this, dependsOn: [waitForDocker] },
    );

    if (args.tls?.route53ZoneId) {
      new aws.route53.Record(
        `${name}-grafana-dns`,
        { zoneId: args.tls.route53ZoneId, name: args.tls.domain, type: "A", ttl: 300, records: [eip.publicIp] },
        child,
      );
    }

    this.ready = [waitForDocker, taskSlices];
    this.instanceId = instance.id;
    this.publicIp = eip.publicIp;
    this.publicAddress = eip.publicIp;
    this.privateIp = instance.privateIp;
    this.securityGroupId = securityGroupId;

    this.registerOutputs({ instanceId: this.instanceId, publicIp: this.publicIp, publicAddress: this.publicAddress });
  }

  /** Inline rules: Pulumi owns the whole rule set, so a rule added by hand is removed on the next up. */
  private securityGroup(
    name: string,
    args: Ec2HostArgs,
    vpcId: pulumi.Input<string>,
    child: pulumi.CustomResourceOptions,
  ): aws.ec2.SecurityGroup {
    const settings = args.aws;
    const tags = (n: string): Record<string, string> => stackTags(args.stack, n);
    const ingress: aws.types.input.ec2.SecurityGroupIngress[] = [];
    const pair = args.pair && "peerPorts" in args.pair ? args.pair : undefined;
    for (const p of pair?.peerPorts ?? []) {
      ingress.push({ description: `Pair: ${p.description}`, protocol: "tcp", fromPort: p.port, toPort: p.port, self: true });
    }
    if (pair?.loadBalancer) {
      ingress.push({
        description: "Grafana, from the pair's load balancer only",
        protocol: "tcp",
        fromPort: pair.loadBalancer.port,
        toPort: pair.loadBalancer.port,
        securityGroups: [pair.loadBalancer.securityGroupId],
      });
    }
    if (args.tls) {
      ingress.push(
        {
          description: "HTTPS to Grafana through the TLS proxy",
          protocol: "tcp",
          fromPort: 443,
          toPort: 443,
          cidrBlocks: [...settings.grafanaAllowedCidrs],
        },
        {
          description: "HTTP: ACME HTTP-01 challenge and redirect to HTTPS only",
          protocol: "tcp",
          fromPort: 80,
          toPort: 80,
          cidrBlocks: ["0.0.0.0/0"],
          ipv6CidrBlocks: ["::/0"],
        },
      );
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
    return new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        // The same on the pair: AWS cannot change a group's description in place, so turning the
        // pair on would replace host a's group for nothing.
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
  }
}
