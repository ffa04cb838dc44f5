/**
 * Processes: the unit of behaviour on a host. A process is a state machine the kernel drives
 * (start, a message received, a timer fired, a graceful stop); it acts only through its
 * {@link ProcessContext}, whose effects (messages, timers) are queued for the kernel to perform.
 * The library's own daemons and a user's `sim.spawn` processes use this same interface.
 */
import type { ProcessAddress, ProcessStopReason, SimulationEventMap, SimulationEventType } from "./events.js";
import type { Disk } from "../host/disk.js";
import type { Random } from "./random.js";

/** An opaque handle to a pending timer, for {@link ProcessContext.cancelTimer}. */
export interface TimerHandle {
  /** Virtual time the timer is due, in ms. */
  readonly time: number;
}

/** How a process ended, as told to its parent and to the processes monitoring it. */
export interface ProcessExit {
  /** The process's name. */
  readonly process: string;
  /** Its pid. */
  readonly pid: number;
  /** Why it stopped. */
  readonly reason: ProcessStopReason;
  /** Its exit code, or null when it died with its host. */
  readonly exitCode: number | null;
}

/** Options for starting a process. */
export interface SpawnOptions {
  /** The name of the parent process on the same host, shown in process listings. */
  readonly parent?: string;
  /** Kill this process when its parent dies (like Linux's PR_SET_PDEATHSIG). Default false. */
  readonly diesWithParent?: boolean;
  /** Start this process again whenever the host boots (like an enabled systemd unit). Default false. */
  readonly startOnBoot?: boolean;
  /** For `context.spawn`: detach the child (double fork), so init adopts it and it has no parent. Default false. */
  readonly detached?: boolean;
}

/**
 * A process's request/response layer (`Coroutines` of `sim/coroutine.ts`), registered on its
 * {@link ProcessInstance} so that the kernel hands it protocol messages and timers directly:
 * one class, so those calls stay monomorphic, where going through each process's behaviour
 * class first costs megamorphic lookups on the hottest path of a swarm.
 */
export interface ProtocolHandler {
  /** Handles a protocol message; false for any other message. */
  receive(message: unknown, from: ProcessAddress): boolean;
  /** Handles a protocol timer; false for any other timer payload. */
  timer(payload: unknown): boolean;
}

/** What a process can do. Effects are queued and performed by the kernel, never inline. */
export interface ProcessContext {
  /** The host this process runs on. */
  readonly host: string;
  /** The host's network address. */
  readonly address: string;
  /** This process's name, unique on its host. */
  readonly process: string;
  /** This process's id on its host (counts from 1 at each boot). */
  readonly pid: number;
  /** Current virtual time in ms since the start of the simulation. */
  readonly now: number;
  /** Current wall-clock time of the simulation (its fixed start time plus `now`), ms since the Unix epoch. */
  readonly wallTimeMs: number;
  /** This process's own generator: forked from the simulation's by host, process name and incarnation. */
  readonly random: Random;
  /** The host's disk: survives crashes and restarts. */
  readonly disk: Disk;
  /**
   * The highest one-way delay any network link has had so far, ms: no message sent until now
   * takes longer to arrive. It never decreases. (The RPC layer uses it to know when a request
   * can no longer arrive again.)
   */
  readonly latencyBoundMs: number;
  /** Sends `message` to process `toProcess` on host `toHost` (a name or an address) over the simulated network. */
  send(toHost: string, toProcess: string, message: unknown): void;
  /** Fires {@link ProcessBehaviour.timer} with `payload` after `delayMs` virtual milliseconds. */
  setTimer(delayMs: number, payload?: unknown): TimerHandle;
  /** Cancels a pending timer; cancelling a fired or cancelled timer does nothing. */
  cancelTimer(handle: TimerHandle): void;
  /** Records a typed event in the trace and passes it to listeners. */
  emit<T extends SimulationEventType>(type: T, fields: SimulationEventMap[T]): void;
  /** Records a line of this process's log. */
  log(text: string): void;
  /** Starts a child process on the same host. */
  spawn(name: string, behaviour: ProcessBehaviour | ProcessFactory, options?: Omit<SpawnOptions, "parent">): void;
  /** Ends this process after the current handler returns. */
  exit(exitCode?: number): void;
  /**
   * Asks to be told (through {@link ProcessBehaviour.exited}) when process `processName` on
   * this host ends, like a closed connection; told at once if it does not run.
   */
  monitor(processName: string): void;
  /** Whether a process of that name runs on this host now (like finding a listening unix socket). */
  isRunning(processName: string): boolean;
  /**
   * Kills process `processName` on this host at once, like SIGKILL: no stop handler runs, it
   * ends with `exitCode` (default 137), and its `diesWithParent` children die with it.
   * Returns whether it was running.
   */
  kill(processName: string, exitCode?: number): boolean;
}

/**
 * A process's behaviour. Every handler is optional. State belongs in the object (or closure);
 * it is lost when the process dies, unless written to {@link ProcessContext.disk}.
 */
export interface ProcessBehaviour {
  /** The process started. */
  start?(context: ProcessContext): void;
  /** A message arrived from `from`. */
  receive?(context: ProcessContext, message: unknown, from: ProcessAddress): void;
  /** A timer set with {@link ProcessContext.setTimer} fired. */
  timer?(context: ProcessContext, payload: unknown): void;
  /** A graceful stop was requested; the process stops when this returns. Crashes and kills skip it. */
  stop?(context: ProcessContext): void;
  /** A child of this process, or a process it monitors, has ended (like SIGCHLD, or a closed connection). */
  exited?(context: ProcessContext, exit: ProcessExit): void;
}

