// Testing benchmark: random fault schedules checked per second. Each seed builds a 3-manager,
// 3-worker swarm (trace and history off), creates 5 services, applies a fault schedule drawn by fast-check
// (`fc.sample`, seeded from the seed) over 5 simulated minutes, runs them with the Raft safety
// checker watching, and counts violations and runs stopped by a simulated process that threw. This file is also the experiment module the worker
// threads import (its default export); `benchTestingWorkers` runs it on every available core.
import fc from "fast-check";
import { fileURLToPath } from "node:url";
import { Simulation } from "swarmsim";
import { arbitraries, applyFaultSchedule, experiment, type FaultScheduleLog, type RaftSafetyChecker } from "swarmsim/testing";
import { defaultWorkerCount, runExperimentFile, type ExperimentDefinition, type RunExperimentFileOptions } from "swarmsim/node";

/** Simulated time each schedule runs, ms (5 minutes). */
const simulatedMs = 300_000;
/**
 * Seeds the benchmark runs across the workers: enough that the second half runs on code the JIT
 * has finished compiling (the first hundred seeds or so of each thread run slower while it does).
 */
const benchSeeds = 600;
/** Seeds the single-thread, in-process comparison runs untimed first, while the JIT compiles. */
const inProcessWarmUpSeeds = 120;
/** Seeds of the single-thread, in-process comparison run, timed after the warm-up. */
const inProcessSeeds = 60;
/** The goal: schedules checked per second on this machine's cores. */
export const testingGoalSeedsPerSecond = 100;

const hosts = ["manager1", "manager2", "manager3", "worker1", "worker2", "worker3"];
const checks = new WeakMap<Simulation, { log: FaultScheduleLog; checker: RaftSafetyChecker; crashed: boolean }>();

/** A 32-bit FNV-1a hash of the seed: the fast-check seed of its fault schedule. */
function fastCheckSeedOf(seed: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < seed.length; index++) hash = Math.imul(hash ^ seed.charCodeAt(index), 0x01000193);
  return hash | 0;
}

/** The experiment: one random fault schedule per seed on a 3+3 swarm with 5 services. */
const definition = {
  name: "fault-schedules",
  seeds: benchSeeds,
  scenario: (seed, options?) => {
    const [schedule] = fc.sample(arbitraries.faultSchedule({ durationMs: simulatedMs, hosts }), { numRuns: 1, seed: fastCheckSeedOf(seed) });
    // Trace and history off, as docs/testing.md advises for runs over many seeds (nothing here reads them).
    const sim = Simulation.swarm({ seed, managers: 3, workers: 3, trace: { level: "off" }, history: { snapshotsMax: 0, inputsMax: 0 }, ...options });
    const checker = sim.watchRaftSafety();
    const manager = sim.engine("manager1");
    for (let index = 0; index < 5; index++) {
      manager.serviceCreate({
        Name: `service${index}`,
        TaskTemplate: { ContainerSpec: { Image: index % 2 === 0 ? "nginx" : "redis" } },
        Mode: index === 4 ? { Global: {} } : { Replicated: { Replicas: 2 } },
      });
    }
    const log = applyFaultSchedule(sim, schedule!);
    let crashed = false;
    try {
      sim.runFor(simulatedMs);
    } catch {
      // A simulated process threw (a SimulationCrash naming the seed): a finding, counted by the measure.
      crashed = true;
    }
    checks.set(sim, { log, checker, crashed });
    return sim;
  },
  measure: {
    faultsApplied: (sim) => checks.get(sim)!.log.outcomes.filter((outcome) => outcome.applied).length,
    raftViolations: (sim) => checks.get(sim)!.checker.violations.length,
    simulationCrashes: (sim) => (checks.get(sim)!.crashed ? 1 : 0),
    events: (sim) => sim.eventCount,
  },
} satisfies ExperimentDefinition<"faultsApplied" | "raftViolations" | "simulationCrashes" | "events">;

export default definition;

