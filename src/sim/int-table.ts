/**
 * A table from small non-negative integer keys to values, for the RPC layer's ids (calls parked,
 * requests remembered), which come and go by the thousand while few are held at once.
 *
 * V8's `Map` is a poor fit for that traffic: a deleted entry keeps its slot until the table is
 * rebuilt, so a map holding one or two live ids rebuilds itself every few insertions, and it
 * shrinks (a runtime call) each time it empties. Here keys live in a power-of-two array with
 * open addressing and linear probing, deletion shifts the following entries back (no
 * tombstones), and the table never shrinks: a set, get and delete of a fresh id cost a few
 * array reads, with nothing allocated.
 */

/** The key of an empty slot (keys are never negative). */
const emptyKey = -1;
/** Slots of a new table. */
const initialCapacity = 8;

/** A table of integer keys (non-negative safe integers) to values; `sortedKeys` is its only listing. */
export class IntTable<Value> {
  private keys = new Float64Array(initialCapacity).fill(emptyKey);
  private values: (Value | undefined)[] = new Array<Value | undefined>(initialCapacity).fill(undefined);
  private mask = initialCapacity - 1;
  private count = 0;

  /** Number of keys held. */
  get size(): number {
    return this.count;
  }

  /** The value under `key`, or undefined. */
  get(key: number): Value | undefined {
    const keys = this.keys;
    const mask = this.mask;
    for (let index = key & mask; ; index = (index + 1) & mask) {
      const held = keys[index]!;
      // Empty first: a key of -1 (a malformed id) must not match an empty slot.
      if (held === emptyKey) return undefined;
      if (held === key) return this.values[index];
    }
  }

  /** Whether `key` is held. */
  has(key: number): boolean {
    return this.indexOf(key) !== -1;
  }

  /** Stores `value` under `key` (a non-negative safe integer). */
  set(key: number, value: Value): void {
    const keys = this.keys;
    const mask = this.mask;
    let index = key & mask;
    for (; ; index = (index + 1) & mask) {
      const held = keys[index]!;
      if (held === emptyKey) break;
      if (held === key) {
        this.values[index] = value;
        return;
      }
    }
    if (!(key >= 0 && Number.isSafeInteger(key))) throw new RangeError(`IntTable: key ${key} is not a non-negative safe integer`);
    keys[index] = key;
    this.values[index] = value;
    // At most half full, so a probe ends soon.
    if (++this.count * 2 > keys.length) this.grow();
  }

  /** Removes `key`; returns whether it was held. */
  delete(key: number): boolean {
    let hole = this.indexOf(key);
    if (hole === -1) return false;
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    // Backward shift: an entry after the hole moves into it unless its own slot lies between the hole and it.
    for (let index = (hole + 1) & mask; keys[index] !== emptyKey; index = (index + 1) & mask) {
      const home = keys[index]! & mask;
      if (((index - home) & mask) >= ((index - hole) & mask)) {
        keys[hole] = keys[index]!;
        values[hole] = values[index];
        hole = index;
      }
    }
    keys[hole] = emptyKey;
    values[hole] = undefined;
    this.count--;
    return true;
  }

  /** The keys held, in increasing order. */
  sortedKeys(): number[] {
    const held: number[] = [];
    for (const key of this.keys) if (key !== emptyKey) held.push(key);
    return held.sort((left, right) => left - right);
  }

  /** The slot of `key`, or -1. */
  private indexOf(key: number): number {
    const keys = this.keys;
    const mask = this.mask;
    for (let index = key & mask; ; index = (index + 1) & mask) {
      const held = keys[index]!;
      if (held === emptyKey) return -1;
      if (held === key) return index;
    }
  }

  /** Doubles the slots and places every entry again. */
  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const capacity = oldKeys.length * 2;
    this.keys = new Float64Array(capacity).fill(emptyKey);
    this.values = new Array<Value | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
    this.count = 0;
    for (let index = 0; index < oldKeys.length; index++) {
      if (oldKeys[index] !== emptyKey) this.set(oldKeys[index]!, oldValues[index] as Value);
    }
  }
}
