/**
 * Results of recently applied change sets, so that the managers of a swarm share one
 * computation per Raft entry instead of repeating it on each.
 *
 * Every manager applies the same committed entries, in order, to the state the previous entries
 * made. Applying is a pure function of (state, changes, index, time), and the state is immutable,
 * so a manager whose current state is the very object another manager applied an entry to gets the
 * very result that manager got: the simulation hands it over instead of computing it again (about
 * two thirds of the store's work in a 3-manager swarm). Nothing can tell the difference: the
 * objects are frozen, equal in value to what the computation would give, and the managers still
 * apply, index and react to every entry themselves. A manager whose state is a different object
 * (restored from its own disk after a crash, say) simply computes its own result, without
 * displacing the shared one; its equal but distinct state then never matches again, which costs
 * time, never correctness.
 *
 * The results are keyed by the entry's change list (the same object on every manager: messages
 * and disks hold references, not copies) and kept for the last {@link recentResultsMax} entries applied
 * anywhere in this JavaScript realm.
 */
import type { ClusterState } from "../types.js";
import type { StoreChange } from "./changes.js";
import type { AppliedChanges } from "./apply.js";

/**
 * Bound `recentResultsMax`: change sets whose results are kept. Followers apply an entry within a
 * heartbeat of the leader, a few entries later at most, so a small number covers them; a manager
 * further behind recomputes.
 */
export const recentResultsMax = 64;

/** One remembered application: its inputs besides the changes, and its result. */
interface RecentResult {
  readonly previous: ClusterState;
  readonly raftIndex: number;
  readonly nowMs: number;
  readonly applied: AppliedChanges;
}

/** Remembered results by change list, oldest first (a `Map` keeps insertion order). */
const results = new Map<readonly StoreChange[], RecentResult>();

/** The result of applying `changes` to `previous` at `raftIndex` and `nowMs`, if it was computed recently. */
export function recentResult(previous: ClusterState, changes: readonly StoreChange[], raftIndex: number, nowMs: number): AppliedChanges | undefined {
  const found = results.get(changes);
  if (found === undefined || found.previous !== previous || found.raftIndex !== raftIndex || found.nowMs !== nowMs) return undefined;
  return found.applied;
}

/**
 * Remembers that applying `changes` to `previous` at `raftIndex` and `nowMs` gave `applied`,
 * forgetting the oldest result past the bound. The first result for a change list stays: a
 * manager with a state of its own (restored from its disk) does not displace the one the others share.
 */
export function rememberResult(previous: ClusterState, changes: readonly StoreChange[], raftIndex: number, nowMs: number, applied: AppliedChanges): void {
  if (results.has(changes)) return;
  results.set(changes, { previous, raftIndex, nowMs, applied });
  if (results.size > recentResultsMax) results.delete(results.keys().next().value!);
}

/** How many results are remembered (for tests of the bound). */
export function recentResultCount(): number {
  return results.size;
}
