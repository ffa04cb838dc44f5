/**
 * containerd-shim (`containerd-shim-runc-v2`): one per container. containerd starts it for
 * `tasks.Create`; it records its address in the bundle, runs runC for create and start, and
 * then stays the container process's parent: it keeps the container's output in the log,
 * forwards signals, kills on SIGKILL, reaps the exit and reports it to containerd. It does not
 * depend on containerd staying up: a restarted containerd reconnects through the bundle's
 * address file, asks the shim's state and receives the events it had not acknowledged. The
 * shim exits after `Delete` (or `Shutdown`).
 *
 * Exec processes (`docker exec`) are the shim's children too: `Exec` records one, `Start` with
 * its id runs `runc exec` and then the process, whose output lines go to the reader dockerd
 * named (its FIFOs) and whose exit is published like the task's, with the exec id. When the
 * container's own process ends, the kernel kills every other process of its PID namespace: the
 * shim's exec processes die with status 137.
 *
 * It serves containerd with the request/response wire protocol of `src/sim/coroutine.ts`
 * (`{ rpc: "request", id, method, params }` answered by `{ rpc: "response", id, result | error }`),
 * written out as a state machine because its answers wait for runC's exit.
 */
import "./events.js";
import type { ContainerdEventMessage, StdioCopyMessage, TaskStatus } from "./api.js";
import type { OciProcess, OciSpec } from "./oci.js";
import { bundleFileKey, bundleFiles, containerProcessName, execProcessName, runcExecProcessName, runcProcessName } from "./paths.js";
import { lastRuncError, runcProcess, type LookPath } from "./runc.js";
import type { RuncCommand } from "./events.js";
import { ignoredByDefaultSignals, parseSignal } from "./signals.js";
import { RpcError, type RpcErrorCode } from "../sim/coroutine.js";
import type { ProcessAddress } from "../sim/events.js";
import type { ProcessBehaviour, ProcessContext, ProcessExit, ProcessFactory } from "../sim/process.js";
import type { ContainerProcessInfo, OomMessage, ProgramOptions, SignalMessage, StdioMessage } from "../engine/workload/protocol.js";

/** Makes a container process's behaviour from its bundle's spec (the workload programs' `createProgram`). */
export type ProgramFactory = (options: ProgramOptions) => ProcessBehaviour;

/** The shim's own view of its task, finer than containerd's {@link TaskStatus}. */
export type ShimStatus = "new" | "creating" | "created" | "starting" | "running" | "stopped";

/** A shim's answer to `State` and `Connect`. */
export interface ShimState {
  readonly containerId: string;
  readonly status: ShimStatus;
  /** The container process's pid (0 before it starts). */
  readonly pid: number;
  readonly exitStatus: number | null;
  readonly exitedAt: number | null;
  readonly oomKilled: boolean;
}

/** Parameters and results of the shim's methods (containerd is the only caller). */
export interface ShimMethods {
  /** Runs `runc create`; `attachKey` names the FIFO whose reader (if any) also gets the output lines. */
  Create: { params: { logKey: string; attachKey?: string }; result: { pid: number } };
  /** Runs `runc start`, then starts the container process; with `execId`, `runc exec` and that exec process. */
  Start: { params: { execId?: string }; result: { pid: number } };
  /** Records an exec process (not started yet); its output goes to `stdio` (null: discarded). */
  Exec: { params: { execId: string; process: OciProcess; stdio: ProcessAddress | null }; result: Record<string, never> };
  /** Forwards a signal to the container process (SIGKILL: kills it). */
  Kill: { params: { signal: string }; result: Record<string, never> };
  State: { params: Record<string, never>; result: ShimState };
  /** Like `State`, then sends again every event containerd has not acknowledged. */
  Connect: { params: Record<string, never>; result: ShimState };
  /** Removes a stopped (or never started) task; the shim exits after answering. */
  Delete: { params: Record<string, never>; result: { exitStatus: number | null; exitedAt: number | null } };
  /** Kills the container process if it runs; the shim exits after answering. */
  Shutdown: { params: Record<string, never>; result: Record<string, never> };
}

