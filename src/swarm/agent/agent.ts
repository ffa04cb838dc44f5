/**
 * A node's swarm agent: it keeps a session with the managers (a heartbeat every period, at once
 * when something changed), receives the tasks assigned to its node, drives each through
 * ACCEPTED, PREPARING (image pull), READY, STARTING and RUNNING with its own dockerd's Engine
 * API, and reports COMPLETE, FAILED or REJECTED. It never moves a task past its desired state,
 * and shuts down tasks the managers no longer want. A task is never moved: it runs here or fails.
 */
import { call, sleep, RpcError, RpcProcess, type Coroutine, type RpcHandlers } from "../../sim/coroutine.js";
import type { ProcessAddress } from "../../sim/events.js";
import type { TimerHandle } from "../../sim/process.js";
import type { HttpRequest, HttpResponse } from "../../engine/api/http.js";
import { dockerdProcessName } from "../../engine/dockerd/daemon.js";
import { isAfter, isTerminal, taskStates, type Task, type TaskState, type TaskStatus } from "../types.js";
import { managerProcessName, readLocalState, writeLocalState, type LocalSwarmState } from "../node/local-state.js";
import type { HeartbeatAnswer, HeartbeatRequest, TaskStatusReport } from "../manager/manager.js";
import { taskNetworkIds } from "../network/allocation.js";
import { taskAddresses } from "../network/view.js";
import type { ClusterState } from "../types.js";

/** How long the agent waits for a manager's answer about a task's network attachments, ms. */
export const networkReadTimeoutMs = 2_000;
/** How long a heartbeat waits for its answer, ms. */
export const heartbeatTimeoutMs = 5_000;
/** How long a dockerd call of the agent may take, ms (pulls and stops included). */
export const engineCallTimeoutMs = 600_000;
/**
 * How long the agent's wait for a running container's exit may last before it is asked again,
 * ms. The wait ends at once if dockerd stops (the connection closes), so this only bounds it.
 */
export const containerWaitTimeoutMs = 86_400_000;
/** No task status reports (shared, never mutated). */
const noReports: readonly TaskStatusReport[] = [];
/** Bound `agentTasksMax`: tasks one agent keeps track of. */
export const agentTasksMax = 10_000;
/** Fraction of the period added at random to each heartbeat, as swarmkit's jitter. */
export const heartbeatJitter = 0.25;
/**
 * How long swarmkit's task manager waits before running a task's controller again after its
 * operation was cancelled (`ErrTaskRetry` in agent/task.go: "for now, this backoff is enough"),
 * ms. A new desired state cancels a running task's Wait, so every shutdown of a running task
 * starts this long after the agent heard of it.
 */
export const taskRetryDelayMs = 1_000;
/** swarmkit's `initialSessionFailureBackoff`: the back-off after a session's first failure, ms. */
export const sessionFailureBackoffMsInitial = 100;
/** swarmkit's `maxSessionFailureBackoff`: the longest back-off between session attempts, ms. */
export const sessionFailureBackoffMsMax = 8_000;

interface TrackedTask {
  task: Task;
  serviceName: string;
  /** The state this agent has reached (and reported). */
  state: TaskState;
  containerId: string | null;
  /** The container's main process while it runs (moby's executor reports `State.Pid`; 0 once it stopped). */
  pid: number;
  driving: boolean;
  stopping: boolean;
}

