/**
 * A typed client for the Engine API of one simulated host. Methods are named after the
 * operation IDs of the Engine API's swagger.yaml in camelCase (`containerCreate`,
 * `systemInfo`, ...), take path parameters first, then the body, then one object of query
 * parameters, and return the API's JSON. Like `sim.exec`, each call is synchronous: it
 * advances the simulation until dockerd answers. Docker's errors are thrown as
 * {@link EngineApiError}s.
 */
import type { HttpRequest, HttpResponse, LogFrame } from "./api/http.js";
import { InvalidReferenceError, familiarString, familiarWithDefaultTag, parseReference } from "./images/catalogue.js";

/** An error answer of the Engine API: Docker's status code and message. */
export class EngineApiError extends Error {
  override name = "EngineApiError";
  constructor(
    /** The HTTP status code (404, 409, 500, ...). */
    readonly statusCode: number,
    /** Docker's message, as `{"message": "..."}` carried it. */
    message: string,
  ) {
    super(message);
  }
}

/** Sends one request and returns its answer, advancing the simulation as needed. */
export type EngineTransport = (request: HttpRequest) => HttpResponse;

/**
 * An answer read as it comes: the hijacked connection of `attach` and `exec start`, the flushed
 * head of `wait`. Opening it runs the simulation until the head arrives; `next` runs it until
 * more arrives.
 */
export interface EngineStream {
  /** The head (101 for a hijacked connection, 200 for a flushed response), or the whole answer of a request that did not stream (an error, say). */
  readonly head: HttpResponse;
  /** Whether the frames are a TTY's raw output (all stream 1) rather than multiplexed stdout/stderr. */
  readonly raw: boolean;
  /** Whether a head came before the final answer (the answer is streamed); false for an answer that came whole. */
  readonly streamed: boolean;
  /** The final answer once the stream has ended normally (for `wait`, its JSON body), else null. */
  readonly answer: HttpResponse | null;
  /** Whether the stream has ended: the final answer came, the connection broke, or it was closed. */
  readonly ended: boolean;
  /** Whether the connection broke before the end (dockerd died, the host went down). */
  readonly broken: boolean;
  /** Takes the frames received so far. */
  read(): LogFrame[];
  /** Runs the simulation until more frames or the end arrive, at most `timeoutMs` of virtual time; false when nothing came (or it had ended). */
  next(timeoutMs?: number): boolean;
  /** Closes the client's end: dockerd stops writing to it. */
  close(): void;
}

/** Opens a request whose answer is read as it comes. */
export type EngineStreamOpener = (request: HttpRequest) => EngineStream;

/**
 * A stream that forwards to `inner`, for wrappers that add to it: `seen` runs whenever its end may
 * have been observed (`ended`, `read`), and `close` replaces closing it.
 */
export function forwardingStream(inner: EngineStream, hooks: { readonly seen?: () => void; readonly close: () => void }): EngineStream {
  const seen = hooks.seen ?? (() => {});
  return {
    get head() {
      return inner.head;
    },
    get raw() {
      return inner.raw;
    },
    get streamed() {
      return inner.streamed;
    },
    get answer() {
      return inner.answer;
    },
    get ended() {
      seen();
      return inner.ended;
    },
    get broken() {
      return inner.broken;
    },
    read: () => {
      const frames = inner.read();
      seen();
      return frames;
    },
    next: (timeoutMs?: number) => inner.next(timeoutMs),
    close: hooks.close,
  };
}

/** A stream over a transport that answers whole: everything has arrived already. */
class WholeAnswerStream implements EngineStream {
  readonly answer: HttpResponse;
  readonly ended = true;
  readonly broken = false;
  readonly streamed = false;
  readonly raw: boolean;
  private frames: LogFrame[];

  constructor(readonly head: HttpResponse) {
    this.answer = head;
    const body = head.body as { frames?: LogFrame[]; tty?: boolean } | null;
    this.frames = head.statusCode < 400 && body !== null && typeof body === "object" && Array.isArray(body.frames) ? [...body.frames] : [];
    this.raw = body !== null && typeof body === "object" && body.tty === true;
  }

