/**
 * Request/response between processes, written as sequential code. A handler is a generator
 * that yields operations (`call` another process, `sleep`); the {@link Coroutines} runtime of
 * the process sends the request, parks the generator, and resumes it when the answer, the
 * timeout or the callee's death arrives. Nothing here blocks: every step is a kernel event,
 * and a crash of the process loses its coroutines as it loses the rest of its memory.
 *
 * Messages on the wire (readable in the trace):
 *   `{ rpc: "request", id, method, params, session, deadlineMs }` and
 *   `{ rpc: "response", id, result }` or `{ rpc: "response", id, error: { code, message } }`.
 * A remote request is retransmitted until answered or past its deadline, as TCP would resend a
 * lost segment; the server runs it once, remembering it (by caller session and id) until no
 * copy can arrive any more.
 */
import { AssertionFailure, boundExceeded } from "./errors.js";
import { IntTable } from "./int-table.js";
import type { ProcessAddress } from "./events.js";
import { ProcessInstance, type ProcessBehaviour, type ProcessContext, type ProcessExit, type TimerHandle } from "./process.js";

/** Something a coroutine waits for. */
export type Operation =
  | {
      readonly kind: "call";
      readonly host: string;
      readonly process: string;
      readonly method: string;
      readonly params: unknown;
      readonly timeoutMs: number;
    }
  | { readonly kind: "sleep"; readonly durationMs: number }
  | { readonly kind: "wait"; readonly key: string; readonly timeoutMs: number };

/** A coroutine: a generator yielding operations and returning `T`. */
export type Coroutine<T> = Generator<Operation, T, unknown>;

/** Default time a call waits for its answer, in ms. */
export const defaultCallTimeoutMs = 30_000;
/** Bound `coroutinesMax`: most coroutines parked at once in one process. */
export const coroutinesMax = 100_000;
/**
 * First retransmission of an unanswered remote request, ms (TCP's minimum retransmission
 * timeout); it doubles up to {@link retransmitDelayMsMax}. Calls run over TCP in real Docker,
 * so a lost packet delays a call instead of losing it.
 */
export const retransmitDelayMsInitial = 200;
/** Longest wait between retransmissions, ms. */
export const retransmitDelayMsMax = 3_200;
/**
 * Bound `servedRequestsMax`: requests a server remembers (in progress or answered) to ignore or
 * answer duplicates. A request is forgotten once no copy of it can arrive any more (see
 * `Coroutines.serve`), or when this many newer ones are remembered.
 */
export const servedRequestsMax = 10_000;

/**
 * Bound `servedSessionsSweepMin`: sessions (caller incarnations) a server keeps before it first
 * drops those with no request remembered; after a sweep, the next comes at twice the sessions left.
 */
export const servedSessionsSweepMin = 64;

/** Error codes of calls, after gRPC's status codes. */
export type RpcErrorCode =
  | "Unavailable"
  | "DeadlineExceeded"
  | "NotFound"
  | "AlreadyExists"
  | "FailedPrecondition"
  | "InvalidArgument"
  | "PermissionDenied"
  | "Internal"
  | "Unknown";

/** A failed call: thrown into the calling coroutine, or sent back by a handler that threw it. */
export class RpcError extends Error {
  /** What kind of failure, as a gRPC status code name. */
  readonly code: RpcErrorCode;

  /**
   * A call's failure. It carries no stack trace: it is an answer of the simulated protocol, shown
   * to users in Docker's words, not a fault of the simulator, and capturing the JavaScript stack
   * of every refused or timed-out call cost a few percent of a fault-injection run.
   */
  constructor(code: RpcErrorCode, message: string) {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = stackTraceLimit;
    this.code = code;
  }
}
RpcError.prototype.name = "RpcError";

/** Calls `method` on process `process` of host `host` and returns its result (throws {@link RpcError}). */
export function* call<T = unknown>(
  host: string,
  process: string,
  method: string,
  params: unknown = {},
  timeoutMs: number = defaultCallTimeoutMs,
): Coroutine<T> {
  return (yield { kind: "call", host, process, method, params, timeoutMs }) as T;
}

/** Waits `durationMs` of virtual time. */
export function* sleep(durationMs: number): Coroutine<void> {
  yield { kind: "sleep", durationMs };
}

/**
 * Waits until {@link Coroutines.notify} is called with `key` (returns its value) or
 * `timeoutMs` pass (returns undefined): a condition variable on the virtual clock.
 */
