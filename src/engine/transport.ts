/**
 * How code outside the simulation talks to a host's dockerd: a `docker` client process on that
 * host sends each request over the local socket (a message with the local delay), and the caller
 * advances the simulation until the answer arrives, dockerd goes away, or the host dies. This is
 * what makes `sim.exec` and `sim.engine(host)` synchronous. A request can also be opened as a
 * stream ({@link EngineConnection.open}): dockerd sends its head and frames as they come (a
 * hijacked `attach` or `exec start`, the early head of `wait`), and the final answer ends it.
 */
import { SimulationError } from "../sim/errors.js";
import type { ProcessAddress } from "../sim/events.js";
import type { ProcessBehaviour, ProcessContext, ProcessExit } from "../sim/process.js";
import type { SimulationKernel } from "../sim/simulation.js";
import type { HttpRequest, HttpResponse, LogFrame } from "./api/http.js";
import { isEngineStreamMessage, type EngineStreamCloseMessage } from "./api/stream.js";
import { forwardingStream, type EngineStream } from "./client.js";
import { dockerdProcessName } from "./dockerd/daemon.js";

/** The client process's name. */
export const clientProcessName = "docker";
/** Bound `engineRequestTimeoutMs`: the longest one Engine API request may take, in virtual ms (a day). */
export const engineRequestTimeoutMs = 86_400_000;
/** Bound `streamFramesKeptMax`: frames a stream keeps until they are read (the oldest are dropped). */
export const streamFramesKeptMax = 100_000;

/** The docker client could not reach dockerd, or lost it mid-request: the CLI's own error, not the daemon's. */
export class DaemonConnectionError extends Error {
  override name = "DaemonConnectionError";
}

/** The message the docker CLI prints when nothing listens on the socket. */
export const cannotConnectMessage = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?";

interface ResponseMessage {
  readonly rpc: "response";
  readonly id: number;
  readonly result?: HttpResponse;
  readonly error?: { readonly code: string; readonly message: string };
}

/** What the owner of a stream hears as it comes (called inside the simulation's event processing). */
export interface EngineStreamListener {
  /** The head arrived. */
  head?(head: HttpResponse, raw: boolean): void;
  /** A frame arrived. */
  frame?(frame: LogFrame): void;
  /** The stream ended: with the final answer, or null when the connection broke. */
  end?(answer: HttpResponse | null): void;
}

/** One request in flight: its head, frames and answer as they arrive. */
interface Exchange {
  head: HttpResponse | null;
  raw: boolean;
  frames: LogFrame[];
  answer: HttpResponse | null;
  refused: boolean;
  broken: boolean;
  closed: boolean;
  /** Counts arrivals, for `next`. */
  arrivals: number;
  listener: EngineStreamListener | null;
}

/** The client process: sends requests, keeps what comes back, notices dockerd's death. */
class ClientProcess implements ProcessBehaviour {
  context: ProcessContext | null = null;
  readonly exchanges = new Map<number, Exchange>();
  nextId = 1;

  start(context: ProcessContext): void {
    this.context = context;
    context.monitor(dockerdProcessName);
  }

  receive(_context: ProcessContext, message: unknown, _from: ProcessAddress): void {
    if (isEngineStreamMessage(message)) {
      const exchange = this.exchanges.get(message.engineStream);
      if (exchange === undefined || exchange.answer !== null || exchange.closed) return;
      exchange.arrivals++;
      if (message.head !== undefined) {
        exchange.head = { statusCode: message.head.statusCode, headers: message.head.headers, body: null };
        exchange.raw = message.head.raw;
        exchange.listener?.head?.(exchange.head, exchange.raw);
      }
      if (message.frame !== undefined) {
        if (exchange.listener?.frame !== undefined) exchange.listener.frame(message.frame);
        else {
          if (exchange.frames.length >= streamFramesKeptMax) exchange.frames.shift();
          exchange.frames.push(message.frame);
        }
      }
      return;
    }
    const response = message as ResponseMessage;
    if (response.rpc !== "response") return;
    const exchange = this.exchanges.get(response.id);
    if (exchange === undefined) return;
    exchange.arrivals++;
    if (response.error?.code === "Unavailable") {
      exchange.refused = true;
      return;
    }
    exchange.answer = response.result ?? { statusCode: 500, headers: {}, body: { message: response.error?.message ?? "unknown error" } };
    if (!exchange.closed) exchange.listener?.end?.(exchange.answer);
  }

