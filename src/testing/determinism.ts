/**
 * Determinism checks: `checkDeterminism` runs a scenario twice per seed with the full trace and
 * reports, per seed, the first event where the two runs differ (its index, its virtual time and
 * both events rendered). `recordRun`, `fingerprintOf` and `firstDivergence` are the pieces, also
 * used by the Node-only runner that adds a third run in a worker thread. In-process, synchronous,
 * browser-safe.
 */
import type { SimulationKernel } from "../sim/simulation.js";
import type { SimulationEvent } from "../sim/events.js";
import type { TraceLevel, TraceOptions } from "../sim/trace.js";
import { formatTraceEvent } from "../sim/format.js";
import { SimulationError } from "../sim/errors.js";
import { experimentSeeds } from "./experiment.js";

/** Bound `determinismTraceEventsMax`: default trace bound (`eventsMax`) of each run of a check. */
export const determinismTraceEventsMax = 1_000_000;
/** Bound `determinismRenderedLengthMax`: most characters of an event's JSON kept in a report. */
export const determinismRenderedLengthMax = 2_000;
/** Bound `determinismDivergencesMax`: most divergences a report lists (later ones are only counted). */
export const determinismDivergencesMax = 1_000;

/** What a check passes to the scenario: spread it into the simulation's options (`{ seed, ...options }`). */
export interface DeterminismRunOptions {
  /** The full trace (`level: "all"`) with a large bound, so the first divergent event can be found. */
  readonly trace: TraceOptions;
}

/**
 * A scenario for a determinism check: builds and drives the simulation for a seed, like an
 * experiment's scenario. It should pass `options.trace` to the simulation; a scenario that ignores
 * it (a plain `(seed) => Simulation`) still works, but only what its own trace level records is
 * compared.
 */
export type DeterminismScenario = (seed: string, options: DeterminismRunOptions) => SimulationKernel;

/** The small, transferable identity of one run: trace hash and counts. */
export interface RunFingerprint {
  /** The trace level the simulation ran with. */
  readonly level: TraceLevel;
  /** Events recorded in the trace (evicted ones included). */
  readonly recordedCount: number;
  /** Recorded events the trace bound evicted. */
  readonly evictedCount: number;
  /** Stable hash of every recorded event (`sim.traceHash()`). */
  readonly traceHash: string;
  /** Events the kernel processed (recorded or not). */
  readonly eventCount: number;
  /** Virtual time at the end, ms. */
  readonly nowMs: number;
}

/** One run: its fingerprint and the retained trace events (the newest `eventsMax`). */
export interface RunRecording extends RunFingerprint {
  /** Retained events, oldest first; `events[0]` is event number `evictedCount`. */
  readonly events: readonly SimulationEvent[];
}

/** Where two runs of one seed first differ. */
export interface TraceDivergence {
  /** The seed. */
  readonly seed: string;
  /** Names of the two runs compared, e.g. `["run 1 (in-process)", "run 2 (in-process)"]`. */
  readonly runs: readonly [string, string];
  /** 0-based number of the first differing trace event, or `null` when it cannot be located. */
  readonly index: number | null;
  /** Virtual time of the first differing event, ms (the earlier of the two), or `null`. */
  readonly timeMs: number | null;
  /** The first run's event at `index`, rendered (`formatTraceEvent`), or `null` when that run recorded none there. */
  readonly first: string | null;
  /** The second run's event at `index`, rendered, or `null` when that run recorded none there. */
  readonly second: string | null;
  /** The first run's event as JSON (cut to `determinismRenderedLengthMax` characters), or `null`. */
  readonly firstJson: string | null;
  /** The second run's event as JSON (cut), or `null`. */
  readonly secondJson: string | null;
  /** A readable account of the difference. */
  readonly description: string;
}

/** The outcome of one seed in a determinism check. */
export interface DeterminismSeedResult {
  /** The seed. */
  readonly seed: string;
  /** Fingerprint of the first run. */
  readonly fingerprint: RunFingerprint;
  /** The first divergence found for this seed, if any. */
  readonly divergence?: TraceDivergence;
}

/** What `checkDeterminism` gives. */
export interface DeterminismReport {
  /** Whether every run of every seed agreed. */
  readonly ok: boolean;
  /** Runs per seed (2 in-process; 3 with the worker run of the Node runner). */
  readonly runsPerSeed: number;
  /** One result per seed, in seed order. */
  readonly seeds: readonly DeterminismSeedResult[];
  /** The divergences, in seed order (at most `determinismDivergencesMax`). */
  readonly divergences: readonly TraceDivergence[];
  /** How many seeds diverged (also those beyond the listed bound). */
  readonly divergentSeedCount: number;
}