export function* waitFor<T = unknown>(key: string, timeoutMs: number): Coroutine<T | undefined> {
  return (yield { kind: "wait", key, timeoutMs }) as T | undefined;
}

/**
 * A handler's answer given at once, without a coroutine: for hot handlers that need not wait
 * (a generator per request costs more than the answer itself).
 */
export class Answered<T = unknown> {
  constructor(readonly value: T) {}
}

/** A request handler: the params and the caller's address in, a coroutine (or an answer at once) out. */
export type RpcHandler = (params: any, from: ProcessAddress) => Coroutine<unknown> | Answered;

/** Handlers by method name. */
export type RpcHandlers = Readonly<Record<string, RpcHandler>>;

interface RequestMessage {
  readonly rpc: "request";
  readonly id: number;
  readonly method: string;
  readonly params: unknown;
  /** The calling incarnation (host, process, pid and start time): with `id` it names a request across retransmissions. */
  readonly session?: string;
  /**
   * When the caller gives up, in virtual ms (gRPC sends its deadline with each call): it sends no
   * copy after it, so the server can forget the request once the slowest copy has arrived.
   */
  readonly deadlineMs?: number;
}

interface ResponseMessage {
  readonly rpc: "response";
  readonly id: number;
  readonly result?: unknown;
  readonly error?: { readonly code: RpcErrorCode; readonly message: string };
}

interface TimerMessage {
  readonly rpc: "timeout" | "wake" | "wait-timeout" | "retransmit";
  readonly id: number;
}

interface Parked {
  /** The coroutine to resume, or null for a call made with {@link Coroutines.callThen} (its `finish` gets the answer). */
  readonly coroutine: Coroutine<unknown> | null;
  readonly finish: (error: unknown, result: unknown) => void;
  /** Its id: the request id of a call, the timer's of a wait. */
  readonly id: number;
  /** For calls: the callee's host and process, to match the response and to fail the call if the callee dies (null otherwise). */
  readonly calleeHost: string | null;
  readonly calleeProcess: string | null;
  /** For waits: the key they wait on. */
  readonly waitKey: string | null;
  /**
   * The one timer of this wait: its timeout, or for a remote call the next retransmission
   * (which times the call out instead once `deadlineMs` has come).
   */
  timer: TimerHandle;
  /**
   * For remote calls: the request (sent again until answered, as TCP retransmits), the last
   * retransmission delay and the call's deadline (null and 0 otherwise: every Parked has the
   * same fields from the start, so V8 gives them all one shape).
   */
  request: RequestMessage | null;
  retransmitDelayMs: number;
  deadlineMs: number;
}

/** Whether a message is part of the request/response protocol. */
export function isRpcMessage(message: unknown): boolean {
  // A property read, not `"rpc" in message`: every message comes through here, and V8's
  // megamorphic `in` is slower than its megamorphic load.
  return typeof message === "object" && message !== null && (message as { rpc?: unknown }).rpc !== undefined;
}

/** The coroutines of one process incarnation, with the request handlers it serves. */
export class Coroutines {
  /** The parked coroutines and calls by id (an IntTable: ids come and go by the thousand, see int-table.ts). */
  private readonly parked = new IntTable<Parked>();
  /** The ids of the coroutines waiting on each key, in the order they started waiting (so `notify` scans only them). */
  private readonly waiting = new Map<string, number[]>();
  private readonly monitored = new Set<string>();
  private nextId = 1;
  /** This incarnation's name in its requests: its pid and start time. */
  private readonly session: string;
  /** Requests served, by caller session and request id: null while in progress, then the response sent. */
  private readonly served = new Map<string, IntTable<ResponseMessage | null>>();
  /**
   * The requests in `served` in arrival order, as a ring of `servedRequestsMax` slots (session,
   * id and the caller's deadline side by side, from `servedOldestSlot` on): the oldest are
   * forgotten as they expire. (Evicting through a Map's `keys().next()` would scan its deleted
   * slots each time: quadratic in V8.)
   */
  private readonly servedOrderSessions: (string | undefined)[] = [];
  private readonly servedOrderIds: number[] = [];
  private readonly servedOrderDeadlinesMs: number[] = [];
  private servedOldestSlot = 0;
  private servedCount = 0;
  /** The number of sessions in `served` at which the next new one first sweeps out the empty ones. */
  private servedSessionsSweepAt = servedSessionsSweepMin;

