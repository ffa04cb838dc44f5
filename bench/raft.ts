// Raft benchmarks: election trials as in the paper's experiment (150-300 ms), 24 simulated
// hours of an idle 5-member group on swarmkit's timing, and sustained proposals through a
// 5-member group. All with the trace off and wall time measured around the work only.
import { Simulation } from "swarmsim";
import { electionTrial } from "../examples/raft-election-time.js";

function seconds(run: () => void): number {
  const start = performance.now();
  run();
  return (performance.now() - start) / 1000;
}

/** Election trials as in the paper's experiment, 150-300 ms, leader crashed: trials per second of wall time. */
export function benchRaftElections(electionTrials = 10_000): { readonly electionTrials: number; readonly electionTrialsPerSecond: number } {
  const electionSeconds = seconds(() => {
    for (let trial = 0; trial < electionTrials; trial++) electionTrial([150, 300], `bench/${trial}`);
  });
  return { electionTrials, electionTrialsPerSecond: electionTrials / electionSeconds };
}

/** The idle benchmark's figures. */
export interface RaftIdleBenchResult {
  readonly idleHours: number;
  /** The best of `idleRuns` runs (the machine's noise only ever adds time). */
  readonly idleWallSeconds: number;
  /** The median of the runs. */
  readonly idleMedianWallSeconds: number;
  readonly idleRuns: number;
  readonly idleEvents: number;
}

/** 24 simulated hours of an idle 5-member group on swarmkit's timing, run `idleRuns` times. */
export function benchRaftIdle(idleHours = 24, idleRuns = 3): RaftIdleBenchResult {
  const idleTimes: number[] = [];
  let idleEvents = 0;
  for (let run = 0; run < idleRuns; run++) {
    const idle = Simulation.swarm({ seed: "bench-idle", managers: 5, engine: false, trace: { level: "off" } });
    const idleStartEvents = idle.eventCount;
    idleTimes.push(seconds(() => idle.runFor(idleHours * 3_600_000)));
    idleEvents = idle.eventCount - idleStartEvents;
  }
  idleTimes.sort((left, right) => left - right);
  return { idleHours, idleWallSeconds: idleTimes[0]!, idleMedianWallSeconds: idleTimes[Math.floor(idleRuns / 2)]!, idleRuns, idleEvents };
}

/** Sustained proposals through a 5-member group (150-300 ms timeouts): committed entries per second of wall time. */
export function benchRaftProposals(proposals = 100_000): { readonly proposals: number; readonly committedPerSecond: number } {
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
  return { proposals, committedPerSecond: proposals / proposeSeconds };
}