  exited(_context: ProcessContext, exit: ProcessExit): void {
    if (exit.process !== dockerdProcessName) return;
    // The connection to dockerd is gone: every request in flight breaks.
    for (const exchange of this.exchanges.values()) {
      if (exchange.answer !== null || exchange.broken) continue;
      exchange.broken = true;
      exchange.arrivals++;
      if (!exchange.closed) exchange.listener?.end?.(null);
    }
  }

  stop(): void {
    for (const exchange of this.exchanges.values()) {
      if (exchange.answer !== null || exchange.broken || exchange.closed) continue;
      exchange.broken = true;
      exchange.listener?.end?.(null);
    }
  }
}

/**
 * A `docker` client process on a host, for requests to its dockerd: `send` runs the simulation
 * until the answer, `open` until the head of an answer read as it comes. Close it when done.
 */
export class EngineConnection {
  private readonly client = new ClientProcess();

  constructor(
    private readonly kernel: SimulationKernel,
    /** The host whose dockerd it talks to. */
    readonly hostName: string,
    /** The client's process name on the host. */
    readonly processName: string = clientProcessName,
  ) {
    const host = kernel.host(hostName);
    if (!host.up) throw new SimulationError(`host "${hostName}" is down`);
    if (host.isRunning(processName)) throw new SimulationError(`a docker client already runs on host "${hostName}"`);
    kernel.spawn(hostName, processName, this.client);
  }

  /** Whether the client process still runs (its host may have crashed). */
  get alive(): boolean {
    const host = this.kernel.host(this.hostName);
    return host.up && host.isRunning(this.processName);
  }

  /** Sends `request` (tagging it as streamed when `streamed`); throws when nothing can be sent. */
  private begin(request: HttpRequest, streamed: boolean, listener: EngineStreamListener | null): { id: number; exchange: Exchange } {
    const context = this.client.context!;
    if (!this.alive) throw new DaemonConnectionError(`error during connect: ${request.method} ${request.path}: EOF`);
    if (!context.isRunning(dockerdProcessName)) throw new DaemonConnectionError(cannotConnectMessage);
    const id = this.client.nextId++;
    const exchange: Exchange = { head: null, raw: false, frames: [], answer: null, refused: false, broken: false, closed: false, arrivals: 0, listener };
    this.client.exchanges.set(id, exchange);
    context.send(this.hostName, dockerdProcessName, { rpc: "request", id, method: "http", params: streamed ? { ...request, streamId: id } : request });
    return { id, exchange };
  }

  /** Runs the simulation until `done` holds, the connection breaks or `timeoutMs` pass. */
  private runUntil(exchange: Exchange, done: () => boolean, timeoutMs: number): void {
    this.kernel.runUntil(() => done() || exchange.refused || exchange.broken || !this.alive, { timeoutMs });
  }

  /** Sends one request and runs the simulation until its answer; throws {@link DaemonConnectionError} when dockerd cannot answer. */
  send(request: HttpRequest): HttpResponse {
    const { id, exchange } = this.begin(request, false, null);
    try {
      this.runUntil(exchange, () => exchange.answer !== null, engineRequestTimeoutMs);
      if (exchange.refused) throw new DaemonConnectionError(cannotConnectMessage);
      if (exchange.answer !== null) return exchange.answer;
      throw new DaemonConnectionError(`error during connect: ${request.method} "http://%2Fvar%2Frun%2Fdocker.sock${request.path}": EOF`);
    } finally {
      this.client.exchanges.delete(id);
    }
  }

  /**
   * Sends a request whose answer is read as it comes and runs the simulation until its head (or
   * its whole answer, for a request dockerd does not stream, such as an error) arrives. With a
   * `listener`, frames go to it as they arrive instead of being kept for `read`.
   */
  open(request: HttpRequest, listener: EngineStreamListener | null = null): EngineStream {
    const { id, exchange } = this.begin(request, true, listener);
    this.runUntil(exchange, () => exchange.head !== null || exchange.answer !== null, engineRequestTimeoutMs);
    if (exchange.refused) {
      this.client.exchanges.delete(id);
      throw new DaemonConnectionError(cannotConnectMessage);
    }
    if (exchange.head === null && exchange.answer === null) {
      this.client.exchanges.delete(id);
      throw new DaemonConnectionError(`error during connect: ${request.method} "http://%2Fvar%2Frun%2Fdocker.sock${request.path}": EOF`);
    }
    return new ConnectionStream(this, id, exchange);
  }

