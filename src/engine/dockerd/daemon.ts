/**
 * dockerd: the Docker Engine's daemon process. It serves the Engine API (the `http` method of
 * the request/response protocol), keeps containers, images, networks and volumes on disk, runs
 * containers through containerd (which starts a shim per container, which runs runC), follows
 * containerd's exit events, applies restart policies, and on start restores what it finds:
 * reattaching running containers with live-restore, stopping them without it. It also keeps
 * exec instances (`exec.ts`) and the clients attached to containers' output, and streams
 * answers that come in parts (`../api/stream.ts`).
 */
import { call, sleep, waitFor, RpcError, RpcProcess, type Coroutine, type RpcHandlers } from "../../sim/coroutine.js";
import type { ProcessAddress } from "../../sim/events.js";
import type { ProcessExit } from "../../sim/process.js";
import { containerdProcessName, type ContainerdEventMessage, type ContainerdMethods, type ContainerdTask, type StdioCopyMessage } from "../../containerd/api.js";
import "../events.js";
import { ApiError, notFound, type HttpRequest } from "../api/http.js";
import { Router, type Route, type RouteRequest } from "../api/router.js";
import { isEngineStreamCloseMessage, ResponseStream, streamKey } from "../api/stream.js";
import { execOutput, forgetContainerExecs, handleExecExit, startFailure, type ExecRecord } from "./exec.js";
import {
  daemonConfigKey,
  dockerExecRoot,
  loadRecords,
  recordKeys,
  dockerRoot,
  type ContainerRecord,
  type DaemonConfig,
  type ImageRecord,
  type NetworkRecord,
  type VolumeRecord,
} from "./records.js";
import { buildOciSpec } from "./oci-spec.js";
import { ensurePredefinedNetworks, handlePeerLeft } from "../api/networks.js";
import { SwarmManager } from "../../swarm/manager/manager.js";
import { SwarmAgent } from "../../swarm/agent/agent.js";
import { agentProcessName, managerProcessName, readLocalState } from "../../swarm/node/local-state.js";
import { startsLocked } from "../../swarm/node/autolock.js";
import { nextRestartDelayMs, shouldRestart } from "./restart-policy.js";
import { containerEventMessage, DockerEventsLog } from "./docker-events.js";
import { signalNumbers } from "../../containerd/signals.js";

/** The process name of dockerd on every engine host. */
export const dockerdProcessName = "dockerd";
/** The Docker Engine version swarmsim presents (the docker CLI on these machines is 28.2.2). */
export const engineVersion = "28.2.2";
/** Default seconds `docker stop` waits before SIGKILL. */
export const defaultStopTimeoutSeconds = 10;
/** How long dockerd waits between attempts to reach containerd, ms. */
export const containerdRetryDelayMs = 1_000;
/**
 * Bound `containerdConnectAttemptsMax`: after this many failed attempts (a minute) dockerd
 * gives up on containerd and exits, as the real daemon fails to start without it.
 */
export const containerdConnectAttemptsMax = 60;
/** What dockerd answers while it is not listening yet (still starting): the client cannot connect. */
export const notListeningMessage = "dockerd is not listening yet";
/** How long a SIGKILLed container may take to be reported gone, ms, before dockerd gives up waiting. */
export const killWaitMs = 30_000;
/** Timeout of one call to containerd, ms. */
export const containerdCallTimeoutMs = 10_000;
/**
 * How long dockerd's handling of a container's exit keeps the container after the `die` event,
 * ms: moby's handleContainerExit holds the container's lock through DeleteTask (the shim's
 * `runc delete`) and Cleanup (the network endpoint and sandbox released, the rootfs unmounted),
 * so `stop`, `wait` and `kill` return only then. Measured on the recording VM (dockerd 20.10.24,
 * containerd 1.6.20, runc 1.1.5, a bridge endpoint): 25-30 ms from `/tasks/exit` to
 * `/tasks/delete`, then 60-120 ms from `die` to `stop` (see docs/engine.md).
 */
export const exitCleanupDurationMs = 120;
/**
 * How long dockerd prepares a container's start before asking containerd, ms: mount the rootfs,
 * create the network sandbox and endpoint, generate the OCI spec. Measured on the recording VM:
 * 13-20 ms from `POST /containers/{id}/start` to containerd's `/containers/create` event.
 */
