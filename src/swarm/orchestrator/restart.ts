/**
 * The restart supervisor (swarmkit's manager/orchestrator/restart/restart.go). A restart shuts the
 * old task down (desired state SHUTDOWN) and, when the restart policy allows, creates a NEW task
 * in the same slot (replicated) or for the same node (global) with desired state READY; the task
 * is moved to RUNNING once the restart delay has passed (no delay on a drained node) and the old
 * task has stopped (or its node is down, or one minute has passed). It keeps, in the leader's
 * memory like swarmkit, the restart history per slot (for `maxAttempts` within `windowMs`) and
 * the pending delayed starts; {@link RestartSupervisor.nextWakeMs} tells when to come back.
 */
import { boundExceeded } from "../../sim/errors.js";
import { taskStates, type Service, type Task } from "../types.js";
import type { ChangeBatch } from "./batch.js";
import { canonicalJson, compareByTimestamp, isGlobal, newTask, slotTupleKey, taskTimestamp, type OrchestratorContext, type Slot } from "./task.js";

/** Bounds and timeouts of the restart supervisor. */
export const restartLimits = {
  /** How long a delayed start waits for the old task to stop, ms (swarmkit's `defaultOldTaskTimeout`). */
  oldTaskTimeoutMs: 60_000,
  /** Most restart timestamps remembered per slot (the oldest are forgotten). */
  restartTimestampsPerSlotMax: 1_000,
  /** Most delayed starts pending at once. */
  delayedStartsMax: 1_000_000,
} as const;

/** The restarts of one slot under one task spec. */
interface RestartHistory {
  /** The task spec the history is about (canonical JSON): a new spec starts a new history. */
  specKey: string;
  totalRestarts: number;
  /** Creation times of the replacement tasks, oldest first (kept only with a window). */
  restartedAtMs: number[];
}

/** A task in desired state READY waiting to be moved to RUNNING. */
export interface DelayedStart {
  readonly taskId: string;
  /** When the restart delay ends, ms. */
  readonly readyAtMs: number;
  /** The task it replaces, whose stop it waits for (null: none). */
  readonly oldTaskId: string | null;
  readonly oldNodeId: string;
  /** Whether it waits for the old task to stop. */
  readonly waitForTask: boolean;
  /** When it stops waiting for the old task, ms. */
  readonly timeoutAtMs: number;
  /** Whether a restart of this very task is waiting for this start (swarmkit's `waiter`). */
  waiter: boolean;
}

function specKeyOf(task: Task): string {
  return canonicalJson(task.spec);
}

/** Restarts tasks under their restart policy and runs the delayed starts. */
export class RestartSupervisor {
  private readonly historyByService = new Map<string, Map<string, RestartHistory>>();
  private readonly delays = new Map<string, DelayedStart>();

  /**
   * Restarts `task` if its restart policy allows (swarmkit's `Supervisor.Restart`): the old task's
   * desired state becomes SHUTDOWN, a replacement is created in desired state READY and its start
   * is delayed. A task whose own delayed start is pending is restarted once that start happens.
   */
  restart(batch: ChangeBatch, service: Service, task: Task, context: OrchestratorContext): void {
    const pending = this.delays.get(task.id);
    if (pending !== undefined) {
      pending.waiter = true;
      return;
    }
    // swarmkit refuses (and logs) a restart of a task already shut down.
    if (taskStates[task.desiredState] > taskStates.complete) return;
    const shutDown: Task = { ...task, desiredState: "shutdown" };
    batch.update("tasks", shutDown);
    if (!this.shouldRestart(task, service)) return;

    const replacement: Task = {
      ...(isGlobal(service) ? newTask(context, service, 0, task.nodeId) : newTask(context, service, task.slot)),
      desiredState: "ready",
    };
    const node = batch.node(task.nodeId);
    // The restart delay does not apply on a drained node.
    const delayMs = node !== undefined && node.spec.availability === "drain" ? 0 : task.spec.restartPolicy.delayMs;
    // Normally the replacement waits for the old task to stop, unless it is dead or its node is down.
    const waitStop = !((node !== undefined && node.status.state === "down") || taskStates[task.status.state] > taskStates.running);
    batch.create("tasks", replacement);
    this.recordRestartHistory(slotTupleKey(replacement.serviceId, replacement.slot, replacement.nodeId), replacement);
    this.delayStart(task, replacement.id, delayMs, waitStop, context.nowMs);
  }