  read(): LogFrame[] {
    const frames = this.frames;
    this.frames = [];
    return frames;
  }

  next(): boolean {
    return false;
  }

  close(): void {}
}

/** The headers the Go client sends to hijack a connection. */
export const hijackHeaders: Readonly<Record<string, string>> = { Connection: "Upgrade", Upgrade: "tcp" };

/** Engine API JSON objects, shaped as the swagger definitions named in each method's TSDoc. */
export type EngineJson = Record<string, any>;

/** Query parameters as the client takes them: strings, numbers, booleans, or filters as an object. */
export type QueryParameters = Readonly<Record<string, string | number | boolean | Readonly<Record<string, readonly string[]>> | undefined>>;

function encodeQuery(query: QueryParameters | undefined): Record<string, string> {
  const encoded: Record<string, string> = {};
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    if (typeof value === "boolean") encoded[key] = value ? "1" : "0";
    else if (typeof value === "object") encoded[key] = JSON.stringify(value);
    else encoded[key] = String(value);
  }
  return encoded;
}

const encode = encodeURIComponent;

/** The Engine API of one host, as typed calls. */
export class EngineClient {
  constructor(
    private readonly transport: EngineTransport,
    /** Opens answers read as they come; without it, they are read whole through `transport`. */
    private readonly opener?: EngineStreamOpener,
  ) {}

  /** Sends a raw request; returns the answer whatever its status. */
  request(request: HttpRequest): HttpResponse {
    return this.transport(request);
  }

  /** Sends a raw request whose answer is read as it comes (or whole, over a transport that cannot stream). */
  open(request: HttpRequest): EngineStream {
    return this.opener === undefined ? new WholeAnswerStream(this.transport(request)) : this.opener(request);
  }

  /** Opens a stream and throws the daemon's error when its head is one. */
  private openOrThrow(method: HttpRequest["method"], path: string, query?: QueryParameters, body?: unknown, headers?: Readonly<Record<string, string>>): EngineStream {
    const stream = this.open({ method, path, query: encodeQuery(query), ...(body === undefined ? {} : { body }), ...(headers === undefined ? {} : { headers }) });
    if (stream.head.statusCode >= 400) {
      const message = (stream.head.body as { message?: string } | null)?.message ?? `status ${stream.head.statusCode}`;
      throw new EngineApiError(stream.head.statusCode, message);
    }
    return stream;
  }

  private call(method: HttpRequest["method"], path: string, query?: QueryParameters, body?: unknown): unknown {
    const response = this.transport({ method, path, query: encodeQuery(query), ...(body === undefined ? {} : { body }) });
    if (response.statusCode >= 400) {
      const message = (response.body as { message?: string } | null)?.message ?? `status ${response.statusCode}`;
      throw new EngineApiError(response.statusCode, message);
    }
    return response.body;
  }

  // ---------------------------------------------------------------- system

  /** `GET /_ping`: "OK". */
  systemPing(): string {
    return this.call("GET", "/_ping") as string;
  }

  /** `GET /version`: SystemVersion. */
  systemVersion(): EngineJson {
    return this.call("GET", "/version") as EngineJson;
  }

  /** `GET /info`: SystemInfo. */
  systemInfo(): EngineJson {
    return this.call("GET", "/info") as EngineJson;
  }

  // ---------------------------------------------------------------- images

  /** `POST /images/create` (pull): the JSON progress messages of the stream, in order. */
  imageCreate(query: { fromImage: string; tag?: string }): EngineJson[] {
    return this.call("POST", "/images/create", query) as EngineJson[];
  }

  /** `GET /images/json`: ImageSummary[]. */
  imageList(query?: { all?: boolean; filters?: Readonly<Record<string, readonly string[]>> }): EngineJson[] {
    return this.call("GET", "/images/json", query) as EngineJson[];
  }

  /** `GET /images/{name}/json`: ImageInspect. */
  imageInspect(name: string): EngineJson {
    return this.call("GET", `/images/${name}/json`) as EngineJson;
  }

