/**
 * Plain data of the Raft state machine: log entries, hard state, snapshots, messages,
 * persisted state and status. Everything here is a serialisable value, so a driver can put
 * it on a simulated disk or send it over the simulated network as it is.
 */

/** The role of a member (Raft paper §5.2; `pre-candidate` is the thesis's pre-vote phase, §9.6). */
export type RaftRole = "follower" | "pre-candidate" | "candidate" | "leader";

/** A change of the cluster's membership, carried by a `membership` log entry. */
export interface MembershipChange {
  /** Whether `member` joins or leaves. */
  readonly action: "add" | "remove";
  /** The member added or removed (a host name in practice). */
  readonly member: string;
  /** The whole membership after the change, sorted: the latest such entry defines the configuration. */
  readonly members: readonly string[];
}

/** An entry carrying state-machine data (or `null` for the empty entry a new leader appends). */
export interface NormalEntry {
  /** The term of the leader that created the entry. */
  readonly term: number;
  /** The entry's position in the log, from 1. */
  readonly index: number;
  /** Discriminant. */
  readonly kind: "normal";
  /** Opaque state-machine data; `null` for a new leader's empty entry. */
  readonly data: unknown;
}

/** An entry changing the membership by one member (thesis §4.1, single-server changes). */
export interface MembershipEntry {
  /** The term of the leader that created the entry. */
  readonly term: number;
  /** The entry's position in the log, from 1. */
  readonly index: number;
  /** Discriminant. */
  readonly kind: "membership";
  /** The change and the resulting membership. */
  readonly data: MembershipChange;
}

/** One log entry. */
export type LogEntry = NormalEntry | MembershipEntry;

/** What must survive a crash besides the log (Raft paper Figure 2, "persistent state"). */
export interface HardState {
  /** The latest term this member has seen. */
  readonly term: number;
  /** The member voted for in `term`, or null. */
  readonly votedFor: string | null;
  /** The highest index known committed (persisted as etcd does, so a restart re-applies up to it). */
  readonly commitIndex: number;
}

/** A snapshot of the state machine and the log position and membership it covers. */
export interface Snapshot {
  /** The index of the last entry the snapshot covers (0 for the initial, empty snapshot). */
  readonly index: number;
  /** The term of that entry. */
  readonly term: number;
  /** The membership as of `index`. */
  readonly members: readonly string[];
  /** The state machine's serialised state, produced by the driver. */
  readonly data: unknown;
}

/** Everything a member persists; a member rebuilt from it behaves as after a crash. */
export interface PersistentState {
  /** Term, vote and commit index. */
  readonly hardState: HardState;
  /** The latest snapshot (the initial one has index 0). */
  readonly snapshot: Snapshot;
  /** The retained log: contiguous, possibly starting before `snapshot.index` (kept for slow followers). */
  readonly entries: readonly LogEntry[];
}

/** Fields every message carries. */
interface MessageHeader {
  /** The sender. */
  readonly from: string;
  /** The receiver. */
  readonly to: string;
  /** The sender's term (for a granted pre-vote, the term the pre-candidate would campaign in). */
  readonly term: number;
}

/** RequestVote (Figure 2), or its pre-vote form (thesis §9.6) when `preVote` is true. */
export interface VoteRequest extends MessageHeader {
  /** Discriminant. */
  readonly type: "vote-request";
  /** True for a pre-vote: the receiver changes nothing and only says whether it would vote. */
  readonly preVote: boolean;
  /** True when the leader handed leadership over (etcd's campaignTransfer): receivers ignore their check-quorum lease. */
  readonly transfer: boolean;
  /** The index of the candidate's last log entry. */
  readonly lastLogIndex: number;
  /** The term of the candidate's last log entry. */
  readonly lastLogTerm: number;
}

/** The answer to a {@link VoteRequest}. */
export interface VoteResponse extends MessageHeader {
  /** Discriminant. */
  readonly type: "vote-response";
  /** Echoes the request's `preVote`. */
  readonly preVote: boolean;
  /** Whether the vote (or pre-vote) was granted. */
  readonly granted: boolean;
}

/** AppendEntries (Figure 2); with no entries it is a heartbeat. */
export interface AppendRequest extends MessageHeader {
  /** Discriminant. */
  readonly type: "append-request";
  /** The index of the entry just before `entries`. */
  readonly previousLogIndex: number;
  /** The term of that entry. */
  readonly previousLogTerm: number;
  /** Entries to store, contiguous from `previousLogIndex + 1`; bounded by `entriesPerMessageMax`. */
  readonly entries: readonly LogEntry[];
  /** The leader's commit index. */
  readonly leaderCommitIndex: number;
}

