/**
 * A change set under construction: a {@link StoreView} of the committed state with the changes
 * made so far laid over it, so that each orchestrator step sees the steps before it (swarmkit
 * runs them as successive transactions). `changes()` compacts the result: one change per object,
 * in the order objects were first touched (create + update = create, create + delete = nothing).
 */
import { assert, fail } from "../../sim/errors.js";
import type { Collection, StoreChange, StoredObject } from "../store/changes.js";
import type { StoreView } from "../store/view.js";
import type { Cluster, NetworkAllocations, Service, SwarmNode, Task } from "../types.js";

interface Touched {
  readonly collection: Collection;
  readonly id: string;
  /** Whether the object existed in the committed state. */
  readonly existed: boolean;
  value: StoredObject<Collection> | null;
}

function keyOf(collection: Collection, id: string): string {
  return `${collection}/${id}`;
}

function byId<T extends { readonly id: string }>(objects: T[]): T[] {
  return objects.sort((left, right) => (left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
}

/** A view with pending writes. */
export class ChangeBatch implements StoreView {
  /** Touched objects by `collection/id`, in first-touch order (the order of the output). */
  private readonly touched = new Map<string, Touched>();
  /** Tasks created in this batch and still present, by id. */
  private readonly createdTasks = new Map<string, Task>();

  /** @param base - the committed state. */
  constructor(readonly base: StoreView) {}

  private current<C extends Collection>(collection: C, id: string, committed: StoredObject<C> | undefined): StoredObject<C> | undefined {
    const touched = this.touched.get(keyOf(collection, id));
    if (touched === undefined) return committed;
    return (touched.value ?? undefined) as StoredObject<C> | undefined;
  }

  private overlay<T extends Task>(tasks: T[]): Task[] {
    const result: Task[] = [];
    for (const task of tasks) {
      const touched = this.touched.get(keyOf("tasks", task.id));
      if (touched === undefined) result.push(task);
      else if (touched.value !== null) result.push(touched.value as Task);
    }
    return result;
  }

  get cluster(): Cluster | null {
    const committed = this.base.cluster;
    if (committed === null) return null;
    return this.current("cluster", committed.id, committed) ?? null;
  }
  /** The committed allocation: the orchestrators do not write it (the store advances it). */
  get networkAllocations(): NetworkAllocations | undefined {
    return this.base.networkAllocations;
  }
  node(id: string): SwarmNode | undefined {
    return this.current("nodes", id, this.base.node(id));
  }
  nodeList(): SwarmNode[] {
    return this.base.nodeList().flatMap((node) => this.current("nodes", node.id, node) ?? []);
  }
  service(id: string): Service | undefined {
    return this.current("services", id, this.base.service(id));
  }
  serviceList(): Service[] {
    return this.base.serviceList().flatMap((service) => this.current("services", service.id, service) ?? []);
  }
  task(id: string): Task | undefined {
    return this.current("tasks", id, this.base.task(id));
  }
  taskList(): Task[] {
    return byId([...this.overlay(this.base.taskList()), ...this.createdTasks.values()]);
  }
  tasksOfService(serviceId: string): Task[] {
    const created = [...this.createdTasks.values()].filter((task) => task.serviceId === serviceId);
    return byId([...this.overlay(this.base.tasksOfService(serviceId)), ...created]);
  }
  tasksOfNode(nodeId: string): Task[] {
    // Tasks never change node once assigned, so an overlaid committed task stays on its node.
    const created = [...this.createdTasks.values()].filter((task) => task.nodeId === nodeId);
    return byId([...this.overlay(this.base.tasksOfNode(nodeId)), ...created]);
  }
  tasksInSlot(serviceId: string, slot: number): Task[] {
    const created = [...this.createdTasks.values()].filter((task) => task.serviceId === serviceId && task.slot === slot);
    return byId([...this.overlay(this.base.tasksInSlot(serviceId, slot)), ...created]);
  }

  /** Creates `object` (its id must be new). */
  create<C extends Collection>(collection: C, object: StoredObject<C>): void {
    const key = keyOf(collection, object.id);
    const touched = this.touched.get(key);
    if (!(touched === undefined ? this.committed(collection, object.id) === undefined : touched.value === null && !touched.existed)) fail(`batch: create of existing ${key}`);
    if (touched === undefined) this.touched.set(key, { collection, id: object.id, existed: false, value: object });
    else touched.value = object;
    if (collection === "tasks") this.createdTasks.set(object.id, object as Task);
  }

  /** Replaces the object of the same id with `object` (it must exist). */
  update<C extends Collection>(collection: C, object: StoredObject<C>): void {
    const key = keyOf(collection, object.id);
    const touched = this.touched.get(key);
    if (touched === undefined) {
      if (!(this.committed(collection, object.id) !== undefined)) fail(`batch: update of missing ${key}`);
      this.touched.set(key, { collection, id: object.id, existed: true, value: object });
    } else {
      if (!(touched.value !== null)) fail(`batch: update of deleted ${key}`);
      touched.value = object;
    }
    if (collection === "tasks" && this.createdTasks.has(object.id)) this.createdTasks.set(object.id, object as Task);
  }

  /** Deletes object `id` (it must exist). */
  delete(collection: Collection, id: string): void {
    const key = keyOf(collection, id);
    const touched = this.touched.get(key);
    if (touched === undefined) {
      if (!(this.committed(collection, id) !== undefined)) fail(`batch: delete of missing ${key}`);
      this.touched.set(key, { collection, id, existed: true, value: null });
    } else {
      if (!(touched.value !== null)) fail(`batch: delete of deleted ${key}`);
      touched.value = null;
    }
    if (collection === "tasks") this.createdTasks.delete(id);
  }

  /** Whether nothing was written. */
  get isEmpty(): boolean {
    return this.touched.size === 0;
  }

  /** The compacted change set. */
  changes(): StoreChange[] {
    const changes: StoreChange[] = [];
    for (const { collection, id, existed, value } of this.touched.values()) {
      if (value === null) {
        if (existed) changes.push({ kind: "delete", collection, id } as StoreChange);
      } else {
        changes.push({ kind: existed ? "update" : "create", collection, object: value } as StoreChange);
      }
    }
    return changes;
  }

  private committed(collection: Collection, id: string): StoredObject<Collection> | undefined {
    switch (collection) {
      case "cluster":
        return this.base.cluster?.id === id ? this.base.cluster : undefined;
      case "nodes":
        return this.base.node(id);
      case "services":
        return this.base.service(id);
      case "tasks":
        return this.base.task(id);
    }
  }
}
