/**
 * One Raft member as a pure state machine (Raft paper Figure 2, Ongaro's thesis for
 * membership changes, pre-vote and check-quorum; structure after etcd-io/raft). Inputs:
 * `step(message, nowMs)`, `timerFired(kind, nowMs)`, `propose`, `proposeMembershipChange`,
 * `compact`. Outputs: a {@link Ready} taken with `ready()` and acknowledged with `advance()`.
 * Time enters only as the `nowMs` arguments; randomness only through `options.random`.
 */
import { assert, boundExceeded, fail } from "../../sim/errors.js";
import { RaftLog } from "./log.js";
import { resolveRaftOptions, type RaftOptions, type ResolvedRaftOptions } from "./options.js";
import { FollowerProgress } from "./progress.js";
import { isQuorum } from "./quorum.js";
import type {
  AppendRequest,
  AppendResponse,
  LogEntry,
  PersistentState,
  ProposalResult,
  RaftMessage,
  RaftRole,
  RaftStatus,
  RaftTimerKind,
  Ready,
  Snapshot,
  SnapshotRequest,
  SoftState,
  TimeoutNow,
  TimerRequest,
  VoteRequest,
  VoteResponse,
} from "./types.js";

/** One bit per timer kind, for the set of timers changed since the last Ready. */
const timerBits: Readonly<Record<RaftTimerKind, number>> = { election: 1, heartbeat: 2, "check-quorum": 4 };

/**
 * The bit of timer `kind`, chosen by comparing the kind (constant strings compare by identity)
 * rather than indexing a record with it: such lookups by a varying key are slow in V8, and every
 * heartbeat arms and fires timers.
 */
function timerBitOf(kind: RaftTimerKind): number {
  return kind === "election" ? timerBits.election : kind === "heartbeat" ? timerBits.heartbeat : timerBits["check-quorum"];
}
/** The shared empty list of timer requests (never mutated). */
const noTimers: readonly TimerRequest[] = [];
/** The shared empty list of committed entries (never mutated). */
const noEntries: readonly LogEntry[] = [];
/** The shared empty list of outgoing messages (never mutated: `send` replaces it). */
const noMessages: readonly RaftMessage[] = [];

/** A timer firing this close before its deadline still counts (absorbs float rounding in drivers), in ms. */
export const timerToleranceMs = 1e-6;

/** One member of a Raft group. */
export class RaftMember {
  /** Resolved options. */
  readonly options: ResolvedRaftOptions;
  /** This member's id. */
  readonly id: string;

  // --- persistent state (Figure 2) ---
  /** The latest term seen; never decreases. */
  private term: number;
  /** The member voted for in `term`, or null; set at most once per term (unless the voteTwiceInTerm bug is on). */
  private votedFor: string | null;
  /** The log and snapshot. */
  private readonly log: RaftLog;

  // --- volatile state ---
  /** The role; changed only by the become* methods. */
  private state: RaftRole = "follower";
  /** The leader of `term` as far as known; equals `id` exactly when `state` is leader. */
  private leader: string | null = null;
  /** The highest index known committed; never decreases; `log.snapshot.index <= commitIndex <= log.lastIndex`. */
  private commitIndex: number;
  /** The highest index the driver acknowledged as applied (through `advance`). */
  private appliedIndex: number;
  /** The highest index handed out in `committedEntries` (or restored from a snapshot); `appliedIndex <= handedOutIndex <= commitIndex`. */
  private handedOutIndex: number;
  /** The latest `nowMs` seen; never decreases. */
  private nowMs: number;
  /** When this member last heard from `leader` (for the check-quorum lease), in ms. */
  private lastLeaderContactMs = -Infinity;
  /** Pre-candidate or candidate: the answers received in this campaign, by member. Empty otherwise. */
  private votes = new Map<string, boolean>();
  /** Leader only: the view of every other member of the configuration (and of a member being removed, until the removal commits). Empty otherwise. */
  private progress = new Map<string, FollowerProgress>();
  /** Scratch for {@link quorumMatchIndex}: one match index per member, at most the configuration's size. */
  private readonly matchScratch: number[] = [];
  /** Leader only: the member leadership is being handed to (etcd's leadTransferee), or null. */
  private leadTransferee: string | null = null;
  /** When the leadership transfer began, in ms (it is abandoned after the minimum election timeout). */
  private transferStartedMs = 0;
  /** Deadlines of the armed timers, in ms; null when not armed. */
  private readonly deadlinesMs: Record<RaftTimerKind, number | null> = { election: null, heartbeat: null, "check-quorum": null };

