// Unit tests of each Raft rule on single members, driven message by message: elections,
// vote rules, AppendEntries consistency and fast backtracking, commit rules, heartbeats,
// check-quorum, the lease, pre-vote, proposals, restart, timers and option validation.
import { describe, expect, it } from "vitest";
import { SimulationError } from "../../../src/sim/errors.js";
import {
  RaftMember,
  initialPersistentState,
  type AppendRequest,
  type AppendResponse,
  type LogEntry,
  type PersistentState,
  type RaftMessage,
  type RaftOptions,
  type Ready,
  type VoteRequest,
} from "../../../src/swarm/raft/index.js";

const timings = { electionTimeoutMs: [100, 200] as [number, number], heartbeatIntervalMs: 10 };
const members = ["a", "b", "c"];

function member(id: string, options: Partial<RaftOptions> = {}, persisted: PersistentState = initialPersistentState(members), nowMs = 0): RaftMember {
  return new RaftMember({ ...timings, random: () => 0.5, ...options, id }, persisted, nowMs);
}

function entry(index: number, term: number, data: unknown = `e${index}`): LogEntry {
  return { index, term, kind: "normal", data };
}

function withLog(entries: LogEntry[], term: number, votedFor: string | null = null, commitIndex = 0): PersistentState {
  return { ...initialPersistentState(members), hardState: { term, votedFor, commitIndex }, entries };
}

/** Takes a Ready and acknowledges it. */
function take(raft: RaftMember): Ready {
  const ready = raft.ready();
  raft.advance();
  return ready;
}

function messagesOf<T extends RaftMessage["type"]>(ready: Ready, type: T): Extract<RaftMessage, { type: T }>[] {
  return ready.messages.filter((message): message is Extract<RaftMessage, { type: T }> => message.type === type);
}

function voteRequest(from: string, to: string, term: number, lastLogIndex: number, lastLogTerm: number, preVote = false): VoteRequest {
  return { type: "vote-request", from, to, term, preVote, transfer: false, lastLogIndex, lastLogTerm };
}

function append(from: string, to: string, term: number, previousLogIndex: number, previousLogTerm: number, entries: LogEntry[], leaderCommitIndex: number): AppendRequest {
  return { type: "append-request", from, to, term, previousLogIndex, previousLogTerm, entries, leaderCommitIndex };
}

function accept(from: string, to: string, term: number, matchIndex: number): AppendResponse {
  return { type: "append-response", from, to, term, success: true, matchIndex, rejectedIndex: 0, conflictTerm: null, conflictIndex: 0 };
}

/** A leader of term 1 for a, with followers b and c, after its election. */
function electedLeader(options: Partial<RaftOptions> = {}): RaftMember {
  const raft = member("a", options);
  take(raft);
  raft.timerFired("election", 150);
  take(raft);
  raft.step({ type: "vote-response", from: "b", to: "a", term: 1, preVote: false, granted: true }, 151);
  expect(raft.status().state).toBe("leader");
  take(raft);
  return raft;
}

