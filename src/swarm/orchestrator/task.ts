/**
 * Helpers shared by the orchestrators (swarmkit's manager/orchestrator/task.go and service.go):
 * making a new task, telling a dirty (outdated) task, invalid nodes, task timestamps and slots.
 */
import type { Random } from "../../sim/random.js";
import { newObjectId, taskDisplayName } from "../identifiers.js";
import type { Service, SwarmNode, Task, TaskSpec } from "../types.js";
import { nodeMatchesExpressions } from "./constraints.js";

/** What an orchestrator step needs besides the state: the leader's clock and a generator for ids. */
export interface OrchestratorContext {
  /** The leader's virtual time, ms. */
  readonly nowMs: number;
  /** Draws the ids of new tasks. */
  readonly random: Random;
}

/**
 * A group of tasks occupying one slot (replicated) or one node (global), sorted by id; usually
 * one task, two while a rolling update replaces it (swarmkit's `orchestrator.Slot`).
 */
export type Slot = readonly Task[];

/**
 * A new task of `service` (swarmkit's `orchestrator.NewTask`): state NEW ("created"), desired
 * state RUNNING, the service's current task spec; `nodeId` is given for global services only.
 */
export function newTask(context: OrchestratorContext, service: Service, slot: number, nodeId = ""): Task {
  return {
    id: newObjectId(context.random),
    version: 0,
    createdAt: context.nowMs,
    updatedAt: context.nowMs,
    serviceId: service.id,
    slot,
    nodeId,
    spec: service.spec.task,
    serviceVersion: service.version,
    status: { timestamp: context.nowMs, state: "new", message: "created", error: "", containerId: null, pid: 0, exitCode: null },
    desiredState: "running",
    name: taskDisplayName(service.spec.name, { slot, nodeId }),
  };
}

/** Whether `service` is a replicated service. */
export function isReplicated(service: Service | undefined): service is Service {
  return service !== undefined && service.spec.mode.kind === "replicated";
}

/** Whether `service` is a global service. */
export function isGlobal(service: Service | undefined): service is Service {
  return service !== undefined && service.spec.mode.kind === "global";
}

/** swarmkit's `InvalidNode`: the node is gone, down or drained. */
export function isInvalidNode(node: SwarmNode | undefined): boolean {
  return node === undefined || node.status.state === "down" || node.spec.availability === "drain";
}

/**
 * The canonical text of frozen objects (specs read from the store, which deep-freezes what it
 * holds, so their text never changes): specs are compared on every reconciliation of a service.
 * A WeakMap: an entry lives no longer than its object, so the cache is bounded by the live specs.
 */
const canonicalTextOfFrozen = new WeakMap<object, string>();

/** JSON with object keys sorted: equal values give equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object" || !Object.isFrozen(value)) return canonicalText(value);
  let text = canonicalTextOfFrozen.get(value);
  if (text === undefined) canonicalTextOfFrozen.set(value, (text = canonicalText(value)));
  return text;
}

/** {@link canonicalJson}, computed (only whole values are cached, not their parts). */
function canonicalText(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((item) => canonicalText(item)).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  return `{${keys.filter((key) => record[key] !== undefined).map((key) => `${JSON.stringify(key)}:${canonicalText(record[key])}`).join(",")}}`;
}

/** Whether two task specs are equal, field by field. */
export function taskSpecsEqual(left: TaskSpec, right: TaskSpec): boolean {
  return left === right || canonicalJson(left) === canonicalJson(right);
}

/**
 * swarmkit's `IsTaskDirty`: the task was made from a different task spec than the service's, unless
 * only the placement changed and the task's node still satisfies the new constraints.
 * (swarmkit also compares the endpoint spec; tasks here do not carry one.)
 */
export function isTaskDirty(service: Service, task: Task, node: SwarmNode | undefined): boolean {
  const wanted = service.spec.task;
  if (taskSpecsEqual(wanted, task.spec)) return false;
  const placementOnly = canonicalJson({ ...wanted, placement: task.spec.placement }) === canonicalJson(task.spec);
  if (placementOnly && node !== undefined && nodeMatchesExpressions(wanted.placement.constraints, node)) return false;
  return true;
}

/** A task's timestamp for ordering: its status timestamp (swarmkit prefers `AppliedAt`, not modelled). */
export function taskTimestamp(task: Task): number {
  return task.status.timestamp;
}

/** Orders tasks oldest first by timestamp, then by id (swarmkit's `TasksByTimestamp`, made total). */
export function compareByTimestamp(left: Task, right: Task): number {
  const difference = taskTimestamp(left) - taskTimestamp(right);
  if (difference !== 0) return difference;
  return left.id < right.id ? -1 : left.id > right.id ? 1 : 0;
}

/** The slot tuple of a task, as a string key: service and slot (replicated) or service and node (global). */
export function slotTupleKey(serviceId: string, slot: number, nodeId: string): string {
  return slot !== 0 ? `${serviceId}/slot/${slot}` : `${serviceId}/node/${nodeId}`;
}
