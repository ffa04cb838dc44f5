/**
 * Fault-injection experiments over many seeds: `experiment` builds one simulation per seed
 * with a scenario, applies named measures to each, and summarizes every measure. Runs are
 * in-process, synchronous and deterministic; `shardSeeds` splits the seeds into contiguous
 * slices (the `--shard k/n` convention of vitest and Playwright) and `mergeResults` puts the
 * shards' results back together into exactly what a single run gives.
 */
import type { Simulation } from "../simulation.js";
import { SimulationError } from "../sim/errors.js";
import { summarize, type Summary } from "./statistics.js";

/** Bound `experimentSeedsMax`: most seeds one experiment (or one merge) runs. */
export const experimentSeedsMax = 1_000_000;
/** Bound `experimentMeasuresMax`: most measures one experiment takes. */
export const experimentMeasuresMax = 1_000;
/** Bound `mergeResultsMax`: most shard results `mergeResults` combines. */
export const mergeResultsMax = 100_000;

/**
 * Builds and drives one simulation for a seed, and returns it for measuring. It should pass
 * the seed to the simulation (`Simulation.swarm({ seed, ... })`), inject its faults (marking
 * them with `markFault`), run as long as the measures need, and return. It must be
 * deterministic: draw randomness only from the simulation's generator.
 */
export type Scenario = (seed: string) => Simulation;

/**
 * Measures one finished simulation: a finite number, or `null` when the measure does not apply
 * to this run (a `null` is kept in the row and left out of the summary). Measures run in the
 * order they are listed; a measure that advances the simulation (such as
 * `convergenceTimeAfter`) changes what later measures see.
 */
export type Measure = (sim: Simulation, seed: string) => number | null;

/** Options of {@link experiment}. */
export interface ExperimentOptions<M extends string> {
  /** Name of the experiment; numbered seeds are `${name}/0` ... `${name}/${n - 1}`. */
  readonly name: string;
  /** A number of seeds (named after the experiment), or the seeds themselves (distinct). */
  readonly seeds: number | readonly string[];
  /** Builds and drives the simulation for one seed. Once measured, the simulation is disposed (`Simulation.dispose`). */
  readonly scenario: Scenario;
  /** The measures, by name (a name may not be `seed`). */
  readonly measure: Readonly<Record<M, Measure>>;
  /** Runs only the `index`-th (1-based) of `count` contiguous slices of the seeds (see {@link shardSeeds}). */
  readonly shard?: { readonly index: number; readonly count: number };
}

/** One row of a result: the seed, then the value of every measure (`null` when not applicable). */
export type ExperimentRow<M extends string = string> = { readonly seed: string } & { readonly [K in M]: number | null };

/** What an experiment (or a merge of shards) gives. */
export interface ExperimentResult<M extends string = string> {
  /** Name of the experiment. */
  readonly name: string;
  /** One row per seed, in seed order. */
  readonly rows: ReadonlyArray<ExperimentRow<M>>;
  /** Summary of every measure over its non-null values, keys in the order of `measure`. */
  readonly summary: Readonly<Record<M, Summary>>;
}

/**
 * The seeds an experiment runs: `${name}/0` ... `${name}/${seeds - 1}` for a count, or a copy of
 * the list (which must hold distinct strings).
 *
 * @example
 * ```ts
 * experimentSeeds("election", 3); // ["election/0", "election/1", "election/2"]
 * ```
 */
export function experimentSeeds(name: string, seeds: number | readonly string[]): string[] {
  if (typeof seeds === "number") {
    if (!Number.isInteger(seeds) || seeds < 0 || seeds > experimentSeedsMax) {
      throw new SimulationError(`invalid seeds ${JSON.stringify(seeds)}: expected a whole number from 0 to ${experimentSeedsMax} (the experimentSeedsMax bound)`);
    }
    return Array.from({ length: seeds }, (_, index) => `${name}/${index}`);
  }
  if (!Array.isArray(seeds)) throw new SimulationError("invalid seeds: expected a number or a list of strings");
  if (seeds.length > experimentSeedsMax) throw new SimulationError(`${seeds.length} seeds exceed the experimentSeedsMax bound (${experimentSeedsMax})`);
  const seen = new Set<string>();
  for (const seed of seeds) {
    if (typeof seed !== "string") throw new SimulationError(`invalid seed ${JSON.stringify(seed)}: expected a string`);
    if (seen.has(seed)) throw new SimulationError(`duplicate seed ${JSON.stringify(seed)}`);
    seen.add(seed);
  }
  return [...seeds];
}