describe("elections (§5.2)", () => {
  it("draws the election timeout once per role: word from the leader restarts the timer with the same timeout (etcd)", () => {
    const draws = [0.25, 0.75, 0.5];
    const raft = member("b", { random: () => draws.shift() ?? 0 });
    take(raft);
    raft.step(append("a", "b", 1, 0, 0, [], 0), 10);
    expect(take(raft).timers).toEqual([{ kind: "election", atMs: 10 + 175 }]);
    raft.step(append("a", "b", 1, 0, 0, [], 0), 40);
    expect(take(raft).timers).toEqual([{ kind: "election", atMs: 40 + 175 }]);
    expect(draws).toEqual([0.5]);
  });

  it("arms the election timer uniformly in [minimum, maximum)", () => {
    for (const draw of [0, 0.25, 0.999]) {
      const raft = member("a", { random: () => draw }, initialPersistentState(members), 1_000);
      const timer = raft.ready().timers.find((timer) => timer.kind === "election")!;
      expect(timer.atMs).toBeCloseTo(1_000 + 100 + 100 * draw);
    }
  });

  it("on timeout, becomes candidate of a new term, votes for itself and asks every other member", () => {
    const raft = member("a", {}, withLog([entry(1, 1)], 1));
    take(raft);
    raft.timerFired("election", 150);
    const ready = take(raft);
    expect(raft.status()).toMatchObject({ state: "candidate", term: 2, votedFor: "a" });
    expect(ready.hardState).toEqual({ term: 2, votedFor: "a", commitIndex: 0 });
    expect(messagesOf(ready, "vote-request").map((message) => [message.to, message.term, message.lastLogIndex, message.lastLogTerm])).toEqual([
      ["b", 2, 1, 1],
      ["c", 2, 1, 1],
    ]);
  });

  it("becomes leader with a majority, appends an empty entry of its term and sends it", () => {
    const raft = electedLeader();
    expect(raft.entries(1)).toEqual([{ index: 1, term: 1, kind: "normal", data: null }]);
    const raftStatus = raft.status();
    expect(raftStatus.leader).toBe("a");
  });

  it("returns to follower when a majority rejects", () => {
    const raft = member("a");
    take(raft);
    raft.timerFired("election", 150);
    take(raft);
    raft.step({ type: "vote-response", from: "b", to: "a", term: 1, preVote: false, granted: false }, 151);
    raft.step({ type: "vote-response", from: "c", to: "a", term: 1, preVote: false, granted: false }, 152);
    expect(raft.status().state).toBe("follower");
  });

  it("a single member elects itself at once", () => {
    const raft = member("a", {}, initialPersistentState(["a"]));
    take(raft);
    raft.timerFired("election", 200);
    expect(raft.status().state).toBe("leader");
    take(raft);
    expect(raft.status().commitIndex).toBe(1);
  });
});

describe("vote rules (§5.2, §5.4.1)", () => {
  it("grants at most one vote per term, and repeats it to the same candidate", () => {
    const raft = member("c");
    raft.step(voteRequest("a", "c", 1, 0, 0), 1);
    raft.step(voteRequest("b", "c", 1, 0, 0), 2);
    raft.step(voteRequest("a", "c", 1, 0, 0), 3);
    const responses = messagesOf(take(raft), "vote-response");
    expect(responses.map((response) => [response.to, response.granted])).toEqual([
      ["a", true],
      ["b", false],
      ["a", true],
    ]);
    expect(raft.status().votedFor).toBe("a");
  });

  it("refuses a candidate whose log is less up to date (lower last term, or same term and shorter)", () => {
    const raft = member("c", {}, withLog([entry(1, 1), entry(2, 2)], 2));
    raft.step(voteRequest("a", "c", 3, 5, 1), 1); // longer but older last term
    raft.step(voteRequest("b", "c", 4, 1, 2), 2); // same last term, shorter
    const responses = messagesOf(take(raft), "vote-response");
    expect(responses.map((response) => response.granted)).toEqual([false, false]);
    raft.step(voteRequest("a", "c", 5, 2, 2), 3); // as up to date
    expect(messagesOf(take(raft), "vote-response")[0]!.granted).toBe(true);
  });

  it("a higher term makes any member a follower of that term with no vote", () => {
    const raft = electedLeader({ checkQuorum: false });
    raft.step(voteRequest("b", "a", 5, 0, 0), 200);
    expect(raft.status()).toMatchObject({ state: "follower", term: 5, votedFor: null, leader: null });
  });

  it("ignores messages of lower terms", () => {
    const raft = member("c", { checkQuorum: false }, withLog([], 5));
    take(raft);
    raft.step(append("a", "c", 3, 0, 0, [entry(1, 3)], 1), 1);
    raft.step(voteRequest("a", "c", 3, 9, 9), 2);
    expect(raft.hasReady()).toBe(false);
    expect(raft.status()).toMatchObject({ term: 5, lastLogIndex: 0 });
  });

  it("with check-quorum, answers an old leader's append with its higher term so the old leader steps down", () => {
    const raft = member("c", { checkQuorum: true }, withLog([], 5));
    take(raft);
    raft.step(append("a", "c", 3, 0, 0, [], 0), 1);
    const [response] = messagesOf(take(raft), "append-response");
    expect(response).toMatchObject({ to: "a", term: 5, success: false });
    const oldLeader = electedLeader();
    oldLeader.step({ ...response!, to: "a" }, 300);
    expect(oldLeader.status()).toMatchObject({ state: "follower", term: 5 });
  });

  it("remembers its vote across a restart", () => {
    const raft = member("c");
    raft.step(voteRequest("a", "c", 1, 0, 0), 1);
    const ready = take(raft);
    const restarted = member("c", {}, { ...initialPersistentState(members), hardState: ready.hardState! });
    restarted.step(voteRequest("b", "c", 1, 0, 0), 2);
    expect(messagesOf(take(restarted), "vote-response").at(-1)!.granted).toBe(false);
  });
});