/** An event a shim publishes to containerd (`/tasks/exit`, `/tasks/oom`); containerd acknowledges it. */
export interface ShimEventMessage {
  readonly shimEvent: ContainerdEventMessage["containerdEvent"];
  /** Numbers the shim's events, for the acknowledgement. */
  readonly sequence: number;
}

/** containerd's acknowledgement of a {@link ShimEventMessage}. */
export interface ShimEventAckMessage {
  readonly shimEventAck: number;
}

/** One line of a container's log, json-file style (`{"log": ..., "stream": ..., "time": ...}`). */
export interface ContainerLogEntry {
  readonly stream: "stdout" | "stderr";
  readonly text: string;
  /** Virtual time the line was written, ms. */
  readonly time: number;
}

/**
 * Bound `containerLogEntriesMax`: most lines a container's log keeps. The log is an array
 * appended in place, like a file; when full, the oldest {@link containerLogRotateEntries}
 * lines are dropped at once, as json-file drops a rotated file.
 */
export const containerLogEntriesMax = 10_000;
/** Lines dropped from the front of a full container log. */
export const containerLogRotateEntries = 2_500;
/** Bound `shimOutboxMax`: events a shim keeps until containerd acknowledges them (oldest dropped). */
export const shimOutboxMax = 16;
/** Bound `shimExecsMax`: exec processes one shim keeps (created, running or exited). */
export const shimExecsMax = 1_024;
/** The PID namespace pid of a container's first exec process (runC's init took the ones before it). */
export const firstExecNamespacePid = 7;
/** Namespace pids each exec uses up (runC's init and its helpers take the others). */
export const execNamespacePidStride = 6;

/** What a shim needs to know when containerd starts it. */
export interface ShimOptions {
  readonly containerId: string;
  /** Where to publish events: containerd's process name on the same host. */
  readonly containerdProcess: string;
  /** Makes the container's program. */
  readonly programFactory: ProgramFactory;
  /** Finds programs for `runc exec` (every program is found when absent). */
  readonly lookPath?: LookPath;
}

/** A shim's behaviour, fresh for each shim. */
export function shimProcess(options: ShimOptions): ProcessFactory {
  return () => new Shim(options);
}

/** containerd's task status for a shim status. */
export function taskStatusOf(status: ShimStatus): TaskStatus {
  switch (status) {
    case "created":
    case "starting":
      return "created";
    case "running":
      return "running";
    case "stopped":
      return "stopped";
    default:
      return "unknown";
  }
}

interface Request {
  readonly rpc: "request";
  readonly id: number;
  readonly method: string;
  readonly params: unknown;
}

type Reply = (error: RpcError | null, result?: unknown) => void;

interface PendingRunc {
  readonly command: RuncCommand;
  readonly done: (failure: string | null) => void;
}

/** An exec process the shim knows. */
interface ShimExec {
  readonly id: string;
  readonly process: OciProcess;
  readonly stdio: ProcessAddress | null;
  /** The process name (`exec:<exec12>`) and the `runc exec` name. */
  readonly name: string;
  readonly runcName: string;
  status: "created" | "starting" | "running" | "stopped";
  /** Host pid once running. */
  pid: number;
  /** Its pid inside the container's PID namespace. */
  namespacePid: number;
}

class Shim implements ProcessBehaviour {
  private context!: ProcessContext;
  private status: ShimStatus = "new";
  private pid = 0;
  private exitStatus: number | null = null;
  private exitedAt: number | null = null;
  private oomKilled = false;
  private logKey: string | null = null;
  private logEntries: ContainerLogEntry[] | null = null;
  private pendingRunc: PendingRunc | null = null;
  private outbox: ShimEventMessage[] = [];
  private nextSequence = 1;
  private readonly containerName: string;
  private readonly runcName: string;
  /** The FIFO key whose reader gets the container's output lines too (dockerd's, while attached). */
  private attachKey: string | null = null;
  private readonly execs = new Map<string, ShimExec>();
  /** Exec processes by process name (and by `runc exec` name while runC runs), for their output and exits. */
  private readonly execsByProcess = new Map<string, ShimExec>();
  /** `runc exec` invocations waiting for their exit, by process name. */
  private readonly pendingExecRuncs = new Map<string, (failure: string | null) => void>();
  private nextNamespacePid = firstExecNamespacePid;

