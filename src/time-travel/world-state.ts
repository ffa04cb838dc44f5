/**
 * The whole visible state of a simulation at one virtual time, as a plain immutable value: the
 * hosts and their processes, every Raft member's status, the live leader, the network faults in
 * force (partitions and changed links), and the cluster store (immer objects, shared with the
 * managers, so keeping one costs a reference). The kept history is a list of these;
 * `captureWorldState` builds one and reuses the unchanged parts of the previous one, so a
 * snapshot costs only what changed.
 */
import type { SimulationKernel } from "../sim/simulation.js";
import type { LinkSettings } from "../sim/events.js";
import type { ProcessInfo } from "../sim/process.js";
import type { RaftRole } from "../swarm/raft/index.js";
import type { ClusterState } from "../swarm/types.js";
import { raftNodeOn } from "../swarm/raft-driver/api.js";

/** One host at one time: whether it is powered on and what runs on it. */
export interface HostState {
  /** The host's name. */
  readonly name: string;
  /** The host's IPv4 address. */
  readonly address: string;
  /** Whether the host is powered on. */
  readonly up: boolean;
  /** How many times it has booted (1 after it is added). */
  readonly bootCount: number;
  /** The live processes, in start order. */
  readonly processes: readonly ProcessInfo[];
}

/** One Raft member at one time, as `sim.raftStatus(host)` showed it. */
export interface RaftMemberState {
  /** The host the member runs on. */
  readonly host: string;
  /** The member's Raft id. */
  readonly id: string;
  /** Its role: follower, pre-candidate, candidate or leader. */
  readonly role: RaftRole;
  /** Its current term. */
  readonly term: number;
  /** The id of the leader it knows for `term`, or null. */
  readonly leader: string | null;
  /** The highest index it knows committed. */
  readonly commitIndex: number;
  /** The highest index it has applied. */
  readonly appliedIndex: number;
  /** The configuration it knows. */
  readonly members: readonly string[];
}

/** One direction of a link whose settings differ from the network's defaults. */
export interface LinkState extends LinkSettings {
  /** The sending host. */
  readonly from: string;
  /** The receiving host. */
  readonly to: string;
}

/** The network faults in force at one time: partitions and links changed with `sim.faults`. */
export interface NetworkState {
  /**
   * The partitions in force, oldest first: no message crosses between the two groups of a pair.
   * At most {@link networkPartitionsKeptMax} (the newest); `partitionsNotKept` counts the others.
   */
  readonly partitions: ReadonlyArray<readonly [readonly string[], readonly string[]]>;
  /** Partitions in force beyond the bound `networkPartitionsKeptMax` (the oldest), not listed. */
  readonly partitionsNotKept: number;
  /** The directed links whose settings differ from the defaults, by sender then receiver. */
  readonly links: readonly LinkState[];
}

/** Bound `networkPartitionsKeptMax`: most partitions a kept network state lists (the newest). */
export const networkPartitionsKeptMax = 1_000;

/** The network state without faults: no partition, every link at the defaults. */
export const healthyNetworkState: NetworkState = { partitions: [], partitionsNotKept: 0, links: [] };

/** The whole visible state of a simulation at one virtual time. */
export interface WorldState {
  /** The virtual time this state was reached at, ms (it holds until the next kept state). */
  readonly timeMs: number;
  /** Every host, in order of addition. */
  readonly hosts: readonly HostState[];
  /** Every live Raft member, in host order. */
  readonly raft: readonly RaftMemberState[];
  /** The live leader of the highest term, or null. */
  readonly leader: { readonly host: string; readonly term: number } | null;
  /** The cluster store of the most up-to-date live manager (immutable immer objects), or null without one. */
  readonly store: ClusterState | null;
  /** The partitions and changed links in force (injected with `sim.faults`). */
  readonly network: NetworkState;
}

/** What `captureWorldState` needs besides the kernel: the store reader and what changed since `previous`. */
export interface CaptureOptions {
  /** The state captured last, whose unchanged parts are reused. */
  readonly previous: WorldState | null;
  /** Hosts whose processes or power changed since `previous` (others are reused from it). */
  readonly changedHosts: ReadonlySet<string>;
  /** Reads the cluster store (`Simulation.clusterState`). */
  readonly clusterState: () => ClusterState | undefined;
  /**
   * The network faults in force now (see {@link captureNetworkState}); by default the kernel's
   * partitions with the links of `previous` (the kernel cannot list changed links).
   */
  readonly network?: NetworkState;
}

