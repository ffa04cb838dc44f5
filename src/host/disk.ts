/**
 * A host's disk: a key-value store that survives crashes and restarts of the host and of its
 * processes. Values are stored as given; callers store immutable data.
 */
import { boundExceeded } from "../sim/errors.js";

/** Default bound on entries per disk. */
export const defaultDiskEntriesMax = 1_000_000;

/** A host's persistent storage. */
export class Disk {
  private readonly entries = new Map<string, unknown>();

  constructor(
    /** Bound `diskEntriesMax`: more keys than this on one disk is a runaway writer. */
    private readonly entriesMax = defaultDiskEntriesMax,
  ) {}

  /** The value stored under `key`, or undefined. */
  read<T = unknown>(key: string): T | undefined {
    return this.entries.get(key) as T | undefined;
  }

  /** Stores `value` under `key`. */
  write(key: string, value: unknown): void {
    if (this.entries.size >= this.entriesMax && !this.entries.has(key)) {
      boundExceeded("diskEntriesMax", this.entriesMax, `writing ${JSON.stringify(key)}`);
    }
    this.entries.set(key, value);
  }

  /** Removes `key`; returns whether it was there. */
  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  /** Whether `key` is stored. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The stored keys that start with `prefix`, sorted. */
  keys(prefix = ""): string[] {
    const keys: string[] = [];
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) keys.push(key);
    return keys.sort();
  }

  /** Removes every key. */
  clear(): void {
    this.entries.clear();
  }

  /** Number of stored keys. */
  get size(): number {
    return this.entries.size;
  }
}
