/**
 * The swarm's objects as the managers keep them (swarmkit's api/objects.proto and types.proto,
 * reduced to what swarmsim models): nodes, services, tasks, networks and the cluster. Times are
 * virtual milliseconds; the Engine API's JSON (RFC 3339 strings, capitalised fields) is made
 * from these by the control API. Objects are immutable: a change is a new object with a
 * higher `version`.
 */

/** Task states in swarmkit's order, with its numbers: a task's state only moves forward. */
export const taskStates = {
  new: 0,
  pending: 64,
  assigned: 192,
  accepted: 256,
  preparing: 320,
  ready: 384,
  starting: 448,
  running: 512,
  complete: 576,
  shutdown: 640,
  failed: 704,
  rejected: 768,
  remove: 800,
  orphaned: 832,
} as const;

/** A task state, lowercased as the Engine API shows it. */
export type TaskState = keyof typeof taskStates;

/** Whether `state` comes strictly after `other` in swarmkit's order. */
export function isAfter(state: TaskState, other: TaskState): boolean {
  return taskStates[state] > taskStates[other];
}

/** Whether a task in `state` has finished (complete, shutdown, failed, rejected, remove, orphaned). */
export function isTerminal(state: TaskState): boolean {
  return taskStates[state] >= taskStates.complete;
}

/** A node's role. */
export type NodeRole = "worker" | "manager";
/** A node's availability, set by `docker node update --availability`. */
export type NodeAvailability = "active" | "pause" | "drain";
/** A node's status as the dispatcher sees it. */
export type NodeState = "unknown" | "down" | "ready" | "disconnected";
/** A manager's reachability in the Raft group. */
export type Reachability = "unknown" | "unreachable" | "reachable";

/** Object metadata every stored object carries. */
export interface ObjectMeta {
  /** 25-character lowercase alphanumeric id, as swarmkit's identity.NewID. */
  readonly id: string;
  /** Raft index of the last change (the Engine API's `Version.Index`). */
  readonly version: number;
  /** Virtual ms. */
  readonly createdAt: number;
  /** Virtual ms. */
  readonly updatedAt: number;
}

/** What the user can change on a node (`docker node update`). */
export interface NodeSpec {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The role the user asked for (`promote`, `demote`). */
  readonly desiredRole: NodeRole;
  readonly availability: NodeAvailability;
}

/** What the node reports about itself. */
export interface NodeDescription {
  readonly hostname: string;
  readonly platform: { readonly architecture: string; readonly os: string };
  readonly resources: { readonly nanoCpus: number; readonly memoryBytes: number };
  readonly engine: { readonly engineVersion: string; readonly labels: Readonly<Record<string, string>> };
}

/** A node of the swarm. */
export interface SwarmNode extends ObjectMeta {
  readonly spec: NodeSpec;
  /** The role in force (changes once a promotion or demotion is reconciled). */
  readonly role: NodeRole;
  readonly description: NodeDescription;
  readonly status: { readonly state: NodeState; readonly message: string; readonly address: string };
  /** For managers: their Raft membership. */
  readonly managerStatus: { readonly leader: boolean; readonly reachability: Reachability; readonly address: string } | null;
}

/** A published port of a service (`--publish published=8080,target=80`). */
export interface PortConfig {
  readonly name: string;
  readonly protocol: "tcp" | "udp" | "sctp";
  readonly targetPort: number;
  readonly publishedPort: number;
  readonly publishMode: "ingress" | "host";
}

/** The restart policy of a service's tasks. */
export interface RestartPolicySpec {
  readonly condition: "none" | "on-failure" | "any";
  /** Delay between restarts, ms (swarmkit default 5 s). */
  readonly delayMs: number;
  /** Most restarts within `windowMs`; 0 for unlimited. */
  readonly maxAttempts: number;
  /** The window restarts are counted in, ms; 0 for all time. */
  readonly windowMs: number;
}

/** How a service's tasks are updated (`--update-*`). */
export interface UpdateConfigSpec {
  readonly parallelism: number;
  readonly delayMs: number;
  readonly failureAction: "pause" | "continue" | "rollback";
  readonly monitorMs: number;
  readonly maxFailureRatio: number;
  readonly order: "stop-first" | "start-first";
}

/** A placement preference: spread tasks evenly over the values of a node label or property. */
export interface PlacementPreference {
  /** e.g. `node.labels.zone`. */
  readonly spreadDescriptor: string;
}

