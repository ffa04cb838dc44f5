/**
 * The simulation kernel: one event loop over a virtual clock and a seeded generator. It owns
 * the hosts, their processes and the network, performs every effect (delivering messages,
 * firing timers, faults), and records every event in the trace. Everything that advances
 * time is synchronous, and nothing in it reads the real clock or real randomness.
 */
import { EventEmitter } from "eventemitter3";
import { defaultStartTime, formatTime, parseStartTime } from "./calendar.js";
import { AssertionFailure, SimulationCrash, SimulationError, assert, boundExceeded } from "./errors.js";
import { EventKind, EventQueue, MessageEnvelope, ScheduledEvent } from "./event-queue.js";
import {
  kernelEventTypes,
  type ProcessStopReason,
  type SimulationEvent,
  type SimulationEventMap,
  type SimulationEventOf,
  type SimulationEventType,
} from "./events.js";
import { Faults } from "./faults.js";
import { defaultLimits, type SimulationLimits } from "./limits.js";
import { Network, type NetworkOptions } from "./network.js";
import {
  ProcessInstance,
  type ProcessBehaviour,
  type ProcessExit,
  type ProcessFactory,
  type ProcessKernel,
  type SpawnOptions,
  type TimerHandle,
} from "./process.js";
import { Random } from "./random.js";
import { Trace, type TraceOptions } from "./trace.js";
import {
  Host,
  automaticAddress,
  validateAddress,
  validateHostName,
  type HostOptions,
} from "../host/host.js";

/** Options for `new Simulation(...)`. */
export interface SimulationOptions {
  /** The seed: the same seed and code give the same run, byte for byte. Default "swarmsim". */
  readonly seed?: string | number;
  /** Network defaults: latency range, loss, duplication. */
  readonly network?: NetworkOptions;
  /** The wall-clock time of virtual time 0, RFC 3339. Default "2025-06-01T00:00:00Z" (after the build dates of the simulated images). */
  readonly startTime?: string;
  /** Trace level and bound. */
  readonly trace?: TraceOptions;
  /** Kernel bounds. */
  readonly limits?: Partial<SimulationLimits>;
}

/** Options for `Simulation.runUntil`. */
export interface RunUntilOptions {
  /** Most virtual time to wait, in ms; default the `runUntilTimeoutMsDefault` bound (1 hour). */
  readonly timeoutMs?: number;
}

/** A listener for events of type `T`. */
export type SimulationListener<T extends SimulationEventType> = (event: SimulationEventOf<T>) => void;

/** Disk paths that are tmpfs on a Linux host: emptied at every boot. */
export const volatileDiskPrefixes: readonly string[] = ["/run/", "/tmp/"];

/** Default CPUs of a host. */
export const defaultHostCpus = 2;
/** Default memory of a host: 2 GiB. */
export const defaultHostMemoryBytes = 2 * 2 ** 30;

/**
 * The simulation kernel: hosts, their processes, the network between them, a virtual clock
 * and a seeded generator. `runFor`, `runUntil` and `step` advance it synchronously. Hosts
 * added here are bare machines; `Simulation` extends this with Docker Engines on every host.
 *
 * @example
 * ```ts
 * const sim = new SimulationKernel({ seed: "demo", network: { latencyMs: [5, 15], lossRate: 0 } });
 * sim.addHost("manager1", { cpus: 4, memoryBytes: 8 * 2 ** 30, labels: { zone: "a" } });
 * sim.runFor(10_000);
 * console.log(sim.now, sim.traceHash());
 * ```
 */
export class SimulationKernel {
  /** The seed this simulation was built with. */
  readonly seed: string;
  /** Wall-clock time of virtual time 0, in ms since the Unix epoch. */
  readonly startTimeMs: number;
  /** The bounds in force. */
  readonly limits: SimulationLimits;
  /** Fault injection: crashes, restarts, kills, partitions, link settings. */
  readonly faults: Faults;
  /** The network's state (defaults, overrides, partitions). */
  readonly network: Network;
  /** The root generator; components fork their own from it by name. */
  readonly random: Random;

