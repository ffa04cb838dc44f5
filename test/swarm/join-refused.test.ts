// `docker swarm join` to an address where no manager listens: moby relays gRPC's dial error, as the
// recording test/fixtures/docker/swarm/swarm-join-unreachable.json shows, and the node stays out.
import { describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";

describe("swarm join to an address with no manager", () => {
  it("answers gRPC's connection-refused dial error and changes nothing", () => {
    const sim = new Simulation({ seed: "join-refused" });
    sim.addHost("node1");
    sim.runFor(2_000);
    const token = `SWMTKN-1-${"a".repeat(50)}-${"b".repeat(25)}`;
    const joined = sim.exec("node1", `docker swarm join --token ${token} 10.0.0.1:2377`);
    expect(joined.exitCode).toBe(1);
    expect(joined.stderr).toBe(
      'Error response from daemon: rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing dial tcp 10.0.0.1:2377: connect: connection refused"\n',
    );
    expect(sim.exec("node1", "docker info --format '{{.Swarm.LocalNodeState}}'").stdout).toBe("inactive\n");
  });
});
