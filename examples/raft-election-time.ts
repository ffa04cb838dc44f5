// Reproduces the leader-election measurement of the Raft paper (Ongaro and Ousterhout, "In
// Search of an Understandable Consensus Algorithm", Figure 16; Ongaro's thesis, chapter 9):
// five members, a broadcast time of about 15 ms, the leader crashed at a uniformly random
// point within its heartbeat interval (half the minimum election timeout), and two of the
// survivors holding shorter logs, so they cannot win. For each election-timeout range of the
// figure it measures the time from the crash to a new leader, and prints the distribution, a
// CDF, and writes CSV.
//
// Run it with `npx tsx examples/raft-election-time.ts [trials per range] [csv path or -] [--pre-vote]`.
import { writeFileSync } from "node:fs";
import { Simulation } from "swarmsim";

/** The timeout ranges of the paper's Figure 16, in ms (top graph, then bottom graph). */
export const paperRanges: ReadonlyArray<readonly [number, number]> = [
  [150, 150],
  [150, 151],
  [150, 155],
  [150, 175],
  [150, 200],
  [150, 300],
  [12, 24],
  [25, 50],
  [50, 100],
  [100, 200],
];

/** One-way latency between members, ms: a round trip, the paper's broadcast time, averages 15 ms. */
export const oneWayLatencyMs: readonly [number, number] = [5, 10];
/** A trial that elects nobody within this long is recorded as this long (none did in our runs). */
export const trialTimeoutMs = 60_000;

/** Measures one election: returns the ms from the leader's crash to a new leader. `preVote` turns on Raft's pre-vote (the paper's setup has it off). */
export function electionTrial(range: readonly [number, number], seed: string, preVote = false): number {
  const electionTimeoutMs: [number, number] = [range[0], range[1]];
  const heartbeatIntervalMs = range[0] / 2;
  const sim = Simulation.swarm({
    seed,
    managers: 5,
    engine: false,
    trace: { level: "off" },
    network: { latencyMs: oneWayLatencyMs },
    // The paper measured basic Raft: no check-quorum (a 12 ms lease is shorter than a 15 ms round trip) and no pre-vote.
    raft: { electionTimeoutMs, heartbeatIntervalMs, fsyncDelayMs: 0, checkQuorum: false, preVote },
  });
  const members = ["manager1", "manager2", "manager3", "manager4", "manager5"];
  // Steady state: one leader that every member follows.
  const settled = () => {
    const current = sim.leader();
    return current !== undefined && members.every((host) => sim.raftStatus(host).leader === current.host && sim.raftStatus(host).term === current.term);
  };
  if (!sim.runUntil(settled, { timeoutMs: trialTimeoutMs })) throw new Error(`no steady leader for seed ${seed}`);
  const leader = sim.leader()!;
  const followers = members.filter((host) => host !== leader.host);
  const behind = followers.slice(0, 2);
  // Two followers stop hearing from the leader; an entry then commits on the other three.
  for (const host of behind) sim.faults.setLink(leader.host, host, { lossRate: 1, oneWay: true });
  sim.raftPropose(leader.host, "entry the lagging members miss");
  const random = sim.random.fork("experiment");
  sim.runFor(random.next() * heartbeatIntervalMs);
  sim.faults.crash(leader.host);
  for (const host of behind) sim.faults.resetLink(leader.host, host);
  const crashedAt = sim.now;
  sim.runUntil(() => (sim.leader()?.term ?? 0) > leader.term, { timeoutMs: trialTimeoutMs });
  return sim.now - crashedAt;
}

/** Summary statistics of a list of times. */
export function summarize(times: readonly number[]): { count: number; mean: number; median: number; p99: number; max: number } {
  const sorted = [...times].sort((left, right) => left - right);
  const at = (quantile: number) => sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))]!;
  return { count: sorted.length, mean: sorted.reduce((sum, time) => sum + time, 0) / sorted.length, median: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1]! };
}

/** Runs `trials` elections for every range; returns the times per range. */
export function runExperiment(trials: number, preVote = false): Map<string, number[]> {
  const results = new Map<string, number[]>();
  for (const range of paperRanges) {
    const label = `${range[0]}-${range[1]}`;
    results.set(label, Array.from({ length: trials }, (_, trial) => electionTrial(range, `election/${label}/${trial}`, preVote)));
  }
  return results;
}

function cdfLine(times: readonly number[], width: number, maximumMs: number): string {
  const sorted = [...times].sort((left, right) => left - right);
  let line = "";
  for (let column = 1; column <= width; column++) {
    const limit = (column / width) * maximumMs;
    const share = sorted.filter((time) => time <= limit).length / sorted.length;
    line += share >= 0.99 ? "█" : share >= 0.75 ? "▓" : share >= 0.5 ? "▒" : share >= 0.25 ? "░" : " ";
  }
  return line;
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const trials = Number(process.argv[2] ?? 1000);
  const csvPath = process.argv[3] === "-" ? undefined : process.argv[3];
  const preVote = process.argv.includes("--pre-vote");
  const results = runExperiment(trials, preVote);
  console.log(`Raft leader election after a leader crash: 5 members, one-way latency ${oneWayLatencyMs.join("-")} ms, ${trials} trials per range${preVote ? ", pre-vote on" : ""}\n`);
  console.log("timeout range (ms)   median     mean      p99      max");
  for (const [label, times] of results) {
    const stats = summarize(times);
    const cell = (value: number) => `${value.toFixed(0).padStart(6)} ms`;
    console.log(`${label.padEnd(16)} ${cell(stats.median)} ${cell(stats.mean)} ${cell(stats.p99)} ${cell(stats.max)}`);
  }
  console.log("\nCDF of election time from 0 to 1,000 ms (░ 25%, ▒ 50%, ▓ 75%, █ 99% of trials done):");
  for (const [label, times] of results) console.log(`${label.padEnd(10)} |${cdfLine(times, 50, 1_000)}|`);
  if (csvPath !== undefined) {
    const rows = ["range,trial,election_ms", ...[...results].flatMap(([label, times]) => times.map((time, trial) => `${label},${trial},${time.toFixed(3)}`))];
    writeFileSync(csvPath, rows.join("\n") + "\n");
    console.log(`\nwrote ${csvPath}`);
  }
}
