/**
 * A swarm manager: the process dockerd runs on manager nodes. It holds a Raft member whose
 * state machine is the cluster store; every change of cluster state is proposed through Raft
 * and applied on every manager when committed. Only the leader runs the orchestrators, the
 * scheduler and the dispatcher; a follower forwards control requests and agents' heartbeats to
 * the leader. Without a leader every write fails with Docker's "does not have a leader" error,
 * and running containers keep running.
 */
import { Answered, call, sleep, waitFor, RpcError, RpcProcess, type Coroutine, type RpcHandlers } from "../../sim/coroutine.js";
import type { ProcessAddress } from "../../sim/events.js";
import type { TimerHandle } from "../../sim/process.js";
import { RaftNode, type RaftSettings, type ReplicatedStateMachine } from "../raft-driver/raft-node.js";
import { removalWouldLoseQuorum, type LogEntry } from "../raft/index.js";
import { ClusterStore, checkChanges, createChange, updateChange, type StoreChange, type StoreEvent } from "../store/index.js";
import { Orchestrator } from "../orchestrator/index.js";
import { scheduleTasks, type SchedulerBugs } from "../scheduler/index.js";
import { newObjectId } from "../identifiers.js";
import { isAfter, swarmDefaults, type ClusterState, type NodeDescription, type SwarmNode, type Task, type TaskStatus } from "../types.js";
import { descriptionKey, managerProcessName, readLocalState, swarmPort, writeLocalState, type ClusterBootstrap } from "../node/local-state.js";
import { syncLockKey } from "../node/autolock.js";

/** Docker's error when a write finds no leader. */
export const noLeaderMessage =
  "rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.";
/** How long a control request waits for its change to commit, ms. */
export const commitTimeoutMs = 30_000;
/** How long a forwarded request waits for the leader, ms. */
export const forwardTimeoutMs = 30_000;
/** The leader's periodic work (restart delays, node heartbeats), ms. */
export const leaderTickMs = 1_000;
/** A node is down after this many missed heartbeat periods (swarmkit). */
export const missedHeartbeatsMax = 3;
/** Bound `proposalWaitsMax`: 10 ms waits for the proposal in flight before proposing anyway (it is refused if stale). */
export const proposalWaitsMax = 100;
/** Bound `joinAttemptsMax`: a new manager asks this many times (once a second) to be added to the Raft group. */
export const joinAttemptsMax = 60;
/** How often a leader handing over checks whether another manager leads, ms (swarmkit: a tenth of its 1 s tick). */
export const leadershipPollMs = 100;

/** How long a leader waits for its handover to take effect (swarmkit's reqTimeout: 5 s + 2 election timeouts), ms. */
export function leadershipTransferTimeoutMs(electionTimeoutMinimumMs: number): number {
  return 5_000 + 2 * electionTimeoutMinimumMs;
}
/** Bound `pendingStatusUpdatesMax`: task status reports waiting for the next proposal. */
export const pendingStatusUpdatesMax = 100_000;
/**
 * swarmkit's dispatcher commits the task statuses agents report in one batch every
 * `maxBatchInterval` (manager/dispatcher/dispatcher.go), ms: a report waits up to this long.
 */
export const statusBatchIntervalMs = 100;
/**
 * swarmkit's dispatcher sends a node's changed assignments once no further change came for
 * `batchingWaitTime` (each change restarts the wait; manager/dispatcher/dispatcher.go), ms.
 */
export const assignmentBatchWaitMs = 100;
/**
 * swarmkit's scheduler runs a pass once commits pause for `commitDebounceGap`, but at most
 * `maxLatency` after the first one it has not looked at (manager/scheduler/scheduler.go), ms.
 */
export const schedulerDebounce = { gapMs: 50, maxLatencyMs: 1_000 } as const;

/** No service names (shared, never mutated). */
const noServiceNames: readonly string[] = Object.freeze([]);

/** No task statuses (shared, never mutated). */
const noStatuses: ReadonlyMap<string, TaskStatus> = new Map();

/** One entry's data: the changes and the proposer's time (so every manager writes the same timestamps). */
interface ChangeSetEntry {
  readonly changes: readonly StoreChange[];
  readonly nowMs: number;
}

/** A task status reported by an agent. */
export interface TaskStatusReport {
  readonly taskId: string;
  readonly status: TaskStatus;
}

/** What the leader knows of a node's heartbeats. */
interface NodeHeartbeat {
  /** When the leader last heard from the node (or began to lead, or saw it join), ms. */
  lastMs: number;
  /** Whether the node's agent has sent a heartbeat to this leader. */
  heard: boolean;
  /**
   * The token naming the node's current assignments in heartbeat answers, or null once a
   * committed change touched its tasks (a new token is issued at its next heartbeat).
   */
  assignments: string | null;
}

/** A node's record when this leader starts to watch it (taking office, or the node joining): not heard yet, as if heard at `nowMs`. */
function unheardNode(nowMs: number): NodeHeartbeat {
  return { lastMs: nowMs, heard: false, assignments: null };
}

/** An agent's heartbeat: its node, the task statuses it reports, and the assignments it holds. */
export interface HeartbeatRequest {
  readonly nodeId: string;
  readonly statuses: readonly TaskStatusReport[];
  /** The `assignments` token of the last answer the agent acted on, or null for a full set. */
  readonly assignments: string | null;
}

/**
 * What a heartbeat returns to an agent: its tasks and the services they belong to, or null
 * when its tasks have not changed since the token it sent (swarmkit's dispatcher streams
 * incremental assignments after a full set; this is the same information, polled).
 */
