/**
 * What "converged" means for the count and liveness invariants: for each service, the tasks the
 * cluster should be running given its nodes, compared with what the store says runs; and when a
 * service counts as settled (quiet long enough to be expected converged).
 */
import { agentProcessName } from "../../swarm/node/local-state.js";
import { ConstraintError, nodeMatchesConstraints, parseConstraints } from "../../swarm/scheduler/constraint.js";
import type { ClusterState, Service, SwarmNode, Task } from "../../swarm/types.js";
import type { InvariantContext } from "./types.js";

/** Default settle window of the count invariants: 60 virtual seconds. */
export const settleMsDefault = 60_000;

/** Nodes that are ready and whose hosts are powered on. */
export function readyNodeIds(context: InvariantContext, state: ClusterState): Set<string> {
  const ready = new Set<string>();
  for (const node of Object.values(state.nodes)) {
    if (node.status.state === "ready" && context.hostUp(node.description.hostname)) ready.add(node.id);
  }
  return ready;
}

/** The service's tasks the orchestrator wants running (desired state `running`). */
function intendedTasks(state: ClusterState, service: Service): Task[] {
  return Object.values(state.tasks).filter((task) => task.serviceId === service.id && task.desiredState === "running");
}

/** A task that counts toward the desired count: running on a ready node, or pending (no node fits: constraints or resources). */
function counts(task: Task, ready: ReadonlySet<string>): boolean {
  return (task.status.state === "running" && ready.has(task.nodeId)) || task.status.state === "pending";
}

function matchesConstraints(service: Service, node: SwarmNode): boolean {
  try {
    return nodeMatchesConstraints(parseConstraints(service.spec.task.placement.constraints), node);
  } catch (error) {
    if (error instanceof ConstraintError) return false;
    throw error;
  }
}

/**
 * Why a replicated service is not converged, or null when it is: the tasks desired running that
 * are running on ready nodes of powered-on hosts, plus those pending (the scheduler found no node
 * that fits), must be exactly `replicas`, with no slot twice.
 */
export function replicatedShortfall(context: InvariantContext, state: ClusterState, service: Service, ready: ReadonlySet<string> = readyNodeIds(context, state)): string | null {
  if (service.spec.mode.kind !== "replicated") return null;
  const counted = intendedTasks(state, service).filter((task) => counts(task, ready));
  const slots = new Set<number>();
  for (const task of counted) {
    if (slots.has(task.slot)) return `service ${service.spec.name}: slot ${task.slot} has more than one task desired running`;
    slots.add(task.slot);
  }
  const wanted = service.spec.mode.replicas;
  if (counted.length === wanted) return null;
  const pending = counted.filter((task) => task.status.state === "pending").length;
  return `service ${service.spec.name}: ${counted.length - pending} running and ${pending} pending tasks, ${wanted} replicas wanted`;
}

/**
 * Why a global service is not converged, or null when it is. On every ready node of a powered-on
 * host: an active node meeting the service's constraints has exactly one task desired running
 * (running, or pending when it does not fit); a drained node or one breaking the constraints has
 * none running; a paused node has at most one. Nodes not ready are not looked at.
 */
export function globalShortfall(context: InvariantContext, state: ClusterState, service: Service, ready: ReadonlySet<string> = readyNodeIds(context, state)): string | null {
  if (service.spec.mode.kind !== "global") return null;
  const perNode = new Map<string, number>();
  for (const task of intendedTasks(state, service)) {
    if (counts(task, ready) && task.nodeId !== "") perNode.set(task.nodeId, (perNode.get(task.nodeId) ?? 0) + 1);
  }
  for (const nodeId of ready) {
    const node = state.nodes[nodeId]!;
    const count = perNode.get(nodeId) ?? 0;
    const eligible = matchesConstraints(service, node);
    const availability = node.spec.availability;
    const allowed = !eligible || availability === "drain" ? [0] : availability === "pause" ? [0, 1] : [1];
    if (!allowed.includes(count)) {
      return `service ${service.spec.name}: node ${node.description.hostname} (${availability}${eligible ? "" : ", breaking the constraints"}) has ${count} tasks desired running, ${allowed.join(" or ")} wanted`;
    }
  }
  return null;
}

/** Why the service is not converged, or null. */
export function serviceShortfall(context: InvariantContext, state: ClusterState, service: Service, ready: ReadonlySet<string> = readyNodeIds(context, state)): string | null {
  return service.spec.mode.kind === "replicated" ? replicatedShortfall(context, state, service, ready) : globalShortfall(context, state, service, ready);
}

/**
 * Why the whole cluster is not converged, or null: it is converged when a leader is live, every
 * node whose host is up and runs a swarm agent is ready, and every service is converged, in
 * `state` (default: the most up-to-date live manager's store).
 */
export function clusterShortfall(context: InvariantContext, state: ClusterState | undefined = context.clusterState()): string | null {
  if (context.leader() === undefined) return "no live leader";
  if (state === undefined) return "no live manager";
  for (const node of Object.values(state.nodes)) {
    const host = node.description.hostname;
    if (node.status.state === "ready" || !context.hostUp(host)) continue;
    if (context.processes(host).some((process) => process.name === agentProcessName)) return `node ${host} is ${node.status.state}`;
  }
  const ready = readyNodeIds(context, state);
  for (const service of Object.values(state.services)) {
    const shortfall = serviceShortfall(context, state, service, ready);
    if (shortfall !== null) return shortfall;
  }
  return null;
}

/**
 * Since when a service has been quiet, virtual ms: the latest of the last fault the watcher saw,
 * the service's last change (`updatedAt`: spec updates, scaling, rolling-update progress) and
 * the last change of any node (`updatedAt`: status, availability, labels, role). The service is
 * *settled* at time t when t minus this is at least the settle window.
 */
export function quietSinceMs(context: InvariantContext, state: ClusterState, service: Service): number {
  let since = Math.max(context.lastFaultMs() ?? Number.NEGATIVE_INFINITY, service.updatedAt);
  for (const node of Object.values(state.nodes)) since = Math.max(since, node.updatedAt);
  return since;
}