/** The answer to an {@link AppendRequest} or {@link SnapshotRequest}. */
export interface AppendResponse extends MessageHeader {
  /** Discriminant. */
  readonly type: "append-response";
  /** Whether the consistency check passed. */
  readonly success: boolean;
  /** On success, the highest index known to match the leader's log. */
  readonly matchIndex: number;
  /** On rejection, the `previousLogIndex` of the rejected request (to spot stale rejections). */
  readonly rejectedIndex: number;
  /** On rejection, the follower's term at `rejectedIndex`, or null when its log is shorter. */
  readonly conflictTerm: number | null;
  /** On rejection, the first index of `conflictTerm` in the follower's log, or its last index + 1 when shorter. */
  readonly conflictIndex: number;
}

/** InstallSnapshot: the leader sends its snapshot to a follower behind its compacted log. */
export interface SnapshotRequest extends MessageHeader {
  /** Discriminant. */
  readonly type: "snapshot-request";
  /** The leader's latest snapshot. */
  readonly snapshot: Snapshot;
}

/** The leader's word to the member it hands leadership to: campaign now (etcd's MsgTimeoutNow, thesis §3.10). */
export interface TimeoutNow extends MessageHeader {
  /** Discriminant. */
  readonly type: "timeout-now";
}

/** Any message between members. */
export type RaftMessage = VoteRequest | VoteResponse | AppendRequest | AppendResponse | SnapshotRequest | TimeoutNow;

/** The member's timers; the driver keeps at most one pending per kind. */
export type RaftTimerKind = "election" | "heartbeat" | "check-quorum";

/** A request to (re)arm a timer: call `timerFired(kind, now)` at `atMs`. */
export interface TimerRequest {
  /** Which timer. */
  readonly kind: RaftTimerKind;
  /** When it should fire, in the driver's milliseconds (the `nowMs` clock). */
  readonly atMs: number;
}

/** Role and leader, as reported in a Ready when they change. */
export interface SoftState {
  /** The member's role. */
  readonly state: RaftRole;
  /** The member's term. */
  readonly term: number;
  /** The leader this member knows for `term`, or null. */
  readonly leader: string | null;
}

/** What a member shows of itself. */
export interface RaftStatus {
  /** The member's id. */
  readonly id: string;
  /** The member's role. */
  readonly state: RaftRole;
  /** The current term. */
  readonly term: number;
  /** The known leader of `term`, or null. */
  readonly leader: string | null;
  /** The vote cast in `term`, or null. */
  readonly votedFor: string | null;
  /** The highest index known committed. */
  readonly commitIndex: number;
  /** The highest index the driver has applied (acknowledged through `advance`). */
  readonly appliedIndex: number;
  /** The index of the last log entry (or of the snapshot when the log is empty). */
  readonly lastLogIndex: number;
  /** The term of that entry. */
  readonly lastLogTerm: number;
  /** The index of the latest snapshot. */
  readonly snapshotIndex: number;
  /** The current configuration (the latest membership entry in the log, committed or not). */
  readonly members: readonly string[];
}

/**
 * The outputs of a member since the last Ready. Handle in this order: persist `snapshot`,
 * `entries` and `hardState` (see `MemoryRaftStorage.apply`); only then send `messages`; then
 * restore the state machine from `snapshot` when `restoreStateMachine`, apply
 * `committedEntries` in order, arm `timers`; if `snapshotWanted`, snapshot the state machine and
 * call `compact`; finally call `advance()`.
 */
export interface Ready {
  /** Term, vote and commit index to persist, or null when unchanged. */
  readonly hardState: HardState | null;
  /** A snapshot to persist (made by `compact`, or received from the leader), or null. */
  readonly snapshot: Snapshot | null;
  /** True when `snapshot` came from the leader: it replaces the whole stored log and the state machine. */
  readonly restoreStateMachine: boolean;
  /** Stored entries at or below this index may be deleted (after `compact`), or null. */
  readonly compactedThroughIndex: number | null;
  /** Entries to persist: stored entries from `entries[0].index` on are replaced by these. */
  readonly entries: readonly LogEntry[];
  /** Messages to send, after persisting. */
  readonly messages: readonly RaftMessage[];
  /** Newly committed entries, to apply to the state machine in order. */
  readonly committedEntries: readonly LogEntry[];
  /** Timers to (re)arm; a timer not listed keeps its previous request. A stale firing is ignored, so cancelling is optional. */
  readonly timers: readonly TimerRequest[];
  /** The role, term and leader when any of them changed, else null. */
  readonly softState: SoftState | null;
  /** When set, snapshot the state machine once `committedEntries` are applied and call `compact(index, data)`. */
  readonly snapshotWanted: { readonly index: number } | null;
}

/** Why a proposal was refused. */
export type ProposalRefusal =
  | { readonly ok: false; readonly reason: "not-leader"; readonly leader: string | null }
  | { readonly ok: false; readonly reason: "membership-change-pending" }
  | { readonly ok: false; readonly reason: "transferring-leadership"; readonly transferee: string }
  | { readonly ok: false; readonly reason: "already-member" | "not-a-member"; readonly member: string };

/** The result of a proposal: where the entry was appended, or why it was refused. */
export type ProposalResult = { readonly ok: true; readonly index: number; readonly term: number } | ProposalRefusal;