  /** `DELETE /images/{name}`: ImageDeleteResponseItem[]. */
  imageDelete(name: string, query?: { force?: boolean; noprune?: boolean }): EngineJson[] {
    return this.call("DELETE", `/images/${name}`, query) as EngineJson[];
  }

  // ---------------------------------------------------------------- containers

  /** `POST /containers/create`: ContainerCreateResponse `{ Id, Warnings }`. */
  containerCreate(body: EngineJson, query?: { name?: string }): { Id: string; Warnings: string[] } {
    return this.call("POST", "/containers/create", query, body) as { Id: string; Warnings: string[] };
  }

  /** `GET /containers/json`: ContainerSummary[]. */
  containerList(query?: { all?: boolean; limit?: number; filters?: Readonly<Record<string, readonly string[]>> }): EngineJson[] {
    return this.call("GET", "/containers/json", query) as EngineJson[];
  }

  /** `GET /containers/{id}/json`: ContainerInspectResponse. */
  containerInspect(id: string): EngineJson {
    return this.call("GET", `/containers/${encode(id)}/json`) as EngineJson;
  }

  /** `POST /containers/{id}/start`. */
  containerStart(id: string): void {
    this.call("POST", `/containers/${encode(id)}/start`);
  }

  /** `POST /containers/{id}/stop`; `t` is the grace period in seconds. */
  containerStop(id: string, query?: { t?: number; signal?: string }): void {
    this.call("POST", `/containers/${encode(id)}/stop`, query);
  }

  /** `POST /containers/{id}/kill` (default SIGKILL). */
  containerKill(id: string, query?: { signal?: string }): void {
    this.call("POST", `/containers/${encode(id)}/kill`, query);
  }

  /** `POST /containers/{id}/restart`. */
  containerRestart(id: string, query?: { t?: number }): void {
    this.call("POST", `/containers/${encode(id)}/restart`, query);
  }

  /** `POST /containers/{id}/wait`: ContainerWaitResponse `{ StatusCode, Error }`. */
  containerWait(id: string, query?: { condition?: "not-running" | "next-exit" | "removed" }): { StatusCode: number; Error: null | { Message: string } } {
    return this.call("POST", `/containers/${encode(id)}/wait`, query) as { StatusCode: number; Error: null | { Message: string } };
  }

  /** `GET /containers/{id}/logs`: the multiplexed frames (stream 1 stdout, 2 stderr). */
  containerLogs(id: string, query: { stdout?: boolean; stderr?: boolean; timestamps?: boolean; tail?: string }): LogFrame[] {
    return (this.call("GET", `/containers/${encode(id)}/logs`, query) as { frames: LogFrame[] }).frames;
  }

  /** `DELETE /containers/{id}`. */
  containerDelete(id: string, query?: { force?: boolean; v?: boolean }): void {
    this.call("DELETE", `/containers/${encode(id)}`, query);
  }

  /**
   * `POST /containers/{id}/attach`, read whole: the frames (with `logs`, the log first; with
   * `stream`, the output until the container's process ends; this blocks until then).
   */
  containerAttach(id: string, query: { stream?: boolean; logs?: boolean; stdout?: boolean; stderr?: boolean; detachKeys?: string }): LogFrame[] {
    return (this.call("POST", `/containers/${encode(id)}/attach`, query) as { frames: LogFrame[] }).frames;
  }

  /** `POST /containers/{id}/attach` on a hijacked connection, read as the output comes (the CLI's `ContainerAttach`). */
  containerAttachStream(id: string, query: { stream?: boolean; logs?: boolean; stdin?: boolean; stdout?: boolean; stderr?: boolean; detachKeys?: string }): EngineStream {
    return this.openOrThrow("POST", `/containers/${encode(id)}/attach`, query, undefined, hijackHeaders);
  }

  /** `POST /containers/{id}/wait` with its head read at once (the Go client's `ContainerWait`): the body follows as the stream's answer. */
  containerWaitStream(id: string, query?: { condition?: "not-running" | "next-exit" | "removed" }): EngineStream {
    return this.openOrThrow("POST", `/containers/${encode(id)}/wait`, query);
  }

