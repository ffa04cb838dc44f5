/**
 * Named bounds of the simulation kernel. Each bounds a queue, a history or a loop; exceeding
 * one stops the run with an error naming the bound, since it means a runaway simulation.
 */

/** The kernel's bounds; all can be changed through `new Simulation({ limits })`. */
export interface SimulationLimits {
  /** Most events queued at once. */
  readonly pendingEventsMax: number;
  /** Most hosts in one simulation. */
  readonly hostsMax: number;
  /** Most live processes on one host. */
  readonly processesPerHostMax: number;
  /** Most keys on one host's disk. */
  readonly diskEntriesMax: number;
  /** Most events processed at one instant of virtual time in a row: more means a zero-delay loop. */
  readonly eventsPerInstantMax: number;
  /** Virtual time `runUntil` waits when no `timeoutMs` is given, in ms. */
  readonly runUntilTimeoutMsDefault: number;
}

/** The default bounds. */
export const defaultLimits: SimulationLimits = {
  pendingEventsMax: 10_000_000,
  hostsMax: 100_000,
  processesPerHostMax: 100_000,
  diskEntriesMax: 1_000_000,
  eventsPerInstantMax: 1_000_000,
  runUntilTimeoutMsDefault: 3_600_000,
};
