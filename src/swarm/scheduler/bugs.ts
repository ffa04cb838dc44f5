/**
 * Deliberate scheduler bugs, for mutation testing only: a property test (or
 * `examples/broken-scheduler.ts`) turns one on to check that it catches a broken scheduler and
 * shrinks the failure to a small fault schedule. Every flag is off by default, and a correct
 * simulation never turns one on.
 */

/** The bugs the scheduler's filters can be told to have (see {@link schedulerBugs}). */
export interface SchedulerBugs {
  /** ReadyFilter accepts nodes whose status is not `ready` (down or unknown), as long as their availability is `active`. */
  ignoreDownNodes: boolean;
  /** ConstraintFilter never applies: tasks are placed without regard to their placement constraints. */
  ignoreConstraints: boolean;
}

/**
 * The bugs every scheduling pass in this JavaScript realm has: a shared, mutable object that
 * exists for mutation testing only. Set a flag, run the simulations, and set it back (in a
 * `finally`): it affects every simulation running meanwhile, so never leave one on.
 *
 * @example
 * ```ts
 * schedulerBugs.ignoreDownNodes = true;
 * try { runProperty(); } finally { schedulerBugs.ignoreDownNodes = false; }
 * ```
 */
export const schedulerBugs: SchedulerBugs = { ignoreDownNodes: false, ignoreConstraints: false };