export interface HeartbeatAnswer {
  readonly periodMs: number;
  /** Names the node's assignments as of this answer (unique per leader process and change). */
  readonly assignments: string;
  /** The node's tasks, or null when unchanged since the request's token. */
  readonly tasks: readonly Task[] | null;
  /**
   * The name of each task's service, by position in `tasks` (empty when `tasks` is null). A list,
   * not a record by service id: a record's keys would be new property names in every swarm,
   * each one a new hidden class to V8.
   */
  readonly serviceNames: readonly string[];
  readonly managers: readonly string[];
  /** The role the node has in the store (it changes on promote and demote). */
  readonly role: "manager" | "worker";
}

/** A write through the control API. */
export type ControlWrite =
  | { readonly operation: "changes"; readonly changes: readonly StoreChange[] }
  | { readonly operation: "join"; readonly token: string; readonly hostname: string; readonly address: string; readonly description: NodeDescription }
  | { readonly operation: "add-member"; readonly hostname: string }
  | { readonly operation: "leave"; readonly hostname: string }
  | { readonly operation: "remove-manager"; readonly nodeId: string }
  | { readonly operation: "promote" | "demote"; readonly nodeId: string };

/** The store as Raft's state machine. */
class StoreMachine implements ReplicatedStateMachine {
  store = new ClusterStore();
  /** Called with each committed change set's events. */
  onApplied: (entry: LogEntry, events: readonly StoreEvent[]) => void = () => {};

  apply(entry: LogEntry): void {
    if (entry.kind !== "normal" || entry.data === null) {
      this.onApplied(entry, []);
      return;
    }
    const { changes, nowMs } = entry.data as ChangeSetEntry;
    const events = this.store.apply(changes, entry.index, nowMs);
    this.onApplied(entry, events);
  }

  snapshot(): unknown {
    return { state: this.store.state, index: this.store.raftIndex };
  }

  restore(data: unknown): void {
    const snapshot = data as { state: ClusterState; index: number } | null;
    this.store = snapshot === null ? new ClusterStore() : new ClusterStore(snapshot.state, snapshot.index);
  }
}

/** The manager process. */
export class SwarmManager extends RpcProcess {
  private raft!: RaftNode;
  private readonly machine = new StoreMachine();
  private orchestrator: Orchestrator | null = null;
  private proposalInFlight = false;
  /** Task statuses reported by agents and not yet proposed. */
  private pendingStatuses = new Map<string, TaskStatus>();
  /**
   * Per node, when this leader last heard its heartbeat (or began to lead, or saw it join), whether
   * its agent has sent one to this leader, and its assignments token: one record, updated in place
   * on every heartbeat.
   */
  private readonly heartbeats = new Map<string, NodeHeartbeat>();
  private wasLeader = false;
  /** The highest term of an applied entry: a new leader acts only once it applied an entry of its own term (its store is then current). */
  private appliedTerm = 0;
  /** Something the scheduler looks at changed since its last pass (tasks, nodes, services). */
  private schedulingNeeded = true;
  /** Committed changes or a tick since the orchestrators last looked. */
  private orchestrationNeeded = true;
  /** The periodic tick asked for the node-heartbeat check. */
  private nodeCheckDue = true;
  /** Changes were applied since the leader's last round. */
  private roundWanted = false;
  /** The store's nodes when `roleChanges` last found nothing to start (immutable: a change makes a new object). */
  private roleChangesCheckedNodes: ClusterState["nodes"] | null = null;
  /** The leader's pending tick (see `armLeaderTick`), or null. */
  private leaderTick: TimerHandle | null = null;
  /** When the orchestrators next have timed work (restart delays, update steps), ms, or null. */
  private orchestratorWakeMs: number | null = null;
  /** Tokens issued by this process (with the prefix, makes each token unique in the swarm). */
  private assignmentTokensIssued = 0;
  /** Per node whose tasks changed, the dispatcher's batching timer: its assignments go out when it fires. */
  private readonly assignmentBatches = new Map<string, TimerHandle>();
  /** The dispatcher's status batch timer, armed while reports wait, and whether it fired since the last commit of reports. */
  private statusBatchTimer: TimerHandle | null = null;
  private statusBatchDue = false;
  /** The scheduler's debounce: when the first commit it has not looked at came, and the last one, ms. */
  private schedulerDebounceStartMs: number | null = null;
  private schedulerLastCommitMs = 0;
  /** Names this manager incarnation in its tokens: host, pid and start time. */
  private assignmentTokenPrefix = "";
  /** The sorted manager hostnames of one version of the store's nodes (immutable: a change makes a new object). */
  private managerHostnamesCache: { readonly nodes: ClusterState["nodes"]; readonly hostnames: readonly string[] } | null = null;
  /** The nodes of one version of the store's nodes, sorted by id (immutable: a change makes a new object). */
  private nodesByIdCache: { readonly nodes: ClusterState["nodes"]; readonly sorted: readonly SwarmNode[] } | null = null;

  constructor(
    private readonly settings: RaftSettings,
    private readonly initialMembers: readonly string[],
    /** Deliberate scheduler bugs, for mutation tests only. */
    private readonly schedulerBugs: SchedulerBugs = {},
  ) {
    super();
  }

  /** The current cluster state of this manager (for reads and tests). */
  get state(): ClusterState {
    return this.machine.store.state;
  }

  /** This member's Raft node. */
  get raftNode(): RaftNode {
    return this.raft;
  }

