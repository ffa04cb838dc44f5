// examples/broken-scheduler.ts: the property passes with the correct scheduler, fails with the
// deliberately broken one (ReadyFilter ignoring down nodes), shrinks to a schedule of at most a
// couple of faults, and replaying the printed seed and path fails again with that schedule.
import { describe, expect, it } from "vitest";
import { brokenSchedulerBugs, findSchedulerBug, scaleUpFailure } from "../../examples/broken-scheduler.js";

describe("examples/broken-scheduler.ts", () => {
  it("finds the broken scheduler's bug and shrinks it to a minimal fault schedule that replays", () => {
    const result = findSchedulerBug(20);
    expect(result.correctRuns).toBe(20);
    expect(result.schedule.length).toBeGreaterThanOrEqual(1);
    expect(result.schedule.length).toBeLessThanOrEqual(2);
    expect(result.schedule.some((event) => event.kind === "crash" || event.kind === "kill")).toBe(true);
    expect(result.error).toMatch(/replicas running .* assigned to down node/);
    expect(result.message).toContain(`replay: check(property, { seed: ${result.seed}, path: "${result.path}" })`);
    expect(result.replayReproduces).toBe(true);
  });

  it("fails only with the bug switched on", () => {
    const crash = [{ atMs: 0, kind: "crash", host: "worker1" } as const];
    expect(scaleUpFailure(crash)).toBeUndefined();
    expect(scaleUpFailure([], brokenSchedulerBugs)).toBeUndefined();
    expect(scaleUpFailure(crash, brokenSchedulerBugs)).toMatch(/^6 of 8 replicas running/);
    // The bug is the simulation's own: another simulation meanwhile keeps the correct scheduler.
    expect(scaleUpFailure(crash)).toBeUndefined();
  });
});
