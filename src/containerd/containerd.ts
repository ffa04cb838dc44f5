/**
 * containerd: the container supervisor under dockerd. It keeps container metadata on disk
 * (surviving its own restarts and the host's), runs each task through a shim it starts and
 * talks to over the simulated gRPC of `src/sim/coroutine.ts`, and publishes task events to
 * its subscribers (dockerd). Task state lives in the shims: `tasks.Get` asks the shim, as
 * containerd's tasks service does.
 *
 * Shims are started detached, as a real shim double-forks and is adopted by init: they have no
 * parent and survive containerd. When containerd starts it reloads every bundle
 * under `/run/containerd/io.containerd.runtime.v2.task/moby/`: a live shim is reconnected
 * (its unacknowledged exit events arrive again), a dead one is cleaned up and its task
 * reported exited with status 137, as containerd's `cleanupAfterDeadShim` does.
 */
import "./events.js";
import type { ContainerdContainer, ContainerdEventMessage, ContainerdMethods, ContainerdTask } from "./api.js";
import { runcRuntimeName } from "./api.js";
import {
  bundleFileKey,
  bundleFiles,
  containerMetadataKey,
  containerMetadataPrefix,
  containerdNamespace,
  shimProcessName,
  taskBundlePrefix,
} from "./paths.js";
import { shimProcess, taskStatusOf, type ProgramFactory, type ShimEventMessage, type ShimMethods, type ShimState } from "./shim.js";
import type { LookPath } from "./runc.js";
import { boundExceeded } from "../sim/errors.js";
import { RpcError, RpcProcess, call, sleep, type Coroutine, type RpcHandlers } from "../sim/coroutine.js";
import type { ProcessAddress } from "../sim/events.js";
import type { ProcessExit, ProcessFactory } from "../sim/process.js";

/** Bound `containerdTasksMax`: most tasks one containerd runs at once. */
export const containerdTasksMax = 10_000;
/** Bound `containerdSubscribersMax`: most event subscribers at once. */
export const containerdSubscribersMax = 100;
/**
 * Bound `containerdUndeliveredEventsMax`: exit and OOM events kept while nobody subscribes,
 * delivered to the next subscriber (the oldest are dropped beyond it).
 */
export const containerdUndeliveredEventsMax = 1_000;
/** How long containerd waits for a shim's answer, in virtual ms. */
export const shimCallTimeoutMs = 10_000;
/** The exit status containerd reports for a task whose shim died: 128 + SIGKILL. */
export const deadShimExitStatus = 137;
/**
 * How long starting a task's shim takes, in virtual ms: containerd runs `containerd-shim-runc-v2
 * start`, which forks the shim daemon and returns once its ttrpc socket is up. Measured on the
 * recording VM (containerd 1.6.20): about 35 ms from containerd's `/containers/create` event to
 * the shim's "starting signal loop" (see docs/engine.md).
 */
export const shimStartDurationMs = 35;

/** Options of {@link makeContainerdProcess}. */
export interface ContainerdOptions {
  /** Makes each container's program from its spec. */
  readonly programFactory: ProgramFactory;
  /** Finds the programs of `runc exec` in a container (every program is found when absent). */
  readonly lookPath?: LookPath;
}

/** containerd's behaviour, fresh for each incarnation (start it as `containerdProcessName`). */
export function makeContainerdProcess(options: ContainerdOptions): ProcessFactory {
  return () => new Containerd(options);
}

/** A containerd event as published. */
type ContainerdEvent = ContainerdEventMessage["containerdEvent"];

/** containerd's record of one task. */
interface TaskEntry {
  readonly containerId: string;
  readonly shim: string;
  /** The container process's pid, once known. */
  pid: number;
  /** "creating" until the shim's Create answers; "deleting" while Delete runs. */
  phase: "creating" | "ready" | "deleting";
  /** Whether containerd knows the task's process has exited. */
  exited: boolean;
  /** Whether this incarnation has published the task's exit (a shim may send it again after a reconnect). */
  exitPublished: boolean;
}

const noParams: Record<string, never> = {};

class Containerd extends RpcProcess {
  private readonly tasks = new Map<string, TaskEntry>();
  /** Container ids by shim process name, for the shims this incarnation watches. */
  private readonly shims = new Map<string, string>();
  private readonly subscribers: ProcessAddress[] = [];
  private undelivered: ContainerdEventMessage[] = [];

  constructor(private readonly options: ContainerdOptions) {
    super();
  }

