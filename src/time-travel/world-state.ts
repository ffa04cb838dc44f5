/**
 * The whole visible state of a simulation at one virtual time, as a plain immutable value: the
 * hosts and their processes, every Raft member's status, the live leader, and the cluster store
 * (immer objects, shared with the managers, so keeping one costs a reference). The kept history
 * is a list of these; `captureWorldState` builds one and reuses the unchanged parts of the
 * previous one, so a snapshot costs only what changed.
 */
import type { SimulationKernel } from "../sim/simulation.js";
import type { ProcessInfo } from "../sim/process.js";
import type { RaftRole } from "../swarm/raft/index.js";
import type { ClusterState } from "../swarm/types.js";
import { raftNodeOf } from "../swarm/raft-driver/api.js";

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
}

/** What `captureWorldState` needs besides the kernel: the store reader and what changed since `previous`. */
export interface CaptureOptions {
  /** The state captured last, whose unchanged parts are reused. */
  readonly previous: WorldState | null;
  /** Hosts whose processes or power changed since `previous` (others are reused from it). */
  readonly changedHosts: ReadonlySet<string>;
  /** Reads the cluster store (`Simulation.clusterState`). */
  readonly clusterState: () => ClusterState | undefined;
}

/** Builds the state of `kernel` now, reusing the parts of `options.previous` that did not change. */
export function captureWorldState(kernel: SimulationKernel, options: CaptureOptions): WorldState {
  const previous = options.previous;
  const previousHosts = new Map<string, HostState>();
  const previousMembers = new Map<string, RaftMemberState>();
  if (previous !== null) {
    for (const host of previous.hosts) previousHosts.set(host.name, host);
    for (const member of previous.raft) previousMembers.set(member.host, member);
  }
  const hosts: HostState[] = [];
  const raft: RaftMemberState[] = [];
  let leader: { host: string; term: number } | null = null;
  for (const host of kernel.hosts()) {
    const kept = previousHosts.get(host.name);
    if (kept !== undefined && !options.changedHosts.has(host.name) && kept.up === host.up && kept.bootCount === host.bootCount) {
      hosts.push(kept);
    } else {
      hosts.push({ name: host.name, address: host.address, up: host.up, bootCount: host.bootCount, processes: host.processes() });
    }
    if (!host.up) continue;
    const node = raftNodeOf(kernel, host.name);
    if (node === null) continue;
    const status = node.status();
    const keptMember = previousMembers.get(host.name);
    const same =
      keptMember !== undefined &&
      keptMember.id === status.id &&
      keptMember.role === status.state &&
      keptMember.term === status.term &&
      keptMember.leader === status.leader &&
      keptMember.commitIndex === status.commitIndex &&
      keptMember.appliedIndex === status.appliedIndex &&
      sameList(keptMember.members, status.members);
    raft.push(
      same
        ? keptMember
        : {
            host: host.name,
            id: status.id,
            role: status.state,
            term: status.term,
            leader: status.leader,
            commitIndex: status.commitIndex,
            appliedIndex: status.appliedIndex,
            members: status.members,
          },
    );
    if (status.state === "leader" && (leader === null || status.term > leader.term)) leader = { host: host.name, term: status.term };
  }
  const store = options.clusterState() ?? null;
  return { timeMs: kernel.now, hosts, raft, leader, store };
}

function sameList(first: readonly string[], second: readonly string[]): boolean {
  return first.length === second.length && first.every((item, index) => item === second[index]);
}
