/**
 * The count invariants, checked once a service has settled: `replica-count` (a replicated
 * service runs exactly its replicas) and `global-count` (a global service runs one task on
 * every eligible node). Settled is defined in {@link quietSinceMs}: no fault, no change of the
 * service and no change of any node for the settle window.
 */
import type { SimulationEvent } from "../../sim/events.js";
import type { ClusterState, Service } from "../../swarm/types.js";
import { globalShortfall, quietSinceMs, readyNodeIds, replicatedShortfall, settleMsDefault } from "./desired.js";
import { ViolationReporter, type Invariant, type InvariantContext, type InvariantOptions } from "./types.js";

/** The name of the replicated count invariant. */
export const replicaCountName = "replica-count";
/** The name of the global count invariant. */
export const globalCountName = "global-count";

/** Options of the count invariants. */
export interface CountOptions extends InvariantOptions {
  /** How long a service must have been quiet before its count is checked, virtual ms. Default 60 000. */
  readonly settleMs?: number;
}

function countInvariant(name: string, description: string, mode: Service["spec"]["mode"]["kind"], options: CountOptions): Invariant {
  const reporter = new ViolationReporter(name, options);
  const settleMs = options.settleMs ?? settleMsDefault;
  const evaluate = (context: InvariantContext, state: ClusterState | undefined, events: readonly SimulationEvent[]) => {
    if (state === undefined || context.leader() === undefined) return;
    const ready = readyNodeIds(context, state);
    for (const service of Object.values(state.services)) {
      if (service.spec.mode.kind !== mode) continue;
      const key = `${service.id}`;
      if (context.nowMs - quietSinceMs(context, state, service) < settleMs) continue;
      const shortfall = mode === "replicated" ? replicatedShortfall(context, state, service, ready) : globalShortfall(context, state, service, ready);
      if (shortfall === null) {
        reporter.forget(key);
        continue;
      }
      const hosts = Object.values(state.tasks)
        .filter((task) => task.serviceId === service.id && task.desiredState === "running" && task.nodeId !== "")
        .map((task) => state.nodes[task.nodeId]?.description.hostname ?? task.nodeId);
      reporter.report(context, key, { hosts, events: [...context.recentFaultEvents(), ...events], message: `${shortfall}, though settled for ${settleMs} ms` });
    }
  };
  return {
    name,
    description,
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

/**
 * `replica-count`: a settled replicated service has exactly its `replicas` tasks desired running,
 * each running on a ready node of a powered-on host or pending (no node fits), one per slot.
 * Checked at each entry the live leader applies and at `check()`, only for services settled (no
 * fault seen, no change of the service or of any node, for `settleMs`) and only while a leader
 * is live. Limits: a pending task is accepted without checking that no node could take it; a
 * violation appearing in a quiet cluster is seen at the next applied entry or `check()`.
 */
export function replicaCount(options: CountOptions = {}): Invariant {
  return countInvariant(replicaCountName, "a settled replicated service runs exactly its replicas, one per slot", "replicated", options);
}

/**
 * `global-count`: a settled global service has exactly one task desired running (running, or
 * pending when it does not fit) on every ready, active node meeting its constraints, none
 * running on drained nodes or nodes breaking them, at most one on paused nodes. Checked like
 * `replica-count`, with the same limits.
 */
export function globalCount(options: CountOptions = {}): Invariant {
  return countInvariant(globalCountName, "a settled global service runs one task on every eligible node", "global", options);
}
