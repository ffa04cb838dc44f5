// Time travel: `stateAt` and `diff` over the kept world states of a swarm that loses its
// leader, the network faults in force at a past time (partitions, links, heals) and their
// picture, `fork` by replaying the input log (same trace hash, then independent), the history's
// bounds, and the inputs that make `fork` refuse rather than silently diverge.
import { describe, expect, it } from "vitest";
import { Simulation, SimulationError, render } from "swarmsim";

/** A 3+2 swarm running a 5-replica service (one task per node), with the leader crashed: the times around the crash. */
function swarmWithLeaderCrash(seed: string) {
  const sim = Simulation.swarm({ seed, managers: 3, workers: 2 });
  sim.exec("manager1", "docker service create --detach --name web --replicas 5 nginx");
  sim.runFor(20_000);
  const oldLeader = sim.leader()!;
  const crashTimeMs = sim.now;
  sim.faults.crash(oldLeader.host);
  sim.runFor(30_000);
  return { sim, oldLeader, crashTimeMs };
}

describe("network faults in the kept history", () => {
  /**
   * A 3+2 swarm whose worker2 is cut off, links degraded, the partition healed, a link reset:
   * the time of each fault (the state at a fault's time includes it; 1 ms before, it does not).
   */
  function partitionedSwarm() {
    const sim = Simulation.swarm({ seed: "time-travel-network", managers: 3, workers: 2 });
    sim.runFor(2_000);
    const isolatedMs = sim.now;
    sim.faults.isolate("worker2");
    sim.runFor(5_000);
    const livePicture = render.renderCluster(sim, { title: "cluster" });
    const degradedMs = sim.now;
    sim.faults.setLink("manager1", "worker1", { latencyMs: [40, 60], lossRate: 0.1 });
    sim.faults.setLink("manager2", "worker1", { lossRate: 0.5, oneWay: true });
    sim.runFor(5_000);
    const healedMs = sim.now;
    sim.faults.heal();
    sim.runFor(5_000);
    const resetMs = sim.now;
    sim.faults.resetLink("manager1", "worker1");
    sim.runFor(1_000);
    return { sim, isolatedMs, livePicture, degradedMs, healedMs, resetMs };
  }
  const others = (sim: Simulation) => sim.hosts().map((host) => host.name).filter((name) => name !== "worker2");

  it("keeps the partitions and changed links in force at each time", () => {
    const { sim, isolatedMs, degradedMs, healedMs, resetMs } = partitionedSwarm();
    expect(sim.stateAt(isolatedMs - 1).network).toEqual({ partitions: [], partitionsNotKept: 0, links: [] });
    expect(sim.stateAt(isolatedMs).network.partitions).toEqual([[["worker2"], others(sim)]]);
    expect(sim.stateAt(degradedMs - 1).network).toEqual({ partitions: [[["worker2"], others(sim)]], partitionsNotKept: 0, links: [] });
    const degraded = sim.stateAt(healedMs - 1).network;
    expect(degraded.partitions).toHaveLength(1);
    expect(degraded.links).toEqual([
      { from: "manager1", to: "worker1", latencyMs: [40, 60], lossRate: 0.1, duplicateRate: 0 },
      { from: "manager2", to: "worker1", latencyMs: [1, 2], lossRate: 0.5, duplicateRate: 0 },
      { from: "worker1", to: "manager1", latencyMs: [40, 60], lossRate: 0.1, duplicateRate: 0 },
    ]);
    expect(sim.stateAt(resetMs - 1).network.partitions).toEqual([]);
    expect(sim.stateAt(resetMs - 1).network.links).toEqual(degraded.links);
    expect(sim.stateAt(sim.now).network.links).toEqual([{ from: "manager2", to: "worker1", latencyMs: [1, 2], lossRate: 0.5, duplicateRate: 0 }]);
    // Unchanged network states are shared between kept states, not copied.
    expect(sim.stateAt(degradedMs - 1).network).toBe(sim.stateAt(isolatedMs).network);
  });

  it("lists partitions made and healed and links changed and reset in diff", () => {
    const { sim, isolatedMs, degradedMs, healedMs, resetMs } = partitionedSwarm();
    const network = (fromMs: number, toMs: number) => sim.diff(fromMs, toMs).filter((change) => change.kind.startsWith("network."));
    const made = network(isolatedMs - 1, isolatedMs);
    expect(made.map((change) => change.kind)).toEqual(["network.partition"]);
    expect(made[0]!.summary).toBe(`partition [worker2] | [${others(sim).join(", ")}] made`);
    expect(network(degradedMs - 1, healedMs - 1).map((change) => change.summary)).toEqual([
      "link manager1 -> worker1: latency 40-60 ms, loss 0.1, duplicates 0",
      "link manager2 -> worker1: latency 1-2 ms, loss 0.5, duplicates 0",
      "link worker1 -> manager1: latency 40-60 ms, loss 0.1, duplicates 0",
    ]);
    expect(network(healedMs - 1, healedMs).map((change) => change.kind)).toEqual(["network.heal"]);
    expect(network(resetMs - 1, sim.now).map((change) => change.summary)).toEqual(["link manager1 -> worker1 back to the defaults", "link worker1 -> manager1 back to the defaults"]);
    // A partition made and healed between the two times is not a change.
    expect(network(isolatedMs - 1, resetMs - 1).map((change) => change.kind)).toEqual(["network.link", "network.link", "network.link"]);
  });

  it("draws the partition in the cluster at a past time inside it, as the live picture did", () => {
    const { sim, isolatedMs, livePicture, degradedMs, healedMs } = partitionedSwarm();
    const inside = render.renderClusterAt(sim, degradedMs - 1, { title: "cluster" });
    expect(inside.match(/class="partition"/g)).toHaveLength(1);
    expect(inside).toContain("1 partition(s) in force");
    // The same picture as the live one drawn at that time: hosts in the same groups and places.
    expect(inside).toBe(livePicture);
    expect(render.renderClusterAt(sim, healedMs - 1)).toContain("1 partition(s) in force, 3 link direction(s) changed");
    for (const timeMs of [isolatedMs - 1, healedMs]) {
      const picture = render.renderClusterAt(sim, timeMs);
      expect(picture).not.toContain('class="partition"');
      expect(picture).toMatch(/0 partition\(s\) in force/);
    }
  });

  it("keeps the network faults of a fork", () => {
    const { sim, degradedMs } = partitionedSwarm();
    expect(sim.fork().stateAt(degradedMs - 1)).toEqual(sim.stateAt(degradedMs - 1));
  });
});

