// IMDSv2 and encrypted root volume policies.
import { encryptedRootVolume, imdsv2Required } from "../../policy/ec2";
import { TYPES } from "../../policy/types";
import { violations } from "../helpers/policy-args";

const instance = (props: Record<string, unknown>) => ({
  instanceType: "t3.xlarge",
  metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 },
  rootBlockDevice: { encrypted: true, volumeType: "gp3" },
  ...props,
});

describe("imdsv2-required", () => {
  test("httpTokens required (or metadata off) passes", () => {
    expect(violations(imdsv2Required, TYPES.instance, instance({}))).toEqual([]);
    expect(violations(imdsv2Required, TYPES.instance, instance({ metadataOptions: { httpEndpoint: "disabled" } }))).toEqual([]);
  });
  test("optional tokens, or no metadata options at all, are reported", () => {
    expect(violations(imdsv2Required, TYPES.instance, instance({ metadataOptions: { httpTokens: "optional" } }))).toEqual([
      expect.stringContaining('httpTokens is "optional"'),
    ]);
    expect(violations(imdsv2Required, TYPES.launchTemplate, {})).toHaveLength(1);
  });
});

describe("root-volume-encrypted", () => {
  test("an encrypted root volume passes", () => {
    expect(violations(encryptedRootVolume, TYPES.instance, instance({}))).toEqual([]);
    expect(
      violations(encryptedRootVolume, TYPES.launchTemplate, {
        blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }],
      }),
    ).toEqual([]);
  });
  test("an unencrypted or unspecified root volume is reported", () => {
    expect(violations(encryptedRootVolume, TYPES.instance, instance({ rootBlockDevice: { volumeType: "gp3" } }))).toEqual([
      expect.stringContaining("rootBlockDevice.encrypted is not true"),
    ]);
    expect(
      violations(encryptedRootVolume, TYPES.instance, instance({ ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: false }] })),
    ).toEqual([expect.stringContaining("/dev/sdf is not encrypted")]);
    expect(
      violations(encryptedRootVolume, TYPES.launchTemplate, {
        blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }],
      }),
    ).toHaveLength(1);
  });
});
