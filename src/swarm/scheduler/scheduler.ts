/**
 * The swarm scheduler (swarmkit's manager/scheduler/scheduler.go) as a pure function: given the
 * cluster state and the virtual time, it decides where every pending task goes. The caller
 * writes the decisions (an assigned task gets state `assigned`, the node id and the message;
 * an unassigned one keeps state `pending` and gets the explanation as its error).
 *
 * What it does, in swarmkit's order:
 *
 * 1. Builds a NodeInfo per node from the tasks in states `assigned` to `running`.
 * 2. Checks pre-assigned tasks (pending with a node id: global services) against their node:
 *    each passes to `assigned` or gets the pipeline's explanation (without the
 *    "no suitable node" wrapper). Tasks whose node is gone get no decision.
 * 3. Groups the other pending tasks by service and service version (same spec) and places each
 *    group with the decision tree of its placement preferences and the node order of
 *    `compareNodes`, filling the best nodes until they are level with the next, then going
 *    round the candidates one task at a time (`scheduleNTasksOnNodes`). Cost per group:
 *    O(nodes × log(tasks) + tasks).
 * 4. Tasks left over get `no suitable node (<explanation>)`, or `no suitable node` when no node
 *    was even considered. Tasks whose service is gone get no decision (swarmkit drops them).
 *
 * Only pending tasks whose desired state is at most `complete` are scheduled. Recent failures
 * are the failed or rejected tasks of the same service version on a node, stamped within
 * `monitorFailuresMs` of `nowMs`.
 *
 * Determinism: swarmkit iterates Go maps; here nodes are visited in node-id order, pre-assigned
 * tasks in task-id order, groups in (service id, service version) order, tasks within a group
 * in (slot, task id) order, and branches of the decision tree in value order. Strings compare
 * by UTF-16 code units. Object key order of the state never decides an outcome.
 */
import { boundExceeded } from "../../sim/errors.js";
import { storedValues } from "../store/listing.js";
import type { ClusterState, PortConfig, Service, Task } from "../types.js";
import { taskStates } from "../types.js";
import { buildDecisionTree, orderedNodes, type DecisionTree } from "./decision-tree.js";
import { defaultFilters, Pipeline } from "./filters.js";
import type { SchedulerBugs } from "./bugs.js";
import { compareNodes, isRecentFailure, NodeInfo, nodeLess, servicePorts, taskFootprint, type TaskFootprint } from "./node-info.js";

/** The status message of a task the scheduler placed (swarmkit's wording). */
export const assignedMessage = "scheduler assigned task to node";
/** The status message of a pre-assigned task confirmed on its node (swarmkit's wording). */
export const preassignedMessage = "scheduler confirmed task can run on preassigned node";
/** The error of a task no node could take, before the explanation in parentheses. */
export const noSuitableNode = "no suitable node";

/** Inputs besides the state. */
export interface ScheduleOptions {
  /** The virtual time, in ms: recent failures are counted back from it. */
  readonly nowMs: number;
  /** Deliberate bugs of the filters, for mutation tests only (default none). */
  readonly bugs?: SchedulerBugs;
}

/** A task placed on a node. */
export interface TaskAssignment {
  readonly taskId: string;
  readonly nodeId: string;
  /** The status message to write: {@link assignedMessage} or {@link preassignedMessage}. */
  readonly message: string;
}

/** A task left pending, with the error to write. */
export interface UnassignedTask {
  readonly taskId: string;
  /** e.g. `no suitable node (scheduling constraints not satisfied on 3 nodes; insufficient resources on 1 node)`. */
  readonly explanation: string;
}

/** The decisions of one scheduling pass, in the order they were made. */
export interface SchedulingDecisions {
  readonly assignments: readonly TaskAssignment[];
  readonly unassigned: readonly UnassignedTask[];
}