export const startPreparationDurationMs = 15;
/** Bound `attachersMax`: clients attached to one container's output at once. */
export const attachersMax = 100;
/** The longest one wait of an attached client, ms (it waits again until the container stops). */
const attachWaitStepMs = 86_400_000;

/** What dockerd knows about the machine it runs on (for `docker info`). */
export interface MachineFacts {
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly labels: Readonly<Record<string, string>>;
}

/** Calls a containerd method from a dockerd coroutine. */
export function* containerd<M extends keyof ContainerdMethods>(
  host: string,
  method: M,
  params: ContainerdMethods[M]["params"],
): Coroutine<ContainerdMethods[M]["result"]> {
  return (yield* call(host, containerdProcessName, method, params, containerdCallTimeoutMs)) as ContainerdMethods[M]["result"];
}

/** The dockerd process. Route handlers reach its state and helpers through this class. */
export class Dockerd extends RpcProcess {
  /** Containers by id, in creation order. */
  readonly containers = new Map<string, ContainerRecord>();
  /** Images by id. */
  readonly images = new Map<string, ImageRecord>();
  /** Networks by id. */
  readonly networks = new Map<string, NetworkRecord>();
  /** Volumes by name. */
  readonly volumes = new Map<string, VolumeRecord>();
  /** The last events, for `GET /events` (kept in memory only, as moby does). */
  readonly events = new DockerEventsLog();
  /** Exec instances by id, in creation order (in memory only, as moby's exec store). */
  readonly execs = new Map<string, ExecRecord>();
  /** Clients attached to each container's output, by container id. */
  private readonly attachers = new Map<string, Attacher[]>();
  /** Streams whose client may close them, by stream key. */
  private readonly openStreams = new Map<string, ResponseStream>();
  /** Local client processes this daemon watches (their streams close when they exit). */
  private readonly watchedClients = new Set<string>();
  /** The daemon configuration read at start. */
  config: DaemonConfig = {};
  /** This engine's id (`docker info` ID), kept on disk. */
  engineId = "";
  /** Whether dockerd is subscribed to containerd's events. */
  containerdConnected = false;
  /** Whether the start-up restore has finished (requests before it wait). */
  ready = false;
  /**
   * Whether this manager came up locked (autolock): its swarm components stay stopped until
   * `POST /swarm/unlock` gives the key (moby's errSwarmLocked state).
   */
  swarmLocked = false;
  /** The restart manager's current back-off per container, ms (in memory, as in moby). */
  private readonly restartDelays = new Map<string, number>();

  constructor(
    /** The machine's facts. */
    readonly machine: MachineFacts,
    private readonly router: Router<Dockerd>,
  ) {
    super();
  }

  protected handlers(): RpcHandlers {
    return {
      http: (request: HttpRequest, from: ProcessAddress) => this.serve(request, from),
    };
  }

  private *serve(request: HttpRequest, from: ProcessAddress): Coroutine<unknown> {
    const host = this.context.host;
    // Requests made during start-up wait for it, as with systemd's docker.socket holding them.
    if (!this.ready) yield* waitFor("ready", containerdRetryDelayMs * (containerdConnectAttemptsMax + 1));
    if (!this.ready) throw new RpcError("Unavailable", notListeningMessage);
    this.context.emit("engine.api.request", { host, method: request.method, path: request.path });
    const response = yield* this.router.handle(this, request, engineVersion, from);
    this.context.emit("engine.api.response", { host, method: request.method, path: request.path, statusCode: response.statusCode });
    return response;
  }

  // ------------------------------------------------------------ start-up and containerd