  /** `POST /containers/{id}/resize`: the container's TTY size. */
  containerResize(id: string, query: { h: number; w: number }): void {
    this.call("POST", `/containers/${encode(id)}/resize`, query);
  }

  /** `POST /containers/{id}/exec`: IDResponse `{ Id }` of the new exec instance. */
  containerExec(id: string, body: EngineJson): { Id: string } {
    return this.call("POST", `/containers/${encode(id)}/exec`, undefined, body) as { Id: string };
  }

  /**
   * `POST /exec/{id}/start`, read whole: with `Detach`, returns once the process runs (no
   * frames); otherwise blocks until it exits and returns its output frames.
   */
  execStart(id: string, body: { Detach?: boolean; Tty?: boolean; ConsoleSize?: readonly [number, number] } = {}): LogFrame[] {
    const answer = this.call("POST", `/exec/${encode(id)}/start`, undefined, body) as { frames?: LogFrame[] } | null;
    return answer?.frames ?? [];
  }

  /** `POST /exec/{id}/start` on a hijacked connection, read as the output comes (the CLI's `ContainerExecAttach`). */
  execStartStream(id: string, body: { Tty?: boolean; ConsoleSize?: readonly [number, number] } = {}): EngineStream {
    return this.openOrThrow("POST", `/exec/${encode(id)}/start`, undefined, { Detach: false, ...body }, hijackHeaders);
  }

  /** `GET /exec/{id}/json`: ExecInspectResponse. */
  execInspect(id: string): EngineJson {
    return this.call("GET", `/exec/${encode(id)}/json`) as EngineJson;
  }

  /** `POST /exec/{id}/resize`: the exec's TTY size. */
  execResize(id: string, query: { h: number; w: number }): void {
    this.call("POST", `/exec/${encode(id)}/resize`, query);
  }

  // ---------------------------------------------------------------- networks

  /** `POST /networks/create`: NetworkCreateResponse `{ Id, Warning }`. */
  networkCreate(body: EngineJson): { Id: string; Warning: string } {
    return this.call("POST", "/networks/create", undefined, body) as { Id: string; Warning: string };
  }

  /** `GET /networks`: Network[]. */
  networkList(query?: { filters?: Readonly<Record<string, readonly string[]>> }): EngineJson[] {
    return this.call("GET", "/networks", query) as EngineJson[];
  }

  /** `GET /networks/{id}`: Network. */
  networkInspect(id: string, query?: { scope?: string; verbose?: boolean }): EngineJson {
    return this.call("GET", `/networks/${encode(id)}`, query) as EngineJson;
  }

  /** `DELETE /networks/{id}`. */
  networkDelete(id: string): void {
    this.call("DELETE", `/networks/${encode(id)}`);
  }

  // ---------------------------------------------------------------- volumes

  /** `POST /volumes/create`: Volume. */
  volumeCreate(body: EngineJson): EngineJson {
    return this.call("POST", "/volumes/create", undefined, body) as EngineJson;
  }

  /** `GET /volumes`: VolumeListResponse `{ Volumes, Warnings }`. */
  volumeList(query?: { filters?: Readonly<Record<string, readonly string[]>> }): { Volumes: EngineJson[]; Warnings: string[] | null } {
    return this.call("GET", "/volumes", query) as { Volumes: EngineJson[]; Warnings: string[] | null };
  }

  /** `GET /volumes/{name}`: Volume. */
  volumeInspect(name: string): EngineJson {
    return this.call("GET", `/volumes/${encode(name)}`) as EngineJson;
  }

  /** `DELETE /volumes/{name}`. */
  volumeDelete(name: string, query?: { force?: boolean }): void {
    this.call("DELETE", `/volumes/${encode(name)}`, query);
  }

  // ---------------------------------------------------------------- swarm

  /** `POST /swarm/init`: the new node's id. */
  swarmInit(body: EngineJson): string {
    return this.call("POST", "/swarm/init", undefined, body) as string;
  }