  private currentTimeMs = 0;
  private processedCount = 0;
  private instantTimeMs = -1;
  private instantCount = 0;
  private busyDepth = 0;
  /** Set by `dispose`: the simulation is over and holds nothing more. */
  private disposed = false;
  /** The ordinal of the next automatic address (10.0.0.1 is 1). */
  private nextAddressOrdinal = 1;
  private readonly queue: EventQueue;
  private readonly hostsByName = new Map<string, Host>();
  private readonly hostsByAddress = new Map<string, Host>();
  private readonly networkRandom: Random;
  private readonly traceLog: Trace;
  private readonly emitter = new EventEmitter();
  /** Event types with at least one listener, for the hot paths. */
  private readonly listenedTypes = new Set<string>();
  /** Whether any kernel event (message, timer) is recorded or heard: the hot paths' one check when none is. */
  private kernelEventsWanted = false;
  private readonly kernel: ProcessKernel;

  constructor(options: SimulationOptions = {}) {
    const seed = options.seed ?? "swarmsim";
    if (typeof seed !== "string" && !(typeof seed === "number" && Number.isFinite(seed))) {
      throw new SimulationError(`invalid seed ${JSON.stringify(seed)}: expected a string or a number`);
    }
    this.seed = String(seed);
    this.startTimeMs = parseStartTime(options.startTime ?? defaultStartTime);
    this.limits = validateLimits({ ...defaultLimits, ...options.limits });
    this.network = new Network(options.network);
    this.traceLog = new Trace(options.trace);
    this.listenersChanged();
    this.random = new Random(this.seed);
    this.networkRandom = this.random.fork("network");
    this.queue = new EventQueue(this.limits.pendingEventsMax);
    this.faults = this.createFaults();
    this.kernel = this.makeKernel();
  }

  /** Makes the fault injector; layers above the kernel extend it. */
  protected createFaults(): Faults {
    return new Faults(this);
  }

  // ---------------------------------------------------------------- clock

  /** Virtual time in ms since the start. */
  get now(): number {
    return this.currentTimeMs;
  }

  /** How many events have been processed so far. */
  get eventCount(): number {
    return this.processedCount;
  }

  /** Number of events waiting in the queue (cancelled timers included until they come due). */
  get pendingEventCount(): number {
    return this.queue.size;
  }

  /** The wall-clock time of a virtual time (default now), in ms since the Unix epoch. */
  wallTimeMs(virtualTimeMs: number = this.currentTimeMs): number {
    return this.startTimeMs + virtualTimeMs;
  }

  /** The wall-clock time of a virtual time (default now) as RFC 3339, e.g. `2025-01-01T00:00:10.000Z`. */
  isoTime(virtualTimeMs: number = this.currentTimeMs): string {
    return formatTime(this.wallTimeMs(virtualTimeMs));
  }

  // ---------------------------------------------------------------- running

  /** Advances virtual time by `durationMs`, processing every event due until then. */
  runFor(durationMs: number): void {
    this.refuseReentry("runFor");
    if (typeof durationMs !== "number" || !Number.isFinite(durationMs) || durationMs < 0) {
      throw new SimulationError(`runFor: invalid duration ${JSON.stringify(durationMs)}: expected a number of ms >= 0`);
    }
    const deadline = this.currentTimeMs + durationMs;
    this.busyDepth++;
    try {
      for (let next = this.peekLive(); next !== undefined && next.time <= deadline; next = this.peekLive()) {
        this.performTop(next);
      }
      if (deadline > this.currentTimeMs) this.instantEnding();
      this.currentTimeMs = deadline;
    } finally {
      this.busyDepth--;
    }
  }