/** What runs in each task: the container and its constraints. */
export interface TaskSpec {
  readonly container: {
    readonly image: string;
    readonly command: readonly string[] | null;
    readonly args: readonly string[] | null;
    readonly env: readonly string[];
    readonly labels: Readonly<Record<string, string>>;
    readonly stopGracePeriodMs: number | null;
    /** `--init`: run an init process as PID 1 (moby's `*bool`; absent when the spec leaves it unset). */
    readonly init?: boolean;
  };
  readonly resources: {
    readonly limits: { readonly nanoCpus: number; readonly memoryBytes: number };
    readonly reservations: { readonly nanoCpus: number; readonly memoryBytes: number };
  };
  readonly restartPolicy: RestartPolicySpec;
  readonly placement: {
    /** `node.labels.zone==a` style expressions. */
    readonly constraints: readonly string[];
    readonly preferences: readonly PlacementPreference[];
    /** Most tasks of this service per node; 0 for unlimited. */
    readonly maxReplicas: number;
    readonly platforms: readonly { readonly architecture: string; readonly os: string }[];
  };
  /** Incremented by `docker service update --force`. */
  readonly forceUpdate: number;
  /**
   * The overlay networks the task's container is attached to (`--network`), by network id (a
   * name is resolved when allocating). Absent when none, so that specs without networks compare
   * as before.
   */
  readonly networks?: readonly NetworkAttachmentConfig[];
  /**
   * What the API client left out of the task template (moby's `RestartPolicy`, `DNSConfig`): swarmkit
   * stores them as nil, so the Engine API shows them only with `insertDefaults`; the values above
   * are then swarmkit's defaults. Absent when nothing was left out.
   */
  readonly omitted?: readonly TaskSpecOmission[];
}

/** A task template field an API client may leave out (see `TaskSpec.omitted`). */
export type TaskSpecOmission = "restartPolicy" | "dnsConfig";

/** One network a service's tasks are attached to (swarmkit's `NetworkAttachmentConfig`). */
export interface NetworkAttachmentConfig {
  /** The network's id (or, as sent by an API client, its name). */
  readonly target: string;
  readonly aliases: readonly string[];
}

/** What the user asks for with `docker service create/update`. */
export interface ServiceSpec {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly task: TaskSpec;
  readonly mode: { readonly kind: "replicated"; readonly replicas: number } | { readonly kind: "global" };
  readonly update: UpdateConfigSpec;
  readonly rollback: UpdateConfigSpec;
  readonly endpoint: { readonly mode: "vip" | "dnsrr"; readonly ports: readonly PortConfig[] };
  /**
   * The update and rollback configurations the API client left out: swarmkit stores them as nil,
   * so the Engine API shows them only with `insertDefaults`; `update` and `rollback` are then
   * swarmkit's defaults. Absent when nothing was left out.
   */
  readonly omitted?: readonly ("update" | "rollback")[];
}

/** A service. */
export interface Service extends ObjectMeta {
  readonly spec: ServiceSpec;
  readonly previousSpec: ServiceSpec | null;
  /** Ports and virtual IPs the allocator gave it. */
  readonly endpoint: { readonly ports: readonly PortConfig[]; readonly virtualIps: readonly { readonly networkId: string; readonly address: string }[] };
  readonly updateStatus: { readonly state: "updating" | "paused" | "completed" | "rollback_started" | "rollback_paused" | "rollback_completed"; readonly startedAt: number; readonly completedAt: number | null; readonly message: string } | null;
}

/** A task's status as the agent and the managers write it. */
export interface TaskStatus {
  /** Virtual ms of the last state change. */
  readonly timestamp: number;
  readonly state: TaskState;
  readonly message: string;
  /** The error, shown in the ERROR column of `docker service ps`. */
  readonly error: string;
  readonly containerId: string | null;
  readonly pid: number;
  readonly exitCode: number | null;
}

/** A task: one immutable attempt to run a service's container on one node. */
export interface Task extends ObjectMeta {
  readonly serviceId: string;
  /** Replicated services: the slot (1..N). Global services: 0. */
  readonly slot: number;
  /** Empty until the scheduler assigns it; never changes afterwards. */
  readonly nodeId: string;
  /** The service's spec version the task was made from. */
  readonly spec: TaskSpec;
  /** The service's spec version index, to tell outdated tasks. */
  readonly serviceVersion: number;
  readonly status: TaskStatus;
  /** Written only by the managers. */
  readonly desiredState: TaskState;
  /** `service.slot` or `service.nodeId` style name pieces are derived; this is the name annotation. */
  readonly name: string;
}

/** The cluster object: swarm-wide settings and join tokens. */
export interface Cluster extends ObjectMeta {
  readonly name: string;
  /** Task history retention limit (default 5). */
  readonly taskHistoryRetentionLimit: number;
  readonly joinTokens: { readonly worker: string; readonly manager: string };
  /** The root CA's digest, part of the join tokens. */
  readonly rootCaDigest: string;
  /** The id of the ingress network (`docker network ls` on every node; service VIPs are on it). */
  readonly ingressNetworkId: string;
  /** Heartbeat period, ms (default 5 s). */
  readonly heartbeatPeriodMs: number;
  /** Raft entries between snapshots, as `docker swarm update --snapshot-interval` sets it (shown by inspect; the simulated Raft keeps the simulation's own setting). */
  readonly raftSnapshotInterval: number;
  /** Old Raft snapshots kept, as `--max-snapshots` sets it (shown by inspect). */
  readonly raftKeepOldSnapshots: number;
  /** How long node certificates are valid, ms (`--cert-expiry`, default 90 days). */
  readonly nodeCertificateExpiryMs: number;
  /**
   * Nodes removed with `docker node rm`, by node id, with when: their certificates are refused
   * from then on (swarmkit's `BlacklistedCertificates`). Bounded by `removedNodesMax`.
   */
  readonly removedNodes: Readonly<Record<string, { readonly removedAtMs: number }>>;
  /**
   * The manager unlock key (`SWMKEY-1-...`) while autolock is on (`docker swarm init --autolock`,
   * `swarm update --autolock=true`), absent otherwise: swarmkit keeps the key exactly when
   * `Spec.EncryptionConfig.AutoLockManagers` is set. See `swarm/node/autolock.ts`.
   */
  readonly managerUnlockKey?: string;
}

