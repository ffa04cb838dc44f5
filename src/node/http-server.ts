/**
 * Serves one simulated host's Engine API over real HTTP (TCP or a unix socket), so the real
 * `docker` CLI and SDKs can talk to it: `listen(sim, "manager1", { port: 0 })`. Each request is
 * handed to the host's dockerd through a simulated client process, as `sim.engine(host)` does,
 * and the simulation runs until dockerd answers; the answer is written the way dockerd writes it
 * (JSON with a trailing newline, newline-delimited JSON progress for pulls, the multiplexed or raw
 * stream for logs, text for `/_ping`). Requests are handled one at a time, in arrival order; a
 * bad request (malformed JSON, a body too large) gets Docker's error and changes nothing.
 *
 * Answers that come in parts are streamed as dockerd writes them: `attach` and `exec start` on a
 * hijacked connection (`Connection: Upgrade`, `Upgrade: tcp` answered `101 UPGRADED`, then the
 * multiplexed stream, raw for a TTY), `wait` with its head flushed at once and its body when the
 * container exits. While such a stream is open the server moves the simulated clock at wall-clock
 * speed (unless something else drives it, as live mode does), so a foreground `docker run`, an
 * `attach` or an `exec` end when the container or the process does.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { rmSync } from "node:fs";
import type { HttpRequest, HttpResponse, LogFrame } from "../engine/api/http.js";
import { standardHeaders } from "../engine/api/router.js";
import { engineVersion } from "../engine/dockerd/daemon.js";
import type { EngineStream } from "../engine/client.js";
import { DaemonConnectionError, openStandaloneStream, withEngineConnection } from "../engine/transport.js";
import type { Simulation } from "../simulation.js";

/** Bound `requestBodyBytesMax`: a request body larger than this is refused (Go's `http: request body too large`). */
export const requestBodyBytesMax = 16 * 1024 * 1024;
/** Bound `pendingRequestsMax`: requests waiting for the simulation; more are refused with 503. */
export const pendingRequestsMax = 1_000;

/** Where to listen: a TCP port on an address (127.0.0.1 unless given; port 0 picks a free one), or a unix socket. */
export type ListenOptions = ({ readonly port?: number; readonly address?: string } | { readonly socketPath: string }) & {
  /** Called after each request is answered (live mode writes its session log from it). */
  readonly onServed?: (served: ServedRequest) => void;
  /**
   * Whether the server moves the simulated clock (at wall-clock speed) while a streamed answer
   * is open (default true); live mode, whose clock runs anyway, says false.
   */
  readonly drivesClock?: boolean;
};

/** A running Engine API server for one host. */
export interface EngineServer {
  /** `tcp://127.0.0.1:PORT` or `unix:///path`, as `docker -H` and `DOCKER_HOST` take it. */
  readonly url: string;
  /** The TCP port, or null for a unix socket. */
  readonly port: number | null;
  /** The host it serves. */
  readonly host: string;
  /** Every request served, in order, with the simulation time it was answered at (for logs and replays). */
  readonly log: readonly ServedRequest[];
  /** Stops listening; resolves once closed. */
  close(): Promise<void>;
}

/** One request the server handled. */
export interface ServedRequest {
  /** The host whose API served it. */
  readonly host: string;
  /** The simulation time it arrived at (a replay sends it again at this time). */
  readonly arrivedAtMs: number;
  /** The simulation time it was answered at. */
  readonly timeMs: number;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** The status; for a streamed answer (`attach`, `exec start`, `wait`), its head's (101 or 200). */
  readonly statusCode: number;
  /** Whether the answer was streamed: its head came first and the rest followed as the simulation ran. */
  readonly streamed?: boolean;
}

