/**
 * The task reaper (swarmkit's manager/orchestrator/taskreaper/task_reaper.go): keeps at most
 * `taskHistoryRetentionLimit` tasks per slot (replicated) or per node (global) of a service —
 * at least `maxAttempts + 1` when the restart policy limits attempts — deleting the oldest
 * stopped ones, and deletes the tasks wanted REMOVE (scaled down, or of a removed service) once
 * they are unassigned or stopped. Slots are looked at when a task is created in them. (swarmkit
 * batches its work every 250 ms or 1000 slots; here each tick does it at once.)
 */
import type { StoreEvent } from "../store/changes.js";
import { swarmDefaults, taskStates, type Task } from "../types.js";
import type { ChangeBatch } from "./batch.js";
import { compareByTimestamp } from "./task.js";

/** Bounds of the task reaper. */
export const reaperLimits = {
  /** Most slots waiting to be looked at. */
  dirtySlotsMax: 10_000_000,
} as const;

interface DirtySlot {
  readonly serviceId: string;
  readonly slot: number;
  readonly nodeId: string;
}

/** Whether a task wanted REMOVE can be deleted: never assigned, or stopped. */
function isRemovable(task: Task): boolean {
  return task.desiredState === "remove" && (taskStates[task.status.state] < taskStates.assigned || taskStates[task.status.state] >= taskStates.complete);
}

/** Deletes old tasks. */
export class TaskReaper {
  private readonly dirty = new Map<string, DirtySlot>();
  private readonly cleanup = new Set<string>();

  /** Notes the slots and tasks the events concern. */
  handleEvents(events: readonly StoreEvent[]): void {
    for (const event of events) {
      if (event.collection !== "tasks") continue;
      if (event.kind === "create") {
        const task = event.after;
        const key = `${task.serviceId}\u0000${task.slot}\u0000${task.nodeId}`;
        if (!this.dirty.has(key) && this.dirty.size >= reaperLimits.dirtySlotsMax) continue; // looked at again on the next creation
        this.dirty.set(key, { serviceId: task.serviceId, slot: task.slot, nodeId: task.nodeId });
      } else if (event.kind === "update" && isRemovable(event.after)) {
        this.cleanup.add(event.after.id);
      }
    }
  }

  /** At start-up (a new leader): every task wanted REMOVE that can go already. */
  initialize(tasks: readonly Task[]): void {
    for (const task of tasks) if (isRemovable(task)) this.cleanup.add(task.id);
  }

  /** Deletes what should go (swarmkit's `tick`). */
  tick(batch: ChangeBatch): void {
    const toDelete = new Set(this.cleanup);
    this.cleanup.clear();
    const retention = batch.cluster?.taskHistoryRetentionLimit ?? swarmDefaults.taskHistoryRetentionLimit;
    for (const key of [...this.dirty.keys()].sort()) {
      const dirty = this.dirty.get(key)!;
      const service = batch.service(dirty.serviceId);
      if (service === undefined) {
        this.dirty.delete(key);
        continue;
      }
      // With limited restart attempts, keep enough history to count them after a leader change.
      let keep = service.spec.task.restartPolicy.maxAttempts > 0 ? service.spec.task.restartPolicy.maxAttempts + 1 : retention;
      if (keep < 0) {
        this.dirty.delete(key); // a negative limit keeps every task
        continue;
      }
      const history =
        service.spec.mode.kind === "replicated"
          ? batch.tasksInSlot(dirty.serviceId, dirty.slot)
          : batch.tasksOfNode(dirty.nodeId).filter((task) => task.serviceId === dirty.serviceId);
      if (history.length <= keep) {
        this.dirty.delete(key);
        continue;
      }
      history.sort(compareByTimestamp);
      let running = 0;
      for (const task of history) {
        const stopped = taskStates[task.status.state] > taskStates.running;
        const willNeverRun = taskStates[task.status.state] < taskStates.assigned && taskStates[task.desiredState] > taskStates.running;
        if (stopped || willNeverRun) {
          toDelete.add(task.id);
          keep++;
          if (history.length <= keep) break;
        } else {
          running++;
        }
      }
      // Keep looking at a slot with several running tasks: they may stop later.
      if (running <= 1) this.dirty.delete(key);
    }
    for (const taskId of [...toDelete].sort()) if (batch.task(taskId) !== undefined) batch.delete("tasks", taskId);
  }
}
