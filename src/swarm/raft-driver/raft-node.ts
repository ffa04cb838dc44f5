/**
 * Drives one pure Raft member inside a simulated process, as swarmkit's raft.Node drives
 * etcd's: messages and timer firings go in; each Ready is persisted to the host's disk, and
 * after a simulated fsync delay its messages are sent over the network, its committed entries
 * applied to the state machine, its timers armed; then the member is advanced. Role, leader,
 * commit, snapshot and membership changes become typed events.
 */
import "./events.js";
import { boundExceeded } from "../../sim/errors.js";
import type { ProcessAddress } from "../../sim/events.js";
import type { ProcessContext, TimerHandle } from "../../sim/process.js";
import { RaftMember, type LogEntry, type ProposalResult, type RaftMessage, type RaftOptions, type RaftRole, type RaftStatus, type RaftTimerKind, type Ready } from "../raft/index.js";
import { DiskRaftStorage } from "./disk-storage.js";

/** The state machine a Raft node replicates. */
export interface ReplicatedStateMachine {
  /** Applies one committed entry (membership entries included, for bookkeeping). */
  apply(entry: LogEntry): void;
  /** A serialisable copy of the whole state, for a snapshot. */
  snapshot(): unknown;
  /** Replaces the whole state with a snapshot's data (null: the empty state). */
  restore(data: unknown): void;
}

/** Raft settings a simulation chooses (the member's own id and randomness come from its host). */
export type RaftSettings = Omit<RaftOptions, "id" | "random"> & {
  /** Time a write to the Raft log takes to be durable (fsync), ms. Default 1. */
  readonly fsyncDelayMs?: number;
};

/** Default fsync delay of a Raft log write, ms (an SSD). */
export const defaultFsyncDelayMs = 1;
/** Bound `readyRoundsMax`: Readies handled back to back without waiting (a member that keeps producing them is looping). */
export const readyRoundsMax = 1_000;

/** Sees every Ready a member hands out, after it is persisted, with the member's status (for safety checkers). */
export type RaftObserver = (member: string, ready: Ready, status: RaftStatus) => void;

/** The observers of a group's members; members skip the work of reporting while it is empty. */
export class RaftObservers {
  /** Registered observers, called in order. */
  readonly list: RaftObserver[] = [];
}

/** One timer kind's state in the driver. */
interface TimerSlot {
  /** The kernel timer armed (it may be earlier than the member's deadline; see `armTimer`), or null. */
  handle: TimerHandle | null;
  /** The member's latest deadline, in virtual ms (null: never armed). */
  deadlineMs: number | null;
}

interface RaftEnvelope {
  readonly raft: RaftMessage;
}

interface RaftTimerPayload {
  readonly raftTimer: RaftTimerKind | "fsync";
}

/** The leader's word to a member whose removal has committed. */
interface RemovalNotice {
  readonly raftRemoved: { readonly index: number };
}

/** Whether a message is a Raft message for a {@link RaftNode}. */
export function isRaftEnvelope(message: unknown): message is RaftEnvelope {
  return typeof message === "object" && message !== null && (message as { raft?: unknown }).raft !== undefined;
}

/** One Raft member living in a process. */
export class RaftNode {
  private readonly member: RaftMember;
  private readonly storage: DiskRaftStorage;
  /** Per timer kind, the kernel timer and the member's deadline (one object each: see `slotOf`). */
  private readonly electionSlot: TimerSlot = { handle: null, deadlineMs: null };
  private readonly heartbeatSlot: TimerSlot = { handle: null, deadlineMs: null };
  private readonly checkQuorumSlot: TimerSlot = { handle: null, deadlineMs: null };
  /** A Ready persisted and waiting for its fsync to complete. */
  private pending: Ready | null = null;
  private lastLeaderAnnounced: { term: number; leader: string | null } = { term: -1, leader: null };
  /** Set when this member's own removal is committed: its process should stop. */
  removed = false;
  /** The last log index whose Ready has been acted on (what observers have seen). */
  private observedLastIndex = 0;
  /** The term and vote last made durable (see `mustSync`). */
  private syncedTerm: number;
  private syncedVote: string | null;

