/**
 * The leader's orchestration loop, as one object fed with the store's events: the replicated and
 * global orchestrators, the restart and update supervisors, the constraint enforcer, the task
 * reaper and the allocator. `handleEvents` notes what the committed changes concern (as swarmkit's
 * watchers do); `tick` returns the change set the leader should propose; `nextWakeMs` tells when
 * the clock alone will have work (restart delays, update delays and monitoring). Steps run in
 * swarmkit's order, each seeing the changes of the ones before: allocation, task-level restarts,
 * service reconciliation, node reconciliation, rolling updates, delayed starts, reaping.
 */
import { boundExceeded } from "../../sim/errors.js";
import type { Random } from "../../sim/random.js";
import type { StoreChange, StoreEvent } from "../store/changes.js";
import type { StoreView } from "../store/view.js";
import { taskStates } from "../types.js";
import { allocateService, allocateTask, type AllocationFailure } from "./allocator.js";
import { ChangeBatch } from "./batch.js";
import { enforceConstraints, globalTasksOnNode, needsGlobalRestart, reconcileGlobal, reconcileGlobalNode, restartGlobalTask } from "./global.js";
import { needsReplicatedRestart, reconcileReplicated, replicatedTasksOnNode, restartReplicatedTask, setDesiredState, type Supervisors } from "./replicated.js";
import { RestartSupervisor } from "./restart.js";
import { TaskReaper } from "./reaper.js";
import { isGlobal, isInvalidNode, isReplicated, slotTupleKey, taskSpecsEqual, type OrchestratorContext } from "./task.js";
import { UpdateSupervisor } from "./update.js";

/** Options of the {@link Orchestrator}. */
export interface OrchestratorOptions {
  /** Draws the ids of new tasks (fork one for the orchestrator). */
  readonly random: Random;
  /** The id of the ingress network the virtual IPs are on, until the store holds a cluster object (which names it). */
  readonly ingressNetworkId: string;
}

/** Bounds of the orchestration loop. */
export const orchestratorLimits = {
  /** Most objects waiting to be looked at in one set (tasks to restart, services, nodes, tasks to allocate). */
  pendingObjectsMax: 10_000_000,
} as const;

/** What a tick produced. */
export interface TickResult {
  /** The changes to propose (empty: nothing to do). */
  readonly changes: readonly StoreChange[];
  /** Services the allocator could not allocate. */
  readonly allocationFailures: readonly AllocationFailure[];
}

function addBounded(set: Set<string>, id: string, what: string): void {
  if (!set.has(id) && set.size >= orchestratorLimits.pendingObjectsMax) boundExceeded("pendingObjectsMax", orchestratorLimits.pendingObjectsMax, what);
  set.add(id);
}

/** The orchestrators of one leader. */
export class Orchestrator {
  /** The restart supervisor (delayed starts and restart history live here). */
  readonly restarts = new RestartSupervisor();
  /** The rolling updates in progress. */
  readonly updates = new UpdateSupervisor(this.restarts);
  private readonly reaper = new TaskReaper();
  private readonly supervisors: Supervisors = { restarts: this.restarts, updates: this.updates };
  private readonly servicesToReconcile = new Set<string>();
  private readonly servicesRemoved = new Set<string>();
  private readonly replicatedToRestart = new Set<string>();
  private readonly globalToRestart = new Set<string>();
  private readonly nodesChanged = new Set<string>();
  private readonly nodesRemoved = new Set<string>();
  private readonly nodesDrainedOrDown = new Set<string>();
  private readonly tasksToAllocate = new Set<string>();
  private readonly servicesToAllocate = new Set<string>();
  private needsInitialization = true;

  constructor(private readonly options: OrchestratorOptions) {}

  /**
   * Starts over as a new leader: the next tick looks at the whole state once (swarmkit's
   * `CheckTasks` and the orchestrators' start-up reconciliation). Pending delays and updates of a
   * previous term are dropped.
   */
  reset(): void {
    this.restarts.cancelAll();
    this.updates.cancelAll();
    this.needsInitialization = true;
  }

