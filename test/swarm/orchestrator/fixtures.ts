// Fixtures for the store and orchestrator tests: objects with defaults, and a small harness that
// runs the orchestrator against a ClusterStore, standing in for Raft, the scheduler and agents.
import { Random } from "../../../src/sim/random.js";
import { ClusterStore } from "../../../src/swarm/store/view.js";
import type { StoreChange, StoreEvent } from "../../../src/swarm/store/changes.js";
import { Orchestrator } from "../../../src/swarm/orchestrator/orchestrator.js";
import type { Cluster, RestartPolicySpec, Service, ServiceSpec, SwarmNode, Task, TaskState, UpdateConfigSpec } from "../../../src/swarm/types.js";

export const ingressNetworkId = "ingressnetwork00000000000";

export function makeCluster(overrides: Partial<Cluster> = {}): Cluster {
  return {
    id: "cluster000000000000000000",
    version: 1,
    createdAt: 0,
    updatedAt: 0,
    name: "default",
    taskHistoryRetentionLimit: 5,
    joinTokens: { worker: "SWMTKN-1-worker", manager: "SWMTKN-1-manager" },
    removedNodes: {},
    ingressNetworkId: "ingressnetwork00000000000",
    raftSnapshotInterval: 10_000,
    raftKeepOldSnapshots: 0,
    nodeCertificateExpiryMs: 7_776_000_000,
    rootCaDigest: "sha256:0",
    heartbeatPeriodMs: 5_000,
    ...overrides,
  };
}

export interface NodeOptions {
  readonly availability?: SwarmNode["spec"]["availability"];
  readonly state?: SwarmNode["status"]["state"];
  readonly labels?: Record<string, string>;
  readonly role?: SwarmNode["role"];
  readonly memoryBytes?: number;
}

export function makeNode(id: string, options: NodeOptions = {}): SwarmNode {
  const role = options.role ?? "worker";
  return {
    id,
    version: 1,
    createdAt: 0,
    updatedAt: 0,
    spec: { name: "", labels: options.labels ?? {}, desiredRole: role, availability: options.availability ?? "active" },
    role,
    description: {
      hostname: `host-${id}`,
      platform: { architecture: "x86_64", os: "linux" },
      resources: { nanoCpus: 4e9, memoryBytes: options.memoryBytes ?? 8 * 2 ** 30 },
      engine: { engineVersion: "27.0.0", labels: {} },
    },
    status: { state: options.state ?? "ready", message: "", address: "10.0.0.1" },
    managerStatus: null,
  };
}

export const defaultUpdateConfig: UpdateConfigSpec = { parallelism: 1, delayMs: 0, failureAction: "pause", monitorMs: 5_000, maxFailureRatio: 0, order: "stop-first" };

export interface ServiceOptions {
  readonly name?: string;
  readonly replicas?: number;
  readonly global?: boolean;
  readonly image?: string;
  readonly restart?: Partial<RestartPolicySpec>;
  readonly update?: Partial<UpdateConfigSpec>;
  readonly constraints?: string[];
  readonly ports?: ServiceSpec["endpoint"]["ports"];
}

export function makeSpec(options: ServiceOptions = {}): ServiceSpec {
  return {
    name: options.name ?? "web",
    labels: {},
    task: {
      container: { image: options.image ?? "nginx:1", command: null, args: null, env: [], labels: {}, stopGracePeriodMs: null },
      resources: { limits: { nanoCpus: 0, memoryBytes: 0 }, reservations: { nanoCpus: 0, memoryBytes: 0 } },
      restartPolicy: { condition: "any", delayMs: 5_000, maxAttempts: 0, windowMs: 0, ...options.restart },
      placement: { constraints: options.constraints ?? [], preferences: [], maxReplicas: 0, platforms: [] },
      forceUpdate: 0,
    },
    mode: options.global ? { kind: "global" } : { kind: "replicated", replicas: options.replicas ?? 1 },
    update: { ...defaultUpdateConfig, ...options.update },
    rollback: { ...defaultUpdateConfig },
    endpoint: { mode: "vip", ports: options.ports ?? [] },
  };
}

export function makeService(id: string, options: ServiceOptions = {}): Service {
  return { id, version: 1, createdAt: 0, updatedAt: 0, spec: makeSpec(options), previousSpec: null, endpoint: { ports: [], virtualIps: [] }, updateStatus: null };
}

export interface TaskOptions {
  readonly slot?: number;
  readonly nodeId?: string;
  readonly state?: TaskState;
  readonly desiredState?: TaskState;
  readonly timestampMs?: number;
}