describe("AppendEntries (§5.3)", () => {
  it("rejects when the log is too short, hinting its end", () => {
    const raft = member("b", {}, withLog([entry(1, 1)], 1));
    raft.step(append("a", "b", 2, 5, 2, [entry(6, 2)], 0), 1);
    const [response] = messagesOf(take(raft), "append-response");
    expect(response).toMatchObject({ success: false, rejectedIndex: 5, conflictTerm: null, conflictIndex: 2 });
    expect(raft.status().leader).toBe("a");
  });

  it("rejects on a term mismatch, hinting the conflicting term and where it starts", () => {
    const raft = member("b", {}, withLog([entry(1, 1), entry(2, 2), entry(3, 2), entry(4, 2)], 2));
    raft.step(append("a", "b", 3, 4, 3, [], 0), 1);
    const [response] = messagesOf(take(raft), "append-response");
    expect(response).toMatchObject({ success: false, rejectedIndex: 4, conflictTerm: 2, conflictIndex: 2 });
  });

  it("deletes conflicting entries and all that follow, keeps matching ones, appends new ones", () => {
    const raft = member("b", {}, withLog([entry(1, 1), entry(2, 1), entry(3, 2, "stale"), entry(4, 2, "stale")], 2));
    raft.step(append("a", "b", 3, 1, 1, [entry(2, 1), entry(3, 3, "new")], 0), 1);
    const ready = take(raft);
    expect(raft.entries(1).map((logEntry) => [logEntry.index, logEntry.term])).toEqual([
      [1, 1],
      [2, 1],
      [3, 3],
    ]);
    expect(ready.entries.map((logEntry) => logEntry.index)).toEqual([3]);
    expect(messagesOf(ready, "append-response")[0]).toMatchObject({ success: true, matchIndex: 3 });
  });

  it("commits up to min(leader commit, index of the last new entry)", () => {
    const raft = member("b", {}, withLog([entry(1, 1), entry(2, 1), entry(3, 1)], 1));
    raft.step(append("a", "b", 1, 1, 1, [], 3), 1);
    expect(raft.status().commitIndex).toBe(1);
    raft.step(append("a", "b", 1, 2, 1, [], 3), 2);
    expect(raft.status().commitIndex).toBe(2);
    expect(take(raft).committedEntries.map((logEntry) => logEntry.index)).toEqual([1, 2]);
  });
});