  protected override onStart(): void {
    const disk = this.context.disk;
    this.config = disk.read<DaemonConfig>(daemonConfigKey) ?? {};
    this.engineId = disk.read<string>(recordKeys.engineId) ?? this.newEngineId();
    for (const record of loadRecords<ContainerRecord>(disk, `${dockerRoot}/containers/`, "/config.v2.json")) this.containers.set(record.id, record);
    for (const record of loadRecords<ImageRecord>(disk, `${dockerRoot}/image/overlay2/imagedb/content/`)) this.images.set(record.id, record);
    for (const record of loadRecords<NetworkRecord>(disk, `${dockerRoot}/network/files/`)) this.networks.set(record.id, record);
    for (const record of loadRecords<VolumeRecord>(disk, `${dockerRoot}/volumes/`, "/opts.json")) this.volumes.set(record.name, record);
    ensurePredefinedNetworks(this);
    // The FIFOs of the previous incarnation's attached clients are gone with it.
    for (const key of disk.keys(`${dockerExecRoot}/containerd/`)) disk.delete(key);
    this.context.log(`Starting up (live-restore ${this.config["live-restore"] ? "enabled" : "disabled"})`);
    // A node in a swarm starts its swarm components with the daemon, as dockerd does, unless
    // autolock left its manager key encrypted: then it waits, locked, for `docker swarm unlock`.
    this.swarmLocked = startsLocked(disk);
    if (readLocalState(disk) !== null) this.startSwarmProcesses([]);
    this.runLogged(this.connectAndRestore(), "restore");
  }

  private newEngineId(): string {
    const random = this.context.random;
    const words: string[] = [];
    for (let index = 0; index < 12; index++) words.push(random.hex(4).toUpperCase());
    const id = words.join(":");
    this.context.disk.write(recordKeys.engineId, id);
    return id;
  }

  /** Connects to containerd (retrying while it is down), then restores containers once. */
  private *connectAndRestore(): Coroutine<void> {
    yield* this.connectContainerd();
    if (!this.containerdConnected) return;
    yield* this.restore();
    this.ready = true;
    this.coroutines.notify("ready");
  }

  private *connectContainerd(): Coroutine<void> {
    for (let attempt = 1; attempt <= containerdConnectAttemptsMax; attempt++) {
      try {
        yield* containerd(this.context.host, "events.Subscribe", {});
        this.containerdConnected = true;
        return;
      } catch (error) {
        if (!(error instanceof RpcError)) throw error;
        if (attempt === 1) this.context.log(`containerd not running, retrying: ${error.message}`);
        yield* sleep(containerdRetryDelayMs);
      }
    }
    this.context.log(`failed to start daemon: failed to dial "/run/containerd/containerd.sock": context deadline exceeded`);
    this.context.exit(1);
  }

  /** After (re)connecting: running containers are reattached (live-restore) or stopped; dead ones are marked exited. */
  private *restore(): Coroutine<void> {
    const liveRestore = this.config["live-restore"] === true;
    for (const record of [...this.containers.values()]) {
      if (!record.state.running && !record.state.restarting) continue;
      const task = yield* this.taskOf(record.id);
      if (task !== null && task.status === "running") {
        if (liveRestore) {
          this.context.log(`live-restore: reattached container ${record.id.slice(0, 12)}`);
          continue;
        }
        this.context.log(`shutting down container considered alive by containerd: ${record.id.slice(0, 12)}`);
        yield* this.stopContainer(record.id, this.stopTimeoutSeconds(record), false);
        continue;
      }
      const exitCode = task?.exitStatus ?? 255;
      yield* this.handleExit(record.id, exitCode, task?.oomKilled ?? false);
    }
    for (const record of [...this.containers.values()]) {
      if (record.state.running || record.state.restarting) continue;
      if (record.hasBeenStartedBefore && shouldRestart(record, false)) this.runLogged(this.restartAfterDelay(record.id, 0), "restart");
    }
  }

  /**
   * The containerd task of a container, or null when containerd has none. When containerd
   * cannot be asked the RpcError propagates: "unknown" must never be taken for "gone" (the
   * background work stops, and the next reconnection looks again).
   */
  private *taskOf(id: string): Coroutine<ContainerdTask | null> {
    try {
      return (yield* containerd(this.context.host, "tasks.Get", { containerId: id })).task;
    } catch (error) {
      if (error instanceof RpcError && error.code === "NotFound") return null;
      throw error;
    }
  }

  /**
   * Runs a background coroutine (restore, exit handling, restarts): a failure talking to
   * containerd is logged, as dockerd logs it, and does not stop the daemon.
   */
  private runLogged(coroutine: Coroutine<void>, what: string): void {
    this.run(coroutine, (error) => {
      if (error === undefined) return;
      if (error instanceof RpcError || error instanceof ApiError) this.context.log(`${what}: ${error.message}`);
      else throw error;
    });
  }

