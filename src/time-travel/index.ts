/**
 * Time travel: the kept world states of a simulation (`sim.stateAt`, `sim.diff`) and its
 * replayable input log (`sim.fork`). The public names of this folder.
 */
export { TimeTravel, defaultHistoryOptions } from "./time-travel.js";
export type { HistoryOptions, HistoryInfo } from "./time-travel.js";
export { captureWorldState } from "./world-state.js";
export type { WorldState, HostState, RaftMemberState, CaptureOptions } from "./world-state.js";
export { diffWorldStates } from "./diff.js";
export type { WorldChange, StoreCollectionName } from "./diff.js";
