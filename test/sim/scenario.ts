// A small deterministic scenario for kernel tests: hosts exchanging jittered pings while a
// fault schedule is applied. Used in-process, in a child process and in a worker thread.
import { SimulationKernel, type ProcessBehaviour } from "swarmsim";

/** One scheduled fault of a kernel scenario. */
export type KernelFault =
  | { readonly atMs: number; readonly kind: "crash" | "restart"; readonly host: number }
  | { readonly atMs: number; readonly kind: "partition"; readonly split: number }
  | { readonly atMs: number; readonly kind: "heal" }
  | { readonly atMs: number; readonly kind: "link"; readonly from: number; readonly to: number; readonly lossRate: number; readonly duplicateRate: number };

/** Builds and runs the scenario; returns the simulation after `durationMs`. */
export function runKernelScenario(seed: string, faults: readonly KernelFault[], hostCount = 4, durationMs = 5_000): SimulationKernel {
  const sim = new SimulationKernel({ seed, network: { latencyMs: [2, 20], lossRate: 0.05, duplicateRate: 0.02 } });
  const names = Array.from({ length: hostCount }, (_, index) => `host${index + 1}`);
  for (const name of names) sim.addHost(name);
  const chatter = (): ProcessBehaviour => ({
    start(context) {
      context.setTimer(context.random.uniform(10, 200), "tick");
    },
    timer(context) {
      const peer = context.random.pick(names);
      context.send(peer, "chatter", { hop: 0, from: context.host, at: context.now });
      context.disk.write("ticks", (context.disk.read<number>("ticks") ?? 0) + 1);
      context.setTimer(context.random.uniform(50, 300), "tick");
    },
    receive(context, message, from) {
      const { hop } = message as { hop: number };
      if (hop < 2) context.send(from.host, "chatter", { hop: hop + 1, from: context.host, at: context.now });
    },
  });
  for (const name of names) sim.spawn(name, "chatter", chatter, { startOnBoot: true });
  for (const fault of faults) {
    sim.schedule(fault.atMs, () => {
      switch (fault.kind) {
        case "crash": {
          const host = names[fault.host % hostCount]!;
          if (sim.host(host).up) sim.faults.crash(host);
          return;
        }
        case "restart":
          sim.faults.restart(names[fault.host % hostCount]!);
          return;
        case "partition": {
          const cut = 1 + (fault.split % (hostCount - 1));
          sim.faults.partition(names.slice(0, cut), names.slice(cut));
          return;
        }
        case "heal":
          sim.faults.heal();
          return;
        case "link": {
          const from = names[fault.from % hostCount]!;
          const to = names[(fault.from + 1 + (fault.to % (hostCount - 1))) % hostCount]!;
          sim.faults.setLink(from, to, { lossRate: fault.lossRate, duplicateRate: fault.duplicateRate });
          return;
        }
      }
    });
  }
  sim.runFor(durationMs);
  return sim;
}
