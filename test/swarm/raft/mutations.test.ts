// Mutation tests: each bug switch breaks one Raft rule, and the safety checkers must catch it
// within the number of seeds stated in the test name. Seeds are tried in order and the search
// stops at the first seed the checkers flag; the schedule shape for each bug is the one that
// provokes it (vote bugs need concurrent candidates, the commit bug needs Figure 8 histories).
import { describe, expect, it } from "vitest";
import { Random } from "../../../src/sim/random.js";
import type { RaftBugs } from "../../../src/swarm/raft/index.js";
import { randomSchedule, runElectionNemesis, runSchedule, type ScheduleShape } from "./chaos.js";
import type { RaftCluster } from "./harness.js";

/** The first seed (0-based) whose run the checkers flag, or null within `seedsMax`. */
function firstCaughtSeed(seedsMax: number, run: (seed: number) => RaftCluster): number | null {
  for (let seed = 0; seed < seedsMax; seed++) {
    const cluster = run(seed);
    if (!cluster.checker.ok) {
      console.log(`[mutation] caught at seed ${seed}: ${cluster.checker.violations[0]!.property}: ${cluster.checker.violations[0]!.detail}`);
      return seed;
    }
  }
  return null;
}

/** Blind random faults on 3-5 members, with the given bug on every member. */
function blindChaos(bug: keyof RaftBugs, shape: ScheduleShape, latencyMaximumMs: number, memberCounts: readonly number[]) {
  return (seed: number): RaftCluster => {
    const random = new Random(`mutation/${bug}/${seed}`);
    const memberCount = random.pick(memberCounts);
    return runSchedule(
      memberCount,
      randomSchedule(random, shape),
      `mutation/${bug}/${seed}`,
      { preVote: false, checkQuorum: random.chance(0.5), electionTimeoutMs: [200, 300], bugs: { [bug]: true } },
      { stopOnViolation: true, latencyMs: [1, latencyMaximumMs] },
    );
  };
}

describe("mutation tests: the checkers catch each deliberately broken rule", () => {
  it("voteTwiceInTerm is caught within 100 seeds (election safety)", () => {
    const seed = firstCaughtSeed(100, blindChaos("voteTwiceInTerm", { length: 60, maxDelayMs: 600, bounceRate: 0 }, 10, [3, 4, 5]));
    expect(seed).not.toBeNull();
  });

  it("skipUpToDateCheck is caught within 50 seeds (leader completeness)", () => {
    const seed = firstCaughtSeed(50, blindChaos("skipUpToDateCheck", { length: 60, maxDelayMs: 600, bounceRate: 0 }, 10, [3, 4, 5]));
    expect(seed).not.toBeNull();
  });

  it("forgetVoteOnRestart is caught within 300 seeds (election safety; needs a restart between two candidates' requests, about 1 seed in 75)", () => {
    const seed = firstCaughtSeed(300, blindChaos("forgetVoteOnRestart", { length: 300, maxDelayMs: 60, bounceRate: 0.5 }, 100, [3]));
    expect(seed).not.toBeNull();
  });

  it("commitPreviousTermByCounting is caught within 60 seeds (leader completeness, then state machine safety; needs the election nemesis and one entry per message)", () => {
    const seed = firstCaughtSeed(60, (seed) =>
      runElectionNemesis(`mutation/commit/${seed}`, {
        memberCount: 3,
        steps: 60,
        latencyMs: [1, 10],
        raft: { checkQuorum: false, entriesPerMessageMax: 1, bugs: { commitPreviousTermByCounting: true } },
      }),
    );
    expect(seed).not.toBeNull();
  });
});