/** Builds the state of `kernel` now, reusing the parts of `options.previous` that did not change. */
export function captureWorldState(kernel: SimulationKernel, options: CaptureOptions): WorldState {
  const previous = options.previous;
  const hosts: HostState[] = [];
  const raft: RaftMemberState[] = [];
  let leader: { host: string; term: number } | null = null;
  // Hosts are only ever added, in order: the previous state's host at the same position is this one's.
  let memberPosition = 0;
  for (const host of kernel.hosts()) {
    const kept = previous?.hosts[hosts.length];
    if (kept !== undefined && kept.name === host.name && !options.changedHosts.has(host.name) && kept.up === host.up && kept.bootCount === host.bootCount) {
      hosts.push(kept);
    } else {
      hosts.push({ name: host.name, address: host.address, up: host.up, bootCount: host.bootCount, processes: host.processes() });
    }
    if (!host.up) continue;
    const node = raftNodeOn(host);
    if (node === null) continue;
    const keptMember = findMember(previous, host.name, memberPosition++);
    const role = node.role;
    const term = node.term;
    const same =
      keptMember !== undefined &&
      keptMember.id === node.id &&
      keptMember.role === role &&
      keptMember.term === term &&
      keptMember.leader === node.leader &&
      keptMember.commitIndex === node.commitIndex &&
      keptMember.appliedIndex === node.appliedIndex &&
      sameList(keptMember.members, node.members);
    raft.push(
      same
        ? keptMember
        : {
            host: host.name,
            id: node.id,
            role,
            term,
            leader: node.leader,
            commitIndex: node.commitIndex,
            appliedIndex: node.appliedIndex,
            members: node.members,
          },
    );
    if (role === "leader" && (leader === null || term > leader.term)) leader = { host: host.name, term };
  }
  const store = options.clusterState() ?? null;
  const network = options.network ?? captureNetworkState(kernel, previous?.network.links.map((link) => [link.from, link.to] as const) ?? []);
  return { timeMs: kernel.now, hosts, raft, leader, store, network };
}

/** The previous state's member on `hostName`: usually at the same position, else searched for (members come and go). */
function findMember(previous: WorldState | null, hostName: string, position: number): RaftMemberState | undefined {
  if (previous === null) return undefined;
  const atPosition = previous.raft[position];
  return atPosition !== undefined && atPosition.host === hostName ? atPosition : previous.raft.find((member) => member.host === hostName);
}

/**
 * The network faults of `kernel` now: its partitions (the newest `networkPartitionsKeptMax`) and,
 * of the directed host pairs `links` (those whose settings may have been changed), the ones whose
 * settings differ from the defaults, sorted by sender then receiver.
 */
export function captureNetworkState(kernel: SimulationKernel, links: Iterable<readonly [from: string, to: string]>): NetworkState {
  const network = kernel.network;
  const all = network.partitions();
  const kept = all.length > networkPartitionsKeptMax ? all.slice(all.length - networkPartitionsKeptMax) : all;
  const defaults = network.defaults;
  const changed: LinkState[] = [];
  for (const [from, to] of links) {
    const settings = network.settings(from, to);
    if (settings === defaults || sameSettings(settings, defaults)) continue;
    changed.push({ from, to, latencyMs: [settings.latencyMs[0], settings.latencyMs[1]], lossRate: settings.lossRate, duplicateRate: settings.duplicateRate });
  }
  changed.sort((left, right) => compare(left.from, right.from) || compare(left.to, right.to));
  if (kept.length === 0 && changed.length === 0) return healthyNetworkState;
  return {
    partitions: kept.map(([groupA, groupB]) => [[...groupA], [...groupB]] as const),
    partitionsNotKept: all.length - kept.length,
    links: changed,
  };
}

function sameSettings(first: LinkSettings, second: LinkSettings): boolean {
  return first.latencyMs[0] === second.latencyMs[0] && first.latencyMs[1] === second.latencyMs[1] && first.lossRate === second.lossRate && first.duplicateRate === second.duplicateRate;
}

function compare(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

function sameList(first: readonly string[], second: readonly string[]): boolean {
  return first.length === second.length && first.every((item, index) => item === second[index]);
}
