/**
 * Seeded randomness. Every component draws from its own generator, forked from the
 * simulation's root by a stable name (`random.fork("network")`), so adding a component or a
 * draw in one place never changes the numbers any other component sees.
 */
import seedrandom from "seedrandom";

/** The two lowercase hexadecimal digits of each byte value. */
const hexOfByte: readonly string[] = Array.from({ length: 256 }, (_, value) => value.toString(16).padStart(2, "0"));

/** A deterministic random generator (seedrandom's Alea), forkable by name. */
export class Random {
  private state: seedrandom.PRNG | null = null;

  /** @param seed - the seed; the same seed always gives the same sequence. */
  constructor(readonly seed: string) {}

  /** The generator, made on first use: most processes never draw, and seeding costs. */
  private get generator(): seedrandom.PRNG {
    return (this.state ??= seedrandom.alea(this.seed));
  }

  /** A new generator whose sequence depends only on this generator's seed and `name`. */
  fork(name: string): Random {
    return new Random(`${this.seed}/${name}`);
  }

  /** A float in [0, 1). */
  next(): number {
    return (this.state ?? this.generator)();
  }

  /** A float in [minimum, maximum). */
  uniform(minimum: number, maximum: number): number {
    return minimum + (maximum - minimum) * this.generator();
  }

  /** An integer in [minimum, maximumExclusive). */
  integer(minimum: number, maximumExclusive: number): number {
    return minimum + Math.floor((maximumExclusive - minimum) * this.generator());
  }

  /** True with probability `probability`. */
  chance(probability: number): boolean {
    return probability > 0 && this.generator() < probability;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("Random.pick: empty array");
    return items[Math.floor(items.length * this.generator())]!;
  }

  /** A shuffled copy of `items` (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const copy = items.slice();
    for (let index = copy.length - 1; index > 0; index--) {
      const other = Math.floor((index + 1) * this.generator());
      const held = copy[index]!;
      copy[index] = copy[other]!;
      copy[other] = held;
    }
    return copy;
  }

  /** `length` lowercase hexadecimal digits, e.g. a 64-digit Docker ID. */
  hex(length: number): string {
    // Eight digits per 32-bit draw, most significant first; the last draw may give fewer.
    // (A byte table, not `toString(16)`, which V8 runs through a slow general radix conversion.)
    let text = "";
    for (let remaining = length; remaining > 0; remaining -= 8) {
      const word = this.generator.int32();
      const digits = hexOfByte[word >>> 24]! + hexOfByte[(word >>> 16) & 255]! + hexOfByte[(word >>> 8) & 255]! + hexOfByte[word & 255]!;
      text += remaining >= 8 ? digits : digits.slice(0, remaining);
    }
    return text;
  }
}