  protected handlers(): RpcHandlers {
    return {
      "containers.Create": (params: ContainerdMethods["containers.Create"]["params"]) => this.createContainer(params),
      "containers.Get": (params: ContainerdMethods["containers.Get"]["params"]) => this.getContainer(params),
      "containers.List": () => this.listContainers(),
      "containers.Delete": (params: ContainerdMethods["containers.Delete"]["params"]) => this.deleteContainer(params),
      "tasks.Create": (params: ContainerdMethods["tasks.Create"]["params"]) => this.createTask(params),
      "tasks.Start": (params: ContainerdMethods["tasks.Start"]["params"]) => this.startTask(params),
      "tasks.Exec": (params: ContainerdMethods["tasks.Exec"]["params"]) => this.execTask(params),
      "tasks.Kill": (params: ContainerdMethods["tasks.Kill"]["params"]) => this.killTask(params),
      "tasks.Delete": (params: ContainerdMethods["tasks.Delete"]["params"]) => this.deleteTask(params),
      "tasks.Get": (params: ContainerdMethods["tasks.Get"]["params"]) => this.getTask(params),
      "tasks.List": () => this.listTasks(),
      "events.Subscribe": (_params: unknown, from: ProcessAddress) => this.subscribe(from),
    };
  }

  // ------------------------------------------------------------------ containers

  private *createContainer(params: ContainerdMethods["containers.Create"]["params"]): Coroutine<ContainerdMethods["containers.Create"]["result"]> {
    const given = params.container;
    validateIdentifier(given.id, "create container failed validation: container.ID");
    const key = containerMetadataKey(given.id);
    if (this.context.disk.has(key)) throw new RpcError("AlreadyExists", `container "${given.id}": already exists`);
    const container: ContainerdContainer = {
      id: given.id,
      image: given.image,
      runtime: runcRuntimeName,
      spec: given.spec,
      labels: { ...given.labels },
      createdAt: this.context.now,
    };
    this.context.disk.write(key, container);
    this.context.emit("containerd.container.create", { host: this.context.host, containerId: container.id, image: container.image });
    return { container };
  }

  private *getContainer(params: ContainerdMethods["containers.Get"]["params"]): Coroutine<ContainerdMethods["containers.Get"]["result"]> {
    return { container: this.requireContainer(params.id) };
  }

  private *listContainers(): Coroutine<ContainerdMethods["containers.List"]["result"]> {
    const disk = this.context.disk;
    const containers = disk.keys(containerMetadataPrefix).map((key) => disk.read<ContainerdContainer>(key)!);
    return { containers };
  }

  private *deleteContainer(params: ContainerdMethods["containers.Delete"]["params"]): Coroutine<ContainerdMethods["containers.Delete"]["result"]> {
    const key = containerMetadataKey(params.id);
    if (!this.context.disk.has(key)) throw new RpcError("NotFound", `container ${params.id}: not found`);
    if (this.tasks.has(params.id)) throw new RpcError("FailedPrecondition", `cannot delete running task ${params.id}: failed precondition`);
    this.context.disk.delete(key);
    this.context.emit("containerd.container.delete", { host: this.context.host, containerId: params.id });
    return {};
  }

  private requireContainer(id: string): ContainerdContainer {
    const container = this.context.disk.read<ContainerdContainer>(containerMetadataKey(id));
    if (container === undefined) throw new RpcError("NotFound", `container "${id}" in namespace "${containerdNamespace}": not found`);
    return container;
  }

  // ------------------------------------------------------------------ tasks

  private *createTask(params: ContainerdMethods["tasks.Create"]["params"]): Coroutine<ContainerdMethods["tasks.Create"]["result"]> {
    const id = params.containerId;
    const container = this.requireContainer(id);
    if (this.tasks.has(id)) throw new RpcError("AlreadyExists", `task ${id}: already exists`);
    const shim = shimProcessName(id);
    if (this.context.isRunning(shim)) throw new RpcError("AlreadyExists", `shim ${shim} for task ${id}: already exists`);
    if (this.tasks.size >= containerdTasksMax) boundExceeded("containerdTasksMax", containerdTasksMax, `creating task ${id}`);
    this.context.emit("containerd.task.create", { host: this.context.host, containerId: id });
    const entry: TaskEntry = { containerId: id, shim, pid: 0, phase: "creating", exited: false, exitPublished: false };
    this.tasks.set(id, entry);
    this.shims.set(shim, id);
    // The bundle: containerd writes the spec (NewBundle); the shim adds its address.
    this.removeBundle(id);
    this.context.disk.write(bundleFileKey(id, bundleFiles.config), container.spec);
    const lookPath = this.options.lookPath;
    this.context.spawn(shim, shimProcess({ containerId: id, containerdProcess: this.context.process, programFactory: this.options.programFactory, ...(lookPath ? { lookPath } : {}) }), {
      detached: true,
    });
    this.context.monitor(shim);
    try {
      yield* sleep(shimStartDurationMs);
      yield* this.callShim(entry, "Create", { logKey: params.logKey, ...(params.attachKey === undefined ? {} : { attachKey: params.attachKey }) });
    } catch (error) {
      this.tasks.delete(id);
      if (this.context.isRunning(shim)) {
        try {
          yield* this.callShim(entry, "Shutdown", noParams);
        } catch {
          // The shim is gone already.
        }
      }
      this.removeBundle(id);
      // containerd 1.7 names the step that failed.
      if (error instanceof RpcError && error.message.startsWith("OCI runtime create failed")) throw new RpcError(error.code, `failed to create shim task: ${error.message}`);
      throw error;
    }
    entry.phase = "ready";
    return { pid: 0 };
  }

