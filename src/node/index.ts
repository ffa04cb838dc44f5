/// <reference types="node" />
/**
 * `swarmsim/node`: the Node-only part of the testing toolkit. Experiment modules run in worker
 * threads (`runExperimentFile`), a third determinism run in a worker
 * (`checkDeterminismAcrossWorkers`), the terminal progress bar, result files and shard merging,
 * and the `swarmsim` command line. The rest of swarmsim runs in a browser; this entry does not.
 */
export { runExperimentFile, checkDeterminismAcrossWorkers, defaultWorkerCount, sliceSeeds, slicesPerWorker, type RunExperimentFileOptions, type CheckDeterminismAcrossWorkersOptions } from "./runner.js";
export { importExperimentDefinition, checkExperimentDefinition, isTypeScriptFile, type ExperimentDefinition } from "./experiment-module.js";
export { ExperimentWorkerPool, workersMax, workerStartTimeoutMs } from "./worker-pool.js";
export { experimentV8Flags, applyV8Flags, checkV8Flags, v8FlagsMax } from "./v8-tuning.js";
export { relaunchArguments, experimentProcessFlags, relaunchedVariable } from "./relaunch.js";
export { ProgressBar, formatProgressLine, progressRedrawIntervalMs, progressBarWidthMax, progressLineWidthMax, type ProgressBarOptions, type ProgressStream } from "./progress.js";
export {
  writeExperimentResults,
  mergeResultsDirectory,
  formatSummaryTable,
  summaryToCsv,
  shardFormat,
  mergeDirectoryEntriesMax,
  mergeDirectoryDepthMax,
  resultFileBytesMax,
  type ShardManifest,
  type WrittenResultFiles,
  type MergedDirectory,
} from "./results.js";
export { runCommandLine, parseShard, usage, UsageError, usageExitCode, failureExitCode, defaultResultsDirectory, type CommandLineIo } from "./command-line.js";
export { listen, requestBodyBytesMax, pendingRequestsMax, servedLogMax, type EngineServer, type ListenOptions, type ServedRequest } from "./http-server.js";
export { startLiveSwarm, replaySession, applyLiveFault, parseLiveFault, buildSessionSwarm, clockPumpIntervalMs, faultBodyBytesMax, type LiveSwarm, type LiveOptions, type LiveSettings, type LiveFault, type SessionEntry, type ReplayResult } from "./live.js";
// Types the exported API mentions (so the reference documents them too).
export type { ExperimentInfo, WorkerTask, TraceTaskValue } from "./protocol.js";