  protected override onMessage(message: unknown, _from: ProcessAddress): void {
    if (typeof message === "object" && message !== null && (message as { swarmRoleChanged?: unknown }).swarmRoleChanged !== undefined) {
      this.startSwarmProcesses([]);
      return;
    }
    if (handlePeerLeft(this, message)) return;
    const copied = (message as Partial<StdioCopyMessage>).stdioCopy;
    if (copied !== undefined) {
      if (copied.execId !== null) execOutput(this, copied.execId, copied.stream, copied.text);
      else this.attachedOutput(copied.containerId, copied.stream, copied.text);
      return;
    }
    if (isEngineStreamCloseMessage(message)) {
      this.closeStream(streamKey({ host: _from.host, process: _from.process, id: message.engineStreamClose }));
      return;
    }
    const event = (message as Partial<ContainerdEventMessage>).containerdEvent;
    if (event === undefined) return super.onMessage(message, _from);
    if (event.topic !== "/tasks/exit") return;
    if (event.execId !== undefined) {
      handleExecExit(this, event.containerId, event.execId, event.exitStatus ?? 255);
      return;
    }
    // The container's output ends with its process: attached clients are done.
    this.endAttachers(event.containerId);
    const record = this.containers.get(event.containerId);
    if (record === undefined || !record.state.running || record.state.restarting) return;
    this.runLogged(this.handleExit(event.containerId, event.exitStatus ?? 255, false), "handling exit");
  }

  protected override onExited(exit: ProcessExit): void {
    if (this.watchedClients.delete(exit.process)) {
      // A client went away: its streams are closed.
      const prefix = `stream:${this.context.host}/${exit.process}/`;
      for (const key of [...this.openStreams.keys()]) if (key.startsWith(prefix)) this.closeStream(key);
      return;
    }
    if (exit.process !== containerdProcessName || !this.containerdConnected) return;
    this.containerdConnected = false;
    this.context.log("containerd connection lost; reconnecting");
    this.runLogged(this.reconnect(), "reconnecting to containerd");
  }

  private *reconnect(): Coroutine<void> {
    yield* this.connectContainerd();
    if (!this.containerdConnected) return;
    // Exits that happened while containerd was away are found by asking for each running task.
    for (const record of [...this.containers.values()]) {
      if (!record.state.running) continue;
      const task = yield* this.taskOf(record.id);
      if (task === null || task.status === "stopped") yield* this.handleExit(record.id, task?.exitStatus ?? 255, task?.oomKilled ?? false);
    }
  }

  // ------------------------------------------------------------ swarm mode

  /**
   * Starts this node's swarm components as children that die with dockerd (swarmkit runs
   * inside dockerd): a manager on managers (`initialMembers` seeds a new Raft group), an agent
   * everywhere.
   */
  startSwarmProcesses(initialMembers: readonly string[]): void {
    const local = readLocalState(this.context.disk);
    if (local === null || this.swarmLocked) return;
    const settings = this.config["x-swarmsim-raft"] ?? {};
    if (local.role === "manager" && !this.context.isRunning(managerProcessName)) {
      const schedulerBugs = this.config["x-swarmsim-scheduler-bugs"] ?? {};
      this.context.spawn(managerProcessName, () => new SwarmManager(settings, initialMembers, schedulerBugs), { diesWithParent: true });
    }
    if (!this.context.isRunning(agentProcessName)) this.context.spawn(agentProcessName, () => new SwarmAgent(), { diesWithParent: true });
  }

  /** Stops this node's swarm components (`docker swarm leave`). */
  stopSwarmProcesses(): void {
    for (const name of [agentProcessName, managerProcessName]) if (this.context.isRunning(name)) this.context.kill(name, 0);
  }

  // ------------------------------------------------------------ records

  /** Stores a container record in memory and on disk. */
  saveContainer(record: ContainerRecord): ContainerRecord {
    this.containers.set(record.id, record);
    this.context.disk.write(recordKeys.container(record.id), record);
    return record;
  }

  /** Removes a container record and its log; wakes `wait --condition removed` with its exit code. */
  deleteContainer(id: string): void {
    const exitCode = this.containers.get(id)?.state.exitCode ?? 0;
    this.containers.delete(id);
    this.context.disk.delete(recordKeys.container(id));
    this.context.disk.delete(recordKeys.containerLog(id));
    forgetContainerExecs(this, id);
    this.coroutines.notify(`removed:${id}`, exitCode);
  }