  private *startTask(params: ContainerdMethods["tasks.Start"]["params"]): Coroutine<ContainerdMethods["tasks.Start"]["result"]> {
    const entry = this.requireTask(params.containerId);
    if (params.execId !== undefined) {
      const { pid } = yield* this.callShim(entry, "Start", { execId: params.execId });
      this.context.emit("containerd.task.exec-started", { host: this.context.host, containerId: entry.containerId, execId: params.execId, pid });
      return { pid };
    }
    const { pid } = yield* this.callShim(entry, "Start", noParams);
    entry.pid = pid;
    this.context.emit("containerd.task.start", { host: this.context.host, containerId: entry.containerId, pid });
    this.publish({ topic: "/tasks/start", containerId: entry.containerId, pid, exitStatus: null, exitedAt: null });
    return { pid };
  }

  private *execTask(params: ContainerdMethods["tasks.Exec"]["params"]): Coroutine<ContainerdMethods["tasks.Exec"]["result"]> {
    const entry = this.requireTask(params.containerId);
    validateIdentifier(params.execId, "exec id");
    yield* this.callShim(entry, "Exec", { execId: params.execId, process: params.process, stdio: params.stdio });
    this.context.emit("containerd.task.exec-added", { host: this.context.host, containerId: entry.containerId, execId: params.execId });
    return {};
  }

  private *killTask(params: ContainerdMethods["tasks.Kill"]["params"]): Coroutine<ContainerdMethods["tasks.Kill"]["result"]> {
    const entry = this.requireTask(params.containerId);
    yield* this.callShim(entry, "Kill", { signal: params.signal });
    return {};
  }

  private *deleteTask(params: ContainerdMethods["tasks.Delete"]["params"]): Coroutine<ContainerdMethods["tasks.Delete"]["result"]> {
    const entry = this.requireTask(params.containerId);
    if (entry.phase === "deleting") throw new RpcError("FailedPrecondition", `task ${entry.containerId} is being deleted: failed precondition`);
    entry.phase = "deleting";
    let result: ShimMethods["Delete"]["result"];
    try {
      result = yield* this.callShim(entry, "Delete", noParams);
    } catch (error) {
      if (this.tasks.get(entry.containerId) === entry) entry.phase = "ready";
      throw error;
    }
    this.tasks.delete(entry.containerId);
    this.removeBundle(entry.containerId);
    this.context.emit("containerd.task.delete", {
      host: this.context.host,
      containerId: entry.containerId,
      pid: entry.pid,
      exitStatus: result.exitStatus,
    });
    this.publish({ topic: "/tasks/delete", containerId: entry.containerId, pid: entry.pid, exitStatus: result.exitStatus, exitedAt: result.exitedAt });
    return { exitStatus: result.exitStatus, exitedAt: result.exitedAt };
  }

  private *getTask(params: ContainerdMethods["tasks.Get"]["params"]): Coroutine<ContainerdMethods["tasks.Get"]["result"]> {
    const entry = this.requireTask(params.containerId);
    const state = yield* this.callShim(entry, "State", noParams);
    entry.pid = state.pid;
    return { task: toTask(state) };
  }

  private *listTasks(): Coroutine<ContainerdMethods["tasks.List"]["result"]> {
    const tasks: ContainerdTask[] = [];
    for (const entry of [...this.tasks.values()]) {
      if (entry.phase === "creating") continue;
      try {
        tasks.push(toTask(yield* this.callShim(entry, "State", noParams)));
      } catch (error) {
        if (!(error instanceof RpcError)) throw error;
        // Its shim died meanwhile: the task is gone.
      }
    }
    return { tasks };
  }

