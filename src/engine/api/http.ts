/**
 * The Engine API's request and response as they travel between a client and dockerd: an
 * HTTP request reduced to its method, path, query and JSON body, carried by the `http` method
 * of dockerd's request/response protocol. The HTTP server of the Node entry and the typed
 * client both speak it.
 */

/** An Engine API request. */
export interface HttpRequest {
  readonly method: "GET" | "POST" | "PUT" | "DELETE" | "HEAD";
  /** The path, with or without a `/v1.NN` version prefix, e.g. `/containers/json`. */
  readonly path: string;
  /** Query parameters as strings (the Engine API's `filters` is a JSON string). */
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** The JSON body, already parsed. */
  readonly body?: unknown;
  /**
   * Set by a client that reads the answer as it comes (a hijacked connection for `attach` and
   * `exec start`, the early head of `wait`): dockerd sends it the head and the stream's frames
   * as `EngineStreamMessage`s tagged with this id, before the final answer ends the stream.
   */
  readonly streamId?: number;
}

/** A multiplexed log frame (stream 1 stdout, 2 stderr), as `/containers/{id}/logs` streams them. */
export interface LogFrame {
  readonly stream: 1 | 2;
  readonly text: string;
}

/** An Engine API response. */
export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  /**
   * The JSON body; for errors `{ message }`. Streams are carried whole: progress messages as
   * an array (`/images/create`), log frames as `{ frames }` (`/containers/{id}/logs`), text as a string (`/_ping`).
   */
  readonly body: unknown;
}

/** An Engine API error with Docker's status code and message, thrown inside route handlers. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** 400 Bad Request. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, message);
}

/** 404 Not Found. */
export function notFound(message: string): ApiError {
  return new ApiError(404, message);
}

/** 409 Conflict. */
export function conflict(message: string): ApiError {
  return new ApiError(409, message);
}

/** 500 Internal Server Error. */
export function serverError(message: string): ApiError {
  return new ApiError(500, message);
}
