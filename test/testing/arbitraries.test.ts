// The arbitraries of swarmsim/testing: generated clusters build, generated services are valid
// docker command lines, fault schedules are sorted, print as readable lines, apply to a
// simulation without throwing, and shrink toward one early, simple fault.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";
import { applyFaultSchedule, arbitraries, check, clusterHostNames, formatFault, serviceCreateCommand, type FaultEvent, PropertyFailure } from "swarmsim/testing";
import { propertyOptions } from "../helpers/property.js";

const hosts = ["manager1", "manager2", "manager3", "worker1", "worker2"];
const faultLine = /^\d+\.\d{3}s (crash|restart|isolate) \S+$|^\d+\.\d{3}s (kill|restart) \S+ (dockerd|containerd)$|^\d+\.\d{3}s partition \[[^\]]+\] \| \[[^\]]+\]$|^\d+\.\d{3}s (loss|duplicate) \S+ <-> \S+ \d+%$|^\d+\.\d{3}s delay \S+ <-> \S+ \d+-\d+ms$|^\d+\.\d{3}s heal$/;

describe("arbitraries.cluster", () => {
  it("stays within the requested ranges with one zone label per worker", () => {
    fc.assert(
      fc.property(arbitraries.cluster({ managers: [1, 3], workers: [0, 2] }), (shape) => {
        expect(shape.managers).toBeGreaterThanOrEqual(1);
        expect(shape.managers).toBeLessThanOrEqual(3);
        expect(shape.workers).toBeLessThanOrEqual(2);
        expect(shape.workerLabels).toHaveLength(shape.workers);
        for (const labels of shape.workerLabels) expect(["a", "b", "c"]).toContain(labels.zone);
        expect(shape.network.latencyMs[0]).toBeLessThanOrEqual(shape.network.latencyMs[1]);
        expect(shape.network.lossRate).toBeGreaterThanOrEqual(0);
        expect(clusterHostNames(shape)).toHaveLength(shape.managers + shape.workers);
      }),
      propertyOptions("cluster ranges", 200),
    );
  });

  it("builds swarms from sampled shapes (without loss: a lost join call is not retried)", () => {
    const shapes = fc.sample(arbitraries.cluster({ managers: [1, 3], workers: [0, 2], maxLossRate: 0 }), { seed: 7, numRuns: 3 });
    for (const shape of shapes) {
      expect(shape.network.lossRate).toBe(0);
      const sim = Simulation.swarm({ seed: "cluster", managers: shape.managers, workers: shape.workers, host: { cpus: shape.cpus, memoryBytes: shape.memoryBytes }, network: shape.network, trace: { level: "off" } });
      expect(sim.leader()).toBeDefined();
      expect(Object.values(sim.clusterState()!.nodes)).toHaveLength(shape.managers + shape.workers);
      for (const [index, labels] of shape.workerLabels.entries()) {
        expect(sim.exec("manager1", `docker node update --label-add zone=${labels.zone} worker${index + 1}`).exitCode).toBe(0);
      }
    }
  });
});

describe("arbitraries.serviceSpec", () => {
  it("gives docker service create lines the CLI accepts", () => {
    const sim = Simulation.swarm({ seed: "services", managers: 1, workers: 1, trace: { level: "off" } });
    let created = 0;
    fc.assert(
      fc.property(arbitraries.serviceSpec(), (spec) => {
        const name = `${spec.name}${created++}`;
        const command = serviceCreateCommand({ ...spec, name });
        expect(command).toMatch(/^docker service create -d --name [a-z]+\d+ /);
        const result = sim.exec("manager1", command);
        expect(result.stderr).toBe("");
        expect(result.exitCode).toBe(0);
      }),
      propertyOptions("service specs", 20),
    );
  });

  it("prints every option", () => {
    expect(
      serviceCreateCommand({
        name: "web",
        image: "alpine",
        command: ["sleep", "3600"],
        mode: { kind: "global" },
        constraints: ["node.labels.zone==a"],
        reserveCpu: 0.5,
        reserveMemoryBytes: 64 * 2 ** 20,
        restartCondition: "on-failure",
        publish: { publishedPort: 8080, targetPort: 80 },
      }),
    ).toBe("docker service create -d --name web --mode global --constraint node.labels.zone==a --reserve-cpu 0.5 --reserve-memory 64M --restart-condition on-failure --publish 8080:80 alpine sleep 3600");
  });
});