  // --- outputs waiting for the next Ready ---
  /** Messages to send since the last Ready, at most `readyMessagesMax`; `noMessages` when none (most Readies send one or two). */
  private messages: readonly RaftMessage[] = noMessages;
  /** Whether term, vote or commit index changed since the last Ready. */
  private hardStateChanged = false;
  /** A snapshot to persist, or null. */
  private snapshotToPersist: Snapshot | null = null;
  /** Whether `snapshotToPersist` came from the leader. */
  private snapshotFromLeader = false;
  /** Stored entries at or below this index may be deleted, or null. */
  private compactedThroughIndex: number | null = null;
  /** The timers re-armed since the last Ready, as bits of {@link timerBits}. */
  private timersChangedBits = 0;
  /** This role's randomized election timeout, ms (drawn on each role change). */
  private randomizedElectionTimeoutMs = 0;
  /** The soft state in the last Ready (to report changes only). */
  private reportedSoftState: SoftState | null = null;
  /** The index a snapshot was asked for and not yet made, or null. */
  private snapshotRequestedIndex: number | null = null;
  /** The `handedOutIndex` of the Ready taken and not yet advanced, or null when none is outstanding. */
  private outstandingReadyIndex: number | null = null;

  /**
   * Builds a member from persisted state: a new one from `initialPersistentState(members)`, or
   * one restarting after a crash from what it had persisted.
   * @param nowMs - the current time; the election timer is armed from it.
   */
  constructor(options: RaftOptions, persisted: PersistentState, nowMs: number) {
    this.options = resolveRaftOptions(options);
    this.id = this.options.id;
    this.nowMs = nowMs;
    this.term = persisted.hardState.term;
    this.votedFor = this.options.bugs.forgetVoteOnRestart ? null : persisted.hardState.votedFor;
    this.log = new RaftLog(persisted.snapshot, persisted.entries, this.options.logEntriesMax);
    this.commitIndex = Math.min(Math.max(persisted.hardState.commitIndex, persisted.snapshot.index), this.log.lastIndex);
    this.appliedIndex = persisted.snapshot.index;
    this.handedOutIndex = persisted.snapshot.index;
    this.randomizeElectionTimeout();
  }

  // ------------------------------------------------------------------ inputs

  /** Handles a message from another member. */
  step(message: RaftMessage, nowMs: number): void {
    this.advanceClock(nowMs);
    if (!(message.to === this.id)) fail(`message for ${message.to} stepped into ${this.id}`);
    if (message.term > this.term) {
      // §9.6 / etcd: a live leader keeps its followers, unless it handed leadership over itself.
      if (message.type === "vote-request" && !message.transfer && this.inLease()) return;
      const keepsTerm = (message.type === "vote-request" && message.preVote) || (message.type === "vote-response" && message.preVote && message.granted);
      if (!keepsTerm) {
        const fromLeader = message.type === "append-request" || message.type === "snapshot-request";
        this.becomeFollower(message.term, fromLeader ? message.from : null);
      }
    } else if (message.term < this.term) {
      this.answerStaleMessage(message);
      return;
    }
    switch (message.type) {
      case "vote-request":
        this.handleVoteRequest(message);
        return;
      case "vote-response":
        this.handleVoteResponse(message);
        return;
      case "append-request":
      case "snapshot-request":
        this.handleFromLeader(message);
        return;
      case "append-response":
        this.handleAppendResponse(message);
        return;
      case "timeout-now":
        this.handleTimeoutNow(message);
        return;
    }
  }

  /** Handles a timer firing; a firing for a timer re-armed later or cancelled is ignored. */
  /**
   * Campaigns now instead of waiting for the election timeout (etcd's Campaign), as swarmkit does
   * when it bootstraps a new cluster. Does nothing on a leader or a member that is not a voter.
   */
  campaign(nowMs: number): void {
    this.advanceClock(nowMs);
    if (this.state === "leader" || !this.isVoter()) return;
    if (this.options.preVote) this.becomePreCandidate();
    else this.becomeCandidate();
  }

  timerFired(kind: RaftTimerKind, nowMs: number): void {
    this.advanceClock(nowMs);
    const deadlineMs = this.deadlineOf(kind);
    if (deadlineMs === null || nowMs + timerToleranceMs < deadlineMs) return;
    this.setDeadline(kind, null);
    if (kind === "election") {
      if (this.state === "leader") return;
      if (!this.isVoter()) {
        this.resetElectionTimer(); // a joining or removed member waits; it never campaigns
        return;
      }
      if (this.options.preVote) this.becomePreCandidate();
      else this.becomeCandidate();
    } else if (kind === "heartbeat") {
      if (this.state !== "leader") return;
      if (this.leadTransferee !== null && (nowMs - this.transferStartedMs >= this.options.electionTimeoutMs[0] || !this.progress.has(this.leadTransferee))) {
        this.leadTransferee = null; // etcd's abortLeaderTransfer: the transferee did not take over in time
      }
      for (const [peer, progress] of this.progress) {
        progress.heartbeatDue(this.options.inflightMessagesMax);
        this.sendAppend(peer, true);
      }
      this.armTimer("heartbeat", this.options.heartbeatIntervalMs);
    } else {
      if (this.state !== "leader") return;
      if (!this.hasActiveQuorum(nowMs)) {
        this.becomeFollower(this.term, null); // check-quorum: a leader cut off from a majority steps down
        return;
      }
      this.armTimer("check-quorum", this.options.electionTimeoutMs[0]);
    }
  }