  /** The request handlers by method name (a Map: looking a varying key up in an object is slow in V8). */
  private readonly handlers: ReadonlyMap<string, RpcHandler>;

  constructor(
    private readonly context: ProcessContext,
    handlers: RpcHandlers = {},
  ) {
    this.handlers = new Map(Object.entries(handlers));
    // Names the caller across hosts: a server keys the requests it served by it. Joined, not
    // concatenated: `join` makes a flat string, and a Map hashes and compares a flat key faster
    // than a rope (every request of this incarnation is looked up by it).
    this.session = [context.host, "/", context.process, "/", context.pid, "@", context.now].join("");
  }

  /** Number of parked coroutines. */
  get pendingCount(): number {
    return this.parked.size;
  }

  /** Number of remote requests remembered to ignore or answer their duplicates (in progress or answered). */
  get rememberedRequestCount(): number {
    return this.servedCount;
  }

  /** Number of caller sessions kept for the remembered requests, empty ones not yet swept included. */
  get rememberedSessionCount(): number {
    return this.served.size;
  }

  /** Runs `coroutine` until its first wait; `finish` gets its error or result when it ends. */
  start<T>(coroutine: Coroutine<T>, finish: (error: unknown, result: T | undefined) => void = rethrow): void {
    this.advance(coroutine as Coroutine<unknown>, finish as (error: unknown, result: unknown) => void, false, undefined);
  }

  /**
   * Calls `method` on `process` of `host` without a coroutine, exactly as a coroutine's
   * {@link call} would (same request, retransmissions, deadline and events): `finish` gets the
   * {@link RpcError} or the result. For hot periodic calls, where a generator per call costs
   * more than the call.
   */
  callThen(host: string, process: string, method: string, params: unknown, timeoutMs: number, finish: (error: unknown, result: unknown) => void): void {
    const refusal = this.placeCall(null, finish, host, process, method, params, timeoutMs);
    if (refusal !== null) finish(refusal, undefined);
  }

  /** Handles a protocol message; returns false for any other message. */
  receive(message: unknown, from: ProcessAddress): boolean {
    if (!isRpcMessage(message)) return false;
    const protocol = message as RequestMessage | ResponseMessage;
    if (protocol.rpc === "request") this.serve(protocol, from);
    else if (protocol.rpc === "response") this.answer(protocol, from);
    return true;
  }

  /** Resumes every coroutine waiting on `key` with `value`, in the order they started waiting. */
  notify(key: string, value: unknown = true): void {
    const ids = this.waiting.get(key);
    if (ids === undefined) return;
    this.waiting.delete(key);
    for (const id of ids) {
      const parked = this.parked.get(id);
      if (parked === undefined) continue;
      this.parked.delete(id);
      this.context.cancelTimer(parked.timer);
      this.advance(parked.coroutine, parked.finish, false, value);
    }
  }

  /** Handles a protocol timer; returns false for any other timer payload. */
  timer(payload: unknown): boolean {
    if (!isRpcMessage(payload)) return false;
    const { rpc, id } = payload as TimerMessage;
    const parked = this.parked.get(id);
    if (parked === undefined) return true;
    if (rpc === "retransmit" && this.context.now < parked.deadlineMs) {
      this.retransmit(parked);
      return true;
    }
    this.parked.delete(id);
    if (parked.waitKey !== null) this.stopWaiting(parked.waitKey, id);
    if (rpc === "wake" || rpc === "wait-timeout") this.advance(parked.coroutine, parked.finish, false, undefined);
    else {
      const error = new RpcError("DeadlineExceeded", `call to ${parked.calleeProcess!} on ${parked.calleeHost!}: context deadline exceeded`);
      this.advance(parked.coroutine, parked.finish, true, error);
    }
    return true;
  }

  /** Sends an unanswered remote request again and waits longer before the next time (or until the call's deadline). */
  private retransmit(parked: Parked): void {
    const request = parked.request!;
    this.context.send(parked.calleeHost!, parked.calleeProcess!, request);
    const delayMs = Math.min(retransmitDelayMsMax, parked.retransmitDelayMs * 2);
    parked.retransmitDelayMs = delayMs;
    parked.timer = this.context.setTimer(Math.min(delayMs, parked.deadlineMs - this.context.now), { rpc: "retransmit", id: parked.id } satisfies TimerMessage);
  }

