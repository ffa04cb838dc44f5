// The kernel's `ProcessContext.kill`, added for shims: SIGKILL of a process on the same host,
// with its diesWithParent children, its parent told, and no stop handler run.
import { describe, expect, it } from "vitest";
import { SimulationKernel } from "../../src/sim/simulation.js";
import type { ProcessExit } from "../../src/sim/process.js";

describe("ProcessContext.kill", () => {
  it("kills a process on the same host at once, with its diesWithParent children", () => {
    const sim = new SimulationKernel({ seed: "kill" });
    sim.addHost("h1");
    sim.addHost("h2");
    const exits: ProcessExit[] = [];
    let stopped = false;
    const results: boolean[] = [];
    sim.spawn("h1", "parent", {
      start(context) {
        context.spawn("child", {
          start: (child) => child.spawn("grandchild", {}, { diesWithParent: true }),
          stop: () => void (stopped = true),
        });
        context.setTimer(10, "kill");
      },
      timer(context) {
        results.push(context.kill("child"), context.kill("nothing"), context.kill("other", 42));
      },
      exited: (_context, exit) => void exits.push(exit),
    });
    sim.spawn("h1", "other", {});
    sim.spawn("h2", "child", {});
    sim.runFor(100);
    expect(results).toEqual([true, false, true]);
    expect(stopped).toBe(false);
    expect(sim.host("h1").processes().map((process) => process.name)).toEqual(["parent"]);
    expect(sim.host("h2").isRunning("child")).toBe(true);
    expect(exits).toEqual([{ process: "child", pid: 2, reason: "killed", exitCode: 137 }]);
    const stops = sim.trace.filter((event) => event.type === "process.stop");
    expect(stops.map((event) => [event.process, event.reason, event.exitCode])).toEqual([
      ["child", "killed", 137],
      ["grandchild", "parent-died", 137],
      ["other", "killed", 42],
    ]);
  });

  it("lets a process kill itself; the rest of its handler has no effect", () => {
    const sim = new SimulationKernel({ seed: "kill-self" });
    sim.addHost("h1");
    let after = false;
    sim.spawn("h1", "self", {
      start(context) {
        expect(context.kill("self")).toBe(true);
        context.setTimer(1, "never");
      },
      timer: () => void (after = true),
    });
    sim.runFor(10);
    expect(after).toBe(false);
    expect(sim.host("h1").processes()).toEqual([]);
  });
});