  private requireTask(id: string): TaskEntry {
    this.requireContainer(id);
    const entry = this.tasks.get(id);
    if (entry === undefined || entry.phase === "creating") throw new RpcError("NotFound", `task ${id} not found`);
    return entry;
  }

  private *callShim<M extends keyof ShimMethods>(entry: TaskEntry, method: M, params: ShimMethods[M]["params"]): Coroutine<ShimMethods[M]["result"]> {
    return yield* call<ShimMethods[M]["result"]>(this.context.host, entry.shim, method, params, shimCallTimeoutMs);
  }

  // ------------------------------------------------------------------ events

  private *subscribe(from: ProcessAddress): Coroutine<ContainerdMethods["events.Subscribe"]["result"]> {
    if (!this.subscribers.some((subscriber) => sameAddress(subscriber, from))) {
      if (this.subscribers.length >= containerdSubscribersMax) {
        boundExceeded("containerdSubscribersMax", containerdSubscribersMax, `subscription from ${from.process} on ${from.host}`);
      }
      this.subscribers.push(from);
      if (from.host === this.context.host) this.context.monitor(from.process);
    }
    // Events kept while nobody listened follow the subscription's answer.
    if (this.undelivered.length > 0) this.context.setTimer(0, { deliverUndelivered: from });
    return {};
  }

  protected override onTimer(payload: unknown): void {
    const to = (payload as { deliverUndelivered?: ProcessAddress }).deliverUndelivered;
    if (to === undefined) return;
    const events = this.undelivered;
    this.undelivered = [];
    for (const event of events) this.context.send(to.host, to.process, event);
  }

  /** Sends an event to every subscriber; exits and OOMs nobody hears are kept for the next one. */
  private publish(event: ContainerdEvent): void {
    const message: ContainerdEventMessage = { containerdEvent: event };
    if (this.subscribers.length === 0) {
      if (event.topic !== "/tasks/exit" && event.topic !== "/tasks/oom") return;
      if (this.undelivered.length >= containerdUndeliveredEventsMax) this.undelivered.shift();
      this.undelivered.push(message);
      return;
    }
    for (const subscriber of this.subscribers) this.context.send(subscriber.host, subscriber.process, message);
  }

  /** An event from a shim: acknowledge it, then publish it. */
  protected override onMessage(message: unknown, from: ProcessAddress): void {
    if (typeof message !== "object" || message === null || (message as { shimEvent?: unknown }).shimEvent === undefined) {
      this.context.log(`ignoring unexpected message from ${from.process}: ${JSON.stringify(message)}`);
      return;
    }
    const { shimEvent: event, sequence } = message as ShimEventMessage;
    this.context.send(from.host, from.process, { shimEventAck: sequence });
    const entry = this.tasks.get(event.containerId);
    if (event.topic === "/tasks/exit" && event.execId !== undefined) {
      // An exec process's exit: the task itself goes on.
      this.context.emit("containerd.task.exit", { host: this.context.host, containerId: event.containerId, pid: event.pid, exitStatus: event.exitStatus ?? deadShimExitStatus, execId: event.execId });
    } else if (event.topic === "/tasks/exit") {
      if (entry !== undefined) {
        if (entry.exitPublished) return;
        entry.exited = true;
        entry.exitPublished = true;
        entry.pid = event.pid;
      }
      this.context.emit("containerd.task.exit", {
        host: this.context.host,
        containerId: event.containerId,
        pid: event.pid,
        exitStatus: event.exitStatus ?? deadShimExitStatus,
      });
    }
    this.publish(event);
  }

  // ------------------------------------------------------------------ shims coming and going

  protected override onStart(): void {
    const disk = this.context.disk;
    const ids = new Set<string>();
    for (const key of disk.keys(taskBundlePrefix)) ids.add(key.slice(taskBundlePrefix.length).split("/")[0]!);
    for (const id of ids) {
      const shim = disk.read<string>(bundleFileKey(id, bundleFiles.address));
      if (shim !== undefined && this.context.isRunning(shim) && this.tasks.size < containerdTasksMax) {
        const pid = disk.read<number>(bundleFileKey(id, bundleFiles.initPid)) ?? 0;
        const entry: TaskEntry = { containerId: id, shim, pid, phase: "ready", exited: false, exitPublished: false };
        this.tasks.set(id, entry);
        this.shims.set(shim, id);
        this.context.monitor(shim);
        this.run(this.reconnect(entry));
        continue;
      }
      if (shim === undefined) {
        // The shim never started: a bundle left by a create that did not finish.
        this.removeBundle(id);
        continue;
      }
      this.context.log(`cleaning up after shim disconnected: id ${id}`);
      const pid = disk.read<number>(bundleFileKey(id, bundleFiles.initPid)) ?? 0;
      this.removeBundle(id);
      this.reportDeadShim(id, pid);
    }
  }