  /**
   * Processes events until `condition()` holds (checked before the first event and after each
   * one) or `timeoutMs` of virtual time pass. Returns true when the condition held.
   * The condition must only read state; calls that advance the simulation are refused inside it.
   */
  runUntil(condition: () => boolean, options: RunUntilOptions = {}): boolean {
    this.refuseReentry("runUntil");
    const timeoutMs = options.timeoutMs ?? this.limits.runUntilTimeoutMsDefault;
    if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs < 0) {
      throw new SimulationError(`runUntil: invalid timeoutMs ${JSON.stringify(timeoutMs)}: expected a number of ms >= 0`);
    }
    const deadline = this.currentTimeMs + timeoutMs;
    this.busyDepth++;
    try {
      for (;;) {
        if (condition()) return true;
        const next = this.peekLive();
        if (next === undefined || next.time > deadline) {
          if (deadline > this.currentTimeMs) this.instantEnding();
          this.currentTimeMs = deadline;
          return condition();
        }
        this.performTop(next);
      }
    } finally {
      this.busyDepth--;
    }
  }

  /** Processes exactly one event; returns false when nothing is queued. */
  step(): boolean {
    this.refuseReentry("step");
    this.busyDepth++;
    try {
      return this.processNext();
    } finally {
      this.busyDepth--;
    }
  }

  /** Whether the simulation is inside `runFor`, `runUntil`, `step` or an event handler. */
  get isRunning(): boolean {
    return this.busyDepth > 0;
  }

  /** Whether `dispose` has ended this simulation. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /**
   * Ends the simulation for good and lets go of the world it holds: pending events, hosts with
   * their processes and disks, listeners. What it recorded stays readable (`now`, `eventCount`,
   * `trace`, `traceHash()`); every call that would advance or change it throws a
   * {@link SimulationError}. A dropped simulation is collected anyway, but later: its objects
   * that V8 already moved to the old generation keep pointing at its young ones, and each
   * young-generation collection copies everything they reach until a full collection finds the
   * whole run dead. Cutting those links first leaves the collector only the runs still going,
   * which matters in loops over many seeds (`experiment` disposes each run once it is measured).
   */
  dispose(): void {
    if (this.busyDepth > 0) throw new SimulationError("dispose: the simulation is running; dispose it once runFor, runUntil or step has returned");
    this.disposed = true;
    this.queue.clear();
    for (const host of this.hostsByName.values()) host.release();
    this.hostsByName.clear();
    this.hostsByAddress.clear();
    this.emitter.removeAllListeners();
    this.listenedTypes.clear();
    this.listenersChanged();
  }

  /**
   * Calls `callback` after `delayMs` of virtual time, inside the event loop (e.g. to inject a
   * fault at a chosen time). The callback may read state and inject faults, not advance time.
   */
  schedule(delayMs: number, callback: () => void): void {
    this.refuseDisposed("schedule");
    if (typeof delayMs !== "number" || !Number.isFinite(delayMs) || delayMs < 0) {
      throw new SimulationError(`schedule: invalid delay ${JSON.stringify(delayMs)}: expected a number of ms >= 0`);
    }
    if (typeof callback !== "function") throw new SimulationError("schedule: expected a callback function");
    const time = this.currentTimeMs + delayMs;
    this.queue.push(new ScheduledEvent(time, this.queue.takeSeq(), EventKind.Callback, null, callback, null));
  }

  // ---------------------------------------------------------------- hosts

  /** Adds a powered-on host. Names are unique; the address is assigned when not given. */
  addHost(name: string, options: HostOptions = {}): Host {
    this.refuseDisposed("addHost");
    validateHostName(name);
    name = interned(name);
    if (this.hostsByName.has(name)) throw new SimulationError(`a host named "${name}" already exists`);
    if (this.hostsByName.size >= this.limits.hostsMax) {
      throw new SimulationError(`cannot add host "${name}": the hostsMax bound (${this.limits.hostsMax}) is reached`);
    }
    const address = options.address ?? this.nextFreeAddress();
    validateAddress(address);
    const holder = this.hostsByAddress.get(address);
    if (holder) throw new SimulationError(`address ${address} is already used by host "${holder.name}"`);
    const cpus = options.cpus ?? defaultHostCpus;
    if (typeof cpus !== "number" || !(cpus > 0) || !Number.isFinite(cpus)) {
      throw new SimulationError(`invalid cpus ${JSON.stringify(cpus)} for host "${name}": expected a number > 0`);
    }
    const memoryBytes = options.memoryBytes ?? defaultHostMemoryBytes;
    if (!Number.isSafeInteger(memoryBytes) || memoryBytes <= 0) {
      throw new SimulationError(`invalid memoryBytes ${JSON.stringify(memoryBytes)} for host "${name}": expected a whole number > 0`);
    }
    const labels = options.labels ?? {};
    for (const [key, value] of Object.entries(labels)) {
      if (typeof value !== "string") {
        throw new SimulationError(`invalid label ${JSON.stringify(key)} for host "${name}": values must be strings`);
      }
    }
    const host = new Host(name, address, cpus, memoryBytes, { ...labels }, this.limits.diskEntriesMax);
    this.hostsByName.set(name, host);
    this.hostsByAddress.set(address, host);
    this.emit("host.add", { host: name, address });
    return host;
  }

  /** The host named `name`; throws a {@link SimulationError} when there is none. */
  host(name: string): Host {
    const host = this.hostsByName.get(name);
    if (!host) {
      this.refuseDisposed("host");
      throw new SimulationError(`no such host: "${name}"`);
    }
    return host;
  }

  /** Every host, in order of addition. */
  hosts(): Host[] {
    return [...this.hostsByName.values()];
  }

  /** The host with that address, or undefined. */
  hostByAddress(address: string): Host | undefined {
    return this.hostsByAddress.get(address);
  }

  private nextFreeAddress(): string {
    for (;;) {
      const address = automaticAddress(this.nextAddressOrdinal++);
      if (!this.hostsByAddress.has(address)) return address;
    }
  }

  // ---------------------------------------------------------------- processes

  /**
   * Starts a process on a host. `behaviour` is a behaviour object or a factory making a fresh
   * one per incarnation (a factory is needed for a clean memory after a restart).
   */
  spawn(hostName: string, processName: string, behaviour: ProcessBehaviour | ProcessFactory, options: SpawnOptions = {}): void {
    this.refuseDisposed("spawn");
    const host = this.host(hostName);
    this.startProcess(host, processName, behaviour, options);
  }

  /** Stops a process gracefully: its `stop` handler runs, then it ends (exit code 0). */
  stopProcess(hostName: string, processName: string): void {
    const instance = this.liveProcess(hostName, processName);
    this.invoke(instance, () => instance.behaviour.stop?.(instance));
    if (instance.alive) this.endProcess(instance, "stopped", 0);
  }

  /** @internal The live process `processName` on `hostName`; throws a {@link SimulationError} otherwise. */
  liveProcess(hostName: string, processName: string): ProcessInstance {
    const host = this.host(hostName);
    const instance = host.running.get(processName);
    if (!instance) throw new SimulationError(`no process "${processName}" runs on host "${hostName}"`);
    return instance;
  }

  /** @internal Starts a process (validated) and runs its start handler. */
  startProcess(host: Host, processName: string, behaviour: ProcessBehaviour | ProcessFactory, options: SpawnOptions): void {
    if (typeof processName !== "string" || !/^[^\s]{1,256}$/.test(processName)) {
      throw new SimulationError(`invalid process name ${JSON.stringify(processName)}: expected 1 to 256 characters without spaces`);
    }
    if (!host.up) throw new SimulationError(`cannot start "${processName}": host "${host.name}" is down`);
    if (host.running.has(processName)) {
      throw new SimulationError(`a process named "${processName}" already runs on host "${host.name}"`);
    }
    if (typeof behaviour !== "function" && (typeof behaviour !== "object" || behaviour === null)) {
      throw new SimulationError(`invalid behaviour for process "${processName}": expected an object or a factory function`);
    }
    if (options.parent !== undefined && !host.running.has(options.parent)) {
      throw new SimulationError(`parent process "${options.parent}" does not run on host "${host.name}"`);
    }
    if (host.running.size >= this.limits.processesPerHostMax) {
      boundExceeded("processesPerHostMax", this.limits.processesPerHostMax, `starting "${processName}" on "${host.name}"`);
    }
    host.units.set(processName, { name: processName, behaviour, options });
    const pid = host.nextPid++;
    const random = this.random.fork(`process/${host.name}/${processName}/${host.bootCount}/${pid}`);
    const instanceBehaviour = typeof behaviour === "function" ? behaviour() : behaviour;
    const instance = new ProcessInstance(this.kernel, host.name, host.address, processName, pid, random, host.disk, instanceBehaviour, options);
    host.running.set(processName, instance);
    this.emit("process.start", { host: host.name, process: processName, pid, parent: instance.parent });
    this.invoke(instance, () => instance.behaviour.start?.(instance));
  }

  /** @internal Ends a live process and, recursively, its children that die with it. */
  endProcess(instance: ProcessInstance, reason: ProcessStopReason, exitCode: number | null): void {
    if (!instance.alive) throw new AssertionFailure(`ending process "${instance.process}" on "${instance.host}" twice`);
    instance.alive = false;
    const host = this.host(instance.host);
    host.running.delete(instance.process);
    this.emit("process.stop", { host: instance.host, process: instance.process, pid: instance.pid, reason, exitCode });
    const exit: ProcessExit = { process: instance.process, pid: instance.pid, reason, exitCode };
    const parent = instance.parent === null ? undefined : host.running.get(instance.parent);
    if (parent !== undefined) this.queueExitNotice(parent, exit);
    for (const watcher of instance.monitors) if (watcher !== parent) this.queueExitNotice(watcher, exit);
    for (const child of [...host.running.values()]) {
      if (child.alive && child.options.parent === instance.process && child.options.diesWithParent) {
        this.endProcess(child, "parent-died", 137);
      }
    }
  }

  /** Tells `watcher`, after the local delay, that a process ended. */
  private queueExitNotice(watcher: ProcessInstance, exit: ProcessExit): void {
    if (!watcher.alive) return;
    const time = this.currentTimeMs + this.network.localDelayMs;
    this.queue.push(new ScheduledEvent(time, this.queue.takeSeq(), EventKind.Exit, watcher, exit, null));
  }

  /** @internal Powers a host off: every process dies, the disk is kept. */
  crashHost(host: Host): void {
    host.up = false;
    this.emit("host.crash", { host: host.name });
    for (const instance of [...host.running.values()]) {
      if (instance.alive) this.endProcess(instance, "crash", null);
    }
  }

  /** @internal Boots a host (power-cycling it if it is up) and starts its boot-time processes. */
  bootHost(host: Host): void {
    if (host.up) this.crashHost(host);
    host.up = true;
    host.bootCount++;
    for (const prefix of volatileDiskPrefixes) for (const key of host.disk.keys(prefix)) host.disk.delete(key);
    host.nextPid = 1;
    this.emit("host.restart", { host: host.name, bootCount: host.bootCount });
    for (const unit of [...host.units.values()]) {
      if (unit.options.startOnBoot && !host.running.has(unit.name)) this.startProcess(host, unit.name, unit.behaviour, unit.options);
    }
  }

  /** Runs a process handler, then ends the process if it asked to exit. */
  private invoke(instance: ProcessInstance, handler: () => void): void {
    this.busyDepth++;
    try {
      handler();
    } finally {
      this.busyDepth--;
    }
    if (instance.pendingExitCode !== null && instance.alive) this.endProcess(instance, "exit", instance.pendingExitCode);
  }

  // ---------------------------------------------------------------- events and trace

  /** Listens to events of one type. */
  on<T extends SimulationEventType>(type: T, listener: SimulationListener<T>): this {
    this.emitter.on(type, listener as (event: unknown) => void);
    this.listenedTypes.add(type);
    this.listenersChanged();
    return this;
  }

  /** Listens to the next event of one type only. */
  once<T extends SimulationEventType>(type: T, listener: SimulationListener<T>): this {
    this.emitter.once(type, listener as (event: unknown) => void);
    this.listenedTypes.add(type);
    this.listenersChanged();
    return this;
  }

  /** Stops listening. */
  off<T extends SimulationEventType>(type: T, listener: SimulationListener<T>): this {
    this.emitter.off(type, listener as (event: unknown) => void);
    if (this.emitter.listenerCount(type) === 0) this.listenedTypes.delete(type);
    this.listenersChanged();
    return this;
  }

  private listenersChanged(): void {
    let heard = false;
    for (const type of kernelEventTypes) heard ||= this.listenedTypes.has(type);
    this.kernelEventsWanted = this.traceLog.recordsKernelEvents || heard;
  }

  /** The recorded events, oldest first (bounded by the trace's `eventsMax`). */
  get trace(): readonly SimulationEvent[] {
    return this.traceLog.list();
  }

  /** The trace's level and counts. */
  get traceInfo(): { level: Trace["level"]; eventsMax: number; recordedCount: number; evictedCount: number } {
    return {
      level: this.traceLog.level,
      eventsMax: this.traceLog.eventsMax,
      recordedCount: this.traceLog.count,
      evictedCount: this.traceLog.evictedCount,
    };
  }

  /** A stable hash of every event recorded so far: same seed and code give the same hash. */
  traceHash(): string {
    return this.traceLog.digest();
  }

  /** @internal Records an event in the trace and passes it to listeners. */
  emit<T extends SimulationEventType>(type: T, fields: SimulationEventMap[T]): void {
    const recorded = kernelEventTypes.has(type) ? this.traceLog.recordsKernelEvents : this.traceLog.recordsLifecycleEvents;
    const listened = this.listenedTypes.has(type);
    if (!recorded && !listened) return;
    const event = { type, time: this.currentTimeMs, ...fields } as unknown as SimulationEvent;
    if (recorded) this.traceLog.record(event);
    if (listened) {
      this.busyDepth++;
      try {
        this.emitter.emit(type, event);
      } finally {
        this.busyDepth--;
      }
      if (this.emitter.listenerCount(type) === 0) {
        this.listenedTypes.delete(type);
        this.listenersChanged();
      }
    }
  }

  /** Whether an event of this kernel type would be recorded or heard (lets hot paths skip building it). */
  private wantsKernelEvent(type: SimulationEventType): boolean {
    return this.kernelEventsWanted && (this.traceLog.recordsKernelEvents || this.listenedTypes.has(type));
  }

  // ---------------------------------------------------------------- the loop

  /** Throws when `dispose` has ended the simulation: `call` names what was asked. */
  protected refuseDisposed(call: string): void {
    if (this.disposed) throw new SimulationError(`${call}: the simulation was disposed`);
  }

  private refuseReentry(call: string): void {
    this.refuseDisposed(call);
    if (this.busyDepth > 0) {
      throw new SimulationError(
        `${call}: the simulation is already running; calls that advance time cannot be made from an event handler, ` +
          `a process or a runUntil condition`,
      );
    }
  }

  /** Whether an event would do nothing when it comes due (a cancelled timer, a timer or notice of a dead process). */
  private isStale(event: ScheduledEvent): boolean {
    return event.cancelled || ((event.kind === EventKind.Timer || event.kind === EventKind.Exit) && !event.target!.alive);
  }

  /** The next event that will do something, discarding stale ones from the top of the queue. */
  private peekLive(): ScheduledEvent | undefined {
    for (let event = this.queue.peek(); event !== undefined; event = this.queue.peek()) {
      if (!this.isStale(event)) return event;
      this.queue.pop();
    }
    return undefined;
  }

  /** Pops and performs the next live event; false when the queue holds none. */
  private processNext(): boolean {
    const event = this.peekLive();
    if (event === undefined) return false;
    this.performTop(event);
    return true;
  }

  /** Pops and performs `event`, the live event `peekLive` found at the top of the queue (the loops peek once per event, not twice). */
  private performTop(event: ScheduledEvent): void {
    this.queue.pop();
    this.advanceClock(event.time);
    this.processedCount++;
    try {
      this.perform(event);
    } catch (error) {
      throw this.crashFor(error, event);
    }
  }

  private advanceClock(time: number): void {
    if (time < this.currentTimeMs) throw new AssertionFailure(`time went backwards: event at ${time}ms, clock at ${this.currentTimeMs}ms`);
    if (time === this.instantTimeMs) {
      if (++this.instantCount > this.limits.eventsPerInstantMax) {
        boundExceeded("eventsPerInstantMax", this.limits.eventsPerInstantMax, `events at time ${time}ms (a zero-delay loop?)`);
      }
    } else {
      this.instantTimeMs = time;
      this.instantCount = 1;
    }
    if (time > this.currentTimeMs) this.instantEnding();
    this.currentTimeMs = time;
  }

  /** @internal Called just before the clock moves past the current instant (the hook of the kept history); does nothing here. */
  protected instantEnding(): void {}

  private perform(event: ScheduledEvent): void {
    switch (event.kind) {
      case EventKind.Timer: {
        const owner = event.target!;
        if (this.wantsKernelEvent("timer.fire")) {
          this.emit("timer.fire", { host: owner.host, process: owner.process, payload: event.payload });
        }
        const behaviour = owner.behaviour;
        const protocol = owner.protocol;
        if (protocol !== null || behaviour.timer !== undefined) {
          // Inlined `invoke`: this is the kernel's hottest path.
          this.busyDepth++;
          try {
            if (protocol === null || !protocol.timer(event.payload)) behaviour.timer?.(owner, event.payload);
          } finally {
            this.busyDepth--;
          }
          if (owner.pendingExitCode !== null && owner.alive) this.endProcess(owner, "exit", owner.pendingExitCode);
        }
        return;
      }
      case EventKind.Deliver:
        this.deliver(event);
        return;
      case EventKind.Callback:
        (event.payload as () => void)();
        return;
      case EventKind.Exit:
        this.tellExit(event);
        return;
    }
  }

  /**
   * Tells a watcher that a process ended. Its own method: a closure in `perform` capturing the
   * event would make V8 allocate a context for `perform`'s scope on every event.
   */
  private tellExit(event: ScheduledEvent): void {
    const watcher = event.target!;
    const handler = watcher.behaviour.exited;
    if (handler !== undefined) this.invoke(watcher, () => handler.call(watcher.behaviour, watcher, event.payload as ProcessExit));
  }

  private deliver(event: ScheduledEvent): void {
    const target = event.target;
    const envelope = event.envelope!;
    if (target === null || !target.alive) {
      this.dropMessage(envelope, event.payload, "unreachable");
      return;
    }
    if (envelope.host !== envelope.toHost && this.network.isBlocked(envelope.host, envelope.toHost)) {
      this.dropMessage(envelope, event.payload, "partition");
      return;
    }
    if (this.wantsKernelEvent("message.deliver")) {
      this.emit("message.deliver", {
        host: envelope.toHost,
        process: envelope.toProcess,
        from: { host: envelope.host, process: envelope.process },
        sentAt: envelope.sentAt,
        duplicate: envelope.duplicate,
        message: event.payload,
      });
    }
    const behaviour = target.behaviour;
    const protocol = target.protocol;
    if (protocol === null && behaviour.receive === undefined) return;
    // Inlined `invoke`, as for timers: deliveries are the other hot path. The envelope is the sender's address.
    this.busyDepth++;
    try {
      if (protocol === null || !protocol.receive(event.payload, envelope)) behaviour.receive?.(target, event.payload, envelope);
    } finally {
      this.busyDepth--;
    }
    if (target.pendingExitCode !== null && target.alive) this.endProcess(target, "exit", target.pendingExitCode);
  }

  private dropMessage(envelope: MessageEnvelope, message: unknown, reason: SimulationEventMap["message.drop"]["reason"]): void {
    if (!this.wantsKernelEvent("message.drop")) return;
    this.emit("message.drop", {
      host: envelope.toHost,
      process: envelope.toProcess,
      from: { host: envelope.host, process: envelope.process },
      sentAt: envelope.sentAt,
      reason,
      message,
    });
  }

  private crashFor(error: unknown, event: ScheduledEvent): Error {
    if (error instanceof SimulationCrash) return error;
    const where =
      event.kind === EventKind.Callback
        ? "a scheduled callback"
        : `process "${event.target?.process ?? event.envelope?.toProcess}" on host "${event.target?.host ?? event.envelope?.toHost}"`;
    const what = error instanceof AssertionFailure ? "simulator invariant broken" : `${where} threw`;
    const detail = error instanceof Error ? error.message : String(error);
    return new SimulationCrash(`${what}: ${detail}`, { seed: this.seed, timeMs: this.currentTimeMs, eventCount: this.processedCount }, { cause: error });
  }

  // ---------------------------------------------------------------- kernel services for processes

  private makeKernel(): ProcessKernel {
    // No getters here: V8 makes an object literal with accessors a dictionary, and every process's
    // every kernel call would then load its function through the generic inline cache.
    return {
      currentTimeMs: () => this.currentTimeMs,
      latencyBoundMs: () => this.network.latencyBoundMs,
      startTimeMs: this.startTimeMs,
      send: (from, toHost, toProcess, message) => this.send(from, toHost, toProcess, message),
      setTimer: (owner, delayMs, payload) => this.setTimer(owner, delayMs, payload),
      cancelTimer: (handle) => this.cancelTimer(handle),
      emit: (type, fields) => this.emit(type, fields),
      spawnChild: (parent, name, behaviour, options) =>
        this.startProcess(
          this.host(parent.host),
          name,
          behaviour,
          // Listed in full: `{ ...options, parent }` would give each spawn's options a hidden class of their own in V8.
          options.detached ? options : { parent: parent.process, diesWithParent: options.diesWithParent, startOnBoot: options.startOnBoot, detached: options.detached },
        ),
      requestExit: (instance, exitCode) => {
        instance.pendingExitCode = exitCode;
      },
      isRunning: (hostName, processName) => this.host(hostName).running.has(processName),
      kill: (killer, processName, exitCode) => {
        const target = killer.alive ? this.host(killer.host).running.get(processName) : undefined;
        if (target === undefined) return false;
        this.endProcess(target, "killed", exitCode);
        return true;
      },
      monitor: (watcher, processName) => {
        const watched = this.host(watcher.host).running.get(processName);
        if (watched !== undefined) watched.monitors.push(watcher);
        else this.queueExitNotice(watcher, { process: processName, pid: 0, reason: "exit", exitCode: null });
      },
    };
  }

  private setTimer(owner: ProcessInstance, delayMs: number, payload: unknown): TimerHandle {
    if (!(delayMs >= 0 && delayMs < Infinity)) throw new AssertionFailure(`timer delay must be a finite number >= 0, got ${delayMs}`);
    const event = new ScheduledEvent(this.currentTimeMs + delayMs, this.queue.takeSeq(), EventKind.Timer, owner, payload, null);
    if (owner.alive) this.queue.push(event);
    else event.cancelled = true;
    return event;
  }

  private cancelTimer(handle: TimerHandle): void {
    assert(handle instanceof ScheduledEvent && handle.kind === EventKind.Timer, "cancelTimer: not a timer handle");
    handle.cancelled = true;
  }

  private send(from: ProcessInstance, toHostOrAddress: string, toProcess: string, message: unknown): void {
    if (!from.alive) return;
    let target = from.lastSentTarget;
    let toHost: string;
    if (target !== null && target.alive && from.lastSentToHost === toHostOrAddress && from.lastSentToProcess === toProcess) {
      toHost = target.host;
    } else {
      const destination = this.hostsByName.get(toHostOrAddress) ?? this.hostsByAddress.get(toHostOrAddress);
      if (destination === undefined) throw new AssertionFailure(`send from "${from.process}" on "${from.host}": no host "${toHostOrAddress}"`);
      toHost = destination.name;
      target = destination.up ? destination.running.get(toProcess) ?? null : null;
      if (target !== null) {
        from.lastSentToHost = toHostOrAddress;
        from.lastSentToProcess = toProcess;
        from.lastSentTarget = target;
      }
    }
    if (toHost === from.host) {
      this.queueDelivery(from, toHost, toProcess, target, message, this.network.localDelayMs, false);
      return;
    }
    const sentAt = this.currentTimeMs;
    if (this.network.isBlocked(from.host, toHost)) {
      this.dropAtSend(from, toHost, toProcess, message, sentAt, "partition");
      return;
    }
    const settings = this.network.settings(from.host, toHost);
    const random = this.networkRandom;
    if (random.chance(settings.lossRate)) {
      this.dropAtSend(from, toHost, toProcess, message, sentAt, "loss");
      return;
    }
    // Read by index, not destructured: destructuring runs the array iterator, which allocates
    // its result objects on every message wherever V8 has not inlined it away.
    const latencyMin = settings.latencyMs[0];
    const latencyMax = settings.latencyMs[1];
    this.queueDelivery(from, toHost, toProcess, target, message, random.uniform(latencyMin, latencyMax), false);
    if (random.chance(settings.duplicateRate)) {
      this.queueDelivery(from, toHost, toProcess, target, message, random.uniform(latencyMin, latencyMax), true);
    }
  }

  private queueDelivery(
    from: ProcessInstance,
    toHost: string,
    toProcess: string,
    target: ProcessInstance | null,
    message: unknown,
    delayMs: number,
    duplicate: boolean,
  ): void {
    const now = this.currentTimeMs;
    const envelope = new MessageEnvelope(from.host, from.process, now, toHost, toProcess, duplicate);
    this.queue.push(new ScheduledEvent(now + delayMs, this.queue.takeSeq(), EventKind.Deliver, target, message, envelope));
  }

  private dropAtSend(from: ProcessInstance, toHost: string, toProcess: string, message: unknown, sentAt: number, reason: "loss" | "partition"): void {
    if (!this.wantsKernelEvent("message.drop")) return;
    this.emit("message.drop", { host: toHost, process: toProcess, from: { host: from.host, process: from.process }, sentAt, reason, message });
  }
}

/**
 * The same text as the one string V8 keeps for it in the whole heap (as it does for every property
 * key). Host names are keys of the kernel's map of hosts, looked up for every message; built by
 * each caller on its own (`manager${n}`), equal names were compared character by character in each
 * lookup. Interned at the source (the host's own name, which every process's context, message,
 * store object and answer then passes on by reference), they match by pointer. Process names are
 * not interned: most are made once per container (`shim:${id}`), and each new property key would
 * cost V8 a string-table entry and a hidden class of its own.
 */
function interned(text: string): string {
  return Object.keys({ [text]: 0 })[0]!;
}

function validateLimits(limits: SimulationLimits): SimulationLimits {
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
      throw new SimulationError(`invalid limit ${name} ${JSON.stringify(value)}: expected a number > 0`);
    }
  }
  return limits;
}
