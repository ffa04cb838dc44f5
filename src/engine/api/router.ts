/**
 * Routes Engine API requests to their handlers: strips and checks the `/v1.NN` version
 * prefix, matches the path against each route's pattern (`/containers/{id}/json`), and turns
 * thrown {@link ApiError}s into Docker's error responses (`{"message": "..."}`).
 */
import { RpcError, type Coroutine } from "../../sim/coroutine.js";
import type { ProcessAddress } from "../../sim/events.js";
import { ApiError, type HttpRequest, type HttpResponse } from "./http.js";

/** The highest API version swarmsim serves: the docker CLI 28.2.2 talks 1.50. */
export const apiVersion = "1.50";
/** The lowest API version swarmsim accepts, as Docker 28 does. */
export const minimumApiVersion = "1.24";

/** Bound `versionRefusalsMax`: API versions whose check a router remembers. */
const versionRefusalsMax = 64;

/** What a route handler gets. */
export interface RouteRequest {
  readonly method: HttpRequest["method"];
  /** The path without its version prefix. */
  readonly path: string;
  /** Path parameters by name, e.g. `{ id: "web" }`. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** The API version the client asked for (or the current one). */
  readonly version: string;
  /** Where to send the answer as it comes, when the caller reads it so (see `HttpRequest.streamId`); null otherwise. */
  readonly stream?: StreamTarget | null;
  /** Whether the client asked to upgrade the connection (`Upgrade: tcp`), as the docker CLI does to hijack it. */
  readonly upgrade?: boolean;
}

/** A caller reading an answer as it comes: its address and the id it tags the stream with. */
export interface StreamTarget extends ProcessAddress {
  readonly id: number;
}

/** What a route handler returns: a status code and a body (and headers if any). */
export interface RouteResult {
  readonly statusCode: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One route: a method, a pattern and a coroutine handler. */
export interface Route<Daemon> {
  readonly method: HttpRequest["method"];
  /** A path pattern with `{name}` segments; `{name*}` matches the rest of the path (image names contain slashes). */
  readonly pattern: string;
  readonly handler: (daemon: Daemon, request: RouteRequest) => Coroutine<RouteResult>;
}

interface CompiledRoute<Daemon> {
  readonly route: Route<Daemon>;
  readonly expression: RegExp;
  readonly names: readonly string[];
}

function compile<Daemon>(route: Route<Daemon>): CompiledRoute<Daemon> {
  const names: string[] = [];
  const source = route.pattern.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{(\w+)(\\\*)?\}/g, (_match, name: string, rest?: string) => {
    names.push(name);
    return rest ? "(.+?)" : "([^/]+)";
  });
  return { route, expression: new RegExp(`^${source}$`), names };
}

/** The first segment of a path or pattern (`containers` of `/containers/{id}/json`). */
function firstSegment(path: string): string {
  const end = path.indexOf("/", 1);
  return end === -1 ? path.slice(1) : path.slice(1, end);
}

function compareVersions(left: string, right: string): number {
  const [leftMajor = 0, leftMinor = 0] = left.split(".").map(Number);
  const [rightMajor = 0, rightMinor = 0] = right.split(".").map(Number);
  return leftMajor - rightMajor || leftMinor - rightMinor;
}

/** Docker's headers on every answer. */
export function standardHeaders(serverVersion: string): Record<string, string> {
  return {
    "Api-Version": apiVersion,
    "Docker-Experimental": "false",
    Ostype: "linux",
    Server: `Docker/${serverVersion} (linux)`,
  };
}

const noRoutes: readonly never[] = [];

/** What {@link Router}'s lookup gives when a route's pattern matches the path but none its method. */
const methodNotAllowed = "method not allowed";

/** A route table for one daemon type. */
export class Router<Daemon> {
  /** The routes whose pattern starts with a segment, in table order (a request tries only those). */
  private readonly bySegment = new Map<string, CompiledRoute<Daemon>[]>();
  /** Versions already checked against the supported range (clients send one or two): null when accepted, else the refusal. */
  private readonly versionRefusals = new Map<string, string | null>();

  constructor(routes: readonly Route<Daemon>[]) {
    for (const route of routes) {
      const segment = firstSegment(route.pattern);
      if (segment.includes("{")) throw new Error(`route ${route.pattern}: its first segment must be fixed`);
      let list = this.bySegment.get(segment);
      if (list === undefined) this.bySegment.set(segment, (list = []));
      list.push(compile(route));
    }
  }

