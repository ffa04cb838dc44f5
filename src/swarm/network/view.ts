/**
 * Reading the network allocation: a service's virtual IPs, a task's addresses, the networks a
 * node is on and the peers of a network, as the Engine API shows them.
 */
import { hashText } from "../../sim/hash.js";
import type { AddressLease, AddressPool, ClusterState, Service, SwarmNetwork, SwarmNode } from "../types.js";
import { nodeOwner, serviceNetworkIds, serviceOwner, taskOwner } from "./allocation.js";
import { hostAddress, prefixLengthOf } from "./ipam.js";

/** The pool of network `networkId`, if allocated. */
export function poolOf(state: ClusterState, networkId: string): AddressPool | undefined {
  return state.networkAllocations?.pools[networkId];
}

/** The address of a lease with its prefix length (`10.0.0.6/24`). */
export function leaseCidr(pool: AddressPool, lease: AddressLease): string {
  return `${hostAddress(pool.subnet, lease.host)}/${prefixLengthOf(pool.subnet)}`;
}

/** `owner`'s address on `networkId` (`10.0.0.6/24`), or null. */
export function addressOf(state: ClusterState, networkId: string, owner: string): string | null {
  const pool = poolOf(state, networkId);
  const lease = pool?.leases[owner];
  return pool === undefined || lease === undefined ? null : leaseCidr(pool, lease);
}

/** A service's virtual IPs (`Endpoint.VirtualIPs`), in swarmkit's order: ingress first, then its networks. */
export function serviceVirtualIps(state: ClusterState, service: Service): { readonly networkId: string; readonly address: string }[] {
  const ips: { networkId: string; address: string }[] = [];
  for (const networkId of serviceNetworkIds(state, service)) {
    const address = addressOf(state, networkId, serviceOwner(service.id));
    if (address !== null) ips.push({ networkId, address });
  }
  return ips;
}

/** The addresses of task `taskId`, by network id. */
export function taskAddresses(state: ClusterState, taskId: string): Map<string, string> {
  const addresses = new Map<string, string>();
  for (const [networkId, pool] of Object.entries(state.networkAllocations?.pools ?? {})) {
    const lease = pool.leases[taskOwner(taskId)];
    if (lease !== undefined) addresses.set(networkId, leaseCidr(pool, lease));
  }
  return addresses;
}

/** The user networks node `nodeId` is on (it holds a load-balancer address there: a live task of it uses them), oldest first. */
export function nodeNetworks(state: ClusterState, nodeId: string): SwarmNetwork[] {
  const pools = state.networkAllocations?.pools ?? {};
  return Object.values(state.networks ?? {})
    .filter((network) => pools[network.id]?.leases[nodeOwner(nodeId)] !== undefined)
    .sort((left, right) => left.createdAt - right.createdAt || (left.id < right.id ? -1 : 1));
}

/**
 * The name a node has in the networks' gossip (networkdb): moby 20.10 shows a random 12-digit
 * hexadecimal id, new at each start of the daemon; here one derived from the node id.
 */
export function peerName(nodeId: string): string {
  return hashText(`networkdb/${nodeId}`).slice(0, 12);
}

/** One entry of a network's `Peers`. */
export interface NetworkPeer {
  readonly node: SwarmNode;
  readonly name: string;
  readonly ip: string;
}

/**
 * The nodes on network `networkId` that are not down, as node `localNodeId` lists them: in the
 * order they joined it, except that a node that joined a user network with its first task lists
 * itself first (it joined before it heard of the others, as moby's networkdb shows).
 */
export function networkPeers(state: ClusterState, networkId: string, localNodeId: string): NetworkPeer[] {
  const pool = poolOf(state, networkId);
  if (pool === undefined) return [];
  const peers: { peer: NetworkPeer; sequence: number }[] = [];
  for (const [owner, lease] of Object.entries(pool.leases)) {
    if (!owner.startsWith("node/")) continue;
    const node = state.nodes[owner.slice("node/".length)];
    if (node === undefined || node.status.state === "down") continue;
    const local = node.id === localNodeId && networkId !== state.cluster?.ingressNetworkId;
    peers.push({ peer: { node, name: peerName(node.id), ip: node.status.address }, sequence: local ? -1 : lease.sequence });
  }
  return peers.sort((left, right) => left.sequence - right.sequence).map((entry) => entry.peer);
}