  /** Notes what the committed events concern. */
  handleEvents(view: StoreView, events: readonly StoreEvent[]): void {
    this.reaper.handleEvents(events);
    for (const event of events) {
      switch (event.collection) {
        case "services": {
          const service = event.after ?? event.before;
          if (event.kind === "delete") addBounded(this.servicesRemoved, service.id, "services removed");
          else {
            addBounded(this.servicesToReconcile, service.id, "services to reconcile");
            addBounded(this.servicesToAllocate, service.id, "services to allocate");
          }
          break;
        }
        case "nodes": {
          const node = event.after ?? event.before;
          if (event.kind === "delete") addBounded(this.nodesRemoved, node.id, "nodes removed");
          else {
            addBounded(this.nodesChanged, node.id, "nodes changed");
            if (isInvalidNode(event.after)) addBounded(this.nodesDrainedOrDown, node.id, "invalid nodes");
          }
          break;
        }
        case "tasks": {
          if (event.kind === "delete") {
            const task = event.before;
            this.restarts.cancel(task.id);
            if (taskStates[task.desiredState] <= taskStates.running && isReplicated(view.service(task.serviceId))) {
              addBounded(this.servicesToReconcile, task.serviceId, "services to reconcile");
            }
            break;
          }
          const task = event.after;
          if (task.status.state === "new") addBounded(this.tasksToAllocate, task.id, "tasks to allocate");
          const service = view.service(task.serviceId);
          if (taskStates[task.desiredState] > taskStates.running) break;
          if (isReplicated(service)) {
            const nodeInvalid = task.nodeId !== "" && isInvalidNode(view.node(task.nodeId));
            if (taskStates[task.status.state] > taskStates.running || nodeInvalid) addBounded(this.replicatedToRestart, task.id, "tasks to restart");
          } else if (isGlobal(service) && event.kind === "update" && taskStates[task.status.state] > taskStates.running) {
            addBounded(this.globalToRestart, task.id, "tasks to restart");
          }
          break;
        }
        case "cluster":
          break;
      }
    }
  }

  /** The change set the orchestrators want now, at the leader's time `nowMs`. */
  tick(view: StoreView, nowMs: number): TickResult {
    const context: OrchestratorContext = { nowMs, random: this.options.random };
    const batch = new ChangeBatch(view);
    const failures: AllocationFailure[] = [];
    if (this.needsInitialization) this.initialize(batch, context);

    // Allocation: services first, then their new tasks, on the cluster's ingress network.
    const ingressNetworkId = batch.cluster?.ingressNetworkId ?? this.options.ingressNetworkId;
    for (const serviceId of this.drain(this.servicesToAllocate)) {
      const failure = allocateService(batch, serviceId, ingressNetworkId);
      if (failure !== null) failures.push(failure);
    }
    for (const taskId of this.drain(this.tasksToAllocate)) allocateTask(batch, taskId, ingressNetworkId, nowMs);

    // Removed services: their tasks are wanted REMOVE; the reaper deletes them once stopped.
    for (const serviceId of this.drain(this.servicesRemoved)) {
      setDesiredState(batch, batch.tasksOfService(serviceId), "remove");
      this.restarts.clearServiceHistory(serviceId);
      this.updates.cancel(serviceId);
      this.servicesToReconcile.delete(serviceId);
    }
    // Nodes removed: replicated tasks restart elsewhere, global tasks are deleted.
    for (const nodeId of this.drain(this.nodesRemoved)) {
      for (const task of replicatedTasksOnNode(batch, nodeId)) this.replicatedToRestart.add(task.id);
      for (const task of globalTasksOnNode(batch, nodeId)) if (batch.task(task.id) !== undefined) batch.delete("tasks", task.id);
      this.nodesChanged.delete(nodeId);
    }
    // Nodes down or drained: their replicated tasks restart elsewhere.
    for (const nodeId of this.drain(this.nodesDrainedOrDown)) {
      for (const task of replicatedTasksOnNode(batch, nodeId)) this.replicatedToRestart.add(task.id);
    }

    // Task level first, so that service reconciliation sees the restarts.
    for (const taskId of this.drain(this.replicatedToRestart)) restartReplicatedTask(batch, taskId, this.supervisors, context);
    for (const serviceId of this.drain(this.servicesToReconcile)) {
      const service = batch.service(serviceId);
      if (isReplicated(service)) reconcileReplicated(batch, service, this.supervisors, context);
      else if (isGlobal(service)) reconcileGlobal(batch, service, this.supervisors, context);
    }
    for (const nodeId of this.drain(this.nodesChanged)) {
      const node = batch.node(nodeId);
      if (node === undefined) continue;
      reconcileGlobalNode(batch, node, this.supervisors, context);
      enforceConstraints(batch, node, nowMs);
    }
    for (const taskId of this.drain(this.globalToRestart)) restartGlobalTask(batch, taskId, this.supervisors, context);

    this.updates.advance(batch, context);
    this.restarts.processDelays(batch, context);
    this.reaper.tick(batch);
    return { changes: batch.changes(), allocationFailures: failures };
  }

