/**
 * Two placement invariants over every manager's store: `constraints-respected` (the scheduler
 * assigns a task only to a node meeting its placement constraints) and `reservations-fit` (the
 * CPU and memory reserved by the tasks a node holds never exceed the node's resources).
 */
import type { SimulationEvent } from "../../sim/events.js";
import { ConstraintError, nodeMatchesConstraints, parseConstraints, type Constraint } from "../../swarm/scheduler/constraint.js";
import { taskStates, type ClusterState, type Task } from "../../swarm/types.js";
import { nodeHost, StoreFollower, type TaskChange } from "./store-diff.js";
import { ViolationReporter, type Invariant, type InvariantContext, type InvariantOptions } from "./types.js";

/** The name of the constraints invariant. */
export const constraintsRespectedName = "constraints-respected";
/** The name of the reservations invariant. */
export const reservationsFitName = "reservations-fit";

function constraintsOf(task: Task): Constraint[] | null {
  try {
    return parseConstraints(task.spec.placement.constraints);
  } catch (error) {
    if (error instanceof ConstraintError) return null;
    throw error;
  }
}

/** The constraints of `task` its node breaks, or an empty list. */
function brokenConstraints(state: ClusterState, task: Task): string[] {
  const node = state.nodes[task.nodeId];
  const constraints = constraintsOf(task);
  if (node === undefined || constraints === null) return [];
  return constraints.filter((constraint) => !nodeMatchesConstraints([constraint], node)).map((constraint) => `${constraint.key}${constraint.operator}${constraint.expression}`);
}

/**
 * `constraints-respected`: when a task is assigned to a node (its node goes from none to one in
 * a manager's store), the node, as that store knows it at that entry, meets every placement
 * constraint of the task (`node.labels.zone==a`, `node.role!=manager`, ...). Checked on every
 * `raft.commit`; `check()` also checks the tasks of the current store that are desired running,
 * on nodes not changed since the task was created. Limits: a node relabelled after the
 * assignment is the constraint enforcer's business and not reported; platforms and
 * `maxReplicas` are not checked.
 */
export function constraintsRespected(options: InvariantOptions = {}): Invariant {
  const reporter = new ViolationReporter(constraintsRespectedName, options);
  const follower = new StoreFollower();
  const reportBroken = (context: InvariantContext, state: ClusterState, task: Task, member: string, events: readonly SimulationEvent[]) => {
    const broken = brokenConstraints(state, task);
    if (broken.length === 0) return;
    const host = nodeHost(state, task.nodeId);
    reporter.report(context, task.id, {
      hosts: [member, host].filter((name) => name !== ""),
      events,
      message: `task ${task.id} (${task.name}) was assigned to node ${host}, which breaks its constraint${broken.length > 1 ? "s" : ""} ${broken.join(", ")}`,
    });
  };
  return {
    name: constraintsRespectedName,
    description: "a task is only assigned to a node meeting its placement constraints",
    eventTypes: ["raft.commit"],
    observe(event: SimulationEvent, context: InvariantContext) {
      follower.follow(event, context, (change: TaskChange) => {
        const newlyAssigned = change.after.nodeId !== "" && (change.before === undefined || change.before.nodeId === "");
        if (newlyAssigned) reportBroken(context, change.state, change.after, change.member, [change.event]);
      });
    },
    check(context: InvariantContext) {
      const state = context.clusterState();
      if (state === undefined) return;
      for (const task of Object.values(state.tasks)) {
        if (task.nodeId === "" || task.desiredState !== "running" || taskStates[task.status.state] > taskStates.running) continue;
        const node = state.nodes[task.nodeId];
        if (node !== undefined && node.updatedAt <= task.createdAt) reportBroken(context, state, task, "", []);
      }
    },
  };
}

/** Whether a task holds its reservations on its node: the scheduler's rule (observed state assigned to running). */
export function holdsReservations(task: Task): boolean {
  const state = taskStates[task.status.state];
  return task.nodeId !== "" && state >= taskStates.assigned && state <= taskStates.running;
}

/** Over-committed nodes among `nodeIds`: each with its reserved and available CPU and memory. */
function overCommitted(state: ClusterState, nodeIds: ReadonlySet<string>): { nodeId: string; text: string }[] {
  const reserved = new Map<string, { nanoCpus: number; memoryBytes: number; tasks: number }>();
  for (const task of Object.values(state.tasks)) {
    if (!nodeIds.has(task.nodeId) || !holdsReservations(task)) continue;
    const sum = reserved.get(task.nodeId) ?? { nanoCpus: 0, memoryBytes: 0, tasks: 0 };
    sum.nanoCpus += task.spec.resources.reservations.nanoCpus;
    sum.memoryBytes += task.spec.resources.reservations.memoryBytes;
    sum.tasks++;
    reserved.set(task.nodeId, sum);
  }
  const found: { nodeId: string; text: string }[] = [];
  for (const [nodeId, sum] of reserved) {
    const node = state.nodes[nodeId];
    if (node === undefined) continue;
    const resources = node.description.resources;
    if (sum.nanoCpus > resources.nanoCpus || sum.memoryBytes > resources.memoryBytes) {
      found.push({
        nodeId,
        text: `${sum.tasks} tasks reserve ${sum.nanoCpus / 1e9} CPUs and ${sum.memoryBytes} bytes on node ${nodeHost(state, nodeId)}, which has ${resources.nanoCpus / 1e9} CPUs and ${resources.memoryBytes} bytes`,
      });
    }
  }
  return found;
}

/**
 * `reservations-fit`: on every node, the CPU and memory reservations of the tasks it holds
 * (observed state from assigned to running, the scheduler's own accounting) add up to no more
 * than the node's resources. Checked on every `raft.commit` for the nodes whose tasks changed,
 * and over every node at `check()`. Limits: limits (as opposed to reservations) and host ports
 * are not checked; each node is reported once.
 */
export function reservationsFit(options: InvariantOptions = {}): Invariant {
  const reporter = new ViolationReporter(reservationsFitName, options);
  const follower = new StoreFollower();
  const reportAll = (context: InvariantContext, state: ClusterState, nodeIds: ReadonlySet<string>, member: string, events: readonly SimulationEvent[]) => {
    for (const found of overCommitted(state, nodeIds)) {
      reporter.report(context, found.nodeId, { hosts: [member, nodeHost(state, found.nodeId)].filter((name) => name !== ""), events, message: found.text });
    }
  };
  return {
    name: reservationsFitName,
    description: "the reservations of the tasks on a node fit the node's resources",
    eventTypes: ["raft.commit"],
    observe(event: SimulationEvent, context: InvariantContext) {
      const touched = new Set<string>();
      const state = follower.follow(event, context, (change) => {
        if (holdsReservations(change.after)) touched.add(change.after.nodeId);
      });
      if (state !== undefined && touched.size > 0) reportAll(context, state, touched, event.type === "raft.commit" ? event.host : "", [event]);
    },
    check(context: InvariantContext) {
      const state = context.clusterState();
      if (state !== undefined) reportAll(context, state, new Set(Object.keys(state.nodes)), "", []);
    },
  };
}