/** Options of {@link checkDeterminism}. */
export interface CheckDeterminismOptions {
  /** A number of seeds (named `${name}/0`...), or the seeds themselves (distinct). */
  readonly seeds: number | readonly string[];
  /** Prefix of numbered seeds; default `"determinism"`. */
  readonly name?: string;
  /** Trace bound of each run (default `determinismTraceEventsMax`). */
  readonly traceEventsMax?: number;
}

/** The trace options a check passes to the scenario. */
export function determinismRunOptions(traceEventsMax: number = determinismTraceEventsMax): DeterminismRunOptions {
  if (!Number.isInteger(traceEventsMax) || traceEventsMax < 1) throw new SimulationError(`invalid traceEventsMax ${JSON.stringify(traceEventsMax)}: expected a positive whole number`);
  return { trace: { level: "all", eventsMax: traceEventsMax } };
}

/** The fingerprint of a finished simulation. */
export function fingerprintOf(sim: SimulationKernel): RunFingerprint {
  const info = sim.traceInfo;
  return { level: info.level, recordedCount: info.recordedCount, evictedCount: info.evictedCount, traceHash: sim.traceHash(), eventCount: sim.eventCount, nowMs: sim.now };
}

/**
 * Runs a scenario for one seed with the check's trace options and records the result. A
 * scenario that throws or returns something else than a simulation gives a `SimulationError`
 * naming the seed.
 */
