/**
 * Serves one simulated host's Engine API over real HTTP (TCP or a unix socket), so the real
 * `docker` CLI and SDKs can talk to it: `listen(sim, "manager1", { port: 0 })`. Each request is
 * handed to the host's dockerd through a simulated client process, as `sim.engine(host)` does,
 * and the simulation runs until dockerd answers; the answer is written the way dockerd writes it
 * (JSON with a trailing newline, newline-delimited JSON progress for pulls, the multiplexed or raw
 * stream for logs, text for `/_ping`). Requests are handled one at a time, in arrival order; a
 * bad request (malformed JSON, a body too large) gets Docker's error and changes nothing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { rmSync } from "node:fs";
import type { HttpRequest, HttpResponse, LogFrame } from "../engine/api/http.js";
import { standardHeaders } from "../engine/api/router.js";
import { engineVersion } from "../engine/dockerd/daemon.js";
import { DaemonConnectionError, withEngineConnection } from "../engine/transport.js";
import type { Simulation } from "../simulation.js";

/** Bound `requestBodyBytesMax`: a request body larger than this is refused (Go's `http: request body too large`). */
export const requestBodyBytesMax = 16 * 1024 * 1024;
/** Bound `pendingRequestsMax`: requests waiting for the simulation; more are refused with 503. */
export const pendingRequestsMax = 1_000;

/** Where to listen: a TCP port on an address (127.0.0.1 unless given; port 0 picks a free one), or a unix socket. */
export type ListenOptions = ({ readonly port?: number; readonly address?: string } | { readonly socketPath: string }) & {
  /** Called after each request is answered (live mode writes its session log from it). */
  readonly onServed?: (served: ServedRequest) => void;
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
  readonly statusCode: number;
}

/** Bound `servedLogMax`: requests kept in `EngineServer.log` (the oldest are dropped). */
export const servedLogMax = 100_000;
/** How often a followed log stream (`logs -f`) asks the simulation for new lines, ms of wall time. */
export const followPollIntervalMs = 100;
/** Bound `followPollsMax`: polls of one followed stream (at the interval above, about a day). */
export const followPollsMax = 864_000;

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
  const server = createServer((request, response) => {
    void readRequestBody(request, requestBodyBytesMax).then(
      (raw) => respond(sim, host, request, raw, response, log, options.onServed),
      (error: unknown) => writeError(response, error instanceof BodyTooLargeError ? 413 : 400, error instanceof Error ? error.message : String(error)),
    );
  });
  server.maxConnections = pendingRequestsMax;
  if ("socketPath" in options) {
    rmSync(options.socketPath, { force: true });
    await listening(server, () => server.listen(options.socketPath));
    return { url: `unix://${options.socketPath}`, port: null, host, log, close: () => closeServer(server) };
  }
  const address = options.address ?? "127.0.0.1";
  await listening(server, () => server.listen(options.port ?? 0, address));
  const port = (server.address() as { port: number }).port;
  return { url: `tcp://${address}:${port}`, port, host, log, close: () => closeServer(server) };
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

function respond(
  sim: Simulation,
  host: string,
  incoming: IncomingMessage,
  raw: Buffer,
  response: ServerResponse,
  log: ServedRequest[],
  onServed: ((served: ServedRequest) => void) | undefined,
): void {
  const url = new URL(incoming.url ?? "/", "http://engine");
  const method = (incoming.method ?? "GET").toUpperCase();
  if (!methods.has(method)) {
    writeError(response, 405, "method not allowed");
    return;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = value;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === "string") headers[name.toLowerCase()] = value;
  let body: unknown;
  const text = raw.toString("utf8");
  if (text.trim() !== "") {
    const contentType = headers["content-type"] ?? "";
    if (contentType !== "" && !contentType.includes("json")) {
      writeError(response, 400, `unsupported Content-Type ${contentType}: swarmsim serves JSON bodies only`);
      return;
    }
    try {
      body = JSON.parse(text);
    } catch {
      writeError(response, 400, invalidJsonMessage(text));
      return;
    }
  }
  const request: HttpRequest = { method: method as HttpRequest["method"], path: url.pathname, query, headers, ...(body === undefined ? {} : { body }) };
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
  if (log.length >= servedLogMax) log.shift();
  log.push({ host, arrivedAtMs, timeMs: sim.now, method, path: url.pathname, query, ...(body === undefined ? {} : { body }), statusCode: answer.statusCode });
  onServed?.(log[log.length - 1]!);
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
