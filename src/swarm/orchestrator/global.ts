/**
 * The global orchestrator (swarmkit's manager/orchestrator/global/global.go): one task per
 * eligible node. Eligible nodes are those neither drained nor down (nodes whose status is still
 * unknown or disconnected count). On a node that fails the service's constraints the tasks are
 * shut down; on a paused node existing tasks are kept and none is added or updated; tasks on
 * drained, down or removed nodes are shut down (deleted when the node is removed). Also the
 * constraint enforcer (manager/orchestrator/constraintenforcer), which rejects the tasks of an
 * active node that no longer meets their constraints or reservations.
 */
import { taskStates, type Service, type SwarmNode, type Task } from "../types.js";
import type { ChangeBatch } from "./batch.js";
import { nodeMatchesExpressions } from "./constraints.js";
import { setDesiredState, type Supervisors } from "./replicated.js";
import { isGlobal, isTaskDirty, newTask, type OrchestratorContext, type Slot } from "./task.js";

/** Whether the global orchestrator runs tasks on `node`: neither drained nor down. */
export function isEligibleNode(node: SwarmNode): boolean {
  return node.spec.availability !== "drain" && node.status.state !== "down";
}

function meetsConstraints(service: Service, node: SwarmNode): boolean {
  return nodeMatchesExpressions(service.spec.task.placement.constraints, node);
}

/** Reconciles a global service over every node (swarmkit's `reconcileServices`). */
export function reconcileGlobal(batch: ChangeBatch, service: Service, supervisors: Supervisors, context: OrchestratorContext): void {
  if (!isGlobal(service)) return;
  const byNode = new Map<string, Task[]>();
  for (const task of batch.tasksOfService(service.id)) {
    const tasks = byNode.get(task.nodeId);
    if (tasks === undefined) byNode.set(task.nodeId, [task]);
    else tasks.push(task);
  }
  // Keep the runnable tasks, and stopped ones not to restart (a rolling update may still reach them).
  const updatableByNode = new Map<string, Slot>();
  for (const [nodeId, tasks] of byNode) {
    const updatable = supervisors.restarts.updatableTasksInSlot(tasks, service);
    if (updatable.length > 0) updatableByNode.set(nodeId, updatable);
  }
  const updateSlots: Slot[] = [];
  for (const node of batch.nodeList()) {
    if (!isEligibleNode(node)) continue;
    const tasks = updatableByNode.get(node.id) ?? [];
    updatableByNode.delete(node.id);
    if (!meetsConstraints(service, node)) {
      setDesiredState(batch, tasks, "shutdown");
      continue;
    }
    if (node.spec.availability === "pause") continue; // no task added or updated on a paused node
    if (tasks.length === 0) batch.create("tasks", newTask(context, service, 0, node.id));
    else updateSlots.push(tasks);
  }
  // Tasks left are on drained, down or removed nodes.
  for (const nodeId of [...updatableByNode.keys()].sort()) setDesiredState(batch, updatableByNode.get(nodeId)!, "shutdown");
  if (updateSlots.length > 0) supervisors.updates.update(batch, service, updateSlots, context);
}

/** Reconciles every global service on one node after the node changed (swarmkit's `reconcileOneNode`). */
export function reconcileGlobalNode(batch: ChangeBatch, node: SwarmNode, supervisors: Supervisors, context: OrchestratorContext): void {
  if (!isEligibleNode(node)) {
    setDesiredState(batch, globalTasksOnNode(batch, node.id), "shutdown");
    return;
  }
  if (node.spec.availability === "pause") return;
  const onNode = batch.tasksOfNode(node.id);
  for (const service of batch.serviceList()) {
    if (!isGlobal(service)) continue;
    const tasks = supervisors.restarts.updatableTasksInSlot(
      onNode.filter((task) => task.serviceId === service.id),
      service,
    );
    // A node that fails the constraints is left to the constraint enforcer here.
    if (!meetsConstraints(service, node)) continue;
    // Not a rolling update: an outdated task (say the node was paused during an update) is replaced at once.
    const dirty = tasks.filter((task) => isTaskDirty(service, task, node));
    const clean = tasks.filter((task) => !isTaskDirty(service, task, node));
    if (clean.length === 0) batch.create("tasks", newTask(context, service, 0, node.id));
    setDesiredState(batch, [...dirty, ...clean.slice(1)], "shutdown");
  }
}

/** The tasks of global services on node `nodeId`. */
export function globalTasksOnNode(batch: ChangeBatch, nodeId: string): Task[] {
  return batch.tasksOfNode(nodeId).filter((task) => isGlobal(batch.service(task.serviceId)));
}

/** Whether the global orchestrator restarts `task` (swarmkit's `handleTaskChange`): wanted running, and stopped. */
export function needsGlobalRestart(batch: ChangeBatch, task: Task): boolean {
  return taskStates[task.desiredState] <= taskStates.running && taskStates[task.status.state] > taskStates.running && isGlobal(batch.service(task.serviceId));
}

/**
 * Restarts global task `taskId` if it still needs it (swarmkit's global `tickTasks`): only on an
 * eligible node; on a paused node or one failing the constraints the task is shut down instead.
 */
export function restartGlobalTask(batch: ChangeBatch, taskId: string, supervisors: Supervisors, context: OrchestratorContext): void {
  const task = batch.task(taskId);
  if (task === undefined || taskStates[task.desiredState] > taskStates.running) return;
  const service = batch.service(task.serviceId);
  const node = batch.node(task.nodeId);
  if (!isGlobal(service) || node === undefined || !isEligibleNode(node)) return;
  if (node.spec.availability === "pause" || !meetsConstraints(service, node)) {
    setDesiredState(batch, [task], "shutdown");
    return;
  }
  supervisors.restarts.restart(batch, service, task, context);
}

/**
 * The constraint enforcer for one node (swarmkit's `rejectNoncompliantTasks`): on an active node,
 * the tasks wanted between ASSIGNED and COMPLETE and not yet complete that fail their service's
 * constraints, or whose reservations no longer fit the node (counted in task id order), are
 * marked REJECTED, so that the orchestrators replace them.
 */
export function enforceConstraints(batch: ChangeBatch, node: SwarmNode, nowMs: number): void {
  if (node.spec.availability !== "active") return;
  let memoryBytes = node.description.resources.memoryBytes;
  let nanoCpus = node.description.resources.nanoCpus;
  for (const task of batch.tasksOfNode(node.id)) {
    if (taskStates[task.desiredState] < taskStates.assigned || taskStates[task.desiredState] > taskStates.complete) continue;
    if (taskStates[task.status.state] >= taskStates.complete) continue;
    const placement = batch.service(task.serviceId)?.spec.task.placement ?? task.spec.placement;
    let reject = placement.constraints.length > 0 && !nodeMatchesExpressions(placement.constraints, node);
    if (!reject) {
      const reservations = task.spec.resources.reservations;
      if (reservations.memoryBytes > memoryBytes || reservations.nanoCpus > nanoCpus) reject = true;
      else {
        memoryBytes -= reservations.memoryBytes;
        nanoCpus -= reservations.nanoCpus;
      }
    }
    if (!reject) continue;
    batch.update("tasks", {
      ...task,
      status: { ...task.status, state: "rejected", message: "task rejected by constraint enforcer", error: "assigned node no longer meets constraints", timestamp: nowMs },
    });
  }
}