/** The agent process. */
export class SwarmAgent extends RpcProcess {
  private readonly tasks = new Map<string, TrackedTask>();
  private readonly reports = new Map<string, TaskStatus>();
  private managerIndex = 0;
  private heartbeatInFlight = false;
  private heartbeatAgain = false;
  private periodMs = 5_000;
  /** The one pending heartbeat timer (a new heartbeat replaces it). */
  private heartbeatTimer: TimerHandle | null = null;
  /** The assignments token of the last answer acted on (null: ask for the full set). */
  private assignments: string | null = null;
  /** How many task drives have ended (one ending while a heartbeat is in flight voids its token). */
  private drivesEnded = 0;
  /** The session back-off, ms: 0 while heartbeats succeed, then 100 + 2 x the last, up to 8 s (swarmkit's agent). */
  private sessionBackoffMs = 0;
  /** What the heartbeat in flight (one at a time) was sent with, for its answer: the local state, its reports, and the drives ended before it. */
  private inFlightLocal: LocalSwarmState | null = null;
  private inFlightStatuses: readonly TaskStatusReport[] = noReports;
  private inFlightDrivesEndedBefore = 0;
  /** `heartbeatDone`, made once: a closure per heartbeat would allocate one, and a context for `heartbeatSoon`'s scope. */
  private readonly heartbeatFinished = (error: unknown, answer: unknown): void => this.heartbeatDone(error, answer);

  protected handlers(): RpcHandlers {
    return {};
  }

  protected override onStart(): void {
    this.heartbeatSoon();
  }

  protected override onMessage(message: unknown, _from: ProcessAddress): void {
    if (typeof message === "object" && message !== null && (message as { wake?: unknown }).wake !== undefined) this.heartbeatSoon();
  }

  protected override onTimer(payload: unknown): void {
    if (payload === "heartbeat") {
      this.heartbeatTimer = null;
      this.heartbeatSoon();
    }
  }

  private get nodeId(): string {
    return readLocalState(this.context.disk)?.nodeId ?? "";
  }

  /** Sends a heartbeat now, or right after the one in flight. */
  private heartbeatSoon(): void {
    if (this.heartbeatInFlight) {
      this.heartbeatAgain = true;
      return;
    }
    const local = readLocalState(this.context.disk);
    if (local === null) return;
    const managers = local.managers.length > 0 ? local.managers : [this.context.host];
    const manager = managers[this.managerIndex % managers.length]!;
    let statuses: readonly TaskStatusReport[] = noReports;
    if (this.reports.size > 0) {
      // Cleared only when it holds something: V8's Map.clear allocates a new table even for an empty map.
      statuses = [...this.reports].map(([taskId, status]) => ({ taskId, status }));
      this.reports.clear();
    }
    const request: HeartbeatRequest = { nodeId: local.nodeId, statuses, assignments: this.assignments };
    this.heartbeatInFlight = true;
    this.inFlightLocal = local;
    this.inFlightStatuses = statuses;
    this.inFlightDrivesEndedBefore = this.drivesEnded;
    // Called without a coroutine: the heartbeat is the hottest call of a swarm (every node, every period).
    this.callThen(manager, managerProcessName, "heartbeat", request, heartbeatTimeoutMs, this.heartbeatFinished);
  }

  /** The end of the heartbeat in flight: its answer or its error. */
  private heartbeatDone(error: unknown, answer: unknown): void {
    const local = this.inFlightLocal!;
    const statuses = this.inFlightStatuses;
    const drivesEndedBefore = this.inFlightDrivesEndedBefore;
    // Still in flight while the answer is acted on: a report it causes goes with the next heartbeat, sent right after.
    if (error === undefined) this.heartbeatAnswered(local, answer as HeartbeatAnswer, drivesEndedBefore);
    else {
      this.heartbeatInFlight = false;
      if (!(error instanceof RpcError)) throw error;
      this.heartbeatFailed(statuses);
      this.managerIndex++; // try another manager next time
    }
    this.heartbeatInFlight = false;
    if (this.heartbeatAgain) {
      this.heartbeatAgain = false;
      this.heartbeatSoon();
    }
  }