  /** Fails every call waiting on a local process that ended (its connection closed). */
  exited(exit: ProcessExit): void {
    if (!this.monitored.delete(exit.process)) return;
    for (const id of this.parked.sortedKeys()) {
      const parked = this.parked.get(id);
      if (parked === undefined || parked.calleeHost !== this.context.host || parked.calleeProcess !== exit.process) continue;
      this.parked.delete(id);
      this.context.cancelTimer(parked.timer);
      const error = new RpcError("Unavailable", `connection to ${exit.process} closed: transport is closing`);
      this.advance(parked.coroutine, parked.finish, true, error);
    }
  }

  private serve(request: RequestMessage, from: ProcessAddress): void {
    // A retransmitted request is not run twice: in progress it is ignored, answered it is answered again.
    // Only remote requests are remembered: a call within a host is never retransmitted nor
    // duplicated by the network, and remembering its answers (container inspections, pull
    // progress) would only keep them alive for the garbage collector to copy.
    const session = from.host === this.context.host ? undefined : request.session;
    let servedOfSession: IntTable<ResponseMessage | null> | undefined;
    if (session !== undefined) {
      this.forgetExpiredServed();
      servedOfSession = this.served.get(session);
      const previous = servedOfSession?.get(request.id);
      if (previous !== undefined) {
        if (previous !== null) this.context.send(from.host, from.process, previous);
        return;
      }
      if (this.servedCount === servedRequestsMax) {
        this.forgetOldestServed();
        servedOfSession = this.served.get(session);
      }
      if (servedOfSession === undefined) {
        if (this.served.size >= this.servedSessionsSweepAt) this.sweepEmptySessions();
        this.served.set(session, (servedOfSession = new IntTable()));
      }
      servedOfSession.set(request.id, null);
      const slot = (this.servedOldestSlot + this.servedCount) % servedRequestsMax;
      this.servedOrderSessions[slot] = session;
      this.servedOrderIds[slot] = request.id;
      this.servedOrderDeadlinesMs[slot] = request.deadlineMs ?? Infinity;
      this.servedCount++;
    }
    const handler = this.handlers.get(request.method);
    if (handler === undefined) {
      this.respond(request, from, servedOfSession, new RpcError("Unknown", `unknown method ${request.method}`), undefined);
      return;
    }
    let handled: Coroutine<unknown> | Answered;
    try {
      handled = handler(request.params, from);
    } catch (error) {
      this.respond(request, from, servedOfSession, error, undefined);
      return;
    }
    if (handled instanceof Answered) this.respond(request, from, servedOfSession, undefined, handled.value);
    else this.advance(handled, this.responder(request, from, servedOfSession), false, undefined);
  }

  /**
   * The finish of a request handled by a coroutine: it responds. Made here, not in `serve`: a
   * closure there would make V8 allocate a context for `serve`'s scope on every request, the
   * answered-at-once ones (heartbeats) included.
   */
  private responder(request: RequestMessage, from: ProcessAddress, servedOfSession: IntTable<ResponseMessage | null> | undefined): (error: unknown, result: unknown) => void {
    return (error, result) => this.respond(request, from, servedOfSession, error, result);
  }

  /** Sends the answer to `request`, and remembers it for duplicates while the request is remembered. */
  private respond(request: RequestMessage, from: ProcessAddress, servedOfSession: IntTable<ResponseMessage | null> | undefined, error: unknown, result: unknown): void {
    const response: ResponseMessage = error === undefined ? { rpc: "response", id: request.id, result } : { rpc: "response", id: request.id, error: toWireError(error) };
    // Still remembered (not forgotten for newer requests since): answer duplicates with it.
    if (servedOfSession !== undefined && servedOfSession.has(request.id)) servedOfSession.set(request.id, response);
    this.context.send(from.host, from.process, response);
  }

  /**
   * Forgets the oldest remembered requests that no copy can reach any more: every copy was sent
   * before the caller's deadline and takes at most the network's latency bound, so none arrives
   * after the two added. (Requests behind a later deadline wait for it to go first: remembering
   * longer changes nothing.) Remembered answers thus die young, before the collector copies them.
   */
  private forgetExpiredServed(): void {
    if (this.servedCount === 0) return;
    const expiredBeforeMs = this.context.now - this.context.latencyBoundMs;
    while (this.servedCount > 0 && this.servedOrderDeadlinesMs[this.servedOldestSlot]! < expiredBeforeMs) this.forgetOldestServed();
  }

