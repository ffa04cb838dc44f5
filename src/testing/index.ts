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