/** Bound `servedLogMax`: requests kept in `EngineServer.log` (the oldest are dropped). */
export const servedLogMax = 100_000;
/** How often a followed log stream (`logs -f`) asks the simulation for new lines, ms of wall time. */
export const followPollIntervalMs = 100;
/** Bound `followPollsMax`: polls of one followed stream (at the interval above, about a day). */
export const followPollsMax = 864_000;
/** How often the server moves the simulated clock while a streamed answer is open, ms of wall time. */
export const streamClockIntervalMs = 10;
/** Bound `streamClockStepMsMax`: the most virtual time one tick of that clock moves (after a stall of the event loop). */
export const streamClockStepMsMax = 100;

const methods = new Set(["GET", "POST", "PUT", "DELETE", "HEAD"]);

/**
 * Serves `host`'s Engine API. Resolves once listening.
 *
 * @example
 * ```ts
 * const server = await listen(sim, "manager1", { port: 0 });
 * // docker -H tcp://127.0.0.1:PORT info
 * await server.close();
 * ```
 */
export async function listen(sim: Simulation, host: string, options: ListenOptions = {}): Promise<EngineServer> {
  sim.host(host); // an unknown host throws here, before anything listens
  const log: ServedRequest[] = [];
  const served: Served = { sim, host, log, onServed: options.onServed, drivesClock: options.drivesClock ?? true, hijacked: new Set() };
  const server = createServer((request, response) => {
    void readRequestBody(request, requestBodyBytesMax).then(
      (raw) => respond(served, request, raw, response),
      (error: unknown) => writeError(response, error instanceof BodyTooLargeError ? 413 : 400, error instanceof Error ? error.message : String(error)),
    );
  });
  // The docker CLI hijacks the connection of `attach` and `exec start` (Connection: Upgrade).
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    served.hijacked.add(socket);
    socket.on("close", () => served.hijacked.delete(socket));
    void readUpgradeBody(request, socket, head, requestBodyBytesMax).then(
      (raw) => respondUpgraded(served, request, raw, socket),
      (error: unknown) => {
        const statusCode = error instanceof BodyTooLargeError ? 413 : 400;
        socket.end(rawHttpResponse({ statusCode, headers: standardHeaders(engineVersion), body: { message: error instanceof Error ? error.message : String(error) } }));
      },
    );
  });
  server.maxConnections = pendingRequestsMax;
  if ("socketPath" in options) {
    rmSync(options.socketPath, { force: true });
    await listening(server, () => server.listen(options.socketPath));
    return { url: `unix://${options.socketPath}`, port: null, host, log, close: () => closeHijacking(server, served.hijacked) };
  }
  const address = options.address ?? "127.0.0.1";
  await listening(server, () => server.listen(options.port ?? 0, address));
  const port = (server.address() as { port: number }).port;
  return { url: `tcp://${address}:${port}`, port, host, log, close: () => closeHijacking(server, served.hijacked) };
}

function listening(server: Server, start: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.once("listening", () => {
      server.off("error", reject);
      resolve();
    });
    start();
  });
}

/** Stops a server, dropping its open connections and hijacked sockets; resolves once closed. */
function closeHijacking(server: Server, hijacked: Set<Duplex>): Promise<void> {
  const closed = closeServer(server);
  for (const socket of [...hijacked]) socket.destroy();
  return closed;
}

/** Stops a server and drops its open connections; resolves once closed. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A request body over the bound (Go's `http: request body too large`). */
export class BodyTooLargeError extends Error {
  constructor() {
    super("http: request body too large");
  }
}

/**
 * Reads a request's body, at most `bytesMax` bytes: past the bound the rest is read and dropped,
 * so the client still gets an answer, and the promise rejects with {@link BodyTooLargeError}.
 */
export function readRequestBody(request: IncomingMessage, bytesMax: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= bytesMax) chunks.push(chunk);
    });
    request.on("end", () => (size > bytesMax ? reject(new BodyTooLargeError()) : resolve(Buffer.concat(chunks))));
    request.on("error", reject);
  });
}