  /** A failed heartbeat: unsent reports go out with the next one, after a random part of the back-off (swarmkit's session retry). */
  private heartbeatFailed(statuses: readonly TaskStatusReport[]): void {
    for (const report of statuses) if (!this.reports.has(report.taskId)) this.reports.set(report.taskId, report.status);
    this.sessionBackoffMs = Math.min(sessionFailureBackoffMsMax, sessionFailureBackoffMsInitial + 2 * this.sessionBackoffMs);
    this.armHeartbeat(this.context.random.next() * this.sessionBackoffMs);
  }

  /** A manager's answer: the period, the managers and this node's role, and the tasks when they changed. */
  private heartbeatAnswered(local: LocalSwarmState, answer: HeartbeatAnswer, drivesEndedBefore: number): void {
    this.sessionBackoffMs = 0;
    this.periodMs = answer.periodMs;
    if (!sameHostnames(answer.managers, local.managers) || answer.role !== local.role) {
      writeLocalState(this.context.disk, { ...local, managers: answer.managers, role: answer.role });
      // Promoted: dockerd starts this node's manager (demoted: the manager stops once removed from Raft).
      if (answer.role === "manager" && local.role !== "manager") this.context.send(this.context.host, dockerdProcessName, { swarmRoleChanged: answer.role });
    }
    if (answer.tasks !== null) this.reconcile(answer.tasks, answer.serviceNames);
    // Unchanged assignments while a drive ended in flight: ask for the full set next time.
    this.assignments = answer.tasks === null && this.drivesEnded !== drivesEndedBefore ? null : answer.assignments;
    this.armHeartbeat(this.periodMs * (1 + heartbeatJitter * this.context.random.next()));
  }

  private armHeartbeat(delayMs: number): void {
    if (this.heartbeatTimer !== null) this.context.cancelTimer(this.heartbeatTimer);
    this.heartbeatTimer = this.context.setTimer(delayMs, "heartbeat");
  }

  /** Starts new tasks, stops unwanted ones. */
  private reconcile(tasks: readonly Task[], serviceNames: readonly string[]): void {
    const wanted = new Set<string>();
    for (let index = 0; index < tasks.length; index++) {
      const task = tasks[index]!;
      wanted.add(task.id);
      let tracked = this.tasks.get(task.id);
      if (tracked === undefined) {
        if (isTerminal(task.status.state)) continue;
        if (this.tasks.size >= agentTasksMax) continue;
        tracked = { task, serviceName: serviceNames[index] ?? "", state: task.status.state, containerId: null, pid: 0, driving: false, stopping: false };
        this.tasks.set(task.id, tracked);
      }
      tracked.task = task;
      // The managers' view may be ahead of this agent's (a task seen before it was assigned).
      if (isAfter(task.status.state, tracked.state)) tracked.state = task.status.state;
      const unwanted = taskStates[task.desiredState] >= taskStates.shutdown;
      if (unwanted && tracked.driving && tracked.containerId !== null && !tracked.stopping && !isTerminal(tracked.state)) {
        tracked.stopping = true;
        this.run(this.stopOnRetry(tracked), (error) => this.stopped(error));
      }
      if (!tracked.driving) {
        tracked.driving = true;
        this.run(this.drive(tracked), (error) => {
          tracked!.driving = false;
          // The next heartbeat asks for the full set, so a task left mid-way is driven again.
          this.assignments = null;
          this.drivesEnded++;
          if (error !== undefined && !(error instanceof RpcError)) throw error;
        });
      }
    }
    for (const [taskId, tracked] of this.tasks) {
      if (wanted.has(taskId)) continue;
      // The managers forgot it (removed, or reaped): stop what runs and forget it.
      if (tracked.containerId !== null && !isTerminal(tracked.state)) this.run(this.stopContainer(tracked), (error) => this.stopped(error));
      this.tasks.delete(taskId);
    }
  }

  private report(tracked: TrackedTask, state: TaskState, message: string, error = "", exitCode: number | null = null): void {
    if (!isAfter(state, tracked.state) && state !== tracked.state) return;
    tracked.state = state;
    const status: TaskStatus = { timestamp: this.context.now, state, message, error, containerId: tracked.containerId, pid: state === "running" ? tracked.pid : 0, exitCode };
    this.reports.set(tracked.task.id, status);
    this.heartbeatSoon();
  }