  protected handlers(): RpcHandlers {
    return {
      read: () => this.read(),
      // This manager's own store, without forwarding (for --force-new-cluster, which works without a leader).
      "local-state": () => (function* (manager: SwarmManager): Coroutine<{ state: ClusterState; index: number; term: number }> {
        const status = manager.raft.status();
        return { state: manager.state, index: status.appliedIndex, term: status.term };
      })(this),
      write: (request: ControlWrite) => this.write(request),
      // The leader answers at once (the hot path: every node, every period); a follower forwards.
      heartbeat: (request: HeartbeatRequest) => (this.isLeader() ? new Answered(this.answerHeartbeat(request)) : this.forward<HeartbeatAnswer>("heartbeat", request)),
    };
  }

  protected override onStart(): void {
    // Pids repeat across hosts and boots: the host and start time make this incarnation's tokens its own.
    this.assignmentTokenPrefix = `${this.context.host}/${this.context.pid}@${this.context.now}`;
    this.machine.onApplied = (entry, events) => this.applied(entry, events);
    this.raft = new RaftNode(this.context, managerProcessName, this.settings, this.initialMembers, this.machine);
    // `swarm init`: the new cluster's only member campaigns at once, as swarmkit's bootstrap does.
    const local = readLocalState(this.context.disk);
    const status = this.raft.status();
    // A group of one (a new swarm, or --force-new-cluster) has nobody to wait for.
    if (status.members.length === 1 && status.members[0] === this.context.host) this.raft.campaign();
    // A promoted worker's new member asks the leader to add it (a joining manager's dockerd asks itself).
    else if (local !== null && this.raft.status().members.length === 0) this.run(this.askToJoin(local.managers), () => {});
    this.afterRaft();
  }

  protected override onMessage(message: unknown, from: ProcessAddress): void {
    if (!this.raft.receive(message, from)) super.onMessage(message, from);
    this.afterRaft();
  }

  protected override onTimer(payload: unknown): void {
    if (payload === "status-batch") {
      this.statusBatchTimer = null;
      this.statusBatchDue = true;
      this.leaderRound();
    } else if (payload === "leader-tick") {
      this.leaderTick = null;
      this.nodeCheckDue = true;
      // The tick also comes for heartbeat expiries: the orchestrators look again only when their time has come.
      if (this.orchestratorWakeMs !== null && this.orchestratorWakeMs <= this.context.now) this.orchestrationNeeded = true;
      this.leaderRound();
    } else if (!this.raft.timer(payload)) {
      // Raft's timers are asked first: they are most timers here, and each check of an object payload is a megamorphic read.
      if (typeof payload === "object" && payload !== null && (payload as { assignmentBatch?: unknown }).assignmentBatch !== undefined) {
        this.sendAssignments((payload as { assignmentBatch: string }).assignmentBatch);
      }
    }
    this.afterRaft();
  }

  /** Leadership changes start or stop the leader's components. */
  private afterRaft(): void {
    if (this.raft.removed) {
      // Out of the Raft group (demoted): this node is a worker from now on, as swarmkit's node
      // restarts as one, so its dockerd answers manager-only requests with the worker's error.
      const local = readLocalState(this.context.disk);
      if (local !== null && local.role === "manager") writeLocalState(this.context.disk, { ...local, role: "worker" });
      this.context.exit(0);
      return;
    }
    const leader = this.isLeader();
    if (leader && !this.wasLeader) {
      this.orchestrator = new Orchestrator({ random: this.context.random.fork(`orchestrator/${this.raft.status().term}`), ingressNetworkId: this.state.cluster?.ingressNetworkId ?? "ingress" });
      this.heartbeats.clear();
      for (const node of Object.values(this.state.nodes)) this.heartbeats.set(node.id, unheardNode(this.context.now));
      this.proposalInFlight = false;
      this.schedulingNeeded = true;
      this.nodeCheckDue = true;
      this.orchestrationNeeded = true;
      this.leaderRound();
    }
    if (!leader) this.orchestrator = null;
    this.wasLeader = leader;
    if (leader && this.leaderTick === null) this.armLeaderTick(this.context.now + leaderTickMs);
    // Committed changes (a client's write, say) are acted on at once, not at the next tick.
    if (leader && this.roundWanted) {
      this.roundWanted = false;
      this.leaderRound();
    }
  }

  /**
   * Arms the leader's tick for `atMs` unless one is armed earlier (one pending at most). It runs
   * the node check and the orchestrators' timed work; swarmkit's dispatcher keeps a timer per
   * node instead, with the same effect: a node is checked when its heartbeats may have expired.
   */
  private armLeaderTick(atMs: number): void {
    if (this.leaderTick !== null && this.leaderTick.time <= atMs) return;
    if (this.leaderTick !== null) this.context.cancelTimer(this.leaderTick);
    this.leaderTick = this.context.setTimer(Math.max(1, atMs - this.context.now), "leader-tick");
  }

  /** When the earliest node's heartbeats expire (it is then marked down), ms. */
  private nextHeartbeatExpiryMs(): number | null {
    const periodMs = this.state.cluster?.heartbeatPeriodMs ?? swarmDefaults.heartbeatPeriodMs;
    let earliest: number | null = null;
    for (const [nodeId, heartbeat] of this.heartbeats) {
      if (this.state.nodes[nodeId]?.status.state === "down") continue;
      const expiryMs = heartbeat.lastMs + periodMs * missedHeartbeatsMax + 1;
      if (earliest === null || expiryMs < earliest) earliest = expiryMs;
    }
    return earliest;
  }

