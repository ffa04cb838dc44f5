// Jepsen-style: what does a partition of the leader cost? For each seed, a Raft group of swarm
// managers (swarmkit's timing: heartbeat 1 s, election timeout 10-20 s, check-quorum on) takes a
// client write every 100 ms at whichever member is the live leader; the leader is cut off from
// the rest (alone, or with one follower) for 30 s, then the partition heals. Built-in measures
// of swarmsim/testing give, over N seeds: the time to elect a new leader, the longest window
// without an acknowledged write, the acknowledged writes lost (Raft promises none) and the
// writes the old leader accepted but never acknowledged (a client sees them time out).
//
// Run it with `npx tsx examples/leader-partition.ts [seeds]` (default 1,000 seeds per variant).
import { Simulation } from "swarmsim";
import { experiment, lostAcknowledgedWrites, markFault, probeWrites, timeToElectLeaderAfter, writeProbes, writeUnavailabilityMs, type ExperimentResult, type Summary } from "swarmsim/testing";

/** Number of managers. */
export const managerCount = 5;
/** How long the leader stays cut off, virtual ms. */
export const partitionMs = 30_000;
/** Client writes: one every this many ms ... */
export const writeIntervalMs = 100;
/** ... for this long from the partition (the partition, then time to recover), virtual ms. */
export const probeMs = 60_000;

/** Who is cut off with the leader: nobody, or one follower (the minority side of 5). */
export type PartitionVariant = "leader alone" | "leader + 1 follower";

/** The measures of one run. */
export type LeaderPartitionMeasure = "electionMs" | "unavailableMs" | "lostAcknowledgedWrites" | "unacknowledgedWrites";

/** Builds the group, partitions the leader, probes writes and heals; returns the simulation for the measures. */
export function leaderPartitionScenario(seed: string, variant: PartitionVariant): Simulation {
  const sim = Simulation.swarm({ seed, managers: managerCount, engine: false, trace: { level: "off" } });
  const members = Array.from({ length: managerCount }, (_, index) => `manager${index + 1}`);
  // Let the first leader settle and every member follow it.
  sim.runFor(5_000);
  const leader = sim.leader();
  if (leader === undefined) throw new Error(`no leader for seed ${seed}`);
  const followers = members.filter((host) => host !== leader.host);
  const minority = variant === "leader alone" ? [leader.host] : [leader.host, followers[0]!];
  markFault(sim, "partition");
  sim.faults.partition(minority, members.filter((host) => !minority.includes(host)));
  sim.schedule(partitionMs, () => sim.faults.heal());
  probeWrites(sim, { intervalMs: writeIntervalMs, durationMs: probeMs });
  // Time for the final leader to apply everything committed.
  sim.runFor(5_000);
  return sim;
}

/** Writes accepted by a leader after the partition but never acknowledged (the clients' timeouts). */
export function unacknowledgedWrites(sim: Simulation): number | null {
  const record = writeProbes(sim);
  return record === undefined ? null : record.probes.filter((probe) => probe.committedAtMs === null).length;
}

/** Runs the experiment for one variant over `seeds` seeds. */
export function leaderPartitionExperiment(seeds: number, variant: PartitionVariant): ExperimentResult<LeaderPartitionMeasure> {
  return experiment<LeaderPartitionMeasure>({
    name: `leader-partition/${variant.replace(/\W+/g, "-")}`,
    seeds,
    scenario: (seed) => leaderPartitionScenario(seed, variant),
    measure: {
      electionMs: (sim) => timeToElectLeaderAfter(sim, "partition"),
      unavailableMs: (sim) => writeUnavailabilityMs(sim),
      lostAcknowledgedWrites: (sim) => lostAcknowledgedWrites(sim),
      unacknowledgedWrites: (sim) => unacknowledgedWrites(sim),
    },
  });
}

/** Runs both variants. */
export function runLeaderPartition(seeds: number): Record<PartitionVariant, ExperimentResult<LeaderPartitionMeasure>> {
  return { "leader alone": leaderPartitionExperiment(seeds, "leader alone"), "leader + 1 follower": leaderPartitionExperiment(seeds, "leader + 1 follower") };
}

/** The results as a table: one row per variant and measure. */
export function formatLeaderPartitionTable(results: Record<PartitionVariant, ExperimentResult<LeaderPartitionMeasure>>): string {
  const header = ["partition", "measure", "runs", "mean", "median", "p90", "p99", "max"];
  const rows: string[][] = [];
  const formatValue = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));
  for (const [variant, result] of Object.entries(results)) {
    for (const [measure, summary] of Object.entries(result.summary) as Array<[string, Summary]>) {
      rows.push([variant, measure, String(summary.count), ...[summary.mean, summary.median, summary.p90, summary.p99, summary.max].map((value) => (summary.count === 0 ? "-" : formatValue(value)))]);
    }
  }
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const seeds = Number(process.argv[2] ?? 1_000);
  const results = runLeaderPartition(seeds);
  console.log(`Partition of the Raft leader: ${managerCount} managers, swarmkit timing, a write every ${writeIntervalMs} ms, partition healed after ${partitionMs / 1_000} s, ${seeds} seeds per variant (times in ms)\n`);
  console.log(formatLeaderPartitionTable(results));
}