  /**
   * Forgets the oldest remembered request. Its session's map stays, even empty: a caller's next
   * request (a node's next heartbeat) usually comes after its last one expired, and making a
   * new map for each would cost more than keeping it. Empty maps go in `sweepEmptySessions`.
   */
  private forgetOldestServed(): void {
    const slot = this.servedOldestSlot;
    const session = this.servedOrderSessions[slot]!;
    this.served.get(session)!.delete(this.servedOrderIds[slot]!);
    this.servedOrderSessions[slot] = undefined;
    this.servedOldestSlot = (slot + 1) % servedRequestsMax;
    this.servedCount--;
  }

  /**
   * Drops the sessions with nothing remembered (callers that stopped calling, or restarted as new
   * sessions), and sets the next sweep at twice the sessions left: `served` holds at most about
   * twice the sessions with remembered requests, and each sweep's cost is paid for by the
   * sessions added since the last.
   */
  private sweepEmptySessions(): void {
    for (const [session, requests] of this.served) if (requests.size === 0) this.served.delete(session);
    this.servedSessionsSweepAt = Math.max(servedSessionsSweepMin, 2 * this.served.size);
  }

  private answer(response: ResponseMessage, from: ProcessAddress): void {
    const parked = this.parked.get(response.id);
    // A late answer (after a timeout) or a duplicate finds nothing parked.
    if (parked === undefined || parked.calleeProcess === null) return;
    if (parked.calleeProcess !== from.process) return;
    this.parked.delete(response.id);
    this.context.cancelTimer(parked.timer);
    if (response.error !== undefined) {
      this.advance(parked.coroutine, parked.finish, true, new RpcError(response.error.code, response.error.message));
    } else {
      this.advance(parked.coroutine, parked.finish, false, response.result);
    }
  }

  /**
   * Resumes a coroutine with a value, or with an error thrown into it, and runs it to its next
   * wait or its end. A null coroutine (a {@link callThen}'s call, answered) ends with the call's
   * error or result.
   */
  private advance(coroutine: Coroutine<unknown> | null, finish: (error: unknown, result: unknown) => void, throwing: boolean, input: unknown): void {
    for (;;) {
      if (coroutine === null) {
        if (throwing) finish(input, undefined);
        else finish(undefined, input);
        return;
      }
      let step: IteratorResult<Operation, unknown>;
      try {
        step = throwing ? coroutine.throw(input) : coroutine.next(input);
      } catch (error) {
        if (error instanceof AssertionFailure) throw error;
        finish(error, undefined);
        return;
      }
      if (step.done) {
        finish(undefined, step.value);
        return;
      }
      const operation = step.value;
      if (operation.kind === "sleep") {
        this.park(coroutine, finish, null, null, null, operation.durationMs, "wake");
        return;
      }
      if (operation.kind === "wait") {
        this.park(coroutine, finish, null, null, operation.key, operation.timeoutMs, "wait-timeout");
        return;
      }
      const refusal = this.placeCall(coroutine, finish, operation.host, operation.process, operation.method, operation.params, operation.timeoutMs);
      if (refusal === null) return;
      throwing = true;
      input = refusal;
    }
  }

  /**
   * Sends a call's request and parks its caller until the answer, the deadline or the callee's
   * end; returns the error of a local callee that is not running (nothing sent), or null.
   */
  private placeCall(
    coroutine: Coroutine<unknown> | null,
    finish: (error: unknown, result: unknown) => void,
    host: string,
    process: string,
    method: string,
    params: unknown,
    timeoutMs: number,
  ): RpcError | null {
    const local = host === this.context.host || host === this.context.address;
    if (local && !this.context.isRunning(process)) return new RpcError("Unavailable", `connection to ${process} refused: no such process`);
    if (local && !this.monitored.has(process)) {
      this.monitored.add(process);
      this.context.monitor(process);
    }
    // A local call only times out; a remote one is retransmitted until its deadline, on one timer.
    const firstDelayMs = local ? timeoutMs : Math.min(retransmitDelayMsInitial, timeoutMs);
    const parked = this.park(coroutine, finish, local ? this.context.host : host, process, null, firstDelayMs, local ? "timeout" : "retransmit");
    const deadlineMs = this.context.now + timeoutMs;
    const request: RequestMessage = { rpc: "request", id: parked.id, method, params, session: this.session, deadlineMs };
    this.context.send(host, process, request);
    if (!local) {
      parked.request = request;
      parked.retransmitDelayMs = retransmitDelayMsInitial;
      parked.deadlineMs = deadlineMs;
    }
    return null;
  }

