/**
 * The swarm's network allocation (swarmkit's network allocator with libnetwork's default IPAM):
 * which address each node, service and task holds on each overlay network.
 *
 * - The ingress network (10.0.0.0/24, VXLAN 4096) exists with the cluster. Every node gets an
 *   address on it when it joins (its `ingress-sbox` endpoint): 10.0.0.2 for the first node,
 *   .3, .4 for the next, as a real swarm shows them.
 * - A user network (`docker network create -d overlay`) gets the lowest free /24 of 10.0.0.0/8
 *   (10.0.1.0/24, 10.0.2.0/24, ...), or the subnet given, and the lowest free VXLAN id above 4096.
 * - A service in VIP mode gets a virtual IP on the ingress network when it publishes ports in
 *   ingress mode, and one on each of its networks (in that order, as `Endpoint.VirtualIPs`).
 * - A task gets an address on the same networks when it is created; it keeps it until it is dead
 *   (desired state and state both past running: swarmkit's `taskDead`) or deleted.
 * - Once a task is assigned, its node gets a load-balancer address on each of the task's user
 *   networks (the `lb-<network>` endpoint) if it has none, and keeps it while a live task of the
 *   node uses the network: that is when the node "is on" the network (`docker network ls`, Peers).
 *
 * Addresses are handed out serially in each pool. The allocation is kept in the cluster state and
 * advanced by the store as it applies each Raft entry ({@link allocateNetworks}), deterministically
 * on every manager, so that every reader (the control API, each node's engine) sees the same
 * addresses. (In swarmkit the leader's allocator proposes them; the allocator step here
 * allocates published ports and copies the service's ingress VIP from this allocation.)
 */
import { freeze } from "immer";
import { isAfter, taskStates, type AddressLease, type AddressPool, type ClusterState, type NetworkAllocations, type Service, type SwarmNetwork, type Task } from "../types.js";
import type { StoreEvent } from "../store/changes.js";
import { formatAddress, hostNumber, ingressSubnet, nextDefaultSubnet, nextHost, nextVxlanId, parseSubnet, type Subnet } from "./ipam.js";

/** The owner key of a node's address (its ingress sandbox, or its load balancer on a user network). */
export function nodeOwner(nodeId: string): string {
  return `node/${nodeId}`;
}
/** The owner key of a service's virtual IP. */
export function serviceOwner(serviceId: string): string {
  return `service/${serviceId}`;
}
/** The owner key of a task's address. */
export function taskOwner(taskId: string): string {
  return `task/${taskId}`;
}

/** The id of the network `target` names (an id, or a name as an API client may send it), or null. */
export function resolveNetworkId(state: ClusterState, target: string): string | null {
  const networks = state.networks ?? {};
  if (networks[target] !== undefined) return target;
  if (state.cluster !== null && (target === state.cluster.ingressNetworkId || target === "ingress")) return state.cluster.ingressNetworkId;
  for (const network of Object.values(networks)) if (network.spec.name === target) return network.id;
  return null;
}

/** Whether the service publishes a port through the routing mesh (swarmkit's `IsIngressNetworkNeeded`). */
export function needsIngress(service: Service | undefined): boolean {
  return service !== undefined && service.spec.endpoint.ports.some((port) => port.publishMode === "ingress");
}