  private isLeader(): boolean {
    // While the Raft node is being built (re-applying its log after a restart) it leads nothing.
    if (this.raft === undefined) return false;
    // A new leader's store may miss entries of earlier terms that commit with its first entry:
    // like swarmkit, it leads only once it has applied an entry of its own term.
    return this.raft.role === "leader" && this.appliedTerm >= this.raft.term;
  }

  /** The cluster object whose unlock key this manager's disk follows (autolock; immutable, so compared by identity). */
  private lockKeyCluster: ClusterState["cluster"] = null;

  /** Called for every committed entry on every manager. */
  private applied(entry: LogEntry, events: readonly StoreEvent[]): void {
    this.appliedTerm = Math.max(this.appliedTerm, entry.term);
    // Autolock: the TLS key on disk is re-encrypted with the cluster's current unlock key.
    if (this.state.cluster !== this.lockKeyCluster) syncLockKey(this.context.disk, (this.lockKeyCluster = this.state.cluster));
    if (this.raft !== undefined && entry.term === this.raft.term) this.coroutines.notify("leading");
    this.coroutines.notify(`commit:${entry.index}`, entry.term);
    if (this.orchestrator !== null && events.length > 0) this.orchestrator.handleEvents(this.machine.store, events);
    if (events.length > 0) {
      this.schedulingNeeded = true;
      this.orchestrationNeeded = true;
      this.roundWanted = true;
      this.schedulerDebounceStartMs ??= this.context.now;
      this.schedulerLastCommitMs = this.context.now;
    }
    // The agents of nodes whose role changed are woken at once to learn it (swarmkit's session
    // stream pushes the node object at once); those whose tasks changed get their assignments
    // when the dispatcher's batching wait for the node ends.
    const nodes = new Set<string>();
    const batched = new Set<string>();
    for (const event of events) {
      if (event.collection === "nodes") {
        if (event.after !== null && event.before !== null && event.after.role !== event.before.role) nodes.add(event.after.id);
        continue;
      }
      if (event.collection !== "tasks") continue;
      const task = (event.after ?? event.before) as Task;
      if (task.nodeId !== "") batched.add(task.nodeId);
    }
    if (!this.isLeader()) for (const nodeId of batched) nodes.add(nodeId);
    else for (const nodeId of [...batched].sort()) if (!nodes.has(nodeId)) this.batchAssignments(nodeId);
    for (const nodeId of [...nodes].sort()) this.sendAssignments(nodeId);
  }

  /** Restarts the dispatcher's batching wait for a node whose tasks changed (see {@link assignmentBatchWaitMs}). */
  private batchAssignments(nodeId: string): void {
    const pending = this.assignmentBatches.get(nodeId);
    if (pending !== undefined) this.context.cancelTimer(pending);
    this.assignmentBatches.set(nodeId, this.context.setTimer(assignmentBatchWaitMs, { assignmentBatch: nodeId }));
  }

  /** A node's changed assignments go out: its token is forgotten, and its agent woken (by the leader) to fetch them. */
  private sendAssignments(nodeId: string): void {
    const pending = this.assignmentBatches.get(nodeId);
    if (pending !== undefined) this.context.cancelTimer(pending);
    this.assignmentBatches.delete(nodeId);
    const heartbeat = this.heartbeats.get(nodeId);
    if (heartbeat !== undefined) heartbeat.assignments = null;
    const node = this.state.nodes[nodeId];
    if (this.isLeader() && node !== undefined) this.context.send(node.description.hostname, "swarm-agent", { wake: true });
  }

  // ------------------------------------------------------------ the leader's loop

  /** One round of the leader: bootstrap, dispatcher, orchestrators, then the scheduler; one proposal at a time. */
  private leaderRound(): void {
    if (!this.isLeader() || this.proposalInFlight || this.orchestrator === null) return;
    const view = this.machine.store;
    const now = this.context.now;
    let changes: StoreChange[] = [];
    if (this.state.cluster === null) changes = this.bootstrapChanges();
    let statuses: ReadonlyMap<string, TaskStatus> = noStatuses;
    if (changes.length === 0) {
      // Reported statuses wait for the dispatcher's batch timer (free-running, see statusBatchIntervalMs).
      if (this.statusBatchDue) {
        this.statusBatchDue = false;
        statuses = this.pendingStatuses;
        this.pendingStatuses = new Map();
      } else if (this.pendingStatuses.size > 0 && this.statusBatchTimer === null) {
        this.statusBatchTimer = this.context.setTimer(statusBatchIntervalMs - (now % statusBatchIntervalMs), "status-batch");
      }
      changes = this.dispatcherChanges(now, statuses);
    }
    if (changes.length === 0) changes = this.roleChanges();
    if (changes.length === 0 && this.orchestrationNeeded) {
      this.orchestrationNeeded = false;
      changes = [...this.orchestrator.tick(view, now).changes];
    }
    // The scheduler's debounce: a pass once commits pause, or at the latest maxLatency after the first.
    const schedulerDueMs =
      this.schedulerDebounceStartMs === null ? now : Math.min(this.schedulerLastCommitMs + schedulerDebounce.gapMs, this.schedulerDebounceStartMs + schedulerDebounce.maxLatencyMs);
    if (changes.length === 0 && this.schedulingNeeded && schedulerDueMs - now > 1e-6) this.armLeaderTick(schedulerDueMs);
    else if (changes.length === 0 && this.schedulingNeeded) {
      this.schedulingNeeded = false;
      this.schedulerDebounceStartMs = null;
      const decisions = scheduleTasks(this.state, { nowMs: now, bugs: this.schedulerBugs });
      for (const assignment of decisions.assignments) {
        const task = this.state.tasks[assignment.taskId]!;
        // A fresh status, as swarmkit writes it: a pending task's explanation goes.
        changes.push(updateChange("tasks", { ...task, nodeId: assignment.nodeId, status: { ...task.status, state: "assigned", message: assignment.message, error: "", timestamp: now } }));
      }
      // A task that fits nowhere stays pending with the scheduler's explanation (swarmkit's noSuitableNode writes Status.Err).
      for (const { taskId, explanation } of decisions.unassigned) {
        const task = this.state.tasks[taskId]!;
        if (task.status.error !== explanation) changes.push(updateChange("tasks", { ...task, status: { ...task.status, error: explanation } }));
      }
    }
    if (changes.length > 0) this.run(this.propose(changes), (error) => this.proposed(error, statuses));
    const wake = this.orchestrator.nextWakeMs(now);
    this.orchestratorWakeMs = wake;
    if (wake !== null) this.armLeaderTick(wake);
    const expiry = this.nextHeartbeatExpiryMs();
    if (expiry !== null) this.armLeaderTick(expiry);
  }