  private park(
    coroutine: Coroutine<unknown> | null,
    finish: (error: unknown, result: unknown) => void,
    calleeHost: string | null,
    calleeProcess: string | null,
    waitKey: string | null,
    delayMs: number,
    rpc: TimerMessage["rpc"],
  ): Parked {
    if (this.parked.size >= coroutinesMax) boundExceeded("coroutinesMax", coroutinesMax, `in ${this.context.process} on ${this.context.host}`);
    const id = this.nextId++;
    const timer = this.context.setTimer(delayMs, { rpc, id } satisfies TimerMessage);
    const parked: Parked = { id, coroutine, finish, calleeHost, calleeProcess, waitKey, timer, request: null, retransmitDelayMs: 0, deadlineMs: 0 };
    this.parked.set(id, parked);
    if (waitKey !== null) {
      const ids = this.waiting.get(waitKey);
      if (ids === undefined) this.waiting.set(waitKey, [id]);
      else ids.push(id);
    }
    return parked;
  }

  /** Takes a wait that timed out off its key's list. */
  private stopWaiting(key: string, id: number): void {
    const ids = this.waiting.get(key)!;
    if (ids.length === 1) this.waiting.delete(key);
    else ids.splice(ids.indexOf(id), 1);
  }
}

function toWireError(error: unknown): { code: RpcErrorCode; message: string } {
  if (error instanceof RpcError) return { code: error.code, message: error.message };
  if (error instanceof AssertionFailure) throw error;
  // Any other exception is a bug in the handler: stop the run loudly.
  throw error instanceof Error ? error : new AssertionFailure(String(error));
}

function rethrow(error: unknown): void {
  if (error !== undefined) throw error;
}

/**
 * A process serving requests with coroutine handlers. Subclasses give `handlers` and may
 * override the hooks; protocol messages and timers are routed to the coroutines first (by the
 * kernel itself, which finds them on the process instance: see `ProtocolHandler`).
 */
export abstract class RpcProcess implements ProcessBehaviour {
  /** The context of this incarnation, set at start. */
  context!: ProcessContext;
  /** The coroutines of this incarnation, set at start. */
  protected coroutines!: Coroutines;

  /** The request handlers this process serves. */
  protected abstract handlers(): RpcHandlers;

  /** Whether the kernel offers protocol messages and timers to the coroutines itself (see ProtocolHandler). */
  private routedByKernel = false;

  start(context: ProcessContext): void {
    this.context = context;
    this.coroutines = new Coroutines(context, this.handlers());
    if (context instanceof ProcessInstance) {
      context.protocol = this.coroutines;
      this.routedByKernel = true;
    }
    this.onStart();
  }

  receive(_context: ProcessContext, message: unknown, from: ProcessAddress): void {
    if (this.routedByKernel || !this.coroutines.receive(message, from)) this.onMessage(message, from);
  }

  timer(_context: ProcessContext, payload: unknown): void {
    if (this.routedByKernel || !this.coroutines.timer(payload)) this.onTimer(payload);
  }

  exited(_context: ProcessContext, exit: ProcessExit): void {
    this.coroutines.exited(exit);
    this.onExited(exit);
  }

  /** Calls a method without a coroutine (see {@link Coroutines.callThen}). */
  protected callThen(host: string, process: string, method: string, params: unknown, timeoutMs: number, finish: (error: unknown, result: unknown) => void): void {
    this.coroutines.callThen(host, process, method, params, timeoutMs, finish);
  }

  /** Runs a coroutine of this process (errors other than {@link RpcError} stop the run). */
  protected run<T>(coroutine: Coroutine<T>, finish?: (error: unknown, result: T | undefined) => void): void {
    this.coroutines.start(coroutine, finish);
  }

  /** Called once the process has started. */
  protected onStart(): void {}
  /** A message that is not part of the request/response protocol. */
  protected onMessage(message: unknown, from: ProcessAddress): void {
    throw new AssertionFailure(`${this.context.process} on ${this.context.host}: unexpected message ${JSON.stringify(message)} from ${from.process}`);
  }
  /** A timer that is not a coroutine's. */
  protected onTimer(_payload: unknown): void {}
  /** A child or monitored process ended. */
  protected onExited(_exit: ProcessExit): void {}
}
