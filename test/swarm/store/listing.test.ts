// Tests of storedValues: a collection's objects in insertion order, exactly as Object.values lists
// them, for small records (fast properties) and large ones (a dictionary to V8), frozen or not,
// after deletions too.
import { describe, expect, it } from "vitest";
import { storedValues } from "../../../src/swarm/store/index.js";

function collection(size: number): Record<string, { readonly id: string }> {
  const record: Record<string, { readonly id: string }> = {};
  // Ids in no sorted order, as random task ids are.
  for (let index = 0; index < size; index++) {
    const id = `${((index * 2654435761) % 4294967296).toString(36)}x${index}`;
    record[id] = { id };
  }
  return record;
}

describe("storedValues", () => {
  it("lists the objects in insertion order, as Object.values does", () => {
    for (const size of [0, 1, 10, 2_000]) {
      const record = collection(size);
      expect(storedValues(record)).toEqual(Object.values(record));
      expect(storedValues(Object.freeze({ ...record }))).toEqual(Object.values(record));
    }
  });

  it("keeps the order after deletions and re-insertions", () => {
    const record = collection(1_500);
    const ids = Object.keys(record);
    for (const id of ids.slice(100, 400)) delete record[id];
    record[ids[150]!] = { id: ids[150]! };
    const listed = storedValues(record);
    expect(listed).toEqual(Object.values(record));
    expect(listed.at(-1)).toEqual({ id: ids[150] });
    expect(listed).toHaveLength(1_201);
  });
});