/** Go's `encoding/json` error for a body that does not parse, as moby prefixes it. */
function invalidJsonMessage(text: string): string {
  const first = text.trimStart()[0];
  if (first !== undefined && !/[[{"0-9tfn-]/.test(first)) return `invalid JSON: invalid character '${first}' looking for beginning of value`;
  return "invalid JSON: unexpected end of JSON input";
}

/** What every request of one server shares. */
interface Served {
  readonly sim: Simulation;
  readonly host: string;
  readonly log: ServedRequest[];
  readonly onServed: ((served: ServedRequest) => void) | undefined;
  readonly drivesClock: boolean;
  /** The hijacked sockets still open (the HTTP server no longer tracks them): closing the server destroys them. */
  readonly hijacked: Set<Duplex>;
}

/** Turns an incoming HTTP request into an Engine API request, or Docker's error for a bad one. */
function parseRequest(incoming: IncomingMessage, raw: Buffer): { request: HttpRequest } | { statusCode: number; message: string } {
  const url = new URL(incoming.url ?? "/", "http://engine");
  const method = (incoming.method ?? "GET").toUpperCase();
  if (!methods.has(method)) return { statusCode: 405, message: "method not allowed" };
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = value;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === "string") headers[name.toLowerCase()] = value;
  let body: unknown;
  const text = raw.toString("utf8");
  if (text.trim() !== "") {
    const contentType = headers["content-type"] ?? "";
    if (contentType !== "" && !contentType.includes("json")) return { statusCode: 400, message: `unsupported Content-Type ${contentType}: swarmsim serves JSON bodies only` };
    try {
      body = JSON.parse(text);
    } catch {
      return { statusCode: 400, message: invalidJsonMessage(text) };
    }
  }
  return { request: { method: method as HttpRequest["method"], path: url.pathname, query, headers, ...(body === undefined ? {} : { body }) } };
}

/** Routes whose answer dockerd streams: `attach` and `exec start` (hijacked), `wait` (head first). */
function isStreamedRoute(request: HttpRequest): boolean {
  return request.method === "POST" && /^(\/v\d+\.\d+)?\/(containers\/[^/]+\/(attach|wait)|exec\/[^/]+\/start)$/.test(request.path);
}

function respond(served: Served, incoming: IncomingMessage, raw: Buffer, response: ServerResponse): void {
  const { sim, host } = served;
  const parsed = parseRequest(incoming, raw);
  if (!("request" in parsed)) {
    writeError(response, parsed.statusCode, parsed.message);
    return;
  }
  const request = parsed.request;
  if (isStreamedRoute(request)) {
    serveStreamed(served, request, responseSink(response, request));
    return;
  }
  const arrivedAtMs = sim.now;
  let answer: HttpResponse;
  try {
    answer = withEngineConnection(sim, host, (send) => send(request));
  } catch (error) {
    if (error instanceof DaemonConnectionError) {
      // What a client sees when dockerd is not there: the connection fails.
      response.destroy();
      return;
    }
    throw error;
  }
  recordServed(served, request, arrivedAtMs, answer.statusCode, false);
  if (isFollowedLogs(request, answer)) followLogs(sim, host, request, answer, response);
  else if (/\/events$/.test(request.path) && answer.statusCode === 200) streamEvents(sim, host, request, answer, response);
  else writeAnswer(response, request, answer);
}

/**
 * `GET /events`: one JSON message per line; without `until`, the stream stays open and each poll
 * asks dockerd for the events since the previous one (by the simulated wall clock), as the
 * simulation runs.
 */
function streamEvents(sim: Simulation, host: string, request: HttpRequest, first: HttpResponse, response: ServerResponse): void {
  response.writeHead(200, { ...first.headers, "Content-Type": "application/json" });
  const write = (answer: HttpResponse): void => {
    for (const message of (answer.body as { events: readonly unknown[] }).events) response.write(`${JSON.stringify(message)}\n`);
  };
  write(first);
  if (request.query?.until !== undefined && request.query.until !== "") {
    response.end();
    return;
  }
  const seconds = (wallTimeMs: number): string => (wallTimeMs / 1000).toFixed(9);
  let lastMs = sim.startTimeMs + sim.now;
  pollWhileOpen(response, () => {
    const nowMs = sim.startTimeMs + sim.now;
    if (nowMs <= lastMs) return true;
    const next = withEngineConnection(sim, host, (send) => send({ ...request, query: { ...request.query, since: seconds(lastMs), until: seconds(nowMs) } }));
    lastMs = nowMs;
    if (next.statusCode === 200) write(next);
    return true;
  });
}

/**
 * Calls `poll` every `followPollIntervalMs` while the client is connected, at most
 * `followPollsMax` times; the stream ends when `poll` returns false, the bound is reached or the
 * client goes away.
 */
function pollWhileOpen(response: ServerResponse, poll: () => boolean): void {
  let polls = 0;
  const timer = setInterval(() => {
    if (response.destroyed || ++polls > followPollsMax || !poll()) {
      clearInterval(timer);
      response.end();
    }
  }, followPollIntervalMs);
  response.on("close", () => clearInterval(timer));
}

/** A `logs` request with `follow` whose first answer is a log stream. */
function isFollowedLogs(request: HttpRequest, answer: HttpResponse): boolean {
  const follow = request.query?.follow;
  return (follow === "1" || follow === "true") && answer.statusCode === 200 && typeof answer.body === "object" && answer.body !== null && "frames" in answer.body;
}

/**
 * `logs -f`: the lines so far, then, as the simulation runs (live mode moves its clock), the new
 * lines, polled every `followPollIntervalMs`; the stream ends when the source stops answering 200
 * (a container removed) or the client goes away. Only lines past those already sent are written
 * (the first answer honours `tail`; later polls ask for everything and skip what was counted).
 */
function followLogs(sim: Simulation, host: string, request: HttpRequest, first: HttpResponse, response: ServerResponse): void {
  const { tail: _tail, ...everything } = request.query ?? {};
  const all = (): HttpResponse => withEngineConnection(sim, host, (send) => send({ ...request, query: everything }));
  const tty = (first.body as { tty?: boolean }).tty === true;
  response.writeHead(200, { ...first.headers, "Content-Type": tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream" });
  const write = (frames: readonly LogFrame[]): void => {
    for (const frame of frames) response.write(tty ? frame.text : multiplexedFrame(frame));
  };
  write((first.body as { frames: readonly LogFrame[] }).frames);
  let sent = (all().body as { frames: readonly LogFrame[] }).frames.length;
  pollWhileOpen(response, () => {
    const next = all();
    if (next.statusCode !== 200) return false;
    const frames = (next.body as { frames: readonly LogFrame[] }).frames;
    write(frames.slice(sent));
    sent = frames.length;
    return true;
  });
}

function writeError(response: ServerResponse, statusCode: number, message: string): void {
  if (response.headersSent) return;
  response.writeHead(statusCode, { ...standardHeaders(engineVersion), "Content-Type": "application/json" });
  response.end(`${JSON.stringify({ message })}\n`);
}

/** The API version a request asked for (its `/v1.NN` prefix), or null. */
function requestedVersion(path: string): number | null {
  const match = /^\/v(\d+)\.(\d+)\//.exec(path);
  return match ? Number(match[1]) + Number(match[2]) / 1000 : null;
}

/** Writes dockerd's answer as dockerd writes it on the wire. */
function writeAnswer(response: ServerResponse, request: HttpRequest, answer: HttpResponse): void {
  const headers: Record<string, string> = { ...answer.headers };
  const body = answer.body;
  let payload: Buffer | string;
  if (answer.statusCode === 204 || answer.statusCode === 304 || body === null || body === undefined) {
    payload = "";
  } else if (typeof body === "string" && (headers["Content-Type"] ?? "").startsWith("text/plain")) {
    // `/_ping`'s OK; other strings are JSON values (`POST /swarm/init` answers the node id as a JSON string).
    payload = body;
  } else if (Array.isArray(body) && /\/images\/create$/.test(request.path)) {
    // Pull progress: one JSON message per line, as the CLI's jsonmessage reader expects.
    headers["Content-Type"] = "application/json";
    payload = body.map((message) => `${JSON.stringify(message)}\r\n`).join("");
  } else if (typeof body === "object" && body !== null && "frames" in body && answer.statusCode < 400) {
    const { frames, tty } = body as { frames: readonly LogFrame[]; tty?: boolean };
    const version = requestedVersion(request.path);
    if (tty === true) {
      headers["Content-Type"] = "application/vnd.docker.raw-stream";
      payload = frames.map((frame) => frame.text).join("");
    } else {
      headers["Content-Type"] = version === null || version >= 1.042 ? "application/vnd.docker.multiplexed-stream" : "application/vnd.docker.raw-stream";
      payload = Buffer.concat(frames.map(multiplexedFrame));
    }
  } else {
    headers["Content-Type"] = "application/json";
    payload = `${JSON.stringify(body)}\n`;
  }
  headers["Content-Length"] = String(Buffer.byteLength(payload));
  response.writeHead(answer.statusCode, headers);
  response.end(request.method === "HEAD" ? undefined : payload);
}

/** One frame of Docker's multiplexed stream: stream byte, three zero bytes, big-endian size, payload. */
function multiplexedFrame(frame: LogFrame): Buffer {
  const payload = Buffer.from(frame.text, "utf8");
  const header = Buffer.alloc(8);
  header.writeUInt8(frame.stream, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

// ------------------------------------------------------------------ streamed answers

/**
 * Reads the body of an upgrade request (Node hands the socket over after the headers; `head`
 * holds what came with them): `Content-Length` bytes, at most `bytesMax`.
 */
export function readUpgradeBody(request: IncomingMessage, socket: Duplex, head: Buffer, bytesMax: number): Promise<Buffer> {
  const length = Number(request.headers["content-length"] ?? 0);
  if (!Number.isFinite(length) || length < 0) return Promise.reject(new Error("invalid Content-Length"));
  if (length > bytesMax) return Promise.reject(new BodyTooLargeError());
  if (head.length >= length) return Promise.resolve(head.subarray(0, length));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [head];
    let size = head.length;
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      if (size < length) return;
      socket.off("data", onData);
      socket.off("error", reject);
      resolve(Buffer.concat(chunks).subarray(0, length));
    };
    socket.on("data", onData);
    socket.on("error", reject);
  });
}

/** An HTTP/1.1 response written on a raw socket: status line, headers, a JSON body with its length. */
function rawHttpResponse(answer: HttpResponse): string {
  const payload = answer.body === null || answer.body === undefined || answer.statusCode === 204 ? "" : `${JSON.stringify(answer.body)}\n`;
  const headers: Record<string, string> = { ...answer.headers, ...(payload === "" ? {} : { "Content-Type": "application/json" }), "Content-Length": String(Buffer.byteLength(payload)) };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${answer.statusCode} ${STATUS_CODES[answer.statusCode] ?? ""}\r\n${lines.join("")}\r\n${payload}`;
}

/** Where a streamed answer is written: an ordinary response, or a hijacked socket. */
interface StreamSink {
  /** The answer came whole (an error before the hijack, say). */
  whole(answer: HttpResponse): void;
  /** The head: the connection is hijacked or the response flushed. */
  head(head: HttpResponse): void;
  /** A frame of output: raw bytes for a TTY, else a multiplexed frame. */
  frame(frame: LogFrame, raw: boolean): void;
  /** The end: the final answer (its body, for `wait`), or null when the connection to dockerd broke. */
  end(answer: HttpResponse | null): void;
  /** Calls `listener` when the client goes away. */
  onClose(listener: () => void): void;
  /** What a client sees when dockerd is not there: the connection fails. */
  destroy(): void;
}

/** A streamed answer on an ordinary response (`wait`, or `attach`/`exec start` without `Upgrade`). */
function responseSink(response: ServerResponse, request: HttpRequest): StreamSink {
  return {
    whole: (answer) => writeAnswer(response, request, answer),
    head: (head) => {
      // dockerd's middleware sets its standard headers (Api-Version, Server, Ostype...) before a handler flushes the head.
      response.writeHead(head.statusCode, { ...standardHeaders(engineVersion), ...head.headers });
      response.flushHeaders();
    },
    frame: (frame, raw) => {
      response.write(raw ? frame.text : multiplexedFrame(frame));
    },
    end: (answer) => {
      if (answer === null) {
        response.destroy();
        return;
      }
      const body = answer.body;
      response.end(body === null || body === undefined || (typeof body === "object" && "frames" in body) ? undefined : `${JSON.stringify(body)}\n`);
    },
    onClose: (listener) => response.on("close", listener),
    destroy: () => response.destroy(),
  };
}

/**
 * A hijacked socket (moby's `HijackConnection`): `101 UPGRADED` and the stream's own headers,
 * then the bytes of the stream; an error before the hijack is an ordinary response, except for
 * `attach`, which moby writes as `HTTP/1.1 <status>` with the message as raw text.
 */
function socketSink(socket: Duplex, request: HttpRequest): StreamSink {
  const attach = /\/attach$/.test(request.path);
  return {
    whole: (answer) => {
      if (attach && answer.statusCode >= 400) {
        const message = (answer.body as { message?: string } | null)?.message ?? "";
        socket.end(`HTTP/1.1 ${answer.statusCode} ${STATUS_CODES[answer.statusCode] ?? ""}\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n${message}\r\n`);
        return;
      }
      socket.end(rawHttpResponse(answer));
    },
    head: (head) => {
      const reason = head.statusCode === 101 ? "UPGRADED" : (STATUS_CODES[head.statusCode] ?? "");
      const lines = Object.entries(head.headers).map(([name, value]) => `${name}: ${value}\r\n`);
      socket.write(`HTTP/1.1 ${head.statusCode} ${reason}\r\n${lines.join("")}\r\n`);
    },
    frame: (frame, raw) => {
      socket.write(raw ? frame.text : multiplexedFrame(frame));
    },
    end: (answer) => {
      if (answer === null) socket.destroy();
      else socket.end();
    },
    onClose: (listener) => socket.on("close", listener),
    destroy: () => socket.destroy(),
  };
}

function respondUpgraded(served: Served, incoming: IncomingMessage, raw: Buffer, socket: Duplex): void {
  // The client may half-close its side at once (the CLI's CloseWrite when it has no input): keep writing.
  socket.on("data", () => {});
  socket.on("error", () => socket.destroy());
  const parsed = parseRequest(incoming, raw);
  if (!("request" in parsed)) {
    socket.end(rawHttpResponse({ statusCode: parsed.statusCode, headers: standardHeaders(engineVersion), body: { message: parsed.message } }));
    return;
  }
  const request = parsed.request;
  if (!isStreamedRoute(request)) {
    // Nothing else hijacks: answer as an ordinary request on the raw socket.
    let answer: HttpResponse;
    try {
      answer = withEngineConnection(served.sim, served.host, (send) => send(request));
    } catch (error) {
      if (error instanceof DaemonConnectionError) {
        socket.destroy();
        return;
      }
      throw error;
    }
    recordServed(served, request, served.sim.now, answer.statusCode, false);
    socket.end(rawHttpResponse(answer));
    return;
  }
  serveStreamed(served, request, socketSink(socket, request));
}

function recordServed(served: Served, request: HttpRequest, arrivedAtMs: number, statusCode: number, streamed: boolean): void {
  const { log, host, sim } = served;
  if (log.length >= servedLogMax) log.shift();
  const query = request.query ?? {};
  log.push({ host, arrivedAtMs, timeMs: sim.now, method: request.method, path: request.path, query, ...(request.body === undefined ? {} : { body: request.body }), statusCode, ...(streamed ? { streamed } : {}) });
  served.onServed?.(log[log.length - 1]!);
}

/**
 * Serves a request whose answer dockerd streams: the simulation runs until its head (or its whole
 * answer) arrives; then frames are written as they come, until the final answer ends the stream.
 * While it is open the clock is driven (see {@link ClockDriver}); the client leaving closes it.
 */
function serveStreamed(served: Served, request: HttpRequest, sink: StreamSink): void {
  const { sim, host } = served;
  const arrivedAtMs = sim.now;
  let ready = false;
  let finished = false;
  let held = false;
  const early: { frame: LogFrame; raw: boolean }[] = [];
  let raw = false;
  let stream: EngineStream | null = null;
  let watchdog: ReturnType<typeof setInterval> | null = null;
  const finish = (answer: HttpResponse | null): void => {
    if (finished) return;
    finished = true;
    if (watchdog !== null) clearInterval(watchdog);
    if (held) ClockDriver.of(sim).release();
    sink.end(answer);
    // The stream's client process goes once this event is over.
    setImmediate(() => stream?.close());
  };
  try {
    stream = openStandaloneStream(sim, host, request, {
      head: (_head, isRaw) => (raw = isRaw),
      frame: (frame) => {
        if (ready) sink.frame(frame, raw);
        else early.push({ frame, raw });
      },
      end: (answer) => {
        if (ready) finish(answer);
      },
    });
  } catch (error) {
    if (error instanceof DaemonConnectionError) {
      sink.destroy();
      return;
    }
    throw error;
  }
  recordServed(served, request, arrivedAtMs, stream.head.statusCode, stream.streamed);
  if (!stream.streamed) {
    finished = true;
    sink.whole(stream.head);
    stream.close();
    return;
  }
  sink.head(stream.head);
  ready = true;
  for (const { frame, raw: isRaw } of early) sink.frame(frame, isRaw);
  if (stream.answer !== null || stream.broken) {
    finish(stream.answer);
    return;
  }
  if (served.drivesClock) {
    held = true;
    ClockDriver.of(sim).hold();
  }
  // A stream whose client process died with its host ends no other way: look now and then.
  watchdog = setInterval(() => {
    if (stream?.broken === true) finish(null);
  }, followPollIntervalMs);
  sink.onClose(() => {
    if (watchdog !== null) clearInterval(watchdog);
    if (finished) return;
    finished = true;
    if (held) ClockDriver.of(sim).release();
    stream?.close();
  });
}

/**
 * Moves a simulation's clock at wall-clock speed while streamed answers are open and nothing
 * else drives it: a foreground `docker run` or an `exec` then ends when the container or the
 * process does. One per simulation, however many servers hold it.
 */
class ClockDriver {
  private static readonly drivers = new WeakMap<Simulation, ClockDriver>();
  private holds = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastWallMs = 0;

  private constructor(private readonly sim: Simulation) {}

  /** The driver of `sim`. */
  static of(sim: Simulation): ClockDriver {
    let driver = ClockDriver.drivers.get(sim);
    if (driver === undefined) ClockDriver.drivers.set(sim, (driver = new ClockDriver(sim)));
    return driver;
  }

  /** A stream opens: the clock runs while any is open. */
  hold(): void {
    if (this.holds++ > 0) return;
    this.lastWallMs = performance.now();
    this.timer = setInterval(() => this.tick(), streamClockIntervalMs);
  }

  /** A stream ends. */
  release(): void {
    if (this.holds === 0 || --this.holds > 0) return;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    const nowMs = performance.now();
    const elapsedMs = Math.min(nowMs - this.lastWallMs, streamClockStepMsMax);
    this.lastWallMs = nowMs;
    if (elapsedMs <= 0 || this.sim.isRunning) return;
    this.sim.runFor(elapsedMs);
  }
}