export function recordRun(scenario: DeterminismScenario, seed: string, options: DeterminismRunOptions = determinismRunOptions()): RunRecording {
  let sim: SimulationKernel;
  try {
    sim = scenario(seed, options);
  } catch (error) {
    throw new SimulationError(`determinism check, seed ${JSON.stringify(seed)}: the scenario threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (typeof sim !== "object" || sim === null || typeof (sim as { traceHash?: unknown }).traceHash !== "function") {
    throw new SimulationError(`determinism check, seed ${JSON.stringify(seed)}: the scenario must return the Simulation it built`);
  }
  const recording = { ...fingerprintOf(sim), events: sim.trace };
  sim.dispose();
  return recording;
}

function cut(text: string): string {
  return text.length > determinismRenderedLengthMax ? `${text.slice(0, determinismRenderedLengthMax - 3)}...` : text;
}

function render(event: SimulationEvent | undefined): string | null {
  if (event === undefined) return null;
  try {
    return formatTraceEvent(event);
  } catch {
    return cut(JSON.stringify(event));
  }
}

function sameFingerprint(left: RunFingerprint, right: RunFingerprint): boolean {
  return left.level === right.level && left.recordedCount === right.recordedCount && left.traceHash === right.traceHash && left.eventCount === right.eventCount && left.nowMs === right.nowMs;
}

/**
 * The first difference between two runs of one seed, or `undefined` when they agree (same
 * trace hash, counts and end time). Events are compared as JSON, the form the trace hash
 * covers; when the difference lies among events the trace bound evicted, `index` is `null`.
 */
export function firstDivergence(seed: string, first: RunRecording, second: RunRecording, runs: readonly [string, string] = ["run 1", "run 2"]): TraceDivergence | undefined {
  if (sameFingerprint(first, second)) return undefined;
  const [firstName, secondName] = runs;
  const none = { index: null, timeMs: null, first: null, second: null, firstJson: null, secondJson: null };
  if (first.level !== second.level) {
    return { seed, runs, ...none, description: `the runs used different trace levels (${first.level} and ${second.level})` };
  }
  const start = Math.max(first.evictedCount, second.evictedCount);
  const end = Math.max(first.recordedCount, second.recordedCount);
  for (let index = start; index < end; index++) {
    const left = first.events[index - first.evictedCount];
    const right = second.events[index - second.evictedCount];
    const leftJson = left === undefined ? null : JSON.stringify(left);
    const rightJson = right === undefined ? null : JSON.stringify(right);
    if (leftJson === rightJson) continue;
    const times = [left?.time, right?.time].filter((time): time is number => typeof time === "number");
    const timeMs = times.length === 0 ? null : Math.min(...times);
    let description: string;
    if (left === undefined) description = `${firstName} recorded ${first.recordedCount} events and ended; ${secondName} went on with event ${index}`;
    else if (right === undefined) description = `${secondName} recorded ${second.recordedCount} events and ended; ${firstName} went on with event ${index}`;
    else description = `event ${index} differs`;
    return {
      seed,
      runs,
      index,
      timeMs,
      first: render(left),
      second: render(right),
      firstJson: leftJson === null ? null : cut(leftJson),
      secondJson: rightJson === null ? null : cut(rightJson),
      description: `${description} (${firstName} vs ${secondName})`,
    };
  }
  if (first.traceHash !== second.traceHash) {
    return {
      seed,
      runs,
      ...none,
      description: `the trace hashes differ (${first.traceHash} and ${second.traceHash}) but the retained events agree: the first difference was evicted by the trace bound; raise traceEventsMax`,
    };
  }
  return {
    seed,
    runs,
    ...none,
    description: `the ${first.level === "off" ? "(empty, trace off) " : ""}traces agree but the runs differ: ${first.eventCount} and ${second.eventCount} events processed, ending at ${first.nowMs} and ${second.nowMs} ms${first.level === "all" ? "" : `; pass options.trace to the simulation to locate the difference`}`,
  };
}

/**
 * Runs `scenario` twice per seed, in-process, with the full trace (`level: "all"`, a large
 * bound, passed as the scenario's second argument), and reports for every seed whose runs differ
 * the first differing event: its number, virtual time and both events rendered. Nondeterminism
 * comes from state outside the simulation (module counters, `Math.random`, the real clock,
 * iteration over unordered inputs): the report shows where it first shows.
 *
 * @example
 * ```ts
 * const report = checkDeterminism((seed, options) => {
 *   const sim = Simulation.swarm({ seed, managers: 3, engine: false, ...options });
 *   sim.faults.crash(sim.leader()!.host);
 *   sim.runFor(10_000);
 *   return sim;
 * }, { seeds: 20 });
 * if (!report.ok) console.log(formatDeterminismReport(report));
 * ```
 */
export function checkDeterminism(scenario: DeterminismScenario, options: CheckDeterminismOptions): DeterminismReport {
  if (typeof scenario !== "function") throw new SimulationError("invalid scenario: expected a function (seed, options) => Simulation");
  const seeds = experimentSeeds(options.name ?? "determinism", options.seeds);
  const runOptions = determinismRunOptions(options.traceEventsMax);
  const results: DeterminismSeedResult[] = [];
  const divergences: TraceDivergence[] = [];
  let divergentSeedCount = 0;
  for (const seed of seeds) {
    const first = recordRun(scenario, seed, runOptions);
    const second = recordRun(scenario, seed, runOptions);
    const divergence = firstDivergence(seed, first, second, ["run 1 (in-process)", "run 2 (in-process)"]);
    const fingerprint: RunFingerprint = { level: first.level, recordedCount: first.recordedCount, evictedCount: first.evictedCount, traceHash: first.traceHash, eventCount: first.eventCount, nowMs: first.nowMs };
    if (divergence === undefined) {
      results.push({ seed, fingerprint });
    } else {
      results.push({ seed, fingerprint, divergence });
      divergentSeedCount++;
      if (divergences.length < determinismDivergencesMax) divergences.push(divergence);
    }
  }
  return { ok: divergentSeedCount === 0, runsPerSeed: 2, seeds: results, divergences, divergentSeedCount };
}

/**
 * A report as readable text: one line when every seed agreed, otherwise each divergence with
 * the seed, the event number and time, and both events.
 */
export function formatDeterminismReport(report: DeterminismReport): string {
  const seedCount = report.seeds.length;
  if (report.ok) return `deterministic: ${seedCount} seed${seedCount === 1 ? "" : "s"}, ${report.runsPerSeed} runs each, identical traces\n`;
  const lines = [`NOT deterministic: ${report.divergentSeedCount} of ${seedCount} seeds diverged (${report.runsPerSeed} runs each)`];
  for (const divergence of report.divergences) {
    const where = divergence.index === null ? "" : ` at event ${divergence.index}${divergence.timeMs === null ? "" : `, t=${(divergence.timeMs / 1000).toFixed(3)}s`}`;
    lines.push(`seed ${JSON.stringify(divergence.seed)}${where}: ${divergence.description}`);
    if (divergence.index !== null) {
      lines.push(`  ${divergence.runs[0]}: ${divergence.first ?? "(no event: the run had ended)"}`);
      lines.push(`  ${divergence.runs[1]}: ${divergence.second ?? "(no event: the run had ended)"}`);
    }
  }
  if (report.divergences.length < report.divergentSeedCount) lines.push(`(${report.divergentSeedCount - report.divergences.length} more divergent seeds not listed)`);
  return lines.join("\n") + "\n";
}
