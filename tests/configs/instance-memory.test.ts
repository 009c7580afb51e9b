// configs/instance-memory.ts: instance memory by AWS's published sizes, and each container's
// floor to start. Sizes checked against AWS's instance type pages (general purpose, compute and
// memory optimised): t3.xlarge 16 GiB, m7i.large 8, c6i.2xlarge 16, r6i.xlarge 32, t3.nano 0.5.
import { HOST_RESERVED_MB, instanceMemoryMb } from "../../configs/instance-memory";
import { ALL_CONTAINERS } from "../../integrations";

test.each([
  ["t3.nano", 512],
  ["t3.medium", 4096],
  ["t3.xlarge", 16384],
  ["t3a.2xlarge", 32768],
  ["m7i.large", 8192],
  ["m6i.4xlarge", 65536],
  ["c6i.2xlarge", 16384],
  ["c5.9xlarge", 73728],
  ["r6i.xlarge", 32768],
])("%s has %d MB", (type, mb) => {
  expect(instanceMemoryMb(type)).toBe(mb);
});

test.each([["t4g.xlarge"], ["m7g.large"], ["c7gn.2xlarge"], ["r6gd.xlarge"]])("%s is Arm and refused (the AMI is x86_64)", (type) => {
  expect(instanceMemoryMb(type)).toEqual({ problem: expect.stringMatching(/Arm/) });
});

test.each([["t3.huge"], ["x2iedn.xlarge"], ["m7i-flex.large"], ["t2.micro"]])("%s is not in the table and says so", (type) => {
  expect(instanceMemoryMb(type)).toEqual({ problem: expect.stringMatching(/not in the program's table/) });
});

test("every container has a start floor under its default limit, and the defaults fit the default instance", () => {
  for (const [c, e] of Object.entries(ALL_CONTAINERS)) {
    expect({ c, floor: e.minMemoryMb > 0 && e.minMemoryMb <= e.limits.memoryMb }).toEqual({ c, floor: true });
  }
  const all = Object.values(ALL_CONTAINERS).reduce((sum, e) => sum + e.limits.memoryMb, 0);
  expect(all).toBeLessThanOrEqual((instanceMemoryMb("t3.xlarge") as number) - HOST_RESERVED_MB);
});
