/**
 * Rolling updates (swarmkit's manager/orchestrator/update/updater.go), as state machines instead
 * of goroutines. When a service's spec changes, the orchestrator hands its slots to
 * {@link UpdateSupervisor.update}; the outdated ("dirty") slots are replaced by `parallelism`
 * workers, each creating the new task (desired state READY), shutting the old one down first
 * (stop-first) or once the new one runs (start-first), waiting for the new task to reach RUNNING
 * (or fail), then waiting `delayMs` before taking the next slot. Failures of new tasks within the
 * monitoring period count against `maxFailureRatio` and trigger the failure action (pause,
 * continue, rollback). After the last slot the update is monitored for one more period, then
 * marked completed. The service's `updateStatus` follows (updating, paused, completed, rollback_*).
 */
import { boundExceeded } from "../../sim/errors.js";
import { taskStates, type Service, type ServiceSpec, type Task, type UpdateConfigSpec } from "../types.js";
import type { ChangeBatch } from "./batch.js";
import type { RestartSupervisor } from "./restart.js";
import { canonicalJson, isGlobal, isTaskDirty, newTask, type OrchestratorContext, type Slot } from "./task.js";

/** Bounds of the update supervisor. */
export const updateLimits = {
  /** Most slots one worker may finish at one instant (a zero-delay update moves on at once). */
  slotsPerAdvanceMax: 1_000_000,
  /** Most updates in progress at once. */
  updatesMax: 100_000,
} as const;

/** Where a slot is: its number (replicated) or its node (global). */
type SlotKey = { readonly slot: number; readonly nodeId: string };

type Worker =
  | { readonly kind: "idle" }
  | { readonly kind: "waiting"; readonly taskId: string; readonly startFirst: boolean; readonly oldTaskIds: readonly string[] }
  | { readonly kind: "sleeping"; readonly untilMs: number };

/** One update in progress. */
interface Updater {
  readonly serviceId: string;
  /** The spec the update works towards (canonical JSON). */
  readonly specKey: string;
  readonly service: Service;
  readonly config: UpdateConfigSpec;
  readonly monitorMs: number;
  readonly isRollback: boolean;
  readonly dirtySlotCount: number;
  /** Dirty slots no worker has taken yet, in order. */
  readonly queue: SlotKey[];
  readonly workers: Worker[];
  /** New tasks made by this update: when they reached RUNNING (null: not yet). */
  readonly updatedTasks: Map<string, number | null>;
  readonly failedTasks: Set<string>;
  totalFailures: number;
  /** When monitoring after the last slot ends, ms (null: still updating slots). */
  monitorUntilMs: number | null;
}

function slotKeyOf(slot: Slot, global: boolean): SlotKey {
  const first = slot[0]!;
  return global ? { slot: 0, nodeId: first.nodeId } : { slot: first.slot, nodeId: "" };
}

/** Runs the rolling updates of all services. */
export class UpdateSupervisor {
  private readonly updates = new Map<string, Updater>();

  /** @param restarts - starts the new tasks (their desired state goes from READY to RUNNING). */
  constructor(private readonly restarts: RestartSupervisor) {}

  /**
   * Starts updating `slots` of `service` towards its current spec (swarmkit's `Supervisor.Update`).
   * An update already working towards the same spec goes on; one towards another spec is
   * cancelled. Marks the update started or, when no slot is dirty, completed.
   */
  update(batch: ChangeBatch, service: Service, slots: readonly Slot[], context: OrchestratorContext): void {
    const specKey = canonicalJson(service.spec);
    const existing = this.updates.get(service.id);
    if (existing !== undefined && existing.specKey === specKey) return;
    this.updates.delete(service.id);

    const status = service.updateStatus?.state;
    if (status === "paused" || status === "rollback_paused") return;
    const dirtySlots = slots.filter((slot) => this.isSlotDirty(batch, service, slot));
    if (dirtySlots.length === 0) {
      if (status === "updating" || status === "rollback_started") this.completeUpdate(batch, service.id, context.nowMs);
      return;
    }
    if (service.updateStatus === null) {
      const current = batch.service(service.id);
      if (current !== undefined && current.updateStatus === null) {
        batch.update("services", { ...current, updateStatus: { state: "updating", startedAt: context.nowMs, completedAt: null, message: "update in progress" } });
      }
    }
    const isRollback = status === "rollback_started";
    const config = isRollback ? service.spec.rollback : service.spec.update;
    const parallelism = config.parallelism === 0 ? dirtySlots.length : config.parallelism;
    if (this.updates.size >= updateLimits.updatesMax) boundExceeded("updatesMax", updateLimits.updatesMax, "rolling updates in progress");
    const global = isGlobal(service);
    this.updates.set(service.id, {
      serviceId: service.id,
      specKey,
      service,
      config,
      monitorMs: config.monitorMs,
      isRollback,
      dirtySlotCount: dirtySlots.length,
      queue: dirtySlots.map((slot) => slotKeyOf(slot, global)),
      workers: Array.from({ length: parallelism }, () => ({ kind: "idle" }) as const),
      updatedTasks: new Map(),
      failedTasks: new Set(),
      totalFailures: 0,
      monitorUntilMs: null,
    });
  }

