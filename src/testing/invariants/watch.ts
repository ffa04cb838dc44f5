/**
 * `watch(sim, invariants)`: runs named invariants on a live simulation. It listens to the event
 * types the invariants want (and to the fault events, to know when faults stop), hands each
 * event to them, collects their violations, and offers `check()` for the after-the-run pass.
 */
import { SimulationError } from "../../sim/errors.js";
import type { SimulationEvent, SimulationEventType } from "../../sim/events.js";
import type { SimulationListener } from "../../sim/simulation.js";
import type { Simulation } from "../../simulation.js";
import { RaftSafetyChecker } from "../../swarm/raft/index.js";
import { swarmManagerOf } from "../../swarm/raft-driver/api.js";
import { writeProbes } from "../measures.js";
import { faultEventTypes, isInjectedFault } from "./faults.js";
import { recentFaultEventsMax, type Invariant, type InvariantContext, type InvariantViolation, type RaftObserverFunction } from "./types.js";

/** Default bound `watcherViolationsMax`: most violations a watcher keeps (later ones are only counted). */
export const watcherViolationsMax = 1_000;

/** Options of {@link watch}. */
export interface WatchOptions {
  /** Throw an {@link InvariantViolationError} at the first violation (inside the run it stops the simulation as a `SimulationCrash` whose cause is that error). Default false. */
  readonly throwOnViolation?: boolean;
  /** Most violations kept. Default `watcherViolationsMax`. */
  readonly violationsMax?: number;
  /** Which events are faults (default {@link isInjectedFault}). */
  readonly isFault?: (event: SimulationEvent) => boolean;
}

/** A running watch. */
export interface Watcher {
  /** Violations found so far, oldest first; at most `violationsMax`. */
  readonly violations: readonly InvariantViolation[];
  /** Every violation found, kept or not. */
  readonly violationCount: number;
  /** Whether nothing was violated so far. */
  readonly ok: boolean;
  /** The watched invariants' names. */
  readonly names: readonly string[];
  /** Virtual time of the last fault seen, ms, or null. */
  readonly lastFaultMs: number | null;
  /** Runs every invariant's after-the-run pass over the current state; returns all violations kept. Does not advance time. */
  check(): readonly InvariantViolation[];
  /** Records a fault the event stream does not show (a container kill, a fault of your own), at the current time. */
  noteFault(): void;
  /** Stops listening; the violations stay readable. (The simulation keeps its Raft observer, which then ignores what it is fed.) */
  stop(): void;
}

/** Thrown at the first violation when `throwOnViolation` is set. */
export class InvariantViolationError extends Error {
  override name = "InvariantViolationError";
  /** The violation. */
  readonly violation: InvariantViolation;

  /** @param violation - the violation thrown. */
  constructor(violation: InvariantViolation) {
    super(`invariant ${violation.invariant} violated at ${violation.timeMs} ms (hosts ${violation.hosts.join(", ") || "none"}): ${violation.message}`);
    this.violation = violation;
  }
}

/** Forwards what `sim.watchRaftSafety` feeds to an observer (the simulator offers Raft observation through a checker). */
class ForwardingChecker extends RaftSafetyChecker {
  constructor(private readonly forward: RaftObserverFunction) {
    super();
  }

  override observe(...parameters: Parameters<RaftSafetyChecker["observe"]>): void {
    this.forward(...parameters);
  }
}

/** Formats a violation as one line: `12.345s replica-count [worker1]: ...`. */
export function formatViolation(violation: InvariantViolation): string {
  return `${(violation.timeMs / 1000).toFixed(3)}s ${violation.invariant} [${violation.hosts.join(" ")}]: ${violation.message}`;
}

/**
 * Watches a simulation with named invariants from now on. Each invariant's `observe` runs
 * inside the simulation loop for the events it wants; `check()` runs their after-the-run
 * passes. Faults are the events {@link isInjectedFault} accepts (host crashes and restarts,
 * partitions, heals, link changes, daemon and shim kills), plus those given to `noteFault`.
 *
 * @example
 * ```ts
 * const sim = Simulation.swarm({ seed: "watch", managers: 3, workers: 2 });
 * const watcher = watch(sim, allInvariants({ settleMs: 60_000 }));
 * sim.exec("manager1", "docker service create --name web --replicas 4 nginx");
 * sim.faults.crash("worker1");
 * sim.runFor(30_000);
 * sim.faults.restart("worker1");
 * sim.runFor(180_000);
 * expect(watcher.check()).toEqual([]);
 * ```
 */
