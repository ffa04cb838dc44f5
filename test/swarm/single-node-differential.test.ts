// Differential test of swarmsim against a REAL single-node Docker swarm (dockerd 20.10.24 with the
// docker CLI 28.2.2 on a host named `vm`), recorded by scripts/fixtures/record-swarm.sh into
// test/fixtures/docker/swarm/ (see its README): every scenario replayed step by step through
// `sim.exec` (and its raw API steps through the engine's typed request) on a simulated machine set
// up as the recording machine was, simulated time advancing as the recording's did, and every
// output compared with the recorded one after normalising only what differs per run (ids, tokens,
// keys, addresses, times, relative times, the engine version) and what docs/differences.md lists.
// The replay and the comparisons live in ./single-node-replay.ts, shared with
// test/node/fixtures-real-cli.test.ts (the same steps through the real docker binary).
import { describe, expect, it } from "vitest";
import { replayThroughSimExec, singleNodeScenarios, singleNodeSteps, startSingleNode } from "./single-node-replay.js";

describe("the single-node swarm recordings through sim.exec", () => {
  it("has the twelve recorded scenarios", () => {
    expect(singleNodeScenarios).toHaveLength(12);
  });

  for (const scenario of singleNodeScenarios) {
    it(`${scenario}.json: every step prints and answers what Docker did`, () => {
      const { compared, differences } = replayThroughSimExec(startSingleNode(scenario, "single-node"), scenario);
      expect(differences, differences.join("\n\n")).toEqual([]);
      expect(compared).toBe(singleNodeSteps(scenario).length);
    }, 60_000);
  }
});