/** Code-unit string order. */
function compareStrings(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Pending tasks sharing a service and a service version. */
interface TaskGroup {
  readonly serviceId: string;
  readonly serviceVersion: number;
  readonly tasks: Task[];
}

/** The state of one group while it is being placed. */
interface GroupRun {
  /** The group's tasks in placement order; `tasks[next..]` are not placed yet. */
  readonly tasks: readonly Task[];
  next: number;
  readonly footprint: TaskFootprint;
  readonly pipeline: Pipeline;
  readonly meetsConstraints: (node: NodeInfo) => boolean;
  readonly assignments: TaskAssignment[];
}

/**
 * Indexes 0..size-1 with removal, answering "first index at or after i not removed" in
 * near-constant time (a union-find with path halving). `size` means none.
 */
class RemainingIndexes {
  private readonly nextIndex: Int32Array;

  constructor(size: number) {
    this.nextIndex = new Int32Array(size + 1);
    for (let index = 0; index <= size; index++) this.nextIndex[index] = index;
  }

  /** The first index at or after `start` not removed (the size when none). */
  find(start: number): number {
    const nextIndex = this.nextIndex;
    let index = start;
    // Bounded by the size: each step moves forward.
    while (nextIndex[index] !== index) {
      const skip = nextIndex[nextIndex[index]!]!;
      nextIndex[index] = skip;
      index = skip;
    }
    return index;
  }

  /** Removes `index`. */
  remove(index: number): void {
    this.nextIndex[index] = index + 1;
  }
}

/**
 * Places up to `wanted` tasks on `nodes` (sorted best first), swarmkit's `scheduleNTasksOnNodes`:
 * fill the first node until the next one is preferable, and once every node has had its turn,
 * go round them one task at a time, skipping (for the rest of this call) nodes the filters
 * reject. Returns how many were placed.
 */
function scheduleOnNodes(run: GroupRun, wanted: number, nodes: readonly NodeInfo[]): number {
  const nodeCount = nodes.length;
  const remaining = new RemainingIndexes(nodeCount);
  let rejectedCount = 0;
  let scheduled = 0;
  let nodePosition = 0;
  while (run.next < run.tasks.length) {
    const task = run.tasks[run.next]!;
    const node = nodes[nodePosition % nodeCount]!;
    run.assignments.push({ taskId: task.id, nodeId: node.id, message: assignedMessage });
    node.addTask(run.footprint);
    run.next++;
    scheduled++;
    if (scheduled === wanted) return scheduled;

    if (nodePosition + 1 < nodeCount) {
      // First pass: stay on this node until the next one is strictly preferable.
      if (nodeLess(nodes[(nodePosition + 1) % nodeCount]!, node)) nodePosition++;
    } else {
      nodePosition++;
    }

    // Bounded by nodeCount: each rejection removes a node for good.
    for (;;) {
      const position = nodePosition % nodeCount;
      let candidate = remaining.find(position);
      if (candidate === nodeCount) candidate = remaining.find(0);
      nodePosition += candidate >= position ? candidate - position : nodeCount - position + candidate;
      if (run.pipeline.process(nodes[candidate]!)) break;
      remaining.remove(candidate);
      rejectedCount++;
      if (rejectedCount === nodeCount) return scheduled;
      nodePosition++;
    }
  }
  return scheduled;
}

/**
 * Places up to `wanted` tasks on a (sub)tree, swarmkit's `scheduleNTasksOnSubtree`: split the
 * tasks so that branches end up level (counting the service's tasks already there), giving up
 * on branches that run out of room, until all are placed or no branch can take more.
 */
function scheduleOnSubtree(run: GroupRun, wanted: number, tree: DecisionTree): number {
  const branches = tree.branches;
  if (branches === null) {
    const nodes = orderedNodes(tree, run.meetsConstraints, compareNodes);
    if (nodes.length === 0) return 0;
    return scheduleOnNodes(run, wanted, nodes);
  }

  let scheduled = 0;
  let tasksInUsableBranches = tree.tasks;
  const noRoom = new Set<DecisionTree>();
  // Every converging pass places a task or rules out a branch, so this bounds the passes.
  const subtreePassesMax = run.tasks.length + branches.length + 1;
  let converging = true;
  for (let pass = 0; scheduled !== wanted && noRoom.size !== branches.length && converging; pass++) {
    if (pass >= subtreePassesMax) boundExceeded("subtreePassesMax", subtreePassesMax, "decision tree passes for one task group");
    const usableBranches = branches.length - noRoom.size;
    const toSpread = tasksInUsableBranches + wanted - scheduled;
    const desiredTasksPerBranch = Math.trunc(toSpread / usableBranches);
    let remainder = toSpread % usableBranches;
    converging = false;
    for (const subtree of branches) {
      if (noRoom.has(subtree)) continue;
      const subtreeTasks = subtree.tasks;
      if (subtreeTasks < desiredTasksPerBranch || (subtreeTasks === desiredTasksPerBranch && remainder > 0)) {
        converging = true;
        let tasksToAssign = desiredTasksPerBranch - subtreeTasks;
        if (remainder > 0) tasksToAssign++;
        const placed = scheduleOnSubtree(run, tasksToAssign, subtree);
        if (placed < tasksToAssign) {
          noRoom.add(subtree);
          tasksInUsableBranches -= subtreeTasks;
        } else if (remainder > 0) {
          remainder--;
        }
        scheduled += placed;
      }
    }
  }
  return scheduled;
}

/** Pending tasks in (slot, id) order. */
function compareTasks(left: Task, right: Task): number {
  return left.slot - right.slot || compareStrings(left.id, right.id);
}

/** Decides where every pending task goes. Pure: `state` is only read. */
export function scheduleTasks(state: ClusterState, options: ScheduleOptions): SchedulingDecisions {
  const assignments: TaskAssignment[] = [];
  const unassigned: UnassignedTask[] = [];
  // Listed once: the tasks object of a large store is a dictionary to V8, whose every listing
  // sorts its entries back into insertion order (two listings with `Object.values` took 98% of a 100k-task pass).
  const allTasks = storedValues(state.tasks);
  // Most passes (after status reports) find nothing to place: skip building the nodes' load.
  if (!allTasks.some(awaitsScheduling)) return { assignments, unassigned };

  const nodes: NodeInfo[] = [];
  const nodeById = new Map<string, NodeInfo>();
  // The default sort orders strings by UTF-16 code units, as compareStrings does.
  for (const nodeId of Object.keys(state.nodes).sort()) {
    const nodeInfo = new NodeInfo(state.nodes[nodeId]!);
    nodes.push(nodeInfo);
    nodeById.set(nodeId, nodeInfo);
  }

  const portsByService = new Map<string, readonly PortConfig[]>();
  const portsOf = (serviceId: string): readonly PortConfig[] => {
    let ports = portsByService.get(serviceId);
    if (ports === undefined) {
      ports = servicePorts(serviceOf(state, serviceId));
      portsByService.set(serviceId, ports);
    }
    return ports;
  };

  const groups = new Map<string, TaskGroup>();
  const preassigned: Task[] = [];
  /** Recent failures per group key, per node id. */
  const failures = new Map<string, Map<string, number>>();
  for (const task of allTasks) {
    const stateNumber = taskStates[task.status.state];
    if (stateNumber >= taskStates.assigned && stateNumber <= taskStates.running) {
      if (task.nodeId !== "") nodeById.get(task.nodeId)?.addTask(taskFootprint(task, portsOf(task.serviceId)));
    } else if (awaitsScheduling(task)) {
      if (task.nodeId !== "") {
        preassigned.push(task);
        continue;
      }
      const key = groupKey(task.serviceId, task.serviceVersion);
      let group = groups.get(key);
      if (group === undefined) {
        group = { serviceId: task.serviceId, serviceVersion: task.serviceVersion, tasks: [] };
        groups.set(key, group);
      }
      group.tasks.push(task);
    } else if ((task.status.state === "failed" || task.status.state === "rejected") && task.nodeId !== "" && isRecentFailure(task.status.timestamp, options.nowMs)) {
      const key = groupKey(task.serviceId, task.serviceVersion);
      let byNode = failures.get(key);
      if (byNode === undefined) {
        byNode = new Map();
        failures.set(key, byNode);
      }
      byNode.set(task.nodeId, (byNode.get(task.nodeId) ?? 0) + 1);
    }
  }

  const pipeline = new Pipeline(defaultFilters(options.bugs));

  preassigned.sort((left, right) => compareStrings(left.id, right.id));
  for (const task of preassigned) {
    const node = nodeById.get(task.nodeId);
    if (node === undefined) continue;
    const ports = portsOf(task.serviceId);
    pipeline.setTask({ task, ports });
    if (pipeline.process(node)) {
      node.addTask(taskFootprint(task, ports));
      assignments.push({ taskId: task.id, nodeId: node.id, message: preassignedMessage });
    } else {
      unassigned.push({ taskId: task.id, explanation: pipeline.explain() });
    }
  }

  const orderedGroups = [...groups.values()].sort((left, right) => compareStrings(left.serviceId, right.serviceId) || left.serviceVersion - right.serviceVersion);
  const meetsConstraints = (node: NodeInfo): boolean => pipeline.process(node);
  for (const group of orderedGroups) {
    const tasks = group.tasks.sort(compareTasks);
    const first = tasks[0]!;
    const ports = portsOf(group.serviceId);
    pipeline.setTask({ task: first, ports });
    const failuresByNode = failures.get(groupKey(group.serviceId, group.serviceVersion));
    for (const node of nodes) node.startGroup(group.serviceId, failuresByNode?.get(node.id) ?? 0);

    const descriptors = first.spec.placement.preferences.map((preference) => preference.spreadDescriptor);
    const tree = buildDecisionTree(nodes, descriptors, tasks.length, meetsConstraints, compareNodes);
    const run: GroupRun = { tasks, next: 0, footprint: taskFootprint(first, ports), pipeline, meetsConstraints, assignments };
    scheduleOnSubtree(run, tasks.length, tree);

    if (run.next < tasks.length && serviceOf(state, group.serviceId) !== undefined) {
      const explanation = pipeline.explain();
      const error = explanation === "" ? noSuitableNode : `${noSuitableNode} (${explanation})`;
      for (let index = run.next; index < tasks.length; index++) unassigned.push({ taskId: tasks[index]!.id, explanation: error });
    }
  }

  return { assignments, unassigned };
}

/** Whether a task waits for the scheduler: pending and still wanted (the only tasks a pass decides about). */
function awaitsScheduling(task: Task): boolean {
  return task.status.state === "pending" && taskStates[task.desiredState] <= taskStates.complete;
}

/** A service by id (own properties only). */
function serviceOf(state: ClusterState, serviceId: string): Service | undefined {
  return Object.prototype.hasOwnProperty.call(state.services, serviceId) ? state.services[serviceId] : undefined;
}

/** The key of a (service, version) group. */
function groupKey(serviceId: string, serviceVersion: number): string {
  return `${serviceId}\u0000${serviceVersion}`;
}
