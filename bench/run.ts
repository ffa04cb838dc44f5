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
