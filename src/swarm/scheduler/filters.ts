/**
 * The scheduler's filters and their pipeline (swarmkit's manager/scheduler/filter.go and
 * pipeline.go). Filters run in swarmkit's order, each only when enabled for the task, and a
 * node stops at the first filter that rejects it:
 *
 * 1. ReadyFilter: node status `ready` and availability `active`.
 * 2. ResourceFilter: reserved CPU and memory fit what the node has left (enabled when the task
 *    reserves any).
 * 3. PluginFilter: swarmsim models no plugins, so it is never enabled.
 * 4. ConstraintFilter: the placement constraints (enabled when there are any that parse).
 * 5. PlatformFilter: one of the placement platforms matches the node's (x86_64 = amd64,
 *    aarch64 = arm64, an empty field matches anything).
 * 6. HostPortFilter: no host-mode published port of the task is in use on the node.
 * 7. MaxReplicasFilter: fewer than `placement.maxReplicas` active tasks of the service there.
 *
 * swarmkit's eighth filter (VolumesFilter, CSI cluster volumes) is not modelled.
 *
 * The pipeline counts, per filter, the nodes it rejected since the last node that passed (a
 * node passing resets every count, as in swarmkit); the explanation lists the filters with a
 * count, most rejections first, ties in filter order, joined by "; ".
 */
import type { PortConfig, Task } from "../types.js";
import { compileConstraints, parseConstraints, type NodePredicate } from "./constraint.js";
import { hostPortKeys, type NodeInfo } from "./node-info.js";
import { noSchedulerBugs, type SchedulerBugs } from "./bugs.js";

/** A task as the filters see it: the task and the ports its service publishes. */
export interface FilterTask {
  readonly task: Task;
  readonly ports: readonly PortConfig[];
}

/** A scheduling filter (swarmkit's `Filter` interface). */
export interface SchedulerFilter {
  /** The filter's name, as swarmkit's type name. */
  readonly name: string;
  /** Prepares the filter for a task; false when the filter does not apply to it. */
  setTask(task: FilterTask): boolean;
  /** Whether the prepared task may run on `node`. Only called after `setTask` returned true. */
  check(node: NodeInfo): boolean;
  /** What a rejection by this filter on `nodes` nodes means. */
  explain(nodes: number): string;
}

/** swarmkit's explain wording: `"<singular> 1 node"` or `"<n> nodes"` forms. */
function countNodes(nodes: number, one: string, many: (nodes: number) => string): string {
  return nodes === 1 ? one : many(nodes);
}

/** Node status `ready` and availability `active`. */
export class ReadyFilter implements SchedulerFilter {
  readonly name = "ReadyFilter";
  /** @param bugs - for mutation tests only */
  constructor(private readonly bugs: SchedulerBugs = noSchedulerBugs) {}
  setTask(): boolean {
    return true;
  }
  check(node: NodeInfo): boolean {
    return (node.node.status.state === "ready" || this.bugs.ignoreDownNodes === true) && node.node.spec.availability === "active";
  }
  explain(nodes: number): string {
    return countNodes(nodes, "1 node not available for new tasks", (count) => `${count} nodes not available for new tasks`);
  }
}

/** Reserved CPU and memory fit what is left on the node. */
export class ResourceFilter implements SchedulerFilter {
  readonly name = "ResourceFilter";
  private nanoCpus = 0;
  private memoryBytes = 0;
  setTask(task: FilterTask): boolean {
    const reservations = task.task.spec.resources.reservations;
    if (reservations.nanoCpus === 0 && reservations.memoryBytes === 0) return false;
    this.nanoCpus = reservations.nanoCpus;
    this.memoryBytes = reservations.memoryBytes;
    return true;
  }
  check(node: NodeInfo): boolean {
    return this.nanoCpus <= node.availableNanoCpus && this.memoryBytes <= node.availableMemoryBytes;
  }
  explain(nodes: number): string {
    return countNodes(nodes, "insufficient resources on 1 node", (count) => `insufficient resources on ${count} nodes`);
  }
}

/** Volume, network and log plugins: swarmsim models none, so the filter never applies. */
export class PluginFilter implements SchedulerFilter {
  readonly name = "PluginFilter";
  setTask(): boolean {
    return false;
  }
  check(): boolean {
    return true;
  }
  explain(nodes: number): string {
    return countNodes(nodes, "missing plugin on 1 node", (count) => `missing plugin on ${count} nodes`);
  }
}

/** Placement constraints. Constraints that do not parse disable the filter, as in swarmkit. */
export class ConstraintFilter implements SchedulerFilter {
  readonly name = "ConstraintFilter";
  /** @param bugs - for mutation tests only */
  constructor(private readonly bugs: SchedulerBugs = noSchedulerBugs) {}
  private matches: NodePredicate = () => true;
  setTask(task: FilterTask): boolean {
    const expressions = task.task.spec.placement.constraints;
    if (expressions.length === 0 || this.bugs.ignoreConstraints === true) return false;
    try {
      this.matches = compileConstraints(parseConstraints(expressions));
    } catch {
      // The control API validates constraints; should one slip through, swarmkit ignores them.
      return false;
    }
    return true;
  }
  check(node: NodeInfo): boolean {
    return this.matches(node.node);
  }
  explain(nodes: number): string {
    return countNodes(nodes, "scheduling constraints not satisfied on 1 node", (count) => `scheduling constraints not satisfied on ${count} nodes`);
  }
}