/** Bound `removedNodesMax`: removed nodes remembered in the cluster object (the oldest are forgotten). */
export const removedNodesMax = 10_000;

/**
 * The cluster's removed nodes with `nodeId` added at `nowMs`, without those whose certificates
 * have expired since (swarmkit's `expireBlacklistedCerts`) and, past `removedNodesMax`, the
 * oldest.
 */
export function withRemovedNode(removedNodes: Cluster["removedNodes"], nodeId: string, nowMs: number, certificateExpiryMs: number): Cluster["removedNodes"] {
  const kept = Object.entries(removedNodes)
    .filter(([, removed]) => nowMs - removed.removedAtMs < certificateExpiryMs)
    .sort(([leftId, left], [rightId, right]) => left.removedAtMs - right.removedAtMs || (leftId < rightId ? -1 : 1))
    .slice(-(removedNodesMax - 1));
  return Object.fromEntries([...kept, [nodeId, { removedAtMs: nowMs }]]);
}

/** The whole cluster state: the Raft state machine's content. */
export interface ClusterState {
  readonly cluster: Cluster | null;
  readonly nodes: Readonly<Record<string, SwarmNode>>;
  readonly services: Readonly<Record<string, Service>>;
  readonly tasks: Readonly<Record<string, Task>>;
  /** User-defined swarm networks (`docker network create -d overlay`); absent until one is made. */
  readonly networks?: Readonly<Record<string, SwarmNetwork>>;
  /**
   * The networks' address allocation (subnets, VXLAN ids, virtual IPs, task and node
   * addresses), kept by the store as it applies each entry: see `swarm/network/allocation.ts`.
   * Absent until the cluster exists.
   */
  readonly networkAllocations?: NetworkAllocations;
}

/** What the user asks for with `docker network create -d overlay` (swarmkit's `NetworkSpec`). */
export interface SwarmNetworkSpec {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Only `overlay` is simulated. */
  readonly driver: "overlay";
  /** Driver options as given (`-o`); the allocated `vxlanid_list` is shown besides them. */
  readonly options: Readonly<Record<string, string>>;
  readonly attachable: boolean;
  readonly internal: boolean;
  readonly ipv6: boolean;
  /** Subnets the user gave (`--subnet`, `--gateway`); empty: one /24 from the default pool 10.0.0.0/8. */
  readonly ipam: readonly { readonly subnet: string; readonly gateway: string }[];
}

/** A user-defined swarm network. The ingress network is not one: the cluster object names it. */
export interface SwarmNetwork extends ObjectMeta {
  readonly spec: SwarmNetworkSpec;
}

/** One address held in a network's pool, by an owner (`node/<id>`, `service/<id>`, `task/<id>`). */
export interface AddressLease {
  /** The host number in the subnet (the address is the subnet's base plus this). */
  readonly host: number;
  /** Allocation order within the pool (Peers are listed in the order nodes joined). */
  readonly sequence: number;
  /** Virtual ms of the allocation. */
  readonly sinceMs: number;
  /** For a task: the node it was assigned to once counted for that node's load-balancer address ("" before). */
  readonly nodeId: string;
  /** For a node's load-balancer address: how many live tasks of the node use the network. */
  readonly tasks: number;
}

/** A network's address pool: libnetwork's default IPAM with serial allocation, as swarmkit uses it. */
export interface AddressPool {
  /** `10.0.1.0/24`. */
  readonly subnet: string;
  /** `10.0.1.1`. */
  readonly gateway: string;
  readonly vxlanId: number;
  /** The host number last handed out: the next search starts after it (serial allocation). */
  readonly cursor: number;
  /** Allocations made so far (the next lease's sequence). */
  readonly sequence: number;
  /** The leases, by owner. */
  readonly leases: Readonly<Record<string, AddressLease>>;
}

/** Every network's pool, by network id (the ingress network's under the cluster's ingress network id). */
export interface NetworkAllocations {
  readonly pools: Readonly<Record<string, AddressPool>>;
}

/** An empty cluster state. */
export const emptyClusterState: ClusterState = { cluster: null, nodes: {}, services: {}, tasks: {} };

/** swarmkit's defaults. */
export const swarmDefaults = {
  taskHistoryRetentionLimit: 5,
  heartbeatPeriodMs: 5_000,
  restartDelayMs: 5_000,
  updateMonitorMs: 5_000,
  stopGracePeriodMs: 10_000,
  raftSnapshotInterval: 10_000,
  raftKeepOldSnapshots: 0,
  nodeCertificateExpiryMs: 90 * 24 * 60 * 60 * 1000,
} as const;
