/**
 * Options of a Raft member, their defaults (swarmkit's settings, in milliseconds with a
 * one-second tick) and their validation. Includes the mutation switches that deliberately
 * break one Raft rule each, so tests can show the safety checkers catch them.
 */
import { SimulationError } from "../../sim/errors.js";

/** Switches that each break one rule on purpose, for mutation tests. All default to false. */
export interface RaftBugs {
  /** Grant a vote even when another member already got this member's vote in the term. */
  readonly voteTwiceInTerm?: boolean;
  /** Grant votes without the "candidate's log is at least as up to date" check (§5.4.1). */
  readonly skipUpToDateCheck?: boolean;
  /** Let a leader commit entries of earlier terms by counting replicas (the paper's Figure 8 error). */
  readonly commitPreviousTermByCounting?: boolean;
  /** Lose `votedFor` when rebuilt from persisted state, as if the vote had never been fsynced. */
  readonly forgetVoteOnRestart?: boolean;
}

/** Options of one member. */
export interface RaftOptions {
  /** This member's id (a host name in practice). */
  readonly id: string;
  /** Election timeout range [minimum, maximum) in ms; each wait is drawn uniformly (minimum == maximum: no randomness). Default [10_000, 20_000). */
  readonly electionTimeoutMs?: readonly [number, number];
  /** Interval between a leader's heartbeats in ms. Default 1_000. */
  readonly heartbeatIntervalMs?: number;
  /** A leader steps down when it has not heard from a majority within the minimum election timeout; followers that heard from a leader within it ignore vote requests. Default true. */
  readonly checkQuorum?: boolean;
  /** Campaign in a pre-vote phase first, so a member that cannot win does not raise terms. Default false. */
  readonly preVote?: boolean;
  /** Applied entries between snapshot requests. Default 10_000. */
  readonly snapshotIntervalEntries?: number;
  /** Entries kept before a snapshot's index when compacting, for slow followers. Default 500. */
  readonly logEntriesForSlowFollowers?: number;
  /** Most entries in one append request. Default 64. */
  readonly entriesPerMessageMax?: number;
  /** Most append requests in flight to one follower while replicating. Default 256. */
  readonly inflightMessagesMax?: number;
  /** Most entries held in memory; exceeding it stops the run (a runaway log). Default 1_000_000. */
  readonly logEntriesMax?: number;
  /** Most messages queued for one Ready; exceeding it stops the run. Default 100_000. */
  readonly readyMessagesMax?: number;
  /** A random number in [0, 1); the only source of randomness (election timeouts). */
  readonly random: () => number;
  /** Mutation switches; all off by default. */
  readonly bugs?: RaftBugs;
}

/** Options with every default filled in. */
export interface ResolvedRaftOptions {
  /** See {@link RaftOptions.id}. */
  readonly id: string;
  /** See {@link RaftOptions.electionTimeoutMs}. */
  readonly electionTimeoutMs: readonly [number, number];
  /** See {@link RaftOptions.heartbeatIntervalMs}. */
  readonly heartbeatIntervalMs: number;
  /** See {@link RaftOptions.checkQuorum}. */
  readonly checkQuorum: boolean;
  /** See {@link RaftOptions.preVote}. */
  readonly preVote: boolean;
  /** See {@link RaftOptions.snapshotIntervalEntries}. */
  readonly snapshotIntervalEntries: number;
  /** See {@link RaftOptions.logEntriesForSlowFollowers}. */
  readonly logEntriesForSlowFollowers: number;
  /** See {@link RaftOptions.entriesPerMessageMax}. */
  readonly entriesPerMessageMax: number;
  /** See {@link RaftOptions.inflightMessagesMax}. */
  readonly inflightMessagesMax: number;
  /** See {@link RaftOptions.logEntriesMax}. */
  readonly logEntriesMax: number;
  /** See {@link RaftOptions.readyMessagesMax}. */
  readonly readyMessagesMax: number;
  /** See {@link RaftOptions.random}. */
  readonly random: () => number;
  /** See {@link RaftOptions.bugs}. */
  readonly bugs: Required<RaftBugs>;
}

/** swarmkit's defaults: a 1 s tick, heartbeat every tick, elections after 10-20 ticks. */
export const defaultRaftOptions = {
  electionTimeoutMs: [10_000, 20_000] as readonly [number, number],
  heartbeatIntervalMs: 1_000,
  checkQuorum: true,
  preVote: false,
  snapshotIntervalEntries: 10_000,
  logEntriesForSlowFollowers: 500,
  entriesPerMessageMax: 64,
  inflightMessagesMax: 256,
  logEntriesMax: 1_000_000,
  readyMessagesMax: 100_000,
} as const;

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new SimulationError(`invalid Raft option ${name} ${JSON.stringify(value)}: expected a positive integer`);
  }
  return value;
}

/** Fills in defaults and checks every option; throws a {@link SimulationError} on a bad one. */
export function resolveRaftOptions(options: RaftOptions): ResolvedRaftOptions {
  if (typeof options.id !== "string" || options.id.length === 0) {
    throw new SimulationError(`invalid Raft member id ${JSON.stringify(options.id)}`);
  }
  const electionTimeoutMs = options.electionTimeoutMs ?? defaultRaftOptions.electionTimeoutMs;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? defaultRaftOptions.heartbeatIntervalMs;
  const [minimumMs, maximumMs] = electionTimeoutMs;
  // minimum == maximum is allowed: no randomization at all (the Raft paper's 150-150 ms case).
  if (!(minimumMs > 0 && maximumMs >= minimumMs)) {
    throw new SimulationError(`invalid Raft option electionTimeoutMs ${JSON.stringify(electionTimeoutMs)}: expected 0 < minimum <= maximum`);
  }
  if (!(heartbeatIntervalMs > 0 && heartbeatIntervalMs < minimumMs)) {
    throw new SimulationError(`invalid Raft option heartbeatIntervalMs ${heartbeatIntervalMs}: expected 0 < heartbeat < minimum election timeout`);
  }
  return {
    id: options.id,
    electionTimeoutMs: [minimumMs, maximumMs],
    heartbeatIntervalMs,
    checkQuorum: options.checkQuorum ?? defaultRaftOptions.checkQuorum,
    preVote: options.preVote ?? defaultRaftOptions.preVote,
    snapshotIntervalEntries: positiveInteger("snapshotIntervalEntries", options.snapshotIntervalEntries ?? defaultRaftOptions.snapshotIntervalEntries),
    logEntriesForSlowFollowers: Math.max(0, Math.floor(options.logEntriesForSlowFollowers ?? defaultRaftOptions.logEntriesForSlowFollowers)),
    entriesPerMessageMax: positiveInteger("entriesPerMessageMax", options.entriesPerMessageMax ?? defaultRaftOptions.entriesPerMessageMax),
    inflightMessagesMax: positiveInteger("inflightMessagesMax", options.inflightMessagesMax ?? defaultRaftOptions.inflightMessagesMax),
    logEntriesMax: positiveInteger("logEntriesMax", options.logEntriesMax ?? defaultRaftOptions.logEntriesMax),
    readyMessagesMax: positiveInteger("readyMessagesMax", options.readyMessagesMax ?? defaultRaftOptions.readyMessagesMax),
    random: options.random,
    bugs: {
      voteTwiceInTerm: options.bugs?.voteTwiceInTerm ?? false,
      skipUpToDateCheck: options.bugs?.skipUpToDateCheck ?? false,
      commitPreviousTermByCounting: options.bugs?.commitPreviousTermByCounting ?? false,
      forgetVoteOnRestart: options.bugs?.forgetVoteOnRestart ?? false,
    },
  };
}