  /** The earliest time after `nowMs` at which a tick may have work even if nothing is committed, or null. */
  nextWakeMs(nowMs: number): number | null {
    const restart = this.restarts.nextWakeMs(nowMs);
    const update = this.updates.nextWakeMs(nowMs);
    if (restart === null) return update;
    if (update === null) return restart;
    return Math.min(restart, update);
  }

  /** The ids of `set`, sorted, and the set emptied. */
  private drain(set: Set<string>): string[] {
    const ids = [...set].sort();
    set.clear();
    return ids;
  }

  /** A new leader's first look at the state (swarmkit's `CheckTasks` and start-up reconciliation). */
  private initialize(batch: ChangeBatch, context: OrchestratorContext): void {
    this.needsInitialization = false;
    const tasks = batch.taskList();
    this.reaper.initialize(tasks);
    for (const service of batch.serviceList()) {
      this.servicesToReconcile.add(service.id);
      this.servicesToAllocate.add(service.id);
    }
    for (const node of batch.nodeList()) {
      this.nodesChanged.add(node.id);
      if (isInvalidNode(node)) this.nodesDrainedOrDown.add(node.id);
    }
    for (const task of tasks) {
      const service = batch.service(task.serviceId);
      if (service === undefined) {
        batch.delete("tasks", task.id); // the service was removed
        continue;
      }
      if (task.status.state === "new") this.tasksToAllocate.add(task.id);
      if (taskStates[task.desiredState] <= taskStates.running) {
        if (isReplicated(service) && needsReplicatedRestart(batch, task)) this.replicatedToRestart.add(task.id);
        if (isGlobal(service)) {
          const node = batch.node(task.nodeId);
          if (task.nodeId === "" || node === undefined || isInvalidNode(node)) setDesiredState(batch, [task], "shutdown");
          else if (taskStates[task.status.state] > taskStates.running) this.globalToRestart.add(task.id);
        }
      }
      // Desired state READY is transient: the previous leader may not have started it.
      if (task.desiredState === "ready" && taskStates[task.status.state] <= taskStates.complete) {
        const remainingMs = Math.min(task.spec.restartPolicy.delayMs, task.status.timestamp + task.spec.restartPolicy.delayMs - context.nowMs);
        if (remainingMs > 0) this.restarts.delayStart(null, task.id, remainingMs, true, context.nowMs);
        else this.restarts.startNow(batch, task.id);
      }
    }
    // Rebuild the restart history: every task of the slot's newest spec but the oldest was a restart.
    const bySlot = new Map<string, typeof tasks>();
    for (const task of tasks) {
      if (batch.service(task.serviceId) === undefined) continue;
      const key = slotTupleKey(task.serviceId, task.slot, task.nodeId);
      const list = bySlot.get(key);
      if (list === undefined) bySlot.set(key, [task]);
      else list.push(task);
    }
    for (const key of [...bySlot.keys()].sort()) {
      const slotTasks = bySlot.get(key)!;
      const newest = slotTasks.reduce((latest, task) => (task.serviceVersion > latest.serviceVersion ? task : latest));
      const sameSpec = slotTasks
        .filter((task) => taskSpecsEqual(task.spec, newest.spec))
        .sort((left, right) => left.createdAt - right.createdAt || (left.id < right.id ? -1 : 1));
      for (const task of sameSpec.slice(1)) this.restarts.recordRestartHistory(key, task);
    }
  }
}