  /** Whether an update of service `serviceId` is in progress. */
  isUpdating(serviceId: string): boolean {
    return this.updates.has(serviceId);
  }

  /** Cancels the update of service `serviceId`, if any. */
  cancel(serviceId: string): void {
    this.updates.delete(serviceId);
  }

  /** Cancels every update (the manager stops leading). */
  cancelAll(): void {
    this.updates.clear();
  }

  /** Moves every update forward as far as the state and the clock allow. */
  advance(batch: ChangeBatch, context: OrchestratorContext): void {
    const serviceIds = [...this.updates.keys()].sort();
    for (const serviceId of serviceIds) {
      const updater = this.updates.get(serviceId)!;
      if (batch.service(serviceId) === undefined) {
        this.updates.delete(serviceId);
        continue;
      }
      if (this.checkFailures(batch, updater)) {
        this.updates.delete(serviceId);
        continue;
      }
      for (let index = 0; index < updater.workers.length; index++) this.runWorker(batch, updater, index, context);
      if (updater.queue.length > 0 || updater.workers.some((worker) => worker.kind !== "idle")) continue;
      if (updater.monitorUntilMs === null) {
        // With a delay at least as long as the monitoring period, monitor a little past the delay.
        const monitorMs = updater.config.delayMs >= updater.monitorMs ? updater.config.delayMs + 1_000 : updater.monitorMs;
        updater.monitorUntilMs = context.nowMs + monitorMs;
      }
      if (context.nowMs >= updater.monitorUntilMs) {
        this.completeUpdate(batch, serviceId, context.nowMs);
        this.updates.delete(serviceId);
      }
    }
  }

  /** The earliest time after `nowMs` an update may move on by the clock alone, or null. */
  nextWakeMs(nowMs: number): number | null {
    // No closure here: the leader asks on every round, and a closure over `earliest` would allocate its context each time.
    let earliest: number | null = null;
    for (const updater of this.updates.values()) {
      for (const worker of updater.workers) if (worker.kind === "sleeping") earliest = earlierWake(earliest, worker.untilMs, nowMs);
      if (updater.monitorUntilMs !== null) earliest = earlierWake(earliest, updater.monitorUntilMs, nowMs);
    }
    return earliest;
  }

  /** Counts new tasks that stopped; applies the failure action when too many did. Returns whether the update stopped. */
  private checkFailures(batch: ChangeBatch, updater: Updater): boolean {
    for (const [taskId, startedAtMs] of [...updater.updatedTasks.entries()].sort(([left], [right]) => (left < right ? -1 : 1))) {
      const task = batch.task(taskId);
      if (task === undefined || taskStates[task.status.state] < taskStates.running) continue;
      if (startedAtMs === null) updater.updatedTasks.set(taskId, task.status.timestamp);
      if (taskStates[task.status.state] === taskStates.running || updater.failedTasks.has(taskId)) continue;
      if (updater.config.failureAction === "continue") continue; // swarmkit does not even watch
      // Only failures within the monitoring period after the task started running count.
      if (startedAtMs !== null && task.status.timestamp - startedAtMs > updater.monitorMs) continue;
      updater.failedTasks.add(taskId);
      updater.totalFailures++;
      if (updater.totalFailures / updater.dirtySlotCount <= updater.config.maxFailureRatio) continue;
      const action = updater.config.failureAction;
      if (action === "pause" || updater.isRollback) {
        const what = updater.isRollback ? "rollback" : "update";
        this.pauseUpdate(batch, updater.serviceId, `${what} paused due to failure or early termination of task ${taskId}`);
      } else {
        this.rollbackUpdate(batch, updater.serviceId, `update rolled back due to failure or early termination of task ${taskId}`);
      }
      return true;
    }
    return false;
  }

  private runWorker(batch: ChangeBatch, updater: Updater, index: number, context: OrchestratorContext): void {
    for (let step = 0; step < updateLimits.slotsPerAdvanceMax; step++) {
      const worker = updater.workers[index]!;
      if (worker.kind === "sleeping") {
        if (context.nowMs < worker.untilMs) return;
        updater.workers[index] = { kind: "idle" };
        continue;
      }
      if (worker.kind === "waiting") {
        const task = batch.task(worker.taskId);
        if (task !== undefined && taskStates[task.status.state] < taskStates.running) return;
        if (task !== undefined && updater.updatedTasks.get(task.id) === null) updater.updatedTasks.set(task.id, task.status.timestamp);
        if (worker.startFirst && task !== undefined && task.status.state === "running") this.removeOldTasks(batch, worker.oldTaskIds);
        updater.workers[index] = this.afterSlot(updater, context.nowMs);
        continue;
      }
      const next = updater.queue.shift();
      if (next === undefined) return;
      updater.workers[index] = this.updateSlot(batch, updater, next, context);
    }
    boundExceeded("slotsPerAdvanceMax", updateLimits.slotsPerAdvanceMax, `slots of service ${updater.serviceId} updated at one instant`);
  }

