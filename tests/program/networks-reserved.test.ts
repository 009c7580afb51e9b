// Issue 21, names the program owns: every Docker network the program creates is refused in the
// `networks` setting (configs/network-checks.ts RESERVED_DOCKER_NETWORKS). Read from the golden records,
// which golden-*.test.ts keep equal to the program's graph for dev, prod and prod with every option.
import { RESERVED_DOCKER_NETWORKS, dockerNetworkNameProblem } from "../../configs/network-checks";
import { GOLDEN_SCENARIOS, readGolden } from "../helpers/graph";

test.each(Object.keys(GOLDEN_SCENARIOS))("every network the %s graph creates is reserved", (scenario) => {
  const created = readGolden(scenario)
    .resources.filter((r) => r.type === "docker:index/network:Network")
    .map((r) => String(r.inputs.name));
  expect(created.length).toBeGreaterThan(0);
  for (const name of created) {
    expect({ name, reserved: (RESERVED_DOCKER_NETWORKS as readonly string[]).includes(name) }).toEqual({ name, reserved: true });
    expect(dockerNetworkNameProblem(name)).toMatch(/a network this program creates/);
  }
});