  constructor(
    private readonly context: ProcessContext,
    /** The process name of Raft members on every manager host. */
    private readonly peerProcess: string,
    settings: RaftSettings,
    initialMembers: readonly string[],
    private readonly stateMachine: ReplicatedStateMachine,
    private readonly observers: RaftObservers | null = null,
  ) {
    this.storage = new DiskRaftStorage(context.disk);
    if (!this.storage.exists()) this.storage.initialize(initialMembers);
    const persisted = this.storage.state();
    this.syncedTerm = persisted.hardState.term;
    this.syncedVote = persisted.hardState.votedFor;
    this.observedLastIndex = persisted.entries.at(-1)?.index ?? persisted.snapshot.index;
    const random = context.random.fork("raft");
    const { fsyncDelayMs: _fsyncDelayMs, ...raftOptions } = settings;
    this.member = new RaftMember({ ...raftOptions, id: context.host, random: () => random.next() }, persisted, context.now);
    this.stateMachine.restore(persisted.snapshot.data);
    this.fsyncDelayMs = settings.fsyncDelayMs ?? defaultFsyncDelayMs;
    // Observers learn the log this member starts from (after a restart, what its disk holds).
    if (this.observers !== null) for (const observer of this.observers.list) this.reportStateTo(observer);
    this.drain();
  }

  /** Tells an observer this member's whole log as one synthetic Ready (for checkers attached late, or after a restart). */
  reportStateTo(observer: RaftObserver): void {
    const snapshot = this.member.snapshot();
    const status = this.member.status();
    // A truncation waiting for its fsync may have shortened the log below what was observed.
    const reportedLastIndex = Math.min(this.observedLastIndex, status.lastLogIndex);
    const ready: Ready = {
      hardState: null,
      snapshot: snapshot.index > 0 ? snapshot : null,
      restoreStateMachine: snapshot.index > 0,
      compactedThroughIndex: null,
      entries: reportedLastIndex > snapshot.index ? this.member.entries(snapshot.index + 1, reportedLastIndex) : [],
      messages: [],
      committedEntries: [],
      timers: [],
      softState: null,
      snapshotWanted: null,
    };
    observer(this.context.host, ready, status);
  }

  private readonly fsyncDelayMs: number;

  /** Handles a Raft message; returns false for any other message. */
  receive(message: unknown, _from: ProcessAddress): boolean {
    // The envelope first: it is nearly every message here, and each check is a megamorphic read.
    if (isRaftEnvelope(message)) {
      this.member.step(message.raft, this.context.now);
      this.drain();
      return true;
    }
    if (typeof message === "object" && message !== null && (message as { raftRemoved?: unknown }).raftRemoved !== undefined) {
      this.removed = true;
      return true;
    }
    return false;
  }

  /** Handles a Raft timer; returns false for any other timer payload. */
  timer(payload: unknown): boolean {
    if (typeof payload !== "object" || payload === null) return false;
    const kind = (payload as Partial<RaftTimerPayload>).raftTimer;
    if (kind === undefined) return false;
    if (kind === "fsync") this.completeFsync();
    else {
      const slot = this.slotOf(kind);
      slot.handle = null;
      const deadlineMs = slot.deadlineMs ?? this.context.now;
      // A timer armed before its deadline moved later (a follower's election timer after a heartbeat) is re-armed.
      if (deadlineMs > this.context.now) this.armTimer(kind, deadlineMs);
      else this.member.timerFired(kind, this.context.now);
    }
    this.drain();
    return true;
  }

  /** Campaigns at once (a new cluster's first member does not wait an election timeout). */
  campaign(): void {
    this.member.campaign(this.context.now);
    this.drain();
  }

  /** Proposes data to replicate; on the leader it returns the index it will commit at. */
  propose(data: unknown): ProposalResult {
    const result = this.member.propose(data);
    this.drain();
    return result;
  }