/** The testing benchmark's figures from worker threads. */
export interface TestingWorkersResult {
  readonly seeds: number;
  readonly workers: number;
  /** Seeds per second once the workers had loaded the module, warm-up included. */
  readonly seedsPerSecond: number;
  /** Seeds per second over the second half of the seeds (the JIT warm). */
  readonly warmSeedsPerSecond: number;
  /** Seeds per second including starting the workers. */
  readonly seedsPerSecondWithStartup: number;
  readonly startupSeconds: number;
  /** CPU time per seed over the second half, all threads of the process (workers, V8's collector and compiler), ms. */
  readonly warmCpuMsPerSeed: number;
  readonly meanEventsPerSeed: number;
  readonly raftViolations: number;
  /** Seeds whose run stopped with a SimulationCrash (a simulated process threw). */
  readonly simulationCrashes: number;
}

/** The testing benchmark's comparison: one thread, in-process, JIT warm. */
export interface TestingInProcessResult {
  /** Seeds per second after `inProcessWarmUpSeeds` untimed seeds. */
  readonly seedsPerSecond: number;
  /** CPU time per seed, all threads (V8 collects and compiles beside the one running), ms. */
  readonly cpuMsPerSeed: number;
}

/**
 * The comparison run: the experiment in this thread, timed after a warm-up, under the V8 flags
 * the process started with (the benchmark gives it a process of its own, with V8's defaults).
 */
export function benchTestingInProcess(): TestingInProcessResult {
  experiment({ ...definition, seeds: Array.from({ length: inProcessWarmUpSeeds }, (_, index) => `warm-up/${index}`) });
  const startMs = performance.now();
  const startCpu = process.cpuUsage();
  experiment({ ...definition, seeds: inProcessSeeds });
  const seconds = (performance.now() - startMs) / 1000;
  return { seedsPerSecond: inProcessSeeds / seconds, cpuMsPerSeed: cpuMillisecondsOf(process.cpuUsage(startCpu)) / inProcessSeeds };
}

/**
 * The benchmark: the experiment across `workers` worker threads (default one per core) with
 * `v8Flags` (default the runner's, {@link RunExperimentFileOptions.v8Flags}), its second half
 * timed apart. The benchmark runs it in a process started as `swarmsim experiment` starts one
 * whose workers fill the cores (with `experimentProcessFlags`), to measure what that command does.
 */
export async function benchTestingWorkers(options: { readonly workers?: number; readonly v8Flags?: readonly string[] } = {}): Promise<TestingWorkersResult> {
  const workers = options.workers ?? defaultWorkerCount();
  const startMs = performance.now();
  let loadedMs = startMs;
  let halfDoneMs = startMs;
  let halfDoneCpu = process.cpuUsage();
  const result = await runExperimentFile(fileURLToPath(import.meta.url), {
    workers,
    progress: false,
    ...(options.v8Flags === undefined ? {} : { v8Flags: options.v8Flags }),
    onStart: () => {
      loadedMs = performance.now();
    },
    onProgress: (done, total) => {
      if (done !== Math.floor(total / 2)) return;
      halfDoneMs = performance.now();
      halfDoneCpu = process.cpuUsage();
    },
  });
  const endMs = performance.now();
  const warmCpu = process.cpuUsage(halfDoneCpu);
  const warmSeeds = result.rows.length - Math.floor(result.rows.length / 2);
  return {
    seeds: result.rows.length,
    workers,
    seedsPerSecond: result.rows.length / ((endMs - loadedMs) / 1000),
    warmSeedsPerSecond: warmSeeds / ((endMs - halfDoneMs) / 1000),
    seedsPerSecondWithStartup: result.rows.length / ((endMs - startMs) / 1000),
    startupSeconds: (loadedMs - startMs) / 1000,
    warmCpuMsPerSeed: cpuMillisecondsOf(warmCpu) / warmSeeds,
    meanEventsPerSeed: result.summary.events?.mean ?? Number.NaN,
    raftViolations: result.rows.reduce((sum, row) => sum + (row.raftViolations ?? 0), 0),
    simulationCrashes: result.rows.reduce((sum, row) => sum + (row.simulationCrashes ?? 0), 0),
  };
}

/** User plus system time of a `process.cpuUsage` reading, ms. */
function cpuMillisecondsOf(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}