  /**
   * Whether a quorum (this leader included) was heard from within the minimum election timeout.
   * Its own method: a closure in `timerFired` capturing `nowMs` would make V8 allocate a context
   * for that scope on every timer, the leader's heartbeat included.
   */
  private hasActiveQuorum(nowMs: number): boolean {
    return isQuorum(this.log.members, (member) => this.heardRecently(member, nowMs));
  }

  /** Whether `member` is this member, or was heard from within the minimum election timeout before `nowMs` (the check-quorum window). */
  private heardRecently(member: string, nowMs: number): boolean {
    return member === this.id || nowMs - (this.progress.get(member)?.lastHeardMs ?? -Infinity) < this.options.electionTimeoutMs[0];
  }

  /** Appends `data` as a normal entry when this member leads. */
  propose(data: unknown): ProposalResult {
    if (this.state !== "leader") return { ok: false, reason: "not-leader", leader: this.leader };
    if (this.leadTransferee !== null) return { ok: false, reason: "transferring-leadership", transferee: this.leadTransferee };
    const index = this.appendAsLeader({ term: this.term, index: this.log.lastIndex + 1, kind: "normal", data });
    return { ok: true, index, term: this.term };
  }

  /**
   * Appends a single-server membership change when this member leads. The new configuration
   * takes effect as soon as the entry is appended (thesis §4.1). Refused while another change is
   * uncommitted, and until the leader has committed an entry of its own term (thesis §4.1 fix).
   */
  proposeMembershipChange(change: { readonly action: "add" | "remove"; readonly member: string }): ProposalResult {
    if (this.state !== "leader") return { ok: false, reason: "not-leader", leader: this.leader };
    if (this.leadTransferee !== null) return { ok: false, reason: "transferring-leadership", transferee: this.leadTransferee };
    if (this.log.membershipIndex > this.commitIndex || this.log.termAt(this.commitIndex) !== this.term) {
      return { ok: false, reason: "membership-change-pending" };
    }
    const current = this.log.members;
    const present = current.includes(change.member);
    if (change.action === "add" && present) return { ok: false, reason: "already-member", member: change.member };
    if (change.action === "remove" && !present) return { ok: false, reason: "not-a-member", member: change.member };
    const members = change.action === "add" ? [...current, change.member].sort() : current.filter((member) => member !== change.member);
    const index = this.log.lastIndex + 1;
    this.appendAsLeader({ term: this.term, index, kind: "membership", data: { action: change.action, member: change.member, members } });
    return { ok: true, index, term: this.term };
  }

  /**
   * Hands leadership to `transferee` (thesis §3.10, etcd's MsgTransferLeader): the leader stops
   * taking proposals, brings the transferee's log up to date, then tells it to campaign at once
   * (`timeout-now`); its vote requests bypass the other members' check-quorum lease. Abandoned
   * when no new leader emerges within the minimum election timeout. Returns false when this
   * member does not lead or `transferee` is not another member of its configuration.
   */
  transferLeadership(transferee: string, nowMs: number): boolean {
    this.advanceClock(nowMs);
    if (this.state !== "leader" || transferee === this.id || !this.log.members.includes(transferee)) return false;
    const progress = this.progress.get(transferee);
    if (progress === undefined) return false;
    if (this.leadTransferee === transferee) return true;
    this.leadTransferee = transferee;
    this.transferStartedMs = nowMs;
    if (progress.matchIndex === this.log.lastIndex) this.sendTimeoutNow(transferee);
    else this.sendAppend(transferee, false);
    return true;
  }

  /** The member leadership is being handed to, or null. */
  leadershipTransferee(): string | null {
    return this.leadTransferee;
  }

  /**
   * Records a snapshot of the state machine at `index` (at most the last index handed out in
   * `committedEntries`, which the driver must have applied) and drops
   * log entries up to `index - logEntriesForSlowFollowers`. Returns false when a snapshot at or
   * beyond `index` already exists.
   */
  compact(index: number, data: unknown): boolean {
    if (!(index <= this.handedOutIndex)) fail(`compact(${index}) beyond the entries handed out to apply (${this.handedOutIndex})`);
    this.snapshotRequestedIndex = null;
    if (index <= this.log.snapshot.index) return false;
    const term = this.log.termAt(index);
    if (!(term !== undefined)) fail(`compact(${index}): entry not held`);
    const snapshot: Snapshot = { index, term, members: this.log.membersAt(index), data };
    const compactedThroughIndex = Math.max(this.log.firstHeldIndex - 1, index - this.options.logEntriesForSlowFollowers);
    this.log.compact(snapshot, compactedThroughIndex);
    this.snapshotToPersist = snapshot;
    this.snapshotFromLeader = false;
    this.compactedThroughIndex = compactedThroughIndex;
    return true;
  }

  // ------------------------------------------------------------------ outputs

  /** Whether `ready()` has anything to hand out. */
  hasReady(): boolean {
    return (
      this.outstandingReadyIndex === null &&
      (this.messages.length > 0 ||
        this.hardStateChanged ||
        this.snapshotToPersist !== null ||
        this.compactedThroughIndex !== null ||
        this.log.hasUnstableEntries ||
        this.commitIndex > this.handedOutIndex ||
        this.timersChangedBits !== 0 ||
        this.softStateChanged() ||
        this.wantsSnapshot())
    );
  }

