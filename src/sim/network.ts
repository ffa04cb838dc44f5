/**
 * The simulated network between hosts: per-link latency ranges, loss and duplication (and so
 * reordering, from latency), and partitions. It only decides; the simulation queues the
 * deliveries. Partitions and link settings compose: a partition blocks whatever the link says.
 */
import { SimulationError } from "./errors.js";
import type { LinkSettings } from "./events.js";

/** Network-wide defaults for `new Simulation({ network })`. */
export interface NetworkOptions {
  /** One-way latency range between hosts in ms, drawn uniformly per message. Default [1, 2]. */
  readonly latencyMs?: readonly [number, number];
  /** Probability that a message between hosts is lost. Default 0. */
  readonly lossRate?: number;
  /** Probability that a message between hosts is delivered twice. Default 0. */
  readonly duplicateRate?: number;
  /** Fixed delay of a message between processes on the same host, in ms. Default 0.05. */
  readonly localDelayMs?: number;
}

/** Changes to one link for `faults.setLink`; settings not given keep their current value. */
export interface LinkOptions {
  readonly latencyMs?: readonly [number, number];
  readonly lossRate?: number;
  readonly duplicateRate?: number;
  /** Change only the direction from the first host to the second. Default false (both directions). */
  readonly oneWay?: boolean;
}

/** Default inter-host latency range in ms: a LAN. */
export const defaultLatencyMs: readonly [number, number] = [1, 2];
/** Default delay between processes on one host, in ms. */
export const defaultLocalDelayMs = 0.05;

function validateRate(name: string, rate: unknown): number {
  if (typeof rate !== "number" || !(rate >= 0 && rate <= 1)) {
    throw new SimulationError(`invalid ${name} ${JSON.stringify(rate)}: expected a number from 0 to 1`);
  }
  return rate;
}

function validateLatency(latency: unknown): readonly [number, number] {
  const valid =
    Array.isArray(latency) &&
    latency.length === 2 &&
    latency.every((value) => typeof value === "number" && Number.isFinite(value) && value >= 0) &&
    latency[0] <= latency[1];
  if (!valid) {
    throw new SimulationError(
      `invalid latencyMs ${JSON.stringify(latency)}: expected [minimum, maximum] in ms with 0 <= minimum <= maximum`,
    );
  }
  return [latency[0], latency[1]];
}

/** Validates partial link settings and merges them onto `base`. */
function mergeSettings(base: LinkSettings, changes: LinkOptions | NetworkOptions): LinkSettings {
  return {
    latencyMs: changes.latencyMs === undefined ? base.latencyMs : validateLatency(changes.latencyMs),
    lossRate: changes.lossRate === undefined ? base.lossRate : validateRate("lossRate", changes.lossRate),
    duplicateRate:
      changes.duplicateRate === undefined ? base.duplicateRate : validateRate("duplicateRate", changes.duplicateRate),
  };
}

/**
 * Values by directed host pair, as a map of maps: a lookup builds no key string (the kernel asks
 * for every message sent and delivered while a partition or a changed link is in force, with the
 * hosts' own interned names, whose hashes are computed once).
 */
class HostPairMap<Value> {
  private readonly byFrom = new Map<string, Map<string, Value>>();
  private count = 0;

  /** Number of pairs held. */
  get size(): number {
    return this.count;
  }

  get(from: string, to: string): Value | undefined {
    return this.byFrom.get(from)?.get(to);
  }

  has(from: string, to: string): boolean {
    return this.byFrom.get(from)?.has(to) ?? false;
  }

  set(from: string, to: string, value: Value): void {
    let byTo = this.byFrom.get(from);
    if (byTo === undefined) this.byFrom.set(from, (byTo = new Map()));
    if (!byTo.has(to)) this.count++;
    byTo.set(to, value);
  }

  delete(from: string, to: string): void {
    const byTo = this.byFrom.get(from);
    if (byTo === undefined || !byTo.delete(to)) return;
    this.count--;
    if (byTo.size === 0) this.byFrom.delete(from);
  }

  clear(): void {
    this.byFrom.clear();
    this.count = 0;
  }
}

/** The network's state: defaults, per-direction overrides and blocked host pairs. */
export class Network {
  /** Settings of every link without an override. */
  readonly defaults: LinkSettings;
  /** Delay between processes on the same host, in ms. */
  readonly localDelayMs: number;
  private readonly overrides = new HostPairMap<LinkSettings>();
  /** Blocked directed host pairs, counted per partition that blocks them. */
  private readonly blocked = new HostPairMap<number>();
  private readonly partitionList: Array<[readonly string[], readonly string[]]> = [];
  private latencyBound: number;

  constructor(options: NetworkOptions = {}) {
    this.defaults = mergeSettings({ latencyMs: defaultLatencyMs, lossRate: 0, duplicateRate: 0 }, options);
    const localDelayMs = options.localDelayMs ?? defaultLocalDelayMs;
    if (typeof localDelayMs !== "number" || !Number.isFinite(localDelayMs) || localDelayMs < 0) {
      throw new SimulationError(`invalid localDelayMs ${JSON.stringify(localDelayMs)}: expected a number >= 0`);
    }
    this.localDelayMs = localDelayMs;
    this.latencyBound = Math.max(this.defaults.latencyMs[1], localDelayMs);
  }

  /**
   * The highest one-way delay any link has had so far, ms: no message sent until now, in flight
   * or delivered, takes longer. It never decreases (a message keeps the delay drawn when it was sent).
   */
  get latencyBoundMs(): number {
    return this.latencyBound;
  }

  /** Whether a partition stops messages from `from` to `to`. */
  isBlocked(from: string, to: string): boolean {
    return this.blocked.size > 0 && this.blocked.has(from, to);
  }

  /** The settings of the link from `from` to `to`. */
  settings(from: string, to: string): LinkSettings {
    if (this.overrides.size === 0) return this.defaults;
    return this.overrides.get(from, to) ?? this.defaults;
  }

  /** The partitions in force, in the order they were made. */
  partitions(): ReadonlyArray<[readonly string[], readonly string[]]> {
    return this.partitionList;
  }

  /** Blocks every message between a host of `groupA` and a host of `groupB`, both ways. */
  partition(groupA: readonly string[], groupB: readonly string[]): void {
    for (const a of groupA) {
      for (const b of groupB) {
        if (a === b) throw new SimulationError(`cannot partition host "${a}" from itself`);
        this.blocked.set(a, b, (this.blocked.get(a, b) ?? 0) + 1);
        this.blocked.set(b, a, (this.blocked.get(b, a) ?? 0) + 1);
      }
    }
    this.partitionList.push([[...groupA], [...groupB]]);
  }

  /** Removes every partition. */
  heal(): void {
    this.blocked.clear();
    this.partitionList.length = 0;
  }

  /** Changes the link settings from `from` to `to` (and back, unless `oneWay`); returns the new settings. */
  setLink(from: string, to: string, changes: LinkOptions): LinkSettings {
    const forward = mergeSettings(this.settings(from, to), changes);
    const backward = changes.oneWay ? undefined : mergeSettings(this.settings(to, from), changes);
    this.overrides.set(from, to, forward);
    if (backward) this.overrides.set(to, from, backward);
    this.latencyBound = Math.max(this.latencyBound, forward.latencyMs[1], backward?.latencyMs[1] ?? 0);
    return forward;
  }

  /** Sets the link from `from` to `to` (and back, unless `oneWay`) back to the defaults. */
  resetLink(from: string, to: string, oneWay: boolean): void {
    this.overrides.delete(from, to);
    if (!oneWay) this.overrides.delete(to, from);
  }
}