  /** Finds a container by full id, name, or unique id prefix; 404 otherwise, in Docker's words. */
  findContainer(reference: string): ContainerRecord {
    const found = this.lookupContainer(reference);
    if (found === undefined) throw notFound(`No such container: ${reference}`);
    return found;
  }

  /** Like {@link findContainer} but returns undefined. */
  lookupContainer(reference: string): ContainerRecord | undefined {
    const exact = this.containers.get(reference);
    if (exact) return exact;
    const name = reference.startsWith("/") ? reference : `/${reference}`;
    for (const record of this.containers.values()) if (record.name === name) return record;
    if (!/^[0-9a-f]+$/.test(reference)) return undefined;
    const matches = [...this.containers.values()].filter((record) => record.id.startsWith(reference));
    if (matches.length > 1) throw new ApiError(400, `multiple IDs found with provided prefix: ${reference}`);
    return matches[0];
  }

  /** A new 64-hex-digit id from this process's generator. */
  newId(): string {
    return this.context.random.hex(64);
  }

  /** The current wall-clock time, ms since the Unix epoch. */
  get wallTimeMs(): number {
    return this.context.wallTimeMs;
  }

  /** The virtual time now, ms. */
  get now(): number {
    return this.context.now;
  }

  /** The host this daemon runs on. */
  get hostName(): string {
    return this.context.host;
  }

  /** This daemon's process name (where shims copy output to). */
  get processName(): string {
    return this.context.process;
  }

  /** Wakes the coroutines waiting on `key` (a stream's handler, say). */
  wake(key: string, value: unknown = true): void {
    this.coroutines.notify(key, value);
  }

  // ------------------------------------------------------------ streamed answers and attached clients

  /**
   * Opens the stream of an answer that comes in parts, for `request`'s caller (see
   * `ResponseStream`); `run` writes it; the stream is forgotten when `run` ends.
   */
  *withStream<T>(request: RouteRequest, tty: boolean, run: (stream: ResponseStream) => Coroutine<T>): Coroutine<T> {
    const fallbackKey = `stream:whole/${this.newId()}`;
    const stream = new ResponseStream((host, process, message) => this.context.send(host, process, message), request.stream ?? null, tty, fallbackKey);
    const target = request.stream ?? null;
    if (target !== null) {
      this.openStreams.set(stream.key, stream);
      if (target.host === this.context.host && !this.watchedClients.has(target.process)) {
        this.watchedClients.add(target.process);
        this.context.monitor(target.process);
      }
    }
    try {
      return yield* run(stream);
    } finally {
      this.openStreams.delete(stream.key);
    }
  }

  /** A client closed its end of a stream: its handler stops. */
  private closeStream(key: string): void {
    const stream = this.openStreams.get(key);
    if (stream === undefined) return;
    stream.closed = true;
    this.coroutines.notify(key);
  }

  /**
   * Attaches `stream` to a container's output (moby's `containerAttach` with `stream=1`): the
   * output lines from now on, until the container's process ends or the client leaves. A
   * container not running yet is followed through its next start (as `docker run` attaches
   * before starting).
   */
  *attachOutput(containerId: string, stream: ResponseStream, wants: { readonly stdout: boolean; readonly stderr: boolean }): Coroutine<void> {
    const list = this.attachers.get(containerId) ?? [];
    if (list.length >= attachersMax) throw new ApiError(500, `too many clients attached to container ${containerId}`);
    const attacher: Attacher = { stream, stdout: wants.stdout, stderr: wants.stderr, ended: false };
    list.push(attacher);
    this.attachers.set(containerId, list);
    this.context.disk.write(recordKeys.attachFifo(containerId), { host: this.context.host, process: this.context.process } satisfies ProcessAddress);
    try {
      while (!attacher.ended && !stream.closed && this.containers.has(containerId)) yield* waitFor(stream.key, attachWaitStepMs);
    } finally {
      const remaining = (this.attachers.get(containerId) ?? []).filter((other) => other !== attacher);
      if (remaining.length > 0) this.attachers.set(containerId, remaining);
      else {
        this.attachers.delete(containerId);
        this.context.disk.delete(recordKeys.attachFifo(containerId));
      }
    }
  }

