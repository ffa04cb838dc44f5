/**
 * swarmsim: a deterministic, in-process simulator of a Docker Swarm cluster.
 *
 * This is the curated public entry point; modules not re-exported here are internal.
 * @packageDocumentation
 */
export { Simulation } from "./simulation.js";
export type { SimulationOptions, EngineHostOptions, ExecOptions, ExecResult } from "./simulation.js";
export { defaultHistoryOptions, diffWorldStates, historyLinksWatchedMax, networkPartitionsKeptMax, type HistoryOptions, type HistoryInfo, type WorldState, type HostState, type RaftMemberState, type NetworkState, type LinkState, type WorldChange } from "./time-travel/index.js";
export { SimulationKernel } from "./sim/simulation.js";
export type { SimulationOptions as KernelOptions, RunUntilOptions, SimulationListener } from "./sim/simulation.js";
export { Faults } from "./sim/faults.js";
export { EngineFaults } from "./engine/faults.js";
export type { NetworkOptions, LinkOptions } from "./sim/network.js";
export type { Network } from "./sim/network.js";
export { Random } from "./sim/random.js";
export { SimulationError, SimulationCrash } from "./sim/errors.js";
export type { CrashContext } from "./sim/errors.js";
export type {
  SimulationEvent,
  SimulationEventMap,
  SimulationEventOf,
  SimulationEventType,
  ProcessAddress,
  ProcessStopReason,
  MessageDropReason,
  LinkSettings,
} from "./sim/events.js";
export type { TraceLevel, TraceOptions } from "./sim/trace.js";
export type { SimulationLimits } from "./sim/limits.js";
export { defaultLimits } from "./sim/limits.js";
export type {
  ProcessBehaviour,
  ProcessContext,
  ProcessExit,
  ProcessFactory,
  ProcessInfo,
  SpawnOptions,
  TimerHandle,
} from "./sim/process.js";
export { call, sleep, waitFor, Answered, RpcError, RpcProcess, Coroutines } from "./sim/coroutine.js";
export type { Coroutine, Operation, RpcHandler, RpcHandlers, RpcErrorCode } from "./sim/coroutine.js";
export type { Host, HostOptions } from "./host/host.js";
export type { Disk } from "./host/disk.js";
export { formatTime } from "./sim/calendar.js";
export { formatTraceEvent, formatSeconds } from "./sim/format.js";
export { EngineClient, EngineApiError } from "./engine/client.js";
export type { EngineJson, EngineStream, EngineStreamOpener, EngineTransport, QueryParameters } from "./engine/client.js";
export type { HttpRequest, HttpResponse, LogFrame } from "./engine/api/http.js";
export type { EngineOptions } from "./engine/install.js";
export { DaemonConnectionError } from "./engine/transport.js";
export { formatProcessTree } from "./host/process-tree.js";
export * as render from "./render/index.js";
// Types the exported API mentions (so the reference documents them too).
export type { SwarmOptions } from "./simulation.js";
export type * from "./swarm/types.js";
export type * from "./swarm/raft/types.js";
export type { RaftOptions, RaftBugs } from "./swarm/raft/options.js";
export type { RaftSettings } from "./swarm/raft-driver/raft-node.js";
export type { AppliedProposal } from "./swarm/raft-driver/raft-process.js";
export type { ProcessInstance, ProtocolHandler } from "./sim/process.js";
export type { SchedulerBugs } from "./swarm/scheduler/bugs.js";
export type { ProcessUnit } from "./host/host.js";
export type { RuncCommand } from "./containerd/events.js";
export type { StoreCollectionName } from "./time-travel/diff.js";
