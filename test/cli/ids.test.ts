// Tests for short IDs, random IDs and moby's namesgenerator. Word lists and the boring_wozniak
// rule: moby v28.2.2 pkg/namesgenerator/names-generator.go (108 adjectives, 236 surnames);
// TruncateID: moby v28.2.2 pkg/stringid/stringid.go.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isFullId, nameAdjectives, nameSurnames, randomId, randomName, shortId, truncateId, type RandomSource } from "../../src/cli/ids.js";
import { Random } from "../../src/sim/random.js";

/** A random source that returns the given integers in turn. */
function scripted(values: number[]): RandomSource {
  let index = 0;
  return { integer: () => values[index++]! };
}

describe("short IDs", () => {
  it("keeps the first 12 characters", () => {
    const id = "4f66ad9a0b2e5c7d8e9f00112233445566778899aabbccddeeff001122334455";
    expect(shortId(id)).toBe("4f66ad9a0b2e");
    expect(truncateId(id)).toBe("4f66ad9a0b2e");
    expect(truncateId(`sha256:${id}`)).toBe("4f66ad9a0b2e");
    expect(truncateId("abc")).toBe("abc");
    expect(isFullId(id)).toBe(true);
    expect(isFullId(shortId(id))).toBe(false);
  });
});

describe("randomId", () => {
  it("draws 64 hex digits whose short form is never all decimal digits (property)", () => {
    fc.assert(
      fc.property(fc.string(), (seed) => {
        const id = randomId(new Random(seed));
        expect(isFullId(id)).toBe(true);
        expect(/^[0-9]{12}$/.test(shortId(id))).toBe(false);
      }),
    );
  });

  it("draws again when the first 12 digits are all decimal", () => {
    const allDigits = Array.from({ length: 64 }, () => 1);
    const withLetter = [10, ...Array.from({ length: 63 }, () => 0)];
    expect(randomId(scripted([...allDigits, ...withLetter]))).toBe(`a${"0".repeat(63)}`);
  });
});

describe("randomName", () => {
  it("has moby's full word lists", () => {
    expect(nameAdjectives).toHaveLength(108);
    expect(nameSurnames).toHaveLength(236);
    expect(nameAdjectives[0]).toBe("admiring");
    expect(nameAdjectives.at(-1)).toBe("zen");
    expect(nameSurnames[0]).toBe("agnesi");
    expect(nameSurnames.at(-1)).toBe("zhukovsky");
    expect(nameAdjectives).toContain("focused");
    expect(nameSurnames).toContain("turing");
  });

  it("joins an adjective and a surname", () => {
    const focused = nameAdjectives.indexOf("focused");
    const turing = nameSurnames.indexOf("turing");
    expect(randomName(scripted([focused, turing]))).toBe("focused_turing");
    expect(randomName(scripted([focused, turing, 3]), 1)).toBe("focused_turing3");
  });

  it("never names a container boring_wozniak", () => {
    const boring = nameAdjectives.indexOf("boring");
    const wozniak = nameSurnames.indexOf("wozniak");
    expect(randomName(scripted([boring, wozniak, boring, 0]))).toBe(`boring_${nameSurnames[0]}`);
  });

  it("is deterministic for a seed and always adjective_surname (property)", () => {
    fc.assert(
      fc.property(fc.string(), (seed) => {
        const name = randomName(new Random(seed));
        expect(randomName(new Random(seed))).toBe(name);
        const [adjective, surname] = name.split("_");
        expect(nameAdjectives).toContain(adjective);
        expect(nameSurnames).toContain(surname);
      }),
    );
  });
});
