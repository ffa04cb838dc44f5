/**
 * The invariant `acknowledged-writes-kept`: a write acknowledged to a client (an entry a Raft
 * member applied, which it does only once the entry is committed) is never lost or replaced.
 */
import type { SimulationEvent } from "../../sim/events.js";
import { ViolationReporter, type Invariant, type InvariantContext, type InvariantOptions } from "./types.js";

/** The invariant's name. */
export const acknowledgedWritesKeptName = "acknowledged-writes-kept";

/** Default bound `acknowledgedEntriesTrackedMax`: most applied log indexes remembered (later ones are not checked live). */
export const acknowledgedEntriesTrackedMax = 1_000_000;

/** Options of `invariants.acknowledgedWritesKept`. */
export interface AcknowledgedWritesOptions extends InvariantOptions {
  /** Most applied log indexes remembered. Default `acknowledgedEntriesTrackedMax`. */
  readonly trackedEntriesMax?: number;
}

/**
 * `acknowledged-writes-kept`: (live) every member that applies log index i applies the entry of
 * the same term the first member to apply i applied (`raft.commit` events: an acknowledged entry
 * is never replaced by another); (after the run) every write `probeWrites` saw acknowledged is
 * in the applied log of the final live leader, at its index, with its data. Limits: members
 * restored from a snapshot skip the events of the entries it covers; the after-the-run part
 * needs a Raft-only group (`engine: false`) probed with `probeWrites` and a live leader, and the
 * run must last long enough after probing for that leader to apply what is committed.
 */
export function acknowledgedWritesKept(options: AcknowledgedWritesOptions = {}): Invariant {
  const reporter = new ViolationReporter(acknowledgedWritesKeptName, options);
  const trackedMax = options.trackedEntriesMax ?? acknowledgedEntriesTrackedMax;
  /** The first application seen of each index. */
  const firstApplied = new Map<number, Extract<SimulationEvent, { type: "raft.commit" }>>();
  return {
    name: acknowledgedWritesKeptName,
    description: "an applied (acknowledged) write is never replaced or lost",
    eventTypes: ["raft.commit"],
    observe(event: SimulationEvent, context: InvariantContext) {
      if (event.type !== "raft.commit") return;
      const first = firstApplied.get(event.index);
      if (first === undefined) {
        if (firstApplied.size < trackedMax) firstApplied.set(event.index, event);
        return;
      }
      if (first.term === event.term) return;
      reporter.report(context, `index/${event.index}`, {
        hosts: [first.host, event.host],
        events: [first, event],
        message: `${first.host} applied (acknowledged) the entry of term ${first.term} at index ${event.index}; ${event.host} later applied one of term ${event.term} there`,
      });
    },
    check(context: InvariantContext) {
      const record = context.writeProbes();
      const leader = context.leader();
      if (record === undefined || leader === undefined) return;
      const applied = context.appliedEntries(leader.host);
      if (applied === undefined) return;
      const dataAt = new Map<number, unknown>();
      for (const entry of applied) dataAt.set(entry.index, entry.data);
      for (const probe of record.probes) {
        if (probe.committedAtMs === null || dataAt.get(probe.index) === probe.data) continue;
        reporter.report(context, `probe/${probe.data}`, {
          hosts: [probe.host, leader.host],
          events: [],
          message: `write ${probe.data} acknowledged by ${probe.host} at ${probe.committedAtMs} ms (index ${probe.index}, term ${probe.term}) is missing from leader ${leader.host}'s applied log`,
        });
      }
    },
  };
}