  /** Proposes adding or removing one member. */
  proposeMembershipChange(change: { readonly action: "add" | "remove"; readonly member: string }): ProposalResult {
    const result = this.member.proposeMembershipChange(change);
    this.drain();
    return result;
  }

  /** The lower end of the election timeout range, ms (the check-quorum window, swarmkit's ElectionTick). */
  get electionTimeoutMinimumMs(): number {
    return this.member.options.electionTimeoutMs[0];
  }

  /** The member's role (cheaper than `status().state`, for hot paths). */
  get role(): RaftRole {
    return this.member.role;
  }

  /** The member's current term (cheaper than `status().term`, for hot paths). */
  get term(): number {
    return this.member.currentTerm;
  }

  /** The leader as far as the member knows (cheaper than `status().leader`, for hot paths). */
  get leader(): string | null {
    return this.member.knownLeader;
  }

  /** The member's configuration (cheaper than `status().members`, for hot paths). */
  get members(): readonly string[] {
    return this.member.members;
  }

  /** The member's id (its host name). */
  get id(): string {
    return this.member.id;
  }

  /** The highest index the member knows committed (cheaper than `status().commitIndex`, for hot paths). */
  get commitIndex(): number {
    return this.member.knownCommitIndex;
  }

  /** The highest index the member applied (cheaper than `status().appliedIndex`, for hot paths). */
  get appliedIndex(): number {
    return this.member.lastAppliedIndex;
  }

  /** The member's status. */
  status(): RaftStatus {
    return this.member.status();
  }

  /**
   * Leader only: hands leadership to the most up-to-date follower heard from within the minimum
   * election timeout (ties broken by name), as swarmkit's TransferLeadership does before the
   * leader's own demotion (swarmkit picks the longest-connected peer; the simulated transport
   * has no connections, so the freshest log stands in). Returns the transferee, or null when
   * there is none or this member does not lead.
   */
  transferLeadership(): string | null {
    const reachable = new Set(this.member.reachableMembers(this.context.now));
    let transferee: string | null = null;
    let bestMatchIndex = -1;
    for (const [member, progress] of [...this.member.followerProgress()].sort(([left], [right]) => (left < right ? -1 : 1))) {
      if (!reachable.has(member) || progress.matchIndex <= bestMatchIndex) continue;
      transferee = member;
      bestMatchIndex = progress.matchIndex;
    }
    if (transferee === null || !this.member.transferLeadership(transferee, this.context.now)) return null;
    this.drain();
    return transferee;
  }

  /** Members the leader heard from recently (for quorum checks before removals). */
  reachableMembers(): string[] {
    return this.member.reachableMembers(this.context.now);
  }

  /** Persists each Ready in turn; one that wrote to the log waits for its fsync before it is acted on. */
  private drain(): void {
    for (let round = 0; round < readyRoundsMax; round++) {
      if (this.pending !== null || !this.member.hasReady()) return;
      const ready = this.member.ready();
      this.storage.apply(ready);
      if (this.mustSync(ready) && this.fsyncDelayMs > 0) {
        this.pending = ready;
        this.context.setTimer(this.fsyncDelayMs, { raftTimer: "fsync" } satisfies RaftTimerPayload);
        return;
      }
      this.act(ready);
    }
    boundExceeded("readyRoundsMax", readyRoundsMax, `Readies handled in one step by ${this.context.host}`);
  }

  /**
   * Whether a Ready just written must be durable before it is acted on: etcd's `MustSync`, which
   * swarmkit's WAL uses to decide whether a save fsyncs. New entries, a snapshot, or a new term
   * or vote must be; a hard state that only moves the commit index is written without waiting
   * (a lost commit index is learnt again from the leader). Remembers the term and vote written.
   */
  private mustSync(ready: Ready): boolean {
    const hardState = ready.hardState;
    let termOrVoteChanged = false;
    if (hardState !== null) {
      termOrVoteChanged = hardState.term !== this.syncedTerm || hardState.votedFor !== this.syncedVote;
      this.syncedTerm = hardState.term;
      this.syncedVote = hardState.votedFor;
    }
    return termOrVoteChanged || ready.entries.length > 0 || ready.snapshot !== null;
  }

