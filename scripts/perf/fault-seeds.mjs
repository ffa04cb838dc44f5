// Runs the testing benchmark's fault-schedule seeds (bench/testing.ts: a 3-manager, 3-worker swarm,
// 5 services, a fast-check fault schedule, 5 simulated minutes, Raft safety watched, history off)
// in this thread, against a build directory, so that two builds can be compared: copy dist/ aside,
// change the code, build again, and run both. Prints the events, the wall time and CPU per seed
// (and for the second half of the seeds apart, once the JIT is warm); with TRACE=all or
// TRACE=lifecycle, each seed's event count and trace hash first, to show that a change leaves
// every event the same (diff the two outputs).
//
//   node scripts/perf/fault-seeds.mjs [SEEDS=120] [FIRST=0]          (DIST=dist by default)
//   DIST=/tmp/dist-before TRACE=all node scripts/perf/fault-seeds.mjs 25 > before.txt
import fc from "fast-check";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const dist = pathToFileURL(resolve(process.env.DIST ?? "dist")).href;
const { Simulation } = await import(`${dist}/index.js`);
const { arbitraries, applyFaultSchedule } = await import(`${dist}/testing/index.js`);
const hosts = ["manager1", "manager2", "manager3", "worker1", "worker2", "worker3"];
const seeds = Number(process.argv[2] ?? 120);
const first = Number(process.argv[3] ?? 0);
const trace = process.env.TRACE ?? "off";

/** The benchmark's FNV-1a hash of a seed: the fast-check seed of its fault schedule. */
function fastCheckSeedOf(seed) {
  let hash = 0x811c9dc5;
  for (let index = 0; index < seed.length; index++) hash = Math.imul(hash ^ seed.charCodeAt(index), 0x01000193);
  return hash | 0;
}

let events = 0;
const startMs = performance.now();
const startCpu = process.cpuUsage();
let halfMs = startMs;
let halfCpu = startCpu;
for (let index = first; index < first + seeds; index++) {
  if (index === first + Math.floor(seeds / 2)) {
    halfMs = performance.now();
    halfCpu = process.cpuUsage();
  }
  const seed = `seed/${index}`;
  const [schedule] = fc.sample(arbitraries.faultSchedule({ durationMs: 300_000, hosts }), { numRuns: 1, seed: fastCheckSeedOf(seed) });
  const sim = Simulation.swarm({ seed, managers: 3, workers: 3, trace: { level: trace }, history: { snapshotsMax: 0, inputsMax: 0 } });
  sim.watchRaftSafety();
  const manager = sim.engine("manager1");
  for (let service = 0; service < 5; service++) {
    manager.serviceCreate({
      Name: `service${service}`,
      TaskTemplate: { ContainerSpec: { Image: service % 2 === 0 ? "nginx" : "redis" } },
      Mode: service === 4 ? { Global: {} } : { Replicated: { Replicas: 2 } },
    });
  }
  applyFaultSchedule(sim, schedule);
  try {
    sim.runFor(300_000);
  } catch {
    // A SimulationCrash is a finding of the seed, counted by the benchmark; here it only ends the run.
  }
  events += sim.eventCount;
  if (trace !== "off") console.log(`${index} ${sim.eventCount} ${sim.traceHash()}`);
  sim.dispose();
}
const cpuMs = (usage) => (usage.user + usage.system) / 1000;
const half = seeds - Math.floor(seeds / 2);
console.log(
  `${seeds} seeds, ${events} events; per seed ${((performance.now() - startMs) / seeds).toFixed(2)} ms wall, ${(cpuMs(process.cpuUsage(startCpu)) / seeds).toFixed(2)} ms CPU; ` +
    `second half ${((performance.now() - halfMs) / half).toFixed(2)} ms wall, ${(cpuMs(process.cpuUsage(halfCpu)) / half).toFixed(2)} ms CPU`,
);