  /** Asks a reloaded shim its state; a shim without a created task is shut down. */
  private *reconnect(entry: TaskEntry): Coroutine<void> {
    let state: ShimState;
    try {
      state = yield* this.callShim(entry, "Connect", noParams);
    } catch {
      return; // It died meanwhile; onExited cleans up.
    }
    if (this.tasks.get(entry.containerId) !== entry) return;
    entry.pid = state.pid;
    // An exit the previous incarnation published is not published again; an unacknowledged one follows this answer.
    if (state.status === "stopped") entry.exited = true;
    if (state.status === "new" || state.status === "creating") {
      this.tasks.delete(entry.containerId);
      try {
        yield* this.callShim(entry, "Shutdown", noParams);
      } catch {
        // Gone already.
      }
      this.removeBundle(entry.containerId);
    }
  }

  protected override onExited(exit: ProcessExit): void {
    const subscriberIndex = this.subscribers.findIndex((subscriber) => subscriber.host === this.context.host && subscriber.process === exit.process);
    if (subscriberIndex >= 0) this.subscribers.splice(subscriberIndex, 1);
    const id = this.shims.get(exit.process);
    if (id === undefined) return;
    this.shims.delete(exit.process);
    this.context.emit("shim.exit", { host: this.context.host, containerId: id, pid: exit.pid, exitStatus: exit.exitCode });
    const entry = this.tasks.get(id);
    // A shim exiting after Delete or Shutdown, or during a create (whose coroutine cleans up), is expected.
    if (entry === undefined || entry.shim !== exit.process || entry.phase !== "ready") return;
    this.context.log(`shim disconnected: id ${id}`);
    this.tasks.delete(id);
    this.removeBundle(id);
    if (!entry.exited) this.reportDeadShim(id, entry.pid);
    else this.publish({ topic: "/tasks/delete", containerId: id, pid: entry.pid, exitStatus: null, exitedAt: null });
  }

  /** What containerd publishes for a task whose shim is gone: exited with 137, then deleted. */
  private reportDeadShim(containerId: string, pid: number): void {
    const exitedAt = this.context.now;
    this.context.emit("containerd.task.exit", { host: this.context.host, containerId, pid, exitStatus: deadShimExitStatus });
    this.publish({ topic: "/tasks/exit", containerId, pid, exitStatus: deadShimExitStatus, exitedAt });
    this.publish({ topic: "/tasks/delete", containerId, pid, exitStatus: deadShimExitStatus, exitedAt });
  }

  /** Deletes the bundle's files (a bundle holds only the files of `bundleFiles`). */
  private removeBundle(containerId: string): void {
    const disk = this.context.disk;
    for (const file of Object.values(bundleFiles)) disk.delete(bundleFileKey(containerId, file));
  }
}

/** The task as containerd reports it, from its shim's state. */
function toTask(state: ShimState): ContainerdTask {
  return {
    containerId: state.containerId,
    pid: state.pid,
    status: taskStatusOf(state.status),
    exitStatus: state.exitStatus,
    exitedAt: state.exitedAt,
    oomKilled: state.oomKilled,
  };
}

function sameAddress(a: ProcessAddress, b: ProcessAddress): boolean {
  return a.host === b.host && a.process === b.process;
}

/** Bound of containerd's identifiers (container ids), in characters. */
export const identifierLengthMax = 76;
const identifierPattern = /^[A-Za-z0-9]+(?:[._-](?:[A-Za-z0-9]+))*$/;

/** Throws InvalidArgument unless `id` is a valid containerd identifier (as `identifiers.Validate`). */
function validateIdentifier(id: unknown, prefix: string): asserts id is string {
  if (typeof id !== "string" || id.length === 0) throw new RpcError("InvalidArgument", `${prefix}: identifier must not be empty: invalid argument`);
  if (id.length > identifierLengthMax) {
    throw new RpcError("InvalidArgument", `${prefix}: identifier "${id}" greater than maximum length (${identifierLengthMax} characters): invalid argument`);
  }
  if (!identifierPattern.test(id)) {
    throw new RpcError("InvalidArgument", `${prefix}: identifier "${id}" must match ${identifierPattern.source}: invalid argument`);
  }
}