/**
 * The `index`-th (1-based) of `count` deterministic slices of `seeds`, as `--shard index/count`
 * of vitest and Playwright: contiguous ranges in order, sizes differing by at most one (the
 * first `seeds.length % count` slices hold one more). Concatenating slices 1..count gives
 * `seeds` back.
 *
 * @example
 * ```ts
 * shardSeeds(["a", "b", "c", "d", "e"], 1, 2); // ["a", "b", "c"]
 * shardSeeds(["a", "b", "c", "d", "e"], 2, 2); // ["d", "e"]
 * ```
 */
export function shardSeeds<T>(seeds: readonly T[], index: number, count: number): T[] {
  if (!Number.isInteger(count) || count < 1) throw new SimulationError(`invalid shard count ${JSON.stringify(count)}: expected a whole number >= 1`);
  if (!Number.isInteger(index) || index < 1 || index > count) throw new SimulationError(`invalid shard index ${JSON.stringify(index)}: expected a whole number from 1 to ${count}`);
  const baseSize = Math.floor(seeds.length / count);
  const larger = seeds.length % count;
  const start = (index - 1) * baseSize + Math.min(index - 1, larger);
  const size = baseSize + (index - 1 < larger ? 1 : 0);
  return seeds.slice(start, start + size);
}

function measureNamesOf(measure: Readonly<Record<string, Measure>>): string[] {
  if (typeof measure !== "object" || measure === null) throw new SimulationError("invalid measure: expected an object of measure functions by name");
  const names = Object.keys(measure);
  if (names.length > experimentMeasuresMax) throw new SimulationError(`${names.length} measures exceed the experimentMeasuresMax bound (${experimentMeasuresMax})`);
  for (const name of names) {
    if (name === "seed") throw new SimulationError(`invalid measure name "seed": the rows use it for the seed`);
    if (typeof measure[name] !== "function") throw new SimulationError(`invalid measure ${JSON.stringify(name)}: expected a function`);
  }
  return names;
}

function summaryOf<M extends string>(names: readonly M[], rows: ReadonlyArray<ExperimentRow<M>>): Record<M, Summary> {
  const summary = {} as Record<M, Summary>;
  for (const name of names) {
    const values: number[] = [];
    for (const row of rows) {
      const value = row[name];
      if (value !== null) values.push(value);
    }
    summary[name] = summarize(values);
  }
  return summary;
}

/**
 * Runs `scenario` for every seed (or the seeds of one shard), applies each measure to the
 * simulation it returns, disposes it, and summarizes every measure over its non-null values. Synchronous
 * and deterministic: the same options give the same result, byte for byte through `toJson`.
 * A scenario or measure that throws stops the experiment with an error naming the seed.
 *
 * @example
 * ```ts
 * const result = experiment({
 *   name: "election",
 *   seeds: 100,
 *   scenario: (seed) => {
 *     const sim = Simulation.swarm({ seed, managers: 3, engine: false, raft: { electionTimeoutMs: [150, 300], heartbeatIntervalMs: 50 } });
 *     markFault(sim, "crash");
 *     sim.faults.crash(sim.leader()!.host);
 *     sim.runFor(5_000);
 *     return sim;
 *   },
 *   measure: { electionMs: (sim) => timeToElectLeaderAfter(sim, "crash") },
 * });
 * console.log(result.summary.electionMs.median, toCsv(result.rows));
 * ```
 */