  /** Whether `task`, which stopped, should be restarted under its restart policy and the slot's history. */
  shouldRestart(task: Task, service: Service): boolean {
    const policy = task.spec.restartPolicy;
    if (policy.condition === "none") return false;
    // on-failure does not restart a task that exited with 0.
    if (policy.condition === "on-failure" && task.status.state === "complete") return false;
    if (policy.maxAttempts === 0) return true;

    const tuple = isGlobal(service) ? slotTupleKey(task.serviceId, 0, task.nodeId) : slotTupleKey(task.serviceId, task.slot, "");
    const history = this.historyByService.get(task.serviceId)?.get(tuple);
    if (history === undefined || history.specKey !== specKeyOf(task)) return true;
    if (policy.windowMs === 0) return history.totalRestarts < policy.maxAttempts;
    if (history.restartedAtMs.length === 0) return true;

    const timestamp = taskTimestamp(task);
    const lookbackMs = timestamp - policy.windowMs;
    // Forget restarts before the window: they no longer count.
    while (history.restartedAtMs.length > 0 && history.restartedAtMs[0]! <= lookbackMs) history.restartedAtMs.shift();
    let restarts = history.restartedAtMs.length;
    // Ignore restarts that did not happen before the task we are looking at.
    for (let index = history.restartedAtMs.length - 1; index >= 0 && history.restartedAtMs[index]! >= timestamp; index--) restarts--;
    return restarts < policy.maxAttempts;
  }

  /**
   * swarmkit's `UpdatableTasksInSlot`: the slot's tasks in desired state RUNNING or before; when there
   * are none, its newest task if that one should not be restarted (so rolling updates still reach
   * it), else nothing (the slot is dead). During a rollback, a slot without such tasks is dead.
   */
  updatableTasksInSlot(slot: Slot, service: Service): Task[] {
    if (slot.length === 0) return [];
    const updatable = slot.filter((task) => taskStates[task.desiredState] <= taskStates.running);
    if (updatable.length > 0) return updatable;
    if (service.updateStatus?.state === "rollback_started") return [];
    const newest = slot.reduce((latest, task) => (compareByTimestamp(latest, task) < 0 ? task : latest));
    return this.shouldRestart(newest, service) ? [] : [newest];
  }

  /** Counts a restart of the slot `tuple` made by creating `replacement` (swarmkit's `RecordRestartHistory`). */
  recordRestartHistory(tuple: string, replacement: Task): void {
    const policy = replacement.spec.restartPolicy;
    if (policy.maxAttempts === 0) return; // no limit, no need for history
    let byTuple = this.historyByService.get(replacement.serviceId);
    if (byTuple === undefined) this.historyByService.set(replacement.serviceId, (byTuple = new Map()));
    let history = byTuple.get(tuple);
    const specKey = specKeyOf(replacement);
    // A different spec (the service was updated): past failures do not count against it.
    if (history === undefined || history.specKey !== specKey) byTuple.set(tuple, (history = { specKey, totalRestarts: 0, restartedAtMs: [] }));
    history.totalRestarts++;
    if (policy.windowMs !== 0) {
      history.restartedAtMs.push(replacement.createdAt);
      if (history.restartedAtMs.length > restartLimits.restartTimestampsPerSlotMax) history.restartedAtMs.shift();
    }
  }

