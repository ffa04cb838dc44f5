/**
 * A member's Raft log in memory: a snapshot (the compacted prefix) followed by contiguous
 * entries, the configuration its latest membership entry defines, and which entries have not
 * yet been handed to the driver for persistence. It knows nothing of roles or messages.
 */
import { assert, boundExceeded, fail } from "../../sim/errors.js";
import type { LogEntry, Snapshot } from "./types.js";

/** The shared empty list of entries (never mutated): heartbeats and empty Readies carry it. */
const noEntries: readonly LogEntry[] = [];

/** The log of one member. */
export class RaftLog {
  /** The latest snapshot; invariant: `snapshot.index <= lastIndex` and `snapshot.index >= firstIndex - 1`. */
  private snapshotValue: Snapshot;
  /** Contiguous entries: `entries[k].index === firstIndex + k`; may start before the snapshot's index (kept for slow followers). */
  private entries: LogEntry[];
  /** The index of `entries[0]`, or `snapshot.index + 1` when there are none. */
  private firstIndex: number;
  /** The lowest index changed since the last {@link takeUnstableEntries}; Infinity when none. */
  private unstableFromIndex = Infinity;
  /** The configuration: the members of the latest membership entry, else of the snapshot. */
  private membersValue: readonly string[];
  /** The index of the latest membership entry in `entries`, or 0 when the snapshot defines the configuration. */
  private membershipIndexValue = 0;

  /**
   * @param snapshot - the latest snapshot (index 0 for a new log).
   * @param entries - retained entries, contiguous, starting at or before `snapshot.index + 1`.
   * @param logEntriesMax - the bound on retained entries.
   */
  constructor(snapshot: Snapshot, entries: readonly LogEntry[], private readonly logEntriesMax: number) {
    this.snapshotValue = snapshot;
    const last = entries[entries.length - 1];
    // Entries that end before the snapshot cannot continue it: the snapshot replaces them.
    const kept = last === undefined || last.index < snapshot.index ? [] : entries.slice();
    const first = kept[0];
    if (!(first === undefined || first.index <= snapshot.index + 1)) fail(`log entries start at ${first?.index}, after snapshot ${snapshot.index} + 1`);
    kept.forEach((entry, offset) => {
      if (entry.index !== (first?.index ?? 0) + offset) fail(`log entries are not contiguous at ${entry.index}`);
    });
    const atSnapshot = kept.find((entry) => entry.index === snapshot.index);
    if (!(atSnapshot === undefined || atSnapshot.term === snapshot.term)) fail(`log entry ${snapshot.index} disagrees with the snapshot's term`);
    this.entries = kept;
    this.firstIndex = first?.index ?? snapshot.index + 1;
    this.membersValue = snapshot.members;
    this.recomputeMembership();
  }

  /** The latest snapshot. */
  get snapshot(): Snapshot {
    return this.snapshotValue;
  }

  /** The index of the last entry, or the snapshot's index when no entry follows it. */
  get lastIndex(): number {
    return this.firstIndex + this.entries.length - 1;
  }

  /** The term of the last entry. */
  get lastTerm(): number {
    const term = this.termAt(this.lastIndex);
    assert(term !== undefined, "the last log entry has a term");
    return term;
  }

  /** The lowest index whose entry is still held. */
  get firstHeldIndex(): number {
    return this.firstIndex;
  }

  /** The configuration: the latest membership entry's members (committed or not), else the snapshot's. */
  get members(): readonly string[] {
    return this.membersValue;
  }

  /** The index of the latest membership entry, or 0 when the snapshot defines the configuration. */
  get membershipIndex(): number {
    return this.membershipIndexValue;
  }

  /** The term of the entry at `index`, or undefined when it is compacted away or beyond the end. */
  termAt(index: number): number | undefined {
    if (index === this.snapshotValue.index) return this.snapshotValue.term;
    if (index >= this.firstIndex && index <= this.lastIndex) return this.entries[index - this.firstIndex]!.term;
    return index === 0 ? 0 : undefined;
  }

  /** The entry at `index`, or undefined when not held. */
  entryAt(index: number): LogEntry | undefined {
    return index >= this.firstIndex ? this.entries[index - this.firstIndex] : undefined;
  }

  /** Entries from `fromIndex` to `toIndex` inclusive; all must be held. */
  slice(fromIndex: number, toIndex: number): readonly LogEntry[] {
    if (toIndex < fromIndex) return noEntries;
    if (!(fromIndex >= this.firstIndex && toIndex <= this.lastIndex)) fail(`log slice [${fromIndex}, ${toIndex}] outside [${this.firstIndex}, ${this.lastIndex}]`);
    return this.entries.slice(fromIndex - this.firstIndex, toIndex - this.firstIndex + 1);
  }