export function watch(sim: Simulation, invariants: readonly Invariant[], options: WatchOptions = {}): Watcher {
  const names = invariants.map((invariant) => invariant.name);
  const violationsMax = options.violationsMax ?? watcherViolationsMax;
  const isFault = options.isFault ?? isInjectedFault;
  const violations: InvariantViolation[] = [];
  const recentFaults: SimulationEvent[] = [];
  let violationCount = 0;
  let lastFaultMs: number | null = null;
  let stopped = false;

  const contextWithoutClock: Omit<InvariantContext, "nowMs"> = {
    hostNames: () => sim.hosts().map((host) => host.name),
    hostUp: (host) => sim.hosts().some((candidate) => candidate.name === host && candidate.up),
    processes: (host) => sim.hosts().find((candidate) => candidate.name === host)?.processes() ?? [],
    managerStore: (host) => {
      const manager = swarmManagerOf(sim, host);
      return manager === null ? undefined : { incarnation: manager, state: manager.state };
    },
    clusterState: () => sim.clusterState(),
    leader: () => sim.leader(),
    appliedEntries: (host) => {
      try {
        return sim.raftApplied(host);
      } catch (error) {
        if (error instanceof SimulationError) return undefined;
        throw error;
      }
    },
    writeProbes: () => writeProbes(sim),
    lastFaultMs: () => lastFaultMs,
    recentFaultEvents: () => recentFaults.slice(),
    observeRaft: (observer) => {
      sim.watchRaftSafety(new ForwardingChecker((member, ready, status) => {
        if (!stopped) observer(member, ready, status);
      }));
    },
    report: (violation) => {
      violationCount++;
      if (violations.length < violationsMax) violations.push(violation);
      if (options.throwOnViolation === true) throw new InvariantViolationError(violation);
    },
  };
  // Defined on the object, not written as a getter in the literal: V8 makes an object literal
  // with an accessor a dictionary, and every invariant's every read of the context would then go
  // through the generic inline cache.
  Object.defineProperty(contextWithoutClock, "nowMs", { get: () => sim.now, enumerable: true });
  const context = contextWithoutClock as InvariantContext;

  const noteFaultEvent = (event: SimulationEvent) => {
    lastFaultMs = event.time;
    if (recentFaults.length >= recentFaultEventsMax) recentFaults.shift();
    recentFaults.push(event);
  };

  // One listener per event type: fault tracking first, then the invariants wanting it, in order.
  const wanted = new Map<SimulationEventType, Invariant[]>();
  for (const type of [...faultEventTypes, "process.stop" as const]) wanted.set(type, []);
  for (const invariant of invariants) {
    for (const type of invariant.eventTypes) {
      const list = wanted.get(type) ?? [];
      if (!list.includes(invariant)) list.push(invariant);
      wanted.set(type, list);
    }
  }
  const listeners: [SimulationEventType, SimulationListener<SimulationEventType>][] = [];
  for (const [type, list] of wanted) {
    const listener = (event: SimulationEvent) => {
      if (isFault(event)) noteFaultEvent(event);
      for (const invariant of list) invariant.observe?.(event, context);
    };
    listeners.push([type, listener as SimulationListener<SimulationEventType>]);
    sim.on(type, listener as SimulationListener<SimulationEventType>);
  }
  for (const invariant of invariants) invariant.start?.(context);

  return {
    get violations() {
      return violations;
    },
    get violationCount() {
      return violationCount;
    },
    get ok() {
      return violationCount === 0;
    },
    names,
    get lastFaultMs() {
      return lastFaultMs;
    },
    check() {
      for (const invariant of invariants) invariant.check?.(context);
      return violations;
    },
    noteFault() {
      lastFaultMs = sim.now;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      for (const [type, listener] of listeners) sim.off(type, listener);
    },
  };
}