  /** @internal Runs the simulation until news on `exchange`. */
  awaitNews(exchange: Exchange, timeoutMs: number): boolean {
    const before = exchange.arrivals;
    this.runUntil(exchange, () => exchange.arrivals !== before, timeoutMs);
    return exchange.arrivals !== before;
  }

  /** @internal Closes a stream: dockerd is told, nothing more is kept. */
  closeExchange(id: number, exchange: Exchange): void {
    if (exchange.closed) return;
    exchange.closed = true;
    this.client.exchanges.delete(id);
    if (exchange.answer === null && !exchange.broken && this.alive && this.client.context!.isRunning(dockerdProcessName)) {
      this.client.context!.send(this.hostName, dockerdProcessName, { engineStreamClose: id } satisfies EngineStreamCloseMessage);
    }
  }

  /** Stops the client process (dockerd closes whatever streams it still had). */
  close(): void {
    if (this.alive) this.kernel.stopProcess(this.hostName, this.processName);
    this.client.stop();
  }
}

/** The {@link EngineStream} of an {@link EngineConnection}. */
class ConnectionStream implements EngineStream {
  constructor(
    private readonly connection: EngineConnection,
    private readonly id: number,
    private readonly exchange: Exchange,
  ) {}

  get head(): HttpResponse {
    return this.exchange.head ?? this.exchange.answer!;
  }

  get raw(): boolean {
    return this.exchange.raw;
  }

  get streamed(): boolean {
    return this.exchange.head !== null;
  }

  get answer(): HttpResponse | null {
    return this.exchange.answer;
  }

  get ended(): boolean {
    return this.exchange.answer !== null || this.broken || this.exchange.closed;
  }

  get broken(): boolean {
    // The client process is gone (its host crashed, say): the connection broke with it.
    return this.exchange.broken || (this.exchange.answer === null && !this.connection.alive);
  }

  read(): LogFrame[] {
    const frames = this.exchange.frames;
    this.exchange.frames = [];
    return frames;
  }

  next(timeoutMs: number = engineRequestTimeoutMs): boolean {
    if (this.ended) return false;
    return this.connection.awaitNews(this.exchange, timeoutMs);
  }

  close(): void {
    this.connection.closeExchange(this.id, this.exchange);
  }
}

/**
 * Runs `work` with functions that send Engine API requests to `hostName`'s dockerd (and open
 * streamed ones) through a fresh client process, which exits when `work` returns.
 */
export function withEngineConnection<T>(
  kernel: SimulationKernel,
  hostName: string,
  work: (send: (request: HttpRequest) => HttpResponse, open: (request: HttpRequest) => EngineStream) => T,
): T {
  const connection = new EngineConnection(kernel, hostName);
  try {
    return work(
      (request) => connection.send(request),
      (request) => connection.open(request),
    );
  } finally {
    connection.close();
  }
}

/** The first free client process name for a long-lived connection on a host: `docker:1`, `docker:2`, ... */
export function freeClientProcessName(kernel: SimulationKernel, hostName: string): string {
  const host = kernel.host(hostName);
  for (let index = 1; ; index++) {
    const name = `${clientProcessName}:${index}`;
    if (!host.isRunning(name)) return name;
  }
}

/**
 * Opens a streamed request on its own client process (`docker:N`), for callers that outlive
 * one synchronous call (`sim.engine(host)`, the HTTP server): the process exits once the
 * stream's end has been seen (`ended`, `read`) or it is closed.
 */
export function openStandaloneStream(kernel: SimulationKernel, hostName: string, request: HttpRequest, listener: EngineStreamListener | null = null): EngineStream {
  const connection = new EngineConnection(kernel, hostName, freeClientProcessName(kernel, hostName));
  let stream: EngineStream;
  try {
    stream = connection.open(request, {
      head: (head, raw) => listener?.head?.(head, raw),
      frame: listener?.frame === undefined ? undefined : (frame) => listener.frame!(frame),
      end: (answer) => listener?.end?.(answer),
    } satisfies EngineStreamListener);
  } catch (error) {
    connection.close();
    throw error;
  }
  // Once its end has been seen, the stream's client process goes.
  const closeIfEnded = (): void => {
    if (stream.ended) connection.close();
  };
  closeIfEnded();
  return forwardingStream(stream, {
    seen: closeIfEnded,
    close: () => {
      stream.close();
      connection.close();
    },
  });
}
