// `npm run bench`: runs every benchmark and prints its figures with how they were measured.
// Never part of `npm test`. Figures depend on the machine; the README records ours.
import { benchKernel } from "./kernel.js";

function format(rate: number): string {
  return `${(rate / 1e6).toFixed(2)} M/s`;
}

console.log(`swarmsim benchmarks on Node ${process.version}, ${process.platform}/${process.arch}\n`);

const kernel = benchKernel();
console.log("kernel: 1,000 pending timers, each firing schedules the next at a random delay; trace off; best of 3");
console.log(`  events:               ${kernel.events.toLocaleString("en-US")}`);
console.log(`  bare binary-heap loop ${format(kernel.bareEventsPerSecond)}`);
console.log(`  swarmsim kernel       ${format(kernel.kernelEventsPerSecond)}  (${(kernel.ratio * 100).toFixed(0)}% of the bare loop; goal >= 50%)`);
if (kernel.ratio < 0.5) {
  console.log("  GOAL MISSED: the kernel is below half the bare loop's rate");
  process.exitCode = 1;
}

const engine = (await import("./engine.js")).benchEngine();
console.log("\nengine: create, start and stop 10,000 nginx containers across 100 hosts through the Engine API; trace off");
console.log(`  wall time             ${engine.wallSeconds.toFixed(1)} s`);
console.log(`  containers per second ${engine.containersPerSecond.toFixed(0)}`);
console.log(`  events per container  ${engine.eventsPerContainer.toFixed(0)}`);

const { benchScheduler, formatSchedulerBench } = await import("./scheduler.js");
console.log("\nscheduler: swarmkit's scheduler benchmark workloads, one scheduling pass each, best of 3");
for (const line of formatSchedulerBench(benchScheduler())) console.log(`  ${line}`);

const raft = (await import("./raft.js")).benchRaft();
console.log("\nraft: 5 members, trace off");
console.log(`  election trials (150-300 ms, leader crash)  ${raft.electionTrialsPerSecond.toFixed(0)} trials/s over ${raft.electionTrials.toLocaleString("en-US")} trials`);
console.log(`  ${raft.idleHours} simulated hours idle, swarmkit timing  ${raft.idleWallSeconds.toFixed(2)} s wall (${raft.idleEvents.toLocaleString("en-US")} events; goal well under 1 s)`);
console.log(`  sustained proposals                         ${raft.committedPerSecond.toFixed(0)} committed entries/s over ${raft.proposals.toLocaleString("en-US")}`);

const swarm = (await import("./swarm.js")).benchSwarm();
console.log("\nswarm: 3 managers, 10 workers, 20 services (92 tasks), trace off");
console.log(`  ${swarm.simulatedHours} simulated hours  ${swarm.wallSeconds.toFixed(1)} s wall (${swarm.events.toLocaleString("en-US")} events; goal under 1 s)`);
