// Runs the kernel scenario for a seed and fault schedule given as JSON and prints its trace
// hash: the determinism test runs it in a child process and in a worker thread.
import { parentPort, workerData } from "node:worker_threads";
import { runKernelScenario, type KernelFault } from "./scenario.js";

interface Job {
  readonly seed: string;
  readonly faults: KernelFault[];
}

function hashOf(job: Job): string {
  return runKernelScenario(job.seed, job.faults).traceHash();
}

if (parentPort) {
  parentPort.postMessage((workerData as { jobs: Job[] }).jobs.map(hashOf));
} else {
  const jobs = JSON.parse(process.argv[2] ?? "[]") as Job[];
  console.log(JSON.stringify(jobs.map(hashOf)));
}