/** The networks a task is attached to, by id, in order: ingress (if its service publishes ports), then its own. */
export function taskNetworkIds(state: ClusterState, task: Task): string[] {
  const ids: string[] = [];
  if (state.cluster !== null && needsIngress(state.services[task.serviceId])) ids.push(state.cluster.ingressNetworkId);
  for (const attachment of task.spec.networks ?? []) {
    const id = resolveNetworkId(state, attachment.target);
    if (id !== null && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** The networks a service has virtual IPs on, by id, in order (none in DNS round-robin mode). */
export function serviceNetworkIds(state: ClusterState, service: Service): string[] {
  if (service.spec.endpoint.mode !== "vip") return [];
  const ids: string[] = [];
  if (state.cluster !== null && needsIngress(service)) ids.push(state.cluster.ingressNetworkId);
  for (const attachment of service.spec.task.networks ?? []) {
    const id = resolveNetworkId(state, attachment.target);
    if (id !== null && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** Whether a task no longer holds addresses (swarmkit's `taskDead`). */
export function isTaskDead(task: Task): boolean {
  return isAfter(task.desiredState, "running") && taskStates[task.status.state] > taskStates.running;
}

/** A pool being changed: its fields, and its leases copied once. */
interface WorkingPool {
  subnet: string;
  gateway: string;
  vxlanId: number;
  cursor: number;
  sequence: number;
  leases: Record<string, AddressLease>;
  /** Host numbers in use (filled on first allocation). */
  taken: Set<number> | null;
}

/** The allocation being advanced by one entry: pools copied on first change. */
class Allocation {
  private readonly pools: Record<string, AddressPool | WorkingPool>;
  private readonly working = new Map<string, WorkingPool>();
  changed = false;

  constructor(
    previous: NetworkAllocations | undefined,
    private readonly nowMs: number,
  ) {
    this.pools = { ...(previous?.pools ?? {}) };
    this.changed = previous === undefined;
  }

  has(networkId: string): boolean {
    return this.pools[networkId] !== undefined;
  }

  lease(networkId: string, owner: string): AddressLease | undefined {
    return this.pools[networkId]?.leases[owner];
  }

  networkIds(): string[] {
    return Object.keys(this.pools);
  }

  /** Whether `owner` holds an address on any network. */
  holds(owner: string): boolean {
    for (const pool of Object.values(this.pools)) if (pool.leases[owner] !== undefined) return true;
    return false;
  }

  private open(networkId: string): WorkingPool | null {
    const existing = this.working.get(networkId);
    if (existing !== undefined) return existing;
    const pool = this.pools[networkId];
    if (pool === undefined) return null;
    const copy: WorkingPool = { subnet: pool.subnet, gateway: pool.gateway, vxlanId: pool.vxlanId, cursor: pool.cursor, sequence: pool.sequence, leases: { ...pool.leases }, taken: null };
    this.working.set(networkId, copy);
    this.pools[networkId] = copy;
    this.changed = true;
    return copy;
  }

  addPool(networkId: string, subnet: string, gateway: string, vxlanId: number): void {
    const pool: WorkingPool = { subnet, gateway, vxlanId, cursor: 0, sequence: 0, leases: {}, taken: null };
    this.pools[networkId] = pool;
    this.working.set(networkId, pool);
    this.changed = true;
  }

  removePool(networkId: string): void {
    if (this.pools[networkId] === undefined) return;
    delete this.pools[networkId];
    this.working.delete(networkId);
    this.changed = true;
  }

  /** Gives `owner` an address on `networkId` unless it has one; false when the pool is full or absent. */
  allocate(networkId: string, owner: string): boolean {
    if (this.lease(networkId, owner) !== undefined) return true;
    const pool = this.open(networkId);
    if (pool === null) return false;
    if (pool.taken === null) pool.taken = new Set(Object.values(pool.leases).map((lease) => lease.host));
    const host = nextHost(pool as unknown as AddressPool, pool.taken);
    if (host === null) return false;
    pool.taken.add(host);
    pool.cursor = host;
    pool.leases[owner] = { host, sequence: pool.sequence, sinceMs: this.nowMs, nodeId: "", tasks: 0 };
    pool.sequence += 1;
    return true;
  }

  update(networkId: string, owner: string, change: Partial<Pick<AddressLease, "nodeId" | "tasks">>): void {
    const pool = this.open(networkId);
    const lease = pool?.leases[owner];
    if (pool === null || lease === undefined) return;
    pool.leases[owner] = { ...lease, ...change };
  }

  release(networkId: string, owner: string): void {
    if (this.lease(networkId, owner) === undefined) return;
    const pool = this.open(networkId)!;
    const lease = pool.leases[owner]!;
    delete pool.leases[owner];
    pool.taken?.delete(lease.host);
  }

  subnets(): Subnet[] {
    return Object.values(this.pools).flatMap((pool) => {
      const subnet = parseSubnet(pool.subnet);
      return subnet === null ? [] : [subnet];
    });
  }

  vxlanIds(): Set<number> {
    return new Set(Object.values(this.pools).map((pool) => pool.vxlanId));
  }

  result(): NetworkAllocations {
    const pools: Record<string, AddressPool> = {};
    for (const [id, pool] of Object.entries(this.pools)) {
      pools[id] = this.working.has(id) ? { subnet: pool.subnet, gateway: pool.gateway, vxlanId: pool.vxlanId, cursor: pool.cursor, sequence: pool.sequence, leases: pool.leases } : (pool as AddressPool);
    }
    return freeze({ pools }, true);
  }
}

/** A new network's subnet and gateway: the first one the user gave, or the next default /24. */
function chooseSubnet(network: SwarmNetwork, allocation: Allocation): { subnet: string; gateway: string } | null {
  const given = network.spec.ipam[0];
  if (given !== undefined && parseSubnet(given.subnet) !== null) {
    const subnet = parseSubnet(given.subnet)!;
    const gateway = given.gateway !== "" && hostNumber(given.subnet, given.gateway) !== null ? given.gateway : formatAddress(subnet.base + 1);
    return { subnet: `${formatAddress(subnet.base)}/${subnet.prefixLength}`, gateway };
  }
  const subnet = nextDefaultSubnet(allocation.subnets());
  if (subnet === null) return null;
  return { subnet, gateway: formatAddress(parseSubnet(subnet)!.base + 1) };
}

function byCreation<T extends { readonly id: string; readonly createdAt: number }>(objects: Iterable<T>): T[] {
  return [...objects].sort((left, right) => left.createdAt - right.createdAt || (left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
}

function addNetwork(allocation: Allocation, network: SwarmNetwork): void {
  if (allocation.has(network.id)) return;
  const chosen = chooseSubnet(network, allocation);
  const vxlanId = nextVxlanId(allocation.vxlanIds());
  if (chosen === null || vxlanId === null) return;
  allocation.addPool(network.id, chosen.subnet, chosen.gateway, vxlanId);
}

/** The service's virtual IPs as its spec wants them: new ones allocated in order, unwanted ones released. */
function allocateService(state: ClusterState, allocation: Allocation, service: Service): void {
  const wanted = serviceNetworkIds(state, service);
  const owner = serviceOwner(service.id);
  for (const networkId of allocation.networkIds()) if (!wanted.includes(networkId)) allocation.release(networkId, owner);
  for (const networkId of wanted) allocation.allocate(networkId, owner);
}

/** A node's load-balancer address on a user network, counted once per live assigned task. */
function countTask(allocation: Allocation, networkId: string, nodeId: string, delta: 1 | -1): void {
  const owner = nodeOwner(nodeId);
  if (delta === 1 && !allocation.allocate(networkId, owner)) return;
  const lease = allocation.lease(networkId, owner);
  if (lease === undefined) return;
  const tasks = lease.tasks + delta;
  if (tasks <= 0) allocation.release(networkId, owner);
  else allocation.update(networkId, owner, { tasks });
}

function releaseTask(allocation: Allocation, ingressId: string, taskId: string): void {
  const owner = taskOwner(taskId);
  for (const networkId of allocation.networkIds()) {
    const lease = allocation.lease(networkId, owner);
    if (lease === undefined) continue;
    if (lease.nodeId !== "" && networkId !== ingressId) countTask(allocation, networkId, lease.nodeId, -1);
    allocation.release(networkId, owner);
  }
}

function allocateTask(state: ClusterState, allocation: Allocation, ingressId: string, task: Task, created: boolean): void {
  if (isTaskDead(task)) {
    releaseTask(allocation, ingressId, task.id);
    return;
  }
  const owner = taskOwner(task.id);
  for (const networkId of taskNetworkIds(state, task)) {
    // Addresses are given when the task is made (swarmkit allocates NEW tasks); a task seen later has what it got.
    if (created) allocation.allocate(networkId, owner);
    const lease = allocation.lease(networkId, owner);
    if (lease === undefined || lease.nodeId !== "" || task.nodeId === "") continue;
    allocation.update(networkId, owner, { nodeId: task.nodeId });
    if (networkId !== ingressId) countTask(allocation, networkId, task.nodeId, 1);
  }
}

/**
 * The cluster state after one applied entry with the network allocation advanced for its events
 * (the same state when nothing concerned networks). Deterministic: every manager applies the same
 * entries in the same order and gets the same addresses.
 */
export function allocateNetworks(state: ClusterState, events: readonly StoreEvent[], nowMs: number): ClusterState {
  const cluster = state.cluster;
  if (cluster === null) return state;
  if (state.networkAllocations?.pools[cluster.ingressNetworkId] !== undefined && !events.some((event) => concernsNetworks(state, event))) return state;
  const allocation = new Allocation(state.networkAllocations, nowMs);
  const ingressId = cluster.ingressNetworkId;
  if (!allocation.has(ingressId)) {
    allocation.addPool(ingressId, ingressSubnet.subnet, ingressSubnet.gateway, ingressSubnet.vxlanId);
    // The cluster's first entry (or a state from before networks were allocated): everything there is.
    for (const node of byCreation(Object.values(state.nodes))) allocation.allocate(ingressId, nodeOwner(node.id));
    for (const network of byCreation(Object.values(state.networks ?? {}))) addNetwork(allocation, network);
    for (const service of byCreation(Object.values(state.services))) allocateService(state, allocation, service);
    for (const task of byCreation(Object.values(state.tasks))) allocateTask(state, allocation, ingressId, task, true);
  }
  for (const event of events) {
    switch (event.collection) {
      case "nodes":
        if (event.kind === "create") allocation.allocate(ingressId, nodeOwner(event.after.id));
        else if (event.kind === "delete") for (const networkId of allocation.networkIds()) allocation.release(networkId, nodeOwner(event.before.id));
        break;
      case "networks":
        if (event.kind === "create") addNetwork(allocation, event.after);
        else if (event.kind === "delete") allocation.removePool(event.before.id);
        break;
      case "services":
        if (event.kind === "delete") for (const networkId of allocation.networkIds()) allocation.release(networkId, serviceOwner(event.before.id));
        else if (event.kind === "create" || !sameEndpointNeeds(event.before, event.after)) allocateService(state, allocation, event.after);
        break;
      case "tasks": {
        const task = event.after ?? event.before;
        if (!hasNetworks(state, task) && !allocation.holds(taskOwner(task.id))) break;
        if (event.kind === "delete") releaseTask(allocation, ingressId, task.id);
        else allocateTask(state, allocation, ingressId, event.after, event.kind === "create");
        break;
      }
      case "cluster":
        break;
    }
  }
  if (!allocation.changed) return state;
  return Object.freeze({ ...state, networkAllocations: allocation.result() });
}

/** Whether an event may change the allocation (cheap: most entries of large runs do not). */
function concernsNetworks(state: ClusterState, event: StoreEvent): boolean {
  switch (event.collection) {
    case "nodes":
      return event.kind !== "update";
    case "networks":
      return true;
    case "services":
      return event.kind !== "update" || !sameEndpointNeeds(event.before, event.after);
    case "tasks": {
      const task = event.after ?? event.before;
      return hasNetworks(state, task) || (state.networkAllocations !== undefined && taskIdsHoldingLeases(state.networkAllocations).has(task.id));
    }
    case "cluster":
      return false;
  }
}

/** The ids of the tasks holding an address, per allocation (immutable, so computed once for each; entries die with their allocation). */
const taskIdsByAllocation = new WeakMap<NetworkAllocations, ReadonlySet<string>>();
/** The prefix of a task's owner key (see {@link taskOwner}). */
const taskOwnerPrefix = taskOwner("");

/**
 * The ids of the tasks holding an address in some pool of `allocations`: every task event of every
 * entry asks, and the allocation changes far less often than that, so the answer is kept per
 * allocation object instead of looking each task's owner key up in every pool.
 */
function taskIdsHoldingLeases(allocations: NetworkAllocations): ReadonlySet<string> {
  let ids = taskIdsByAllocation.get(allocations);
  if (ids === undefined) {
    const found = new Set<string>();
    for (const pool of Object.values(allocations.pools)) {
      for (const owner of Object.keys(pool.leases)) if (owner.startsWith(taskOwnerPrefix)) found.add(owner.slice(taskOwnerPrefix.length));
    }
    taskIdsByAllocation.set(allocations, (ids = found));
  }
  return ids;
}

/** Whether a task may hold addresses (cheap: most tasks in large runs have none). */
function hasNetworks(state: ClusterState, task: Task): boolean {
  return (task.spec.networks !== undefined && task.spec.networks.length > 0) || needsIngress(state.services[task.serviceId]);
}

/** Whether two versions of a service want virtual IPs on the same networks. */
function sameEndpointNeeds(before: Service, after: Service): boolean {
  if (before.spec === after.spec) return true;
  if (before.spec.endpoint.mode !== after.spec.endpoint.mode || needsIngress(before) !== needsIngress(after)) return false;
  const left = before.spec.task.networks ?? [];
  const right = after.spec.task.networks ?? [];
  return left.length === right.length && left.every((attachment, index) => attachment.target === right[index]!.target);
}
