/**
 * The shapes shared by the named invariants of `swarmsim/testing`: an {@link Invariant} (a named,
 * stateful checker fed with simulation events and able to run an after-the-run pass), the
 * {@link InvariantViolation} value it reports, and the {@link InvariantContext} through which it
 * reads the simulation. The context is an interface so that a test can feed an invariant a
 * hand-made trace and a hand-made state without a simulation.
 */
import type { ProcessInfo } from "../../sim/process.js";
import type { SimulationEvent, SimulationEventType } from "../../sim/events.js";
import type { Ready, RaftStatus } from "../../swarm/raft/index.js";
import type { ClusterState } from "../../swarm/types.js";
import type { WriteProbeRecord } from "../measures.js";
import "../../swarm/raft-driver/events.js";
import "../../containerd/events.js";

/** The stable names of the built-in invariants. */
export type InvariantName =
  | "raft-safety"
  | "task-immutability"
  | "task-states-forward"
  | "replica-count"
  | "global-count"
  | "constraints-respected"
  | "reservations-fit"
  | "acknowledged-writes-kept"
  | "container-has-shim"
  | "convergence-after-heal";

/** One broken invariant, as a value. */
export interface InvariantViolation {
  /** The invariant's name (e.g. `"task-immutability"`). */
  readonly invariant: string;
  /** Virtual time at which the violation was found, ms. */
  readonly timeMs: number;
  /** The hosts involved (sorted, without repeats). */
  readonly hosts: readonly string[];
  /** The events that show it (the one that revealed it last), at most `violationEventsMax`. */
  readonly events: readonly SimulationEvent[];
  /** A readable explanation naming the objects involved. */
  readonly message: string;
}

/** Bound `violationEventsMax`: most events attached to one violation. */
export const violationEventsMax = 16;

/** Bound `recentFaultEventsMax`: most recent fault events a watcher keeps (to attach to liveness violations). */
export const recentFaultEventsMax = 16;

/** A manager's store and the process incarnation holding it (a new incarnation replays its log from the start). */
export interface ManagerStore {
  /** Any value that changes when the manager process restarts (the process object itself). */
  readonly incarnation: unknown;
  /** The store's content after its latest applied entry. */
  readonly state: ClusterState;
}

/** What a Raft observer receives: a member's persisted Ready (null when only its status changed) and its status. */
export type RaftObserverFunction = (member: string, ready: Ready | null, status: RaftStatus) => void;

/**
 * What an invariant may read and do. {@link watch} builds one over a `Simulation`; tests may
 * build one by hand. Every read is cheap and none advances time.
 */
export interface InvariantContext {
  /** The current virtual time, ms. */
  readonly nowMs: number;
  /** Every host's name, in the order they were added. */
  hostNames(): readonly string[];
  /** Whether the host is powered on. */
  hostUp(host: string): boolean;
  /** The live processes of a host (name, pid, parent's name). */
  processes(host: string): readonly ProcessInfo[];
  /** The store of the swarm manager on `host`, or undefined when none runs there. */
  managerStore(host: string): ManagerStore | undefined;
  /** The store of the most up-to-date live manager, or undefined when none runs. */
  clusterState(): ClusterState | undefined;
  /** The live Raft leader of the highest term, or undefined. */
  leader(): { readonly host: string; readonly term: number } | undefined;
  /** The proposals a Raft-only member applied, in log order; undefined when the host runs none. */
  appliedEntries(host: string): readonly { readonly index: number; readonly term: number; readonly data: unknown }[] | undefined;
  /** The record of the latest `probeWrites` call on the simulation, if any. */
  writeProbes(): WriteProbeRecord | undefined;
  /** Virtual time of the latest fault the watcher saw, ms; null when none was seen. */
  lastFaultMs(): number | null;
  /** The latest fault events seen, oldest first, at most `recentFaultEventsMax`. */
  recentFaultEvents(): readonly SimulationEvent[];
  /** Registers a Raft observer (every member's persisted Readies from now on). */
  observeRaft(observer: RaftObserverFunction): void;
  /** Reports a violation. */
  report(violation: InvariantViolation): void;
}

/**
 * A named checker. A fresh one is made per watched simulation by a factory of `invariants`;
 * it keeps its own bounded state. `observe` is called, in order, for every event of one of
 * `eventTypes` (keep it cheap: it runs inside the simulation loop); `check` is the
 * after-the-run (or on-demand) pass.
 */
export interface Invariant {
  /** The stable name, used in every violation. */
  readonly name: string;
  /** One sentence saying what is checked. */
  readonly description: string;
  /** The event types `observe` wants. */
  readonly eventTypes: readonly SimulationEventType[];
  /** Called once, when the watcher starts. */
  start?(context: InvariantContext): void;
  /** Called for each event of `eventTypes`, after the simulation applied it. */
  observe?(event: SimulationEvent, context: InvariantContext): void;
  /** The after-the-run pass over the current state. */
  check?(context: InvariantContext): void;
}

/** Options every invariant factory takes. */
export interface InvariantOptions {
  /** Most distinct violations one invariant reports (later ones are dropped). Default `invariantViolationsMax`. */
  readonly violationsMax?: number;
}

/** Default bound `invariantViolationsMax`: most distinct violations one invariant reports. */
export const invariantViolationsMax = 100;

/** Sorted, distinct host names. */
export function hostList(hosts: Iterable<string>): string[] {
  return [...new Set(hosts)].sort();
}

/** Keeps the last `violationEventsMax` events. */
export function eventList(events: readonly SimulationEvent[]): SimulationEvent[] {
  return events.slice(Math.max(0, events.length - violationEventsMax));
}

/**
 * Reports each distinct violation once: a small helper the invariants share. A key names what
 * is broken (`task/<id>/node`); a key already reported is not reported again (until forgotten),
 * and at most `violationsMax` violations are reported in all (later ones are dropped).
 */
export class ViolationReporter {
  private readonly reported = new Set<string>();
  private readonly violationsMax: number;
  /** Violations reported so far (forgotten keys included), never more than `violationsMax`. */
  private reportedCount = 0;

  /** @param name - the invariant's name; @param options - its bounds. */
  constructor(
    private readonly name: string,
    options: InvariantOptions = {},
  ) {
    this.violationsMax = options.violationsMax ?? invariantViolationsMax;
  }

  /** Reports through `context` unless `key` was reported already or the bound is reached. Returns whether it reported. */
  report(context: InvariantContext, key: string, fields: { readonly hosts: Iterable<string>; readonly events: readonly SimulationEvent[]; readonly message: string }): boolean {
    if (this.reported.has(key) || this.reportedCount >= this.violationsMax) return false;
    this.reported.add(key);
    this.reportedCount++;
    context.report({ invariant: this.name, timeMs: context.nowMs, hosts: hostList(fields.hosts), events: eventList(fields.events), message: fields.message });
    return true;
  }

  /** Forgets a key, so the same breakage may be reported again (a new episode). */
  forget(key: string): void {
    this.reported.delete(key);
  }
}