  /**
   * After the leader's own proposal: the next round, or after a failure (the proposal was
   * dropped, say during a leadership transfer) the task statuses it carried are queued again
   * and everything is looked at afresh a tick later.
   */
  private proposed(error: unknown, statuses: ReadonlyMap<string, TaskStatus>): void {
    if (error === undefined) {
      this.leaderRound();
      return;
    }
    if (!(error instanceof RpcError)) throw error;
    for (const [taskId, status] of statuses) {
      const pending = this.pendingStatuses.get(taskId);
      if (pending === undefined || isAfter(status.state, pending.state)) this.pendingStatuses.set(taskId, status);
    }
    this.schedulingNeeded = true;
    this.orchestrationNeeded = true;
    this.nodeCheckDue = true;
    if (this.isLeader()) this.armLeaderTick(this.context.now + leaderTickMs);
  }

  /** The first leader of a new swarm writes the cluster object and its own node. */
  private bootstrapChanges(): StoreChange[] {
    const local = readLocalState(this.context.disk);
    const bootstrap: ClusterBootstrap | null = local?.bootstrap ?? null;
    if (local === null || bootstrap === null) return [];
    const now = this.context.now;
    const meta = { version: 0, createdAt: now, updatedAt: now };
    return [
      createChange("cluster", {
        id: bootstrap.clusterId,
        ...meta,
        name: "default",
        taskHistoryRetentionLimit: swarmDefaults.taskHistoryRetentionLimit,
        joinTokens: { worker: bootstrap.workerToken, manager: bootstrap.managerToken },
        rootCaDigest: bootstrap.rootCaDigest,
        ingressNetworkId: bootstrap.ingressNetworkId,
        heartbeatPeriodMs: swarmDefaults.heartbeatPeriodMs,
        removedNodes: {},
        raftSnapshotInterval: swarmDefaults.raftSnapshotInterval,
        raftKeepOldSnapshots: swarmDefaults.raftKeepOldSnapshots,
        nodeCertificateExpiryMs: swarmDefaults.nodeCertificateExpiryMs,
      }),
      createChange("nodes", this.newNode(local.nodeId, this.context.host, local.advertiseAddress, "manager", this.localDescription())),
    ];
  }

  private localDescription(): NodeDescription {
    return this.context.disk.read<NodeDescription>(descriptionKey)!;
  }

  private newNode(id: string, hostname: string, address: string, role: "manager" | "worker", description: NodeDescription): SwarmNode {
    const now = this.context.now;
    return {
      id,
      version: 0,
      createdAt: now,
      updatedAt: now,
      spec: { name: "", labels: {}, desiredRole: role, availability: "active" },
      role,
      description: { ...description, hostname },
      status: { state: "unknown", message: "", address: address.split(":")[0]! },
      managerStatus: role === "manager" ? { leader: false, reachability: "reachable", address } : null,
    };
  }

  /** Task statuses reported since the last proposal, node status from heartbeats, and the leader flag. */
  private dispatcherChanges(now: number, statuses: ReadonlyMap<string, TaskStatus>): StoreChange[] {
    const changes: StoreChange[] = [];
    if (statuses.size > 0) {
      for (const [taskId, status] of [...statuses].sort(([left], [right]) => (left < right ? -1 : 1))) {
        const task = this.state.tasks[taskId];
        if (task === undefined || !statusMovesOn(status, task.status)) continue;
        changes.push(updateChange("tasks", { ...task, status }));
      }
    }
    if (!this.nodeCheckDue) return changes;
    this.nodeCheckDue = false;
    const periodMs = this.state.cluster?.heartbeatPeriodMs ?? swarmDefaults.heartbeatPeriodMs;
    const leaderHost = this.context.host;
    // A promoted node has no manager status until its Raft member has joined; from then on it
    // keeps one, with reachability from heartbeats (old managers stay Unreachable after
    // --force-new-cluster, as Docker's admin guide shows).
    const members = this.raft.members;
    for (const node of this.nodesById()) {
      const heartbeat = this.heartbeats.get(node.id);
      const alive = now - (heartbeat?.lastMs ?? 0) <= periodMs * missedHeartbeatsMax;
      const state = !alive ? "down" : heartbeat?.heard === true ? "ready" : node.status.state;
      const hostname = node.description.hostname;
      const managerStatus =
        node.role !== "manager" || (node.managerStatus === null && !members.includes(hostname))
          ? null
          : {
              leader: hostname === leaderHost,
              reachability: (alive ? "reachable" : "unreachable") as "reachable" | "unreachable",
              address: node.managerStatus?.address ?? `${node.status.address}:${swarmPort}`,
            };
      const statusChanged = state !== node.status.state;
      const before = node.managerStatus;
      const managerChanged =
        managerStatus === null ? before !== null : before === null || managerStatus.leader !== before.leader || managerStatus.reachability !== before.reachability;
      if (statusChanged || managerChanged) {
        changes.push(updateChange("nodes", { ...node, status: { ...node.status, state, message: state === "down" ? "heartbeat failure" : "" }, managerStatus }));
      }
    }
    return changes;
  }