describe("leader replication and commit (§5.3, §5.4.2)", () => {
  it("commits an entry of its term once a majority stores it, and earlier entries with it", () => {
    const raft = electedLeader();
    const proposal = raft.propose("x");
    expect(proposal).toEqual({ ok: true, index: 2, term: 1 });
    raft.step(accept("b", "a", 1, 2), 160);
    expect(raft.status().commitIndex).toBe(2);
    expect(take(raft).committedEntries.map((logEntry) => logEntry.data)).toEqual([null, "x"]);
  });

  it("never commits an entry of an earlier term by counting replicas (Figure 8)", () => {
    const raft = member("a", {}, withLog([entry(1, 1), entry(2, 2, "old")], 2));
    take(raft);
    raft.timerFired("election", 150);
    raft.step({ type: "vote-response", from: "b", to: "a", term: 3, preVote: false, granted: true }, 151);
    expect(raft.status()).toMatchObject({ state: "leader", lastLogIndex: 3 });
    raft.step(accept("b", "a", 3, 2), 152);
    raft.step(accept("c", "a", 3, 2), 153);
    expect(raft.status().commitIndex).toBe(0);
    raft.step(accept("b", "a", 3, 3), 154);
    expect(raft.status().commitIndex).toBe(3);
  });

  it("the commitPreviousTermByCounting bug commits it", () => {
    const raft = member("a", { bugs: { commitPreviousTermByCounting: true } }, withLog([entry(1, 1), entry(2, 2, "old")], 2));
    take(raft);
    raft.timerFired("election", 150);
    raft.step({ type: "vote-response", from: "b", to: "a", term: 3, preVote: false, granted: true }, 151);
    raft.step(accept("b", "a", 3, 2), 152);
    expect(raft.status().commitIndex).toBe(2);
  });

  it("fast backtracking: jumps past the follower's conflicting term, or to its log end", () => {
    const persisted = withLog([entry(1, 1), entry(2, 1), entry(3, 2), entry(4, 2), entry(5, 4)], 4);
    const raft = member("a", { entriesPerMessageMax: 100 }, persisted);
    take(raft);
    raft.timerFired("election", 150);
    raft.step({ type: "vote-response", from: "b", to: "a", term: 5, preVote: false, granted: true }, 151);
    take(raft);
    // b holds term 3 at index 5 from index 3 on: the leader has no term 3, so next = conflictIndex.
    raft.step({ type: "append-response", from: "b", to: "a", term: 5, success: false, matchIndex: 0, rejectedIndex: 5, conflictTerm: 3, conflictIndex: 3 }, 152);
    expect(raft.followerProgress().get("b")!.nextIndex).toBe(3);
    // c holds term 2 at 5 (index 3..5): the leader's last term-2 entry is 4, so next = 5.
    raft.step({ type: "append-response", from: "c", to: "a", term: 5, success: false, matchIndex: 0, rejectedIndex: 5, conflictTerm: 2, conflictIndex: 3 }, 153);
    expect(raft.followerProgress().get("c")!.nextIndex).toBe(5);
    const sent = messagesOf(take(raft), "append-request");
    expect(sent.map((message) => [message.to, message.previousLogIndex])).toEqual([
      ["b", 2],
      ["c", 4],
    ]);
    // A rejection that does not answer the latest probe is stale and ignored.
    raft.step({ type: "append-response", from: "c", to: "a", term: 5, success: false, matchIndex: 0, rejectedIndex: 5, conflictTerm: null, conflictIndex: 1 }, 154);
    expect(raft.followerProgress().get("c")!.nextIndex).toBe(5);
  });

  it("sends heartbeats to every follower at each heartbeat interval", () => {
    const raft = electedLeader();
    raft.timerFired("heartbeat", 161);
    const ready = take(raft);
    expect(messagesOf(ready, "append-request").map((message) => message.to).sort()).toEqual(["b", "c"]);
    expect(ready.timers).toContainEqual({ kind: "heartbeat", atMs: 171 });
  });

  it("a follower refuses proposals and names the leader", () => {
    const raft = member("b");
    raft.step(append("a", "b", 1, 0, 0, [], 0), 1);
    expect(raft.propose("x")).toEqual({ ok: false, reason: "not-leader", leader: "a" });
  });
});

