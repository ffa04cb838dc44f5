// In-memory test harness for the Raft state machine, like etcd-io/raft's `network`: a fake
// clock and event queue drive timers and message deliveries; the network can cut links,
// isolate members, drop (by rate or by predicate), duplicate and delay; persistence is a
// MemoryRaftStorage per member, and a restart rebuilds the member from it. Every Ready is fed
// to a RaftSafetyChecker after it is persisted.
import { Random } from "../../../src/sim/random.js";
import {
  MemoryRaftStorage,
  RaftMember,
  RaftSafetyChecker,
  initialPersistentState,
  type LogEntry,
  type RaftMessage,
  type RaftOptions,
  type RaftStatus,
  type RaftTimerKind,
} from "../../../src/swarm/raft/index.js";

/** Raft options a test may set (id and random are the harness's). */
export type TestRaftOptions = Partial<Omit<RaftOptions, "id" | "random">>;

/** Options of a test cluster. */
export interface ClusterOptions {
  /** The initial configuration. */
  readonly members: readonly string[];
  /** Members started with an empty configuration, waiting to be added. */
  readonly joiners?: readonly string[];
  /** Seed of every random draw. */
  readonly seed?: string;
  /** Options for every member. */
  readonly raft?: TestRaftOptions;
  /** Options for particular members, over `raft`. */
  readonly perMember?: Readonly<Record<string, TestRaftOptions>>;
  /** One-way latency range in ms. Default [1, 10]. */
  readonly latencyMs?: readonly [number, number];
  /** Timers fire by themselves (default) or only through `fireTimer` (scripted scenarios). */
  readonly autoTimers?: boolean;
}

/** Fast timings for tests (swarmkit's, scaled down 1:50). */
export const testTimings = { electionTimeoutMs: [200, 400] as readonly [number, number], heartbeatIntervalMs: 20 };

interface Node {
  readonly id: string;
  member: RaftMember | null;
  readonly storage: MemoryRaftStorage;
  incarnation: number;
  /** The state machine: the data of applied non-empty normal entries. */
  applied: unknown[];
  /** The latest timer requests, by kind (to skip duplicates). */
  scheduled: Map<RaftTimerKind, number>;
  /** Whether the last observed status was leader in this term (for acknowledgement checks). */
  leaderTerm: number | null;
}

type QueuedEvent =
  | { readonly atMs: number; readonly sequence: number; readonly type: "deliver"; readonly message: RaftMessage }
  | { readonly atMs: number; readonly sequence: number; readonly type: "timer"; readonly member: string; readonly incarnation: number; readonly kind: RaftTimerKind };

/** A binary min-heap of events by (time, sequence). */
class EventHeap {
  private readonly items: QueuedEvent[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): QueuedEvent | undefined {
    return this.items[0];
  }
  push(event: QueuedEvent): void {
    const items = this.items;
    items.push(event);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(items[index]!, items[parent]!)) break;
      [items[index], items[parent]] = [items[parent]!, items[index]!];
      index = parent;
    }
  }
  pop(): QueuedEvent | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let index = 0;
      for (;;) {
        const left = index * 2 + 1;
        const right = left + 1;
        let smallest = index;
        if (left < items.length && before(items[left]!, items[smallest]!)) smallest = left;
        if (right < items.length && before(items[right]!, items[smallest]!)) smallest = right;
        if (smallest === index) break;
        [items[index], items[smallest]] = [items[smallest]!, items[index]!];
        index = smallest;
      }
    }
    return top;
  }
}

function before(left: QueuedEvent, right: QueuedEvent): boolean {
  return left.atMs < right.atMs || (left.atMs === right.atMs && left.sequence < right.sequence);
}

/** A proposal the harness made, and whether its proposer saw it committed. */
export interface TrackedProposal {
  readonly data: string;
  readonly index: number;
  readonly term: number;
  readonly proposer: string;
  readonly incarnation: number;
  acknowledgedAtMs: number | null;
}

/** Most events one run call may process (a runaway guard). */
const eventsPerRunMax = 5_000_000;
/** Most Readies drained in a row from one member (compaction can add one). */
const readiesPerDrainMax = 100;