  private completeFsync(): void {
    const ready = this.pending;
    this.pending = null;
    if (ready !== null) this.act(ready);
  }

  /** Sends, applies, arms timers and advances, once the Ready is durable. */
  private act(ready: Ready): void {
    if (ready.restoreStateMachine && ready.snapshot !== null) this.observedLastIndex = ready.snapshot.index;
    // Guarded: reading index -1 of an empty list is a slow named-property lookup in V8 (most Readies carry no entries).
    if (ready.entries.length > 0) this.observedLastIndex = ready.entries[ready.entries.length - 1]!.index;
    if (this.observers !== null && this.observers.list.length > 0) {
      const status = this.member.status();
      for (const observer of this.observers.list) observer(this.context.host, ready, status);
    }
    for (const message of ready.messages) this.context.send(message.to, this.peerProcess, { raft: message } satisfies RaftEnvelope);
    if (ready.restoreStateMachine && ready.snapshot !== null) this.stateMachine.restore(ready.snapshot.data);
    for (const entry of ready.committedEntries) {
      this.stateMachine.apply(entry);
      this.context.emit("raft.commit", { host: this.context.host, index: entry.index, term: entry.term });
      if (entry.kind === "membership") {
        this.context.emit("raft.membership", { host: this.context.host, index: entry.index, action: entry.data.action, member: entry.data.member, members: [...entry.data.members] });
        // A member whose removal is committed stops, as a removed swarmkit manager does. The
        // leader no longer replicates to it, so the leader tells it (swarmkit's ErrMemberRemoved).
        if (entry.data.action === "remove" && entry.data.member === this.context.host) this.removed = true;
        else if (entry.data.action === "remove" && this.member.status().state === "leader") {
          this.context.send(entry.data.member, this.peerProcess, { raftRemoved: { index: entry.index } } satisfies RemovalNotice);
        }
      }
    }
    for (const request of ready.timers) {
      const slot = this.slotOf(request.kind);
      slot.deadlineMs = request.atMs;
      const armed = slot.handle;
      // A later deadline keeps the armed timer (re-armed when it fires): no kernel work per heartbeat.
      if (armed !== null && armed.time <= request.atMs) continue;
      if (armed !== null) this.context.cancelTimer(armed);
      this.armTimer(request.kind, request.atMs);
    }
    if (ready.softState !== null) this.announce(ready.softState);
    if (ready.snapshotWanted !== null) {
      const index = ready.snapshotWanted.index;
      if (this.member.compact(index, this.stateMachine.snapshot())) this.context.emit("raft.snapshot", { host: this.context.host, index });
    }
    this.member.advance();
  }

  /**
   * The state of timer `kind`, chosen by comparing the kind (constant strings compare by identity)
   * rather than indexing a record with it: such lookups by a varying key are slow in V8, and every
   * heartbeat's Ready re-arms a timer.
   */
  private slotOf(kind: RaftTimerKind): TimerSlot {
    return kind === "election" ? this.electionSlot : kind === "heartbeat" ? this.heartbeatSlot : this.checkQuorumSlot;
  }

  private armTimer(kind: RaftTimerKind, atMs: number): void {
    this.slotOf(kind).handle = this.context.setTimer(Math.max(0, atMs - this.context.now), { raftTimer: kind } satisfies RaftTimerPayload);
  }

  private announce(softState: NonNullable<Ready["softState"]>): void {
    const host = this.context.host;
    this.context.emit("raft.state", { host, term: softState.term, state: softState.state });
    const { term, leader } = softState;
    if (leader !== null && (this.lastLeaderAnnounced.term !== term || this.lastLeaderAnnounced.leader !== leader)) {
      this.lastLeaderAnnounced = { term, leader };
      this.context.emit("raft.leader", { host, term, leader });
    }
  }
}
