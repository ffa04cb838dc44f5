// Tests of experiment, shardSeeds, mergeResults and the statistics helpers: a Raft-only
// election experiment over 20 seeds, determinism, sharding then merging, known summaries.
import { describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";
import { experiment, experimentSeeds, mergeResults, shardSeeds, type ExperimentOptions } from "../../src/testing/experiment.js";
import { markFault, timeToElectLeaderAfter } from "../../src/testing/measures.js";
import { summarize, toCsv, toJson } from "../../src/testing/statistics.js";

const electionOptions: ExperimentOptions<"electionMs" | "term"> = {
  name: "election",
  seeds: 20,
  scenario: (seed) => {
    const sim = Simulation.swarm({ seed, managers: 3, engine: false, trace: { level: "off" }, raft: { electionTimeoutMs: [150, 300], heartbeatIntervalMs: 50 } });
    markFault(sim, "crash");
    sim.faults.crash(sim.leader()!.host);
    sim.runFor(5_000);
    return sim;
  },
  measure: {
    electionMs: (sim) => timeToElectLeaderAfter(sim, "crash"),
    term: (sim) => sim.leader()?.term ?? null,
  },
};

describe("experiment", () => {
  const single = experiment(electionOptions);

  it("measures a leader election over 20 seeds", () => {
    expect(single.name).toBe("election");
    expect(single.rows.map((row) => row.seed)).toEqual(experimentSeeds("election", 20));
    expect(single.summary.electionMs.count).toBe(20);
    for (const row of single.rows) {
      expect(row.electionMs).toBeGreaterThanOrEqual(100);
      expect(row.electionMs).toBeLessThanOrEqual(2_000);
    }
    expect(single.summary.electionMs.median).toBeGreaterThan(100);
    expect(single.summary.term.count).toBe(20);
  });

  it("disposes each simulation once its measures have read it", () => {
    const built: Simulation[] = [];
    const disposedWhenMeasured: boolean[] = [];
    const result = experiment({
      ...electionOptions,
      seeds: 3,
      scenario: (seed) => {
        const sim = electionOptions.scenario(seed);
        built.push(sim);
        return sim;
      },
      measure: { ...electionOptions.measure, disposed: (sim) => (disposedWhenMeasured.push(sim.isDisposed), 0) },
    });
    expect(result.rows).toHaveLength(3);
    expect(disposedWhenMeasured).toEqual([false, false, false]);
    expect(built.map((sim) => sim.isDisposed)).toEqual([true, true, true]);
    expect(() => built[0]!.stateAt(0)).toThrow(/stateAt: the simulation was disposed/);
  });

  it("is deterministic: two runs give identical JSON and CSV", () => {
    const again = experiment(electionOptions);
    expect(toJson(again)).toBe(toJson(single));
    expect(toCsv(again.rows)).toBe(toCsv(single.rows));
  });

  it("sharded three ways then merged equals the single run exactly", () => {
    const shards = [1, 2, 3].map((index) => experiment({ ...electionOptions, shard: { index, count: 3 } }));
    expect(shards.map((shard) => shard.rows.length)).toEqual([7, 7, 6]);
    expect(mergeResults(shards)).toEqual(single);
    expect(toJson(mergeResults(shards))).toBe(toJson(single));
    // Out of order, with the seed list to restore the order.
    expect(toJson(mergeResults([shards[2]!, shards[0]!, shards[1]!], { seeds: 20 }))).toBe(toJson(single));
  });

  it("keeps null values in rows and leaves them out of the summary", () => {
    const result = experiment({
      name: "nulls",
      seeds: ["b", "a", "c"],
      scenario: (seed) => new Simulation({ seed, engine: false }),
      measure: { value: (_sim, seed) => (seed === "a" ? null : seed.charCodeAt(0)) },
    });
    expect(result.rows).toEqual([{ seed: "b", value: 98 }, { seed: "a", value: null }, { seed: "c", value: 99 }]);
    expect(result.summary.value.count).toBe(2);
    expect(toCsv(result.rows)).toBe("seed,value\nb,98\na,\nc,99\n");
  });

  it("refuses bad input and names the seed of a failing measure", () => {
    const scenario = (seed: string) => new Simulation({ seed, engine: false });
    expect(() => experiment({ name: "x", seeds: -1, scenario, measure: {} })).toThrow(/invalid seeds/);
    expect(() => experiment({ name: "x", seeds: ["a", "a"], scenario, measure: {} })).toThrow(/duplicate seed/);
    expect(() => experiment({ name: "x", seeds: 1, scenario, measure: { seed: () => 1 } })).toThrow(/seed/);
    expect(() => experiment({ name: "x", seeds: 2, scenario, measure: { bad: () => Number.NaN } })).toThrow(/seed "x\/0".*finite number or null/);
    expect(() => mergeResults([])).toThrow(/at least one/);
  });
});

describe("shardSeeds", () => {
  it("gives contiguous slices whose sizes differ by at most one and cover every seed once", () => {
    const seeds = experimentSeeds("s", 10);
    const slices = [1, 2, 3].map((index) => shardSeeds(seeds, index, 3));
    expect(slices).toEqual([seeds.slice(0, 4), seeds.slice(4, 7), seeds.slice(7, 10)]);
    expect(shardSeeds(["a", "b"], 3, 4)).toEqual([]);
    expect(shardSeeds(["a", "b"], 1, 1)).toEqual(["a", "b"]);
    expect(() => shardSeeds(seeds, 0, 3)).toThrow(/shard index/);
    expect(() => shardSeeds(seeds, 4, 3)).toThrow(/shard index/);
    expect(() => shardSeeds(seeds, 1, 0)).toThrow(/shard count/);
  });
});

describe("summarize", () => {
  it("gives nearest-rank percentiles of known inputs", () => {
    expect(summarize([5, 1, 4, 2, 3])).toEqual({ count: 5, mean: 3, median: 3, p90: 5, p99: 5, max: 5 });
    expect(summarize([4, 1, 3, 2])).toEqual({ count: 4, mean: 2.5, median: 2, p90: 4, p99: 4, max: 4 });
    const hundred = Array.from({ length: 100 }, (_, index) => 100 - index);
    expect(summarize(hundred)).toEqual({ count: 100, mean: 50.5, median: 50, p90: 90, p99: 99, max: 100 });
    expect(summarize([7])).toEqual({ count: 1, mean: 7, median: 7, p90: 7, p99: 7, max: 7 });
  });

  it("gives count 0 and NaN for an empty list, written as null in JSON", () => {
    const empty = summarize([]);
    expect(empty.count).toBe(0);
    expect(empty.mean).toBeNaN();
    expect(empty.max).toBeNaN();
    expect(JSON.parse(toJson(empty))).toEqual({ count: 0, mean: null, median: null, p90: null, p99: null, max: null });
  });

  it("refuses values that are not finite numbers", () => {
    expect(() => summarize([1, Number.NaN])).toThrow(/finite/);
    expect(() => summarize([Number.POSITIVE_INFINITY])).toThrow(/finite/);
  });
});

describe("toCsv", () => {
  it("quotes cells as RFC 4180 and takes columns in order of first appearance", () => {
    expect(toCsv([{ a: 'x,"y"', b: 1 }, { c: true, a: "line\nbreak" }])).toBe('a,b,c\n"x,""y""",1,\n"line\nbreak",,true\n');
    expect(toCsv([{ a: 1, b: 2 }], ["b", "a"])).toBe("b,a\n2,1\n");
    expect(toCsv([])).toBe("\n");
  });
});
