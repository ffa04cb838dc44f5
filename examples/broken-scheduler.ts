// Mutation testing with swarmsim/testing: a property test that finds a real bug in a
// deliberately broken scheduler and shrinks it to a minimal fault schedule.
//
// The property: whatever workers crash, restart, lose dockerd or get cut off during 30 s, once
// the partitions are healed (crashed hosts stay down) scaling `web` from 4 to 8 replicas
// converges within 2 virtual minutes: 8 tasks running on ready nodes. The correct scheduler
// passes. The broken one (`engine: { schedulerBugs: { ignoreDownNodes: true } }`: its ReadyFilter forgets to check that
// a node is up) keeps assigning replicas to a down node, where they never start; the
// orchestrator replaces them and the scheduler puts them straight back. fast-check finds a
// failing schedule and shrinks it to one fault, and the printed seed and path replay it.
//
// Run it with `npx tsx examples/broken-scheduler.ts [runs]` (default 100 runs of the correct scheduler).
import fc from "fast-check";
import { Simulation } from "swarmsim";
import { applyFaultSchedule, arbitraries, check, formatFaultSchedule, PropertyFailure, type FaultEvent } from "swarmsim/testing";
import type { SchedulerBugs } from "../src/swarm/scheduler/index.js";

/** Workers the faults hit (manager1 stays up, so a replica always has somewhere to run). */
export const faultHosts: readonly string[] = ["worker1", "worker2", "worker3"];
/** Faults happen within this long, ms. */
export const faultWindowMs = 30_000;
/** Replicas before and after the scale-up. */
export const replicasBefore = 4;
export const replicasAfter = 8;
/** How long the scale-up may take to converge, virtual ms. */
export const convergenceTimeoutMs = 120_000;

/** The broken scheduler's bug: its ReadyFilter forgets that a node must be ready. */
export const brokenSchedulerBugs: SchedulerBugs = { ignoreDownNodes: true };

/** Why the scale-up did not converge after `schedule`, or undefined when it did; `schedulerBugs` breaks the managers' scheduler. */
export function scaleUpFailure(schedule: readonly FaultEvent[], schedulerBugs: SchedulerBugs = {}): string | undefined {
  const sim = Simulation.swarm({ seed: "broken-scheduler", managers: 1, workers: faultHosts.length, trace: { level: "off" }, engine: { schedulerBugs } });
  sim.exec("manager1", `docker service create -d --name web --replicas ${replicasBefore} nginx`);
  sim.runFor(10_000);
  applyFaultSchedule(sim, schedule);
  // Long enough after the last fault for the managers to notice a node down (3 missed heartbeats).
  sim.runFor(faultWindowMs + 30_000);
  sim.faults.heal();
  const scaledAtMs = sim.now;
  const scaled = sim.exec("manager1", `docker service scale -d web=${replicasAfter}`);
  if (scaled.exitCode !== 0) return `docker service scale failed: ${scaled.stderr.trim()}`;
  const running = (): number => {
    const state = sim.clusterState();
    if (state === undefined) return 0;
    const service = Object.values(state.services).find((candidate) => candidate.spec.name === "web");
    return Object.values(state.tasks).filter((task) => task.serviceId === service?.id && task.desiredState === "running" && task.status.state === "running" && state.nodes[task.nodeId]?.status.state === "ready").length;
  };
  if (sim.runUntil(() => running() === replicasAfter, { timeoutMs: convergenceTimeoutMs })) return undefined;
  const state = sim.clusterState();
  const onDownNodes = Object.values(state?.tasks ?? {}).filter((task) => task.createdAt >= scaledAtMs && state?.nodes[task.nodeId]?.status.state === "down");
  const downHosts = [...new Set(onDownNodes.map((task) => state?.nodes[task.nodeId]?.description.hostname ?? ""))].sort();
  return `${running()} of ${replicasAfter} replicas running ${convergenceTimeoutMs / 1_000} s after the scale-up; ${onDownNodes.length} task(s) created since were assigned to down node(s) [${downHosts.join(" ")}]`;
}

/** The property: any fault schedule of the workers, then the scale-up converges (with the scheduler `schedulerBugs` breaks). */
export function scaleUpProperty(schedulerBugs: SchedulerBugs = {}): fc.IPropertyWithHooks<[FaultEvent[]]> {
  return fc.property(arbitraries.faultSchedule({ durationMs: faultWindowMs, hosts: faultHosts, kinds: ["crash", "restart", "kill", "isolate", "heal"], maxFaults: 6 }), (schedule) => {
    const failure = scaleUpFailure(schedule, schedulerBugs);
    if (failure !== undefined) throw new Error(failure);
  });
}

/** What `findSchedulerBug` found. */
export interface BrokenSchedulerResult {
  /** Runs of the correct scheduler, all passing. */
  readonly correctRuns: number;
  /** The seed fast-check used for the broken scheduler. */
  readonly seed: number;
  /** fast-check's path to the shrunk case. */
  readonly path: string;
  /** The shrunk fault schedule. */
  readonly schedule: readonly FaultEvent[];
  /** Why it fails. */
  readonly error: string;
  /** Whether `check(property, { seed, path })` with the broken scheduler fails again with the same schedule. */
  readonly replayReproduces: boolean;
  /** The full message of the failure (`PropertyFailure.message`). */
  readonly message: string;
}

/** The failure a property throws under `check`. */
function failureOf(run: () => unknown): PropertyFailure | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof PropertyFailure) return error;
    throw error;
  }
}

/**
 * Checks the property `runs` times against the correct scheduler (it must pass), then against
 * the broken one with the given fast-check seed (it must fail), and replays the shrunk case.
 */
export function findSchedulerBug(runs: number, seed = 42): BrokenSchedulerResult {
  const correct = check(scaleUpProperty(), { numRuns: runs, seed });
  const failure = failureOf(() => check(scaleUpProperty(brokenSchedulerBugs), { numRuns: runs, seed }));
  if (failure === undefined) throw new Error(`the broken scheduler passed ${runs} runs: the property did not catch it`);
  const schedule = failure.counterexample[0] as FaultEvent[];
  const replay = failureOf(() => check(scaleUpProperty(brokenSchedulerBugs), { seed: failure.seed, path: failure.path }));
  const replayReproduces = replay !== undefined && formatFaultSchedule(replay.counterexample[0] as FaultEvent[]) === formatFaultSchedule(schedule);
  const error = failure.cause instanceof Error ? failure.cause.message : String(failure.cause);
  return { correctRuns: correct.numRuns, seed: failure.seed, path: failure.path, schedule, error, replayReproduces, message: failure.message };
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const runs = Number(process.argv[2] ?? 100);
  const result = findSchedulerBug(runs);
  console.log(`correct scheduler: ${result.correctRuns} runs passed`);
  console.log(`broken scheduler (ignoreDownNodes): the property failed; shrunk fault schedule (${result.schedule.length} fault${result.schedule.length === 1 ? "" : "s"}):`);
  console.log(formatFaultSchedule(result.schedule).replace(/^/gm, "  "));
  console.log(`error: ${result.error}`);
  console.log(`replay: check(property, { seed: ${result.seed}, path: ${JSON.stringify(result.path)} }) ${result.replayReproduces ? "fails again with the same schedule" : "DID NOT reproduce the failure"}`);
  console.log(`\nthe failure as check() reports it:\n${result.message}`);
}