describe("stateAt and diff", () => {
  it("returns the old leader before the crash and the new one after it", () => {
    const { sim, oldLeader, crashTimeMs } = swarmWithLeaderCrash("time-travel-1");
    const before = sim.stateAt(crashTimeMs - 1);
    const after = sim.stateAt(sim.now);
    expect(before.leader).toEqual(oldLeader);
    expect(before.hosts.find((host) => host.name === oldLeader.host)?.up).toBe(true);
    expect(before.raft.map((member) => member.host)).toContain(oldLeader.host);
    expect(after.leader).toEqual(sim.leader());
    expect(after.leader!.host).not.toBe(oldLeader.host);
    expect(after.leader!.term).toBeGreaterThan(oldLeader.term);
    expect(after.hosts.find((host) => host.name === oldLeader.host)?.up).toBe(false);
    expect(after.store).toBe(sim.clusterState());
    // A state in between: the kept state at or before the time asked for.
    expect(sim.stateAt(crashTimeMs).hosts.find((host) => host.name === oldLeader.host)?.up).toBe(false);
  });

  it("lists the crash, the election and the replaced tasks", () => {
    const { sim, oldLeader, crashTimeMs } = swarmWithLeaderCrash("time-travel-1");
    const changes = sim.diff(crashTimeMs - 1, sim.now);
    const summaries = changes.map((change) => change.summary);
    expect(changes).toContainEqual(expect.objectContaining({ kind: "host.crash", host: oldLeader.host }));
    expect(changes.some((change) => change.kind === "process.stop" && change.host === oldLeader.host && change.process === "dockerd")).toBe(true);
    const election = changes.find((change) => change.kind === "raft.leader");
    expect(election).toMatchObject({ from: oldLeader, to: sim.leader() });
    expect(changes.some((change) => change.kind === "raft.role" && change.to === "leader")).toBe(true);
    expect(changes).toContainEqual(expect.objectContaining({ kind: "raft.member.remove", host: oldLeader.host }));
    // The task on the crashed node is shut down and a new one takes its slot elsewhere.
    const shutDown = changes.filter((change) => change.kind === "store.update" && change.collection === "tasks" && change.detail.includes("desired running -> shutdown"));
    const created = changes.filter((change) => change.kind === "store.create" && change.collection === "tasks");
    expect(shutDown.length).toBeGreaterThan(0);
    expect(created.length).toBe(shutDown.length);
    expect(shutDown.every((change) => change.kind === "store.update" && change.name.endsWith(`on ${oldLeader.host}`))).toBe(true);
    expect(summaries).toContain(`host ${oldLeader.host} crashed (powered off)`);
    expect(summaries.some((line) => line.startsWith(`node ${oldLeader.host} updated: status ready -> down`))).toBe(true);
    // Nothing changed between a time and itself.
    expect(sim.diff(sim.now, sim.now)).toEqual([]);
  });

  it("shows a reboot between two times as a boot with every process started again", () => {
    const sim = new Simulation({ seed: "time-travel-11" });
    sim.addHost("node1");
    sim.runFor(1_000);
    const before = sim.now;
    sim.runFor(1_000);
    sim.faults.crash("node1");
    sim.runFor(1_000);
    sim.faults.restart("node1");
    sim.runFor(1_000);
    const kinds = sim.diff(before, sim.now).map((change) => `${change.kind} ${"process" in change ? change.process : ""}`.trim());
    expect(kinds).toEqual(expect.arrayContaining(["host.boot", "process.stop dockerd", "process.start dockerd", "process.start containerd"]));
    expect(sim.diff(before, before + 1_500).map((change) => change.kind)).toContain("host.crash");
  });

  it("throws a clear error outside the kept history", () => {
    const sim = Simulation.swarm({ seed: "time-travel-2", managers: 3, workers: 0, history: { snapshotsMax: 5 } });
    sim.runFor(60_000);
    expect(() => sim.stateAt(sim.now + 1)).toThrow(SimulationError);
    expect(() => sim.stateAt(sim.now + 1)).toThrow(/in the future/);
    expect(() => sim.stateAt(Number.NaN)).toThrow(/invalid time/);
    expect(() => sim.stateAt(0)).toThrow(/before the kept history.*historySnapshotsMax = 5/);
  });

  it("drops the oldest states past the bound historySnapshotsMax", () => {
    const small = Simulation.swarm({ seed: "time-travel-3", managers: 3, workers: 1, history: { snapshotsMax: 10 } });
    const large = Simulation.swarm({ seed: "time-travel-3", managers: 3, workers: 1 });
    small.exec("manager1", "docker service create --detach --name web --replicas 2 nginx");
    large.exec("manager1", "docker service create --detach --name web --replicas 2 nginx");
    small.runFor(10_000);
    large.runFor(10_000);
    const info = small.historyInfo;
    expect(info.snapshotCount).toBe(10);
    expect(info.droppedCount).toBe(large.historyInfo.snapshotCount - 10);
    expect(info.oldestTimeMs).toBeGreaterThan(0);
    // The kept states are the newest ones, the same as the unbounded history's.
    expect(small.stateAt(info.oldestTimeMs!)).toEqual(large.stateAt(info.oldestTimeMs!));
    expect(() => small.stateAt(info.oldestTimeMs! - 1)).toThrow(/before the kept history/);
    // The bound does not change the run.
    expect(small.traceHash()).toBe(large.traceHash());
  });

  it("turns off with snapshotsMax 0", () => {
    const sim = Simulation.swarm({ seed: "time-travel-4", managers: 1, history: { snapshotsMax: 0 } });
    expect(sim.historyInfo.snapshotCount).toBe(0);
    expect(() => sim.stateAt(sim.now)).toThrow(/history is off/);
    expect(() => new Simulation({ history: { snapshotsMax: -1 } })).toThrow(/invalid history.snapshotsMax/);
  });
});