/** Makes a fresh behaviour for each incarnation, so a restarted process starts from a clean memory. */
export type ProcessFactory = () => ProcessBehaviour;

/** What the kernel offers process instances. Implemented by the simulation; not public. */
export interface ProcessKernel {
  /** The virtual time, ms (methods, not getters: V8 keeps an object literal with accessors in dictionary mode, where every load goes through its generic inline cache). */
  currentTimeMs(): number;
  /** The network's latency bound, ms (see {@link ProcessContext.latencyBoundMs}). */
  latencyBoundMs(): number;
  readonly startTimeMs: number;
  send(from: ProcessInstance, toHost: string, toProcess: string, message: unknown): void;
  setTimer(owner: ProcessInstance, delayMs: number, payload: unknown): TimerHandle;
  cancelTimer(handle: TimerHandle): void;
  emit<T extends SimulationEventType>(type: T, fields: SimulationEventMap[T]): void;
  spawnChild(parent: ProcessInstance, name: string, behaviour: ProcessBehaviour | ProcessFactory, options: SpawnOptions): void;
  requestExit(instance: ProcessInstance, exitCode: number): void;
  monitor(watcher: ProcessInstance, processName: string): void;
  isRunning(hostName: string, processName: string): boolean;
  kill(killer: ProcessInstance, processName: string, exitCode: number): boolean;
}

/** One incarnation of a process: its behaviour, its context, and whether it is alive. */
export class ProcessInstance implements ProcessContext {
  /** False once the process has stopped for any reason; its timers and in-flight messages are dropped. */
  alive = true;
  /**
   * The request/response layer of this incarnation, if it has one: the kernel offers it every
   * message and timer before the behaviour (see {@link ProtocolHandler}).
   */
  protocol: ProtocolHandler | null = null;
  /** Set by {@link exit} during a handler; the kernel stops the process when the handler returns. */
  pendingExitCode: number | null = null;
  /** Options it was started with. */
  readonly options: SpawnOptions;
  /** Processes on the same host to tell when this one ends. */
  readonly monitors: ProcessInstance[] = [];
  /**
   * The kernel's memo of this process's last destination: the host name or address and process
   * name it sent to, and the live process they named. A process mostly answers or calls the
   * same peer again (an agent its manager, a follower its leader), and a hit saves the kernel
   * two map lookups per message. Valid while that process lives: a live process is the one
   * its host runs under that name.
   */
  lastSentToHost: string | null = null;
  /** See {@link lastSentToHost}. */
  lastSentToProcess: string | null = null;
  /** See {@link lastSentToHost}. */
  lastSentTarget: ProcessInstance | null = null;

  constructor(
    private readonly kernel: ProcessKernel,
    readonly host: string,
    readonly address: string,
    readonly process: string,
    readonly pid: number,
    readonly random: Random,
    readonly disk: Disk,
    readonly behaviour: ProcessBehaviour,
    options: SpawnOptions,
  ) {
    this.options = options;
  }

  /** Ends the incarnation and lets go of its request/response layer (the simulation was disposed). */
  release(): void {
    this.alive = false;
    this.protocol = null;
    this.monitors.length = 0;
    this.lastSentTarget = null;
  }

  /** The parent process's name, or null. */
  get parent(): string | null {
    return this.options.parent ?? null;
  }

  get now(): number {
    return this.kernel.currentTimeMs();
  }

  get latencyBoundMs(): number {
    return this.kernel.latencyBoundMs();
  }

  get wallTimeMs(): number {
    return this.kernel.startTimeMs + this.kernel.currentTimeMs();
  }

  send(toHost: string, toProcess: string, message: unknown): void {
    this.kernel.send(this, toHost, toProcess, message);
  }

  setTimer(delayMs: number, payload?: unknown): TimerHandle {
    return this.kernel.setTimer(this, delayMs, payload);
  }

  cancelTimer(handle: TimerHandle): void {
    this.kernel.cancelTimer(handle);
  }

  emit<T extends SimulationEventType>(type: T, fields: SimulationEventMap[T]): void {
    this.kernel.emit(type, fields);
  }

  log(text: string): void {
    this.kernel.emit("process.log", { host: this.host, process: this.process, text });
  }

  spawn(name: string, behaviour: ProcessBehaviour | ProcessFactory, options: Omit<SpawnOptions, "parent"> = {}): void {
    this.kernel.spawnChild(this, name, behaviour, options);
  }

  exit(exitCode = 0): void {
    this.kernel.requestExit(this, exitCode);
  }

  monitor(processName: string): void {
    this.kernel.monitor(this, processName);
  }

  isRunning(processName: string): boolean {
    return this.kernel.isRunning(this.host, processName);
  }

  kill(processName: string, exitCode = 137): boolean {
    return this.kernel.kill(this, processName, exitCode);
  }
}

/** A process as listed by `Host.processes()`, like a line of `ps -ef --forest`. */
export interface ProcessInfo {
  readonly name: string;
  readonly pid: number;
  /** The parent's name, or null for a process started by the host. */
  readonly parent: string | null;
}

/** Reason a process stopped, re-exported for convenience. */
export type { ProcessStopReason };