describe("check-quorum and the lease (thesis §6.2, §9.6)", () => {
  it("a leader that heard from no majority within the minimum election timeout steps down", () => {
    const raft = electedLeader({ checkQuorum: true });
    raft.timerFired("check-quorum", 251);
    expect(raft.status()).toMatchObject({ state: "follower", term: 1, leader: null });
  });

  it("a leader that heard from a majority stays", () => {
    const raft = electedLeader({ checkQuorum: true });
    raft.step(accept("b", "a", 1, 1), 240);
    raft.timerFired("check-quorum", 251);
    expect(raft.status().state).toBe("leader");
  });

  it("a follower that heard from its leader recently ignores vote requests of higher terms", () => {
    const raft = member("c", { checkQuorum: true });
    raft.step(append("a", "c", 1, 0, 0, [], 0), 10);
    take(raft);
    raft.step(voteRequest("b", "c", 2, 0, 0), 50);
    expect(raft.hasReady()).toBe(false);
    expect(raft.status().term).toBe(1);
    raft.step(voteRequest("b", "c", 2, 0, 0), 10 + 100);
    expect(raft.status()).toMatchObject({ term: 2, votedFor: "b" });
  });
});

describe("leadership transfer (thesis §3.10, etcd's MsgTransferLeader)", () => {
  it("waits for a lagging transferee to catch up, then tells it to campaign", () => {
    const raft = electedLeader({ checkQuorum: true });
    expect(raft.transferLeadership("b", 160)).toBe(true);
    expect(raft.hasReady()).toBe(false); // the append of entry 1 is still in flight to b
    raft.step(accept("b", "a", 1, 1), 170);
    expect(messagesOf(take(raft), "timeout-now")).toEqual([{ type: "timeout-now", from: "a", to: "b", term: 1 }]);
  });

  it("tells an up-to-date transferee at once, and refuses proposals while handing over", () => {
    const raft = electedLeader();
    raft.step(accept("c", "a", 1, 1), 160);
    take(raft);
    expect(raft.transferLeadership("c", 165)).toBe(true);
    expect(messagesOf(take(raft), "timeout-now").map((message) => message.to)).toEqual(["c"]);
    expect(raft.leadershipTransferee()).toBe("c");
    expect(raft.propose("x")).toEqual({ ok: false, reason: "transferring-leadership", transferee: "c" });
    expect(raft.proposeMembershipChange({ action: "remove", member: "b" })).toMatchObject({ ok: false, reason: "transferring-leadership" });
  });

  it("refuses a transfer to itself, to a non-member, or from a follower", () => {
    const raft = electedLeader();
    expect(raft.transferLeadership("a", 160)).toBe(false);
    expect(raft.transferLeadership("z", 160)).toBe(false);
    expect(member("b").transferLeadership("c", 0)).toBe(false);
  });

  it("abandons the transfer when no new leader emerges within the minimum election timeout", () => {
    const raft = electedLeader();
    raft.transferLeadership("b", 160);
    take(raft);
    raft.timerFired("heartbeat", 200);
    expect(raft.leadershipTransferee()).toBe("b");
    raft.timerFired("heartbeat", 260);
    expect(raft.leadershipTransferee()).toBeNull();
    expect(raft.propose("x")).toMatchObject({ ok: true });
  });

  it("the transferee campaigns at once without pre-vote, and its requests bypass the lease", () => {
    const transferee = member("b", { checkQuorum: true, preVote: true });
    transferee.step(append("a", "b", 1, 0, 0, [entry(1, 1)], 0), 10);
    take(transferee);
    transferee.step({ type: "timeout-now", from: "a", to: "b", term: 1 }, 20);
    const campaign = take(transferee);
    expect(transferee.status()).toMatchObject({ state: "candidate", term: 2, votedFor: "b" });
    const request = messagesOf(campaign, "vote-request").find((message) => message.to === "c")!;
    expect(request).toMatchObject({ preVote: false, transfer: true, term: 2 });

    // c heard from the leader 10 ms ago: an ordinary request is ignored, a transfer's is granted.
    const voter = member("c", { checkQuorum: true });
    voter.step(append("a", "c", 1, 0, 0, [entry(1, 1)], 0), 15);
    take(voter);
    voter.step({ ...request, transfer: false }, 21);
    expect(voter.hasReady()).toBe(false);
    voter.step(request, 21);
    expect(messagesOf(take(voter), "vote-response")[0]).toMatchObject({ granted: true, term: 2 });
  });

  it("a candidate ignores timeout-now", () => {
    const raft = member("b");
    take(raft);
    raft.timerFired("election", 150);
    take(raft);
    raft.step({ type: "timeout-now", from: "a", to: "b", term: 1 }, 151);
    expect(raft.status()).toMatchObject({ state: "candidate", term: 1 });
  });
});

