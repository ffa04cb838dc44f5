/**
 * The `raft-safety` invariant: the five safety properties of Raft (Figure 3 of the paper:
 * Election Safety, Leader Append-Only, Log Matching, Leader Completeness, State Machine Safety),
 * checked by wrapping the simulator's own {@link RaftSafetyChecker} (not a second
 * implementation): every persisted Ready of every member is fed to it, and each violation it
 * finds becomes an {@link InvariantViolation}.
 */
import { RaftSafetyChecker, type RaftCheckerOptions, type RaftViolation } from "../../swarm/raft/index.js";
import type { SimulationEvent } from "../../sim/events.js";
import { ViolationReporter, violationEventsMax, type Invariant, type InvariantContext, type InvariantOptions } from "./types.js";

/** The invariant's name. */
export const raftSafetyName = "raft-safety";

/** Options of `invariants.raftSafety`. */
export interface RaftSafetyOptions extends InvariantOptions {
  /** Bounds of the wrapped checker. */
  readonly checker?: RaftCheckerOptions;
}

/** The wrapped checker, handing each new violation to a callback. */
class ReportingChecker extends RaftSafetyChecker {
  constructor(
    options: RaftCheckerOptions,
    private readonly onViolation: (violation: RaftViolation) => void,
  ) {
    super(options);
  }

  override observe(...parameters: Parameters<RaftSafetyChecker["observe"]>): void {
    const keptBefore = this.violations.length;
    super.observe(...parameters);
    for (let index = keptBefore; index < this.violations.length; index++) this.onViolation(this.violations[index]!);
  }
}

/**
 * `raft-safety`: no two leaders in one term, a leader never rewrites its log within its term,
 * logs agreeing on an (index, term) agree on every entry before it, every leader holds every
 * entry committed in an earlier term, and no two members apply different entries at one index.
 * Limits: it sees members from the moment the watcher starts (a member's log before that is
 * taken on trust); it reports at most the checker's `violationsMax` (100) violations.
 */
export function raftSafety(options: RaftSafetyOptions = {}): Invariant {
  const reporter = new ViolationReporter(raftSafetyName, options);
  let violationNumber = 0;
  /** The latest `raft.state` events (a ring of `violationEventsMax`), attached to violations of their members. */
  const recentStates: SimulationEvent[] = [];
  return {
    name: raftSafetyName,
    description: "Raft's Election Safety, Leader Append-Only, Log Matching, Leader Completeness and State Machine Safety hold",
    eventTypes: ["raft.state"],
    observe(event: SimulationEvent) {
      if (recentStates.length >= violationEventsMax) recentStates.shift();
      recentStates.push(event);
    },
    start(context: InvariantContext) {
      const checker = new ReportingChecker(options.checker ?? {}, (violation) => {
        violationNumber++;
        const where = violation.index === undefined ? "" : ` at index ${violation.index}`;
        reporter.report(context, `${violationNumber}`, {
          hosts: violation.members,
          events: recentStates.filter((event) => "host" in event && violation.members.includes(event.host)),
          message: `${violation.property}${where}, term ${violation.term}: ${violation.detail}`,
        });
      });
      context.observeRaft((member, ready, status) => checker.observe(member, ready, status));
    },
  };
}