/** A Raft group on a fake network and clock. */
export class RaftCluster {
  /** Virtual time in ms. */
  now = 0;
  /** The safety checker fed by every Ready. */
  readonly checker = new RaftSafetyChecker();
  /** Proposals made through `propose`. */
  readonly proposals: TrackedProposal[] = [];
  /** Acknowledged proposals missing from a later leader's log. */
  readonly acknowledgementViolations: string[] = [];
  /** Every message sent, when `recordMessages` is on. */
  readonly sentMessages: RaftMessage[] = [];
  recordMessages = false;
  /** Network: per-message drop probability and duplication probability. */
  dropRate = 0;
  duplicateRate = 0;
  private readonly nodes = new Map<string, Node>();
  private readonly queue = new EventHeap();
  private sequence = 0;
  private readonly random: Random;
  private readonly cutLinks = new Set<string>();
  private readonly dropRules: Array<(message: RaftMessage) => boolean> = [];
  private readonly latencyMs: readonly [number, number];
  private readonly autoTimers: boolean;

  constructor(readonly options: ClusterOptions) {
    this.random = new Random(options.seed ?? "raft-test");
    this.latencyMs = options.latencyMs ?? [1, 10];
    this.autoTimers = options.autoTimers ?? true;
    for (const id of options.members) this.addNode(id, options.members);
    for (const id of options.joiners ?? []) this.addNode(id, []);
    for (const id of this.nodes.keys()) this.boot(id);
  }

  /** All member ids. */
  get ids(): string[] {
    return [...this.nodes.keys()];
  }

  /** The live member `id` (throws when crashed). */
  member(id: string): RaftMember {
    const member = this.node(id).member;
    if (member === null) throw new Error(`${id} is crashed`);
    return member;
  }

  /** Whether `id` is running. */
  isUp(id: string): boolean {
    return this.node(id).member !== null;
  }

  /** The status of `id`, or null when crashed. */
  status(id: string): RaftStatus | null {
    return this.node(id).member?.status() ?? null;
  }

  /** The state machine of `id`: applied data in order. */
  applied(id: string): readonly unknown[] {
    return this.node(id).applied;
  }

  /** The persisted log of `id`. */
  persistedEntries(id: string): readonly LogEntry[] {
    return this.node(id).storage.state().entries;
  }

  /** Running members that are leaders, highest term first. */
  leaders(): string[] {
    return this.ids
      .filter((id) => this.status(id)?.state === "leader")
      .sort((left, right) => this.status(right)!.term - this.status(left)!.term);
  }

  /**
   * A leader that a majority of its configuration follows in its term and that has committed
   * an entry of its term, or null.
   */
  stableLeader(): string | null {
    for (const id of this.leaders()) {
      const status = this.status(id)!;
      const followers = status.members.filter((other) => {
        const otherStatus = this.status(other);
        return otherStatus !== null && otherStatus.term === status.term && otherStatus.leader === id;
      });
      const member = this.member(id);
      const snapshot = member.snapshot();
      const committedTerm = status.commitIndex === snapshot.index ? snapshot.term : member.entries(status.commitIndex, status.commitIndex)[0]?.term;
      const committedOwnTerm = committedTerm === status.term;
      if (followers.length >= Math.floor(status.members.length / 2) + 1 && committedOwnTerm) return id;
    }
    return null;
  }

  // ------------------------------------------------------------------ faults

  /** Blocks both directions between `a` and `b`, including messages in flight. */
  cut(a: string, b: string): void {
    this.cutLinks.add(`${a}|${b}`).add(`${b}|${a}`);
  }

  /** Cuts `id` from every other member. */
  isolate(id: string): void {
    for (const other of this.ids) if (other !== id) this.cut(id, other);
  }

  /** Cuts every link between the two groups. */
  partition(groupA: readonly string[], groupB: readonly string[]): void {
    for (const a of groupA) for (const b of groupB) this.cut(a, b);
  }

