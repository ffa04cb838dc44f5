/**
 * What a leader knows about one follower's log (etcd-io/raft's Progress): the match and next
 * indexes and how to send to it. `probe`: one append at a time until the follower's log end is
 * found; `replicate`: appends pipelined optimistically up to `inflightMessagesMax`; `snapshot`:
 * a snapshot was sent and nothing else is sent until it is acknowledged or a heartbeat retries.
 */

/** How the leader currently sends to a follower. */
export type ProgressMode = "probe" | "replicate" | "snapshot";

/** The leader's view of one follower. */
export class FollowerProgress {
  /** The highest index known to be replicated on the follower; never decreases in a term. */
  matchIndex = 0;
  /** The index of the next entry to send; invariant: `nextIndex > matchIndex`. */
  nextIndex: number;
  /** How entries are sent. */
  mode: ProgressMode = "probe";
  /** In `probe` mode: an append was sent and neither a response nor a heartbeat came since. */
  probeSent = false;
  /** In `snapshot` mode: the index of the snapshot sent. */
  pendingSnapshotIndex = 0;
  /** In `replicate` mode: the last index of each append in flight, oldest first; at most `inflightMessagesMax`. */
  inflightLastIndexes: number[] = [];
  /** When the leader last heard from the follower (any append response), for check-quorum. */
  lastHeardMs: number;

  /**
   * @param nextIndex - where to start probing (the leader's last index + 1).
   * @param nowMs - the time the leader took office: a grace period for check-quorum.
   */
  constructor(nextIndex: number, nowMs: number) {
    this.nextIndex = nextIndex;
    this.lastHeardMs = nowMs;
  }

  /** Back to probing from the match index (or past a snapshot just sent). */
  becomeProbe(): void {
    this.nextIndex = this.mode === "snapshot" ? Math.max(this.matchIndex + 1, this.pendingSnapshotIndex + 1) : this.matchIndex + 1;
    this.mode = "probe";
    this.probeSent = false;
    this.inflightLastIndexes = [];
  }

  /** Start pipelining after the match index. */
  becomeReplicate(): void {
    this.mode = "replicate";
    this.nextIndex = this.matchIndex + 1;
    this.probeSent = false;
    this.inflightLastIndexes = [];
  }

  /** A snapshot at `snapshotIndex` was sent; wait for it. */
  becomeSnapshot(snapshotIndex: number): void {
    this.mode = "snapshot";
    this.pendingSnapshotIndex = snapshotIndex;
    this.probeSent = false;
    this.inflightLastIndexes = [];
  }

  /** Records a successful response up to `matchIndex`; true when it taught something new. */
  acknowledge(matchIndex: number): boolean {
    this.probeSent = false;
    // Inflight appends ending at or below the match are done.
    while (this.inflightLastIndexes.length > 0 && this.inflightLastIndexes[0]! <= matchIndex) this.inflightLastIndexes.shift();
    if (matchIndex <= this.matchIndex) return false;
    this.matchIndex = matchIndex;
    this.nextIndex = Math.max(this.nextIndex, matchIndex + 1);
    return true;
  }

  /** Whether nothing more may be sent now. */
  isPaused(inflightMessagesMax: number): boolean {
    if (this.mode === "probe") return this.probeSent;
    if (this.mode === "replicate") return this.inflightLastIndexes.length >= inflightMessagesMax;
    return true;
  }

  /** Records an append carrying entries up to `lastIndex` (none when `lastIndex` is null). */
  sent(lastIndex: number | null): void {
    if (this.mode === "probe") {
      this.probeSent = true;
      return;
    }
    if (this.mode === "replicate" && lastIndex !== null) {
      this.nextIndex = lastIndex + 1;
      this.inflightLastIndexes.push(lastIndex);
    }
  }

  /** A heartbeat is due: lets a probe be resent and frees one inflight slot if the window is full. */
  heartbeatDue(inflightMessagesMax: number): void {
    this.probeSent = false;
    if (this.mode === "replicate" && this.inflightLastIndexes.length >= inflightMessagesMax) this.inflightLastIndexes.shift();
    if (this.mode === "snapshot") this.becomeProbe();
  }
}
