/**
 * Time travel for a `Simulation`: a bounded history of world states (`stateAt`, `diff`) and a
 * bounded log of every external input (`fork`).
 *
 * History: processes, host power, network faults and Raft events mark the world changed; when the clock is about
 * to leave an instant at which something changed, a `WorldState` is kept (so a kept state is the
 * state at the end of its instant, and holds until the next one). Unchanged hosts, Raft members
 * and store objects are shared between kept states.
 *
 * Fork: processes hold closures, so live objects cannot be copied. Instead every input the
 * simulation receives from outside (runs, command lines, Engine API requests, faults, hosts,
 * Raft proposals) is logged, and `fork()` builds a new simulation with the same options and seed
 * and replays the log: the copy has the same trace hash, then goes its own way. Inputs that run
 * the caller's own code (`spawn`, `schedule`, faults injected from a listener) cannot be replayed,
 * so after one of them `fork()` is refused with the reason.
 */
import "../swarm/raft-driver/events.js";
import { SimulationError } from "../sim/errors.js";
import type { SimulationEventType } from "../sim/events.js";
import { EngineClient, forwardingStream, type EngineStream } from "../engine/client.js";
import type { HttpRequest } from "../engine/api/http.js";
import type { Simulation, SimulationOptions, SwarmOptions } from "../simulation.js";
import { captureNetworkState, captureWorldState, healthyNetworkState, type NetworkState, type WorldState } from "./world-state.js";
import { diffWorldStates, type WorldChange } from "./diff.js";

/** Options for the kept history: `new Simulation({ history: { snapshotsMax, inputsMax } })`. */
export interface HistoryOptions {
  /**
   * Bound `historySnapshotsMax`: most world states kept for `stateAt` and `diff`; past it the
   * oldest are dropped. 0 turns the history off. Default {@link defaultHistoryOptions}.
   */
  readonly snapshotsMax?: number;
  /**
   * Bound `historyInputsMax`: most external inputs logged for `fork`; past it `fork()` is refused
   * (a replay needs every input). 0 turns the input log off. Default {@link defaultHistoryOptions}.
   */
  readonly inputsMax?: number;
}

/** The default history bounds: 2,000 kept world states, 100,000 logged inputs. */
export const defaultHistoryOptions: Required<HistoryOptions> = { snapshotsMax: 2_000, inputsMax: 100_000 };

/** What the kept history holds now (`sim.historyInfo`). */
export interface HistoryInfo {
  /** The `historySnapshotsMax` bound in force. */
  readonly snapshotsMax: number;
  /** World states kept now. */
  readonly snapshotCount: number;
  /** World states dropped so far because of the bound. */
  readonly droppedCount: number;
  /** The virtual time of the oldest kept state, ms, or null when none is kept. */
  readonly oldestTimeMs: number | null;
  /** The `historyInputsMax` bound in force. */
  readonly inputsMax: number;
  /** Inputs logged for `fork`. */
  readonly inputCount: number;
  /** Why `fork()` would be refused, or null when it is possible. */
  readonly forkRefusal: string | null;
}

/** One logged external input. */
interface LoggedInput {
  /** What received it: the simulation, `sim.faults`, or an Engine API client (`args` is `[host, request]`). */
  readonly target: "simulation" | "faults" | "engine";
  /** The method called. */
  readonly method: string;
  /** Its arguments (a runUntil condition is not kept: it is replayed by event count). */
  readonly args: readonly unknown[];
  /** Whether the call threw (a replay must throw too, and goes on). */
  threw: boolean;
  /** runUntil: the event count when it returned. */
  eventCount: number;
  /** runUntil: the virtual time when it returned, ms. */
  timeMs: number;
}

/** How the simulation was built: replayed first by `fork`. */
type Origin = { readonly kind: "new"; readonly options: SimulationOptions } | { readonly kind: "swarm"; readonly options: SwarmOptions };

type AnyMethod = (...args: unknown[]) => unknown;
type MethodHolder = Record<string, unknown>;

