/**
 * The allocator step (swarmkit's manager/allocator, reduced): a service publishing ports in
 * ingress mode gets its published ports (the ones not given are taken from the dynamic range
 * 30000-32767, per protocol; a port already taken by another service is refused) and, in
 * endpoint mode `vip`, its virtual IP on the ingress network: the one the network allocation
 * (src/swarm/network/allocation.ts) gave the service when the store applied it, so that it never
 * collides with a node's ingress sandbox or a task's address.
 * Host-mode ports are copied as given. A task in state NEW whose service is allocated moves to
 * PENDING ("pending task scheduling"), where the scheduler picks it up. (swarmkit's port
 * allocator hands dynamic ports out in turn; here the lowest free port is taken.)
 */
import { serviceOwner } from "../network/allocation.js";
import { leaseCidr } from "../network/view.js";
import { taskStates, type PortConfig, type Service } from "../types.js";
import type { ChangeBatch } from "./batch.js";

/** The allocator's port range. */
export const allocatorRanges = {
  /** First port handed out when none is given (swarmkit's `dynamicPortStart`). */
  dynamicPortFirst: 30_000,
  /** Last one (swarmkit's `dynamicPortEnd`). */
  dynamicPortLast: 32_767,
} as const;

/** The status message of an allocated task. */
export const allocatedStatusMessage = "pending task scheduling";

/** A service the allocator could not allocate, and why. */
export interface AllocationFailure {
  readonly serviceId: string;
  readonly message: string;
}

function portKey(port: PortConfig): string {
  return `${port.protocol}/${port.publishedPort}`;
}

function needsVirtualIp(service: Service): boolean {
  return service.spec.endpoint.mode === "vip" && service.spec.endpoint.ports.some((port) => port.publishMode === "ingress");
}

/** Whether the service's allocated endpoint matches its spec (same ports, published ports kept, virtual IP as needed). */
export function isServiceAllocated(service: Service, ingressNetworkId: string): boolean {
  const wanted = service.spec.endpoint.ports;
  const actual = service.endpoint.ports;
  if (wanted.length !== actual.length) return false;
  const portsMatch = wanted.every((port, index) => {
    const allocated = actual[index]!;
    return (
      allocated.name === port.name &&
      allocated.protocol === port.protocol &&
      allocated.targetPort === port.targetPort &&
      allocated.publishMode === port.publishMode &&
      (port.publishedPort === 0 ? allocated.publishMode === "host" || allocated.publishedPort !== 0 : allocated.publishedPort === port.publishedPort)
    );
  });
  const hasVirtualIp = service.endpoint.virtualIps.some((virtualIp) => virtualIp.networkId === ingressNetworkId);
  return portsMatch && hasVirtualIp === needsVirtualIp(service) && (hasVirtualIp || service.endpoint.virtualIps.length === 0);
}

/**
 * Allocates the endpoint of `serviceId` if its spec asks for what it does not have yet, keeping
 * ports it already holds (sticky, as swarmkit's `reconcilePortConfigs`). Returns a failure when a
 * port is taken or a range is exhausted; the service is then left unallocated.
 */
export function allocateService(batch: ChangeBatch, serviceId: string, ingressNetworkId: string): AllocationFailure | null {
  const service = batch.service(serviceId);
  if (service === undefined || isServiceAllocated(service, ingressNetworkId)) return null;
  const takenPorts = new Set<string>();
  for (const other of batch.serviceList()) {
    if (other.id === service.id) continue;
    for (const port of other.endpoint.ports) if (port.publishMode === "ingress") takenPorts.add(portKey(port));
  }
  const previous = new Map<string, number>();
  for (const port of service.endpoint.ports) if (port.publishMode === "ingress") previous.set(`${port.name}/${port.protocol}/${port.targetPort}`, port.publishedPort);

  const ports: PortConfig[] = service.spec.endpoint.ports.map((port) => ({ ...port }));
  // Ports given by the user first, then the dynamic ones (sticky when held before).
  for (const port of ports) {
    if (port.publishMode !== "ingress" || port.publishedPort === 0) continue;
    if (takenPorts.has(portKey(port))) return { serviceId, message: `port '${port.publishedPort}' is already in use by another service` };
    takenPorts.add(portKey(port));
  }
  for (const [index, port] of ports.entries()) {
    if (port.publishMode !== "ingress" || port.publishedPort !== 0) continue;
    const held = previous.get(`${port.name}/${port.protocol}/${port.targetPort}`);
    let chosen: number | null = held !== undefined && !takenPorts.has(`${port.protocol}/${held}`) ? held : null;
    for (let candidate = allocatorRanges.dynamicPortFirst; chosen === null && candidate <= allocatorRanges.dynamicPortLast; candidate++) {
      if (!takenPorts.has(`${port.protocol}/${candidate}`)) chosen = candidate;
    }
    if (chosen === null) return { serviceId, message: `no dynamic port left for ${port.protocol} target port ${port.targetPort}` };
    takenPorts.add(`${port.protocol}/${chosen}`);
    ports[index] = { ...port, publishedPort: chosen };
  }

  let virtualIps = service.endpoint.virtualIps.filter((virtualIp) => virtualIp.networkId === ingressNetworkId);
  if (!needsVirtualIp(service)) virtualIps = [];
  else if (virtualIps.length === 0) {
    // The address the network allocation holds for the service on ingress (none: the pool is full).
    const pool = batch.networkAllocations?.pools[ingressNetworkId];
    const lease = pool?.leases[serviceOwner(service.id)];
    if (pool === undefined || lease === undefined) return { serviceId, message: "no address left on the ingress network" };
    virtualIps = [{ networkId: ingressNetworkId, address: leaseCidr(pool, lease) }];
  }
  batch.update("services", { ...service, endpoint: { ports, virtualIps } });
  return null;
}

/**
 * Moves task `taskId` from NEW to PENDING when it is wanted running and its service is
 * allocated (swarmkit's `allocateTask`). Returns whether it did.
 */
export function allocateTask(batch: ChangeBatch, taskId: string, ingressNetworkId: string, nowMs: number): boolean {
  const task = batch.task(taskId);
  if (task === undefined || task.status.state !== "new" || taskStates[task.desiredState] > taskStates.running) return false;
  const service = batch.service(task.serviceId);
  if (service === undefined || !isServiceAllocated(service, ingressNetworkId)) return false;
  batch.update("tasks", { ...task, status: { ...task.status, state: "pending", message: allocatedStatusMessage, timestamp: nowMs } });
  return true;
}
