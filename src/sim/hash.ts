/**
 * A stable, streaming 64-bit hash of text (two 32-bit FNV-1a lanes with different
 * offsets, mixed at the end). Used for trace hashes: not cryptographic, only stable across
 * runs, engines and platforms.
 */

/** Incrementally hashes strings; the digest depends on every string fed, in order. */
export class StableHash {
  private low = 0x811c9dc5;
  private high = 0x01000193 ^ 0x5bd1e995;

  /** Feeds `text` (and a separator, so that "ab","c" and "a","bc" differ). */
  update(text: string): void {
    let low = this.low;
    let high = this.high;
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      low = Math.imul(low ^ code, 0x01000193);
      high = Math.imul(high ^ code, 0x5bd1e995) ^ (high >>> 15);
    }
    low = Math.imul(low ^ 0x1f, 0x01000193);
    high = Math.imul(high ^ 0x1f, 0x5bd1e995) ^ (high >>> 15);
    this.low = low;
    this.high = high;
  }

  /** The current digest as 16 lowercase hexadecimal digits. */
  digest(): string {
    let low = this.low ^ (this.high >>> 7);
    low = Math.imul(low ^ (low >>> 16), 0x85ebca6b);
    let high = this.high ^ Math.imul(this.low, 0xc2b2ae35);
    high = Math.imul(high ^ (high >>> 13), 0x27d4eb2f);
    return (high >>> 0).toString(16).padStart(8, "0") + (low >>> 0).toString(16).padStart(8, "0");
  }
}

/** The stable hash of one string, as 16 hexadecimal digits. */
export function hashText(text: string): string {
  const hash = new StableHash();
  hash.update(text);
  return hash.digest();
}