  /** Takes the outputs gathered since the last Ready. Call `advance()` once it is handled. */
  ready(): Ready {
    assert(this.outstandingReadyIndex === null, "ready() called again before advance()");
    const committedFrom = this.handedOutIndex + 1;
    const committedEntries = this.commitIndex >= committedFrom ? this.log.slice(committedFrom, this.commitIndex) : noEntries;
    this.handedOutIndex = Math.max(this.handedOutIndex, this.commitIndex);
    const softState = this.softStateChanged() ? this.softState() : null;
    if (softState !== null) this.reportedSoftState = softState;
    const snapshotWanted = this.wantsSnapshot() ? { index: this.handedOutIndex } : null;
    if (snapshotWanted !== null) this.snapshotRequestedIndex = snapshotWanted.index;
    const ready: Ready = {
      hardState: this.hardStateChanged ? { term: this.term, votedFor: this.votedFor, commitIndex: this.commitIndex } : null,
      snapshot: this.snapshotToPersist,
      restoreStateMachine: this.snapshotToPersist !== null && this.snapshotFromLeader,
      compactedThroughIndex: this.compactedThroughIndex,
      entries: this.log.takeUnstableEntries(),
      messages: this.messages,
      committedEntries,
      timers: this.changedTimers(),
      softState,
      snapshotWanted,
    };
    this.messages = noMessages;
    this.hardStateChanged = false;
    this.snapshotToPersist = null;
    this.snapshotFromLeader = false;
    this.compactedThroughIndex = null;
    this.timersChangedBits = 0;
    this.outstandingReadyIndex = this.handedOutIndex;
    return ready;
  }

  /** Acknowledges the last Ready: it was persisted, its messages sent and its entries applied. */
  advance(): void {
    assert(this.outstandingReadyIndex !== null, "advance() without an outstanding Ready");
    this.appliedIndex = Math.max(this.appliedIndex, this.outstandingReadyIndex);
    this.outstandingReadyIndex = null;
  }

  /** The role (as `status().state`, without building the whole status). */
  get role(): RaftRole {
    return this.state;
  }

  /** The current term (as `status().term`, without building the whole status). */
  get currentTerm(): number {
    return this.term;
  }

  /** The leader as far as known (as `status().leader`, without building the whole status). */
  get knownLeader(): string | null {
    return this.leader;
  }

  /** The configuration (as `status().members`, without building the whole status). */
  get members(): readonly string[] {
    return this.log.members;
  }

  /** The highest index known committed (as `status().commitIndex`, without building the whole status). */
  get knownCommitIndex(): number {
    return this.commitIndex;
  }

  /** The highest index applied (as `status().appliedIndex`, without building the whole status). */
  get lastAppliedIndex(): number {
    return this.appliedIndex;
  }

  /** What this member shows of itself. */
  status(): RaftStatus {
    return {
      id: this.id,
      state: this.state,
      term: this.term,
      leader: this.leader,
      votedFor: this.votedFor,
      commitIndex: this.commitIndex,
      appliedIndex: this.appliedIndex,
      lastLogIndex: this.log.lastIndex,
      lastLogTerm: this.log.lastTerm,
      snapshotIndex: this.log.snapshot.index,
      members: this.log.members,
    };
  }

  /** Held log entries from `fromIndex` to `toIndex` inclusive (clamped to what is held). */
  entries(fromIndex: number, toIndex: number = this.log.lastIndex): readonly LogEntry[] {
    return this.log.slice(Math.max(fromIndex, this.log.firstHeldIndex), Math.min(toIndex, this.log.lastIndex));
  }

  /** The latest snapshot. */
  snapshot(): Snapshot {
    return this.log.snapshot;
  }

  /**
   * Leader only: the members heard from within the minimum election timeout (itself included),
   * for `removalWouldLoseQuorum`. Empty when not leading.
   */
  reachableMembers(nowMs: number): string[] {
    if (this.state !== "leader") return [];
    return this.log.members.filter((member) => this.heardRecently(member, nowMs));
  }

  /** Leader only: the replication state of each follower (match and next index, mode). */
  followerProgress(): Map<string, { readonly matchIndex: number; readonly nextIndex: number; readonly mode: string }> {
    return new Map([...this.progress].map(([member, progress]) => [member, { matchIndex: progress.matchIndex, nextIndex: progress.nextIndex, mode: progress.mode }]));
  }

  // ------------------------------------------------------------------ roles

  /** Follower of `term` (a higher term clears the vote), following `leader` when known. */
  private becomeFollower(term: number, leader: string | null): void {
    if (!(term >= this.term)) fail(`becomeFollower(${term}) below term ${this.term}`);
    if (term > this.term) {
      this.term = term;
      this.votedFor = null;
      this.hardStateChanged = true;
    }
    this.state = "follower";
    this.leader = leader;
    this.leadTransferee = null;
    this.lastLeaderContactMs = leader === null ? -Infinity : this.nowMs;
    this.votes = new Map();
    this.progress = new Map();
    this.deadlinesMs.heartbeat = null;
    this.deadlinesMs["check-quorum"] = null;
    this.randomizeElectionTimeout();
  }

