// Golden scenarios: the paper's Figure 8 (with and without the commit-by-counting bug), a
// leader isolated in a minority, a member restarting with an old log, and a partitioned
// member rejoining with a higher term, with and without pre-vote.
import { describe, expect, it } from "vitest";
import { RaftCluster, testTimings } from "./harness.js";

const electionMaximumMs = testTimings.electionTimeoutMs[1];

/** Logs of every member as strings of terms, e.g. "113". */
function termStrings(cluster: RaftCluster): Record<string, string> {
  return Object.fromEntries(cluster.ids.map((id) => [id, cluster.persistedEntries(id).map((entry) => entry.term).join("")]));
}

/**
 * Figure 8 of the Raft paper, with a leader's empty entry on election: (a) s1 leads term 1 and
 * gets x to s2 only; (b) s5 wins term 2 with s3, s4 and appends at index 2, reaching nobody;
 * (c) s1 wins term 3 and replicates x to a majority but not its own term-3 entry; (d) s5 wins
 * term 4 with s3, s4 and overwrites index 2. Without the bug, x was never committed in (c).
 */
function figure8(commitPreviousTermByCounting: boolean): RaftCluster {
  const ids = ["s1", "s2", "s3", "s4", "s5"];
  const cluster = new RaftCluster({
    members: ids,
    autoTimers: false,
    latencyMs: [1, 2],
    raft: { checkQuorum: false, entriesPerMessageMax: 1, bugs: { commitPreviousTermByCounting } },
  });
  cluster.fireTimer("s1", "election");
  cluster.runFor(50);
  cluster.partition(["s1", "s2"], ["s3", "s4", "s5"]);
  cluster.propose("x", "s1");
  cluster.runFor(50);
  expect(termStrings(cluster)).toEqual({ s1: "11", s2: "11", s3: "1", s4: "1", s5: "1" });

  cluster.crash("s1");
  cluster.recover();
  cluster.dropIf((message) => message.from === "s5" && message.type === "append-request");
  cluster.fireTimer("s5", "election");
  cluster.runUntil(() => cluster.status("s5")!.state === "leader", 50);
  cluster.isolate("s5");
  cluster.runFor(50);
  expect(cluster.status("s5")).toMatchObject({ state: "leader", term: 2 });

  cluster.recover();
  cluster.isolate("s5");
  cluster.restart("s1");
  for (let attempt = 0; attempt < 3 && cluster.status("s1")!.state !== "leader"; attempt++) {
    cluster.fireTimer("s1", "election");
    cluster.runUntil(() => cluster.status("s1")!.state === "leader", 50);
  }
  const term = cluster.status("s1")!.term;
  expect(term).toBe(3);
  cluster.dropIf((message) => message.from === "s1" && message.type === "append-request" && message.entries.some((entry) => entry.term === term));
  cluster.runFor(50);
  expect(termStrings(cluster)).toMatchObject({ s1: "113", s3: "11", s4: "11", s5: "12" });
  expect(cluster.status("s1")!.commitIndex).toBe(commitPreviousTermByCounting ? 2 : 1);

  cluster.crash("s1");
  cluster.recover();
  cluster.restart("s5");
  for (let attempt = 0; attempt < 3 && cluster.status("s5")!.state !== "leader"; attempt++) {
    cluster.fireTimer("s5", "election");
    cluster.runUntil(() => cluster.status("s5")!.state === "leader", 50);
  }
  cluster.runFor(100);
  expect(cluster.status("s5")).toMatchObject({ state: "leader", term: 4, commitIndex: 3 });
  return cluster;
}

describe("Figure 8", () => {
  it("a leader never commits an earlier term's entry by counting, so overwriting it later is safe", () => {
    const cluster = figure8(false);
    expect(cluster.checker.violations).toEqual([]);
    expect(cluster.persistedEntries("s3").map((entry) => entry.term)).toEqual([1, 2, 4]);
    expect(cluster.applied("s1")).not.toContain("x");
  });

  it("with commitPreviousTermByCounting the checkers report the committed entry lost", () => {
    const cluster = figure8(true);
    const properties = new Set(cluster.checker.violations.map((violation) => violation.property));
    expect(properties).toEqual(new Set(["leader-completeness", "state-machine-safety"]));
    expect(cluster.checker.violations[0]).toMatchObject({ property: "leader-completeness", members: ["s5", "s1"], index: 2, term: 4 });
  });
});

