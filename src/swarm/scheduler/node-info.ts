/**
 * What the scheduler knows about one node (swarmkit's manager/scheduler/nodeinfo.go): the
 * resources still free, how many active tasks it runs (in all and per service), the host-mode
 * ports in use, and the recent failures of the service being scheduled.
 *
 * A task counts against the node's resources and ports from `assigned` to `running`, whatever
 * its desired state; it counts as *active* (for spreading and `maxReplicas`) only while its
 * desired state is at most `complete`, as swarmkit's `ActiveTasksCount`.
 */
import type { PortConfig, Service, SwarmNode, Task } from "../types.js";
import { taskStates } from "../types.js";

/** swarmkit's `monitorFailures`: the lookback window for counting a service's failures on a node, in ms (5 minutes). */
export const monitorFailuresMs = 5 * 60 * 1_000;

/** swarmkit's `maxFailures`: this many recent failures of a service on a node push the node last for that service. */
export const maxFailures = 5;

/** What a task takes from a node: resources, host-mode ports, and whether it counts as active. */
export interface TaskFootprint {
  readonly serviceId: string;
  /** Reserved CPU, in billionths of a CPU. */
  readonly nanoCpus: number;
  /** Reserved memory, in bytes. */
  readonly memoryBytes: number;
  /** Host-mode published ports, as `protocol/port` keys. */
  readonly hostPortKeys: readonly string[];
  /** Whether the task's desired state is at most `complete` (swarmkit's active tasks). */
  readonly active: boolean;
}

/** The key of a host-mode published port: `tcp/8080`. */
export function hostPortKey(port: PortConfig): string {
  return `${port.protocol}/${port.publishedPort}`;
}

/**
 * The ports a service's tasks publish. swarmsim's tasks carry no endpoint of their own, so the
 * service's allocated endpoint stands for it (its spec until the allocator has run).
 */
export function servicePorts(service: Service | undefined): readonly PortConfig[] {
  if (service === undefined) return [];
  return service.endpoint.ports.length > 0 ? service.endpoint.ports : service.spec.endpoint.ports;
}

/** The host-mode published ports (non-zero) among `ports`, as keys. */
export function hostPortKeys(ports: readonly PortConfig[]): string[] {
  const keys: string[] = [];
  for (const port of ports) {
    if (port.publishMode === "host" && port.publishedPort !== 0) keys.push(hostPortKey(port));
  }
  return keys;
}

/** A task's footprint on a node, given its service's ports. */
export function taskFootprint(task: Task, ports: readonly PortConfig[]): TaskFootprint {
  const reservations = task.spec.resources.reservations;
  return {
    serviceId: task.serviceId,
    nanoCpus: reservations.nanoCpus,
    memoryBytes: reservations.memoryBytes,
    hostPortKeys: hostPortKeys(ports),
    active: taskStates[task.desiredState] <= taskStates.complete,
  };
}

/** One node as the scheduler sees it. Mutable: the scheduler adds the tasks it places. */
export class NodeInfo {
  /** The node's id. */
  readonly id: string;
  /** The node object. */
  readonly node: SwarmNode;
  /** CPU not reserved by the node's tasks, in billionths of a CPU (negative when over-committed). */
  availableNanoCpus: number;
  /** Memory not reserved by the node's tasks, in bytes (negative when over-committed). */
  availableMemoryBytes: number;
  /** Active tasks on the node. */
  activeTasksCount = 0;
  /** Active tasks on the node, per service id (null until the first). */
  private tasksByService: Map<string, number> | null = null;
  /** Host-mode ports in use, as `protocol/port` keys (null until the first). */
  private hostPorts: Set<string> | null = null;
  /** The service of the task group being scheduled (scratch, set by the scheduler per group). */
  groupServiceId = "";
  /** Active tasks of `groupServiceId` on the node (scratch). */
  groupServiceTasks = 0;
  /** Recent failures of the group's service version on the node (scratch). */
  groupRecentFailures = 0;

  constructor(node: SwarmNode) {
    this.id = node.id;
    this.node = node;
    this.availableNanoCpus = node.description.resources.nanoCpus;
    this.availableMemoryBytes = node.description.resources.memoryBytes;
  }

  /** Adds a task: takes its reservations and ports, and counts it when active. */
  addTask(footprint: TaskFootprint): void {
    this.availableNanoCpus -= footprint.nanoCpus;
    this.availableMemoryBytes -= footprint.memoryBytes;
    if (footprint.hostPortKeys.length > 0) {
      this.hostPorts ??= new Set();
      for (const key of footprint.hostPortKeys) this.hostPorts.add(key);
    }
    if (!footprint.active) return;
    this.activeTasksCount++;
    this.tasksByService ??= new Map();
    this.tasksByService.set(footprint.serviceId, (this.tasksByService.get(footprint.serviceId) ?? 0) + 1);
    if (footprint.serviceId === this.groupServiceId) this.groupServiceTasks++;
  }

  /** Active tasks of `serviceId` on the node. */
  serviceTasks(serviceId: string): number {
    return this.tasksByService?.get(serviceId) ?? 0;
  }

  /** Whether a host-mode port (a `protocol/port` key) is in use. */
  usesHostPort(key: string): boolean {
    return this.hostPorts?.has(key) ?? false;
  }

  /** Points the scratch fields at a new task group. */
  startGroup(serviceId: string, recentFailures: number): void {
    this.groupServiceId = serviceId;
    this.groupServiceTasks = this.serviceTasks(serviceId);
    this.groupRecentFailures = recentFailures;
  }
}

/**
 * swarmkit's `countRecentFailures`: failures (failed or rejected tasks) within `monitorFailuresMs`
 * before `nowMs` (inclusive; failures stamped later than now count too).
 */
export function isRecentFailure(failedAtMs: number, nowMs: number): boolean {
  return nowMs - failedAtMs <= monitorFailuresMs;
}

/**
 * swarmkit's `nodeLess` for a task group (in scheduleTaskGroup): whether `left` is strictly
 * preferable to `right`. A node with at least `maxFailures` recent failures of the service goes
 * after nodes with fewer; then fewer active tasks of the service first; then fewer active tasks
 * overall. Equal nodes are not less than each other: the fill pass of the scheduler moves on
 * to the next node only when it is strictly preferable.
 */
export function nodeLess(left: NodeInfo, right: NodeInfo): boolean {
  return compareNodeLoads(left, right) < 0;
}

/** The part of the node order swarmkit defines: negative when `left` is preferred, 0 when equal. */
function compareNodeLoads(left: NodeInfo, right: NodeInfo): number {
  const leftFailures = left.groupRecentFailures;
  const rightFailures = right.groupRecentFailures;
  if ((leftFailures >= maxFailures || rightFailures >= maxFailures) && leftFailures !== rightFailures) {
    return leftFailures - rightFailures;
  }
  if (left.groupServiceTasks !== right.groupServiceTasks) return left.groupServiceTasks - right.groupServiceTasks;
  return left.activeTasksCount - right.activeTasksCount;
}

/**
 * The node order used to rank candidates: {@link nodeLess}, then the node id (swarmsim's
 * tie-break; swarmkit leaves ties to Go's map and heap order). Negative when `left` comes first.
 */
export function compareNodes(left: NodeInfo, right: NodeInfo): number {
  return compareNodeLoads(left, right) || (left.id < right.id ? -1 : left.id > right.id ? 1 : 0);
}