/** Simulation methods replayed by `fork` (called again with the same arguments). */
const replayedMethods = ["runFor", "runUntil", "step", "addHost", "exec", "stopProcess", "raftPropose", "raftAddMember", "raftRemoveMember"] as const;
/** Simulation methods that run the caller's own code: after one, `fork` is refused. */
const unreplayableMethods = ["spawn", "schedule"] as const;
/** Methods that only advance time: allowed from inside a logged input. */
const advancingMethods: ReadonlySet<string> = new Set(["runFor", "runUntil", "step"]);
/** Events after which a host's part of the world changed. */
const hostEventTypes: readonly SimulationEventType[] = ["host.add", "host.crash", "host.restart", "process.start", "process.stop"];
/** Events after which Raft or the store changed. */
const raftEventTypes: readonly SimulationEventType[] = ["raft.state", "raft.leader", "raft.commit", "raft.membership", "raft.snapshot"];
/** Events after which the network faults changed (injected through `sim.faults`). */
const networkEventTypes: readonly SimulationEventType[] = ["network.partition", "network.heal", "network.link", "network.link.reset"];
/**
 * Bound `historyLinksWatchedMax`: most directed host pairs whose settings the history follows
 * (pairs ever changed with `faults.setLink`); links changed past it are not kept.
 */
export const historyLinksWatchedMax = 10_000;

/**
 * The kept history and input log of one `Simulation`. Built by the simulation's constructor;
 * users reach it through `sim.stateAt`, `sim.diff`, `sim.fork` and `sim.historyInfo`.
 */
export class TimeTravel {
  private readonly snapshotsMax: number;
  private readonly inputsMax: number;
  /** Kept states, a ring of `snapshotsMax` slots from `ringStart`. */
  private readonly ring: (WorldState | undefined)[] = [];
  private ringStart = 0;
  private ringCount = 0;
  private dropped = 0;
  private lastKept: WorldState | null = null;
  private changed = true;
  private readonly changedHosts = new Set<string>();
  /** The network faults as last captured; recaptured when a network event marks them changed. */
  private network: NetworkState = healthyNetworkState;
  private networkChanged = false;
  /** Directed host pairs ever changed by `faults.setLink` (key `from \0 to`), at most `historyLinksWatchedMax`. */
  private readonly watchedLinks = new Map<string, readonly [string, string]>();
  private origin: Origin;
  private inputs: LoggedInput[] = [];
  private refusal: string | null = null;
  /** How deep we are inside logged inputs (inner calls are their effects, not inputs). */
  private depth = 0;

  /** @internal Attaches to `simulation`: listens to its events and wraps its input methods. */
  constructor(
    private readonly simulation: Simulation,
    options: SimulationOptions,
  ) {
    this.snapshotsMax = validateBound("snapshotsMax", options.history?.snapshotsMax ?? defaultHistoryOptions.snapshotsMax);
    this.inputsMax = validateBound("inputsMax", options.history?.inputsMax ?? defaultHistoryOptions.inputsMax);
    this.origin = { kind: "new", options: { ...options } };
    if (this.inputsMax === 0) this.refusal = "the input log is off (history.inputsMax is 0)";
    if (this.snapshotsMax > 0) {
      const markHost = (event: { readonly type: string }) => {
        this.changed = true;
        if ("host" in event && typeof event.host === "string") this.changedHosts.add(event.host);
      };
      const mark = () => {
        this.changed = true;
      };
      const markNetwork = (event: { readonly type: string }) => {
        this.changed = true;
        this.networkChanged = true;
        if (event.type === "network.link" && "from" in event && "to" in event) this.watchLink(event.from as string, event.to as string);
      };
      for (const type of hostEventTypes) simulation.on(type, markHost);
      for (const type of raftEventTypes) simulation.on(type, mark);
      for (const type of networkEventTypes) simulation.on(type, markNetwork);
    }
    this.wrapInputs();
  }

  // ---------------------------------------------------------------- history

  /** @internal Drops the kept states and the input log (the simulation was disposed). */
  release(): void {
    this.ring.length = 0;
    this.ringStart = 0;
    this.ringCount = 0;
    this.lastKept = null;
    this.changedHosts.clear();
    this.watchedLinks.clear();
    this.inputs = [];
  }

