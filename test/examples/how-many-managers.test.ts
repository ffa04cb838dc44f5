// examples/how-many-managers.ts: one seed per group size gives a row per size, shares between
// 0 and 1, a lone manager that is down whenever it crashes, and a table.
import { describe, expect, it } from "vitest";
import { formatManagersTable, managerCounts, runHowManyManagers } from "../../examples/how-many-managers.js";

describe("examples/how-many-managers.ts", () => {
  it("measures availability and write latency for 1, 3, 5 and 7 managers", () => {
    const rows = runHowManyManagers(1);
    expect(rows.map((row) => row.managers)).toEqual([...managerCounts]);
    for (const row of rows) {
      for (const share of [row.leaderShare, row.acknowledgedShare, row.acknowledgedShareWorst]) {
        expect(share).toBeGreaterThan(0.3);
        expect(share).toBeLessThanOrEqual(1);
      }
      expect(row.acknowledgedShare).toBeLessThanOrEqual(row.leaderShare);
    }
    const [one, three] = rows;
    // A lone manager is unavailable whenever it is down; it commits without a round trip.
    expect(one!.leaderShare).toBeLessThan(0.95);
    expect(one!.latencyMedianMs).toBeLessThan(three!.latencyMedianMs);
    const table = formatManagersTable(rows);
    expect(table.split("\n")).toHaveLength(5);
    expect(table).toMatch(/^\s+7\s+3 down\s+\d+\.\d\d%/m);
  });
});