  /** `POST /swarm/join`. */
  swarmJoin(body: EngineJson): void {
    this.call("POST", "/swarm/join", undefined, body);
  }

  /** `POST /swarm/leave`. */
  swarmLeave(query?: { force?: boolean }): void {
    this.call("POST", "/swarm/leave", query);
  }

  /** `GET /swarm`: Swarm (with join tokens; managers only). */
  swarmInspect(): EngineJson {
    return this.call("GET", "/swarm") as EngineJson;
  }

  /** `POST /swarm/update`: `version` is the swarm object's Version.Index. */
  swarmUpdate(body: EngineJson, query: { version: number; rotateWorkerToken?: boolean; rotateManagerToken?: boolean; rotateManagerUnlockKey?: boolean }): void {
    this.call("POST", "/swarm/update", query, body);
  }

  /** `GET /swarm/unlockkey`: UnlockKeyResponse `{ UnlockKey }` (`""` when autolock is off). */
  swarmUnlockkey(): { UnlockKey: string } {
    return this.call("GET", "/swarm/unlockkey") as { UnlockKey: string };
  }

  /** `POST /swarm/unlock`: unlocks a locked manager with `{ UnlockKey }`. */
  swarmUnlock(body: { UnlockKey: string }): void {
    this.call("POST", "/swarm/unlock", undefined, body);
  }

  // ---------------------------------------------------------------- nodes

  /** `GET /nodes`: Node[]. */
  nodeList(query?: { filters?: Readonly<Record<string, readonly string[]>> }): EngineJson[] {
    return this.call("GET", "/nodes", query) as EngineJson[];
  }

  /** `GET /nodes/{id}`: Node (id, name, or `self`... as Docker resolves it). */
  nodeInspect(id: string): EngineJson {
    return this.call("GET", `/nodes/${encode(id)}`) as EngineJson;
  }

  /** `POST /nodes/{id}/update`: `spec` is a NodeSpec, `version` the node's Version.Index. */
  nodeUpdate(id: string, spec: EngineJson, query: { version: number }): void {
    this.call("POST", `/nodes/${encode(id)}/update`, query, spec);
  }

  /** `DELETE /nodes/{id}`. */
  nodeDelete(id: string, query?: { force?: boolean }): void {
    this.call("DELETE", `/nodes/${encode(id)}`, query);
  }

  // ---------------------------------------------------------------- services and tasks

  /**
   * `POST /services/create`: ServiceCreateResponse `{ ID, Warnings }`. As moby's client, the
   * image gets the `latest` tag when it has none, and with `queryRegistry` (the CLI's default,
   * off with `--no-resolve-image`) it is pinned to its digest and the image's platforms become
   * placement platforms, or a warning says the registry could not be reached.
   */
  serviceCreate(spec: EngineJson, options: { readonly queryRegistry?: boolean } = {}): { ID: string; Warnings?: string[] } {
    const resolved = this.resolveServiceImage(spec, options.queryRegistry ?? false);
    const response = this.call("POST", "/services/create", undefined, resolved.spec) as { ID: string; Warnings?: string[] };
    return withWarnings(response, resolved.warnings);
  }

  /** `GET /distribution/{name}/json`: DistributionInspect (the registry's descriptor and platforms of an image). */
  distributionInspect(name: string): EngineJson {
    return this.call("GET", `/distribution/${name}/json`) as EngineJson;
  }

  /** `GET /services`: Service[]. */
  serviceList(query?: { filters?: Readonly<Record<string, readonly string[]>>; status?: boolean }): EngineJson[] {
    return this.call("GET", "/services", query) as EngineJson[];
  }

  /** `GET /services/{id}`: Service. */
  serviceInspect(id: string, query?: { insertDefaults?: boolean }): EngineJson {
    return this.call("GET", `/services/${encode(id)}`, query) as EngineJson;
  }

