// `--init` round trip: the docker CLI always sends ContainerSpec.Init (false unless --init), moby
// keeps a `*bool`, and `service inspect --pretty` prints it when set, as the recordings show.
import { describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";

describe("ContainerSpec.Init", () => {
  it("is kept as sent: false from the CLI by default, true with --init, absent from a spec without it", () => {
    const sim = Simulation.swarm({ seed: "init", managers: 1, workers: 0 });
    sim.exec("manager1", "docker service create -d --name plain alpine sleep 3600");
    sim.exec("manager1", "docker service create -d --init --name with-init alpine sleep 3600");
    sim.engine("manager1").serviceCreate({ Name: "api", TaskTemplate: { ContainerSpec: { Image: "alpine" } } });
    expect(sim.exec("manager1", "docker service inspect --pretty plain").stdout).toContain("\n Init:\t\tfalse\n");
    expect(sim.exec("manager1", "docker service inspect --pretty with-init").stdout).toContain("\n Init:\t\ttrue\n");
    expect(sim.exec("manager1", "docker service inspect --pretty api").stdout).not.toContain("Init:");
    expect(sim.engine("manager1").serviceInspect("api")).toMatchObject({ Spec: { TaskTemplate: { ContainerSpec: { Image: "alpine:latest" } } } });
    expect((sim.engine("manager1").serviceInspect("api") as { Spec: { TaskTemplate: { ContainerSpec: object } } }).Spec.TaskTemplate.ContainerSpec).not.toHaveProperty("Init");
  });
});