  /** Pre-candidate: asks whether it could win term + 1 without changing its term or vote (thesis §9.6). */
  private becomePreCandidate(): void {
    assert(this.state !== "leader", "a leader does not pre-campaign");
    this.state = "pre-candidate";
    this.leader = null;
    this.leadTransferee = null;
    this.lastLeaderContactMs = -Infinity;
    this.votes = new Map([[this.id, true]]);
    this.progress = new Map();
    this.resetElectionTimer();
    if (isQuorum(this.log.members, (member) => this.votes.get(member) === true)) {
      this.becomeCandidate();
      return;
    }
    this.requestVotes(true);
  }

  /**
   * Candidate: a new term, a vote for itself, and vote requests to every other member (§5.2);
   * `transfer` when the leader handed leadership over (its requests bypass the lease).
   */
  private becomeCandidate(transfer = false): void {
    assert(this.state !== "leader", "a leader does not campaign");
    this.term += 1;
    this.votedFor = this.id;
    this.hardStateChanged = true;
    this.state = "candidate";
    this.leader = null;
    this.leadTransferee = null;
    this.lastLeaderContactMs = -Infinity;
    this.votes = new Map([[this.id, true]]);
    this.progress = new Map();
    this.randomizeElectionTimeout();
    if (isQuorum(this.log.members, (member) => this.votes.get(member) === true)) {
      this.becomeLeader();
      return;
    }
    this.requestVotes(false, transfer);
  }

  /** Leader: progress for every other member, heartbeats, check-quorum, and an empty entry of its term (§5.4.2, §8). */
  private becomeLeader(): void {
    assert(this.state === "candidate", "only a candidate becomes leader");
    this.state = "leader";
    this.leader = this.id;
    this.leadTransferee = null;
    this.lastLeaderContactMs = this.nowMs;
    this.votes = new Map();
    this.progress = new Map();
    for (const member of this.log.members) {
      if (member !== this.id) this.progress.set(member, new FollowerProgress(this.log.lastIndex + 1, this.nowMs));
    }
    this.deadlinesMs.election = null;
    this.armTimer("heartbeat", this.options.heartbeatIntervalMs);
    if (this.options.checkQuorum) this.armTimer("check-quorum", this.options.electionTimeoutMs[0]);
    else this.deadlinesMs["check-quorum"] = null;
    this.appendAsLeader({ term: this.term, index: this.log.lastIndex + 1, kind: "normal", data: null });
  }

  // ------------------------------------------------------------------ elections

  private requestVotes(preVote: boolean, transfer = false): void {
    const term = preVote ? this.term + 1 : this.term;
    for (const member of this.log.members) {
      if (member === this.id) continue;
      this.send({ type: "vote-request", from: this.id, to: member, term, preVote, transfer, lastLogIndex: this.log.lastIndex, lastLogTerm: this.log.lastTerm });
    }
  }

  private handleVoteRequest(message: VoteRequest): void {
    const bugs = this.options.bugs;
    const canVote =
      this.votedFor === message.from ||
      (this.votedFor === null && this.leader === null) ||
      (message.preVote && message.term > this.term) ||
      (bugs.voteTwiceInTerm && !message.preVote && this.leader === null && this.state === "follower");
    const upToDate = bugs.skipUpToDateCheck || this.log.isUpToDate(message.lastLogIndex, message.lastLogTerm);
    const granted = canVote && upToDate;
    // A granted pre-vote answers in the term asked about, so the pre-candidate counts it.
    this.send({ type: "vote-response", from: this.id, to: message.from, term: granted ? message.term : this.term, preVote: message.preVote, granted });
    if (granted && !message.preVote) {
      this.votedFor = message.from;
      this.hardStateChanged = true;
      this.resetElectionTimer();
    }
  }

  private handleVoteResponse(message: VoteResponse): void {
    const expected = message.preVote ? "pre-candidate" : "candidate";
    if (this.state !== expected || !this.log.members.includes(message.from)) return;
    this.votes.set(message.from, message.granted);
    if (isQuorum(this.log.members, (member) => this.votes.get(member) === true)) {
      if (message.preVote) this.becomeCandidate();
      else this.becomeLeader();
    } else if (isQuorum(this.log.members, (member) => this.votes.get(member) === false)) {
      this.becomeFollower(this.term, null);
    }
  }

  /** Answers a message from an older term: only what lets a stuck member or stale leader catch up (etcd's rules). */
  private answerStaleMessage(message: RaftMessage): void {
    const fromOldLeader = message.type === "append-request" || message.type === "snapshot-request";
    if (fromOldLeader && (this.options.checkQuorum || this.options.preVote)) {
      // Our higher term makes the old leader step down; with check-quorum our own vote requests may be ignored.
      this.send(this.appendResponse(message.from, false, 0, 0, null, 0));
    } else if (message.type === "vote-request" && message.preVote) {
      this.send({ type: "vote-response", from: this.id, to: message.from, term: this.term, preVote: true, granted: false });
    }
  }

