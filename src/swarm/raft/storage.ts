/**
 * Persistence of a member as a driver does it: the state a new member starts from, and an
 * in-memory store that applies each Ready's persistence part (snapshot, entries, hard state) in
 * the documented order. A driver writing to a simulated disk follows the same rules.
 */
import { assert, boundExceeded, fail } from "../../sim/errors.js";
import type { HardState, LogEntry, PersistentState, Ready, Snapshot } from "./types.js";

/** The persisted state of a member that has never run: term 0, no vote, an empty snapshot with `members` as the configuration (empty for a member waiting to be added). */
export function initialPersistentState(members: readonly string[]): PersistentState {
  return {
    hardState: { term: 0, votedFor: null, commitIndex: 0 },
    snapshot: { index: 0, term: 0, members: [...members].sort(), data: null },
    entries: [],
  };
}

/** A member's persisted state, kept in memory; `apply` a Ready before sending its messages. */
export class MemoryRaftStorage {
  /** The latest hard state. */
  private hardState: HardState;
  /** The latest snapshot. */
  private snapshot: Snapshot;
  /** Stored entries, contiguous; at most `entriesMax`. */
  private entries: LogEntry[];

  /**
   * @param state - the state to start from.
   * @param entriesMax - the bound on stored entries.
   */
  constructor(state: PersistentState, private readonly entriesMax = 1_000_000) {
    this.hardState = state.hardState;
    this.snapshot = state.snapshot;
    this.entries = state.entries.slice();
  }

  /** Persists a Ready's snapshot, compaction, entries and hard state, in that order. */
  apply(ready: Ready): void {
    if (ready.snapshot !== null) this.snapshot = ready.snapshot;
    if (ready.restoreStateMachine) this.entries = [];
    const compactedThrough = ready.compactedThroughIndex;
    if (compactedThrough !== null) {
      const dropCount = this.entries.findIndex((entry) => entry.index > compactedThrough);
      this.entries.splice(0, dropCount === -1 ? this.entries.length : dropCount);
    }
    const first = ready.entries[0];
    if (first !== undefined) {
      const keepCount = this.entries.findIndex((entry) => entry.index >= first.index);
      if (keepCount !== -1) this.entries.length = keepCount;
      const last = this.entries[this.entries.length - 1];
      if (!(last === undefined ? first.index <= this.snapshot.index + 1 : last.index + 1 === first.index)) fail(`stored log gap before entry ${first.index}`);
      if (this.entries.length + ready.entries.length > this.entriesMax) boundExceeded("entriesMax", this.entriesMax, "stored Raft entries");
      for (const entry of ready.entries) this.entries.push(entry);
    }
    if (ready.hardState !== null) this.hardState = ready.hardState;
  }

  /** What was persisted, to rebuild the member after a crash. */
  state(): PersistentState {
    return { hardState: this.hardState, snapshot: this.snapshot, entries: this.entries.slice() };
  }

  /** The number of stored entries. */
  get entryCount(): number {
    return this.entries.length;
  }
}