  /** An output line of a container, copied by its shim: written to every attached client that wants its stream. */
  private attachedOutput(containerId: string, stream: "stdout" | "stderr", text: string): void {
    const tty = this.containers.get(containerId)?.config.Tty === true;
    for (const attacher of this.attachers.get(containerId) ?? []) {
      if (stream === "stdout" ? !attacher.stdout : !attacher.stderr) continue;
      attacher.stream.write(stream === "stdout" ? 1 : 2, `${text}${tty ? "\r\n" : "\n"}`);
    }
  }

  /** The container's process ended: its attached clients' streams end. */
  private endAttachers(containerId: string): void {
    for (const attacher of this.attachers.get(containerId) ?? []) {
      attacher.ended = true;
      this.coroutines.notify(attacher.stream.key);
    }
  }

  // ------------------------------------------------------------ container lifecycle

  private stopTimeoutSeconds(record: ContainerRecord): number {
    return record.config.StopTimeout ?? defaultStopTimeoutSeconds;
  }

  private update(id: string, change: (record: ContainerRecord) => ContainerRecord): ContainerRecord | undefined {
    const record = this.containers.get(id);
    return record === undefined ? undefined : this.saveContainer(change(record));
  }

  /** Starts a created or exited container: containerd container, task (shim + runC create), start. */
  *startContainer(id: string): Coroutine<void> {
    const record = this.containers.get(id);
    if (record === undefined) throw notFound(`No such container: ${id}`);
    if (record.state.running && !record.state.restarting) return;
    const host = this.context.host;
    const spec = buildOciSpec(record, this.images.get(record.imageId));
    try {
      yield* sleep(startPreparationDurationMs);
      try {
        yield* containerd(host, "containers.Create", { container: { id, image: record.imageName, spec, labels: record.config.Labels } });
      } catch (error) {
        if (!(error instanceof RpcError) || error.code !== "AlreadyExists") throw error;
        // Left over from a previous run (as after a crash): clean it up and create it again.
        yield* this.cleanupContainerd(id);
        yield* containerd(host, "containers.Create", { container: { id, image: record.imageName, spec, labels: record.config.Labels } });
      }
      yield* containerd(host, "tasks.Create", { containerId: id, logKey: recordKeys.containerLog(id), attachKey: recordKeys.attachFifo(id) });
      const { pid } = yield* containerd(host, "tasks.Start", { containerId: id });
      const endpoint = record.endpoint ?? this.allocateEndpoint(record);
      this.update(id, (current) => ({
        ...current,
        endpoint,
        hasBeenStartedBefore: true,
        hasBeenManuallyStopped: false,
        state: { ...current.state, status: "running", running: true, restarting: false, oomKilled: false, dead: false, pid, exitCode: 0, error: "", startedAt: this.context.now },
      }));
    } catch (error) {
      if (!(error instanceof RpcError)) throw error;
      yield* this.cleanupContainerd(id);
      // moby's setExitCodeFromError: 127 and 400 for a command not found, 128 and 500 otherwise.
      const failure = startFailure(`failed to create task for container: ${error.message}: unknown`);
      this.update(id, (current) => ({ ...current, state: { ...current.state, status: current.hasBeenStartedBefore ? "exited" : "created", error: failure.error.message, exitCode: failure.exitCode } }));
      throw failure.error;
    }
  }

  /** The endpoint a container gets on its network when it first starts. */
  private allocateEndpoint(record: ContainerRecord): ContainerRecord["endpoint"] {
    const mode = record.hostConfig.NetworkMode;
    // A swarm task's container is on its swarm networks (see `swarmEndpoints`), not on a bridge.
    if (mode === "host" || mode === "none" || (record.swarmEndpoints?.length ?? 0) > 0) return null;
    const networkName = mode === "default" ? "bridge" : mode;
    const network = [...this.networks.values()].find((candidate) => candidate.name === networkName || candidate.id === networkName);
    if (network === undefined || network.subnet === null) return null;
    const used = new Set([...this.containers.values()].map((other) => other.endpoint?.ipAddress));
    const [base] = network.subnet.split("/");
    const octets = base!.split(".").map(Number);
    let ipAddress = "";
    for (let last = 2; last < 255 && ipAddress === ""; last++) {
      const candidate = `${octets[0]}.${octets[1]}.${octets[2]}.${last}`;
      if (!used.has(candidate)) ipAddress = candidate;
    }
    const macAddress = `02:42:${ipAddress.split(".").map((part) => Number(part).toString(16).padStart(2, "0")).join(":")}`;
    return { networkName: network.name, networkId: network.id, endpointId: this.newId(), ipAddress, macAddress, gateway: network.gateway ?? "", prefixLength: Number(network.subnet.split("/")[1]) };
  }