  /** Whether a log ending at (`lastIndex`, `lastTerm`) is at least as up to date as this one (§5.4.1). */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myLastTerm = this.lastTerm;
    return lastTerm > myLastTerm || (lastTerm === myLastTerm && lastIndex >= this.lastIndex);
  }

  /** The first index of the run of entries with the same term as `index`, scanning back no lower than `floorIndex`. */
  firstIndexOfTermAt(index: number, floorIndex: number): number {
    const term = this.termAt(index);
    let first = index;
    // Bounded by the number of held entries (logEntriesMax).
    while (first - 1 > floorIndex && first - 1 >= this.firstIndex && this.termAt(first - 1) === term) first--;
    return first;
  }

  /** The highest index at or below `atMostIndex` whose entry has term `term`, or null when there is none. */
  lastIndexOfTerm(term: number, atMostIndex: number): number | null {
    // Terms never decrease along a log, so the scan stops at the first lower term; bounded by held entries.
    for (let index = Math.min(atMostIndex, this.lastIndex); index >= this.firstIndex - 1; index--) {
      const found = this.termAt(index);
      if (found === undefined || found < term) return null;
      if (found === term) return index;
    }
    return null;
  }

  /** The configuration as of `index` (which must not be below the snapshot's index). */
  membersAt(index: number): readonly string[] {
    if (!(index >= this.snapshotValue.index)) fail(`membersAt(${index}) below the snapshot ${this.snapshotValue.index}`);
    // Bounded by held entries.
    for (let at = Math.min(index, this.lastIndex); at >= this.firstIndex && at > this.snapshotValue.index; at--) {
      const entry = this.entries[at - this.firstIndex]!;
      if (entry.kind === "membership") return entry.data.members;
    }
    return this.snapshotValue.members;
  }

  /** Appends entries that continue the log exactly (the leader's own proposals). */
  append(entries: readonly LogEntry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    if (!(first.index === this.lastIndex + 1)) fail(`append at ${first.index} does not continue the log at ${this.lastIndex}`);
    if (this.entries.length + entries.length > this.logEntriesMax) {
      boundExceeded("logEntriesMax", this.logEntriesMax, "a Raft log grew past its bound (is compaction running?)");
    }
    if (this.entries.length === 0) this.firstIndex = first.index;
    for (const entry of entries) {
      this.entries.push(entry);
      if (entry.kind === "membership") {
        this.membersValue = entry.data.members;
        this.membershipIndexValue = entry.index;
      }
    }
    this.unstableFromIndex = Math.min(this.unstableFromIndex, first.index);
  }

  /**
   * Stores a leader's entries (Figure 2, AppendEntries steps 3-4): entries already present with
   * the same term are kept, the first conflicting one and all after it are deleted, the rest
   * appended. Never deletes at or below `commitIndex`.
   */
  appendFromLeader(entries: readonly LogEntry[], commitIndex: number): void {
    for (let position = 0; position < entries.length; position++) {
      const entry = entries[position]!;
      const existing = this.termAt(entry.index);
      if (existing === entry.term) continue;
      if (existing !== undefined) {
        if (!(entry.index > commitIndex)) fail(`a leader's entry ${entry.index} conflicts with committed entry (commit ${commitIndex})`);
        this.truncateFrom(entry.index);
      }
      this.append(entries.slice(position));
      return;
    }
  }

  /** Deletes the entries from `index` on. */
  private truncateFrom(index: number): void {
    if (!(index > this.snapshotValue.index)) fail(`truncation at ${index} reaches the snapshot ${this.snapshotValue.index}`);
    this.entries.length = index - this.firstIndex;
    this.unstableFromIndex = Math.min(this.unstableFromIndex, index);
    if (this.membershipIndexValue >= index) this.recomputeMembership();
  }

  /** Replaces the whole log by a snapshot received from a leader. */
  restore(snapshot: Snapshot): void {
    this.snapshotValue = snapshot;
    this.entries = [];
    this.firstIndex = snapshot.index + 1;
    this.unstableFromIndex = Infinity;
    this.membersValue = snapshot.members;
    this.membershipIndexValue = 0;
  }

  /** Records a new local snapshot and drops the entries at or below `compactedThroughIndex`. */
  compact(snapshot: Snapshot, compactedThroughIndex: number): void {
    if (!(snapshot.index > this.snapshotValue.index && snapshot.index <= this.lastIndex)) fail(`snapshot ${snapshot.index} outside (${this.snapshotValue.index}, ${this.lastIndex}]`);
    assert(compactedThroughIndex <= snapshot.index, "compaction stays at or below the snapshot's index");
    this.snapshotValue = snapshot;
    if (compactedThroughIndex >= this.firstIndex) {
      this.entries.splice(0, compactedThroughIndex - this.firstIndex + 1);
      this.firstIndex = compactedThroughIndex + 1;
    }
    this.recomputeMembership();
  }

  /** The entries changed since the last call, to be persisted (replacing stored ones from the first's index). */
  takeUnstableEntries(): readonly LogEntry[] {
    const from = this.unstableFromIndex;
    this.unstableFromIndex = Infinity;
    return from <= this.lastIndex ? this.slice(Math.max(from, this.firstIndex), this.lastIndex) : noEntries;
  }

  /** Whether some entries wait to be persisted. */
  get hasUnstableEntries(): boolean {
    return this.unstableFromIndex <= this.lastIndex;
  }

  /** Finds the latest membership entry after the snapshot, bounded by held entries. */
  private recomputeMembership(): void {
    this.membersValue = this.snapshotValue.members;
    this.membershipIndexValue = 0;
    for (let position = this.entries.length - 1; position >= 0; position--) {
      const entry = this.entries[position]!;
      if (entry.index <= this.snapshotValue.index) break;
      if (entry.kind === "membership") {
        this.membersValue = entry.data.members;
        this.membershipIndexValue = entry.index;
        return;
      }
    }
  }
}