  private *engine(request: HttpRequest, timeoutMs = engineCallTimeoutMs): Coroutine<HttpResponse> {
    return (yield* call(this.context.host, dockerdProcessName, "http", request, timeoutMs)) as HttpResponse;
  }

  /** Moves a task forward step by step, never past its desired state. */
  private *drive(tracked: TrackedTask): Coroutine<void> {
    const allows = (state: TaskState) => taskStates[state] <= taskStates[tracked.task.desiredState];
    const name = `${tracked.serviceName}.${tracked.task.slot === 0 ? tracked.task.nodeId : tracked.task.slot}.${tracked.task.id}`;
    // After a restart of this node the agent finds tasks mid-way: a task that was starting or
    // running is looked up by its container's name; one whose container has exited ends with its
    // exit (dockerd stops containers at start-up without live-restore), even when it is unwanted.
    const restarted = (tracked.state === "starting" || tracked.state === "running") && tracked.containerId === null;
    const found = restarted ? yield* this.findContainer(tracked, name) : null;
    if (found !== null && !found.State.Running && tracked.state === "running") this.reportExit(tracked, found.State.ExitCode);
    if (taskStates[tracked.task.desiredState] >= taskStates.shutdown) {
      if (tracked.containerId !== null && !isTerminal(tracked.state)) yield* this.stopContainer(tracked);
      else if (!isTerminal(tracked.state)) this.report(tracked, "shutdown", "shutdown");
      return;
    }
    // Preparing is redone after a restart.
    if (tracked.state === "preparing") tracked.state = "accepted";
    if (restarted) {
      if (found === null) {
        if (tracked.state === "starting") tracked.state = "ready";
        else {
          this.report(tracked, "failed", "started", `No such container: ${name}`);
          return;
        }
      } else {
        if (found.State.Running) {
          tracked.pid = found.State.Pid ?? 0;
          this.report(tracked, "running", "started");
        }
        else if (tracked.state === "starting") {
          // Created but never started: start it now.
          const started = yield* this.engine({ method: "POST", path: `/containers/${found.Id}/start` });
          if (started.statusCode >= 400) {
            this.report(tracked, "failed", "starting", (started.body as { message?: string }).message ?? "start failed");
            return;
          }
          this.report(tracked, "running", "started");
        }
      }
    }
    if (tracked.state === "assigned") this.report(tracked, "accepted", "accepted");
    // Each step runs in a helper of its own: the answers it reads (pull progress, the created
    // container) end with it instead of living in this frame for as long as the container runs.
    if (tracked.state === "accepted" && allows("preparing") && !(yield* this.prepare(tracked))) return;
    if (tracked.state === "ready" && tracked.task.desiredState === "running" && !(yield* this.startContainer(tracked, name))) return;
    if (tracked.state === "running" && tracked.containerId !== null) {
      const waited = yield* this.engine({ method: "POST", path: `/containers/${tracked.containerId}/wait` }, containerWaitTimeoutMs);
      // The engine could not say (containerd restarting): the container may still run; look again later.
      if (waited.statusCode >= 500) throw engineUnavailable(waited);
      const exitCode = waited.statusCode === 200 ? (waited.body as { StatusCode: number }).StatusCode : 137;
      if (taskStates[tracked.task.desiredState] >= taskStates.shutdown) this.report(tracked, "shutdown", "shutdown", "", exitCode);
      else this.reportExit(tracked, exitCode);
    }
    yield* sleep(0);
  }

