// IntTable, the RPC layer's id table: behaves as a Map of integer keys under any sequence of
// sets and deletes (colliding keys, growth, backward-shift deletion across the wrap-around).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IntTable } from "../../src/sim/int-table.js";
import { propertyOptions } from "../helpers/property.js";

/** Every key of `reference` is found with its value, and the sizes agree. */
function expectSameContents(table: IntTable<string>, reference: Map<number, string>): void {
  expect(table.size).toBe(reference.size);
  for (const [key, value] of reference) expect(table.get(key)).toBe(value);
  expect(table.sortedKeys()).toEqual([...reference.keys()].sort((left, right) => left - right));
}

describe("IntTable", () => {
  it("sets, replaces, finds and deletes keys", () => {
    const table = new IntTable<string>();
    table.set(3, "a");
    table.set(11, "b"); // the same home slot as 3 in a table of 8
    table.set(3, "c");
    expect(table.size).toBe(2);
    expect(table.get(3)).toBe("c");
    expect(table.get(11)).toBe("b");
    expect(table.has(19)).toBe(false);
    expect(table.delete(3)).toBe(true);
    // 11 was placed after 3 on the probe; it must still be found once 3 is gone.
    expect(table.get(11)).toBe("b");
    expect(table.delete(3)).toBe(false);
    expect(table.size).toBe(1);
  });

  it("never matches an empty slot, whatever key it is asked for", () => {
    const table = new IntTable<string>();
    for (const key of [-1, -2, 0.5, Number.NaN]) {
      expect(table.get(key)).toBeUndefined();
      expect(table.has(key)).toBe(false);
      expect(table.delete(key)).toBe(false);
    }
    expect(() => table.set(-1, "x")).toThrow(RangeError);
    expect(() => table.set(1.5, "x")).toThrow(RangeError);
    expect(table.size).toBe(0);
  });

  it("grows past its first slots and keeps long-held keys among thousands that come and go", () => {
    const table = new IntTable<string>();
    const reference = new Map<number, string>();
    for (let key = 0; key < 5_000; key++) {
      table.set(key, `v${key}`);
      reference.set(key, `v${key}`);
      // Every seventh key stays (a long wait); the others leave after the next one arrives.
      if (key > 0 && (key - 1) % 7 !== 0) {
        table.delete(key - 1);
        reference.delete(key - 1);
      }
    }
    expectSameContents(table, reference);
  });

  it("behaves as a Map under any sequence of sets and deletes", () => {
    const operation = fc.oneof(
      fc.record({ kind: fc.constant("set" as const), key: fc.integer({ min: 0, max: 64 }), value: fc.string({ maxLength: 3 }) }),
      fc.record({ kind: fc.constant("delete" as const), key: fc.integer({ min: 0, max: 64 }) }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 200 }), (operations) => {
        const table = new IntTable<string>();
        const reference = new Map<number, string>();
        for (const step of operations) {
          if (step.kind === "set") {
            table.set(step.key, step.value);
            reference.set(step.key, step.value);
          } else {
            expect(table.delete(step.key)).toBe(reference.delete(step.key));
          }
          expect(table.size).toBe(reference.size);
        }
        expectSameContents(table, reference);
        for (let key = 0; key <= 64; key++) expect(table.has(key)).toBe(reference.has(key));
      }),
      propertyOptions("IntTable behaves as a Map", 300),
    );
  });
});
