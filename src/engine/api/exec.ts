/**
 * The Engine API's hijacked routes, after moby's `api/server/router/container/exec.go` and
 * `postContainersAttach`: exec create, start (the connection is hijacked unless `Detach`),
 * inspect and resize, container attach and resize. A hijacking route writes its head at once
 * (`101 UPGRADED` with `Content-Type: application/vnd.docker.multiplexed-stream`, or raw-stream
 * for a TTY, when the client asked to upgrade; `200 OK` raw-stream otherwise) and then the output
 * as it comes; errors found before the hijack are ordinary error answers, errors after it are
 * written into the stream, as moby does.
 */
import type { Coroutine } from "../../sim/coroutine.js";
import { waitFor } from "../../sim/coroutine.js";
import type { Dockerd } from "../dockerd/daemon.js";
import { engineVersion } from "../dockerd/daemon.js";
import { createExec, detachKeyBytes, execInspect, findExec, startExec } from "../dockerd/exec.js";
import { recordKeys } from "../dockerd/records.js";
import { ApiError, badRequest, conflict } from "./http.js";
import type { LogEntry } from "./containers.js";
import { standardHeaders, type Route, type RouteRequest, type RouteResult } from "./router.js";
import { multiplexedStreamMediaType, rawStreamMediaType } from "./stream.js";

/** How long an exec resize waits for the exec's process to start, ms (moby's 10 s). */
export const execResizeStartWaitMs = 10_000;

function asRecord(value: unknown): Record<string, any> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, any>) : {};
}

/** A JSON field that must be a list of strings (a lone string is one item, as Go's `StrSlice`). */
function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return [value];
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) throw badRequest(`json: cannot unmarshal ${typeof value} into Go struct field ExecOptions.${field} of type []string`);
  return value;
}

/** moby's `httputils.BoolValue`: anything but "", "0", "no", "false", "none" is true. */
function boolValue(value: string | undefined): boolean {
  const text = (value ?? "").trim().toLowerCase();
  return !(text === "" || text === "0" || text === "no" || text === "false" || text === "none");
}

/** Whether API version `version` is at least `minimum` (both `1.NN`). */
function versionAtLeast(version: string, minimum: string): boolean {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const [minimumMajor = 0, minimumMinor = 0] = minimum.split(".").map(Number);
  return major > minimumMajor || (major === minimumMajor && minor >= minimumMinor);
}

/** The head of a hijacked answer: `101 UPGRADED` when the client asked to upgrade, else `200 OK` raw-stream. */
function hijackHead(request: RouteRequest, multiplexed: boolean, extraHeaders: Readonly<Record<string, string>>): { statusCode: number; headers: Record<string, string> } {
  if (request.upgrade !== true) return { statusCode: 200, headers: { ...extraHeaders, "Content-Type": rawStreamMediaType } };
  const contentType = multiplexed && versionAtLeast(request.version, "1.42") ? multiplexedStreamMediaType : rawStreamMediaType;
  return { statusCode: 101, headers: { "Content-Type": contentType, Connection: "Upgrade", Upgrade: "tcp", ...extraHeaders } };
}

/** `POST /containers/{id}/exec`: 201 `{ Id }`. */
function* createExecRoute(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const body = asRecord(request.body);
  const cmd = stringList(body.Cmd, "Cmd");
  if (cmd.length === 0) throw badRequest("No exec command specified");
  const exec = createExec(daemon, request.params.id!, {
    cmd,
    attachStdin: body.AttachStdin === true,
    attachStdout: body.AttachStdout === true,
    attachStderr: body.AttachStderr === true,
    tty: body.Tty === true,
    env: stringList(body.Env, "Env"),
    user: typeof body.User === "string" ? body.User : "",
    workingDir: typeof body.WorkingDir === "string" ? body.WorkingDir : "",
    privileged: body.Privileged === true,
    detachKeys: typeof body.DetachKeys === "string" ? body.DetachKeys : "",
  });
  return { statusCode: 201, body: { Id: exec.id } };
}

/**
 * `POST /exec/{id}/start`: detached, 200 once the process runs; otherwise the connection is
 * hijacked and carries the process's output until it exits (a failed start's error is written
 * into the stream, followed by `\r\n`).
 */
function* startExecRoute(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const body = asRecord(request.body);
  const id = request.params.id!;
  findExec(daemon, id);
  if (body.Detach === true) {
    yield* startExec(daemon, id, null);
    return { statusCode: 200 };
  }
  const tty = body.Tty === true;
  return yield* daemon.withStream(request, tty, function* (stream) {
    // The hijacked answer carries the headers the API's middlewares set (moby's `WriteSubset`).
    const head = hijackHead(request, !tty, standardHeaders(engineVersion));
    stream.head(head.statusCode, head.headers);
    try {
      yield* startExec(daemon, id, stream);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      stream.write(1, `${error.message}\r\n`);
    }
    return stream.finish();
  });
}

