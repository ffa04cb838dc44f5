/**
 * `swarmsim/testing`: the toolkit for property-based tests and fault-injection experiments
 * over simulated swarms (arbitraries, fault schedules, `check`).
 */
export { arbitraries, applyFaultSchedule, clusterHostNames, faultKinds, formatFault, formatFaultSchedule, isFaultEvent, isFaultSchedule, serviceCreateCommand } from "./arbitraries.js";
export type {
  ClusterArbitraryOptions,
  ClusterShape,
  DaemonName,
  FaultEvent,
  FaultKind,
  FaultOutcome,
  FaultScheduleLog,
  FaultScheduleOptions,
  ServiceImage,
  ServiceSpecDescription,
  Zone,
} from "./arbitraries.js";
export { check, describeValue, PropertyFailure } from "./check.js";
export type { CheckOptions, CheckResult } from "./check.js";
export { summarize, nearestRankPercentile, toCsv, toJson, type Summary, type CsvValue } from "./statistics.js";
export {
  experiment,
  experimentSeeds,
  shardSeeds,
  mergeResults,
  type Scenario,
  type Measure,
  type ExperimentOptions,
  type ExperimentRow,
  type ExperimentResult,
} from "./experiment.js";
export {
  markFault,
  faultMark,
  timeToElectLeaderAfter,
  probeWrites,
  writeProbes,
  writeUnavailabilityMs,
  lostAcknowledgedWrites,
  convergenceTimeAfter,
  tasksRescheduled,
  type FaultMark,
  type LeaderElection,
  type WriteProbe,
  type WriteProbeRecord,
  type ProbeWritesOptions,
  type Since,
} from "./measures.js";
export { RaftSafetyChecker, type RaftViolation, type RaftProperty } from "../swarm/raft/index.js";
// Determinism checks (src/testing/determinism.ts): two in-process runs per seed, first divergent event.
export {
  checkDeterminism,
  recordRun,
  fingerprintOf,
  firstDivergence,
  determinismRunOptions,
  formatDeterminismReport,
  determinismTraceEventsMax,
  determinismRenderedLengthMax,
  determinismDivergencesMax,
  type CheckDeterminismOptions,
  type DeterminismReport,
  type DeterminismRunOptions,
  type DeterminismScenario,
  type DeterminismSeedResult,
  type RunFingerprint,
  type RunRecording,
  type TraceDivergence,
} from "./determinism.js";
// Model-based commands (fc.commands / fc.modelRun) for docker CLI operations against a model;
// `arbitraries.commands` is the same function.
export {
  commands,
  commandsSetup,
  commandsHostNames,
  initialCommandsModel,
  modelMismatch,
  CreateServiceCommand,
  ScaleServiceCommand,
  UpdateReplicasCommand,
  RemoveServiceCommand,
  NodeAvailabilityCommand,
  ListServicesCommand,
  type CommandsModel,
  type CommandsReal,
  type CommandsOptions,
  type CommandsSetupOptions,
  type ModelServiceMode,
  type NodeAvailability,
  type SwarmCommand,
} from "./commands.js";
// Named invariants: `watch(sim, invariants)`, the `invariants` factories and `allInvariants`.
export {
  watch,
  invariants,
  allInvariants,
  formatViolation,
  isInjectedFault,
  InvariantViolationError,
  type AllInvariantsOptions,
  type Invariant,
  type InvariantContext,
  type InvariantName,
  type InvariantOptions,
  type InvariantViolation,
  type Watcher,
  type WatchOptions,
} from "./invariants/index.js";
// Types the exported API mentions (so the reference documents them too).
export type { Ready } from "../swarm/raft/types.js";
export type { RaftCheckerOptions } from "../swarm/raft/checkers.js";
export type { ManagerStore, RaftObserverFunction } from "./invariants/types.js";
export type { AcknowledgedWritesOptions } from "./invariants/writes.js";
export type { ConvergenceOptions } from "./invariants/convergence.js";
export type { CountOptions } from "./invariants/counts.js";
export type { RaftSafetyOptions } from "./invariants/raft-safety.js";
