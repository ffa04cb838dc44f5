// Every refused swarm command changes nothing: for each, the command fails with a non-zero exit
// code and Docker's message, and the cluster store (the leader's, as JSON) and every host's
// containers are exactly as before (issue: "every refused command changes nothing").
import { describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";

/** What a refused command must leave alone: the store and the containers of every host. */
function snapshot(sim: Simulation): string {
  const containers = ["manager1", "manager2", "manager3", "worker1"].map((host) => sim.exec(host, "docker ps -aq --no-trunc").stdout);
  return JSON.stringify({ store: sim.clusterState(), containers });
}

const refusals: readonly { readonly host: string; readonly line: string; readonly stderr: RegExp }[] = [
  { host: "manager1", line: "docker service create --name web nginx", stderr: /name conflicts with an existing object: service web already exists/ },
  { host: "manager1", line: "docker service create --replicas 2 --mode global nginx", stderr: /replicas can only be used with replicated/ },
  { host: "manager1", line: "docker service create --restart-condition sometimes nginx", stderr: /invalid RestartCondition/i },
  { host: "manager1", line: "docker service create", stderr: /'docker service create' requires at least 1 argument/ },
  { host: "manager1", line: "docker service scale global=3", stderr: /scale can only be used with replicated or replicated-job mode/ },
  { host: "manager1", line: "docker service scale nosuch=3", stderr: /service nosuch not found/ },
  { host: "manager1", line: "docker service update --replicas 2 global", stderr: /replicas can only be used with replicated mode/ },
  { host: "manager1", line: "docker service rm nosuch", stderr: /service nosuch not found/ },
  { host: "manager1", line: "docker node update --availability bogus worker1", stderr: /Error response from daemon: invalid Availability: "bogus"/ },
  { host: "manager1", line: "docker node rm manager2", stderr: /is a cluster manager and is a member of the raft cluster/ },
  { host: "manager1", line: "docker node rm worker1", stderr: /is not down and can't be removed/ },
  { host: "manager1", line: "docker node demote nosuch", stderr: /node nosuch not found/ },
  { host: "manager1", line: "docker swarm update --cert-expiry 30m", stderr: /minimum certificate expiry time is: 1h0m0s/ },
  { host: "manager1", line: "docker swarm init", stderr: /This node is already part of a swarm/ },
  { host: "worker1", line: "docker service create nginx", stderr: /This node is not a swarm manager/ },
  { host: "worker1", line: "docker node ls", stderr: /This node is not a swarm manager/ },
  { host: "worker1", line: "docker swarm join-token worker", stderr: /This node is not a swarm manager/ },
];

describe("refused swarm commands change nothing", () => {
  it("each refusal answers in Docker's words and leaves the store and the containers as they were", () => {
    const sim = Simulation.swarm({ seed: "refusals", managers: 3, workers: 1 });
    expect(sim.exec("manager1", "docker service create -d --name web --replicas 2 nginx").exitCode).toBe(0);
    expect(sim.exec("manager1", "docker service create -d --name global --mode global redis").exitCode).toBe(0);
    sim.runFor(30_000);
    for (const refusal of refusals) {
      const before = snapshot(sim);
      const result = sim.exec(refusal.host, refusal.line);
      expect(result.exitCode, refusal.line).not.toBe(0);
      expect(result.stderr, refusal.line).toMatch(refusal.stderr);
      expect(snapshot(sim), `${refusal.line} changed the cluster`).toBe(before);
    }
  });

  it("without quorum, a write is refused with Docker's words and the running containers keep running", () => {
    const sim = Simulation.swarm({ seed: "no-quorum", managers: 3, workers: 1 });
    expect(sim.exec("manager1", "docker service create -d --name web --replicas 2 nginx").exitCode).toBe(0);
    sim.runFor(30_000);
    const running = sim.exec("worker1", "docker ps -q").stdout;
    sim.faults.crash("manager2");
    sim.faults.crash("manager3");
    sim.runFor(30_000);
    const refused = sim.exec("manager1", "docker service scale web=5");
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain("The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.");
    expect(sim.exec("worker1", "docker ps -q").stdout).toBe(running);
  });
});
