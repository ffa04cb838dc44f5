/// <reference types="node" />
/**
 * Node-only: runs an experiment module's default export in worker threads, and checks a
 * module's determinism with a third run in a worker. Seeds are cut into contiguous slices handed
 * to idle workers; the slices' results are merged in seed order, so the result is identical to
 * the in-process `experiment` (byte for byte through `toJson`).
 */
import { availableParallelism } from "node:os";
import { mergeResults, shardSeeds, type ExperimentResult } from "../testing/experiment.js";
import {
  determinismDivergencesMax,
  determinismRunOptions,
  determinismTraceEventsMax,
  firstDivergence,
  recordRun,
  type DeterminismReport,
  type DeterminismScenario,
  type DeterminismSeedResult,
  type RunRecording,
  type TraceDivergence,
} from "../testing/determinism.js";
import { experimentSeeds } from "../testing/experiment.js";
import type { SimulationEvent } from "../sim/events.js";
import { importExperimentDefinition } from "./experiment-module.js";
import { ProgressBar, type ProgressStream } from "./progress.js";
import { ExperimentWorkerPool, workersMax } from "./worker-pool.js";
import { applyV8Flags, experimentV8Flags } from "./v8-tuning.js";

/** Bound `slicesPerWorker`: how many slices of seeds each worker gets on average (for load balance and progress). */
export const slicesPerWorker = 8;

/** The number of worker threads used by default: the cores available, within `workersMax`. */
export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(workersMax, availableParallelism()));
}

/** Options of {@link runExperimentFile}. */
export interface RunExperimentFileOptions {
  /** Worker threads (1..`workersMax`); default the available cores. */
  readonly workers?: number;
  /** Run only the `index`-th (1-based) of `count` contiguous slices of the seeds (`--shard k/n`). */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Show a progress bar (only drawn when the stream is a TTY); default true. */
  readonly progress?: boolean;
  /** Where the progress bar draws; default `process.stdout`. */
  readonly progressStream?: ProgressStream;
  /** Called once the workers have loaded the module: the experiment's name, its seeds and the seeds this run covers. */
  readonly onStart?: (info: { readonly name: string; readonly seedsTotal: number; readonly seedsToRun: number }) => void;
  /** Called with the seeds done and the total after every seed. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * V8 flags set in this process before the workers start (V8's flags are process-wide); default
   * {@link experimentV8Flags}, which make V8's compiler do less for a run of many short seeds. `[]`
   * leaves V8 as it is. Results do not depend on them.
   */
  readonly v8Flags?: readonly string[];
}

/** Contiguous slices of `seeds`, about `slicesPerWorker` per worker (at least one, possibly empty). */
export function sliceSeeds(seeds: readonly string[], workers: number): string[][] {
  const sliceCount = Math.max(1, Math.min(seeds.length, workers * slicesPerWorker));
  return Array.from({ length: sliceCount }, (_, index) => shardSeeds(seeds, index + 1, sliceCount));
}

/**
 * Runs the experiment defined by the default export of `file` in worker threads and returns
 * the same result `experiment(definition)` gives in-process (with `shard`, the same as
 * `experiment({ ...definition, shard })`). TypeScript files are loaded through tsx.
 *
 * @example
 * ```ts
 * const result = await runExperimentFile("experiments/election.ts", { workers: 4, shard: { index: 1, count: 2 } });
 * await writeExperimentResults("results/election", result);
 * ```
 */
export async function runExperimentFile(file: string, options: RunExperimentFileOptions = {}): Promise<ExperimentResult> {
  const requestedWorkers = options.workers ?? defaultWorkerCount();
  if (!Number.isInteger(requestedWorkers) || requestedWorkers < 1 || requestedWorkers > workersMax) {
    throw new RangeError(`invalid worker count ${JSON.stringify(requestedWorkers)}: expected a whole number from 1 to ${workersMax} (the workersMax bound)`);
  }
  if (options.shard !== undefined) shardSeeds([], options.shard.index, options.shard.count); // validates the shard early
  applyV8Flags(options.v8Flags ?? experimentV8Flags);
  const pool = await ExperimentWorkerPool.start(file, requestedWorkers);
  try {
    let seeds = [...pool.info.seeds];
    if (options.shard !== undefined) seeds = shardSeeds(seeds, options.shard.index, options.shard.count);
    options.onStart?.({ name: pool.info.name, seedsTotal: pool.info.seeds.length, seedsToRun: seeds.length });
    const slices = sliceSeeds(seeds, pool.size);
    const bar = options.progress === false ? undefined : new ProgressBar({ total: seeds.length, label: pool.info.name, ...(options.progressStream === undefined ? {} : { stream: options.progressStream }) });
    const doneBySlice = new Array<number>(slices.length).fill(0);
    let done = 0;
    const results = await Promise.all(
      slices.map((slice, index) =>
        pool.runSeeds(slice, (sliceDone) => {
          done += sliceDone - doneBySlice[index]!;
          doneBySlice[index] = sliceDone;
          bar?.update(done);
          options.onProgress?.(done, seeds.length);
        }),
      ),
    );
    bar?.finish();
    return mergeResults(results.map((reply) => reply.result));
  } finally {
    await pool.close();
  }
}