  constructor(private readonly options: ShimOptions) {
    this.containerName = containerProcessName(options.containerId);
    this.runcName = runcProcessName(options.containerId);
  }

  start(context: ProcessContext): void {
    this.context = context;
    const id = this.options.containerId;
    context.disk.write(bundleFileKey(id, bundleFiles.address), context.process);
    context.disk.write(bundleFileKey(id, bundleFiles.shimPid), context.pid);
    context.emit("shim.start", { host: context.host, containerId: id, pid: context.pid });
  }

  receive(context: ProcessContext, message: unknown, from: ProcessAddress): void {
    if (isRequest(message)) this.serve(message, from);
    else if (isStdio(message)) this.output(message, from.process);
    else if (isOom(message)) this.recordOom();
    else if (isAck(message)) this.outbox = this.outbox.filter((event) => event.sequence !== message.shimEventAck);
    else context.log(`ignoring unexpected message from ${from.process}: ${JSON.stringify(message)}`);
  }

  exited(context: ProcessContext, exit: ProcessExit): void {
    if (exit.process === this.runcName && this.pendingRunc !== null) {
      const pending = this.pendingRunc;
      this.pendingRunc = null;
      context.emit("runc.exit", {
        host: context.host,
        containerId: this.options.containerId,
        pid: exit.pid,
        command: pending.command,
        exitStatus: exit.exitCode,
      });
      pending.done(exit.exitCode === 0 ? null : lastRuncError(context, this.options.containerId));
      return;
    }
    const execRunc = this.pendingExecRuncs.get(exit.process);
    if (execRunc !== undefined) {
      this.pendingExecRuncs.delete(exit.process);
      context.emit("runc.exit", { host: context.host, containerId: this.options.containerId, pid: exit.pid, command: "exec", exitStatus: exit.exitCode });
      execRunc(exit.exitCode === 0 ? null : lastRuncError(context, this.options.containerId));
      return;
    }
    const exec = this.execsByProcess.get(exit.process);
    if (exec !== undefined && exec.name === exit.process && exec.status === "running") {
      exec.status = "stopped";
      this.publish("/tasks/exit", exit.exitCode ?? 128 + 9, context.now, exec);
      return;
    }
    if (exit.process === this.containerName && this.status === "running") {
      this.markStopped(exit.exitCode ?? 128 + 9);
      // The PID namespace ends with its init: the kernel SIGKILLs every exec process left.
      for (const other of this.execs.values()) if (other.status === "running" && context.isRunning(other.name)) context.kill(other.name, 128 + 9);
    }
  }

  // ------------------------------------------------------------------ requests

  private serve(request: Request, from: ProcessAddress): void {
    const reply: Reply = (error, result = {}) => {
      const response =
        error === null
          ? { rpc: "response", id: request.id, result }
          : { rpc: "response", id: request.id, error: { code: error.code, message: error.message } };
      this.context.send(from.host, from.process, response);
    };
    const params = (request.params ?? {}) as Record<string, unknown>;
    switch (request.method) {
      case "Create":
        this.create(String(params["logKey"] ?? ""), typeof params["attachKey"] === "string" ? params["attachKey"] : null, reply);
        return;
      case "Start":
        if (typeof params["execId"] === "string") this.startExec(params["execId"], reply);
        else this.startTask(reply);
        return;
      case "Exec":
        this.addExec(params as ShimMethods["Exec"]["params"], reply);
        return;
      case "Kill":
        this.kill(String(params["signal"] ?? ""), reply);
        return;
      case "State":
        reply(null, this.state());
        return;
      case "Connect":
        reply(null, this.state());
        for (const event of this.outbox) this.context.send(this.context.host, this.options.containerdProcess, event);
        return;
      case "Delete":
        this.deleteTask(reply);
        return;
      case "Shutdown":
        if (this.context.isRunning(this.containerName)) this.context.kill(this.containerName);
        reply(null, {});
        this.context.exit(0);
        return;
      default:
        reply(new RpcError("Unknown", `unknown method ${request.method}`));
    }
  }

