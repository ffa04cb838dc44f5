/**
 * Error values of the simulator.
 *
 * Two kinds, kept apart on purpose: a {@link SimulationError} is bad input from a user
 * (an unknown host, an invalid option) and changes nothing; a {@link SimulationCrash} is a
 * bug inside the simulator or inside a process, and stops the run loudly with the seed
 * that reproduces it.
 */

/** Bad input from a user: an unknown host, an invalid option, a call made at the wrong time. Nothing was changed. */
export class SimulationError extends Error {
  override name = "SimulationError";
}

/** Where a crash happened, so that it can be replayed. */
export interface CrashContext {
  /** The seed of the simulation that crashed. */
  readonly seed: string;
  /** The virtual time of the crash, in milliseconds since the start. */
  readonly timeMs: number;
  /** How many events the simulation had processed before the crash. */
  readonly eventCount: number;
}

/**
 * An invariant of the simulator was broken, or a process threw while handling an event.
 * The run cannot go on; the message names the seed, the virtual time and the event number.
 */
export class SimulationCrash extends Error {
  override name = "SimulationCrash";
  /** Where the crash happened. */
  readonly context: CrashContext;

  constructor(message: string, context: CrashContext, options?: { cause?: unknown }) {
    super(
      `${message} (seed ${JSON.stringify(context.seed)}, time ${context.timeMs}ms, event #${context.eventCount}; ` +
        `replay with the same seed to reproduce)`,
      options,
    );
    this.context = context;
  }
}

/** A broken internal invariant. Thrown by {@link assert}; the simulation loop adds the seed and time. */
export class AssertionFailure extends Error {
  override name = "AssertionFailure";
}

/** Stops the run when `condition` is false: a bug in the simulator, never a user error. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionFailure(`assertion failed: ${message}`);
}

/**
 * Stops the run: a broken invariant. Use as `if (!condition) fail(\`...\`)` where the message is
 * a template string, so the string is only built when the check fails (hot paths).
 */
export function fail(message: string): never {
  throw new AssertionFailure(`assertion failed: ${message}`);
}

/** Throws the loud error for a named bound that was exceeded. */
export function boundExceeded(boundName: string, limit: number, what: string): never {
  throw new AssertionFailure(`bound ${boundName} (${limit}) exceeded: ${what}`);
}
