// check() of swarmsim/testing: a failure message holds the seed, the path, the shrunk
// counterexample with fault schedules as readable lines and a replay line, and replaying with
// that seed and path fails again with the same counterexample.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbitraries, check, describeValue, PropertyFailure } from "swarmsim/testing";

const hosts = ["manager1", "manager2", "worker1"];
const noPartitionLongerThanTheRest = fc.property(
  fc.record({ seed: fc.string({ maxLength: 4 }), schedule: arbitraries.faultSchedule({ durationMs: 20_000, hosts }) }),
  ({ schedule }) => {
    if (schedule.some((event) => event.kind === "partition" && event.atMs > 1_000)) throw new Error("a late partition");
  },
);

function failureOf(run: () => unknown): PropertyFailure {
  try {
    run();
  } catch (error) {
    if (error instanceof PropertyFailure) return error;
    throw error;
  }
  throw new Error("expected the property to fail");
}

describe("check", () => {
  it("returns the seed of a passing run", () => {
    const result = check(fc.property(fc.integer(), (value) => value === value), { numRuns: 10 });
    expect(result.numRuns).toBe(10);
    expect(Number.isInteger(result.seed)).toBe(true);
    expect(check(fc.property(fc.integer(), () => true), { numRuns: 5, seed: 42 }).seed).toBe(42);
  });

  it("reports the seed, the path, the schedule as lines and a replay line, and the replay fails identically", () => {
    const failure = failureOf(() => check(noPartitionLongerThanTheRest, { numRuns: 200 }));
    expect(failure.message).toContain(`seed: ${failure.seed}, path: "${failure.path}"`);
    expect(failure.path).toMatch(/^\d+(:\d+)*$/);
    expect(failure.message).toMatch(/fault schedule \(1 fault\):\n\s+1\.001s partition \[\S+( \S+)*\] \| \[\S+( \S+)*\]/);
    expect(failure.message).toContain("error: a late partition");
    expect(failure.message).toContain(`replay: check(property, { seed: ${failure.seed}, path: "${failure.path}" })`);
    expect(failure.cause).toBeInstanceOf(Error);

    const replay = failureOf(() => check(noPartitionLongerThanTheRest, { seed: failure.seed, path: failure.path }));
    expect(replay.counterexample).toEqual(failure.counterexample);
    expect(replay.seed).toBe(failure.seed);
    expect(replay.message.split("\n").slice(2)).toEqual(failure.message.split("\n").slice(2));
  });

  it("replays the same failure from the same seed", () => {
    const first = failureOf(() => check(noPartitionLongerThanTheRest, { numRuns: 100, seed: 1234 }));
    const second = failureOf(() => check(noPartitionLongerThanTheRest, { numRuns: 100, seed: 1234 }));
    expect(second.message).toBe(first.message);
    expect(first.seed).toBe(1234);
  });

  it("refuses a path without a seed", () => {
    expect(() => check(fc.property(fc.integer(), () => true), { path: "0" })).toThrow(RangeError);
  });

  it("prints values without fault schedules as fast-check does", () => {
    expect(describeValue({ a: [1, 2] })).toBe(fc.stringify({ a: [1, 2] }));
    expect(describeValue([{ atMs: 0, kind: "heal" }])).toBe("fault schedule (1 fault):\n  0.000s heal");
  });
});
