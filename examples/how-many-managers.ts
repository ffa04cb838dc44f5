// "How many managers?" answered by measurement. Docker's advice is an odd number, 3 or 5, at
// most 7: a swarm of N managers tolerates (N - 1) / 2 of them down. Here each of 1, 3, 5 and 7
// managers (a Raft group with swarmkit's timing) crashes at random, independently, and comes back
// after a random repair time, for 10 virtual minutes, while a client writes every 100 ms at the
// live leader. Over N seeds per size it measures the share of time with a leader, the share of
// writes acknowledged, and the write latency (proposal to acknowledgement), and prints a table.
//
// Run it with `npx tsx examples/how-many-managers.ts [seeds]` (default 100 seeds per size).
import { Simulation } from "swarmsim";
import { experiment, probeWrites, summarize, writeProbes, type ExperimentResult } from "swarmsim/testing";

/** The group sizes compared. */
export const managerCounts: readonly number[] = [1, 3, 5, 7];
/** Mean time a manager stays up between crashes, virtual ms (exponentially distributed). */
export const meanTimeBetweenCrashesMs = 120_000;
/** Mean time a crashed manager stays down, virtual ms (exponentially distributed). */
export const meanTimeToRepairMs = 40_000;
/** How long the client writes, virtual ms. */
export const windowMs = 600_000;
/** A client write every this many ms. */
export const writeIntervalMs = 100;

/** The measures of one run. */
export type ManagersMeasure = "leaderShare" | "acknowledgedShare" | "latencyMedianMs" | "latencyP99Ms";

/** An exponentially distributed delay with this mean, from a uniform draw in [0, 1). */
function exponentialMs(meanMs: number, uniform: number): number {
  return -meanMs * Math.log(1 - uniform);
}

/** Crashes each manager after a random up time and restarts it after a random repair time, forever (drawn from the simulation's generator). */
export function injectRandomCrashes(sim: Simulation, managers: readonly string[]): void {
  const random = sim.random.fork("manager-crashes");
  for (const host of managers) {
    const crashLater = (): void => {
      sim.schedule(exponentialMs(meanTimeBetweenCrashesMs, random.next()), () => {
        sim.faults.crash(host);
        sim.schedule(exponentialMs(meanTimeToRepairMs, random.next()), () => {
          sim.faults.restart(host);
          crashLater();
        });
      });
    };
    crashLater();
  }
}

/** Builds a group of `managers`, starts the crashes and probes writes for the window. */
export function managersScenario(seed: string, managers: number): Simulation {
  const sim = Simulation.swarm({ seed, managers, engine: false, trace: { level: "off" } });
  injectRandomCrashes(sim, Array.from({ length: managers }, (_, index) => `manager${index + 1}`));
  probeWrites(sim, { intervalMs: writeIntervalMs, durationMs: windowMs });
  return sim;
}

function probeCount(): number {
  return Math.floor(windowMs / writeIntervalMs);
}

/** Runs the experiment for one group size. */
export function managersExperiment(seeds: number, managers: number): ExperimentResult<ManagersMeasure> {
  return experiment<ManagersMeasure>({
    name: `how-many-managers/${managers}`,
    seeds,
    scenario: (seed) => managersScenario(seed, managers),
    measure: {
      // A write tick with a live leader that took the proposal (not refused): the share of time with a leader.
      leaderShare: (sim) => 1 - writeProbes(sim)!.refusedCount / probeCount(),
      acknowledgedShare: (sim) => writeProbes(sim)!.probes.filter((probe) => probe.committedAtMs !== null).length / probeCount(),
      latencyMedianMs: (sim) => latencies(sim).median,
      latencyP99Ms: (sim) => latencies(sim).p99,
    },
  });
}

function latencies(sim: Simulation): { median: number; p99: number } {
  const values = writeProbes(sim)!.probes.filter((probe) => probe.committedAtMs !== null).map((probe) => probe.committedAtMs! - probe.proposedAtMs);
  const summary = summarize(values);
  return { median: summary.median, p99: summary.p99 };
}

/** One row of the table. */
export interface ManagersRow {
  readonly managers: number;
  readonly seeds: number;
  /** Mean over seeds of the share of time with a leader. */
  readonly leaderShare: number;
  /** Mean over seeds of the share of writes acknowledged. */
  readonly acknowledgedShare: number;
  /** The worst seed's share of writes acknowledged. */
  readonly acknowledgedShareWorst: number;
  /** Median over seeds of the per-seed median latency, ms. */
  readonly latencyMedianMs: number;
  /** Median over seeds of the per-seed 99th percentile latency, ms. */
  readonly latencyP99Ms: number;
}

/** Runs every group size over `seeds` seeds. */
export function runHowManyManagers(seeds: number, counts: readonly number[] = managerCounts): ManagersRow[] {
  return counts.map((managers) => {
    const { rows, summary } = managersExperiment(seeds, managers);
    return {
      managers,
      seeds,
      leaderShare: summary.leaderShare.mean,
      acknowledgedShare: summary.acknowledgedShare.mean,
      acknowledgedShareWorst: Math.min(...rows.map((row) => row.acknowledgedShare ?? 0)),
      latencyMedianMs: summary.latencyMedianMs.median,
      latencyP99Ms: summary.latencyP99Ms.median,
    };
  });
}

/** The rows as a table. */
export function formatManagersTable(rows: readonly ManagersRow[]): string {
  const header = ["managers", "tolerates", "time with a leader", "writes acknowledged", "worst seed", "latency median", "latency p99"];
  const percent = (share: number) => `${(share * 100).toFixed(2)}%`;
  const cells = rows.map((row) => [String(row.managers), `${Math.floor((row.managers - 1) / 2)} down`, percent(row.leaderShare), percent(row.acknowledgedShare), percent(row.acknowledgedShareWorst), `${row.latencyMedianMs.toFixed(1)} ms`, `${row.latencyP99Ms.toFixed(1)} ms`]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => row[column]!.length)));
  const line = (values: readonly string[]) => values.map((value, column) => value.padStart(widths[column]!)).join("  ");
  return [line(header), ...cells.map(line)].join("\n");
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const seeds = Number(process.argv[2] ?? 100);
  const rows = runHowManyManagers(seeds);
  console.log(`How many managers? Each manager crashes after ${meanTimeBetweenCrashesMs / 1_000} s up and is repaired after ${meanTimeToRepairMs / 1_000} s down (means, exponential); a write every ${writeIntervalMs} ms for ${windowMs / 60_000} virtual minutes; ${seeds} seeds per size; swarmkit's Raft timing\n`);
  console.log(formatManagersTable(rows));
}
