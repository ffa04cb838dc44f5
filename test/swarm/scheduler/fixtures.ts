// Small builders for scheduler tests: SwarmNode, Service, Task and ClusterState objects with
// defaults (a ready, active worker with 4 CPUs and 8 GiB; a replicated service; a pending task).
import type { ClusterState, PortConfig, Service, SwarmNode, Task, TaskSpec, TaskState } from "../../../src/swarm/types.js";

/** Options of {@link makeNode}. */
export interface NodeOptions {
  readonly hostname?: string;
  readonly labels?: Record<string, string>;
  readonly engineLabels?: Record<string, string>;
  readonly role?: "worker" | "manager";
  readonly state?: "unknown" | "down" | "ready" | "disconnected";
  readonly availability?: "active" | "pause" | "drain";
  readonly nanoCpus?: number;
  readonly memoryBytes?: number;
  readonly os?: string;
  readonly architecture?: string;
  readonly address?: string;
}

/** A node: ready, active worker, linux/x86_64, 4 CPUs, 8 GiB, unless told otherwise. */
export function makeNode(id: string, options: NodeOptions = {}): SwarmNode {
  return {
    id,
    version: 1,
    createdAt: 0,
    updatedAt: 0,
    spec: { name: "", labels: options.labels ?? {}, desiredRole: options.role ?? "worker", availability: options.availability ?? "active" },
    role: options.role ?? "worker",
    description: {
      hostname: options.hostname ?? id,
      platform: { architecture: options.architecture ?? "x86_64", os: options.os ?? "linux" },
      resources: { nanoCpus: options.nanoCpus ?? 4e9, memoryBytes: options.memoryBytes ?? 8 * 2 ** 30 },
      engine: { engineVersion: "28.0.0", labels: options.engineLabels ?? {} },
    },
    status: { state: options.state ?? "ready", message: "", address: options.address ?? "10.0.0.1" },
    managerStatus: null,
  };
}

/** Options of {@link makeTaskSpec}. */
export interface TaskSpecOptions {
  readonly constraints?: readonly string[];
  readonly preferences?: readonly string[];
  readonly maxReplicas?: number;
  readonly platforms?: readonly { architecture: string; os: string }[];
  readonly nanoCpus?: number;
  readonly memoryBytes?: number;
}

/** A task spec running nginx, with no reservations or placement unless told otherwise. */
export function makeTaskSpec(options: TaskSpecOptions = {}): TaskSpec {
  return {
    container: { image: "nginx:latest", command: null, args: null, env: [], labels: {}, stopGracePeriodMs: null },
    resources: {
      limits: { nanoCpus: 0, memoryBytes: 0 },
      reservations: { nanoCpus: options.nanoCpus ?? 0, memoryBytes: options.memoryBytes ?? 0 },
    },
    restartPolicy: { condition: "any", delayMs: 5_000, maxAttempts: 0, windowMs: 0 },
    placement: {
      constraints: options.constraints ?? [],
      preferences: (options.preferences ?? []).map((spreadDescriptor) => ({ spreadDescriptor })),
      maxReplicas: options.maxReplicas ?? 0,
      platforms: options.platforms ?? [],
    },
    forceUpdate: 0,
  };
}

/** A host-mode published port. */
export function hostPort(publishedPort: number, protocol: "tcp" | "udp" = "tcp"): PortConfig {
  return { name: "", protocol, targetPort: 80, publishedPort, publishMode: "host" };
}

/** Options of {@link makeService}. */
export interface ServiceOptions {
  readonly task?: TaskSpec;
  readonly ports?: readonly PortConfig[];
  readonly global?: boolean;
  readonly replicas?: number;
}

/** A replicated service. */
export function makeService(id: string, options: ServiceOptions = {}): Service {
  const update = { parallelism: 1, delayMs: 0, failureAction: "pause" as const, monitorMs: 5_000, maxFailureRatio: 0, order: "stop-first" as const };
  return {
    id,
    version: 1,
    createdAt: 0,
    updatedAt: 0,
    spec: {
      name: id,
      labels: {},
      task: options.task ?? makeTaskSpec(),
      mode: options.global ? { kind: "global" } : { kind: "replicated", replicas: options.replicas ?? 1 },
      update,
      rollback: update,
      endpoint: { mode: "vip", ports: options.ports ?? [] },
    },
    previousSpec: null,
    endpoint: { ports: options.ports ?? [], virtualIps: [] },
    updateStatus: null,
  };
}

/** Options of {@link makeTask}. */
export interface TaskOptions {
  readonly serviceId?: string;
  readonly spec?: TaskSpec;
  readonly state?: TaskState;
  readonly desiredState?: TaskState;
  readonly nodeId?: string;
  readonly slot?: number;
  readonly serviceVersion?: number;
  /** The status timestamp, virtual ms. */
  readonly timestampMs?: number;
}

/** A task: pending, desired running, unassigned, of service "web", unless told otherwise. */
export function makeTask(id: string, options: TaskOptions = {}): Task {
  return {
    id,
    version: 1,
    createdAt: 0,
    updatedAt: 0,
    serviceId: options.serviceId ?? "web",
    slot: options.slot ?? 1,
    nodeId: options.nodeId ?? "",
    spec: options.spec ?? makeTaskSpec(),
    serviceVersion: options.serviceVersion ?? 1,
    status: { timestamp: options.timestampMs ?? 0, state: options.state ?? "pending", message: "", error: "", containerId: null, pid: 0, exitCode: null },
    desiredState: options.desiredState ?? "running",
    name: id,
  };
}

/** n pending tasks `<prefix>1..n` of a service, slots 1..n. */
export function pendingTasks(count: number, options: TaskOptions & { readonly prefix?: string } = {}): Task[] {
  const tasks: Task[] = [];
  for (let index = 1; index <= count; index++) tasks.push(makeTask(`${options.prefix ?? "task"}${index}`, { ...options, slot: index }));
  return tasks;
}

/** A cluster state holding these objects. */
export function makeState(objects: { nodes?: readonly SwarmNode[]; services?: readonly Service[]; tasks?: readonly Task[] }): ClusterState {
  return {
    cluster: null,
    nodes: Object.fromEntries((objects.nodes ?? []).map((node) => [node.id, node])),
    services: Object.fromEntries((objects.services ?? []).map((service) => [service.id, service])),
    tasks: Object.fromEntries((objects.tasks ?? []).map((task) => [task.id, task])),
  };
}

/** How many assignments each node got, by node id (sorted). */
export function countByNode(assignments: readonly { nodeId: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const assignment of [...assignments].sort((left, right) => (left.nodeId < right.nodeId ? -1 : 1))) counts[assignment.nodeId] = (counts[assignment.nodeId] ?? 0) + 1;
  return counts;
}