  /** `POST /services/{id}/update`: ServiceUpdateResponse `{ Warnings }`; the image is tagged and optionally pinned as by `serviceCreate`. */
  serviceUpdate(id: string, spec: EngineJson, query: { version: number; rollback?: "previous" }, options: { readonly queryRegistry?: boolean } = {}): { Warnings?: string[] } {
    const resolved = this.resolveServiceImage(spec, options.queryRegistry ?? false);
    const response = this.call("POST", `/services/${encode(id)}/update`, query, resolved.spec) as { Warnings?: string[] };
    return withWarnings(response, resolved.warnings);
  }

  /** moby's client before a service create or update: `imageWithTagString`, then `resolveContainerSpecImage`. */
  private resolveServiceImage(spec: EngineJson, queryRegistry: boolean): { spec: EngineJson; warnings: string[] } {
    const image: unknown = spec.TaskTemplate?.ContainerSpec?.Image;
    if (typeof image !== "string") return { spec, warnings: [] };
    const tagged = familiarWithDefaultTag(image);
    let pinned = tagged;
    let platforms: EngineJson[] | null = null;
    const warnings: string[] = [];
    if (queryRegistry) {
      try {
        const distribution = this.distributionInspect(tagged);
        pinned = imageWithDigest(tagged, String(distribution.Descriptor?.digest ?? ""));
        platforms = ((distribution.Platforms ?? []) as EngineJson[])
          .filter((platform) => platform.os !== "unknown" && platform.architecture !== "unknown")
          .map((platform) => ({ Architecture: String(platform.architecture).toLowerCase() === "arm" ? "" : platform.architecture, OS: platform.os }));
      } catch (error) {
        if (!(error instanceof EngineApiError)) throw error;
        warnings.push(digestWarning(tagged));
      }
    }
    if (pinned === image && platforms === null) return { spec, warnings };
    const taskTemplate: EngineJson = { ...spec.TaskTemplate, ContainerSpec: { ...spec.TaskTemplate.ContainerSpec, Image: pinned } };
    if (platforms !== null && platforms.length > 0) taskTemplate.Placement = { ...taskTemplate.Placement, Platforms: platforms };
    return { spec: { ...spec, TaskTemplate: taskTemplate }, warnings };
  }

  /** `DELETE /services/{id}`. */
  serviceDelete(id: string): void {
    this.call("DELETE", `/services/${encode(id)}`);
  }

  /** `GET /services/{id}/logs`: the multiplexed frames of every task's container. */
  serviceLogs(id: string, query: { stdout?: boolean; stderr?: boolean; timestamps?: boolean; tail?: string }): LogFrame[] {
    return (this.call("GET", `/services/${encode(id)}/logs`, query) as { frames: LogFrame[] }).frames;
  }

  /** `GET /tasks`: Task[]. */
  taskList(query?: { filters?: Readonly<Record<string, readonly string[]>> }): EngineJson[] {
    return this.call("GET", "/tasks", query) as EngineJson[];
  }

  /** `GET /tasks/{id}`: Task. */
  taskInspect(id: string): EngineJson {
    return this.call("GET", `/tasks/${encode(id)}`) as EngineJson;
  }
}


/** moby's `imageWithDigestString`: `nginx:latest@sha256:...`, unless the image already names a digest. */
function imageWithDigest(image: string, digest: string): string {
  try {
    const reference = parseReference(image);
    return reference.digest !== null || digest === "" ? image : familiarString({ ...reference, digest });
  } catch (error) {
    if (error instanceof InvalidReferenceError) return image;
    throw error;
  }
}

/** moby's `digestWarning`: the image could not be pinned. */
export function digestWarning(image: string): string {
  return `image ${image} could not be accessed on a registry to record\nits digest. Each node will access ${image} independently,\npossibly leading to different nodes running different\nversions of the image.\n`;
}

/** A create or update answer with the client's own warnings first (omitted when there are none). */
function withWarnings<T extends { Warnings?: string[] }>(response: T, warnings: readonly string[]): T {
  const all = [...warnings, ...(response.Warnings ?? [])];
  return all.length === 0 ? response : { ...response, Warnings: all };
}
