/**
 * Secondary indexes over the tasks (swarmkit's memdb indexes `serviceid`, `nodeid`, `slot`):
 * sets of task ids kept up to date from the store's change events, so a query costs the size of
 * its answer, never a scan of every task. Answers are sorted by task id, so they never depend on
 * the order in which tasks were indexed (a manager restored from a snapshot answers the same).
 */
import type { ClusterState, Task } from "../types.js";
import type { StoreEvent } from "./changes.js";

/** The key of a (service, slot) pair. */
function slotKey(serviceId: string, slot: number): string {
  return `${serviceId}\u0000${slot}`;
}

function addTo(index: Map<string, Set<string>>, key: string, taskId: string): void {
  let ids = index.get(key);
  if (ids === undefined) index.set(key, (ids = new Set()));
  ids.add(taskId);
}

function removeFrom(index: Map<string, Set<string>>, key: string, taskId: string): void {
  const ids = index.get(key);
  if (ids === undefined) return;
  ids.delete(taskId);
  if (ids.size === 0) index.delete(key);
}

function sortedIds(ids: Set<string> | undefined): string[] {
  return ids === undefined ? [] : [...ids].sort();
}

/** Whether two versions of a task (same id) sit under the same keys of every index. */
function sameKeys(before: Task, after: Task): boolean {
  return before.serviceId === after.serviceId && before.nodeId === after.nodeId && before.slot === after.slot;
}

/** Task ids by service, by node and by (service, slot). */
export class TaskIndex {
  private readonly byService = new Map<string, Set<string>>();
  private readonly byNode = new Map<string, Set<string>>();
  private readonly bySlot = new Map<string, Set<string>>();

  /** An index of every task of `state` (one pass over the tasks). */
  static fromState(state: ClusterState): TaskIndex {
    const index = new TaskIndex();
    for (const task of Object.values(state.tasks)) index.add(task);
    return index;
  }

  /** Updates the index from the events of one applied change set. */
  apply(events: readonly StoreEvent[]): void {
    for (const event of events) {
      if (event.collection !== "tasks") continue;
      // An update keeping the task's keys (a status or desired-state change: most events) leaves every set as it is.
      if (event.before !== null && event.after !== null && sameKeys(event.before, event.after)) continue;
      if (event.before !== null) this.remove(event.before);
      if (event.after !== null) this.add(event.after);
    }
  }

  /** Ids of the tasks of service `serviceId`, sorted. */
  serviceTaskIds(serviceId: string): string[] {
    return sortedIds(this.byService.get(serviceId));
  }

  /** Ids of the tasks assigned to node `nodeId`, sorted (`""`: the unassigned ones). */
  nodeTaskIds(nodeId: string): string[] {
    return sortedIds(this.byNode.get(nodeId));
  }

  /** Ids of the tasks in slot `slot` of service `serviceId`, sorted. */
  slotTaskIds(serviceId: string, slot: number): string[] {
    return sortedIds(this.bySlot.get(slotKey(serviceId, slot)));
  }

  private add(task: Task): void {
    addTo(this.byService, task.serviceId, task.id);
    addTo(this.byNode, task.nodeId, task.id);
    addTo(this.bySlot, slotKey(task.serviceId, task.slot), task.id);
  }

  private remove(task: Task): void {
    removeFrom(this.byService, task.serviceId, task.id);
    removeFrom(this.byNode, task.nodeId, task.id);
    removeFrom(this.bySlot, slotKey(task.serviceId, task.slot), task.id);
  }
}
