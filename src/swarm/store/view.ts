/**
 * Read access to the cluster state with the task queries the orchestrators, the scheduler and
 * the dispatcher need ({@link StoreView}), and {@link ClusterStore}: the state of one manager,
 * with its indexes, advanced by applying committed change sets.
 */
import type { Cluster, ClusterState, NetworkAllocations, Service, SwarmNode, Task } from "../types.js";
import { emptyClusterState } from "../types.js";
import { applyChanges } from "./apply.js";
import { recentResult, rememberResult } from "./recent-results.js";
import type { StoreChange, StoreEvent } from "./changes.js";
import { TaskIndex } from "./indexes.js";

/** Queries over the cluster state. Lists are sorted by id. */
export interface StoreView {
  /** The cluster object, or null before the swarm is initialised. */
  readonly cluster: Cluster | null;
  /** The swarm's network allocation (advanced by the store as it applies entries), if any. */
  readonly networkAllocations: NetworkAllocations | undefined;
  /** Node `id`, if any. */
  node(id: string): SwarmNode | undefined;
  /** Every node, sorted by id. */
  nodeList(): SwarmNode[];
  /** Service `id`, if any. */
  service(id: string): Service | undefined;
  /** Every service, sorted by id. */
  serviceList(): Service[];
  /** Task `id`, if any. */
  task(id: string): Task | undefined;
  /** Every task, sorted by id (a scan: for start-up only). */
  taskList(): Task[];
  /** The tasks of service `serviceId`, sorted by id. */
  tasksOfService(serviceId: string): Task[];
  /** The tasks assigned to node `nodeId`, sorted by id. */
  tasksOfNode(nodeId: string): Task[];
  /** The tasks in slot `slot` of service `serviceId`, sorted by id. */
  tasksInSlot(serviceId: string, slot: number): Task[];
}

function byId<T extends { readonly id: string }>(objects: Iterable<T>): T[] {
  return [...objects].sort((left, right) => (left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
}

/** A {@link StoreView} of a state and an index that matches it. */
class IndexedView implements StoreView {
  constructor(
    protected stateValue: ClusterState,
    protected readonly index: TaskIndex,
  ) {}

  get cluster(): Cluster | null {
    return this.stateValue.cluster;
  }
  get networkAllocations(): NetworkAllocations | undefined {
    return this.stateValue.networkAllocations;
  }
  node(id: string): SwarmNode | undefined {
    return this.stateValue.nodes[id];
  }
  nodeList(): SwarmNode[] {
    return byId(Object.values(this.stateValue.nodes));
  }
  service(id: string): Service | undefined {
    return this.stateValue.services[id];
  }
  serviceList(): Service[] {
    return byId(Object.values(this.stateValue.services));
  }
  task(id: string): Task | undefined {
    return this.stateValue.tasks[id];
  }
  taskList(): Task[] {
    return byId(Object.values(this.stateValue.tasks));
  }
  tasksOfService(serviceId: string): Task[] {
    return this.index.serviceTaskIds(serviceId).map((id) => this.stateValue.tasks[id]!);
  }
  tasksOfNode(nodeId: string): Task[] {
    return this.index.nodeTaskIds(nodeId).map((id) => this.stateValue.tasks[id]!);
  }
  tasksInSlot(serviceId: string, slot: number): Task[] {
    return this.index.slotTaskIds(serviceId, slot).map((id) => this.stateValue.tasks[id]!);
  }
}

/** A view of `state`, indexing it first (one pass over its tasks): for tests and one-off queries. */
export function viewOf(state: ClusterState): StoreView {
  return new IndexedView(state, TaskIndex.fromState(state));
}

/** One manager's copy of the cluster state, with indexes kept up to date as change sets apply. */
export class ClusterStore extends IndexedView {
  private lastIndex: number;

  /**
   * @param state - the initial state (a restored snapshot, or the empty state).
   * @param raftIndex - the Raft index `state` reflects (0 for the empty state).
   */
  constructor(state: ClusterState = emptyClusterState, raftIndex = 0) {
    super(state, TaskIndex.fromState(state));
    this.lastIndex = raftIndex;
  }

  /** The current state (immutable: keep it as a snapshot if you like). */
  get state(): ClusterState {
    return this.stateValue;
  }

  /** The Raft index of the last change set applied. */
  get raftIndex(): number {
    return this.lastIndex;
  }

  /**
   * Applies the change set committed at `raftIndex`, proposed at `nowMs`; returns its events. When
   * another manager applied the same change set to this same state, its result is taken as it is
   * (see `recent-results.ts`).
   */
  apply(changes: readonly StoreChange[], raftIndex: number, nowMs: number): readonly StoreEvent[] {
    let applied = recentResult(this.stateValue, changes, raftIndex, nowMs);
    if (applied === undefined) {
      applied = applyChanges(this.stateValue, changes, raftIndex, nowMs);
      rememberResult(this.stateValue, changes, raftIndex, nowMs, applied);
    }
    this.stateValue = applied.state;
    this.index.apply(applied.events);
    this.lastIndex = raftIndex;
    return applied.events;
  }
}
