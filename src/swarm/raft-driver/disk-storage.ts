/**
 * A Raft member's persistent state on its host's disk: the hard state, the latest snapshot,
 * and one key per log entry (so an append writes only the new entries). Applied in the order
 * a Ready requires (snapshot, compaction, entries, hard state); read back after a crash.
 */
import type { Disk } from "../../host/disk.js";
import { assert } from "../../sim/errors.js";
import { initialPersistentState, type HardState, type LogEntry, type PersistentState, type Ready, type Snapshot } from "../raft/index.js";

/** Where on disk a member keeps its state (swarmkit: /var/lib/docker/swarm/raft). */
export const raftDiskPrefix = "/var/lib/docker/swarm/raft";

interface Bounds {
  /** First stored entry index (or snapshot index + 1 when none are stored). */
  readonly first: number;
  /** Last stored entry index (first - 1 when none). */
  readonly last: number;
}

/** Reads and writes a member's state on a disk. */
export class DiskRaftStorage {
  /**
   * The keys of the hard state, snapshot and bounds, built once: a key built per write is a new
   * string each time, which the disk's Map must flatten and hash before it finds the entry.
   */
  private readonly hardStateKey: string;
  private readonly snapshotKey: string;
  private readonly boundsKey: string;

  constructor(
    private readonly disk: Disk,
    private readonly prefix: string = raftDiskPrefix,
  ) {
    this.hardStateKey = `${prefix}/hardstate`;
    this.snapshotKey = `${prefix}/snapshot`;
    this.boundsKey = `${prefix}/bounds`;
  }

  private entryKey(index: number): string {
    return `${this.prefix}/entry/${index}`;
  }

  /** Whether a member ever persisted anything here. */
  exists(): boolean {
    return this.disk.has(this.hardStateKey);
  }

  private bounds(): Bounds {
    return this.disk.read<Bounds>(this.boundsKey) ?? { first: 1, last: 0 };
  }

  /**
   * Replaces everything with one snapshot and no log (`--force-new-cluster`: the member starts a
   * new group of itself alone from the state it had).
   */
  reset(snapshot: Snapshot, hardState: HardState): void {
    for (const key of this.disk.keys(`${this.prefix}/`)) this.disk.delete(key);
    this.disk.write(this.snapshotKey, snapshot);
    this.disk.write(this.hardStateKey, hardState);
    this.disk.write(this.boundsKey, { first: snapshot.index + 1, last: snapshot.index } satisfies Bounds);
  }

  /** Writes the state a new member starts from. */
  initialize(members: readonly string[]): void {
    const state = initialPersistentState(members);
    this.disk.write(this.hardStateKey, state.hardState);
    this.disk.write(this.snapshotKey, state.snapshot);
    this.disk.write(this.boundsKey, { first: 1, last: 0 } satisfies Bounds);
  }

  /** Persists a Ready's snapshot, compaction, entries and hard state, in that order. */
  apply(ready: Ready): void {
    if (ready.snapshot === null && ready.compactedThroughIndex === null && ready.entries.length === 0) {
      if (ready.hardState !== null) this.disk.write(this.hardStateKey, ready.hardState);
      return;
    }
    let { first, last } = this.bounds();
    if (ready.snapshot !== null) this.disk.write(this.snapshotKey, ready.snapshot);
    if (ready.restoreStateMachine && ready.snapshot !== null) {
      for (let index = first; index <= last; index++) this.disk.delete(this.entryKey(index));
      first = ready.snapshot.index + 1;
      last = ready.snapshot.index;
    }
    if (ready.compactedThroughIndex !== null) {
      const through = Math.min(ready.compactedThroughIndex, last);
      for (let index = first; index <= through; index++) this.disk.delete(this.entryKey(index));
      first = Math.max(first, ready.compactedThroughIndex + 1);
      if (last < first - 1) last = first - 1;
    }
    const head = ready.entries[0];
    if (head !== undefined) {
      // Stored entries from head.index on are replaced.
      for (let index = head.index; index <= last; index++) this.disk.delete(this.entryKey(index));
      const empty = last < first || head.index <= first;
      assert(empty || head.index <= last + 1, `stored log gap before entry ${head.index} (last stored ${last})`);
      if (empty) first = head.index;
      for (const entry of ready.entries) this.disk.write(this.entryKey(entry.index), entry);
      last = ready.entries[ready.entries.length - 1]!.index;
    }
    this.disk.write(this.boundsKey, { first, last } satisfies Bounds);
    if (ready.hardState !== null) this.disk.write(this.hardStateKey, ready.hardState);
  }

  /** Everything persisted, to rebuild the member after a crash. */
  state(): PersistentState {
    const hardState = this.disk.read<HardState>(this.hardStateKey)!;
    const snapshot = this.disk.read<Snapshot>(this.snapshotKey)!;
    const { first, last } = this.bounds();
    const entries: LogEntry[] = [];
    for (let index = first; index <= last; index++) entries.push(this.disk.read<LogEntry>(this.entryKey(index))!);
    return { hardState, snapshot, entries };
  }
}