  private create(logKey: string, attachKey: string | null, reply: Reply): void {
    if (this.status !== "new") {
      reply(new RpcError("AlreadyExists", `task ${this.options.containerId}: already exists`));
      return;
    }
    this.logKey = logKey === "" ? null : logKey;
    this.attachKey = attachKey;
    this.status = "creating";
    this.runRunc("create", (failure) => {
      if (failure !== null) {
        this.status = "new";
        reply(new RpcError("Unknown", `OCI runtime create failed: ${failure}`));
        return;
      }
      if (this.status === "creating") this.status = "created";
      reply(null, { pid: 0 });
    });
  }

  private startTask(reply: Reply): void {
    if (this.status !== "created") {
      reply(new RpcError(...this.cannot("start")));
      return;
    }
    this.status = "starting";
    this.runRunc("start", (failure) => {
      if (this.status !== "starting") {
        // Killed while runC was starting it: the init process is gone.
        reply(new RpcError(...this.cannot("start")));
        return;
      }
      if (failure !== null) {
        this.status = "created";
        reply(new RpcError("Unknown", `OCI runtime start failed: ${failure}`));
        return;
      }
      this.runContainer();
      reply(null, { pid: this.pid });
    });
  }

  /** containerd's `Exec` on the runc shim: allowed while the container is created or running. */
  private addExec(params: ShimMethods["Exec"]["params"], reply: Reply): void {
    const { execId, process, stdio } = params;
    if (this.execs.has(execId)) {
      reply(new RpcError("AlreadyExists", `id ${execId}: already exists`));
      return;
    }
    if (this.status === "stopped") {
      reply(new RpcError("Unknown", "cannot exec in a stopped state"));
      return;
    }
    if (this.status !== "created" && this.status !== "starting" && this.status !== "running") {
      reply(new RpcError("FailedPrecondition", `task ${this.options.containerId} is not created`));
      return;
    }
    if (this.execs.size >= shimExecsMax) this.forgetStoppedExec();
    const exec: ShimExec = { id: execId, process, stdio, name: execProcessName(execId), runcName: runcExecProcessName(execId), status: "created", pid: 0, namespacePid: 0 };
    this.execs.set(execId, exec);
    reply(null, {});
  }

  /** Drops the oldest exited exec process to stay within `shimExecsMax` (a busy shim forgets, as containerd deletes them). */
  private forgetStoppedExec(): void {
    for (const [id, exec] of this.execs) {
      if (exec.status !== "stopped") continue;
      this.execs.delete(id);
      this.execsByProcess.delete(exec.name);
      return;
    }
  }

  /** Starts a recorded exec process: `runc exec`, then the process itself as this shim's child. */
  private startExec(execId: string, reply: Reply): void {
    const exec = this.execs.get(execId);
    if (exec === undefined) {
      reply(new RpcError("NotFound", `process ${execId} does not exist: not found`));
      return;
    }
    if (exec.status !== "created") {
      reply(new RpcError("Unknown", exec.status === "stopped" ? "cannot start a stopped process" : "cannot start a running process"));
      return;
    }
    if (this.status !== "running" || this.context.isRunning(exec.runcName)) {
      reply(new RpcError("Unknown", `OCI runtime exec failed: exec failed: cannot exec in a stopped container`));
      return;
    }
    exec.status = "starting";
    this.pendingExecRuncs.set(exec.runcName, (failure) => {
      if (failure !== null || this.status !== "running") {
        exec.status = "stopped";
        reply(new RpcError("Unknown", `OCI runtime exec failed: ${failure ?? "exec failed: cannot exec in a stopped container"}`));
        return;
      }
      this.runExec(exec);
      reply(null, { pid: exec.pid });
    });
    this.context.spawn(
      exec.runcName,
      runcProcess({ command: "exec", containerId: this.options.containerId, exec: { execId, process: exec.process }, ...(this.options.lookPath ? { lookPath: this.options.lookPath } : {}) }),
      { diesWithParent: true },
    );
  }