  /** PREPARING: pulls the task's image; whether the task got to READY (else it is rejected). */
  private *prepare(tracked: TrackedTask): Coroutine<boolean> {
    this.report(tracked, "preparing", "preparing");
    const image = tracked.task.spec.container.image;
    const pulled = yield* this.engine({ method: "POST", path: "/images/create", query: { fromImage: image } });
    if (pulled.statusCode >= 400) {
      this.report(tracked, "rejected", "preparing", `No such image: ${image}`);
      return false;
    }
    this.report(tracked, "ready", "prepared");
    return true;
  }

  /** STARTING: creates and starts the task's container `name`; whether the task got to RUNNING (else it is rejected or failed). */
  private *startContainer(tracked: TrackedTask, name: string): Coroutine<boolean> {
    this.report(tracked, "starting", "starting");
    const container = tracked.task.spec.container;
    const endpointsConfig = yield* this.networkAttachments(tracked.task);
    const created = yield* this.engine({
      method: "POST",
      path: "/containers/create",
      query: { name },
      body: {
        Image: container.image,
        ...(container.command ? { Entrypoint: container.command } : {}),
        ...(container.args ? { Cmd: container.args } : {}),
        Env: container.env,
        Labels: { ...container.labels, "com.docker.swarm.task.id": tracked.task.id, "com.docker.swarm.service.id": tracked.task.serviceId, "com.docker.swarm.node.id": tracked.task.nodeId },
        HostConfig: {
          Memory: tracked.task.spec.resources.limits.memoryBytes,
          NanoCpus: tracked.task.spec.resources.limits.nanoCpus,
        },
        ...(endpointsConfig !== null ? { NetworkingConfig: { EndpointsConfig: endpointsConfig } } : {}),
      },
    });
    if (created.statusCode >= 400) {
      this.report(tracked, "rejected", "starting", (created.body as { message?: string }).message ?? "create failed");
      return false;
    }
    tracked.containerId = (created.body as { Id: string }).Id;
    const started = yield* this.engine({ method: "POST", path: `/containers/${tracked.containerId}/start` });
    if (started.statusCode >= 400) {
      this.report(tracked, "failed", "starting", (started.body as { message?: string }).message ?? "start failed");
      return false;
    }
    // As moby's executor, the running status carries the container's PID, read by an inspect.
    tracked.pid = (yield* this.inspectState(tracked.containerId))?.Pid ?? 0;
    this.report(tracked, "running", "started");
    return true;
  }

  /**
   * The task's network attachments as swarmkit's container adapter passes them to dockerd
   * (`NetworkingConfig.EndpointsConfig`: by network name, its id and the task's address there),
   * or null when it has none. In swarmkit they come with the task from the dispatcher; here the
   * agent reads the network allocation from a manager (its own node's, or those it knows in turn)
   * and creates the container without attachments when none answers.
   */
  private *networkAttachments(task: Task): Coroutine<Record<string, unknown> | null> {
    const local = readLocalState(this.context.disk);
    if (local === null) return null;
    const hosts = local.role === "manager" ? [this.context.host] : local.managers;
    let state: ClusterState | undefined;
    for (const host of hosts) {
      try {
        state = ((yield* call(host, managerProcessName, "read", {}, networkReadTimeoutMs)) as { state: ClusterState }).state;
        break;
      } catch (error) {
        if (!(error instanceof RpcError)) throw error;
      }
    }
    if (state === undefined) return null;
    const addresses = taskAddresses(state, task.id);
    const config: Record<string, unknown> = {};
    for (const networkId of taskNetworkIds(state, task)) {
      const address = addresses.get(networkId);
      const name = networkId === state.cluster?.ingressNetworkId ? "ingress" : state.networks?.[networkId]?.spec.name;
      if (address === undefined || name === undefined) continue;
      const [ip, prefix] = address.split("/");
      config[name] = { NetworkID: networkId, IPAMConfig: { IPv4Address: ip }, IPPrefixLen: Number(prefix) };
    }
    return Object.keys(config).length > 0 ? config : null;
  }

