// Swarm administration end to end through the CLI: `docker swarm update` and join-token
// rotation (an old token is refused, the new one works), swarmkit's spec validation errors, a
// removed node's certificate refused with swarmkit's words, and the networks a swarm node gets.
import { describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";
import { expectEngineApi } from "../support/engine-api-schema.js";
import { gatewayBridgeSetupMs } from "../../src/engine/api/networks.js";

function swarmSpec(sim: Simulation): Record<string, any> {
  return sim.engine("manager1").swarmInspect().Spec as Record<string, any>;
}

describe("swarm administration", () => {
  it("rotates a join token: the old one is refused, the new one joins", () => {
    const sim = Simulation.swarm({ seed: "rotate", managers: 1, workers: 0 });
    const oldToken = sim.exec("manager1", "docker swarm join-token -q worker").stdout.trim();
    const rotated = sim.exec("manager1", "docker swarm join-token --rotate worker");
    expect(rotated.exitCode).toBe(0);
    expect(rotated.stdout).toMatch(/^Successfully rotated worker join token\.\n\nTo add a worker to this swarm, run the following command:\n\n    docker swarm join --token SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25} 10\.0\.0\.1:2377\n\n$/);
    const newToken = sim.exec("manager1", "docker swarm join-token -q worker").stdout.trim();
    expect(newToken).not.toBe(oldToken);
    expect(newToken.slice(0, 60)).toBe(oldToken.slice(0, 60)); // same root CA digest, new secret
    expect(sim.exec("manager1", "docker swarm join-token -q manager").stdout.trim()).not.toBe(newToken);

    sim.addHost("worker1");
    const refused = sim.exec("worker1", `docker swarm join --token ${oldToken} 10.0.0.1:2377`);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toBe("Error response from daemon: rpc error: code = InvalidArgument desc = A valid join token is necessary to join this cluster\n");
    expect(sim.exec("worker1", `docker swarm join --token ${newToken} 10.0.0.1:2377`).stdout).toBe("This node joined a swarm as a worker.\n");
  });

  it("updates the swarm's settings, checks them as swarmkit does, and refuses a stale version", () => {
    const sim = Simulation.swarm({ seed: "update", managers: 1, workers: 1 });
    expect(sim.exec("manager1", "docker swarm update --task-history-limit 2 --dispatcher-heartbeat 10s --snapshot-interval 5000 --max-snapshots 3 --cert-expiry 48h").stdout).toBe("Swarm updated.\n");
    const spec = swarmSpec(sim);
    expect(spec.Orchestration).toEqual({ TaskHistoryRetentionLimit: 2 });
    expect(spec.Dispatcher).toEqual({ HeartbeatPeriod: 10_000_000_000 });
    expect(spec.Raft).toMatchObject({ SnapshotInterval: 5000, KeepOldSnapshots: 3 });
    expect(spec.CAConfig).toEqual({ NodeCertExpiry: 48 * 3_600_000_000_000 });
    expect(sim.clusterState()!.cluster!.heartbeatPeriodMs).toBe(10_000);

    const before = JSON.stringify(sim.clusterState());
    const tooShort = sim.exec("manager1", "docker swarm update --cert-expiry 30m");
    expect(tooShort.exitCode).toBe(1);
    expect(tooShort.stderr).toBe("Error response from daemon: rpc error: code = InvalidArgument desc = minimum certificate expiry time is: 1h0m0s\n");
    const engine = sim.engine("manager1");
    const version = Number((engine.swarmInspect().Version as { Index: number }).Index);
    expect(() => engine.swarmUpdate(spec, { version: version - 1 })).toThrow("rpc error: code = Unknown desc = update out of sequence");
    expect(() => engine.swarmUpdate({ ...spec, Name: "other" }, { version })).toThrow("rpc error: code = InvalidArgument desc = modification of cluster name is not allowed");
    expect(JSON.stringify(sim.clusterState())).toBe(before); // refused requests change nothing
  });

  it("refuses a removed node's certificate with swarmkit's words", () => {
    const sim = Simulation.swarm({ seed: "removed", managers: 1, workers: 1, trace: { level: "all" } });
    const nodeId = sim.exec("worker1", "docker info --format '{{.Swarm.NodeID}}'").stdout.trim();
    expect(sim.exec("manager1", "docker node rm --force worker1").stdout).toBe("worker1\n");
    expect(Object.keys(sim.clusterState()!.cluster!.removedNodes)).toEqual([nodeId]);
    const removedAtMs = sim.now;
    sim.runFor(20_000);
    const refusals = sim.trace.filter(
      (event) => event.type === "message.deliver" && event.host === "worker1" && event.process === "swarm-agent" && event.time > removedAtMs && JSON.stringify(event).includes("PermissionDenied"),
    );
    expect(refusals.length).toBeGreaterThan(0);
    expect(JSON.stringify(refusals[0])).toContain(`Permission denied: node ${nodeId} was removed from swarm`);
    expect(sim.exec("manager1", "docker node ls").stdout).not.toContain("worker1");
    // The node can leave and join again, as a new node.
    expect(sim.exec("worker1", "docker swarm leave").stdout).toBe("Node left the swarm.\n");
    const token = sim.exec("manager1", "docker swarm join-token -q worker").stdout.trim();
    expect(sim.exec("worker1", `docker swarm join --token ${token} 10.0.0.1:2377`).stdout).toBe("This node joined a swarm as a worker.\n");
    expect(sim.exec("worker1", "docker info --format '{{.Swarm.NodeID}}'").stdout.trim()).not.toBe(nodeId);
  });

  it("gives every node docker_gwbridge and the swarm's ingress overlay, which service VIPs are on", () => {
    const sim = Simulation.swarm({ seed: "networks", managers: 1, workers: 1 });
    // docker_gwbridge comes with the node's ingress sandbox, a moment after the join.
    expect(sim.exec("worker1", "docker network ls --format '{{.Name}}'").stdout).toBe("bridge\nhost\ningress\nnone\n");
    sim.runFor(gatewayBridgeSetupMs);
    const ingressId = sim.clusterState()!.cluster!.ingressNetworkId;
    expect(ingressId).toMatch(/^[0-9a-z]{25}$/);
    for (const host of ["manager1", "worker1"]) {
      const listed = sim.exec(host, "docker network ls --format '{{.ID}} {{.Name}} {{.Driver}} {{.Scope}}'").stdout.trim().split("\n");
      expect(listed).toContain(`${ingressId.slice(0, 12)} ingress overlay swarm`);
      expect(listed.some((line) => / docker_gwbridge bridge local$/.test(line))).toBe(true);
      expectEngineApi("NetworkInspect", sim.engine(host).networkInspect("ingress"));
    }
    sim.exec("manager1", "docker service create -d --name web --publish 8080:80 nginx");
    // As with real Docker, the next command already sees the allocation (the CLI takes a moment to start).
    expect(sim.exec("manager1", "docker service ls --format '{{.Name}} {{.Ports}}'").stdout).toBe("web *:8080->80/tcp\n");
    sim.runFor(5_000);
    // After the two nodes' ingress sandboxes (10.0.0.2 and .3), as a real swarm allocates them.
    expect(sim.engine("manager1").serviceInspect("web").Endpoint.VirtualIPs).toEqual([{ NetworkID: ingressId, Addr: "10.0.0.4/24" }]);
    expect(sim.exec("worker1", "docker swarm leave").stdout).toBe("Node left the swarm.\n");
    expect(sim.exec("worker1", "docker network ls --format '{{.Name}}'").stdout).toBe("bridge\ndocker_gwbridge\nhost\nnone\n");
  });
});