  /** Deletes the containerd task and container, ignoring what is already gone. */
  private *cleanupContainerd(id: string): Coroutine<void> {
    for (const method of ["tasks.Delete", "containers.Delete"] as const) {
      try {
        yield* containerd(this.context.host, method, method === "tasks.Delete" ? { containerId: id } : { id });
      } catch (error) {
        if (!(error instanceof RpcError)) throw error;
      }
    }
  }

  /** Records a container's exit, cleans up containerd, wakes waiters, and applies the restart policy. */
  *handleExit(id: string, exitCode: number, oomKilled: boolean): Coroutine<void> {
    const before = this.containers.get(id);
    if (before === undefined) return;
    let task: ContainerdTask | null = null;
    if (this.containerdConnected) {
      // Only to refine the exit code: if containerd cannot say, the event's code stands.
      try {
        task = yield* this.taskOf(id);
      } catch (error) {
        if (!(error instanceof RpcError)) throw error;
      }
      yield* this.cleanupContainerd(id);
    }
    const record = this.update(id, (current) => ({
      ...current,
      state: {
        ...current.state,
        status: "exited",
        running: false,
        restarting: false,
        pid: 0,
        exitCode: task?.exitStatus ?? exitCode,
        oomKilled: task?.oomKilled ?? oomKilled,
        finishedAt: this.context.now,
      },
    }));
    // The container may have been removed while containerd was being asked.
    if (record === undefined) return;
    this.containerEvent(record, "die", { exitCode: String(record.state.exitCode) });
    yield* sleep(exitCleanupDurationMs);
    this.coroutines.notify(`exit:${id}`, record.state.exitCode);
    // Removed, or started again, meanwhile: nothing more to do.
    if (this.containers.get(id)?.state.status !== "exited") return;
    if (record.hostConfig.AutoRemove) {
      this.deleteContainer(id);
      this.containerEvent(record, "destroy");
      return;
    }
    if (shouldRestart(record, true)) {
      const ranMs = record.state.startedAt === null ? 0 : this.context.now - record.state.startedAt;
      const delayMs = nextRestartDelayMs(this.restartDelays.get(id) ?? 0, ranMs);
      this.restartDelays.set(id, delayMs);
      this.runLogged(this.restartAfterDelay(id, delayMs), "restart");
    }
  }

  /** The restart manager: waits its back-off, then starts the container again. */
  private *restartAfterDelay(id: string, delayMs: number): Coroutine<void> {
    // As moby's SetRestarting: a restarting container counts as running for stop, rm and wait.
    this.update(id, (current) => ({ ...current, restartCount: current.restartCount + 1, state: { ...current.state, status: "restarting", running: true, restarting: true, pid: 0 } }));
    yield* sleep(delayMs);
    const record = this.containers.get(id);
    if (record === undefined || !record.state.restarting || record.hasBeenManuallyStopped) return;
    try {
      yield* this.startContainer(id);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.context.log(`restart of ${id.slice(0, 12)} failed: ${error.message}`);
    }
  }

  /** Sends a signal to a running container through containerd. */
  *signalContainer(id: string, signal: string): Coroutine<void> {
    yield* containerd(this.context.host, "tasks.Kill", { containerId: id, signal });
    // moby logs a kill event for every signal it sends (stop's included), with the signal's number.
    const record = this.containers.get(id);
    if (record !== undefined) this.containerEvent(record, "kill", { signal: String(signalNumbers[signal] ?? signal) });
  }

