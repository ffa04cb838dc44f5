/**
 * The pure Raft state machine of swarm managers: members, persistence helpers, quorum
 * arithmetic and safety checkers. No kernel, no I/O: a driver feeds messages and timer
 * firings in and handles each Ready (persist, send, apply).
 */
export { RaftMember, timerToleranceMs } from "./member.js";
export { RaftLog } from "./log.js";
export { FollowerProgress, type ProgressMode } from "./progress.js";
export { defaultRaftOptions, resolveRaftOptions, type RaftBugs, type RaftOptions, type ResolvedRaftOptions } from "./options.js";
export { hasReachableQuorum, isQuorum, quorumSize, removalWouldLoseQuorum } from "./quorum.js";
export { MemoryRaftStorage, initialPersistentState } from "./storage.js";
export { RaftSafetyChecker, type RaftCheckerOptions, type RaftProperty, type RaftViolation } from "./checkers.js";
export type {
  AppendRequest,
  AppendResponse,
  HardState,
  LogEntry,
  MembershipChange,
  MembershipEntry,
  NormalEntry,
  PersistentState,
  ProposalRefusal,
  ProposalResult,
  RaftMessage,
  RaftRole,
  RaftStatus,
  RaftTimerKind,
  Ready,
  Snapshot,
  SnapshotRequest,
  SoftState,
  TimerRequest,
  VoteRequest,
  VoteResponse,
} from "./types.js";