export function makeTask(id: string, service: Service, options: TaskOptions = {}): Task {
  const slot = options.slot ?? 1;
  return {
    id,
    version: 1,
    createdAt: options.timestampMs ?? 0,
    updatedAt: 0,
    serviceId: service.id,
    slot,
    nodeId: options.nodeId ?? "",
    spec: service.spec.task,
    serviceVersion: service.version,
    status: { timestamp: options.timestampMs ?? 0, state: options.state ?? "running", message: "", error: "", containerId: null, pid: 0, exitCode: null },
    desiredState: options.desiredState ?? "running",
    name: `${service.spec.name}.${slot}`,
  };
}

/** The orchestrator against a store: Raft commits at once, the "scheduler" and "agents" are test calls. */
export class Harness {
  readonly store = new ClusterStore();
  readonly orchestrator = new Orchestrator({ random: new Random("orchestrator-test"), ingressNetworkId });
  nowMs = 0;
  private raftIndex = 0;
  readonly proposals: StoreChange[][] = [];

  constructor(objects: { nodes?: SwarmNode[]; services?: Service[]; tasks?: Task[]; cluster?: Cluster | null } = {}) {
    const changes: StoreChange[] = [];
    const cluster = objects.cluster === undefined ? makeCluster() : objects.cluster;
    if (cluster !== null) changes.push({ kind: "create", collection: "cluster", object: cluster });
    for (const node of objects.nodes ?? []) changes.push({ kind: "create", collection: "nodes", object: node });
    for (const service of objects.services ?? []) changes.push({ kind: "create", collection: "services", object: service });
    for (const task of objects.tasks ?? []) changes.push({ kind: "create", collection: "tasks", object: task });
    this.store.apply(changes, ++this.raftIndex, this.nowMs);
  }

  /** Commits `changes` and feeds the events to the orchestrator. */
  commit(changes: readonly StoreChange[]): readonly StoreEvent[] {
    if (changes.length === 0) return [];
    const events = this.store.apply(changes, ++this.raftIndex, this.nowMs);
    this.orchestrator.handleEvents(this.store, events);
    return events;
  }

  /** One orchestrator tick, committed; returns its changes. */
  tick(): readonly StoreChange[] {
    const { changes } = this.orchestrator.tick(this.store, this.nowMs);
    this.proposals.push([...changes]);
    this.commit(changes);
    return changes;
  }

  /** Ticks until the orchestrator has nothing more to do now. */
  settle(ticksMax = 50): void {
    for (let tick = 0; tick < ticksMax; tick++) if (this.tick().length === 0) return;
    throw new Error("orchestrator did not settle");
  }

  /** Advances the clock to `nowMs` and settles. */
  advanceTo(nowMs: number): void {
    this.nowMs = nowMs;
    this.settle();
  }

  tasks(serviceId?: string): Task[] {
    const all = Object.values(this.store.state.tasks);
    return (serviceId === undefined ? all : all.filter((task) => task.serviceId === serviceId)).sort((left, right) => left.slot - right.slot || left.createdAt - right.createdAt || (left.id < right.id ? -1 : 1));
  }

  /** Tasks wanted running or about to be (desired state up to RUNNING). */
  liveTasks(serviceId?: string): Task[] {
    return this.tasks(serviceId).filter((task) => task.desiredState === "running" || task.desiredState === "ready");
  }

  /** As an agent or the dispatcher would: moves a task's observed state. */
  setState(taskId: string, state: TaskState): void {
    const task = this.store.task(taskId)!;
    this.commit([{ kind: "update", collection: "tasks", object: { ...task, status: { ...task.status, state, timestamp: this.nowMs } } }]);
  }

  /** As the scheduler would: assigns a pending task to a node. */
  assign(taskId: string, nodeId: string): void {
    const task = this.store.task(taskId)!;
    this.commit([{ kind: "update", collection: "tasks", object: { ...task, nodeId, status: { ...task.status, state: "assigned", timestamp: this.nowMs } } }]);
  }

  /** Assigns every pending task round-robin over `nodeIds`, then marks it running (a fast scheduler and agent). */
  scheduleAndRun(nodeIds: readonly string[]): void {
    let next = 0;
    for (const task of this.tasks()) {
      if (task.status.state === "pending" && task.desiredState === "running") {
        if (task.nodeId === "") this.assign(task.id, nodeIds[next++ % nodeIds.length]!);
        else this.setState(task.id, "assigned");
        this.setState(task.id, "running");
      }
      if (task.desiredState !== "running" && task.desiredState !== "ready" && task.status.state === "running") this.setState(task.id, "shutdown");
    }
  }

  updateNode(nodeId: string, change: (node: SwarmNode) => SwarmNode): void {
    this.commit([{ kind: "update", collection: "nodes", object: change(this.store.node(nodeId)!) }]);
  }

  updateService(serviceId: string, change: (service: Service) => Service): void {
    this.commit([{ kind: "update", collection: "services", object: change(this.store.service(serviceId)!) }]);
  }
}