  /** Whether a leader was heard from within the minimum election timeout (check-quorum lease). */
  private inLease(): boolean {
    if (!this.options.checkQuorum || this.leader === null) return false;
    return this.state === "leader" || this.nowMs - this.lastLeaderContactMs < this.options.electionTimeoutMs[0];
  }

  // ------------------------------------------------------------------ replication, follower side

  private handleFromLeader(message: AppendRequest | SnapshotRequest): void {
    if (this.state === "leader") return; // a second leader in this term: only a bug can cause it; the checkers report it
    if (this.state !== "follower" || this.leader !== message.from) this.becomeFollower(this.term, message.from);
    this.lastLeaderContactMs = this.nowMs;
    this.resetElectionTimer();
    if (message.type === "snapshot-request") this.handleSnapshot(message);
    else this.handleAppend(message);
  }

  private handleAppend(message: AppendRequest): void {
    let previousIndex = message.previousLogIndex;
    let entries = message.entries;
    if (previousIndex < this.commitIndex) {
      // Entries up to our commit index are committed, hence already ours: skip them.
      entries = entries.filter((entry) => entry.index > this.commitIndex);
      if (entries.length === 0 || previousIndex + message.entries.length <= this.commitIndex) {
        this.send(this.appendResponse(message.from, true, this.commitIndex, 0, null, 0));
        return;
      }
      previousIndex = this.commitIndex;
    }
    const previousTerm = previousIndex === message.previousLogIndex ? message.previousLogTerm : this.log.termAt(previousIndex);
    const ourTerm = this.log.termAt(previousIndex);
    if (ourTerm === undefined || ourTerm !== previousTerm) {
      // Fast backtracking hint (§5.3): our term at the index and where that term starts, or our log's end.
      if (previousIndex > this.log.lastIndex) {
        this.send(this.appendResponse(message.from, false, 0, previousIndex, null, this.log.lastIndex + 1));
      } else {
        if (!(ourTerm !== undefined)) fail(`term at ${previousIndex} held above the commit index`);
        const conflictIndex = this.log.firstIndexOfTermAt(previousIndex, this.commitIndex);
        this.send(this.appendResponse(message.from, false, 0, previousIndex, ourTerm, conflictIndex));
      }
      return;
    }
    this.log.appendFromLeader(entries, this.commitIndex);
    const lastNewIndex = previousIndex + entries.length;
    this.commitTo(Math.min(message.leaderCommitIndex, lastNewIndex));
    this.send(this.appendResponse(message.from, true, lastNewIndex, 0, null, 0));
  }

  private handleSnapshot(message: SnapshotRequest): void {
    const snapshot = message.snapshot;
    if (snapshot.index <= this.commitIndex) {
      this.send(this.appendResponse(message.from, true, this.commitIndex, 0, null, 0));
      return;
    }
    if (this.log.termAt(snapshot.index) === snapshot.term) {
      // Our log already holds the snapshot's last entry: it is committed; keep the log.
      this.commitTo(snapshot.index);
      this.send(this.appendResponse(message.from, true, snapshot.index, 0, null, 0));
      return;
    }
    this.log.restore(snapshot);
    this.commitIndex = snapshot.index;
    this.handedOutIndex = snapshot.index;
    this.hardStateChanged = true;
    this.snapshotToPersist = snapshot;
    this.snapshotFromLeader = true;
    this.compactedThroughIndex = snapshot.index;
    this.snapshotRequestedIndex = null;
    this.send(this.appendResponse(message.from, true, snapshot.index, 0, null, 0));
  }

  private appendResponse(to: string, success: boolean, matchIndex: number, rejectedIndex: number, conflictTerm: number | null, conflictIndex: number): AppendResponse {
    return { type: "append-response", from: this.id, to, term: this.term, success, matchIndex, rejectedIndex, conflictTerm, conflictIndex };
  }

  // ------------------------------------------------------------------ replication, leader side

  /**
   * Appends one entry as leader, sends it to every follower that can take it, and commits if
   * alone. A member being removed keeps receiving entries (not counted in any majority) until
   * the removal commits, so it learns of its removal and stops campaigning.
   */
  private appendAsLeader(entry: LogEntry): number {
    this.log.append([entry]);
    if (entry.kind === "membership") {
      const members = entry.data.members;
      for (const member of members) {
        if (member === this.id || this.progress.has(member)) continue;
        // A new member is first probed at the next heartbeat: swarmkit's joining manager starts
        // its Raft node only once the leader has answered its Join, so an immediate probe (etcd
        // sends one) finds nobody listening and is lost.
        const progress = new FollowerProgress(this.log.lastIndex, this.nowMs);
        progress.probeSent = true;
        this.progress.set(member, progress);
      }
    }
    for (const peer of this.progress.keys()) this.sendAppend(peer, false);
    this.maybeCommit();
    return entry.index;
  }

