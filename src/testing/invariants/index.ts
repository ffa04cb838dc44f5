/**
 * The named invariants of `swarmsim/testing`: the `invariants` collection of factories, each
 * making a fresh checker (`invariants.taskImmutability()`), `allInvariants(options)` for every
 * one of them, and `watch(sim, invariants)` to run them on a live simulation.
 */
import { acknowledgedWritesKept, type AcknowledgedWritesOptions } from "./writes.js";
import { constraintsRespected, reservationsFit } from "./placement.js";
import { containerHasShim } from "./shims.js";
import { convergenceAfterHeal } from "./convergence.js";
import { globalCount, replicaCount } from "./counts.js";
import { raftSafety, type RaftSafetyOptions } from "./raft-safety.js";
import { taskImmutability, taskStatesForward } from "./tasks.js";
import type { Invariant, InvariantOptions } from "./types.js";

export { watch, formatViolation, InvariantViolationError, watcherViolationsMax, type Watcher, type WatchOptions } from "./watch.js";
export { isInjectedFault, faultEventTypes } from "./faults.js";
export { settleMsDefault, quietSinceMs, clusterShortfall, serviceShortfall } from "./desired.js";
export { convergenceWithinMsDefault, type ConvergenceOptions } from "./convergence.js";
export { acknowledgedEntriesTrackedMax, type AcknowledgedWritesOptions } from "./writes.js";
export { pendingShimChecksMax } from "./shims.js";
export type { CountOptions } from "./counts.js";
export type { RaftSafetyOptions } from "./raft-safety.js";
export {
  invariantViolationsMax,
  recentFaultEventsMax,
  violationEventsMax,
  type Invariant,
  type InvariantContext,
  type InvariantName,
  type InvariantOptions,
  type InvariantViolation,
  type ManagerStore,
  type RaftObserverFunction,
} from "./types.js";

/**
 * The built-in invariants, by factory. Each call makes a fresh, independent checker.
 *
 * @example
 * ```ts
 * const watcher = watch(sim, [invariants.taskImmutability(), invariants.replicaCount({ settleMs: 30_000 })]);
 * ```
 */
export const invariants = {
  raftSafety,
  taskImmutability,
  taskStatesForward,
  replicaCount,
  globalCount,
  constraintsRespected,
  reservationsFit,
  acknowledgedWritesKept,
  containerHasShim,
  convergenceAfterHeal,
} as const;

/** Options of {@link allInvariants}: the union of the factories' options. */
export interface AllInvariantsOptions extends InvariantOptions {
  /** Settle window of `replica-count` and `global-count`, virtual ms. */
  readonly settleMs?: number;
  /** Deadline of `convergence-after-heal` after the last fault, virtual ms. */
  readonly convergenceWithinMs?: number;
  /** Bounds of the wrapped Raft checker. */
  readonly raftChecker?: RaftSafetyOptions["checker"];
  /** Most applied indexes `acknowledged-writes-kept` remembers. */
  readonly trackedEntriesMax?: AcknowledgedWritesOptions["trackedEntriesMax"];
}

/**
 * A fresh checker of every built-in invariant, in a fixed order: raft-safety, task-immutability,
 * task-states-forward, replica-count, global-count, constraints-respected, reservations-fit,
 * acknowledged-writes-kept, container-has-shim, convergence-after-heal.
 *
 * @example
 * ```ts
 * const watcher = watch(sim, allInvariants({ settleMs: 60_000, convergenceWithinMs: 120_000 }));
 * ```
 */
export function allInvariants(options: AllInvariantsOptions = {}): Invariant[] {
  const base: InvariantOptions = options.violationsMax === undefined ? {} : { violationsMax: options.violationsMax };
  const counts = { ...base, ...(options.settleMs === undefined ? {} : { settleMs: options.settleMs }) };
  return [
    raftSafety({ ...base, ...(options.raftChecker === undefined ? {} : { checker: options.raftChecker }) }),
    taskImmutability(base),
    taskStatesForward(base),
    replicaCount(counts),
    globalCount(counts),
    constraintsRespected(base),
    reservationsFit(base),
    acknowledgedWritesKept({ ...base, ...(options.trackedEntriesMax === undefined ? {} : { trackedEntriesMax: options.trackedEntriesMax }) }),
    containerHasShim(base),
    convergenceAfterHeal({ ...base, ...(options.convergenceWithinMs === undefined ? {} : { withinMs: options.convergenceWithinMs }) }),
  ];
}