  /** Starts an exec process as this shim's child: the container's spec with the exec's process. */
  private runExec(exec: ShimExec): void {
    const bundleSpec = this.context.disk.read<OciSpec>(bundleFileKey(this.options.containerId, bundleFiles.config))!;
    const spec: OciSpec = { ...bundleSpec, process: exec.process };
    const program = this.options.programFactory({ spec, shimProcess: this.context.process, processes: () => this.namespaceProcesses() });
    exec.namespacePid = this.nextNamespacePid;
    this.nextNamespacePid += execNamespacePidStride;
    exec.status = "running";
    this.execsByProcess.set(exec.name, exec);
    let pid = 0;
    this.context.spawn(exec.name, containerBehaviour(program, (started) => (pid = started)), { diesWithParent: true });
    exec.pid = pid;
  }

  /** The processes of the container's PID namespace, as `ps` inside it lists them. */
  private namespaceProcesses(): ContainerProcessInfo[] {
    const processes: ContainerProcessInfo[] = [];
    if (this.status === "running") {
      const spec = this.context.disk.read<OciSpec>(bundleFileKey(this.options.containerId, bundleFiles.config));
      processes.push({ pid: 1, args: spec?.process.args ?? [] });
    }
    for (const exec of this.execs.values()) if (exec.status === "running") processes.push({ pid: exec.namespacePid, args: exec.process.args });
    return processes;
  }

  private kill(signalText: string, reply: Reply): void {
    const signal = parseSignal(signalText);
    if (signal === null) {
      reply(new RpcError("InvalidArgument", `invalid signal ${JSON.stringify(signalText)}: invalid argument`));
      return;
    }
    switch (this.status) {
      case "running":
        if (signal.name === "SIGKILL") this.context.kill(this.containerName, 128 + signal.number);
        else this.context.send(this.context.host, this.containerName, { signal: signal.name } satisfies SignalMessage);
        reply(null, {});
        return;
      case "created":
      case "starting":
        // runC's init process waits for `runc start`; a signal with a default action ends it.
        if (!ignoredByDefaultSignals.has(signal.name)) this.markStopped(128 + signal.number);
        reply(null, {});
        return;
      default:
        reply(new RpcError("NotFound", "process already finished: not found"));
    }
  }

  private deleteTask(reply: Reply): void {
    if (this.status === "running" || this.status === "starting" || this.status === "creating") {
      const shown = this.status === "running" ? "running" : "created";
      reply(new RpcError("FailedPrecondition", `task must be stopped before deletion: ${shown}: failed precondition`));
      return;
    }
    reply(null, { exitStatus: this.exitStatus, exitedAt: this.exitedAt });
    this.context.exit(0);
  }

  /** The error of a start in the wrong state, as the runc shim's state machine words it. */
  private cannot(action: "start"): [RpcErrorCode, string] {
    if (this.status === "stopped") return ["Unknown", `cannot ${action} a stopped process`];
    if (this.status === "new" || this.status === "creating") return ["FailedPrecondition", `task ${this.options.containerId} is not created`];
    return ["Unknown", `cannot ${action} a running process`];
  }

  private state(): ShimState {
    return {
      containerId: this.options.containerId,
      status: this.status,
      pid: this.pid,
      exitStatus: this.exitStatus,
      exitedAt: this.exitedAt,
      oomKilled: this.oomKilled,
    };
  }

  // ------------------------------------------------------------------ runC and the container

  private runRunc(command: RuncCommand, done: (failure: string | null) => void): void {
    this.pendingRunc = { command, done };
    const lookPath = this.options.lookPath;
    this.context.spawn(this.runcName, runcProcess({ command, containerId: this.options.containerId, ...(lookPath ? { lookPath } : {}) }), { diesWithParent: true });
  }