  /** Sends one append (or the snapshot, when the entries it needs are compacted) to `peer`, unless paused. */
  private sendAppend(peer: string, sendIfEmpty: boolean): void {
    const progress = this.progress.get(peer);
    if (progress === undefined || progress.isPaused(this.options.inflightMessagesMax)) return;
    const previousIndex = progress.nextIndex - 1;
    const previousTerm = this.log.termAt(previousIndex);
    if (previousTerm === undefined || progress.nextIndex < this.log.firstHeldIndex) {
      const snapshot = this.log.snapshot;
      progress.becomeSnapshot(snapshot.index);
      this.send({ type: "snapshot-request", from: this.id, to: peer, term: this.term, snapshot });
      return;
    }
    const lastIndex = Math.min(this.log.lastIndex, previousIndex + this.options.entriesPerMessageMax);
    const entries = this.log.slice(progress.nextIndex, lastIndex);
    if (entries.length === 0 && !sendIfEmpty) return;
    this.send({ type: "append-request", from: this.id, to: peer, term: this.term, previousLogIndex: previousIndex, previousLogTerm: previousTerm, entries, leaderCommitIndex: this.commitIndex });
    progress.sent(entries.length === 0 ? null : lastIndex);
  }

  private handleAppendResponse(message: AppendResponse): void {
    if (this.state !== "leader") return;
    const progress = this.progress.get(message.from);
    if (progress === undefined) return;
    progress.lastHeardMs = this.nowMs;
    if (!message.success) {
      this.handleRejection(message.from, progress, message);
      return;
    }
    const answersProbe = progress.mode === "probe" && message.matchIndex >= progress.nextIndex - 1;
    const learned = progress.acknowledge(message.matchIndex);
    if (answersProbe || (progress.mode === "snapshot" && progress.matchIndex >= progress.pendingSnapshotIndex)) progress.becomeReplicate();
    if (learned && this.maybeCommit()) {
      for (const peer of this.progress.keys()) this.sendAppend(peer, peer !== message.from);
    }
    if (this.state !== "leader") return; // the commit removed this leader from the configuration
    if (message.from === this.leadTransferee && progress.matchIndex === this.log.lastIndex) this.sendTimeoutNow(message.from);
    // Keep the pipeline full; bounded by inflightMessagesMax sends.
    for (let sends = 0; sends < this.options.inflightMessagesMax && progress.nextIndex <= this.log.lastIndex && !progress.isPaused(this.options.inflightMessagesMax); sends++) {
      this.sendAppend(message.from, false);
    }
  }

  private sendTimeoutNow(transferee: string): void {
    this.send({ type: "timeout-now", from: this.id, to: transferee, term: this.term });
  }

  /** The leader hands over: campaign now, without pre-vote (etcd: transfers never pre-vote). */
  private handleTimeoutNow(message: TimeoutNow): void {
    if (this.state !== "follower" || !this.isVoter()) return; // etcd: candidates and leaders ignore it
    this.becomeCandidate(true);
  }

  /** A rejection that answers the latest probe moves `nextIndex` back using the follower's hint. */
  private handleRejection(peer: string, progress: FollowerProgress, message: AppendResponse): void {
    if (message.rejectedIndex === 0 && message.conflictIndex === 0) return; // a stale-term answer carries no hint
    const stale =
      progress.mode === "replicate" ? message.rejectedIndex <= progress.matchIndex : progress.mode === "probe" ? message.rejectedIndex !== progress.nextIndex - 1 : true;
    if (stale) return;
    let nextIndex = message.conflictIndex;
    if (message.conflictTerm !== null) {
      const lastOfTerm = this.log.lastIndexOfTerm(message.conflictTerm, message.rejectedIndex);
      if (lastOfTerm !== null) nextIndex = lastOfTerm + 1;
    }
    progress.becomeProbe();
    progress.nextIndex = Math.max(progress.matchIndex + 1, Math.min(nextIndex, message.rejectedIndex));
    this.sendAppend(peer, true);
  }

  /**
   * Commits the highest index stored on a majority of the configuration, only if its entry is
   * of the current term (§5.4.2); earlier entries commit with it. Returns whether it advanced.
   */
  private maybeCommit(): boolean {
    const members = this.log.members;
    if (members.length === 0) return false;
    const candidate = this.quorumMatchIndex(members);
    if (candidate <= this.commitIndex) return false;
    if (this.log.termAt(candidate) !== this.term && !this.options.bugs.commitPreviousTermByCounting) return false;
    this.commitTo(candidate);
    if (this.log.membershipIndex <= this.commitIndex) {
      for (const member of [...this.progress.keys()]) if (!members.includes(member)) this.progress.delete(member);
      if (!members.includes(this.id)) this.becomeFollower(this.term, null); // thesis §4.2.2: a removed leader steps down once the removal commits
    }
    return true;
  }

  // ------------------------------------------------------------------ helpers

  /**
   * The highest index a majority of `members` (not empty) holds: the median of their match
   * indexes sorted from highest, this member's own being its last index. Sorted by insertion in
   * a kept scratch array, as a configuration has a handful of members: no array, closure or sort
   * buffer allocated per acknowledgement.
   */
  private quorumMatchIndex(members: readonly string[]): number {
    const matches = this.matchScratch;
    matches.length = 0;
    for (const member of members) {
      const match = member === this.id ? this.log.lastIndex : (this.progress.get(member)?.matchIndex ?? 0);
      let position = matches.length;
      matches.push(match);
      while (position > 0 && matches[position - 1]! < match) {
        matches[position] = matches[position - 1]!;
        position--;
      }
      matches[position] = match;
    }
    return matches[Math.floor(members.length / 2)]!;
  }