/** Options of {@link checkDeterminismAcrossWorkers}. */
export interface CheckDeterminismAcrossWorkersOptions {
  /** A number of seeds (named after the experiment) or the seeds; default the module's own seeds. */
  readonly seeds?: number | readonly string[];
  /** Worker threads for the third runs; default the available cores, never more than the seeds. */
  readonly workers?: number;
  /** Trace bound of each run (default `determinismTraceEventsMax`). */
  readonly traceEventsMax?: number;
}

function withoutEvents(recording: RunRecording): Omit<RunRecording, "events"> {
  const { events: _events, ...fingerprint } = recording;
  return fingerprint;
}

/**
 * `checkDeterminism` for an experiment module, with a third run of every seed in a worker
 * thread: runs 1 and 2 in this thread, run 3 in a worker that imports the module afresh (so
 * module state shared between runs, or differences between threads, show). Reports per seed the
 * first event where any run differs from run 1. The scenario gets the check's trace options as
 * its second argument and should spread them into the simulation's options.
 *
 * @example
 * ```ts
 * const report = await checkDeterminismAcrossWorkers("experiments/election.ts", { seeds: 20 });
 * if (!report.ok) console.log(formatDeterminismReport(report));
 * ```
 */
export async function checkDeterminismAcrossWorkers(file: string, options: CheckDeterminismAcrossWorkersOptions = {}): Promise<DeterminismReport> {
  const definition = await importExperimentDefinition(file);
  const scenario = definition.scenario as DeterminismScenario;
  const seeds = experimentSeeds(definition.name, options.seeds ?? definition.seeds);
  const traceEventsMax = options.traceEventsMax ?? determinismTraceEventsMax;
  const runOptions = determinismRunOptions(traceEventsMax);
  const results: DeterminismSeedResult[] = [];
  for (const seed of seeds) {
    const first = recordRun(scenario, seed, runOptions);
    const second = recordRun(scenario, seed, runOptions);
    const divergence = firstDivergence(seed, first, second, ["run 1 (in-process)", "run 2 (in-process)"]);
    results.push({ seed, fingerprint: withoutEvents(first), ...(divergence === undefined ? {} : { divergence }) });
  }
  const workers = Math.max(1, Math.min(options.workers ?? defaultWorkerCount(), Math.max(1, seeds.length)));
  const pool = await ExperimentWorkerPool.start(file, workers);
  let workerReplies;
  try {
    workerReplies = await Promise.all(results.map((result) => pool.runTrace({ seed: result.seed, expected: result.fingerprint, traceEventsMax })));
  } finally {
    await pool.close();
  }
  const divergences: TraceDivergence[] = [];
  let divergentSeedCount = 0;
  const finalResults = results.map((result, index) => {
    let divergence = result.divergence;
    const reply = workerReplies[index]!;
    if (divergence === undefined && reply.value.eventTexts !== undefined) {
      // Run 1 again for its events (it agreed with run 2, so it is reproducible here).
      const first = recordRun(scenario, result.seed, runOptions);
      const third: RunRecording = { ...reply.value.fingerprint, events: reply.value.eventTexts.map((text) => JSON.parse(text) as SimulationEvent) };
      divergence = firstDivergence(result.seed, first, third, ["run 1 (in-process)", "run 3 (worker thread)"]);
    }
    if (divergence === undefined) return { seed: result.seed, fingerprint: result.fingerprint };
    divergentSeedCount++;
    if (divergences.length < determinismDivergencesMax) divergences.push(divergence);
    return { seed: result.seed, fingerprint: result.fingerprint, divergence };
  });
  return { ok: divergentSeedCount === 0, runsPerSeed: 3, seeds: finalResults, divergences, divergentSeedCount };
}