  /** @internal The clock is about to leave the current instant: keep the world state if it changed. */
  instantEnding(): void {
    if (!this.changed || this.snapshotsMax === 0) return;
    this.keep(this.capture());
  }

  /** The world state at virtual time `timeMs` (the latest kept state at or before it; the live state at `now`). */
  stateAt(timeMs: number): WorldState {
    if (typeof timeMs !== "number" || !Number.isFinite(timeMs)) {
      throw new SimulationError(`stateAt: invalid time ${JSON.stringify(timeMs)}: expected a number of ms`);
    }
    if (this.snapshotsMax === 0) throw new SimulationError("stateAt: the history is off (history.snapshotsMax is 0)");
    const now = this.simulation.now;
    if (timeMs > now) throw new SimulationError(`stateAt(${timeMs}): that is in the future (the simulation is at ${now} ms)`);
    if (timeMs === now && (this.changed || this.ringCount === 0)) return this.capture();
    const found = this.find(timeMs);
    if (found === undefined) {
      const oldest = this.ringCount === 0 ? now : this.ring[this.ringStart]!.timeMs;
      throw new SimulationError(
        `stateAt(${timeMs}): before the kept history, which starts at ${oldest} ms ` +
          `(bound historySnapshotsMax = ${this.snapshotsMax}, ${this.dropped} older states dropped; ` +
          `raise it with new Simulation({ history: { snapshotsMax } }))`,
      );
    }
    return found;
  }

  /** What changed from virtual time `fromMs` to `toMs`, as readable changes. */
  diff(fromMs: number, toMs: number): WorldChange[] {
    return diffWorldStates(this.stateAt(fromMs), this.stateAt(toMs));
  }

  /** What the kept history holds now. */
  info(): HistoryInfo {
    return {
      snapshotsMax: this.snapshotsMax,
      snapshotCount: this.ringCount,
      droppedCount: this.dropped,
      oldestTimeMs: this.ringCount === 0 ? null : this.ring[this.ringStart]!.timeMs,
      inputsMax: this.inputsMax,
      inputCount: this.inputs.length,
      forkRefusal: this.refusal,
    };
  }

  /**
   * The kept states from `fromMs` to `toMs` (virtual ms, both included; default the whole kept
   * history), oldest first: at most `historySnapshotsMax`. The state at `now` is included when
   * it is kept (use {@link stateAt} for the live one).
   */
  keptStates(fromMs = Number.NEGATIVE_INFINITY, toMs = Number.POSITIVE_INFINITY): WorldState[] {
    const states: WorldState[] = [];
    for (let index = 0; index < this.ringCount; index++) {
      const state = this.ring[(this.ringStart + index) % this.snapshotsMax]!;
      if (state.timeMs > toMs) break;
      if (state.timeMs >= fromMs) states.push(state);
    }
    return states;
  }

  private watchLink(from: string, to: string): void {
    for (const [sender, receiver] of [[from, to], [to, from]] as const) {
      const key = `${sender}\u0000${receiver}`;
      if (!this.watchedLinks.has(key) && this.watchedLinks.size < historyLinksWatchedMax) this.watchedLinks.set(key, [sender, receiver]);
    }
  }

  private capture(): WorldState {
    if (this.networkChanged) {
      this.networkChanged = false;
      this.network = captureNetworkState(this.simulation, this.watchedLinks.values());
    }
    return captureWorldState(this.simulation, {
      previous: this.lastKept,
      changedHosts: this.changedHosts,
      clusterState: () => this.simulation.clusterState(),
      network: this.network,
    });
  }

  private keep(state: WorldState): void {
    this.changed = false;
    this.changedHosts.clear();
    this.lastKept = state;
    const newest = this.ringCount === 0 ? undefined : this.ring[(this.ringStart + this.ringCount - 1) % this.snapshotsMax];
    if (newest !== undefined && newest.timeMs === state.timeMs) {
      // The same instant again (e.g. a fault injected between runs): the later state replaces it.
      this.ring[(this.ringStart + this.ringCount - 1) % this.snapshotsMax] = state;
      return;
    }
    if (this.ringCount < this.snapshotsMax) {
      this.ring[(this.ringStart + this.ringCount) % this.snapshotsMax] = state;
      this.ringCount++;
      return;
    }
    this.ring[this.ringStart] = state;
    this.ringStart = (this.ringStart + 1) % this.snapshotsMax;
    this.dropped++;
  }

