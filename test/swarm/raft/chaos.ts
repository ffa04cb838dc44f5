// Random fault schedules for Raft clusters: crashes and restarts, partitions, isolation,
// message loss/duplication (delay and reordering come from latency), heals, proposals and
// leadership transfers.
// Used by the fast-check properties (schedules drawn by fast-check) and the mutation tests
// (schedules drawn from a seeded Random, one per seed).
import fc from "fast-check";
import { Random } from "../../../src/sim/random.js";
import { RaftCluster, testTimings, type TestRaftOptions } from "./harness.js";

/** One fault or workload action; member numbers are taken modulo the cluster size. */
export type FaultAction =
  | { readonly kind: "crash"; readonly member: number }
  | { readonly kind: "restart"; readonly member: number }
  | { readonly kind: "bounce"; readonly member: number }
  | { readonly kind: "isolate"; readonly member: number }
  | { readonly kind: "partition"; readonly mask: number }
  | { readonly kind: "heal" }
  | { readonly kind: "partition-leader"; readonly mask: number }
  | { readonly kind: "crash-leader" }
  | { readonly kind: "lossy"; readonly dropRate: number; readonly duplicateRate: number }
  | { readonly kind: "propose"; readonly count: number }
  | { readonly kind: "transfer"; readonly member: number };

/** An action after a pause. */
export interface ScheduleStep {
  readonly delayMs: number;
  readonly action: FaultAction;
}

/** A fast-check arbitrary of one step. */
export const stepArbitrary: fc.Arbitrary<ScheduleStep> = fc.record({
  delayMs: fc.integer({ min: 0, max: 600 }),
  action: fc.oneof(
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("crash" as const), member: fc.nat(6) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("restart" as const), member: fc.nat(6) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("bounce" as const), member: fc.nat(6) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("isolate" as const), member: fc.nat(6) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("partition" as const), mask: fc.nat(127) }) },
    { weight: 2, arbitrary: fc.constant({ kind: "heal" as const }) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant("lossy" as const), dropRate: fc.double({ min: 0, max: 0.3, noNaN: true }), duplicateRate: fc.double({ min: 0, max: 0.3, noNaN: true }) }),
    },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant("propose" as const), count: fc.integer({ min: 1, max: 5 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("transfer" as const), member: fc.nat(6) }) },
  ),
});

/** How a seeded schedule is drawn. */
export interface ScheduleShape {
  /** Steps in the schedule. */
  readonly length: number;
  /** Pauses are uniform in [0, maxDelayMs]. */
  readonly maxDelayMs: number;
  /** Probability that a step is a bounce (crash and immediate restart) rather than another action. */
  readonly bounceRate: number;
  /** Probability that a step targets the current leader (partition it with a random group, or crash it). Default 0. */
  readonly leaderFaultRate?: number;
}

/** A schedule drawn from a seeded generator (for the mutation tests). */
export function randomSchedule(random: Random, shape: ScheduleShape): ScheduleStep[] {
  const { length, maxDelayMs, bounceRate } = shape;
  const steps: ScheduleStep[] = [];
  for (let step = 0; step < length; step++) {
    const roll = random.next();
    const member = random.integer(0, 7);
    const action: FaultAction =
      random.chance(bounceRate) ? { kind: "bounce", member }
      : random.chance(shape.leaderFaultRate ?? 0) ? (random.chance(0.7) ? { kind: "partition-leader", mask: random.integer(0, 128) } : { kind: "crash-leader" })
      : roll < 0.15 ? { kind: "crash", member }
      : roll < 0.3 ? { kind: "restart", member }
      : roll < 0.4 ? { kind: "isolate", member }
      : roll < 0.5 ? { kind: "partition", mask: random.integer(0, 128) }
      : roll < 0.6 ? { kind: "heal" }
      : roll < 0.65 ? { kind: "lossy", dropRate: random.uniform(0, 0.3), duplicateRate: random.uniform(0, 0.3) }
      : roll < 0.7 ? { kind: "transfer", member }
      : { kind: "propose", count: random.integer(1, 4) };
    steps.push({ delayMs: random.integer(0, maxDelayMs + 1), action });
  }
  return steps;
}

/** The member ids of an n-member cluster. */
export function memberIds(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `m${index + 1}`);
}

let proposalCounter = 0;

