// Network properties of the kernel: partitions block, loss and duplication happen at their
// rates, latency stays in its range, crashes drop messages and kill timers, disks survive.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SimulationKernel, type ProcessBehaviour, type SimulationEventOf } from "swarmsim";
import { propertyOptions } from "../helpers/property.js";

/** A process that sends `count` numbered messages to `peer`, one every `intervalMs`. */
function sender(peer: string, count: number, intervalMs = 1): ProcessBehaviour {
  let sent = 0;
  return {
    start(context) {
      context.setTimer(intervalMs);
    },
    timer(context) {
      context.send(peer, "sink", { sequence: sent++ });
      if (sent < count) context.setTimer(intervalMs);
    },
  };
}

/** A process that records what it receives on its disk. */
function sink(): ProcessBehaviour {
  return {
    receive(context, message) {
      const received = context.disk.read<number[]>("received") ?? [];
      context.disk.write("received", [...received, (message as { sequence: number }).sequence]);
    },
  };
}

function twoHosts(options: ConstructorParameters<typeof SimulationKernel>[0] = {}): SimulationKernel {
  const sim = new SimulationKernel({ seed: "network", ...options });
  sim.addHost("a");
  sim.addHost("b");
  sim.spawn("b", "sink", sink);
  return sim;
}

function deliveries(sim: SimulationKernel): SimulationEventOf<"message.deliver">[] {
  return sim.trace.filter((event): event is SimulationEventOf<"message.deliver"> => event.type === "message.deliver");
}