/** swarmkit's architecture normalisation: x86_64 is amd64, aarch64 is arm64. */
export function normalizeArchitecture(architecture: string): string {
  if (architecture === "x86_64") return "amd64";
  if (architecture === "aarch64") return "arm64";
  return architecture;
}

/** The task's supported platforms. */
export class PlatformFilter implements SchedulerFilter {
  readonly name = "PlatformFilter";
  private platforms: readonly { readonly architecture: string; readonly os: string }[] = [];
  setTask(task: FilterTask): boolean {
    this.platforms = task.task.spec.placement.platforms;
    return this.platforms.length > 0;
  }
  check(node: NodeInfo): boolean {
    if (this.platforms.length === 0) return true;
    const nodePlatform = node.node.description.platform;
    const nodeArchitecture = normalizeArchitecture(nodePlatform.architecture);
    for (const platform of this.platforms) {
      const architecture = normalizeArchitecture(platform.architecture);
      if ((architecture === "" || architecture === nodeArchitecture) && (platform.os === "" || platform.os === nodePlatform.os)) return true;
    }
    return false;
  }
  explain(nodes: number): string {
    return countNodes(nodes, "unsupported platform on 1 node", (count) => `unsupported platform on ${count} nodes`);
  }
}

/** Host-mode published ports already in use on the node. */
export class HostPortFilter implements SchedulerFilter {
  readonly name = "HostPortFilter";
  private keys: readonly string[] = [];
  setTask(task: FilterTask): boolean {
    this.keys = hostPortKeys(task.ports);
    return this.keys.length > 0;
  }
  check(node: NodeInfo): boolean {
    for (const key of this.keys) {
      if (node.usesHostPort(key)) return false;
    }
    return true;
  }
  explain(nodes: number): string {
    return countNodes(nodes, "host-mode port already in use on 1 node", (count) => `host-mode port already in use on ${count} nodes`);
  }
}

/** `placement.maxReplicas` active tasks of the service per node. */
export class MaxReplicasFilter implements SchedulerFilter {
  readonly name = "MaxReplicasFilter";
  private serviceId = "";
  private maxReplicas = 0;
  setTask(task: FilterTask): boolean {
    this.maxReplicas = task.task.spec.placement.maxReplicas;
    this.serviceId = task.task.serviceId;
    return this.maxReplicas > 0;
  }
  check(node: NodeInfo): boolean {
    return node.serviceTasks(this.serviceId) < this.maxReplicas;
  }
  /** swarmkit's wording ignores the count (and says "exceed"). */
  explain(): string {
    return "max replicas per node limit exceed";
  }
}

/** The default filters, in swarmkit's order (with `bugs` only for mutation tests). */
export function defaultFilters(bugs: SchedulerBugs = noSchedulerBugs): SchedulerFilter[] {
  return [new ReadyFilter(bugs), new ResourceFilter(), new PluginFilter(), new ConstraintFilter(bugs), new PlatformFilter(), new HostPortFilter(), new MaxReplicasFilter()];
}

/** One filter of a pipeline with its state for the current task. */
interface ChecklistEntry {
  readonly filter: SchedulerFilter;
  enabled: boolean;
  failureCount: number;
}

/** Runs the filters against nodes for one task at a time (swarmkit's `Pipeline`). */
export class Pipeline {
  private readonly checklist: ChecklistEntry[];
  /** The enabled entries for the current task, in filter order. */
  private active: ChecklistEntry[] = [];

  constructor(filters: readonly SchedulerFilter[] = defaultFilters()) {
    this.checklist = filters.map((filter) => ({ filter, enabled: false, failureCount: 0 }));
  }

  /** Prepares every filter for `task` and clears the failure counts. */
  setTask(task: FilterTask): void {
    for (const entry of this.checklist) {
      entry.enabled = entry.filter.setTask(task);
      entry.failureCount = 0;
    }
    this.active = this.checklist.filter((entry) => entry.enabled);
  }

  /** Whether `node` passes every enabled filter; a rejection is counted against the first filter that rejected it. */
  process(node: NodeInfo): boolean {
    const active = this.active;
    for (let index = 0; index < active.length; index++) {
      const entry = active[index]!;
      if (!entry.filter.check(node)) {
        entry.failureCount++;
        return false;
      }
    }
    for (const entry of this.checklist) entry.failureCount = 0;
    return true;
  }

  /** The failure counts per filter name since the last node that passed (filters with none left out). */
  failureCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const entry of this.checklist) if (entry.failureCount > 0) counts[entry.filter.name] = entry.failureCount;
    return counts;
  }

  /** Why the task could not be placed: each rejecting filter's explanation, most rejections first, "" when none. */
  explain(): string {
    // Array.prototype.sort is stable: ties keep filter order, as Go's insertion sort does for so few entries.
    const sorted = this.checklist.filter((entry) => entry.failureCount > 0).sort((left, right) => right.failureCount - left.failureCount);
    return sorted.map((entry) => entry.filter.explain(entry.failureCount)).join("; ");
  }
}