describe("a leader isolated in a minority", () => {
  it("steps down with check-quorum; the majority elects a new leader; its uncommitted entries are overwritten on heal", () => {
    const ids = ["a", "b", "c", "d", "e"];
    const cluster = new RaftCluster({ members: ids, seed: "minority" });
    expect(cluster.runUntil(() => cluster.stableLeader() !== null, 10 * electionMaximumMs)).toBe(true);
    const oldLeader = cluster.stableLeader()!;
    const companion = ids.find((id) => id !== oldLeader)!;
    const majority = ids.filter((id) => id !== oldLeader && id !== companion);
    cluster.partition([oldLeader, companion], majority);
    const lost = [cluster.propose("lost-1", oldLeader), cluster.propose("lost-2", oldLeader)];
    expect(lost.every((proposal) => proposal !== null)).toBe(true);

    expect(cluster.runUntil(() => cluster.status(oldLeader)!.state !== "leader", 3 * testTimings.electionTimeoutMs[0])).toBe(true);
    expect(cluster.runUntil(() => majority.includes(cluster.stableLeader() ?? ""), 10 * electionMaximumMs)).toBe(true);
    const newLeader = cluster.stableLeader()!;
    cluster.propose("kept", newLeader);
    cluster.runFor(100);

    cluster.recover();
    cluster.runFor(5 * electionMaximumMs);
    for (const id of ids) {
      expect(cluster.applied(id)).toContain("kept");
      expect(cluster.applied(id)).not.toContain("lost-1");
    }
    expect(new Set(ids.map((id) => JSON.stringify(cluster.persistedEntries(id)))).size).toBe(1);
    expect(cluster.checker.violations).toEqual([]);
    expect(cluster.proposals.filter((proposal) => proposal.data.startsWith("lost")).every((proposal) => proposal.acknowledgedAtMs === null)).toBe(true);
  });
});

describe("a member restarting with an old log", () => {
  it("catches up through appends, and through a snapshot once the log was compacted past it", () => {
    for (const snapshotIntervalEntries of [10_000, 20]) {
      const cluster = new RaftCluster({ members: ["a", "b", "c"], seed: "restart", raft: { snapshotIntervalEntries, logEntriesForSlowFollowers: 5 } });
      cluster.recordMessages = true;
      cluster.runUntil(() => cluster.stableLeader() !== null, 10 * electionMaximumMs);
      const leader = cluster.stableLeader()!;
      const follower = ["a", "b", "c"].find((id) => id !== leader)!;
      cluster.propose("before", leader);
      cluster.runFor(100);
      cluster.crash(follower);
      for (let count = 0; count < 100; count++) cluster.propose(`while-down-${count}`, leader);
      cluster.runFor(200);
      cluster.restart(follower);
      expect(cluster.status(follower)!.lastLogIndex).toBeLessThan(cluster.status(leader)!.lastLogIndex);
      cluster.runFor(3 * electionMaximumMs);
      expect(cluster.applied(follower)).toEqual(cluster.applied(leader));
      expect(cluster.applied(follower)).toHaveLength(101);
      const snapshotsSent = cluster.sentMessages.filter((message) => message.type === "snapshot-request" && message.to === follower).length;
      expect(snapshotsSent > 0).toBe(snapshotIntervalEntries === 20);
      expect(cluster.checker.violations).toEqual([]);
    }
  });
});

describe("a partitioned member rejoining with a higher term", () => {
  function rejoin(preVote: boolean): { leaderBefore: string; termBefore: number; cluster: RaftCluster; outsider: string } {
    const ids = ["a", "b", "c"];
    const cluster = new RaftCluster({ members: ids, seed: "rejoin", raft: { preVote, checkQuorum: true } });
    cluster.runUntil(() => cluster.stableLeader() !== null, 10 * electionMaximumMs);
    const leaderBefore = cluster.stableLeader()!;
    const termBefore = cluster.status(leaderBefore)!.term;
    const outsider = ids.find((id) => id !== leaderBefore)!;
    cluster.isolate(outsider);
    cluster.runFor(10 * electionMaximumMs);
    cluster.recover();
    cluster.runFor(5 * electionMaximumMs);
    return { leaderBefore, termBefore, cluster, outsider };
  }

  it("without pre-vote its higher term disrupts the leader (check-quorum makes the leader step down)", () => {
    const { cluster, termBefore, outsider } = rejoin(false);
    expect(cluster.status(outsider)!.term).toBeGreaterThan(termBefore + 3);
    const leader = cluster.stableLeader();
    expect(leader).not.toBeNull();
    expect(cluster.status(leader!)!.term).toBeGreaterThan(termBefore + 3);
    expect(cluster.checker.violations).toEqual([]);
  });

  it("with pre-vote it never raises its term and rejoins under the same leader", () => {
    const { cluster, leaderBefore, termBefore, outsider } = rejoin(true);
    expect(cluster.stableLeader()).toBe(leaderBefore);
    expect(cluster.status(leaderBefore)!.term).toBe(termBefore);
    expect(cluster.status(outsider)).toMatchObject({ state: "follower", term: termBefore, leader: leaderBefore });
    expect(cluster.checker.violations).toEqual([]);
  });
});