  private afterSlot(updater: Updater, nowMs: number): Worker {
    return updater.config.delayMs > 0 ? { kind: "sleeping", untilMs: nowMs + updater.config.delayMs } : { kind: "idle" };
  }

  /** The worker's body for one slot (swarmkit's `worker`): reuse a clean task, or make a new one. */
  private updateSlot(batch: ChangeBatch, updater: Updater, key: SlotKey, context: OrchestratorContext): Worker {
    const service = updater.service;
    const candidates = key.slot !== 0 ? batch.tasksInSlot(service.id, key.slot) : batch.tasksOfNode(key.nodeId).filter((task) => task.serviceId === service.id);
    const slot = candidates.filter((task) => taskStates[task.desiredState] <= taskStates.running);
    if (slot.length === 0) return { kind: "idle" }; // the slot went away (scaled down, node gone)
    const clean = slot.filter((task) => !isTaskDirty(service, task, batch.node(task.nodeId)));
    const existing = clean.find((task) => task.desiredState === "running") ?? clean.find((task) => taskStates[task.desiredState] < taskStates.running);
    if (existing !== undefined) {
      const oldTask = this.removeOldTasks(batch, slot.filter((task) => task.id !== existing.id).map((task) => task.id));
      if (existing.desiredState !== "running") this.restarts.delayStart(oldTask, existing.id, 0, true, context.nowMs);
      return this.afterSlot(updater, context.nowMs);
    }
    const first = slot[0]!;
    const created: Task = { ...(isGlobal(service) ? newTask(context, service, first.slot, first.nodeId) : newTask(context, service, first.slot)), desiredState: "ready" };
    updater.updatedTasks.set(created.id, null);
    batch.create("tasks", created);
    const startFirst = updater.config.order === "start-first";
    if (startFirst) {
      this.restarts.delayStart(null, created.id, 0, false, context.nowMs);
    } else {
      const oldTask = this.removeOldTasks(batch, slot.map((task) => task.id));
      this.restarts.delayStart(oldTask, created.id, 0, true, context.nowMs);
    }
    return { kind: "waiting", taskId: created.id, startFirst, oldTaskIds: slot.map((task) => task.id) };
  }

  /** Shuts the tasks down (desired state SHUTDOWN); returns one of them, or null (swarmkit's `removeOldTasks`). */
  private removeOldTasks(batch: ChangeBatch, taskIds: readonly string[]): Task | null {
    let removed: Task | null = null;
    for (const taskId of taskIds) {
      const task = batch.task(taskId);
      if (task === undefined || taskStates[task.desiredState] > taskStates.running) continue;
      batch.update("tasks", { ...task, desiredState: "shutdown" });
      removed = task;
    }
    return removed;
  }

  private isSlotDirty(batch: ChangeBatch, service: Service, slot: Slot): boolean {
    return slot.length > 1 || (slot.length === 1 && isTaskDirty(service, slot[0]!, batch.node(slot[0]!.nodeId)));
  }

  private completeUpdate(batch: ChangeBatch, serviceId: string, nowMs: number): void {
    const service = batch.service(serviceId);
    if (service === undefined || service.updateStatus === null) return;
    const rollback = service.updateStatus.state === "rollback_started";
    batch.update("services", {
      ...service,
      updateStatus: { ...service.updateStatus, state: rollback ? "rollback_completed" : "completed", message: rollback ? "rollback completed" : "update completed", completedAt: nowMs },
    });
  }

  private pauseUpdate(batch: ChangeBatch, serviceId: string, message: string): void {
    const service = batch.service(serviceId);
    if (service === undefined || service.updateStatus === null) return;
    const state = service.updateStatus.state === "rollback_started" ? "rollback_paused" : "paused";
    batch.update("services", { ...service, updateStatus: { ...service.updateStatus, state, message } });
  }

  private rollbackUpdate(batch: ChangeBatch, serviceId: string, message: string): void {
    const service = batch.service(serviceId);
    if (service === undefined || service.updateStatus === null) return;
    // swarmkit fails the transaction when there is no previous spec.
    if (service.previousSpec === null) return;
    const spec: ServiceSpec = service.previousSpec;
    batch.update("services", { ...service, spec, previousSpec: null, updateStatus: { ...service.updateStatus, state: "rollback_started", message } });
  }
}

/** `wake` when it is after `nowMs` and before `earliest` (or `earliest` is null), else `earliest`. */
function earlierWake(earliest: number | null, wake: number, nowMs: number): number | null {
  return wake > nowMs && (earliest === null || wake < earliest) ? wake : earliest;
}