describe("arbitraries.faultSchedule", () => {
  it("is sorted by time, within the duration, on the given hosts, and prints one readable line a fault", () => {
    fc.assert(
      fc.property(arbitraries.faultSchedule({ durationMs: 30_000, hosts }), (schedule) => {
        for (const [index, event] of schedule.entries()) {
          expect(event.atMs).toBeGreaterThanOrEqual(index === 0 ? 0 : schedule[index - 1]!.atMs);
          expect(event.atMs).toBeLessThanOrEqual(30_000);
          expect(formatFault(event)).toMatch(faultLine);
          if (event.kind === "partition") expect([...event.groupA, ...event.groupB].sort()).toEqual([...hosts].sort());
          if ("host" in event) expect(hosts).toContain(event.host);
        }
      }),
      propertyOptions("fault schedule shape", 300),
    );
  });

  it("keeps to the kinds asked for", () => {
    const schedules = fc.sample(arbitraries.faultSchedule({ durationMs: 1_000, hosts, kinds: ["kill", "heal"] }), { seed: 3, numRuns: 50 });
    for (const event of schedules.flat()) expect(["kill", "heal"]).toContain(event.kind);
    const single = fc.sample(arbitraries.faultSchedule({ durationMs: 1_000, hosts: ["node1"] }), { seed: 3, numRuns: 50 });
    for (const event of single.flat()) expect(["crash", "restart", "kill", "restartProcess", "heal"]).toContain(event.kind);
  });

  it("formats faults as documented", () => {
    expect(formatFault({ atMs: 12_350, kind: "partition", groupA: ["manager1"], groupB: ["manager2", "manager3"] })).toBe("12.350s partition [manager1] | [manager2 manager3]");
    expect(formatFault({ atMs: 3_000, kind: "crash", host: "worker1" })).toBe("3.000s crash worker1");
    expect(formatFault({ atMs: 5_000, kind: "kill", host: "worker1", process: "dockerd" })).toBe("5.000s kill worker1 dockerd");
    expect(formatFault({ atMs: 5_000, kind: "restartProcess", host: "worker1", process: "containerd" })).toBe("5.000s restart worker1 containerd");
    expect(formatFault({ atMs: 1, kind: "delay", from: "a", to: "b", latencyMs: [10, 20] })).toBe("0.001s delay a <-> b 10-20ms");
    expect(formatFault({ atMs: 0, kind: "loss", from: "a", to: "b", lossRate: 0.25 })).toBe("0.000s loss a <-> b 25%");
  });

  it("shrinks a property broken by any crash to exactly one crash at time 0", () => {
    const property = fc.property(arbitraries.faultSchedule({ durationMs: 60_000, hosts }), (schedule) => !schedule.some((event) => event.kind === "crash"));
    let failure: PropertyFailure | undefined;
    try {
      check(property, { numRuns: 200 });
    } catch (error) {
      failure = error as PropertyFailure;
    }
    expect(failure).toBeInstanceOf(PropertyFailure);
    const [schedule] = failure!.counterexample as [FaultEvent[]];
    expect(schedule).toEqual([{ atMs: 0, kind: "crash", host: "manager1" }]);
    expect(failure!.message).toContain("0.000s crash manager1");
  });

  it("applies to a swarm: impossible faults are skipped, the rest injected at their time", () => {
    const sim = Simulation.swarm({ seed: "faults", managers: 3, workers: 2, trace: { level: "off" } });
    const start = sim.now;
    const log = applyFaultSchedule(sim, [
      { atMs: 1_000, kind: "crash", host: "worker1" },
      { atMs: 2_000, kind: "crash", host: "worker1" },
      { atMs: 2_500, kind: "kill", host: "worker1", process: "dockerd" },
      { atMs: 3_000, kind: "kill", host: "worker2", process: "dockerd" },
      { atMs: 3_500, kind: "restartProcess", host: "worker2", process: "dockerd" },
      { atMs: 4_000, kind: "partition", groupA: ["manager1"], groupB: ["manager2", "manager3", "worker1", "worker2"] },
      { atMs: 4_500, kind: "loss", from: "manager2", to: "manager3", lossRate: 0.5 },
      { atMs: 5_000, kind: "heal" },
      { atMs: 6_000, kind: "restart", host: "worker1" },
      { atMs: 6_500, kind: "restart", host: "worker2" },
    ]);
    sim.runFor(5_500);
    expect(sim.host("worker1").up).toBe(false);
    expect(sim.host("worker2").isRunning("dockerd")).toBe(true);
    sim.runFor(60_000);
    expect(log.outcomes.map((outcome) => [outcome.event.kind, outcome.applied, Math.round(outcome.timeMs - start)])).toEqual([
      ["crash", true, 1_000],
      ["crash", false, 2_000],
      ["kill", false, 2_500],
      ["kill", true, 3_000],
      ["restartProcess", true, 3_500],
      ["partition", true, 4_000],
      ["loss", true, 4_500],
      ["heal", true, 5_000],
      ["restart", true, 6_000],
      ["restart", true, 6_500],
    ]);
    expect(sim.host("worker1").up).toBe(true);
    expect(sim.network.settings("manager2", "manager3").lossRate).toBe(0);
  });

  it("refuses bad options", () => {
    expect(() => arbitraries.faultSchedule({ durationMs: -1, hosts })).toThrow(RangeError);
    expect(() => arbitraries.faultSchedule({ durationMs: 10, hosts: [] })).toThrow(RangeError);
    expect(() => arbitraries.faultSchedule({ durationMs: 10, hosts: ["one"], kinds: ["partition"] })).toThrow(RangeError);
  });
});
