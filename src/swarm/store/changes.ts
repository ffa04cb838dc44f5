/**
 * The store's change sets and change events. A change set is plain JSON (it travels through the
 * Raft log): each change creates, updates or deletes one object of one collection. Applying a
 * change set yields one event per change, carrying the object before and after, which the
 * orchestrators, the scheduler and the dispatcher watch (swarmkit's `api.EventCreateTask`...).
 */
import type { Cluster, Service, SwarmNetwork, SwarmNode, Task } from "../types.js";

/** The collections of the cluster state (`cluster` holds the single cluster object). */
export type Collection = "cluster" | "nodes" | "services" | "tasks" | "networks";

/** The collections, in a fixed order. */
export const collections: readonly Collection[] = ["cluster", "nodes", "services", "tasks", "networks"];

/** The object type each collection stores. */
export interface StoredObjects {
  readonly cluster: Cluster;
  readonly nodes: SwarmNode;
  readonly services: Service;
  readonly tasks: Task;
  readonly networks: SwarmNetwork;
}

/** An object of collection `C`. */
export type StoredObject<C extends Collection> = StoredObjects[C];

/**
 * One change: create or update carry the whole new object (its `version`, `createdAt` and
 * `updatedAt` are set by the store when applied); delete carries the id.
 */
export type StoreChange = {
  [C in Collection]:
    | { readonly kind: "create"; readonly collection: C; readonly object: StoredObject<C> }
    | { readonly kind: "update"; readonly collection: C; readonly object: StoredObject<C> }
    | { readonly kind: "delete"; readonly collection: C; readonly id: string };
}[Collection];

/** What happened to one object when a change set was applied. */
export type StoreEvent = {
  [C in Collection]:
    | { readonly kind: "create"; readonly collection: C; readonly before: null; readonly after: StoredObject<C> }
    | { readonly kind: "update"; readonly collection: C; readonly before: StoredObject<C>; readonly after: StoredObject<C> }
    | { readonly kind: "delete"; readonly collection: C; readonly before: StoredObject<C>; readonly after: null };
}[Collection];

/** The id a change is about. */
export function changeId(change: StoreChange): string {
  return change.kind === "delete" ? change.id : change.object.id;
}

/** A change creating `object` in `collection`. */
export function createChange<C extends Collection>(collection: C, object: StoredObject<C>): StoreChange {
  return { kind: "create", collection, object } as StoreChange;
}

/** A change replacing the object of the same id in `collection` with `object`. */
export function updateChange<C extends Collection>(collection: C, object: StoredObject<C>): StoreChange {
  return { kind: "update", collection, object } as StoreChange;
}

/** A change deleting object `id` from `collection`. */
export function deleteChange(collection: Collection, id: string): StoreChange {
  return { kind: "delete", collection, id } as StoreChange;
}