  /** The latest kept state at or before `timeMs` (binary search), or undefined. */
  private find(timeMs: number): WorldState | undefined {
    let low = 0;
    let high = this.ringCount - 1;
    let found: WorldState | undefined;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const state = this.ring[(this.ringStart + middle) % this.snapshotsMax]!;
      if (state.timeMs <= timeMs) {
        found = state;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found;
  }

  // ---------------------------------------------------------------- input log and fork

  /** @internal `Simulation.swarm` built this simulation: the fork replays `swarm(options)`, then the inputs after it. */
  startFromSwarm(options: SwarmOptions): void {
    this.origin = { kind: "swarm", options: { ...options } };
    this.inputs = [];
    this.refusal = this.inputsMax === 0 ? "the input log is off (history.inputsMax is 0)" : null;
  }

  /**
   * A new simulation built with the same options and seed, with every logged input replayed:
   * the same state and trace hash as this one now, going on independently. Costs a rerun of
   * the simulation so far. Throws a {@link SimulationError} when the log cannot be replayed.
   */
  fork(): Simulation {
    const original = this.simulation;
    if (original.isRunning) throw new SimulationError("fork: cannot be called from inside the event loop (a listener, a callback or a process)");
    if (this.refusal !== null) throw new SimulationError(`fork: not possible: ${this.refusal}`);
    const constructor = original.constructor as typeof Simulation;
    const copy = this.origin.kind === "swarm" ? constructor.swarm(this.origin.options) : new constructor(this.origin.options);
    for (const input of this.inputs) {
      try {
        replay(copy, input);
      } catch (error) {
        if (input.threw) continue;
        const detail = error instanceof Error ? error.message : String(error);
        throw new SimulationError(`fork: replaying ${describeInput(input)} failed: ${detail}`, { cause: error });
      }
    }
    if (copy.now !== original.now || copy.eventCount !== original.eventCount || copy.traceHash() !== original.traceHash()) {
      throw new SimulationError(
        `fork: the copy diverged from the original (time ${copy.now} vs ${original.now} ms, ` +
          `${copy.eventCount} vs ${original.eventCount} events): an input was made that the log does not see ` +
          `(e.g. a disk or network changed directly, or a listener that changes state)`,
      );
    }
    return copy;
  }

  private refuse(reason: string): void {
    if (this.refusal === null) this.refusal = reason;
  }

  /** Replaces the simulation's and its faults' input methods by logging ones. */
  private wrapInputs(): void {
    const simulation = this.simulation as unknown as MethodHolder;
    for (const method of replayedMethods) this.wrap(simulation, "simulation", method, "replay");
    for (const method of unreplayableMethods) this.wrap(simulation, "simulation", method, "refuse");
    const faults = this.simulation.faults as unknown as MethodHolder;
    for (const method of methodNames(faults)) this.wrap(faults, "faults", method, "replay");
    const engine = (simulation["engine"] as AnyMethod).bind(simulation) as (hostName: string) => EngineClient;
    simulation["engine"] = (hostName: string): EngineClient => {
      const client = engine(hostName);
      if (this.depth > 0) return client;
      return new EngineClient(
        (request: HttpRequest) => this.call("engine", "request", [hostName, request], () => client.request(request), "replay"),
        (request: HttpRequest) => this.loggedStream(this.call("engine", "open", [hostName, request], () => client.open(request), "replay")),
      );
    };
  }

  /**
   * A stream opened through `sim.engine(host)` (its opening is a logged input, its `next` calls
   * logged `runUntil`s): closing it before its end tells dockerd something the log does not
   * see, so `fork` is refused after it.
   */
  private loggedStream(stream: EngineStream): EngineStream {
    const refuse = (): void => this.refuse(`an Engine API stream was closed before its end at ${this.simulation.now} ms, which a replay cannot repeat`);
    return forwardingStream(stream, {
      close: () => {
        if (!stream.ended) refuse();
        stream.close();
      },
    });
  }

  private wrap(holder: MethodHolder, target: LoggedInput["target"], method: string, mode: "replay" | "refuse"): void {
    const original = holder[method];
    if (typeof original !== "function") return;
    const bound = (original as AnyMethod).bind(holder);
    holder[method] = (...args: unknown[]) => this.call(target, method, args, () => bound(...args), mode);
  }

  /** Performs one call of an input method, logging it when it comes from outside. */
  private call<T>(target: LoggedInput["target"], method: string, args: unknown[], perform: () => T, mode: "replay" | "refuse"): T {
    const label = target === "simulation" ? `sim.${method}` : target === "faults" ? `sim.faults.${method}` : "an Engine API request";
    if (this.depth > 0) {
      // An effect of a logged input, unless it comes from the caller's code inside the event loop.
      if (this.simulation.isRunning && !(target === "simulation" && advancingMethods.has(method))) {
        this.refuse(`${label} was called from inside the event loop (a listener, a scheduled callback, a process or a runUntil condition) at ${this.simulation.now} ms`);
      }
      return perform();
    }
    let input: LoggedInput | undefined;
    if (mode === "refuse") {
      this.refuse(`${label} at ${this.simulation.now} ms runs your own code, which a replay cannot repeat`);
    } else if (this.refusal === null) {
      if (this.inputs.length >= this.inputsMax) {
        this.refuse(`the input log reached its bound historyInputsMax (${this.inputsMax}); raise it with new Simulation({ history: { inputsMax } })`);
      } else {
        input = { target, method, args: method === "runUntil" ? [null, args[1]] : [...args], threw: false, eventCount: 0, timeMs: 0 };
        this.inputs.push(input);
      }
    }
    this.depth++;
    try {
      return perform();
    } catch (error) {
      if (input !== undefined) input.threw = true;
      throw error;
    } finally {
      this.depth--;
      if (input !== undefined) {
        input.eventCount = this.simulation.eventCount;
        input.timeMs = this.simulation.now;
      }
    }
  }
}

/** Performs one logged input again on the copy. */
function replay(copy: Simulation, input: LoggedInput): void {
  if (input.target === "engine") {
    const client = copy.engine(input.args[0] as string);
    if (input.method === "open") client.open(input.args[1] as HttpRequest);
    else client.request(input.args[1] as HttpRequest);
    return;
  }
  if (input.target === "faults") {
    ((copy.faults as unknown as MethodHolder)[input.method] as AnyMethod).apply(copy.faults, [...input.args]);
    return;
  }
  if (input.method === "runUntil") {
    // The condition is the caller's code: stop where the original stopped, by event count and time.
    const options = (input.args[1] ?? {}) as { timeoutMs?: number };
    copy.runUntil(() => copy.eventCount >= input.eventCount && copy.now >= input.timeMs, options);
    return;
  }
  ((copy as unknown as MethodHolder)[input.method] as AnyMethod).apply(copy, [...input.args]);
}

function describeInput(input: LoggedInput): string {
  if (input.target === "engine") {
    const request = input.args[1] as HttpRequest;
    return `the Engine API request ${request.method} ${request.path} on ${String(input.args[0])}`;
  }
  const args = input.method === "runUntil" ? "..." : input.args.map((arg) => (typeof arg === "string" ? JSON.stringify(arg) : typeof arg)).join(", ");
  return `${input.target === "faults" ? "sim.faults" : "sim"}.${input.method}(${args})`;
}

/** The public method names of an object and its prototypes (the fault injector's methods). */
function methodNames(holder: MethodHolder): string[] {
  const names = new Set<string>();
  for (let prototype = Object.getPrototypeOf(holder) as object | null; prototype !== null && prototype !== Object.prototype; prototype = Object.getPrototypeOf(prototype) as object | null) {
    for (const name of Object.getOwnPropertyNames(prototype)) {
      if (name !== "constructor" && typeof holder[name] === "function") names.add(name);
    }
  }
  return [...names];
}

function validateBound(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new SimulationError(`invalid history.${name} ${JSON.stringify(value)}: expected a whole number >= 0 (0 turns it off)`);
  }
  return value;
}

export type { WorldState, WorldChange, NetworkState };
