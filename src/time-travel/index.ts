/**
 * Time travel: the kept world states of a simulation (`sim.stateAt`, `sim.diff`) and its
 * replayable input log (`sim.fork`). The public names of this folder.
 */
export { TimeTravel, defaultHistoryOptions, historyLinksWatchedMax } from "./time-travel.js";
export type { HistoryOptions, HistoryInfo } from "./time-travel.js";
export { captureWorldState, captureNetworkState, healthyNetworkState, networkPartitionsKeptMax } from "./world-state.js";
export type { WorldState, HostState, RaftMemberState, NetworkState, LinkState, CaptureOptions } from "./world-state.js";
export { diffWorldStates } from "./diff.js";
export type { WorldChange, StoreCollectionName } from "./diff.js";
