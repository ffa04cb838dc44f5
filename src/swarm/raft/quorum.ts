/**
 * Majority arithmetic over a configuration: the quorum size, whether a set of members forms
 * one, and whether removing (or demoting) a member would leave the reachable members short of
 * a quorum, as swarmkit checks before demoting a manager.
 */

/** The number of members that make a majority of `memberCount` (0 for an empty configuration). */
export function quorumSize(memberCount: number): number {
  return memberCount === 0 ? 0 : Math.floor(memberCount / 2) + 1;
}

/** Whether the members for which `counts` is true form a majority of `members`. */
export function isQuorum(members: readonly string[], counts: (member: string) => boolean): boolean {
  if (members.length === 0) return false;
  let count = 0;
  for (const member of members) if (counts(member)) count++;
  return count >= quorumSize(members.length);
}

/**
 * Whether removing `removed` from `members` would leave fewer reachable members than a quorum
 * of the remaining configuration (reachability as the leader sees it, see
 * `RaftMember.reachableMembers`). Also true when `removed` is the last member.
 */
export function removalWouldLoseQuorum(members: readonly string[], reachable: Iterable<string>, removed: string): boolean {
  const remaining = members.filter((member) => member !== removed);
  if (remaining.length === 0) return true;
  const reachableSet = new Set(reachable);
  return !isQuorum(remaining, (member) => reachableSet.has(member));
}

/** Whether the cluster currently has a quorum of reachable members at all. */
export function hasReachableQuorum(members: readonly string[], reachable: Iterable<string>): boolean {
  const reachableSet = new Set(reachable);
  return isQuorum(members, (member) => reachableSet.has(member));
}
