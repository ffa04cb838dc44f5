/**
 * What a simulation offers about its Raft members without advancing time: the live leader,
 * each member's status, proposals, and safety checking of the whole group.
 */
import type { SimulationKernel } from "../../sim/simulation.js";
import type { Host } from "../../host/host.js";
import { SimulationError } from "../../sim/errors.js";
import { removalWouldLoseQuorum, type ProposalResult, type RaftStatus } from "../raft/index.js";
import type { RaftNode } from "./raft-node.js";
import { RaftProcess, raftProcessName, type AppliedProposal } from "./raft-process.js";
import { SwarmManager } from "../manager/manager.js";
import { managerProcessName } from "../node/local-state.js";

/** The Raft member running on a host, if any (a Raft-only process or a swarm manager's). */
export function raftNodeOf(kernel: SimulationKernel, hostName: string): RaftNode | null {
  return raftNodeOn(kernel.host(hostName));
}

/** The Raft member running on `host`, if any: {@link raftNodeOf} for a caller already holding the host. */
export function raftNodeOn(host: Host): RaftNode | null {
  const behaviour = host.running.get(raftProcessName)?.behaviour;
  if (behaviour instanceof RaftProcess) return behaviour.node;
  const manager = host.running.get(managerProcessName)?.behaviour;
  return manager instanceof SwarmManager ? manager.raftNode : null;
}

/** The swarm manager running on a host, if any. */
export function swarmManagerOf(kernel: SimulationKernel, hostName: string): SwarmManager | null {
  const manager = kernel.host(hostName).running.get(managerProcessName)?.behaviour;
  return manager instanceof SwarmManager ? manager : null;
}

/** A member's status; throws a {@link SimulationError} when no member runs on the host. */
export function raftStatusOf(kernel: SimulationKernel, hostName: string): RaftStatus {
  const node = raftNodeOf(kernel, hostName);
  if (node === null) throw new SimulationError(`no Raft member runs on host "${hostName}"`);
  return node.status();
}

/** The live leader of the highest term, or undefined. */
export function liveLeader(kernel: SimulationKernel): { host: string; term: number } | undefined {
  let best: { host: string; term: number } | undefined;
  for (const host of kernel.hosts()) {
    if (!host.up) continue;
    const node = raftNodeOn(host);
    if (node === null || node.role !== "leader") continue;
    const term = node.term;
    if (best === undefined || term > best.term) best = { host: host.name, term };
  }
  return best;
}

/** Proposes data at a member (it must be the leader to succeed). Does not advance time. */
export function proposeAt(kernel: SimulationKernel, hostName: string, data: unknown): ProposalResult {
  const behaviour = kernel.host(hostName).running.get(raftProcessName)?.behaviour;
  if (!(behaviour instanceof RaftProcess) || behaviour.node === null) {
    throw new SimulationError(`no Raft-only member runs on host "${hostName}" (a swarm manager's log holds only cluster changes)`);
  }
  return behaviour.node.propose(data);
}

/** The proposals a member has applied, in log order. */
export function appliedAt(kernel: SimulationKernel, hostName: string): readonly AppliedProposal[] {
  const instance = kernel.host(hostName).running.get(raftProcessName);
  if (!(instance?.behaviour instanceof RaftProcess)) throw new SimulationError(`no Raft member runs on host "${hostName}"`);
  return instance.behaviour.log.applied;
}

/**
 * Removes a member from the group through the leader, one at a time. Refused, changing nothing,
 * when it would leave the remaining members without a reachable quorum (Docker: demoting or
 * removing so that quorum would be lost is refused) or when another change is pending.
 */
export function removeMember(kernel: SimulationKernel, member: string): ProposalResult {
  const leader = liveLeader(kernel);
  if (leader === undefined) throw new SimulationError("the Raft group has no leader: membership cannot change");
  const node = raftNodeOf(kernel, leader.host)!;
  const { members } = node.status();
  if (!members.includes(member)) return { ok: false, reason: "not-a-member", member };
  if (removalWouldLoseQuorum(members, node.reachableMembers(), member)) {
    throw new SimulationError(`removing ${member} would leave the Raft group without a quorum of reachable members`);
  }
  return node.proposeMembershipChange({ action: "remove", member });
}

/** Adds `member` (whose host runs a member started with no configuration) through the leader. */
export function addMember(kernel: SimulationKernel, member: string): ProposalResult {
  const leader = liveLeader(kernel);
  if (leader === undefined) throw new SimulationError("the Raft group has no leader: membership cannot change");
  return raftNodeOf(kernel, leader.host)!.proposeMembershipChange({ action: "add", member });
}