describe("fork", () => {
  it("gives an identical copy that then goes its own way", () => {
    const { sim, oldLeader } = swarmWithLeaderCrash("time-travel-5");
    const copy = sim.fork();
    expect(copy).not.toBe(sim);
    expect(copy.now).toBe(sim.now);
    expect(copy.eventCount).toBe(sim.eventCount);
    expect(copy.traceHash()).toBe(sim.traceHash());
    expect(copy.leader()).toEqual(sim.leader());
    expect(copy.stateAt(sim.now - 10_000)).toEqual(sim.stateAt(sim.now - 10_000));

    // What if another node had crashed as well: crash the new leader in the copy only.
    const newLeader = sim.leader()!.host;
    const hashAtFork = sim.traceHash();
    copy.faults.crash(newLeader);
    expect(sim.host(newLeader).up).toBe(true);
    expect(sim.traceHash()).toBe(hashAtFork);
    copy.runFor(30_000);
    sim.runFor(30_000);
    expect(copy.host(newLeader).up).toBe(false);
    expect(sim.host(newLeader).up).toBe(true);
    expect(sim.leader()!.host).toBe(newLeader);
    expect(copy.leader()).toBeUndefined(); // two of three managers down: no quorum
    expect(copy.traceHash()).not.toBe(sim.traceHash());
    expect(copy.diff(copy.now - 30_001, copy.now).some((change) => change.kind === "host.crash" && change.host === newLeader)).toBe(true);
    expect(sim.diff(sim.now - 30_001, sim.now).some((change) => change.kind === "host.crash")).toBe(false);
    expect(oldLeader.host).not.toBe(newLeader);

    // A second fork of the original continues exactly as the original does.
    const again = sim.fork();
    expect(again.traceHash()).toBe(sim.traceHash());
    again.runFor(5_000);
    sim.runFor(5_000);
    expect(again.traceHash()).toBe(sim.traceHash());
  });

  it("replays hosts, command lines, Engine API calls, runUntil and faults of a plain simulation", () => {
    const sim = new Simulation({ seed: "time-travel-6", trace: { level: "lifecycle" } });
    sim.addHost("node1");
    sim.addHost("node2", { labels: { zone: "b" } });
    sim.exec("node1", "docker run -d --name web nginx");
    sim.exec("node2", "docker run -d --name cache redis");
    sim.engine("node2").containerStop("cache");
    let seen = false;
    sim.runUntil(() => (seen = sim.now > 2_500), { timeoutMs: 10_000 });
    expect(seen).toBe(true);
    expect(() => sim.faults.crash("nowhere")).toThrow(SimulationError);
    sim.faults.kill("node1", "dockerd");
    sim.faults.partition(["node1"], ["node2"]);
    sim.step();
    expect(sim.exec("node1", "docker ps").exitCode).toBe(1); // dockerd is dead
    const copy = sim.fork();
    expect(copy.traceHash()).toBe(sim.traceHash());
    expect(copy.now).toBe(sim.now);
    expect(copy.historyInfo.inputCount).toBe(sim.historyInfo.inputCount);
    expect(copy.host("node2").labels).toEqual({ zone: "b" });
  });

  it("refuses when an input ran the caller's own code", () => {
    const scheduled = Simulation.swarm({ seed: "time-travel-7", managers: 1 });
    scheduled.schedule(1_000, () => scheduled.faults.crash("manager1"));
    expect(scheduled.historyInfo.forkRefusal).toMatch(/sim.schedule at .* runs your own code/);
    expect(() => scheduled.fork()).toThrow(/fork: not possible: sim.schedule/);

    const spawned = new Simulation({ seed: "time-travel-8", engine: false });
    spawned.addHost("h1");
    spawned.spawn("h1", "mine", { start: () => undefined });
    expect(() => spawned.fork()).toThrow(/sim.spawn at 0 ms runs your own code/);

    const listened = Simulation.swarm({ seed: "time-travel-9", managers: 3 });
    listened.once("raft.commit", () => listened.faults.kill("manager3", "dockerd"));
    listened.exec("manager1", "docker service create --detach --name web nginx");
    expect(() => listened.fork()).toThrow(/sim.faults.kill was called from inside the event loop/);
  });

  it("refuses past the bound historyInputsMax", () => {
    const sim = new Simulation({ seed: "time-travel-10", engine: false, history: { inputsMax: 3 } });
    sim.addHost("h1");
    sim.runFor(1);
    sim.runFor(1);
    expect(sim.fork().now).toBe(2);
    sim.runFor(1);
    expect(sim.historyInfo.inputCount).toBe(3);
    expect(() => sim.fork()).toThrow(/historyInputsMax \(3\)/);
    const off = new Simulation({ seed: "time-travel-10", engine: false, history: { inputsMax: 0 } });
    expect(() => off.fork()).toThrow(/input log is off/);
  });
});
