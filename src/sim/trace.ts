/**
 * The trace: the ordered list of typed events of a run, bounded, with a running stable hash.
 * The hash covers every event ever recorded (also those the bound has since evicted), so two
 * runs with the same seed and code have the same hash, byte for byte.
 */
import { SimulationError } from "./errors.js";
import type { SimulationEvent } from "./events.js";
import { StableHash } from "./hash.js";

/**
 * How much the trace records:
 * - `"all"`: every event, messages and timer firings included (the default);
 * - `"lifecycle"`: everything but message deliveries, drops and timer firings;
 * - `"off"`: nothing (fastest; listeners registered with `Simulation.on` still receive events).
 */
export type TraceLevel = "all" | "lifecycle" | "off";

/** Trace settings. */
export interface TraceOptions {
  /** How much to record; default `"all"`. */
  readonly level?: TraceLevel;
  /** Bound `traceEventsMax`: how many of the newest events are kept; older ones are evicted (still hashed). Default 100,000. */
  readonly eventsMax?: number;
}

/** Default bound on retained trace events. */
export const defaultTraceEventsMax = 100_000;

/** Records events in order, keeps the newest `eventsMax`, and hashes all of them. */
export class Trace {
  /** The level in force. */
  readonly level: TraceLevel;
  /** Bound `traceEventsMax`. */
  readonly eventsMax: number;
  private events: SimulationEvent[] = [];
  private readonly hash = new StableHash();
  private recordedCount = 0;

  constructor(options: TraceOptions = {}) {
    const level = options.level ?? "all";
    if (level !== "all" && level !== "lifecycle" && level !== "off") {
      throw new SimulationError(`invalid trace level ${JSON.stringify(level)}: expected "all", "lifecycle" or "off"`);
    }
    const eventsMax = options.eventsMax ?? defaultTraceEventsMax;
    if (!Number.isInteger(eventsMax) || eventsMax < 1) {
      throw new SimulationError(`invalid trace eventsMax ${eventsMax}: expected a positive integer`);
    }
    this.level = level;
    this.eventsMax = eventsMax;
  }

  /** Whether kernel events (messages, timers) are recorded. */
  get recordsKernelEvents(): boolean {
    return this.level === "all";
  }

  /** Whether lifecycle events are recorded. */
  get recordsLifecycleEvents(): boolean {
    return this.level !== "off";
  }

  /** How many events were recorded since the start, evicted ones included. */
  get count(): number {
    return this.recordedCount;
  }

  /** How many recorded events the bound has evicted. */
  get evictedCount(): number {
    this.trim();
    return this.recordedCount - this.events.length;
  }

  /** Appends an event and feeds it to the hash. */
  record(event: SimulationEvent): void {
    this.recordedCount++;
    this.hash.update(JSON.stringify(event));
    this.events.push(event);
    // Trim in chunks so that appending stays amortised O(1).
    if (this.events.length >= this.eventsMax + Math.max(1, this.eventsMax >> 2)) this.trim();
  }

  /** The retained events, oldest first (at most `eventsMax`). */
  list(): readonly SimulationEvent[] {
    this.trim();
    return this.events;
  }

  /** The hash of every event recorded so far, as 16 hexadecimal digits. */
  digest(): string {
    return this.hash.digest();
  }

  private trim(): void {
    const excess = this.events.length - this.eventsMax;
    if (excess > 0) this.events = this.events.slice(excess);
  }
}
