/**
 * Follows each manager's store from one applied entry to the next, so store-derived invariants
 * see every change of every task (old and new version) as each member applies it. A member
 * whose manager process restarted replays its log from the start: its history is dropped and
 * followed again from the new incarnation.
 */
import type { SimulationEvent } from "../../sim/events.js";
import type { ClusterState, Task } from "../../swarm/types.js";
import type { InvariantContext } from "./types.js";

/** What a store-diff callback receives about one changed task. */
export interface TaskChange {
  /** The manager whose store changed. */
  readonly member: string;
  /** The task before the change, or undefined when it is new. */
  readonly before: Task | undefined;
  /** The task after the change. */
  readonly after: Task;
  /** The member's whole store after the change. */
  readonly state: ClusterState;
  /** The event that revealed the change. */
  readonly event: SimulationEvent;
}

/** The stores last seen, per manager host (one entry per host: bounded by the number of hosts). */
export class StoreFollower {
  private readonly seen = new Map<string, { readonly incarnation: unknown; readonly state: ClusterState }>();

  /**
   * Reads the store of the member named by a `raft.commit` event and calls `onTask` for each
   * task that is new or changed since the previous call for that member (nothing on the first
   * call for an incarnation). Returns the store read, or undefined when no manager runs there.
   */
  follow(event: SimulationEvent, context: InvariantContext, onTask: (change: TaskChange) => void): ClusterState | undefined {
    if (event.type !== "raft.commit") return undefined;
    const member = event.host;
    const store = context.managerStore(member);
    if (store === undefined) return undefined;
    const previous = this.seen.get(member);
    this.seen.set(member, { incarnation: store.incarnation, state: store.state });
    if (previous === undefined || previous.incarnation !== store.incarnation) return store.state;
    const beforeTasks = previous.state.tasks;
    const afterTasks = store.state.tasks;
    if (beforeTasks === afterTasks) return store.state;
    for (const [id, after] of Object.entries(afterTasks)) {
      const before = beforeTasks[id];
      if (before !== after) onTask({ member, before, after, state: store.state, event });
    }
    return store.state;
  }
}

/** The hostname of a node of the store, or the node id when the store does not know it. */
export function nodeHost(state: ClusterState, nodeId: string): string {
  return state.nodes[nodeId]?.description.hostname ?? nodeId;
}
