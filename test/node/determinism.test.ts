// Tests of checkDeterminism (two in-process runs) and checkDeterminismAcrossWorkers (a third run
// in a worker thread): no divergence on a real scenario, and the first divergent event reported
// for a scenario that uses a counter outside the simulation.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";
import { checkDeterminism, firstDivergence, formatDeterminismReport, recordRun, type DeterminismRunOptions } from "swarmsim/testing";
import { checkDeterminismAcrossWorkers } from "../../src/node/index.js";

const electionFile = fileURLToPath(new URL("./fixtures/election-experiment.ts", import.meta.url));
const counterFile = fileURLToPath(new URL("./fixtures/counter-experiment.ts", import.meta.url));
const threadFile = fileURLToPath(new URL("./fixtures/thread-experiment.ts", import.meta.url));

describe("checkDeterminism", () => {
  it("finds no divergence on a swarm with services and a crash", () => {
    const report = checkDeterminism(
      (seed, options) => {
        const sim = Simulation.swarm({ seed, managers: 3, workers: 2, ...options });
        sim.exec("manager1", "docker service create -d --name web --replicas 3 nginx");
        sim.runFor(5_000);
        sim.faults.crash("worker1");
        sim.runFor(30_000);
        return sim;
      },
      { seeds: 3 },
    );
    expect(report.ok).toBe(true);
    expect(report.divergences).toEqual([]);
    expect(report.seeds).toHaveLength(3);
    for (const result of report.seeds) {
      expect(result.fingerprint.level).toBe("all");
      expect(result.fingerprint.recordedCount).toBeGreaterThan(1_000);
    }
    expect(formatDeterminismReport(report)).toBe("deterministic: 3 seeds, 2 runs each, identical traces\n");
  });

  it("disposes every run once its trace is recorded", () => {
    const built: Simulation[] = [];
    const report = checkDeterminism(
      (seed, options) => {
        const sim = Simulation.swarm({ seed, managers: 3, engine: false, ...options });
        sim.runFor(1_000);
        built.push(sim);
        return sim;
      },
      { seeds: 2 },
    );
    expect(report.ok).toBe(true);
    expect(built.map((sim) => sim.isDisposed)).toEqual([true, true, true, true]);
    expect(() => built[0]!.runFor(1)).toThrow(/runFor: the simulation was disposed/);
  });

  it("reports the first divergent event of a scenario that uses a counter outside the simulation", () => {
    let runs = 0;
    const report = checkDeterminism(
      (seed, options) => {
        const sim = Simulation.swarm({ seed, managers: 3, engine: false, ...options, raft: { electionTimeoutMs: [150, 300], heartbeatIntervalMs: 50 } });
        runs++;
        sim.faults.crash(`manager${1 + (runs % 3)}`);
        sim.runFor(1_000);
        return sim;
      },
      { seeds: ["a", "b"] },
    );
    expect(report.ok).toBe(false);
    expect(report.divergentSeedCount).toBe(2);
    const divergence = report.divergences[0]!;
    expect(divergence.seed).toBe("a");
    expect(divergence.index).toBeGreaterThan(0);
    expect(divergence.timeMs).toBeGreaterThan(0);
    expect(divergence.first).toMatch(/host\.crash/);
    expect(divergence.second).toMatch(/host\.crash/);
    expect(divergence.first).not.toBe(divergence.second);
    const text = formatDeterminismReport(report);
    expect(text).toMatch(/^NOT deterministic: 2 of 2 seeds diverged/);
    expect(text).toContain(`seed "a" at event ${divergence.index}`);
    expect(text).toMatch(/run 1 \(in-process\): .*host\.crash/);
  });

  it("names the run that ended early, and an index of null when only counts differ", () => {
    let extraMs = 0;
    const scenario = (seed: string, options: DeterminismRunOptions) => {
      const sim = new Simulation({ seed, engine: false, ...options });
      sim.addHost("node1");
      sim.runFor(1_000 + extraMs);
      return sim;
    };
    const first = recordRun(scenario, "x");
    extraMs = 5;
    const second = recordRun(scenario, "x");
    const divergence = firstDivergence("x", first, second);
    expect(divergence?.index).toBeNull();
    expect(divergence?.description).toMatch(/ending at 1000 and 1005 ms/);
  });
});

describe("checkDeterminismAcrossWorkers", () => {
  it("agrees across two in-process runs and a worker run", async () => {
    const report = await checkDeterminismAcrossWorkers(electionFile, { seeds: 3, workers: 2 });
    expect(report.runsPerSeed).toBe(3);
    expect(report.ok).toBe(true);
    expect(report.seeds.map((result) => result.seed)).toEqual(["fixture-election/0", "fixture-election/1", "fixture-election/2"]);
  });

  it("reports the divergence of a nondeterministic module", async () => {
    const report = await checkDeterminismAcrossWorkers(counterFile, { workers: 1 });
    expect(report.ok).toBe(false);
    expect(report.divergences[0]!.first).toMatch(/host\.crash/);
  });

  it("reports a divergence that only the worker run shows, naming that run", async () => {
    const report = await checkDeterminismAcrossWorkers(threadFile, { workers: 1 });
    expect(report.ok).toBe(false);
    const divergence = report.divergences[0]!;
    expect(divergence.runs).toEqual(["run 1 (in-process)", "run 3 (worker thread)"]);
    expect(divergence.first).toMatch(/manager1\s+host\.crash/);
    expect(divergence.second).toMatch(/manager2\s+host\.crash/);
  });
});
