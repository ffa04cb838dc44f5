/**
 * The liveness invariant `convergence-after-heal`: once faults stop, the cluster converges
 * (a live leader, every node of a running agent ready, every service at its desired count)
 * within a given time. Checked only after the last fault; a new fault starts a new deadline.
 */
import type { SimulationEvent } from "../../sim/events.js";
import type { ClusterState } from "../../swarm/types.js";
import { clusterShortfall } from "./desired.js";
import { ViolationReporter, type Invariant, type InvariantContext, type InvariantOptions } from "./types.js";

/** The invariant's name. */
export const convergenceAfterHealName = "convergence-after-heal";

/** Default deadline of `convergence-after-heal`: 120 virtual seconds after the last fault. */
export const convergenceWithinMsDefault = 120_000;

/** Options of `invariants.convergenceAfterHeal`. */
export interface ConvergenceOptions extends InvariantOptions {
  /** How long after the last fault the cluster must have converged, virtual ms. Default 120 000. */
  readonly withinMs?: number;
}

/**
 * `convergence-after-heal`: after the last fault the watcher saw (at time L), the cluster is seen
 * converged at some moment no later than L + `withinMs`: a live leader, every node whose host
 * is up and runs a swarm agent ready, every replicated service at its replicas and every global
 * service on each eligible node (as `replica-count` and `global-count` define them, without a
 * settle window). Convergence is looked at on each entry the live leader applies and at
 * `check()`; a violation is reported (once per fault) when a look at or after the deadline finds
 * the cluster not yet seen converged. Limits: with no fault seen nothing is checked; if the run
 * ends before the deadline nothing is reported (undecided); a fault that is never repaired (a
 * crashed host left down) is fine only if the rest of the cluster can still converge; in a
 * quiet cluster a late convergence is decided at the next applied entry or `check()`.
 */
export function convergenceAfterHeal(options: ConvergenceOptions = {}): Invariant {
  const reporter = new ViolationReporter(convergenceAfterHealName, options);
  const withinMs = options.withinMs ?? convergenceWithinMsDefault;
  /** The fault time whose convergence is decided (seen converged in time, or reported). */
  let decidedForMs: number | null = null;
  const evaluate = (context: InvariantContext, state: ClusterState | undefined, events: readonly SimulationEvent[]) => {
    const lastFaultMs = context.lastFaultMs();
    if (lastFaultMs === null || decidedForMs === lastFaultMs) return;
    const elapsedMs = context.nowMs - lastFaultMs;
    const shortfall = clusterShortfall(context, state);
    if (shortfall === null && elapsedMs <= withinMs) {
      decidedForMs = lastFaultMs;
      return;
    }
    if (elapsedMs < withinMs) return;
    decidedForMs = lastFaultMs;
    const hosts = context.hostNames().filter((host) => !context.hostUp(host) || state === undefined || Object.values(state.nodes).some((node) => node.description.hostname === host && node.status.state !== "ready"));
    const what = shortfall === null ? `converged only ${elapsedMs} ms after the last fault` : `not converged ${elapsedMs} ms after the last fault (${shortfall})`;
    reporter.report(context, `${lastFaultMs}`, { hosts, events: [...context.recentFaultEvents(), ...events], message: `${what}; wanted within ${withinMs} ms` });
  };
  return {
    name: convergenceAfterHealName,
    description: "after the last fault the cluster converges within the given time",
    eventTypes: ["raft.commit"],
    observe(event: SimulationEvent, context: InvariantContext) {
      // The leader's own store: during its raft.commit it is ahead of what clusterState() picks.
      if (event.type === "raft.commit" && context.leader()?.host === event.host) evaluate(context, context.managerStore(event.host)?.state, [event]);
    },
    check(context: InvariantContext) {
      evaluate(context, context.clusterState(), []);
    },
  };
}
