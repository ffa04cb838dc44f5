// The leader's merge of task status reports, as swarmkit's dispatcher does it
// (manager/dispatcher/dispatcher.go `UpdateTaskStatus`, `processUpdates`): a report is committed
// unless it moves the state backwards or is identical to the stored status, so a report in the same
// state with a new exit code (the running task whose Wait the agent cancelled for a shutdown) is
// committed, while a re-report differing only by its timestamp is not.
import { describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";
import { statusMovesOn } from "../../src/swarm/manager/manager.js";
import type { TaskStatus } from "../../src/swarm/types.js";

const running: TaskStatus = { timestamp: 1_000, state: "running", message: "started", error: "", containerId: "c1", pid: 0, exitCode: null };

describe("statusMovesOn (the leader's filter of task status reports)", () => {
  it("keeps a later state and drops an earlier one", () => {
    expect(statusMovesOn({ ...running, timestamp: 2_000, state: "shutdown", message: "shutdown" }, running)).toBe(true);
    expect(statusMovesOn({ ...running, timestamp: 2_000, state: "starting", message: "starting" }, running)).toBe(false);
  });
  it("keeps a report in the same state that says something new", () => {
    expect(statusMovesOn({ ...running, timestamp: 2_000, exitCode: -1 }, running)).toBe(true);
    expect(statusMovesOn({ ...running, timestamp: 2_000, message: "restarted" }, running)).toBe(true);
    expect(statusMovesOn({ ...running, timestamp: 2_000, error: "oops" }, running)).toBe(true);
    expect(statusMovesOn({ ...running, timestamp: 2_000, containerId: "c2" }, running)).toBe(true);
  });
  it("drops an identical report, and one that differs only by a newer timestamp", () => {
    expect(statusMovesOn(running, running)).toBe(false);
    expect(statusMovesOn({ ...running }, running)).toBe(false);
    expect(statusMovesOn({ ...running, timestamp: 9_000 }, running)).toBe(false);
  });
});

function swarmWithGlobalService(seed: string): Simulation {
  const sim = Simulation.swarm({ seed, managers: 1, workers: 2 });
  expect(sim.exec("manager1", "docker service create --mode global --name cache redis:3.0.6").exitCode).toBe(0);
  sim.runFor(5_000);
  return sim;
}

function taskOn(sim: Simulation, hostname: string): TaskStatus & { readonly desiredState: string; readonly version: number } {
  const state = sim.clusterState()!;
  const nodeId = Object.values(state.nodes).find((node) => node.description.hostname === hostname)!.id;
  const tasks = Object.values(state.tasks).filter((task) => task.nodeId === nodeId);
  expect(tasks).toHaveLength(1);
  const task = tasks[0]!;
  return { ...task.status, desiredState: task.desiredState, version: task.version };
}

describe("same-state task reports in a running swarm", () => {
  it("right after a drain, service ps shows the drained task refreshed: Shutdown, Running less than a second ago (as recorded)", () => {
    const sim = swarmWithGlobalService("status-reports-drain");
    const before = taskOn(sim, "worker2");
    expect(before.state).toBe("running");
    const drainedAt = sim.now;
    expect(sim.exec("manager1", "docker node update --availability drain worker2").exitCode).toBe(0);
    // The recording's `docker service ps cache` came 229 ms after the drain began.
    sim.runFor(229 - (sim.now - drainedAt));
    const after = taskOn(sim, "worker2");
    expect(after).toMatchObject({ state: "running", desiredState: "shutdown", exitCode: -1, containerId: before.containerId });
    expect(after.timestamp).toBeGreaterThan(drainedAt);
    const ps = sim.exec("manager1", "docker service ps cache --format '{{.Node}} {{.DesiredState}} {{.CurrentState}}'").stdout.trim().split("\n");
    expect(ps.filter((line) => line.startsWith("worker2 "))).toEqual(["worker2 Shutdown Running less than a second ago"]);
    expect(ps.filter((line) => !line.startsWith("worker2 ")).every((line) => / Running Running [0-9]+ seconds ago$/.test(line))).toBe(true);
    // Then it shuts down, as before.
    sim.runFor(3_000);
    expect(taskOn(sim, "worker2").state).toBe("shutdown");
  });

  it("an agent restarted while its container runs re-reports it without a commit", () => {
    const sim = swarmWithGlobalService("status-reports-agent-restart");
    const before = taskOn(sim, "worker1");
    expect(before.state).toBe("running");
    sim.faults.restart("worker1", "swarm-agent");
    sim.runFor(10_000);
    const after = taskOn(sim, "worker1");
    // Same status, same timestamp, and the task was not written again.
    expect(after).toEqual(before);
  });
});
