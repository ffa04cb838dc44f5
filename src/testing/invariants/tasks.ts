/**
 * Two invariants over the tasks of every manager's store, checked on each applied entry:
 * `task-immutability` (a task, once assigned to a node, never changes node, service, slot or
 * spec: a restart or a reschedule is a new task) and `task-states-forward` (a task's observed
 * state and its desired state only move forward in swarmkit's order).
 */
import type { SimulationEvent } from "../../sim/events.js";
import { taskStates, type Task } from "../../swarm/types.js";
import { nodeHost, StoreFollower, type TaskChange } from "./store-diff.js";
import { ViolationReporter, type Invariant, type InvariantContext, type InvariantOptions } from "./types.js";

/** The name of the immutability invariant. */
export const taskImmutabilityName = "task-immutability";
/** The name of the forward-only states invariant. */
export const taskStatesForwardName = "task-states-forward";

/** The task fields fixed once a task is assigned, besides its node. */
const fixedFields = ["serviceId", "slot", "serviceVersion"] as const satisfies readonly (keyof Task)[];

function sameSpec(before: Task, after: Task): boolean {
  return before.spec === after.spec || JSON.stringify(before.spec) === JSON.stringify(after.spec);
}

/** What changed in an assigned task that must not: a list of readable differences. */
function forbiddenChanges(before: Task, after: Task): string[] {
  const differences: string[] = [];
  if (after.nodeId !== before.nodeId) differences.push(`node ${before.nodeId} -> ${after.nodeId === "" ? "(none)" : after.nodeId}`);
  for (const field of fixedFields) {
    if (before[field] !== after[field]) differences.push(`${field} ${String(before[field])} -> ${String(after[field])}`);
  }
  if (!sameSpec(before, after)) differences.push("spec changed");
  return differences;
}

/**
 * `task-immutability`: once a task has a node (the scheduler assigned it), its node, service,
 * slot, service version and spec never change, in any manager's store. Checked on every
 * `raft.commit` by comparing each changed task with its previous version in the same member's
 * store. Limits: a member restored from a snapshot is compared across the jump (fine for this
 * property); a change made and undone between two applied entries of one member cannot be seen.
 */
export function taskImmutability(options: InvariantOptions = {}): Invariant {
  const reporter = new ViolationReporter(taskImmutabilityName, options);
  const follower = new StoreFollower();
  const onTask = (context: InvariantContext) => (change: TaskChange) => {
    const { before, after } = change;
    if (before === undefined || before.nodeId === "") return;
    const differences = forbiddenChanges(before, after);
    if (differences.length === 0) return;
    const hosts = [change.member, nodeHost(change.state, before.nodeId)];
    if (after.nodeId !== "") hosts.push(nodeHost(change.state, after.nodeId));
    reporter.report(context, `${after.id}/${differences.join(",")}`, {
      hosts,
      events: [change.event],
      message: `task ${after.id} (${after.name}) changed after its assignment in ${change.member}'s store: ${differences.join("; ")}`,
    });
  };
  return {
    name: taskImmutabilityName,
    description: "an assigned task never changes node, service, slot, service version or spec",
    eventTypes: ["raft.commit"],
    observe(event: SimulationEvent, context: InvariantContext) {
      follower.follow(event, context, onTask(context));
    },
  };
}

/**
 * `task-states-forward`: a task's `status.state` and its `desiredState` never move backwards in
 * swarmkit's order (new < pending < assigned < ... < running < complete < shutdown < failed <
 * rejected < remove < orphaned), in any manager's store. Checked on every `raft.commit`, like
 * `task-immutability`, with the same limits.
 */
export function taskStatesForward(options: InvariantOptions = {}): Invariant {
  const reporter = new ViolationReporter(taskStatesForwardName, options);
  const follower = new StoreFollower();
  const onTask = (context: InvariantContext) => (change: TaskChange) => {
    const { before, after } = change;
    if (before === undefined) return;
    const backwards: string[] = [];
    if (taskStates[after.status.state] < taskStates[before.status.state]) backwards.push(`state ${before.status.state} -> ${after.status.state}`);
    if (taskStates[after.desiredState] < taskStates[before.desiredState]) backwards.push(`desired state ${before.desiredState} -> ${after.desiredState}`);
    if (backwards.length === 0) return;
    const hosts = [change.member];
    if (after.nodeId !== "") hosts.push(nodeHost(change.state, after.nodeId));
    reporter.report(context, `${after.id}/${backwards.join(",")}`, {
      hosts,
      events: [change.event],
      message: `task ${after.id} (${after.name}) moved backwards in ${change.member}'s store: ${backwards.join("; ")}`,
    });
  };
  return {
    name: taskStatesForwardName,
    description: "a task's observed and desired states only move forward",
    eventTypes: ["raft.commit"],
    observe(event: SimulationEvent, context: InvariantContext) {
      follower.follow(event, context, onTask(context));
    },
  };
}