  /** Starts the container process as this shim's child; it dies with the shim. */
  private runContainer(): void {
    const spec = this.context.disk.read<OciSpec>(bundleFileKey(this.options.containerId, bundleFiles.config))!;
    const program = this.options.programFactory({ spec, shimProcess: this.context.process, processes: () => this.namespaceProcesses() });
    let pid = 0;
    this.status = "running";
    this.context.spawn(this.containerName, containerBehaviour(program, (started) => (pid = started)), { diesWithParent: true });
    this.pid = pid;
    this.context.disk.write(bundleFileKey(this.options.containerId, bundleFiles.initPid), pid);
  }

  private markStopped(exitStatus: number): void {
    this.status = "stopped";
    this.exitStatus = exitStatus;
    this.exitedAt = this.context.now;
    this.publish("/tasks/exit", exitStatus, this.context.now);
  }

  private recordOom(): void {
    if (this.oomKilled) return;
    this.oomKilled = true;
    this.publish("/tasks/oom", null, null);
  }

  private publish(topic: "/tasks/exit" | "/tasks/oom", exitStatus: number | null, exitedAt: number | null, exec?: ShimExec): void {
    const about = exec === undefined ? { pid: this.pid } : { pid: exec.pid, execId: exec.id };
    const event: ShimEventMessage = {
      shimEvent: { topic, containerId: this.options.containerId, exitStatus, exitedAt, ...about },
      sequence: this.nextSequence++,
    };
    if (this.outbox.length >= shimOutboxMax) this.outbox.shift();
    this.outbox.push(event);
    this.context.send(this.context.host, this.options.containerdProcess, event);
  }

  // ------------------------------------------------------------------ output

  /** An output line from the container's process (to the log, and to the attached reader if any) or from an exec process. */
  private output(message: StdioMessage, fromProcess: string): void {
    const containerId = this.options.containerId;
    if (fromProcess === this.containerName) {
      this.appendLog(message);
      const reader = this.attachKey === null ? undefined : this.context.disk.read<ProcessAddress>(this.attachKey);
      if (reader !== undefined) this.copy(reader, { containerId, execId: null, stream: message.stdio, text: message.text });
      return;
    }
    const exec = this.execsByProcess.get(fromProcess);
    if (exec?.stdio) this.copy(exec.stdio, { containerId, execId: exec.id, stream: message.stdio, text: message.text });
  }

  private copy(reader: ProcessAddress, line: StdioCopyMessage["stdioCopy"]): void {
    this.context.send(reader.host, reader.process, { stdioCopy: line } satisfies StdioCopyMessage);
  }

  private appendLog(message: StdioMessage): void {
    if (this.logKey === null) return;
    const disk = this.context.disk;
    const stored = disk.read<ContainerLogEntry[]>(this.logKey);
    // Someone else (dockerd) replaced or removed the log: continue from what is there now.
    if (stored !== this.logEntries) this.logEntries = stored === undefined ? [] : [...stored];
    const entries = this.logEntries!;
    if (entries.length >= containerLogEntriesMax) entries.splice(0, containerLogRotateEntries);
    entries.push({ stream: message.stdio, text: message.text, time: this.context.now });
    disk.write(this.logKey, entries);
  }
}

/** The container process: the program's behaviour, with its pid reported once it starts. */
function containerBehaviour(program: ProcessBehaviour, onStart: (pid: number) => void): ProcessBehaviour {
  return {
    start(context) {
      onStart(context.pid);
      program.start?.(context);
    },
    receive: (context, message, from) => program.receive?.(context, message, from),
    timer: (context, payload) => program.timer?.(context, payload),
    stop: (context) => program.stop?.(context),
    exited: (context, exit) => program.exited?.(context, exit),
  };
}

function isRequest(message: unknown): message is Request {
  return typeof message === "object" && message !== null && (message as { rpc?: unknown }).rpc === "request";
}

function isStdio(message: unknown): message is StdioMessage {
  return typeof message === "object" && message !== null && (message as { stdio?: unknown }).stdio !== undefined && (message as { text?: unknown }).text !== undefined;
}

function isOom(message: unknown): message is OomMessage {
  return typeof message === "object" && message !== null && (message as { oom?: unknown }).oom === true;
}

function isAck(message: unknown): message is ShimEventAckMessage {
  return typeof message === "object" && message !== null && typeof (message as { shimEventAck?: unknown }).shimEventAck === "number";
}
