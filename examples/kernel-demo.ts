// The kernel demo: three bare hosts (no Docker Engine) exchanging pings over a simulated network while faults are
// injected (a crash, a restart, a partition, a lossy link), then the trace is printed.
// Run it with `npx tsx examples/kernel-demo.ts`; the same seed prints the same lines and hash every time.
import { SimulationKernel as Simulation, formatTraceEvent, type ProcessBehaviour } from "swarmsim";

const sim = new Simulation({ seed: "demo", network: { latencyMs: [5, 15], lossRate: 0 } });
const hostNames = ["manager1", "manager2", "worker1"];
for (const name of hostNames) sim.addHost(name, { cpus: 4, memoryBytes: 8 * 2 ** 30, labels: { zone: name === "worker1" ? "b" : "a" } });

/** Every second, ping every other host; answer pings with pongs; count pongs on disk. */
function pinger(): ProcessBehaviour {
  return {
    start(context) {
      context.log(`up (boot count ${context.disk.read<number>("boots") ?? 0})`);
      context.disk.write("boots", (context.disk.read<number>("boots") ?? 0) + 1);
      context.setTimer(1000, "tick");
    },
    timer(context) {
      for (const peer of hostNames) if (peer !== context.host) context.send(peer, "pinger", { kind: "ping", at: context.now });
      context.setTimer(1000, "tick");
    },
    receive(context, message, from) {
      const { kind } = message as { kind: string };
      if (kind === "ping") context.send(from.host, from.process, { kind: "pong" });
      else context.disk.write("pongs", (context.disk.read<number>("pongs") ?? 0) + 1);
    },
  };
}
for (const name of hostNames) sim.spawn(name, "pinger", pinger, { startOnBoot: true });

sim.schedule(2_500, () => sim.faults.crash("manager2"));
sim.schedule(4_500, () => sim.faults.restart("manager2"));
sim.schedule(6_200, () => sim.faults.partition(["manager1"], ["manager2", "worker1"]));
sim.schedule(7_800, () => sim.faults.heal());
sim.schedule(8_000, () => sim.faults.setLink("manager1", "worker1", { lossRate: 0.5, latencyMs: [40, 60] }));

sim.runFor(10_000);

for (const event of sim.trace) {
  if (event.type === "timer.fire") continue; // ticks are noise here
  console.log(formatTraceEvent(event));
}
console.log();
for (const host of sim.hosts()) {
  console.log(`${host.name.padEnd(9)} ${host.address.padEnd(9)} up=${host.up} boots=${host.bootCount} pongs=${host.disk.read("pongs") ?? 0}`);
}
console.log(`\n${sim.trace.length} events, virtual time ${sim.now} ms, trace hash ${sim.traceHash()}`);