export function experiment<M extends string>(options: ExperimentOptions<M>): ExperimentResult<M> {
  if (typeof options.name !== "string") throw new SimulationError("invalid experiment name: expected a string");
  if (typeof options.scenario !== "function") throw new SimulationError("invalid scenario: expected a function (seed) => Simulation");
  const names = measureNamesOf(options.measure) as M[];
  let seeds = experimentSeeds(options.name, options.seeds);
  if (options.shard !== undefined) seeds = shardSeeds(seeds, options.shard.index, options.shard.count);
  const rows: Array<ExperimentRow<M>> = [];
  for (const seed of seeds) {
    const context = `experiment ${JSON.stringify(options.name)}, seed ${JSON.stringify(seed)}`;
    let sim: Simulation;
    try {
      sim = options.scenario(seed);
    } catch (error) {
      throw new SimulationError(`${context}: the scenario threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (typeof sim !== "object" || sim === null || typeof (sim as { runUntil?: unknown }).runUntil !== "function") {
      throw new SimulationError(`${context}: the scenario must return the Simulation it built`);
    }
    const row: Record<string, string | number | null> = { seed };
    for (const name of names) {
      let value: number | null;
      try {
        value = options.measure[name](sim, seed);
      } catch (error) {
        throw new SimulationError(`${context}: measure ${JSON.stringify(name)} threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      if (value !== null && (typeof value !== "number" || !Number.isFinite(value))) {
        throw new SimulationError(`${context}: measure ${JSON.stringify(name)} gave ${String(value)}: expected a finite number or null`);
      }
      row[name] = value;
    }
    // Measured: nothing reads the run again, and a disposed run costs the collector nothing while the next ones go on.
    sim.dispose();
    rows.push(row as ExperimentRow<M>);
  }
  return { name: options.name, rows, summary: summaryOf(names, rows) };
}

/**
 * Combines the results of shards of one experiment into exactly what a single run over all
 * their seeds gives: rows in seed order and every summary recomputed from the rows. Without
 * `seeds`, the order is that of `results` (pass the shards 1..n in order); with `seeds` (the
 * experiment's full seed list, or a count as in `experiment`), rows are put in that order and
 * every seed must appear exactly once. The results must share the name and the measures.
 *
 * @example
 * ```ts
 * const shards = [1, 2, 3].map((index) => experiment({ ...options, shard: { index, count: 3 } }));
 * mergeResults(shards); // deep-equals experiment(options)
 * ```
 */
export function mergeResults<M extends string>(results: ReadonlyArray<ExperimentResult<M>>, options: { readonly seeds?: number | readonly string[] } = {}): ExperimentResult<M> {
  if (!Array.isArray(results) || results.length === 0) throw new SimulationError("mergeResults: expected at least one result");
  if (results.length > mergeResultsMax) throw new SimulationError(`mergeResults: ${results.length} results exceed the mergeResultsMax bound (${mergeResultsMax})`);
  const first = results[0]!;
  const names = Object.keys(first.summary) as M[];
  const rows: Array<ExperimentRow<M>> = [];
  const bySeed = new Map<string, ExperimentRow<M>>();
  for (const result of results) {
    if (result.name !== first.name) throw new SimulationError(`mergeResults: results of different experiments (${JSON.stringify(first.name)} and ${JSON.stringify(result.name)})`);
    const resultNames = Object.keys(result.summary);
    if (resultNames.length !== names.length || resultNames.some((name, index) => name !== names[index])) {
      throw new SimulationError(`mergeResults: results with different measures ([${names.join(", ")}] and [${resultNames.join(", ")}])`);
    }
    if (rows.length + result.rows.length > experimentSeedsMax) throw new SimulationError(`mergeResults: more rows than the experimentSeedsMax bound (${experimentSeedsMax})`);
    for (const row of result.rows) {
      if (bySeed.has(row.seed)) throw new SimulationError(`mergeResults: seed ${JSON.stringify(row.seed)} appears in more than one result`);
      bySeed.set(row.seed, row);
      rows.push(row);
    }
  }
  let ordered = rows;
  if (options.seeds !== undefined) {
    const seeds = experimentSeeds(first.name, options.seeds);
    if (seeds.length !== rows.length) throw new SimulationError(`mergeResults: ${rows.length} rows for ${seeds.length} seeds`);
    ordered = seeds.map((seed) => {
      const row = bySeed.get(seed);
      if (row === undefined) throw new SimulationError(`mergeResults: no row for seed ${JSON.stringify(seed)}`);
      return row;
    });
  }
  return { name: first.name, rows: ordered.map((row) => ({ ...row })), summary: summaryOf(names, ordered) };
}