  /** Waits (bounded by `proposalWaitsMax`) until no proposal of this leader is in flight. */
  private *awaitProposalSlot(): Coroutine<void> {
    for (let attempt = 0; this.proposalInFlight && attempt < proposalWaitsMax; attempt++) yield* waitFor("never", 10);
  }

  /** Proposes a change set and waits until it commits (or fails). */
  private *propose(changes: readonly StoreChange[]): Coroutine<void> {
    const problems = checkChanges(this.state, changes);
    if (problems.length > 0) throw new RpcError("FailedPrecondition", problems.join("; "));
    this.proposalInFlight = true;
    try {
      const result = this.raft.propose({ changes, nowMs: this.context.now } satisfies ChangeSetEntry);
      if (!result.ok) throw new RpcError("Unavailable", noLeaderMessage);
      const term = yield* waitFor<number>(`commit:${result.index}`, commitTimeoutMs);
      if (term !== result.term) throw new RpcError("Unavailable", "rpc error: code = Unknown desc = raft: proposal dropped (leadership changed)");
    } finally {
      this.proposalInFlight = false;
    }
  }

  // ------------------------------------------------------------ control API and dispatcher

  private *forward<T>(method: string, params: unknown): Coroutine<T> {
    // A leader still catching up on its store answers once it has (its first entry commits within a round trip).
    if (this.raft.role === "leader") {
      yield* waitFor("leading", forwardTimeoutMs);
      if (this.isLeader()) {
        const handled = this.handlers()[method]!(params, { host: this.context.host, process: managerProcessName });
        return (handled instanceof Answered ? handled.value : yield* handled) as T;
      }
    }
    const leader = this.raft.leader;
    if (leader === null || leader === this.context.host) throw new RpcError("Unavailable", noLeaderMessage);
    return (yield* call(leader, managerProcessName, method, params, forwardTimeoutMs)) as T;
  }

  /** A consistent read: the leader's committed state. */
  private *read(): Coroutine<{ state: ClusterState; leader: string }> {
    if (!this.isLeader()) return yield* this.forward("read", {});
    return { state: this.state, leader: this.context.host };
  }

  /** A write: validated on the leader, proposed, answered once committed. */
  private *write(request: ControlWrite): Coroutine<unknown> {
    if (!this.isLeader()) return yield* this.forward("write", request);
    // Wait for the loop's own proposal to finish: one proposal at a time keeps changes consistent.
    yield* this.awaitProposalSlot();
    switch (request.operation) {
      case "changes":
        this.refuseQuorumLoss(request.changes);
        yield* this.propose(request.changes);
        this.leaderRound();
        return { ok: true };
      case "join":
        return yield* this.join(request);
      case "add-member":
        return yield* this.addMember(request.hostname);
      case "leave":
        return yield* this.leave(request.hostname);
      default:
        throw new RpcError("InvalidArgument", `unsupported operation ${request.operation}`);
    }
  }

  private *join(request: Extract<ControlWrite, { operation: "join" }>): Coroutine<{ nodeId: string; role: "manager" | "worker"; managers: readonly string[]; ingressNetworkId: string }> {
    const cluster = this.state.cluster;
    if (cluster === null) throw new RpcError("Unavailable", noLeaderMessage);
    const role = request.token === cluster.joinTokens.manager ? "manager" : request.token === cluster.joinTokens.worker ? "worker" : null;
    if (role === null) throw new RpcError("InvalidArgument", "rpc error: code = InvalidArgument desc = A valid join token is necessary to join this cluster");
    const nodeId = newObjectId(this.context.random);
    yield* this.propose([createChange("nodes", this.newNode(nodeId, request.hostname, request.address, role, request.description))]);
    this.heartbeats.set(nodeId, unheardNode(this.context.now));
    this.leaderRound();
    return { nodeId, role, managers: this.managerHostnames(), ingressNetworkId: cluster.ingressNetworkId };
  }

  private *askToJoin(managers: readonly string[]): Coroutine<void> {
    for (let attempt = 0; attempt < joinAttemptsMax; attempt++) {
      for (const manager of managers) {
        if (manager === this.context.host) continue;
        try {
          yield* call(manager, managerProcessName, "write", { operation: "add-member", hostname: this.context.host } satisfies ControlWrite, forwardTimeoutMs);
          return;
        } catch (error) {
          if (!(error instanceof RpcError)) throw error;
        }
      }
      yield* sleep(1_000);
    }
  }