  private commitTo(index: number): void {
    if (index <= this.commitIndex) return;
    if (!(index <= this.log.lastIndex)) fail(`commit ${index} beyond the log end ${this.log.lastIndex}`);
    this.commitIndex = index;
    this.hardStateChanged = true;
  }

  /** Whether this member is in its own configuration, so may campaign. */
  private isVoter(): boolean {
    return this.log.members.includes(this.id);
  }

  private send(message: RaftMessage): void {
    if (this.messages.length >= this.options.readyMessagesMax) {
      boundExceeded("readyMessagesMax", this.options.readyMessagesMax, `member ${this.id} queued too many messages without a Ready`);
    }
    // A first message makes a list of one: pushing onto an empty list would allocate room for 17.
    if (this.messages.length === 0) this.messages = [message];
    else (this.messages as RaftMessage[]).push(message); // a list `send` made, never the shared empty one
  }

  private advanceClock(nowMs: number): void {
    if (!(nowMs >= this.nowMs)) fail(`time went backwards for ${this.id}: ${nowMs} < ${this.nowMs}`);
    this.nowMs = nowMs;
  }

  private armTimer(kind: RaftTimerKind, delayMs: number): void {
    this.setDeadline(kind, this.nowMs + delayMs);
    this.timersChangedBits |= timerBitOf(kind);
  }

  /** The deadline of timer `kind` (named reads, not a lookup by the varying kind: see {@link timerBitOf}). */
  private deadlineOf(kind: RaftTimerKind): number | null {
    const deadlines = this.deadlinesMs;
    return kind === "election" ? deadlines.election : kind === "heartbeat" ? deadlines.heartbeat : deadlines["check-quorum"];
  }

  private setDeadline(kind: RaftTimerKind, atMs: number | null): void {
    const deadlines = this.deadlinesMs;
    if (kind === "election") deadlines.election = atMs;
    else if (kind === "heartbeat") deadlines.heartbeat = atMs;
    else deadlines["check-quorum"] = atMs;
  }

  /**
   * Draws this role's election timeout, uniform in [electionTimeoutMs[0], electionTimeoutMs[1]),
   * and restarts the election timer with it. As etcd's `reset(term)`, only a role change draws
   * a new timeout; word from the leader or a granted vote restarts the timer with the same one.
   */
  private randomizeElectionTimeout(): void {
    const [minimumMs, maximumMs] = this.options.electionTimeoutMs;
    const draw = this.options.random();
    if (!(draw >= 0 && draw < 1)) fail(`random() returned ${draw}, outside [0, 1)`);
    this.randomizedElectionTimeoutMs = minimumMs + (maximumMs - minimumMs) * draw;
    this.armTimer("election", this.randomizedElectionTimeoutMs);
  }

  /** Restarts the election timer with this role's timeout (etcd's `electionElapsed = 0`). */
  private resetElectionTimer(): void {
    this.armTimer("election", this.randomizedElectionTimeoutMs);
  }

  /**
   * The timers re-armed since the last Ready, in a fixed order (election, heartbeat, check-quorum).
   * Spelled out per kind: indexing the records with a varying kind is slow in V8, and nearly every
   * Ready re-arms a timer.
   */
  private changedTimers(): readonly TimerRequest[] {
    const changed = this.timersChangedBits;
    if (changed === 0) return noTimers;
    const { election, heartbeat, "check-quorum": checkQuorum } = this.deadlinesMs;
    // One timer re-armed (a heartbeat sent or heard) is the common case: a literal of one, since a
    // list grown from empty allocates room for 17.
    if (changed === timerBits.election) return election === null ? noTimers : [{ kind: "election", atMs: election }];
    if (changed === timerBits.heartbeat) return heartbeat === null ? noTimers : [{ kind: "heartbeat", atMs: heartbeat }];
    const timers: TimerRequest[] = [];
    if ((changed & timerBits.election) !== 0 && election !== null) timers.push({ kind: "election", atMs: election });
    if ((changed & timerBits.heartbeat) !== 0 && heartbeat !== null) timers.push({ kind: "heartbeat", atMs: heartbeat });
    if ((changed & timerBits["check-quorum"]) !== 0 && checkQuorum !== null) timers.push({ kind: "check-quorum", atMs: checkQuorum });
    return timers;
  }

  private softState(): SoftState {
    return { state: this.state, term: this.term, leader: this.leader };
  }

  private softStateChanged(): boolean {
    const reported = this.reportedSoftState;
    return reported === null || reported.state !== this.state || reported.term !== this.term || reported.leader !== this.leader;
  }

  private wantsSnapshot(): boolean {
    return this.snapshotRequestedIndex === null && Math.max(this.handedOutIndex, this.commitIndex) - this.log.snapshot.index >= this.options.snapshotIntervalEntries;
  }
}
