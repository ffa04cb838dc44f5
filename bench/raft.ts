// Raft benchmarks: election trials as in the paper's experiment (150-300 ms), 24 simulated
// hours of an idle 5-member group on swarmkit's timing, and sustained proposals through a
// 5-member group. All with the trace off and wall time measured around the work only.
import { Simulation } from "swarmsim";
import { electionTrial } from "../examples/raft-election-time.js";

/** The Raft benchmarks' figures. */
export interface RaftBenchResult {
  readonly electionTrials: number;
  readonly electionTrialsPerSecond: number;
  readonly idleHours: number;
  readonly idleWallSeconds: number;
  readonly idleEvents: number;
  readonly proposals: number;
  readonly committedPerSecond: number;
}

function seconds(run: () => void): number {
  const start = performance.now();
  run();
  return (performance.now() - start) / 1000;
}

/** Runs the three Raft benchmarks. */
export function benchRaft(electionTrials = 10_000, proposals = 100_000): RaftBenchResult {
  const electionSeconds = seconds(() => {
    for (let trial = 0; trial < electionTrials; trial++) electionTrial([150, 300], `bench/${trial}`);
  });

  const idle = Simulation.swarm({ seed: "bench-idle", managers: 5, engine: false, trace: { level: "off" } });
  const idleStartEvents = idle.eventCount;
  const idleHours = 24;
  const idleWallSeconds = seconds(() => idle.runFor(idleHours * 3_600_000));

  const busy = Simulation.swarm({ seed: "bench-busy", managers: 5, engine: false, trace: { level: "off" }, raft: { electionTimeoutMs: [150, 300], heartbeatIntervalMs: 50 } });
  busy.runFor(1_000);
  const leader = busy.leader()!.host;
  const batch = 100;
  const proposeSeconds = seconds(() => {
    for (let sent = 0; sent < proposals; sent += batch) {
      for (let index = 0; index < batch; index++) busy.raftPropose(leader, sent + index);
      busy.runFor(5);
    }
    busy.runUntil(() => busy.raftStatus(leader).appliedIndex >= proposals, { timeoutMs: 60_000 });
  });
  return {
    electionTrials,
    electionTrialsPerSecond: electionTrials / electionSeconds,
    idleHours,
    idleWallSeconds,
    idleEvents: idle.eventCount - idleStartEvents,
    proposals,
    committedPerSecond: proposals / proposeSeconds,
  };
}
