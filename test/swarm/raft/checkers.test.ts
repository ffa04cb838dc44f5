// Unit tests of the safety checkers on hand-made Readies and statuses: each property is
// reported with the members, index and term involved, and a correct history reports nothing.
import { describe, expect, it } from "vitest";
import { RaftSafetyChecker, type LogEntry, type RaftStatus, type Ready } from "../../../src/swarm/raft/index.js";

function status(id: string, state: RaftStatus["state"], term: number): RaftStatus {
  return { id, state, term, leader: state === "leader" ? id : null, votedFor: null, commitIndex: 0, appliedIndex: 0, lastLogIndex: 0, lastLogTerm: 0, snapshotIndex: 0, members: ["a", "b", "c"] };
}

function ready(entries: LogEntry[] = [], committedEntries: LogEntry[] = []): Ready {
  return { hardState: null, snapshot: null, restoreStateMachine: false, compactedThroughIndex: null, entries, messages: [], committedEntries, timers: [], softState: null, snapshotWanted: null };
}

function entry(index: number, term: number, data: unknown = `d${index}/${term}`): LogEntry {
  return { index, term, kind: "normal", data };
}

describe("RaftSafetyChecker", () => {
  it("reports nothing for a correct history", () => {
    const checker = new RaftSafetyChecker();
    checker.observe("a", ready([entry(1, 1)]), status("a", "leader", 1));
    checker.observe("b", ready([entry(1, 1)]), status("b", "follower", 1));
    checker.observe("a", ready([entry(2, 1)], [entry(1, 1)]), status("a", "leader", 1));
    checker.observe("b", ready([entry(2, 1)], [entry(1, 1)]), status("b", "follower", 1));
    checker.observe("b", ready([entry(3, 2)]), status("b", "leader", 2));
    expect(checker.violations).toEqual([]);
  });

  it("election safety: two leaders in one term", () => {
    const checker = new RaftSafetyChecker();
    checker.observe("a", null, status("a", "leader", 3));
    checker.observe("b", null, status("b", "leader", 3));
    expect(checker.violations).toEqual([expect.objectContaining({ property: "election-safety", members: ["a", "b"], term: 3 })]);
  });

  it("leader append-only: a leader rewriting its log", () => {
    const checker = new RaftSafetyChecker();
    checker.observe("a", ready([entry(1, 1), entry(2, 1)]), status("a", "leader", 1));
    checker.observe("a", ready([entry(2, 1, "other")]), status("a", "leader", 1));
    expect(checker.violations[0]).toMatchObject({ property: "leader-append-only", members: ["a"], index: 2, term: 1 });
    expect(checker.violations[1]).toMatchObject({ property: "log-matching", index: 2 }); // the rewritten entry also breaks log matching
  });

  it("log matching: the same index and term over different prefixes", () => {
    const checker = new RaftSafetyChecker();
    checker.observe("a", ready([entry(1, 1, "x"), entry(2, 2)]), status("a", "follower", 2));
    checker.observe("b", ready([entry(1, 1, "y"), entry(2, 2)]), status("b", "follower", 2));
    expect(checker.violations.map((violation) => [violation.property, violation.index])).toEqual([
      ["log-matching", 1],
      ["log-matching", 2],
    ]);
  });

  it("state machine safety: two members applying different entries at one index", () => {
    const checker = new RaftSafetyChecker();
    checker.observe("a", ready([entry(1, 1)], [entry(1, 1)]), status("a", "follower", 1));
    checker.observe("b", ready([entry(1, 2)], [entry(1, 2)]), status("b", "follower", 2));
    expect(checker.violations).toEqual([expect.objectContaining({ property: "state-machine-safety", members: ["a", "b"], index: 1 })]);
  });

  it("leader completeness: a leader of a later term missing a committed entry", () => {
    const checker = new RaftSafetyChecker();
    checker.observe("a", ready([entry(1, 1)], [entry(1, 1)]), status("a", "leader", 1));
    checker.observe("c", ready([entry(1, 2)]), status("c", "leader", 2));
    expect(checker.violations).toEqual([expect.objectContaining({ property: "leader-completeness", members: ["c", "a"], index: 1, term: 2 })]);
  });
});
