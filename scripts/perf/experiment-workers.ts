// Runs the testing benchmark's experiment (bench/testing.ts, 600 seeds) on two worker threads, as
// `npm run bench testing` does, without the in-process comparison: quicker for pairs of runs
// (say V8 flags against none, alternating, as the machine's speed drifts). FLAGS gives the V8
// flags the runner sets (space-separated; unset: experimentV8Flags; "" for none); LABEL names the
// line. The benchmark runs its workers in a process started with `--single-threaded`, as
// `swarmsim experiment` does; give it to node to measure the same:
//
//   npm run build && TSX_TSCONFIG_PATH=bench/tsconfig.json node --single-threaded --import tsx scripts/perf/experiment-workers.ts
import { benchTestingWorkers } from "../../bench/testing.js";

const flags = process.env.FLAGS?.split(" ").filter((flag) => flag !== "");
const result = await benchTestingWorkers({ workers: 2, ...(flags === undefined ? {} : { v8Flags: flags }) });
console.log(
  `${process.env.LABEL ?? "run"}: ${result.seedsPerSecond.toFixed(1)} seeds/s, second half ${result.warmSeedsPerSecond.toFixed(1)} seeds/s, ` +
    `${result.warmCpuMsPerSeed.toFixed(2)} ms of CPU per warm seed`,
);
