/**
 * A process running only a Raft member, replicating a log of proposals: the Raft group of a
 * swarm's managers as it is before swarm mode puts the cluster store on top. Used by
 * `Simulation.swarm` and by Raft experiments and benchmarks.
 */
import type { ProcessAddress } from "../../sim/events.js";
import type { ProcessBehaviour, ProcessContext } from "../../sim/process.js";
import { boundExceeded } from "../../sim/errors.js";
import type { LogEntry } from "../raft/index.js";
import { RaftNode, type RaftObservers, type RaftSettings, type ReplicatedStateMachine } from "./raft-node.js";

/** The process name of Raft members. */
export const raftProcessName = "raft";
/** Bound `appliedProposalsMax`: proposals a member keeps in its replicated log (older ones are dropped from memory). */
export const appliedProposalsMax = 1_000_000;

/** One applied proposal. */
export interface AppliedProposal {
  readonly index: number;
  readonly term: number;
  readonly data: unknown;
}

/** The replicated state machine: the list of applied proposals. */
export class ProposalLog implements ReplicatedStateMachine {
  applied: AppliedProposal[] = [];

  apply(entry: LogEntry): void {
    if (entry.kind !== "normal" || entry.data === null) return;
    if (this.applied.length >= appliedProposalsMax) boundExceeded("appliedProposalsMax", appliedProposalsMax, "applied proposals");
    this.applied.push({ index: entry.index, term: entry.term, data: entry.data });
  }

  snapshot(): unknown {
    return this.applied.slice();
  }

  restore(data: unknown): void {
    this.applied = Array.isArray(data) ? (data as AppliedProposal[]).slice() : [];
  }
}

/** The behaviour of a Raft-only member. */
export class RaftProcess implements ProcessBehaviour {
  /** The member, once started. */
  node: RaftNode | null = null;
  /** Its state machine. */
  readonly log = new ProposalLog();

  constructor(
    private readonly settings: RaftSettings,
    private readonly initialMembers: readonly string[],
    private readonly observers: RaftObservers | null,
  ) {}

  start(context: ProcessContext): void {
    this.node = new RaftNode(context, raftProcessName, this.settings, this.initialMembers, this.log, this.observers);
  }

  receive(context: ProcessContext, message: unknown, from: ProcessAddress): void {
    this.node?.receive(message, from);
    if (this.node?.removed) context.exit(0);
  }

  timer(context: ProcessContext, payload: unknown): void {
    this.node?.timer(payload);
    if (this.node?.removed) context.exit(0);
  }
}
