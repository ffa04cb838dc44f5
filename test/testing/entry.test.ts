// The public entry `swarmsim/testing` offers the toolkit: an experiment written against it
// runs, and a fault schedule from its arbitraries formats and applies.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";
import { arbitraries, experiment, formatFaultSchedule, markFault, timeToElectLeaderAfter } from "swarmsim/testing";

describe("swarmsim/testing", () => {
  it("runs a small election experiment through the public entry", () => {
    const result = experiment({
      name: "election",
      seeds: 5,
      scenario: (seed) => {
        const sim = Simulation.swarm({ seed, managers: 3, engine: false, raft: { electionTimeoutMs: [150, 300], heartbeatIntervalMs: 50 } });
        sim.runFor(500);
        markFault(sim);
        sim.faults.crash(sim.leader()!.host);
        sim.runFor(3_000);
        return sim;
      },
      measure: { electionMs: (sim) => timeToElectLeaderAfter(sim) },
    });
    expect(result.summary.electionMs!.count).toBe(5);
    expect(result.summary.electionMs!.max).toBeLessThan(3_000);
  });

  it("formats generated fault schedules as readable lines", () => {
    const schedules = fc.sample(arbitraries.faultSchedule({ durationMs: 10_000, hosts: ["manager1", "worker1"] }), { numRuns: 20, seed: 7 });
    for (const schedule of schedules) {
      const text = formatFaultSchedule(schedule);
      if (schedule.length === 0) expect(text).toBe("(no faults)");
      else for (const line of text.split("\n")) expect(line).toMatch(/^\s*\d+\.\d{3}s \w+/);
    }
  });
});