  /**
   * A manager leaving with `docker swarm leave --force`: removed from the Raft group (as
   * swarmkit's raft Leave), then kept in the store as a down worker until `docker node rm`.
   */
  private *leave(hostname: string): Coroutine<{ ok: true }> {
    const status = this.raft.status();
    if (status.members.includes(hostname) && status.members.length > 1) {
      const change = this.raft.proposeMembershipChange({ action: "remove", member: hostname });
      if (!change.ok) throw new RpcError("Unavailable", "rpc error: code = Unavailable desc = a membership change is in progress, try again");
      const term = yield* waitFor<number>(`commit:${change.index}`, commitTimeoutMs);
      if (term !== change.term) throw new RpcError("Unavailable", noLeaderMessage);
    }
    const node = Object.values(this.state.nodes).find((candidate) => candidate.description.hostname === hostname);
    if (node !== undefined && this.isLeader()) {
      yield* this.awaitProposalSlot();
      yield* this.propose([
        updateChange("nodes", { ...node, role: "worker", spec: { ...node.spec, desiredRole: "worker" }, managerStatus: null, status: { ...node.status, state: "down", message: "node left the swarm" } }),
      ]);
    }
    return { ok: true };
  }

  /** Refuses a demotion of the last manager, or one that would lose the Raft quorum (Docker's words). */
  private refuseQuorumLoss(changes: readonly StoreChange[]): void {
    for (const change of changes) {
      if (change.kind !== "update" || change.collection !== "nodes") continue;
      const after = change.object as SwarmNode;
      const before = this.state.nodes[after.id];
      if (before === undefined || before.role !== "manager" || after.spec.desiredRole !== "worker" || before.spec.desiredRole === "worker") continue;
      const managers = Object.values(this.state.nodes).filter((node) => node.role === "manager");
      if (managers.length <= 1) throw new RpcError("FailedPrecondition", "rpc error: code = FailedPrecondition desc = attempting to demote the last manager of the swarm");
      if (managerRemovalLosesQuorum(this, before.description.hostname)) {
        throw new RpcError("FailedPrecondition", "rpc error: code = FailedPrecondition desc = can't remove member from the raft: this would result in a loss of quorum");
      }
    }
  }

  /** Promotions and demotions the leader carries out: the role in the store, and the Raft membership. */
  private roleChanges(): StoreChange[] {
    const changes: StoreChange[] = [];
    if (this.state.nodes === this.roleChangesCheckedNodes) return changes;
    this.roleChangesCheckedNodes = this.state.nodes;
    const changing = Object.values(this.state.nodes).filter((node) => node.spec.desiredRole !== node.role);
    for (const node of changing.sort((left, right) => (left.id < right.id ? -1 : 1))) {
      if (node.spec.desiredRole === "manager") {
        // The node's agent sees its new role and starts a manager, which then asks to join the Raft group.
        // No manager status until its Raft member has joined (see the node check).
        changes.push(updateChange("nodes", { ...node, role: "manager", managerStatus: null }));
      } else if (!this.demoting.has(node.id)) {
        this.demoting.add(node.id);
        this.run(this.demote(node.id), () => {
          this.demoting.delete(node.id);
          this.roleChangesCheckedNodes = null; // a demotion that could not finish is tried again
        });
      }
    }
    return changes;
  }

  private readonly demoting = new Set<string>();

  /**
   * Removes a demoted manager from the Raft group (it then stops), then records it as a worker.
   * A leader demoting itself first hands leadership over, and the new leader removes it, as
   * swarmkit's role manager does; if the handover fails, it removes itself.
   */
  private *demote(nodeId: string): Coroutine<void> {
    const node = this.state.nodes[nodeId];
    if (node === undefined) return;
    const hostname = node.description.hostname;
    if (hostname === this.context.host && (yield* this.transferLeadership())) return;
    if (this.raft.status().members.includes(hostname)) {
      const change = this.raft.proposeMembershipChange({ action: "remove", member: hostname });
      if (!change.ok) return; // another change is pending: the next round tries again
      const term = yield* waitFor<number>(`commit:${change.index}`, commitTimeoutMs);
      if (term !== change.term) return;
    }
    const current = this.state.nodes[nodeId];
    if (current === undefined || current.spec.desiredRole !== "worker") return;
    yield* this.awaitProposalSlot();
    yield* this.propose([updateChange("nodes", { ...current, role: "worker", managerStatus: null })]);
  }

  /**
   * Hands leadership to another manager and waits (polling every tenth of a tick, as swarmkit's
   * TransferLeadership) until one leads, for at most swarmkit's request timeout. Returns whether
   * another manager took over.
   */
  private *transferLeadership(): Coroutine<boolean> {
    if (this.raft.transferLeadership() === null) return false;
    const timeoutMs = leadershipTransferTimeoutMs(this.raft.electionTimeoutMinimumMs);
    for (let waitedMs = 0; waitedMs < timeoutMs; waitedMs += leadershipPollMs) {
      const leader = this.raft.status().leader;
      if (leader !== null && leader !== this.context.host) return true;
      yield* sleep(leadershipPollMs);
    }
    return false;
  }

  /**
   * Adds a joining manager to the Raft group, once its own member runs (with no configuration
   * yet): the joiner asks after `join` answered, as swarmkit's raft Join does.
   */
  private *addMember(hostname: string): Coroutine<{ ok: true }> {
    const node = Object.values(this.state.nodes).find((candidate) => candidate.description.hostname === hostname);
    if (node === undefined || node.role !== "manager") throw new RpcError("FailedPrecondition", `rpc error: code = FailedPrecondition desc = ${hostname} did not join as a manager`);
    if (this.raft.status().members.includes(hostname)) return { ok: true };
    const change = this.raft.proposeMembershipChange({ action: "add", member: hostname });
    if (!change.ok) throw new RpcError("Unavailable", "rpc error: code = Unavailable desc = a membership change is in progress, try again");
    const term = yield* waitFor<number>(`commit:${change.index}`, commitTimeoutMs);
    if (term !== change.term) throw new RpcError("Unavailable", noLeaderMessage);
    // The new member gets its manager status at once.
    this.nodeCheckDue = true;
    this.leaderRound();
    return { ok: true };
  }