  /** A task's container found by name after a restart of this node (its id remembered), or null when there is none. */
  private *findContainer(tracked: TrackedTask, name: string): Coroutine<{ Id: string; State: InspectedState } | null> {
    const inspected = yield* this.engine({ method: "GET", path: `/containers/${name}/json` });
    if (inspected.statusCode === 404) return null;
    if (inspected.statusCode >= 400) throw engineUnavailable(inspected);
    const container = inspected.body as { Id: string; State: InspectedState };
    tracked.containerId = container.Id;
    // Only what the drive reads: the whole inspection would live in its frame while the container runs.
    return { Id: container.Id, State: container.State };
  }

  /** A running task's container exited: complete on 0, failed otherwise. */
  private reportExit(tracked: TrackedTask, exitCode: number): void {
    if (exitCode === 0) this.report(tracked, "complete", "finished", "", 0);
    else this.report(tracked, "failed", "started", `task: non-zero exit (${exitCode})`, exitCode);
  }

  /**
   * A stop that failed because the engine could not be reached (dockerd or containerd down or
   * restarting) is tried again after the next heartbeat, which asks for the full set.
   */
  private stopped(error: unknown): void {
    if (error === undefined) return;
    if (!(error instanceof RpcError)) throw error;
    this.assignments = null;
  }

  /**
   * A task the managers no longer want while its drive is in flight (swarmkit's task manager
   * cancels the operation, usually the running task's Wait): the cancelled Wait ends with the
   * container's exit code -1, so the status is reported again, freshly stamped but still
   * running; the shutdown itself comes with the task manager's retry, {@link taskRetryDelayMs} later.
   */
  private *stopOnRetry(tracked: TrackedTask): Coroutine<void> {
    if (tracked.state === "running") this.report(tracked, "running", "started", "", -1);
    yield* sleep(taskRetryDelayMs);
    // It ended on its own meanwhile: there is nothing to shut down.
    if (isTerminal(tracked.state)) return;
    yield* this.stopContainer(tracked);
  }

  private *stopContainer(tracked: TrackedTask): Coroutine<void> {
    const containerId = tracked.containerId;
    if (containerId === null) return;
    const grace = tracked.task.spec.container.stopGracePeriodMs;
    const stopped = yield* this.engine({ method: "POST", path: `/containers/${containerId}/stop`, query: grace === null ? {} : { t: String(Math.round(grace / 1000)) } });
    // 304: already stopped; 404: gone. Anything else failing leaves it running: tried again later.
    if (stopped.statusCode >= 400 && stopped.statusCode !== 404) throw engineUnavailable(stopped);
    // As moby's executor, the shutdown status carries the stopped container's exit code (137 when
    // the grace period ran out and it was killed), read by an inspect.
    const state = stopped.statusCode === 404 ? null : yield* this.inspectState(containerId);
    this.report(tracked, "shutdown", "shutdown", "", state?.ExitCode ?? null);
  }

  /** A container's `State` read by an inspect, or null when the engine does not answer with it (gone, or failing). */
  private *inspectState(containerId: string): Coroutine<InspectedState | null> {
    const inspected = yield* this.engine({ method: "GET", path: `/containers/${containerId}/json` });
    return inspected.statusCode === 200 ? ((inspected.body as { State?: InspectedState }).State ?? null) : null;
  }
}

/** The part of a container inspect's `State` the agent reads. */
interface InspectedState {
  readonly Running: boolean;
  readonly ExitCode: number;
  readonly Pid?: number;
}

/** Whether two lists of hostnames are equal, element by element. */
function sameHostnames(left: readonly string[], right: readonly string[]): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return false;
  return true;
}

/** An engine answer that leaves a container's state unknown, as an error that makes the agent try again. */
function engineUnavailable(response: HttpResponse): RpcError {
  return new RpcError("Unavailable", (response.body as { message?: string } | null)?.message ?? `engine answered ${response.statusCode}`);
}
