/**
 * The typed events of Raft members, added to the simulation's event map: role changes, the
 * first news of a term's leader, commits, snapshots and membership changes.
 */
import "../../sim/events.js";

declare module "../../sim/events.js" {
  interface SimulationEventMap {
    /** A member's role or term changed. */
    "raft.state": { host: string; term: number; state: "follower" | "pre-candidate" | "candidate" | "leader" };
    /** A member learned the leader of a term (the leader itself included). */
    "raft.leader": { host: string; term: number; leader: string };
    /** A member applied a committed entry. */
    "raft.commit": { host: string; index: number; term: number };
    /** A member snapshotted its state machine and compacted its log. */
    "raft.snapshot": { host: string; index: number };
    /** A member applied a membership change. */
    "raft.membership": { host: string; index: number; action: "add" | "remove"; member: string; members: string[] };
  }
}