  /** Restores every link and removes drop rules and rates. */
  recover(): void {
    this.cutLinks.clear();
    this.dropRules.length = 0;
    this.dropRate = 0;
    this.duplicateRate = 0;
  }

  /** Drops every message matching `predicate` from now on (until `recover`). */
  dropIf(predicate: (message: RaftMessage) => boolean): void {
    this.dropRules.push(predicate);
  }

  /** Power-off: the member's memory and timers are gone; its storage stays. */
  crash(id: string): void {
    const node = this.node(id);
    node.member = null;
    node.incarnation++;
    node.scheduled.clear();
    node.leaderTerm = null;
  }

  /** Boots a crashed member from its storage. */
  restart(id: string): void {
    const node = this.node(id);
    if (node.member !== null) this.crash(id);
    this.boot(id);
  }

  // ------------------------------------------------------------------ driving

  /** Proposes `data` through the current leader (the highest-term one); returns the tracked proposal or null. */
  propose(data: string, via?: string): TrackedProposal | null {
    const leader = via ?? this.leaders()[0];
    if (leader === undefined || !this.isUp(leader)) return null;
    const node = this.node(leader);
    const result = this.member(leader).propose(data);
    if (!result.ok) return null;
    const proposal: TrackedProposal = { data, index: result.index, term: result.term, proposer: leader, incarnation: node.incarnation, acknowledgedAtMs: null };
    this.proposals.push(proposal);
    this.drain(leader);
    return proposal;
  }

  /** Asks the current leader to hand leadership to `transferee`; returns whether it started. */
  transferLeadership(transferee: string): boolean {
    const leader = this.leaders()[0];
    if (leader === undefined || !this.isUp(leader)) return false;
    const started = this.member(leader).transferLeadership(transferee, this.now);
    this.drain(leader);
    return started;
  }

  /** Fires a member's timer now, or at its deadline when later (moving the clock there). For scripted scenarios. */
  fireTimer(id: string, kind: RaftTimerKind): void {
    const node = this.node(id);
    const atMs = node.scheduled.get(kind);
    if (atMs === undefined) throw new Error(`${id} has no ${kind} timer armed`);
    this.now = Math.max(this.now, atMs);
    this.member(id).timerFired(kind, this.now);
    this.drain(id);
  }

  /** Delivers a message directly (bypassing the network) and handles the outputs. */
  deliver(message: RaftMessage): void {
    if (!this.isUp(message.to)) return;
    this.member(message.to).step(message, this.now);
    this.drain(message.to);
  }

  /** Runs events for `durationMs` of virtual time. */
  runFor(durationMs: number): void {
    const endMs = this.now + durationMs;
    this.runUntil(() => false, durationMs);
    this.now = Math.max(this.now, endMs);
  }

  /** Runs events until `condition` holds (checked after each event) or `timeoutMs` passes; returns whether it held. */
  runUntil(condition: () => boolean, timeoutMs: number): boolean {
    const endMs = this.now + timeoutMs;
    if (condition()) return true;
    for (let processed = 0; processed < eventsPerRunMax; processed++) {
      const next = this.queue.peek();
      if (next === undefined || next.atMs > endMs) {
        this.now = endMs;
        return condition();
      }
      this.queue.pop();
      this.now = Math.max(this.now, next.atMs);
      this.handle(next);
      if (condition()) return true;
    }
    throw new Error(`runUntil processed ${eventsPerRunMax} events`);
  }

  // ------------------------------------------------------------------ internals