/** `GET /exec/{id}/json`: ExecInspectResponse. */
function* inspectExecRoute(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  return { statusCode: 200, body: execInspect(daemon, request.params.id!) };
}

/** moby's `httputils.Uint32Value` for `h` and `w`: absent is 0; not a uint32 is 400. */
function resizeDimensions(request: RouteRequest): { height: number; width: number } {
  const parse = (field: "h" | "w", name: string): number => {
    const text = request.query[field];
    if (text === undefined || text === "") return 0;
    if (!/^\d+$/.test(text)) throw badRequest(`invalid resize ${name} ${JSON.stringify(text)}: strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`);
    if (Number(text) > 0xffff_ffff) throw badRequest(`invalid resize ${name} ${JSON.stringify(text)}: strconv.ParseUint: parsing ${JSON.stringify(text)}: value out of range`);
    return Number(text);
  };
  return { height: parse("h", "height"), width: parse("w", "width") };
}

/** `POST /exec/{id}/resize`: waits (up to 10 s) for the exec's process to start, then 200. */
function* resizeExecRoute(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  resizeDimensions(request);
  const id = request.params.id!;
  const exec = findExec(daemon, id);
  if (exec.pid === 0 && exec.exitCode === null) yield* waitFor(`exec-started:${id}`, execResizeStartWaitMs);
  if (exec.pid === 0 && exec.exitCode === null) throw new ApiError(500, "timeout waiting for exec session ready");
  if (exec.pid === 0) throw badRequest("exec process is not started");
  return { statusCode: 200 };
}

/** `POST /containers/{id}/resize`: the container's TTY; 409 when it does not run. */
function* resizeContainerRoute(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const { height, width } = resizeDimensions(request);
  const record = daemon.findContainer(request.params.id!);
  if (!record.state.running || record.state.restarting) throw conflict(`container ${record.id} is not running`);
  daemon.containerEvent(record, "resize", { height: String(height), width: String(width) });
  return { statusCode: 200 };
}

/**
 * `POST /containers/{id}/attach?stream=1&stdout=1&stderr=1[&logs=1]`: the connection is
 * hijacked (multiplexed unless the container has a TTY); with `logs` the log so far comes
 * first, with `stream` the output from now on until the container's process ends (a container
 * not started yet is followed through its start). An `attach` event is logged.
 */
function* attachContainerRoute(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const detachKeys = request.query.detachKeys ?? "";
  if (detachKeys !== "" && detachKeyBytes(detachKeys) === null) throw badRequest(`Invalid detach keys (${detachKeys}) provided`);
  const reference = request.params.id!;
  const record = daemon.findContainer(reference);
  if (record.state.restarting) throw conflict(`container ${reference} is restarting, wait until the container is running`);
  const wants = { stdout: boolValue(request.query.stdout), stderr: boolValue(request.query.stderr) };
  const tty = record.config.Tty === true;
  return yield* daemon.withStream(request, tty, function* (stream) {
    const head = hijackHead(request, !tty, {});
    stream.head(head.statusCode, head.headers);
    if (boolValue(request.query.logs)) {
      for (const entry of daemon.context.disk.read<readonly LogEntry[]>(recordKeys.containerLog(record.id)) ?? []) {
        if (entry.stream === "stdout" ? wants.stdout : wants.stderr) stream.write(entry.stream === "stdout" ? 1 : 2, `${entry.text}${tty ? "\r\n" : "\n"}`);
      }
    }
    daemon.containerEvent(record, "attach");
    if (boolValue(request.query.stream)) yield* daemon.attachOutput(record.id, stream, wants);
    return stream.finish();
  });
}

/** The exec and attach routes. */
export const execRoutes: readonly Route<Dockerd>[] = [
  { method: "POST", pattern: "/containers/{id}/exec", handler: createExecRoute },
  { method: "POST", pattern: "/exec/{id}/start", handler: startExecRoute },
  { method: "POST", pattern: "/exec/{id}/resize", handler: resizeExecRoute },
  { method: "GET", pattern: "/exec/{id}/json", handler: inspectExecRoute },
  { method: "POST", pattern: "/containers/{id}/attach", handler: attachContainerRoute },
  { method: "POST", pattern: "/containers/{id}/resize", handler: resizeContainerRoute },
];
