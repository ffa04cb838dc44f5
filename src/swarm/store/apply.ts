/**
 * Applying a change set to the cluster state: validation, then one copy-on-write step that writes
 * every changed object with `version` set to the Raft index of the entry and `updatedAt` to the
 * proposer's time (swarmkit's `touchMeta`). The step shares structure as immer's `produce`
 * would (each touched collection is copied once, everything else is kept) and deep-freezes the
 * new objects as immer's `freeze` does (`deepFreeze`), without `produce`'s drafts and finalizing walk, which cost
 * more than the rest of applying an entry on every manager. The rules a change must keep (a task never moves to
 * another node once assigned, its state and desired state never move backwards, ids exist or do
 * not) are programmer errors when broken: `applyChanges` throws an assertion. The leader can ask
 * {@link checkChanges} first, which also reports stale versions (swarmkit's `ErrSequenceConflict`).
 * After the objects are written, the network allocation is advanced for the entry's events
 * (`swarm/network/allocation.ts`), the same on every manager.
 */
import { freeze } from "immer";
import { assert, fail } from "../../sim/errors.js";
import { taskStates, type ClusterState, type Task } from "../types.js";
import type { Collection, StoreChange, StoreEvent, StoredObject } from "./changes.js";
import { allocateNetworks } from "../network/allocation.js";

/** The result of applying a change set. */
export interface AppliedChanges {
  /** The new state (the old one is unchanged). */
  readonly state: ClusterState;
  /** One event per change, in the order of the changes. */
  readonly events: readonly StoreEvent[];
}

/** Options of {@link checkChanges}. */
export interface CheckOptions {
  /**
   * Refuse an update whose object's `version` differs from the stored one: it was made from a
   * stale copy (swarmkit's `ErrSequenceConflict`). Default false.
   */
  readonly checkVersions?: boolean;
}

type AnyObject = StoredObject<Collection>;

/** The stored object `id` of `collection` in `state`, or null. */
export function lookup(state: ClusterState, collection: Collection, id: string): AnyObject | null {
  if (collection === "cluster") return state.cluster !== null && state.cluster.id === id ? state.cluster : null;
  return state[collection]?.[id] ?? null;
}

function keyOf(collection: Collection, id: string): string {
  return `${collection}/${id}`;
}

/** How a problem names its change (built only when there is a problem: most changes have none). */
function labelOf(change: StoreChange): string {
  return `${change.kind} ${change.collection}/${change.kind === "delete" ? change.id : change.object.id}`;
}

/** Why `change` cannot apply to an object currently `before` (null when absent), or null when it can. */
function problemOf(before: AnyObject | null, change: StoreChange, state: ClusterState, checkVersions: boolean): string | null {
  if (change.kind === "delete") return before === null ? `${labelOf(change)}: no such object` : null;
  if (typeof change.object.id !== "string" || change.object.id === "") return `${labelOf(change)}: the object has no id`;
  if (change.kind === "create") {
    if (before !== null) return `${labelOf(change)}: the id already exists`;
    if (change.collection === "cluster" && state.cluster !== null && state.cluster.id !== change.object.id) return `${labelOf(change)}: a cluster object already exists`;
    return null;
  }
  if (before === null) return `${labelOf(change)}: no such object`;
  if (checkVersions && change.object.version !== before.version) return `${labelOf(change)}: stale version ${change.object.version} (stored ${before.version})`;
  if (change.collection === "tasks") {
    const problem = taskProblem(before as Task, change.object);
    return problem === null ? null : `${labelOf(change)}: ${problem}`;
  }
  return null;
}

/** The rules of a task update (swarmkit's design/task_model.md: tasks are immutable once assigned, states only move forward). */
function taskProblem(before: Task, after: Task): string | null {
  if (after.serviceId !== before.serviceId) return `serviceId changed from ${before.serviceId} to ${after.serviceId}`;
  if (after.slot !== before.slot) return `slot changed from ${before.slot} to ${after.slot}`;
  if (before.nodeId !== "" && after.nodeId !== before.nodeId) return `nodeId changed from ${before.nodeId} to ${after.nodeId || '""'} once assigned`;
  if (taskStates[after.status.state] < taskStates[before.status.state]) return `state moved backwards from ${before.status.state} to ${after.status.state}`;
  if (taskStates[after.desiredState] < taskStates[before.desiredState]) return `desiredState moved backwards from ${before.desiredState} to ${after.desiredState}`;
  return null;
}

