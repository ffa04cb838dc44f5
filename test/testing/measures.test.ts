// Tests of the built-in measures on tiny scenarios: election time (from marks and from the
// trace), write unavailability and lost writes on a Raft-only group, and convergence and
// rescheduled tasks on a small swarm.
import { describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";
import {
  convergenceTimeAfter,
  faultMark,
  lostAcknowledgedWrites,
  markFault,
  probeWrites,
  tasksRescheduled,
  timeToElectLeaderAfter,
  writeProbes,
  writeUnavailabilityMs,
} from "../../src/testing/measures.js";

const raft = { electionTimeoutMs: [150, 300] as [number, number], heartbeatIntervalMs: 50 };

function raftGroup(seed: string, level: "all" | "off" = "off"): Simulation {
  return Simulation.swarm({ seed, managers: 3, engine: false, trace: { level }, raft });
}

describe("markFault and timeToElectLeaderAfter", () => {
  it("measures the time to a new leader from a mark, and from a time with a full trace", () => {
    const marked = raftGroup("measures/election", "all");
    const oldLeader = marked.leader()!;
    const crashedAt = markFault(marked, "crash");
    expect(faultMark(marked, "crash")).toEqual({ label: "crash", timeMs: crashedAt, leaderTerm: oldLeader.term });
    marked.faults.crash(oldLeader.host);
    marked.runFor(5_000);
    const electionMs = timeToElectLeaderAfter(marked, "crash");
    expect(electionMs).toBeGreaterThanOrEqual(150);
    expect(electionMs).toBeLessThan(2_000);
    expect(marked.leader()!.term).toBeGreaterThan(oldLeader.term);

    // The same run without a mark, read from the trace by time.
    const unmarked = raftGroup("measures/election", "all");
    const crashTime = unmarked.now;
    unmarked.faults.crash(unmarked.leader()!.host);
    unmarked.runFor(5_000);
    expect(timeToElectLeaderAfter(unmarked, crashTime)).toBe(electionMs);
  });

  it("gives null when no leader is elected, and refuses a missing mark", () => {
    const sim = raftGroup("measures/no-quorum");
    markFault(sim);
    const survivors = ["manager1", "manager2", "manager3"].filter((host) => host !== sim.leader()!.host);
    sim.faults.crash(sim.leader()!.host);
    sim.faults.crash(survivors[0]!);
    sim.runFor(3_000);
    expect(timeToElectLeaderAfter(sim)).toBeNull();
    expect(() => timeToElectLeaderAfter(sim, "other")).toThrow(/no fault marked "other"/);
    expect(() => timeToElectLeaderAfter(raftGroup("measures/off"), 0)).toThrow(/no elections recorded/);
  });
});

describe("probeWrites, writeUnavailabilityMs and lostAcknowledgedWrites", () => {
  it("sees short gaps without a fault and an election-long gap after a leader crash, losing nothing", () => {
    const healthy = raftGroup("measures/writes-healthy");
    const healthyRecord = probeWrites(healthy, { intervalMs: 10, durationMs: 1_000 });
    expect(healthyRecord.probes.length).toBe(100);
    expect(healthyRecord.endMs - healthyRecord.startMs).toBe(1_000);
    expect(writeUnavailabilityMs(healthy)).toBeLessThan(100);
    expect(lostAcknowledgedWrites(healthy)).toBe(0);

    const faulty = raftGroup("measures/writes-crash");
    probeWrites(faulty, { intervalMs: 10, durationMs: 500 });
    markFault(faulty, "crash");
    faulty.faults.crash(faulty.leader()!.host);
    probeWrites(faulty, { intervalMs: 10, durationMs: 3_000 });
    const electionMs = timeToElectLeaderAfter(faulty, "crash")!;
    expect(electionMs).toBeGreaterThan(0);
    expect(writeUnavailabilityMs(faulty)).toBeGreaterThanOrEqual(electionMs);
    expect(writeProbes(faulty)!.refusedCount).toBeGreaterThan(0);
    faulty.runFor(1_000);
    expect(lostAcknowledgedWrites(faulty)).toBe(0);
  });

  it("refuses to measure without probes, and gives null without a live leader", () => {
    const sim = raftGroup("measures/no-probes");
    expect(() => writeUnavailabilityMs(sim)).toThrow(/probeWrites/);
    probeWrites(sim, { intervalMs: 20, durationMs: 200 });
    for (const host of ["manager1", "manager2", "manager3"]) sim.faults.crash(host);
    expect(lostAcknowledgedWrites(sim)).toBeNull();
    expect(() => probeWrites(sim, { intervalMs: 0, durationMs: 10 })).toThrow(/intervalMs/);
  });
});

describe("convergenceTimeAfter and tasksRescheduled", () => {
  it("measures how long a service takes to run all its replicas again after a worker crash", () => {
    const sim = Simulation.swarm({ seed: "measures/converge", managers: 1, workers: 2, trace: { level: "off" } });
    markFault(sim, "created");
    expect(sim.exec("manager1", "docker service create -d --replicas 4 --name web nginx").exitCode).toBe(0);
    expect(convergenceTimeAfter(sim, "web", "created")).toBeGreaterThan(0);
    expect(tasksRescheduled(sim, "created", "web")).toBe(4);
    const state = sim.clusterState()!;
    const worker1 = Object.values(state.nodes).find((node) => node.description.hostname === "worker1")!;
    const onWorker1 = Object.values(state.tasks).filter((task) => task.nodeId === worker1.id && task.desiredState === "running").length;
    expect(onWorker1).toBeGreaterThan(0);

    markFault(sim, "crash");
    expect(tasksRescheduled(sim, "crash")).toBe(0);
    sim.faults.crash("worker1");
    const convergenceMs = convergenceTimeAfter(sim, "web", "crash");
    expect(convergenceMs).toBeGreaterThan(5_000); // the node must first be found down
    expect(convergenceMs).toBeLessThan(120_000);
    expect(tasksRescheduled(sim, "crash", "web")).toBe(onWorker1);
    expect(tasksRescheduled(sim, "crash", "missing")).toBeNull();
    expect(convergenceTimeAfter(sim, "missing", "crash", { timeoutMs: 1_000 })).toBeNull();
  });
});
