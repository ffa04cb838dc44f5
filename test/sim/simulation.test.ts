// The SimulationKernel API of the foundation: running, re-entry refusal, hosts and addresses,
// processes and their lifecycles, events, the trace and its bound, bounds and crash reports.
import { describe, expect, it } from "vitest";
import { SimulationKernel, SimulationCrash, SimulationError, formatTraceEvent, type ProcessBehaviour, type ProcessExit } from "swarmsim";

function ticker(intervalMs: number): ProcessBehaviour {
  return {
    start: (context) => void context.setTimer(intervalMs, "tick"),
    timer(context) {
      context.disk.write("ticks", (context.disk.read<number>("ticks") ?? 0) + 1);
      context.setTimer(intervalMs, "tick");
    },
  };
}

describe("SimulationKernel", () => {
  it("advances virtual time with runFor, step and runUntil", () => {
    const sim = new SimulationKernel({ seed: 1 });
    expect(sim.step()).toBe(false);
    sim.addHost("h1");
    sim.spawn("h1", "ticker", ticker(100));
    sim.runFor(1_000);
    expect(sim.now).toBe(1_000);
    expect(sim.host("h1").disk.read("ticks")).toBe(10);
    expect(sim.step()).toBe(true);
    expect(sim.now).toBe(1_100);
    expect(sim.runUntil(() => sim.host("h1").disk.read<number>("ticks")! >= 20, { timeoutMs: 5_000 })).toBe(true);
    expect(sim.now).toBe(2_000);
    expect(sim.runUntil(() => false, { timeoutMs: 250 })).toBe(false);
    expect(sim.now).toBe(2_250);
  });

  it("never processes an event past the deadline when cancelled timers come first", () => {
    const sim = new SimulationKernel();
    sim.addHost("h1");
    const fired: number[] = [];
    sim.spawn("h1", "p", {
      start(context) {
        context.cancelTimer(context.setTimer(10));
        context.setTimer(5_000);
      },
      timer: (context) => void fired.push(context.now),
    });
    sim.runFor(100);
    expect(fired).toEqual([]);
    expect(sim.now).toBe(100);
    expect(sim.runUntil(() => false, { timeoutMs: 1_000 })).toBe(false);
    expect(fired).toEqual([]);
    sim.runFor(5_000);
    expect(fired).toEqual([5_000]);
  });

  it("refuses calls that advance time from inside the run", () => {
    const sim = new SimulationKernel();
    sim.addHost("h1");
    expect(() => sim.runUntil(() => (sim.runFor(1), true))).toThrow(/already running/);
    sim.on("process.start", () => sim.step());
    expect(() => sim.spawn("h1", "p", {})).toThrow(/already running/);
    const reentrant = new SimulationKernel();
    reentrant.addHost("h1");
    reentrant.spawn("h1", "p", { start: (context) => void context.setTimer(1), timer: () => reentrant.runFor(5) });
    expect(() => reentrant.runFor(10)).toThrow(SimulationCrash);
  });

  it("dispose drops the world, keeps the record, and refuses every later change", () => {
    const sim = new SimulationKernel({ seed: "dispose" });
    sim.addHost("h1");
    sim.spawn("h1", "ticker", ticker(100));
    const heard: string[] = [];
    sim.on("process.stop", (event) => void heard.push(event.type));
    sim.runFor(1_000);
    const record = { now: sim.now, eventCount: sim.eventCount, traceHash: sim.traceHash(), traced: sim.trace.length };
    expect(sim.pendingEventCount).toBeGreaterThan(0);
    expect(() => sim.runUntil(() => (sim.dispose(), true))).toThrow(/dispose: the simulation is running/);
    expect(sim.isDisposed).toBe(false);
    sim.dispose();
    expect(sim.isDisposed).toBe(true);
    expect({ now: sim.now, eventCount: sim.eventCount, traceHash: sim.traceHash(), traced: sim.trace.length }).toEqual(record);
    expect(sim.pendingEventCount).toBe(0);
    expect(sim.hosts()).toEqual([]);
    expect(heard).toEqual([]);
    for (const [call, attempt] of [
      ["runFor", () => sim.runFor(100)],
      ["runUntil", () => sim.runUntil(() => true)],
      ["step", () => sim.step()],
      ["schedule", () => sim.schedule(1, () => {})],
      ["addHost", () => sim.addHost("h2")],
      ["host", () => sim.host("h1")],
      ["spawn", () => sim.spawn("h1", "again", {})],
      ["host", () => sim.faults.crash("h1")],
    ] as const) {
      expect(attempt).toThrow(new SimulationError(`${call}: the simulation was disposed`));
    }
    expect({ now: sim.now, eventCount: sim.eventCount, traceHash: sim.traceHash() }).toEqual({ now: record.now, eventCount: record.eventCount, traceHash: record.traceHash });
  });

  it("assigns addresses in order and validates hosts", () => {
    const sim = new SimulationKernel();
    expect(sim.addHost("manager1").address).toBe("10.0.0.1");
    expect(sim.addHost("custom", { address: "10.0.0.2", labels: { zone: "a" } }).labels).toEqual({ zone: "a" });
    expect(sim.addHost("manager2").address).toBe("10.0.0.3");
    expect(() => sim.addHost("manager1")).toThrow('a host named "manager1" already exists');
    expect(() => sim.addHost("bad name")).toThrow(SimulationError);
    expect(() => sim.addHost("other", { address: "10.0.0.1" })).toThrow('address 10.0.0.1 is already used by host "manager1"');
    expect(() => sim.addHost("other", { address: "300.1.1.1" })).toThrow(/invalid address/);
    expect(() => sim.addHost("other", { cpus: 0 })).toThrow(/invalid cpus/);
    expect(() => sim.host("nope")).toThrow('no such host: "nope"');
    expect(() => sim.faults.crash("nope")).toThrow('no such host: "nope"');
    expect(sim.hosts().map((host) => host.name)).toEqual(["manager1", "custom", "manager2"]);
    expect(sim.hostByAddress("10.0.0.3")?.name).toBe("manager2");
  });

  it("changes nothing on bad fault arguments", () => {
    const sim = new SimulationKernel();
    sim.addHost("a");
    sim.addHost("b");
    const before = sim.traceHash();
    expect(() => sim.faults.setLink("a", "b", { lossRate: 2 })).toThrow(/invalid lossRate 2/);
    expect(() => sim.faults.setLink("a", "b", { latencyMs: [10, 5] })).toThrow(/invalid latencyMs/);
    expect(() => sim.faults.partition(["a"], ["zz"])).toThrow(/no such host/);
    expect(() => sim.faults.setLink("a", "a", {})).toThrow(/two different hosts/);
    expect(sim.network.settings("a", "b")).toBe(sim.network.defaults);
    expect(sim.network.partitions()).toEqual([]);
    expect(sim.traceHash()).toBe(before);
  });

  it("uses a fixed, configurable wall-clock epoch", () => {
    expect(new SimulationKernel().isoTime()).toBe("2025-06-01T00:00:00.000Z");
    const sim = new SimulationKernel({ startTime: "2024-02-28T23:59:59Z" });
    sim.runFor(1_500);
    expect(sim.isoTime()).toBe("2024-02-29T00:00:00.500Z");
    expect(() => new SimulationKernel({ startTime: "yesterday" })).toThrow(/invalid startTime/);
  });

  it("starts boot-time processes again after a restart, with fresh memory", () => {
    const sim = new SimulationKernel();
    sim.addHost("h1");
    sim.spawn("h1", "ticker", () => ticker(100), { startOnBoot: true });
    sim.spawn("h1", "helper", {});
    sim.runFor(450);
    sim.faults.crash("h1");
    expect(sim.host("h1").processes()).toEqual([]);
    expect(() => sim.spawn("h1", "x", {})).toThrow(/is down/);
    sim.runFor(1_000);
    expect(sim.host("h1").disk.read("ticks")).toBe(4);
    sim.faults.restart("h1");
    expect(sim.host("h1").processes()).toEqual([{ name: "ticker", pid: 1, parent: null }]);
    sim.runFor(250);
    expect(sim.host("h1").disk.read("ticks")).toBe(6);
    const types = sim.trace.map((event) => event.type);
    expect(types).toContain("host.crash");
    expect(types).toContain("host.restart");
  });

  it("delivers to the peer's current incarnation, by name or address, and to nothing while it is down", () => {
    const sim = new SimulationKernel({ seed: "incarnations", network: { latencyMs: [1, 1] } });
    sim.addHost("h1");
    const peer = sim.addHost("h2");
    let sent = 0;
    // By name, but by address for pings 1 and 13: the kernel's memo of the last destination is hit
    // and missed, and pings 3 and 4 (by name) fall on either side of the peer's restart.
    sim.spawn("h1", "pinger", {
      start: (context) => void context.setTimer(100, "ping"),
      timer(context) {
        context.send(sent === 1 || sent === 13 ? peer.address : "h2", "echo", { ping: sent++ });
        context.setTimer(100, "ping");
      },
    });
    const received: Array<{ pid: number; ping: number }> = [];
    const echo = (): ProcessBehaviour => ({ receive: (context, message) => void received.push({ pid: context.pid, ping: (message as { ping: number }).ping }) });
    sim.spawn("h2", "echo", echo, { startOnBoot: true });
    sim.runFor(450); // pings 0-3 reach the first echo
    sim.faults.restart("h2", "echo"); // a new incarnation under the same name
    sim.runFor(400); // pings 4-7
    sim.faults.crash("h2");
    sim.runFor(400); // pings 8-11 are lost
    sim.faults.restart("h2");
    sim.runFor(400); // pings 12-15 reach the echo started at boot
    const pids = new Map(received.map(({ ping, pid }) => [ping, pid]));
    expect([...pids.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15]);
    expect(new Set([0, 1, 2, 3].map((ping) => pids.get(ping))).size).toBe(1);
    expect(new Set([4, 5, 6, 7].map((ping) => pids.get(ping))).size).toBe(1);
    expect(pids.get(4)).not.toBe(pids.get(3));
    expect(new Set([12, 13, 14, 15].map((ping) => pids.get(ping))).size).toBe(1);
  });

  it("kills children that die with their parent and tells the parent when a child exits", () => {
    const sim = new SimulationKernel();
    sim.addHost("h1");
    const exits: ProcessExit[] = [];
    sim.spawn("h1", "shim", {
      start(context) {
        context.spawn("container", { start: (child) => void child.setTimer(10), timer: (child) => child.exit(3) }, { diesWithParent: true });
        context.spawn("other", {}, { diesWithParent: true });
      },
      exited: (_context, exit) => void exits.push(exit),
    });
    expect(sim.host("h1").processes()).toEqual([
      { name: "shim", pid: 1, parent: null },
      { name: "container", pid: 2, parent: "shim" },
      { name: "other", pid: 3, parent: "shim" },
    ]);
    sim.runFor(20);
    expect(exits).toEqual([{ process: "container", pid: 2, reason: "exit", exitCode: 3 }]);
    sim.faults.kill("h1", "shim");
    expect(sim.host("h1").processes()).toEqual([]);
    const stops = sim.trace.filter((event) => event.type === "process.stop").map((event) => [event.process, event.reason]);
    expect(stops).toEqual([["container", "exit"], ["shim", "killed"], ["other", "parent-died"]]);
  });

  it("lets a process monitor another and restart a process by name", () => {
    const sim = new SimulationKernel();
    sim.addHost("h1");
    const seen: string[] = [];
    sim.spawn("h1", "server", {});
    sim.spawn("h1", "client", { start: (context) => context.monitor("server"), exited: (_c, exit) => void seen.push(`${exit.process}:${exit.reason}`) });
    sim.faults.restart("h1", "server");
    sim.runFor(1);
    expect(seen).toEqual(["server:killed"]);
    expect(sim.host("h1").isRunning("server")).toBe(true);
    expect(() => sim.faults.kill("h1", "nothing")).toThrow('no process "nothing" runs on host "h1"');
  });

  it("stops a process gracefully through its stop handler", () => {
    const sim = new SimulationKernel();
    sim.addHost("h1");
    const calls: string[] = [];
    sim.spawn("h1", "p", { stop: (context) => void calls.push(`stop at ${context.now}`) });
    sim.stopProcess("h1", "p");
    expect(calls).toEqual(["stop at 0"]);
    expect(sim.trace.at(-1)).toMatchObject({ type: "process.stop", reason: "stopped", exitCode: 0 });
  });

  it("emits typed events to listeners and keeps a bounded trace", () => {
    const sim = new SimulationKernel({ trace: { eventsMax: 50 } });
    const crashes: string[] = [];
    const listener = (event: { host: string; time: number }) => void crashes.push(`${event.host}@${event.time}`);
    sim.on("host.crash", listener);
    sim.addHost("h1");
    sim.spawn("h1", "ticker", ticker(1));
    sim.runFor(200);
    sim.faults.crash("h1");
    sim.off("host.crash", listener);
    sim.faults.restart("h1");
    sim.faults.crash("h1");
    expect(crashes).toEqual(["h1@200"]);
    expect(sim.trace.length).toBe(50);
    expect(sim.traceInfo.recordedCount).toBeGreaterThan(200);
    expect(sim.traceInfo.evictedCount).toBe(sim.traceInfo.recordedCount - 50);
    expect(sim.trace.at(-1)?.type).toBe("host.crash");
  });

  it("records less at lower trace levels while listeners still hear everything", () => {
    const runWith = (level: "all" | "lifecycle" | "off") => {
      const sim = new SimulationKernel({ trace: { level } });
      let fires = 0;
      sim.on("timer.fire", () => void fires++);
      sim.addHost("h1");
      sim.spawn("h1", "ticker", ticker(10));
      sim.runFor(100);
      return { types: new Set(sim.trace.map((event) => event.type)), fires };
    };
    expect(runWith("all").types.has("timer.fire")).toBe(true);
    expect([...runWith("lifecycle").types].sort()).toEqual(["host.add", "process.start"]);
    expect(runWith("off").types.size).toBe(0);
    expect(runWith("off").fires).toBe(10);
  });

  it("stops loudly with the seed when a process throws, and names exceeded bounds", () => {
    const sim = new SimulationKernel({ seed: "boom" });
    sim.addHost("h1");
    sim.spawn("h1", "bad", { start: (context) => void context.setTimer(5), timer: () => { throw new Error("kaput"); } });
    expect(() => sim.runFor(10)).toThrow(/process "bad" on host "h1" threw: kaput \(seed "boom", time 5ms, event #1/);

    const looping = new SimulationKernel({ seed: "loop", limits: { eventsPerInstantMax: 100 } });
    looping.addHost("h1");
    looping.spawn("h1", "spin", { start: (context) => void context.setTimer(0), timer: (context) => void context.setTimer(0) });
    expect(() => looping.runFor(1)).toThrow(/bound eventsPerInstantMax \(100\) exceeded/);

    const flooding = new SimulationKernel({ seed: "flood", limits: { pendingEventsMax: 10 } });
    flooding.addHost("h1");
    expect(() => flooding.spawn("h1", "flood", { start: (context) => { for (let index = 0; index < 11; index++) context.setTimer(1); } })).toThrow(
      /bound pendingEventsMax \(10\) exceeded/,
    );
  });

  it("formats trace events as readable lines", () => {
    const sim = new SimulationKernel({ seed: "fmt" });
    sim.addHost("manager1");
    sim.addHost("manager2");
    sim.schedule(12_350, () => sim.faults.partition(["manager1"], ["manager2"]));
    sim.runFor(20_000);
    expect(sim.trace.map(formatTraceEvent)).toEqual([
      "    0.000s manager1   host.add           {\"address\":\"10.0.0.1\"}",
      "    0.000s manager2   host.add           {\"address\":\"10.0.0.2\"}",
      "   12.350s            network.partition  [manager1] | [manager2]",
    ]);
  });
});
