// Instances and launch templates: instance metadata only through IMDSv2 session tokens (an SSRF
// in a container cannot read the role's credentials with a plain GET), and encrypted root volumes.
import { ResourcePolicy, TYPES } from "./types";

export const imdsv2Required: ResourcePolicy = {
  name: "imdsv2-required",
  description: "EC2 instances and launch templates require IMDSv2 (metadataOptions.httpTokens = required).",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== TYPES.instance && args.type !== TYPES.launchTemplate) return;
    const md = args.props.metadataOptions as Record<string, unknown> | undefined;
    if (md?.httpEndpoint === "disabled") return;
    if (md?.httpTokens !== "required") {
      report(
        `${args.name}: metadataOptions.httpTokens is ${JSON.stringify(md?.httpTokens ?? "optional")}; set it to "required" (IMDSv2 only).`,
      );
    }
  },
};

function isTrue(v: unknown): boolean {
  return v === true || v === "true";
}

export const encryptedRootVolume: ResourcePolicy = {
  name: "root-volume-encrypted",
  description: "EC2 root volumes (and every EBS volume of a launch template) are encrypted.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type === TYPES.instance) {
      const root = args.props.rootBlockDevice as Record<string, unknown> | undefined;
      if (!isTrue(root?.encrypted))
        report(`${args.name}: rootBlockDevice.encrypted is not true; the root volume holds every Docker volume.`);
      const ebs = Array.isArray(args.props.ebsBlockDevices) ? (args.props.ebsBlockDevices as Record<string, unknown>[]) : [];
      for (const d of ebs) {
        if (!isTrue(d.encrypted)) report(`${args.name}: EBS volume ${String(d.deviceName)} is not encrypted.`);
      }
    } else if (args.type === TYPES.launchTemplate) {
      const mappings = Array.isArray(args.props.blockDeviceMappings) ? (args.props.blockDeviceMappings as Record<string, unknown>[]) : [];
      if (mappings.length === 0)
        report(
          `${args.name}: the launch template sets no block device, so the AMI's unencrypted default applies; map the root device with ebs.encrypted true.`,
        );
      for (const m of mappings) {
        const ebs = m.ebs as Record<string, unknown> | undefined;
        if (ebs && !isTrue(ebs.encrypted)) report(`${args.name}: EBS volume ${String(m.deviceName)} is not encrypted.`);
      }
    }
  },
};

export const EC2_POLICIES = [imdsv2Required, encryptedRootVolume];