/** Applies one action to the cluster. */
export function applyAction(cluster: RaftCluster, action: FaultAction): void {
  const ids = cluster.ids;
  const pick = (member: number): string => ids[member % ids.length]!;
  switch (action.kind) {
    case "crash":
      if (cluster.isUp(pick(action.member))) cluster.crash(pick(action.member));
      return;
    case "restart":
      if (!cluster.isUp(pick(action.member))) cluster.restart(pick(action.member));
      return;
    case "bounce":
      cluster.restart(pick(action.member));
      return;
    case "isolate":
      cluster.isolate(pick(action.member));
      return;
    case "partition": {
      const groupA = ids.filter((_, index) => (action.mask >> index) & 1);
      const groupB = ids.filter((_, index) => !((action.mask >> index) & 1));
      cluster.partition(groupA, groupB);
      return;
    }
    case "heal":
      cluster.recover();
      return;
    case "partition-leader": {
      const leader = cluster.leaders()[0];
      if (leader === undefined) return;
      const groupA = ids.filter((id, index) => id === leader || (action.mask >> index) & 1);
      cluster.partition(groupA, ids.filter((id) => !groupA.includes(id)));
      return;
    }
    case "crash-leader": {
      const leader = cluster.leaders()[0];
      if (leader !== undefined) cluster.crash(leader);
      return;
    }
    case "lossy":
      cluster.dropRate = action.dropRate;
      cluster.duplicateRate = action.duplicateRate;
      return;
    case "propose":
      for (let count = 0; count < action.count; count++) cluster.propose(`p${proposalCounter++}`);
      return;
    case "transfer":
      cluster.transferLeadership(pick(action.member));
      return;
  }
}

/** Builds a cluster and runs the schedule on it. */
export function runSchedule(
  memberCount: number,
  steps: readonly ScheduleStep[],
  seed: string,
  raft: TestRaftOptions = {},
  options: { readonly stopOnViolation?: boolean; readonly latencyMs?: readonly [number, number] } = {},
): RaftCluster {
  const ids = memberIds(memberCount);
  const cluster = new RaftCluster({ members: ids, seed, raft, latencyMs: options.latencyMs ?? [1, 10] });
  const stopOnViolation = options.stopOnViolation ?? false;
  for (const step of steps) {
    cluster.runFor(step.delayMs);
    applyAction(cluster, step.action);
    if (stopOnViolation && !cluster.checker.ok) break;
  }
  return cluster;
}

/** Heals the network and restarts every crashed member; returns whether a stable leader appears within `timeoutMs`. */
export function healAndElect(cluster: RaftCluster, timeoutMs: number): boolean {
  cluster.recover();
  for (const id of cluster.ids) if (!cluster.isUp(id)) cluster.restart(id);
  return cluster.runUntil(() => cluster.stableLeader() !== null, timeoutMs);
}

/** The liveness bound after faults stop: this many maximum election timeouts. */
export const electionBoundTimeouts = 25;
/** That bound in ms with the test timings. */
export const electionBoundMs = electionBoundTimeouts * testTimings.electionTimeoutMs[1];

/** Options of the election nemesis. */
export interface ElectionNemesisOptions {
  readonly memberCount: number;
  readonly steps: number;
  readonly latencyMs: readonly [number, number];
  readonly raft: TestRaftOptions;
}

/**
 * A nemesis that reacts to elections (as Jepsen's do): it waits for a new leader and cuts it
 * off with a random minority right after it took office, so its first entries reach only part
 * of the group; in between it heals, restarts, crashes the leader and proposes. This builds the
 * paper's Figure 8 situations far more often than blind faults do.
 */
export function runElectionNemesis(seed: string, options: ElectionNemesisOptions): RaftCluster {
  const random = new Random(seed);
  const ids = memberIds(options.memberCount);
  const cluster = new RaftCluster({ members: ids, seed, latencyMs: options.latencyMs, raft: options.raft });
  for (let step = 0; step < options.steps && cluster.checker.ok; step++) {
    const roll = random.next();
    if (roll < 0.4) {
      const highestTerm = Math.max(...ids.map((id) => cluster.status(id)?.term ?? 0));
      cluster.runUntil(() => cluster.leaders().some((id) => cluster.status(id)!.term > highestTerm), 2_000);
      const leader = cluster.leaders()[0];
      if (leader === undefined) continue;
      cluster.runFor(random.uniform(0, options.latencyMs[1] * 2));
      const companions = random.shuffle(ids.filter((id) => id !== leader)).slice(0, random.integer(0, Math.floor(ids.length / 2)));
      cluster.recover();
      cluster.partition([leader, ...companions], ids.filter((id) => id !== leader && !companions.includes(id)));
    } else if (roll < 0.55) {
      cluster.recover();
      for (const id of ids) if (!cluster.isUp(id)) cluster.restart(id);
    } else if (roll < 0.7) {
      const leader = cluster.leaders()[0];
      if (leader !== undefined) cluster.crash(leader);
    } else {
      applyAction(cluster, { kind: "propose", count: random.integer(1, 3) });
      cluster.runFor(random.uniform(0, 100));
    }
  }
  return cluster;
}
