// Properties over random clusters (1-7 members, random options) and random fault schedules
// (crash/restart, bounces, partitions, isolation, leader-targeted faults, loss, duplication,
// delay, heals) with random proposals: no safety checker ever fires; every proposal
// acknowledged as committed is in every later leader's log; and once faults stop with every
// member up and connected, a leader is elected within a bounded time.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { propertyOptions } from "../../helpers/property.js";
import { electionBoundMs, electionBoundTimeouts, healAndElect, runElectionNemesis, runSchedule, stepArbitrary } from "./chaos.js";
import type { TestRaftOptions } from "./harness.js";

const raftOptionsArbitrary: fc.Arbitrary<TestRaftOptions> = fc.record({
  checkQuorum: fc.boolean(),
  preVote: fc.boolean(),
  entriesPerMessageMax: fc.constantFrom(1, 3, 64),
  snapshotIntervalEntries: fc.constantFrom(10, 25, 10_000),
  logEntriesForSlowFollowers: fc.integer({ min: 0, max: 10 }),
});

describe("Raft under random faults", () => {
  it(`is safe, keeps acknowledged proposals, and elects a leader within ${electionBoundTimeouts} election timeouts after faults stop`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        raftOptionsArbitrary,
        fc.integer({ min: 10, max: 150 }),
        fc.array(stepArbitrary, { minLength: 1, maxLength: 60 }),
        fc.string({ maxLength: 6 }),
        (memberCount, raft, latencyMaximumMs, steps, seed) => {
          const cluster = runSchedule(memberCount, steps, `property/${seed}`, raft, { latencyMs: [1, latencyMaximumMs] });
          expect(cluster.checker.violations).toEqual([]);
          expect(healAndElect(cluster, electionBoundMs)).toBe(true);
          expect(cluster.checker.violations).toEqual([]);
          expect(cluster.acknowledgementViolations).toEqual([]);
        },
      ),
      propertyOptions("raft random faults", 80),
    );
  });

  it("is safe under the election nemesis (new leaders cut off right after taking office)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        raftOptionsArbitrary,
        fc.integer({ min: 10, max: 100 }),
        fc.string({ maxLength: 6 }),
        (memberCount, raft, latencyMaximumMs, seed) => {
          const cluster = runElectionNemesis(`nemesis/${seed}`, { memberCount, steps: 40, latencyMs: [1, latencyMaximumMs], raft });
          expect(cluster.checker.violations).toEqual([]);
          expect(healAndElect(cluster, electionBoundMs)).toBe(true);
          expect(cluster.checker.violations).toEqual([]);
          expect(cluster.acknowledgementViolations).toEqual([]);
        },
      ),
      propertyOptions("raft election nemesis", 60),
    );
  });
});