  /**
   * Stops a container: its stop signal, then SIGKILL after `timeoutSeconds` (negative: wait
   * forever, bounded by `killWaitMs` steps). Returns false when it was not running.
   */
  *stopContainer(id: string, timeoutSeconds: number, manual = true): Coroutine<boolean> {
    const record = this.containers.get(id);
    if (record === undefined) throw notFound(`No such container: ${id}`);
    if (record.state.restarting) {
      this.update(id, (current) => ({ ...current, hasBeenManuallyStopped: manual || current.hasBeenManuallyStopped, state: { ...current.state, status: "exited", running: false, restarting: false } }));
      this.coroutines.notify(`exit:${id}`, record.state.exitCode);
      return true;
    }
    if (!record.state.running) return false;
    if (manual) this.update(id, (current) => ({ ...current, hasBeenManuallyStopped: true }));
    const stopSignal = record.config.StopSignal ?? "SIGTERM";
    if (stopSignal !== "SIGKILL" && timeoutSeconds !== 0) {
      yield* this.signalContainer(id, stopSignal);
      if (!this.containers.get(id)?.state.running) return true;
      const waitMs = timeoutSeconds < 0 ? killWaitMs : timeoutSeconds * 1000;
      yield* waitFor(`exit:${id}`, waitMs);
      if (!this.containers.get(id)?.state.running) return true;
    }
    yield* this.killAndWait(id);
    return true;
  }

  /** SIGKILLs a container and waits until its exit is recorded. */
  *killAndWait(id: string): Coroutine<void> {
    yield* this.signalContainer(id, "SIGKILL");
    if (!this.containers.get(id)?.state.running) return;
    yield* waitFor(`exit:${id}`, killWaitMs);
  }

  /** Waits until a container is not running; returns its exit code. */
  /**
   * Records a container event for `GET /events`, and emits the simulation's typed event of the
   * same action (`engine.container.create|start|stop|destroy|die`; `kill` has its own, with the
   * signal's name, emitted by the kill route).
   */
  containerEvent(record: ContainerRecord, action: string, extra: Readonly<Record<string, string>> = {}): void {
    this.events.record(containerEventMessage(record, action, extra), this.wallTimeMs);
    const host = this.hostName;
    const name = record.name.slice(1);
    // Whole literals, not `{ ...fields, more }`: V8 gives each object made that way a hidden class of its own.
    if (action === "create") this.context.emit("engine.container.create", { host, id: record.id, name, image: record.imageName });
    else if (action === "start" || action === "stop" || action === "destroy") this.context.emit(`engine.container.${action}`, { host, id: record.id, name });
    else if (action === "die") this.context.emit("engine.container.die", { host, id: record.id, name, exitCode: record.state.exitCode });
  }

  /**
   * Records an exec instance's event for `GET /events` as moby words it (`exec_create: echo hi`
   * and `exec_start: ...` with the command line, `exec_die` with the exit code; each with the
   * `execID`) and emits the simulation's `engine.exec.*` event.
   */
  execEvent(record: ContainerRecord, exec: ExecRecord, action: "exec_create" | "exec_start" | "exec_die"): void {
    const command = `${exec.entrypoint} ${exec.args.join(" ")}`;
    const fields = { host: this.hostName, id: record.id, name: record.name.slice(1), execId: exec.id };
    if (action === "exec_die") {
      const exitCode = exec.exitCode ?? 0;
      this.events.record(containerEventMessage(record, action, { execID: exec.id, exitCode: String(exitCode) }), this.wallTimeMs);
      this.context.emit("engine.exec.die", { ...fields, exitCode });
      return;
    }
    this.events.record(containerEventMessage(record, `${action}: ${command}`, { execID: exec.id }), this.wallTimeMs);
    this.context.emit(action === "exec_create" ? "engine.exec.create" : "engine.exec.start", { ...fields, command });
  }

  *waitNotRunning(id: string, timeoutMs: number): Coroutine<number> {
    const record = this.containers.get(id);
    if (record !== undefined && record.state.running) yield* waitFor(`exit:${id}`, timeoutMs);
    return this.containers.get(id)?.state.exitCode ?? record?.state.exitCode ?? 0;
  }
}

/** Routers by route table: a table is compiled once, however many hosts serve it (routers hold no state). */
const routersByTable = new WeakMap<readonly Route<Dockerd>[], Router<Dockerd>>();

/** Makes the dockerd behaviour factory for a host with these facts and routes. */
export function dockerdProcess(machine: MachineFacts, routes: readonly Route<Dockerd>[]): () => Dockerd {
  let router = routersByTable.get(routes);
  if (router === undefined) routersByTable.set(routes, (router = new Router(routes)));
  return () => new Dockerd(machine, router);
}

/** A client attached to a container's output. */
interface Attacher {
  readonly stream: ResponseStream;
  readonly stdout: boolean;
  readonly stderr: boolean;
  /** Set when the container's process has ended. */
  ended: boolean;
}
