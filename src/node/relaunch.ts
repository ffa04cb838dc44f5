/// <reference types="node" />
/**
 * Node-only: whether the `swarmsim` executable starts Node again, with other V8 settings, before
 * it runs an experiment, and with which arguments. When the experiment's worker threads fill
 * every core, V8's own background threads (the optimising compiler's, and the collector's
 * concurrent marking, sweeping and parallel scavenges) find no idle core: they only take turns
 * with the workers, at the cost of switching and of each other's caches. `--single-threaded`
 * makes each worker compile and collect on its own thread. On two cores the benchmark's 600
 * fault-schedule seeds ran about 10% more per second with it (ten paired runs, every one in its
 * favour; README, Benchmarks). It cannot be set
 * once the process runs (switching concurrent marking off under a live heap made V8 abort), so
 * the process starts again. With fewer workers than cores, the background threads have cores of
 * their own, and the experiment runs as it is.
 */
import { parseOptions, parseWorkers, UsageError } from "./command-line.js";
import { workersMax } from "./worker-pool.js";

/** The V8 flags an experiment whose workers fill the cores runs under. */
export const experimentProcessFlags: readonly string[] = ["--single-threaded"];

/** Environment variable set in the relaunched process, so that it never relaunches again. */
export const relaunchedVariable = "SWARMSIM_RELAUNCHED";

/**
 * The Node arguments to run the command line `commandArguments` with (the interpreter's own
 * `execArgv`, then {@link experimentProcessFlags}, the script and the arguments), or null to run
 * it in this process: for anything but running an experiment (`merge`, live mode, help), for an
 * experiment with fewer workers than `cores` (`--workers`, by default the cores up to
 * `workersMax`), when the flags are already set, or when this process is the relaunched one.
 */
export function relaunchArguments(
  commandArguments: readonly string[],
  execArgv: readonly string[],
  script: string,
  environment: Readonly<Record<string, string | undefined>>,
  cores: number,
): string[] | null {
  if (commandArguments[0] !== "experiment") return null;
  if (environment[relaunchedVariable] === "1" || experimentProcessFlags.every((flag) => execArgv.includes(flag))) return null;
  let workers: number;
  try {
    const options = parseOptions(commandArguments.slice(1));
    if (options.help || options.positionals[0] === "merge") return null;
    const requested = options.flags.get("--workers");
    workers = requested === undefined ? Math.min(workersMax, cores) : parseWorkers(requested);
  } catch (error) {
    // A wrong command line is left to the command line to refuse, in this process.
    if (error instanceof UsageError) return null;
    throw error;
  }
  if (workers < cores) return null;
  return [...execArgv, ...experimentProcessFlags, script, ...commandArguments];
}
