/**
 * Deliberate scheduler bugs, for mutation testing only: a property test (or
 * `examples/broken-scheduler.ts`) gives a simulation's managers one, through
 * `Simulation.swarm({ engine: { schedulerBugs: { ignoreDownNodes: true } } })`, to check that it
 * catches a broken scheduler and shrinks the failure to a small fault schedule. Every flag is off
 * by default, and it concerns only the simulation it is given to (like Raft's `bugs`).
 */

/** The bugs the scheduler's filters can be told to have. */
export interface SchedulerBugs {
  /** ReadyFilter accepts nodes whose status is not `ready` (down or unknown), as long as their availability is `active`. */
  readonly ignoreDownNodes?: boolean;
  /** ConstraintFilter never applies: tasks are placed without regard to their placement constraints. */
  readonly ignoreConstraints?: boolean;
}

/** No bugs: the scheduler as swarmkit's. */
export const noSchedulerBugs: SchedulerBugs = {};