  private node(id: string): Node {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`unknown member ${id}`);
    return node;
  }

  private addNode(id: string, members: readonly string[]): void {
    this.nodes.set(id, {
      id,
      member: null,
      storage: new MemoryRaftStorage(initialPersistentState(members)),
      incarnation: 0,
      applied: [],
      scheduled: new Map(),
      leaderTerm: null,
    });
  }

  private boot(id: string): void {
    const node = this.node(id);
    const random = new Random(`${this.options.seed ?? "raft-test"}/${id}/${node.incarnation}`);
    const persisted = node.storage.state();
    node.member = new RaftMember(
      { ...testTimings, ...this.options.raft, ...this.options.perMember?.[id], id, random: () => random.next() },
      persisted,
      this.now,
    );
    node.applied = persisted.snapshot.data === null ? [] : [...(persisted.snapshot.data as unknown[])];
    this.drain(id);
  }

  private handle(event: QueuedEvent): void {
    if (event.type === "deliver") {
      const message = event.message;
      if (this.cutLinks.has(`${message.from}|${message.to}`)) return; // partitions also stop messages in flight
      this.deliver(message);
      return;
    }
    const node = this.node(event.member);
    if (node.member === null || node.incarnation !== event.incarnation) return;
    node.member.timerFired(event.kind, this.now);
    this.drain(event.member);
  }

  /** Handles a member's Readies: persist, check, send, apply, arm timers, compact, advance. */
  private drain(id: string): void {
    const node = this.node(id);
    for (let count = 0; count < readiesPerDrainMax; count++) {
      const member = node.member;
      if (member === null || !member.hasReady()) return;
      const ready = member.ready();
      node.storage.apply(ready);
      const status = member.status();
      this.checker.observe(id, ready, status);
      this.checkAcknowledged(node, status);
      for (const message of ready.messages) this.send(message);
      if (ready.snapshot !== null && ready.restoreStateMachine) node.applied = [...(ready.snapshot.data as unknown[])];
      for (const entry of ready.committedEntries) {
        if (entry.kind === "normal" && entry.data !== null) node.applied.push(entry.data);
        this.acknowledge(node, entry);
      }
      for (const timer of ready.timers) this.schedule(node, timer.kind, timer.atMs);
      if (ready.snapshotWanted !== null) member.compact(ready.snapshotWanted.index, [...node.applied]);
      member.advance();
    }
    throw new Error(`${id} kept producing Readies`);
  }

  private schedule(node: Node, kind: RaftTimerKind, atMs: number): void {
    if (node.scheduled.get(kind) === atMs) return;
    node.scheduled.set(kind, atMs);
    if (!this.autoTimers) return;
    this.queue.push({ atMs: Math.max(atMs, this.now), sequence: this.sequence++, type: "timer", member: node.id, incarnation: node.incarnation, kind });
  }

  private send(message: RaftMessage): void {
    if (this.recordMessages) this.sentMessages.push(message);
    if (this.cutLinks.has(`${message.from}|${message.to}`)) return;
    if (this.dropRules.some((rule) => rule(message))) return;
    if (this.dropRate > 0 && this.random.next() < this.dropRate) return;
    const copies = this.duplicateRate > 0 && this.random.next() < this.duplicateRate ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) {
      const atMs = this.now + this.random.uniform(this.latencyMs[0], this.latencyMs[1]);
      this.queue.push({ atMs, sequence: this.sequence++, type: "deliver", message });
    }
  }

  private acknowledge(node: Node, entry: LogEntry): void {
    for (const proposal of this.proposals) {
      if (proposal.acknowledgedAtMs !== null || proposal.proposer !== node.id || proposal.incarnation !== node.incarnation) continue;
      if (proposal.index === entry.index && proposal.term === entry.term && entry.data === proposal.data) proposal.acknowledgedAtMs = this.now;
    }
  }

  /** Every acknowledged proposal is in the log of every leader elected later. */
  private checkAcknowledged(node: Node, status: RaftStatus): void {
    if (status.state !== "leader") {
      node.leaderTerm = null;
      return;
    }
    if (node.leaderTerm === status.term) return;
    node.leaderTerm = status.term;
    const persisted = node.storage.state();
    for (const proposal of this.proposals) {
      if (proposal.acknowledgedAtMs === null) continue;
      if (proposal.index <= persisted.snapshot.index) continue; // compacted: covered by the snapshot
      const entry = persisted.entries.find((candidate) => candidate.index === proposal.index);
      if (entry === undefined || entry.term !== proposal.term || entry.data !== proposal.data) {
        this.acknowledgementViolations.push(`leader ${node.id} of term ${status.term} lacks acknowledged ${proposal.data} at ${proposal.index}`);
      }
    }
  }
}