describe("pre-vote (thesis §9.6)", () => {
  it("a pre-candidate keeps its term, asks about term + 1, and campaigns only with a majority", () => {
    const raft = member("a", { preVote: true });
    take(raft);
    raft.timerFired("election", 150);
    const ready = take(raft);
    expect(raft.status()).toMatchObject({ state: "pre-candidate", term: 0, votedFor: null });
    expect(ready.hardState).toBeNull();
    expect(messagesOf(ready, "vote-request").every((message) => message.preVote && message.term === 1)).toBe(true);
    raft.step({ type: "vote-response", from: "b", to: "a", term: 1, preVote: true, granted: true }, 151);
    expect(raft.status()).toMatchObject({ state: "candidate", term: 1, votedFor: "a" });
  });

  it("a receiver answers a pre-vote without changing its term or vote", () => {
    const raft = member("b", { preVote: true });
    raft.step(voteRequest("a", "b", 1, 0, 0, true), 1);
    expect(messagesOf(take(raft), "vote-response")[0]).toMatchObject({ granted: true, term: 1, preVote: true });
    expect(raft.status()).toMatchObject({ term: 0, votedFor: null });
  });
});

describe("timers, restart and options", () => {
  it("ignores a timer firing before its current deadline (a stale timer)", () => {
    const raft = member("a");
    take(raft);
    raft.timerFired("election", 50);
    expect(raft.status().state).toBe("follower");
    raft.timerFired("heartbeat", 500);
    expect(raft.status().state).toBe("follower");
  });

  it("rebuilds from persisted state: term, vote, log and commit index", () => {
    const persisted: PersistentState = withLog([entry(1, 1), entry(2, 2)], 3, "b", 2);
    const raft = member("a", {}, persisted);
    expect(raft.status()).toMatchObject({ term: 3, votedFor: "b", lastLogIndex: 2, lastLogTerm: 2, commitIndex: 2, appliedIndex: 0 });
    expect(take(raft).committedEntries.map((logEntry) => logEntry.index)).toEqual([1, 2]);
  });

  it("the forgetVoteOnRestart bug loses the vote", () => {
    const raft = member("a", { bugs: { forgetVoteOnRestart: true } }, withLog([], 3, "b"));
    expect(raft.status().votedFor).toBeNull();
  });

  it("rejects invalid options", () => {
    expect(() => member("a", { electionTimeoutMs: [200, 100] })).toThrow(SimulationError);
    expect(() => member("a", { heartbeatIntervalMs: 500 })).toThrow(SimulationError);
    expect(() => member("", {})).toThrow(SimulationError);
    expect(() => member("a", { snapshotIntervalEntries: 0 })).toThrow(SimulationError);
  });

  it("refuses ready() twice without advance()", () => {
    const raft = member("a");
    raft.ready();
    expect(() => raft.ready()).toThrow(/advance/);
  });
});