  /** Docker's refusal of an API version outside the supported range, or null. */
  private versionRefusal(version: string): string | null {
    let refusal = this.versionRefusals.get(version);
    if (refusal !== undefined) return refusal;
    refusal = null;
    if (compareVersions(version, apiVersion) > 0) refusal = `client version ${version} is too new. Maximum supported API version is ${apiVersion}`;
    else if (compareVersions(version, minimumApiVersion) < 0) {
      refusal = `client version ${version} is too old. Minimum supported API version is ${minimumApiVersion}, please upgrade your client to a newer version`;
    }
    // Bounded by the versions a client can name; a hostile client naming thousands is not remembered past this.
    if (this.versionRefusals.size < versionRefusalsMax) this.versionRefusals.set(version, refusal);
    return refusal;
  }

  /**
   * Finds the handler for a request and runs it; every failure becomes Docker's error answer.
   * `caller` is the client's address (for answers streamed to it).
   */
  *handle(daemon: Daemon, request: HttpRequest, serverVersion: string, caller?: ProcessAddress): Coroutine<HttpResponse> {
    const headers = standardHeaders(serverVersion);
    const versionMatch = /^\/v(\d+\.\d+)(\/.*)$/.exec(request.path);
    const version = versionMatch ? versionMatch[1]! : apiVersion;
    const path = versionMatch ? versionMatch[2]! : request.path;
    const refusal = this.versionRefusal(version);
    if (refusal !== null) return { statusCode: 400, headers, body: { message: refusal } };
    const found = this.find(request.method, path);
    if (found === null) return { statusCode: 404, headers, body: { message: "page not found" } };
    if (found === methodNotAllowed) return { statusCode: 405, headers, body: { message: methodNotAllowed } };
    const { route, params } = found;
    try {
      const stream = request.streamId !== undefined && caller !== undefined ? { host: caller.host, process: caller.process, id: request.streamId } : null;
      const upgrade = request.headers !== undefined && Object.keys(request.headers).some((name) => name.toLowerCase() === "upgrade");
      const result = yield* route.handler(daemon, { method: request.method, path, params, query: request.query ?? {}, body: request.body, version, stream, upgrade });
      // A HEAD request is answered as GET, without the body (Go's net/http drops it).
      // `headers` is this answer's own object: the route's headers are added to it (a spread here gives every answer a new hidden class in V8).
      return { statusCode: result.statusCode, headers: Object.assign(headers, result.headers), body: request.method === "HEAD" ? null : (result.body ?? null) };
    } catch (error) {
      if (error instanceof ApiError) return { statusCode: error.statusCode, headers, body: { message: error.message } };
      // A call dockerd made (to containerd, say) failed: a 500 with the gRPC status, as moby's errdefs give it.
      if (error instanceof RpcError) return { statusCode: 500, headers, body: { message: `rpc error: code = ${error.code} desc = ${error.message}` } };
      throw error;
    }
  }

  /**
   * The route for `method` and `path` (the first in table order whose pattern matches and whose
   * method fits, HEAD fitting GET) with its decoded path parameters; {@link methodNotAllowed}
   * when a pattern matches but no method fits; null when none matches. A plain function, apart
   * from the handler's coroutine: V8 compiles the route loop of a generator less well.
   */
  private find(method: HttpRequest["method"], path: string): { readonly route: Route<Daemon>; readonly params: Record<string, string> } | typeof methodNotAllowed | null {
    const candidates = this.bySegment.get(firstSegment(path)) ?? noRoutes;
    let pathMatched = false;
    for (let index = 0; index < candidates.length; index++) {
      const candidate = candidates[index]!;
      const match = candidate.expression.exec(path);
      if (match === null) continue;
      pathMatched = true;
      const route = candidate.route;
      if (route.method !== method && !(method === "HEAD" && route.method === "GET")) continue;
      const params: Record<string, string> = {};
      const names = candidate.names;
      for (let position = 0; position < names.length; position++) params[names[position]!] = decodeURIComponent(match[position + 1]!);
      return { route, params };
    }
    return pathMatched ? methodNotAllowed : null;
  }
}
