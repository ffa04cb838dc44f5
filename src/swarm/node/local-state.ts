/**
 * What a node keeps on its own disk about its swarm membership (dockerd's
 * /var/lib/docker/swarm/state.json): its node id, its role, the managers it knows, and, for the
 * node that ran `swarm init`, the cluster's bootstrap record until the first leader writes it.
 */
import type { Disk } from "../../host/disk.js";

/** The disk key of the local swarm state. */
export const localStateKey = "/var/lib/docker/swarm/state.json";
/** Where a node keeps the description it reports (hostname, platform, resources, engine). */
export const descriptionKey = "/var/lib/docker/swarm/description.json";
/** The port managers listen on for the swarm's own traffic. */
export const swarmPort = 2377;
/** The process name of a manager's swarm components (Raft, store, orchestration, dispatcher, control API). */
export const managerProcessName = "swarm-manager";
/** The process name of a node's agent. */
export const agentProcessName = "swarm-agent";

/** The cluster as `swarm init` creates it, written by the first leader. */
export interface ClusterBootstrap {
  readonly clusterId: string;
  readonly rootCaDigest: string;
  readonly workerToken: string;
  readonly managerToken: string;
  /** The id of the swarm's ingress network (the routing mesh's overlay). */
  readonly ingressNetworkId: string;
}

/** A node's swarm membership. */
export interface LocalSwarmState {
  readonly nodeId: string;
  readonly role: "manager" | "worker";
  /** Host names of the managers this node knows (its own name first if it is one). */
  readonly managers: readonly string[];
  /** The address it advertises (`10.0.0.1:2377`). */
  readonly advertiseAddress: string;
  /** Present on the node that ran `swarm init`, until the cluster object is committed. */
  readonly bootstrap: ClusterBootstrap | null;
}

/** Reads the local swarm state, or null when the node is not in a swarm. */
export function readLocalState(disk: Disk): LocalSwarmState | null {
  return disk.read<LocalSwarmState>(localStateKey) ?? null;
}

/** Writes the local swarm state. */
export function writeLocalState(disk: Disk, state: LocalSwarmState): void {
  disk.write(localStateKey, state);
}

/** Forgets the swarm (`docker swarm leave`), including the Raft log of a manager. */
export function clearLocalState(disk: Disk): void {
  for (const key of disk.keys("/var/lib/docker/swarm/")) disk.delete(key);
}

const base36 = "0123456789abcdefghijklmnopqrstuvwxyz";

/** `length` base-36 characters from a random source. */
export function randomBase36(random: { next(): number }, length: number): string {
  let text = "";
  for (let index = 0; index < length; index++) text += base36[Math.floor(random.next() * 36)];
  return text;
}

/** A join token in swarmkit's format: `SWMTKN-1-<root CA digest, 50 base-36>-<secret, 25 base-36>`. */
export function joinToken(rootCaDigest: string, secret: string): string {
  return `SWMTKN-1-${rootCaDigest}-${secret}`;
}