  /**
   * Schedules moving task `taskId` from READY to RUNNING after `delayMs` and, when `waitStop`, once
   * `oldTask` has stopped (swarmkit's `DelayStart`). Replaces a pending start of the same task.
   */
  delayStart(oldTask: Task | null, taskId: string, delayMs: number, waitStop: boolean, nowMs: number): void {
    if (!this.delays.has(taskId) && this.delays.size >= restartLimits.delayedStartsMax) boundExceeded("delayedStartsMax", restartLimits.delayedStartsMax, "delayed task starts");
    this.delays.set(taskId, {
      taskId,
      readyAtMs: nowMs + delayMs,
      oldTaskId: oldTask?.id ?? null,
      oldNodeId: oldTask?.nodeId ?? "",
      waitForTask: waitStop && oldTask !== null && taskStates[oldTask.status.state] <= taskStates.running,
      timeoutAtMs: nowMs + restartLimits.oldTaskTimeoutMs,
      waiter: false,
    });
  }

  /** Moves task `taskId` to desired state RUNNING now, if it is still before it (swarmkit's `StartNow`). */
  startNow(batch: ChangeBatch, taskId: string): void {
    const task = batch.task(taskId);
    if (task === undefined || taskStates[task.desiredState] >= taskStates.running) return;
    batch.update("tasks", { ...task, desiredState: "running" });
  }

  /** Runs the delayed starts that are due, then the restarts that waited for them. */
  processDelays(batch: ChangeBatch, context: OrchestratorContext): void {
    const due = [...this.delays.values()]
      .filter((delay) => this.isDue(batch, delay, context.nowMs))
      .sort((left, right) => left.readyAtMs - right.readyAtMs || (left.taskId < right.taskId ? -1 : 1));
    for (const delay of due) {
      this.delays.delete(delay.taskId);
      this.startNow(batch, delay.taskId);
      if (!delay.waiter) continue;
      const task = batch.task(delay.taskId);
      if (task === undefined || taskStates[task.desiredState] > taskStates.running) continue;
      const service = batch.service(task.serviceId);
      if (service !== undefined) this.restart(batch, service, task, context);
    }
  }

  private isDue(batch: ChangeBatch, delay: DelayedStart, nowMs: number): boolean {
    if (nowMs < delay.readyAtMs) return false;
    if (!delay.waitForTask || nowMs >= delay.timeoutAtMs) return true;
    const oldTask = delay.oldTaskId === null ? undefined : batch.task(delay.oldTaskId);
    if (oldTask !== undefined && taskStates[oldTask.status.state] > taskStates.running) return true;
    const node = batch.node(delay.oldNodeId);
    return node === undefined || node.status.state === "down";
  }

  /** The earliest time after `nowMs` a delayed start may become due by the clock alone, or null. */
  nextWakeMs(nowMs: number): number | null {
    let earliest: number | null = null;
    for (const delay of this.delays.values()) {
      const wake = delay.readyAtMs > nowMs ? delay.readyAtMs : delay.waitForTask && delay.timeoutAtMs > nowMs ? delay.timeoutAtMs : null;
      if (wake !== null && (earliest === null || wake < earliest)) earliest = wake;
    }
    return earliest;
  }

  /** Whether task `taskId` has a delayed start pending. */
  hasDelayedStart(taskId: string): boolean {
    return this.delays.has(taskId);
  }

  /** The pending delayed starts, by task id. */
  delayedStarts(): DelayedStart[] {
    return [...this.delays.values()].sort((left, right) => (left.taskId < right.taskId ? -1 : 1));
  }

  /** Cancels the delayed start of task `taskId`. */
  cancel(taskId: string): void {
    this.delays.delete(taskId);
  }

  /** Cancels every delayed start (the manager stops leading). */
  cancelAll(): void {
    this.delays.clear();
  }

  /** Forgets the restart history of service `serviceId` (it was removed). */
  clearServiceHistory(serviceId: string): void {
    this.historyByService.delete(serviceId);
  }
}
