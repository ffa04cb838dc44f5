// Single-server membership changes (thesis §4.1): effective when appended, one at a time,
// joiners catching up (through a snapshot when the log was compacted), removed members and a
// removed leader stopping, and the quorum helper used before demoting a manager.
import { describe, expect, it } from "vitest";
import { removalWouldLoseQuorum, quorumSize, hasReachableQuorum } from "../../../src/swarm/raft/index.js";
import { RaftCluster, testTimings } from "./harness.js";

const electionMaximumMs = testTimings.electionTimeoutMs[1];

function startedCluster(options: ConstructorParameters<typeof RaftCluster>[0]): { cluster: RaftCluster; leader: string } {
  const cluster = new RaftCluster(options);
  expect(cluster.runUntil(() => cluster.stableLeader() !== null, 10 * electionMaximumMs)).toBe(true);
  return { cluster, leader: cluster.stableLeader()! };
}

describe("membership changes", () => {
  it("adds a joiner: the configuration changes when the entry is appended; a second change waits for the commit", () => {
    const { cluster, leader } = startedCluster({ members: ["a", "b", "c"], joiners: ["d"], seed: "join", raft: { snapshotIntervalEntries: 20, logEntriesForSlowFollowers: 2 } });
    for (let count = 0; count < 50; count++) cluster.propose(`before-${count}`, leader);
    cluster.runFor(200);
    cluster.recordMessages = true;
    const raft = cluster.member(leader);
    expect(raft.proposeMembershipChange({ action: "add", member: "d" })).toMatchObject({ ok: true });
    expect(raft.status().members).toEqual(["a", "b", "c", "d"]);
    expect(raft.proposeMembershipChange({ action: "remove", member: "c" })).toEqual({ ok: false, reason: "membership-change-pending" });
    cluster.runFor(2 * electionMaximumMs);
    expect(cluster.status("d")).toMatchObject({ members: ["a", "b", "c", "d"], leader });
    expect(cluster.applied("d")).toEqual(cluster.applied(leader));
    expect(cluster.sentMessages.some((message) => message.type === "snapshot-request" && message.to === "d")).toBe(true);
    expect(raft.proposeMembershipChange({ action: "add", member: "d" })).toEqual({ ok: false, reason: "already-member", member: "d" });
    expect(raft.proposeMembershipChange({ action: "remove", member: "x" })).toEqual({ ok: false, reason: "not-a-member", member: "x" });
    expect(cluster.checker.violations).toEqual([]);
  });

  it("a joiner without a configuration never campaigns", () => {
    const cluster = new RaftCluster({ members: ["a"], joiners: ["d"], seed: "joiner-waits" });
    cluster.isolate("d");
    cluster.runFor(10 * electionMaximumMs);
    expect(cluster.status("d")).toMatchObject({ state: "follower", term: 0, members: [] });
  });

  it("a removed follower stops taking part; the rest keep committing", () => {
    const { cluster, leader } = startedCluster({ members: ["a", "b", "c"], seed: "remove" });
    const removed = ["a", "b", "c"].find((id) => id !== leader)!;
    expect(cluster.member(leader).proposeMembershipChange({ action: "remove", member: removed })).toMatchObject({ ok: true });
    cluster.runFor(200);
    expect(cluster.status(removed)!.members).not.toContain(removed);
    const termBefore = cluster.status(removed)!.term;
    cluster.isolate(removed);
    cluster.runFor(10 * electionMaximumMs);
    expect(cluster.status(removed)).toMatchObject({ state: "follower", term: termBefore });
    cluster.propose("after", leader);
    cluster.runFor(200);
    expect(cluster.status(leader)!.members).toHaveLength(2);
    expect(cluster.applied(leader)).toContain("after");
    expect(cluster.checker.violations).toEqual([]);
  });

  it("a removed leader steps down once the removal commits, and the others elect a leader", () => {
    const { cluster, leader } = startedCluster({ members: ["a", "b", "c"], seed: "remove-leader" });
    expect(cluster.member(leader).proposeMembershipChange({ action: "remove", member: leader })).toMatchObject({ ok: true });
    cluster.runFor(100);
    expect(cluster.status(leader)!.state).toBe("follower");
    expect(cluster.runUntil(() => (cluster.stableLeader() ?? leader) !== leader, 10 * electionMaximumMs)).toBe(true);
    cluster.runFor(10 * electionMaximumMs);
    expect(cluster.status(leader)!.state).toBe("follower");
    expect(cluster.checker.violations).toEqual([]);
  });

  it("removalWouldLoseQuorum counts the reachable members of the remaining configuration", () => {
    expect(quorumSize(0)).toBe(0);
    expect(quorumSize(3)).toBe(2);
    expect(quorumSize(4)).toBe(3);
    expect(removalWouldLoseQuorum(["a", "b", "c"], ["a", "b", "c"], "c")).toBe(false);
    expect(removalWouldLoseQuorum(["a", "b", "c"], ["a", "c"], "c")).toBe(true); // {a, b} with b unreachable
    expect(removalWouldLoseQuorum(["a", "b", "c", "d", "e"], ["a", "b", "c"], "e")).toBe(false);
    expect(removalWouldLoseQuorum(["a", "b", "c", "d", "e"], ["a", "b", "e"], "e")).toBe(true);
    expect(removalWouldLoseQuorum(["a"], ["a"], "a")).toBe(true);
    expect(hasReachableQuorum(["a", "b", "c"], ["a"])).toBe(false);
  });

  it("the leader reports reachable members for that check", () => {
    const { cluster, leader } = startedCluster({ members: ["a", "b", "c"], seed: "reachable" });
    const other = ["a", "b", "c"].find((id) => id !== leader)!;
    cluster.isolate(other);
    cluster.runFor(2 * testTimings.electionTimeoutMs[0]);
    const reachable = cluster.member(leader).reachableMembers(cluster.now);
    expect(reachable).not.toContain(other);
    expect(removalWouldLoseQuorum(cluster.status(leader)!.members, reachable, leader)).toBe(true);
  });
});