describe("network", () => {
  it("delivers nothing across a partition, in either direction, until healed", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 2, max: 6 }), (seed, hostCount) => {
        const sim = new SimulationKernel({ seed });
        const names = Array.from({ length: hostCount }, (_, index) => `h${index}`);
        for (const name of names) sim.addHost(name);
        for (const name of names) {
          sim.spawn(name, "echo", {
            start: (context) => context.setTimer(1),
            timer(context) {
              for (const peer of names) context.send(peer, "echo", "hello");
              context.setTimer(context.random.uniform(1, 10));
            },
          });
        }
        const cut = 1 + (seed.length % (hostCount - 1));
        const left = new Set(names.slice(0, cut));
        sim.faults.partition(names.slice(0, cut), names.slice(cut));
        sim.runFor(500);
        const crossing = deliveries(sim).filter((event) => left.has(event.host) !== left.has(event.from.host));
        expect(crossing).toEqual([]);
        const drops = sim.trace.filter((event) => event.type === "message.drop" && event.reason === "partition");
        expect(drops.length).toBeGreaterThan(0);
        sim.faults.heal();
        sim.runFor(500);
        expect(deliveries(sim).some((event) => event.time > 500 && left.has(event.host) !== left.has(event.from.host))).toBe(true);
      }),
      propertyOptions("partition blocks", 30),
    );
  });

  it("drops messages in flight when a partition starts", () => {
    const sim = twoHosts({ network: { latencyMs: [50, 50] } });
    sim.spawn("a", "sender", sender("b", 1));
    sim.runFor(10);
    sim.faults.partition(["a"], ["b"]);
    sim.runFor(100);
    expect(sim.host("b").disk.read("received")).toBeUndefined();
    expect(sim.trace.some((event) => event.type === "message.drop" && event.reason === "partition")).toBe(true);
  });

  it("loses about the configured share of messages", () => {
    const sim = twoHosts({ network: { latencyMs: [1, 2], lossRate: 0.2 } });
    sim.spawn("a", "sender", sender("b", 10_000));
    sim.runFor(20_000);
    const received = sim.host("b").disk.read<number[]>("received")!.length;
    expect(received / 10_000).toBeGreaterThan(0.77);
    expect(received / 10_000).toBeLessThan(0.83);
  });

  it("duplicates about the configured share of messages", () => {
    const sim = twoHosts({ network: { latencyMs: [1, 2], duplicateRate: 0.1 } });
    sim.spawn("a", "sender", sender("b", 10_000));
    sim.runFor(20_000);
    const duplicates = deliveries(sim).filter((event) => event.duplicate).length;
    expect(duplicates / 10_000).toBeGreaterThan(0.08);
    expect(duplicates / 10_000).toBeLessThan(0.12);
  });

  it("keeps latency within the link's range and reorders messages", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), (first, second) => {
        const [minimum, maximum] = first <= second ? [first, second] : [second, first];
        const sim = twoHosts({ network: { latencyMs: [minimum, maximum] } });
        sim.spawn("a", "sender", sender("b", 200, 0.5));
        sim.runFor(1_000);
        const latencies = deliveries(sim).map((event) => event.time - event.sentAt);
        expect(latencies).toHaveLength(200);
        for (const latency of latencies) {
          expect(latency).toBeGreaterThanOrEqual(minimum - 1e-9);
          expect(latency).toBeLessThanOrEqual(maximum + 1e-9);
        }
        if (maximum - minimum > 5) {
          const order = sim.host("b").disk.read<number[]>("received")!;
          expect(order).not.toEqual([...order].sort((x, y) => x - y));
        }
      }),
      propertyOptions("latency in range", 40),
    );
  });

  it("applies link settings per direction, merges partial changes and resets them", () => {
    const sim = twoHosts({ network: { latencyMs: [1, 1] } });
    sim.faults.setLink("a", "b", { latencyMs: [30, 30] });
    sim.faults.setLink("a", "b", { lossRate: 0 }); // latency kept
    expect(sim.network.settings("a", "b")).toEqual({ latencyMs: [30, 30], lossRate: 0, duplicateRate: 0 });
    expect(sim.network.settings("b", "a").latencyMs).toEqual([30, 30]);
    sim.faults.setLink("b", "a", { latencyMs: [7, 7], oneWay: true });
    expect(sim.network.settings("a", "b").latencyMs).toEqual([30, 30]);
    expect(sim.network.settings("b", "a").latencyMs).toEqual([7, 7]);
    sim.spawn("a", "sender", sender("b", 1));
    sim.runFor(100);
    expect(deliveries(sim).map((event) => event.time - event.sentAt)).toEqual([30]);
    sim.faults.resetLink("a", "b");
    expect(sim.network.settings("a", "b")).toBe(sim.network.defaults);
    expect(sim.network.settings("b", "a")).toBe(sim.network.defaults);
  });

  it("lets a partition block whatever the link says", () => {
    const sim = twoHosts();
    sim.faults.setLink("a", "b", { lossRate: 0, latencyMs: [1, 1] });
    sim.faults.partition(["a"], ["b"]);
    sim.spawn("a", "sender", sender("b", 10));
    sim.runFor(100);
    expect(sim.host("b").disk.read("received")).toBeUndefined();
  });

  it("drops messages to a crashed host and kills its timers; restart keeps the disk", () => {
    const sim = twoHosts({ network: { latencyMs: [5, 5] } });
    let fired = 0;
    sim.spawn("b", "ticker", { start: (context) => context.setTimer(10), timer: () => void fired++ });
    sim.spawn("a", "sender", sender("b", 100, 1));
    sim.runFor(3);
    sim.faults.crash("b");
    sim.runFor(200);
    expect(fired).toBe(0);
    expect(sim.host("b").disk.read("received")).toBeUndefined();
    const unreachable = sim.trace.filter((event) => event.type === "message.drop" && event.reason === "unreachable");
    expect(unreachable.length).toBe(100);
    sim.host("b").disk.write("note", "kept");
    sim.faults.restart("b");
    expect(sim.host("b").disk.read("note")).toBe("kept");
    expect(sim.host("b").isRunning("sink")).toBe(false); // not a boot-time process
  });

  it("delivers messages between processes of one host after the local delay, without loss", () => {
    const sim = new SimulationKernel({ seed: "local", network: { lossRate: 1, localDelayMs: 0.25 } });
    sim.addHost("a");
    sim.spawn("a", "sink", sink);
    sim.spawn("a", "sender", sender("a", 5));
    sim.runFor(50);
    expect(sim.host("a").disk.read("received")).toEqual([0, 1, 2, 3, 4]);
    expect(deliveries(sim).every((event) => event.time - event.sentAt === 0.25)).toBe(true);
  });

  it("drops a message when its receiver restarts while it is in flight", () => {
    const sim = twoHosts({ network: { latencyMs: [20, 20] } });
    sim.spawn("a", "sender", sender("b", 1));
    sim.runFor(5);
    sim.faults.restart("b", "sink");
    sim.runFor(50);
    expect(sim.host("b").disk.read("received")).toBeUndefined();
  });
});
