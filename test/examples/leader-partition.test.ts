// examples/leader-partition.ts: a small run of the leader-partition experiment gives a new
// leader within the partition, no lost acknowledged write, a write outage about as long as the
// election, and a table with every variant and measure.
import { describe, expect, it } from "vitest";
import { formatLeaderPartitionTable, partitionMs, runLeaderPartition } from "../../examples/leader-partition.js";

describe("examples/leader-partition.ts", () => {
  it("measures what a partition of the leader costs over a few seeds", () => {
    const results = runLeaderPartition(4);
    for (const result of Object.values(results)) {
      const { electionMs, unavailableMs, lostAcknowledgedWrites, unacknowledgedWrites } = result.summary;
      expect(electionMs.count).toBe(4);
      // swarmkit's election timeout is 10-20 s: the majority elects within it, before the heal.
      expect(electionMs.median).toBeGreaterThanOrEqual(10_000);
      expect(electionMs.max).toBeLessThan(partitionMs);
      expect(unavailableMs.median).toBeGreaterThanOrEqual(electionMs.median);
      expect(unavailableMs.max).toBeLessThan(electionMs.max + 1_000);
      expect(lostAcknowledgedWrites.max).toBe(0);
      expect(unacknowledgedWrites.count).toBe(4);
      // The old leader takes writes until it notices it lost its quorum; none is acknowledged.
      for (const row of result.rows) expect(row.unacknowledgedWrites).toBeGreaterThan(0);
    }
    const table = formatLeaderPartitionTable(results);
    expect(table.split("\n")).toHaveLength(9);
    expect(table).toMatch(/^leader \+ 1 follower\s+lostAcknowledgedWrites\s+4\s+0\s+0\s+0\s+0\s+0$/m);
  });
});