  /** The leader's answer to an agent's heartbeat: the node remembered, its statuses queued for the next proposal, its tasks returned. */
  private answerHeartbeat(request: HeartbeatRequest): HeartbeatAnswer {
    const node = this.state.nodes[request.nodeId];
    if (node === undefined) {
      // swarmkit's authorizeOrg: a removed node's certificate is refused.
      if (this.state.cluster?.removedNodes[request.nodeId] !== undefined) {
        throw new RpcError("PermissionDenied", `Permission denied: node ${request.nodeId} was removed from swarm`);
      }
      throw new RpcError("NotFound", "node not found");
    }
    let heartbeat = this.heartbeats.get(request.nodeId);
    if (heartbeat === undefined) this.heartbeats.set(request.nodeId, (heartbeat = unheardNode(this.context.now)));
    // A node heard for the first time by this leader, or not yet ready in the store, is checked now.
    if (!heartbeat.heard || node.status.state !== "ready") this.nodeCheckDue = true;
    heartbeat.heard = true;
    heartbeat.lastMs = this.context.now;
    for (const report of request.statuses) {
      if (this.pendingStatuses.size >= pendingStatusUpdatesMax) break;
      const previous = this.pendingStatuses.get(report.taskId);
      // A newer report of the same task replaces the queued one, as in swarmkit's UpdateTaskStatus, unless it goes backwards or says nothing new.
      if (previous === undefined || statusMovesOn(report.status, previous)) this.pendingStatuses.set(report.taskId, report.status);
    }
    if (request.statuses.length > 0 || this.nodeCheckDue) this.leaderRound();
    let assignments = heartbeat.assignments;
    if (assignments === null) {
      assignments = `${this.assignmentTokenPrefix}/${++this.assignmentTokensIssued}`;
      heartbeat.assignments = assignments;
    }
    const periodMs = this.state.cluster?.heartbeatPeriodMs ?? swarmDefaults.heartbeatPeriodMs;
    const managers = this.managerHostnames();
    if (assignments === request.assignments) return { periodMs, assignments, tasks: null, serviceNames: noServiceNames, managers, role: node.role };
    const tasks = this.machine.store.tasksOfNode(request.nodeId);
    const serviceNames = new Array<string>(tasks.length);
    for (let index = 0; index < tasks.length; index++) serviceNames[index] = this.state.services[tasks[index]!.serviceId]?.spec.name ?? "";
    return { periodMs, assignments, tasks, serviceNames, managers, role: node.role };
  }

  /** The store's nodes sorted by id (cached while the store's nodes stay the same object: the node check runs every tick). */
  private nodesById(): readonly SwarmNode[] {
    const nodes = this.state.nodes;
    if (this.nodesByIdCache?.nodes !== nodes) this.nodesByIdCache = { nodes, sorted: Object.values(nodes).sort((left, right) => (left.id < right.id ? -1 : 1)) };
    return this.nodesByIdCache.sorted;
  }

  /** The hostnames of the managers in the store, sorted (cached while the store's nodes stay the same object). */
  private managerHostnames(): readonly string[] {
    const nodes = this.state.nodes;
    if (this.managerHostnamesCache?.nodes !== nodes) {
      const hostnames = Object.values(nodes)
        .filter((candidate) => candidate.role === "manager")
        .map((candidate) => candidate.description.hostname)
        .sort();
      this.managerHostnamesCache = { nodes, hostnames };
    }
    return this.managerHostnamesCache.hostnames;
  }
}

/**
 * Whether a reported task status is kept over `current` (the stored one, or one already queued):
 * swarmkit's dispatcher (manager/dispatcher/dispatcher.go `processUpdates`) drops a report whose
 * state is before the stored one ("task status invalid transition") or that is identical to it
 * (`task.Status == *taskStatus`, "task status identical, ignoring") and commits anything else, so
 * a report in the same state with a new message, error, exit code or container counts (the
 * running report, exit code -1, of a task whose Wait the agent cancelled for a shutdown).
 * Identical here is swarmkit's stable equality (api/equality `TaskStatusesEqualStable`: every
 * field but the timestamp): its agent stamps a status afresh only when it differs that way
 * (agent/exec/controller.go `Do`), so a report that differs in nothing but a newer timestamp (a
 * restarted agent re-reporting a container it found running) is a repeat, not a change, and
 * costs no commit.
 */
export function statusMovesOn(report: TaskStatus, current: TaskStatus): boolean {
  if (isAfter(current.state, report.state)) return false;
  if (isAfter(report.state, current.state)) return true;
  return (
    report.message !== current.message ||
    report.error !== current.error ||
    report.containerId !== current.containerId ||
    report.pid !== current.pid ||
    report.exitCode !== current.exitCode
  );
}

/** Whether removing the manager on `hostname` would lose the Raft quorum (as seen by the leader). */
export function managerRemovalLosesQuorum(manager: SwarmManager, hostname: string): boolean {
  const status = manager.raftNode.status();
  return removalWouldLoseQuorum(status.members, manager.raftNode.reachableMembers(), hostname);
}

