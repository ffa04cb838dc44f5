/**
 * The replicated orchestrator (swarmkit's manager/orchestrator/replicated): slots 1..N. Service
 * reconciliation creates NEW tasks for missing slots, and on scale-down sets the desired state of
 * the extra slots' tasks to REMOVE, preferring tasks on the nodes running the most copies of the
 * service, then tasks not running, then the highest slots. Task-level orchestration restarts the
 * tasks that stopped, and those on a node that is down, drained or gone (in the same slot: the
 * scheduler places the replacement elsewhere).
 */
import { taskStates, type Service, type Task } from "../types.js";
import type { ChangeBatch } from "./batch.js";
import type { RestartSupervisor } from "./restart.js";
import { isInvalidNode, isReplicated, newTask, type OrchestratorContext, type Slot } from "./task.js";
import type { UpdateSupervisor } from "./update.js";

/** The supervisors the orchestrators share. */
export interface Supervisors {
  readonly restarts: RestartSupervisor;
  readonly updates: UpdateSupervisor;
}

/** The slots of a replicated service, split as swarmkit's `updatableAndDeadSlots`. */
export interface ReplicatedSlots {
  /** Slots with a task to keep (desired state RUNNING or before, or a stopped task not to restart), by slot number. */
  readonly running: ReadonlyMap<number, Slot>;
  /** Slots whose tasks are all stopped and would be restarted: counted as missing, their tasks deleted. */
  readonly dead: ReadonlyMap<number, Slot>;
}

/** Splits the tasks of `service` into running and dead slots. */
export function replicatedSlots(batch: ChangeBatch, service: Service, restarts: RestartSupervisor): ReplicatedSlots {
  const bySlot = new Map<number, Task[]>();
  for (const task of batch.tasksOfService(service.id)) {
    const slot = bySlot.get(task.slot);
    if (slot === undefined) bySlot.set(task.slot, [task]);
    else slot.push(task);
  }
  const running = new Map<number, Slot>();
  const dead = new Map<number, Slot>();
  for (const slotNumber of [...bySlot.keys()].sort((left, right) => left - right)) {
    const slot = bySlot.get(slotNumber)!;
    const updatable = restarts.updatableTasksInSlot(slot, service);
    if (updatable.length > 0) running.set(slotNumber, updatable);
    else dead.set(slotNumber, slot);
  }
  return { running, dead };
}

function isSlotRunning(slot: Slot): boolean {
  return slot.some((task) => task.status.state === "running");
}

/**
 * The order in which slots are kept on scale-down (swarmkit's `slotsByRunningState` then
 * `slotsByIndex`): each slot is numbered as the nth copy of the service on its node (counting
 * running slots first, then by slot number), and lower numbers are kept; slots with several
 * tasks or no node come last. The sort is stable, so ties keep running-then-slot order.
 */
export function scaleDownOrder(slots: readonly Slot[]): Slot[] {
  const byRunningState = [...slots].sort((left, right) => {
    const leftRunning = isSlotRunning(left);
    const rightRunning = isSlotRunning(right);
    if (leftRunning !== rightRunning) return leftRunning ? -1 : 1;
    return left[0]!.slot - right[0]!.slot;
  });
  const copiesByNode = new Map<string, number>();
  const indexed = byRunningState.map((slot) => {
    if (slot.length !== 1 || slot[0]!.nodeId === "") return { slot, index: -1 };
    const copies = (copiesByNode.get(slot[0]!.nodeId) ?? 0) + 1;
    copiesByNode.set(slot[0]!.nodeId, copies);
    return { slot, index: copies };
  });
  indexed.sort((left, right) => {
    if (left.index < 0 && right.index >= 0) return 1;
    if (right.index < 0 && left.index >= 0) return -1;
    return left.index - right.index;
  });
  return indexed.map(({ slot }) => slot);
}

function deleteSlots(batch: ChangeBatch, slots: Iterable<Slot>): void {
  for (const slot of slots) for (const task of slot) if (batch.task(task.id) !== undefined) batch.delete("tasks", task.id);
}

/**
 * Reconciles a replicated service (swarmkit's `Orchestrator.reconcile`): scale up, scale down or
 * hand the slots to the rolling updater.
 */
export function reconcileReplicated(batch: ChangeBatch, service: Service, supervisors: Supervisors, context: OrchestratorContext): void {
  if (service.spec.mode.kind !== "replicated") return;
  const { running, dead } = replicatedSlots(batch, service, supervisors.restarts);
  const wanted = service.spec.mode.replicas;
  const slots = [...running.values()];
  const deadSlots = new Map(dead);
  if (wanted > slots.length) {
    supervisors.updates.update(batch, service, slots, context);
    let slotNumber = 0;
    for (let added = 0; added < wanted - slots.length; added++) {
      do slotNumber++;
      while (running.has(slotNumber));
      deadSlots.delete(slotNumber);
      batch.create("tasks", newTask(context, service, slotNumber));
    }
    deleteSlots(batch, deadSlots.values());
  } else if (wanted < slots.length) {
    const ordered = scaleDownOrder(slots);
    supervisors.updates.update(batch, service, ordered.slice(0, wanted), context);
    deleteSlots(batch, deadSlots.values());
    // The agent shuts these down; the task reaper deletes them afterwards.
    for (const slot of ordered.slice(wanted)) setDesiredState(batch, slot, "remove");
  } else {
    deleteSlots(batch, deadSlots.values());
    supervisors.updates.update(batch, service, slots, context);
  }
}

/** Sets the desired state of the tasks to `desiredState`, never moving one backwards. */
export function setDesiredState(batch: ChangeBatch, tasks: Iterable<Task>, desiredState: "shutdown" | "remove"): void {
  for (const original of tasks) {
    const task = batch.task(original.id);
    if (task === undefined || taskStates[task.desiredState] >= taskStates[desiredState]) continue;
    batch.update("tasks", { ...task, desiredState });
  }
}

/**
 * Whether the replicated orchestrator restarts `task` (swarmkit's `handleTaskChange`): it is
 * wanted running, and it stopped or its node is down, drained or gone.
 */
export function needsReplicatedRestart(batch: ChangeBatch, task: Task): boolean {
  if (taskStates[task.desiredState] > taskStates.running) return false;
  if (!isReplicated(batch.service(task.serviceId))) return false;
  return taskStates[task.status.state] > taskStates.running || (task.nodeId !== "" && isInvalidNode(batch.node(task.nodeId)));
}

/** Restarts replicated task `taskId` if it still needs it (swarmkit's `tickTasks`). */
export function restartReplicatedTask(batch: ChangeBatch, taskId: string, supervisors: Supervisors, context: OrchestratorContext): void {
  const task = batch.task(taskId);
  if (task === undefined || taskStates[task.desiredState] > taskStates.running) return;
  const service = batch.service(task.serviceId);
  if (!isReplicated(service)) return;
  supervisors.restarts.restart(batch, service, task, context);
}

/** The replicated tasks on node `nodeId` still wanted running (swarmkit's `restartTasksByNodeID`). */
export function replicatedTasksOnNode(batch: ChangeBatch, nodeId: string): Task[] {
  return batch.tasksOfNode(nodeId).filter((task) => taskStates[task.desiredState] <= taskStates.running && isReplicated(batch.service(task.serviceId)));
}