/**
 * Every reason `changes` cannot apply to `state`, in order (empty when they can). Changes are
 * checked in sequence, each against the result of the ones before it.
 */
export function checkChanges(state: ClusterState, changes: readonly StoreChange[], options: CheckOptions = {}): string[] {
  const working = new Map<string, AnyObject | null>();
  const problems: string[] = [];
  for (const change of changes) {
    const id = change.kind === "delete" ? change.id : change.object.id;
    const key = keyOf(change.collection, id);
    const before = working.has(key) ? working.get(key)! : lookup(state, change.collection, id);
    const problem = problemOf(before, change, state, options.checkVersions ?? false);
    if (problem !== null) {
      problems.push(problem);
      continue;
    }
    working.set(key, change.kind === "delete" ? null : change.object);
  }
  return problems;
}

/**
 * Applies `changes` in order to `state`, as the Raft entry at `raftIndex` proposed at `nowMs`
 * (the proposer's virtual time, carried in the entry, so that every manager writes the same
 * timestamps). Created objects get `version = raftIndex`, `createdAt = updatedAt = nowMs`;
 * updated ones keep `createdAt` and get `version = raftIndex`, `updatedAt = nowMs`. Throws an
 * assertion, changing nothing, when a change breaks a rule.
 */
export function applyChanges(state: ClusterState, changes: readonly StoreChange[], raftIndex: number, nowMs: number): AppliedChanges {
  const working = new Map<string, { readonly collection: Collection; readonly id: string; readonly value: AnyObject | null }>();
  const events: StoreEvent[] = [];
  for (const change of changes) {
    const id = change.kind === "delete" ? change.id : change.object.id;
    const key = keyOf(change.collection, id);
    const before = working.has(key) ? working.get(key)!.value : lookup(state, change.collection, id);
    const problem = problemOf(before, change, state, false);
    if (!(problem === null)) fail(`store change refused at raft index ${raftIndex}: ${problem}`);
    if (change.kind === "delete") {
      working.set(key, { collection: change.collection, id, value: null });
      events.push({ kind: "delete", collection: change.collection, before: before!, after: null } as StoreEvent);
      continue;
    }
    const createdAt = change.kind === "create" ? nowMs : before!.createdAt;
    const after = { ...change.object, version: raftIndex, createdAt, updatedAt: nowMs } as AnyObject;
    working.set(key, { collection: change.collection, id, value: after });
    events.push({ kind: change.kind, collection: change.collection, before, after } as StoreEvent);
  }
  const written = writeObjects(state, working.values());
  // Frozen like the state: every manager that applies this change set may be handed these events (recent-results.ts).
  return { state: allocateNetworks(written, events, nowMs), events: Object.freeze(events) };
}

/**
 * `value` deep-frozen, as immer's `freeze(value, true)` leaves it, for the plain JSON objects the
 * store holds, at less cost: no per-object key array, no draft checks. A frozen object is not
 * walked (it was frozen whole: the unchanged parts of a new version are shared with the old).
 * Anything but a plain object or array (never stored, as entries are JSON) goes to immer.
 */
function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    Object.freeze(value);
    for (const item of value) deepFreeze(item);
    return value;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return freeze(value, true);
  Object.freeze(value);
  const record = value as Record<string, unknown>;
  for (const key in record) deepFreeze(record[key]);
  return value;
}

/** `state` with `writes` made: each touched collection copied once, the new objects and containers frozen. */
function writeObjects(
  state: ClusterState,
  writes: Iterable<{ readonly collection: Collection; readonly id: string; readonly value: AnyObject | null }>,
): ClusterState {
  let cluster = state.cluster;
  const copies = new Map<Exclude<Collection, "cluster">, Record<string, AnyObject>>();
  for (const { collection, id, value } of writes) {
    if (collection === "cluster") {
      cluster = value === null ? null : deepFreeze(value as StoredObject<"cluster">);
      continue;
    }
    let copy = copies.get(collection);
    if (copy === undefined) copies.set(collection, (copy = { ...((state[collection] ?? {}) as Record<string, AnyObject>) }));
    if (value === null) delete copy[id];
    else copy[id] = deepFreeze(value);
  }
  const next: Record<string, unknown> = { ...state, cluster };
  for (const [collection, copy] of copies) next[collection] = Object.freeze(copy);
  return Object.freeze(next) as unknown as ClusterState;
}
