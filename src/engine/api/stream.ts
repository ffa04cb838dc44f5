/**
 * Answers that come in parts, as dockerd writes them on a hijacked connection (`attach`,
 * `exec start`) or a flushed response (`wait` writes its 200 head at once and its body when the
 * container exits). A route handler opens a {@link ResponseStream}: when the caller reads the
 * answer as it comes (its request carried a `streamId`), the head and each frame go to it at
 * once as {@link EngineStreamMessage}s and the handler's final answer ends the stream; otherwise
 * the frames are kept and the final answer carries them whole, as `{ frames, tty }` (the shape
 * of a `logs` answer). The client ends a stream early with an {@link EngineStreamCloseMessage}
 * (or by exiting): the handler learns it through `closed` and its wake-up key.
 */
import type { LogFrame } from "./http.js";
import type { RouteResult, StreamTarget } from "./router.js";

/** dockerd to a streaming client, before the final answer: the head, then frames. */
export interface EngineStreamMessage {
  readonly engineStream: number;
  /** The head; `raw` when frames are a TTY's bytes rather than multiplexed stdout/stderr frames. */
  readonly head?: { readonly statusCode: number; readonly headers: Readonly<Record<string, string>>; readonly raw: boolean };
  readonly frame?: LogFrame;
}

/** A streaming client to dockerd: it closed its end of the stream. */
export interface EngineStreamCloseMessage {
  readonly engineStreamClose: number;
}

/** Whether a message is an {@link EngineStreamMessage}. */
export function isEngineStreamMessage(message: unknown): message is EngineStreamMessage {
  return typeof message === "object" && message !== null && typeof (message as { engineStream?: unknown }).engineStream === "number";
}

/** Whether a message is an {@link EngineStreamCloseMessage}. */
export function isEngineStreamCloseMessage(message: unknown): message is EngineStreamCloseMessage {
  return typeof message === "object" && message !== null && typeof (message as { engineStreamClose?: unknown }).engineStreamClose === "number";
}

/** The media types of a hijacked stream (moby's `types.MediaTypeRawStream` / `MediaTypeMultiplexedStream`). */
export const rawStreamMediaType = "application/vnd.docker.raw-stream";
/** Docker's multiplexed stream: 8-byte frame headers (stream, 0, 0, 0, big-endian length). */
export const multiplexedStreamMediaType = "application/vnd.docker.multiplexed-stream";

/** Bound `bufferedFramesMax`: frames a stream keeps for a caller that reads the answer whole (the oldest are dropped). */
export const bufferedFramesMax = 100_000;

/** The key of a stream's wake-up (closed by its client, or news for its handler). */
export function streamKey(target: StreamTarget): string {
  return `stream:${target.host}/${target.process}/${target.id}`;
}

/** One streamed answer, written by a route handler. */
export class ResponseStream {
  /** Whether the client has gone away (its handler should stop). */
  closed = false;
  /** The wake-up key its handler waits on (for closes and for whatever it waits for). */
  readonly key: string;
  private statusCode = 200;
  private headers: Readonly<Record<string, string>> = {};
  private headSent = false;
  private readonly frames: LogFrame[] = [];

  constructor(
    /** Sends a message to the client (dockerd's `context.send`). */
    private readonly send: (host: string, process: string, message: unknown) => void,
    /** The streaming client, or null when the caller reads the answer whole. */
    readonly target: StreamTarget | null,
    /** Whether frames are raw terminal output (a TTY) rather than multiplexed stdout/stderr. */
    readonly tty: boolean,
    /** A key for callers reading whole answers (they cannot close early). */
    fallbackKey: string,
  ) {
    this.key = target === null ? fallbackKey : streamKey(target);
  }

  /** Whether the head has been written. */
  get started(): boolean {
    return this.headSent;
  }

  /** Writes the head (status and headers) at once: the connection is hijacked or the response flushed. */
  head(statusCode: number, headers: Readonly<Record<string, string>>): void {
    if (this.headSent) return;
    this.headSent = true;
    this.statusCode = statusCode;
    this.headers = headers;
    if (this.target !== null && !this.closed) {
      this.send(this.target.host, this.target.process, { engineStream: this.target.id, head: { statusCode, headers, raw: this.tty } } satisfies EngineStreamMessage);
    }
  }

  /** Writes a frame (1 stdout, 2 stderr; a TTY's output is all stream 1). */
  write(stream: 1 | 2, text: string): void {
    if (this.closed) return;
    const frame: LogFrame = { stream: this.tty ? 1 : stream, text };
    if (this.target !== null) {
      this.send(this.target.host, this.target.process, { engineStream: this.target.id, frame } satisfies EngineStreamMessage);
      return;
    }
    if (this.frames.length >= bufferedFramesMax) this.frames.shift();
    this.frames.push(frame);
  }

  /**
   * The handler's final answer: for a streaming client, the head's status (it ends the stream;
   * `body` is the rest of a flushed response, such as `wait`'s JSON); for a whole-answer caller,
   * the frames (or `body`) with status 200.
   */
  finish(body?: unknown): RouteResult {
    if (this.target !== null) return { statusCode: this.statusCode, headers: this.headers, ...(body === undefined ? {} : { body }) };
    if (body !== undefined) return { statusCode: this.statusCode, headers: this.headers, body };
    return { statusCode: 200, headers: this.headers, body: { frames: this.frames, tty: this.tty } };
  }
}
