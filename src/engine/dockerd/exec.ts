/**
 * dockerd's exec instances, after moby's `daemon/exec.go`: `docker exec` creates one in a
 * running container (kept in memory only, like moby's exec store), starting it asks containerd
 * to add a process to the container's task (containerd's `Task.Exec`, then `Start`: the shim
 * runs `runc exec`), and the process's exit comes back as containerd's `/tasks/exit` event with
 * the exec id. Its output reaches dockerd from the shim (the exec's FIFOs) and goes to the
 * client's hijacked stream. Failures to start set the exit code moby's `setExitCodeFromError`
 * sets (127 for a command not found, 126 for a permission problem).
 */
import { RpcError, waitFor, type Coroutine } from "../../sim/coroutine.js";
import type { OciProcess } from "../../containerd/oci.js";
import { ApiError, badRequest, conflict, notFound } from "../api/http.js";
import type { ResponseStream } from "../api/stream.js";
import { containerd, type Dockerd } from "./daemon.js";
import type { ContainerRecord } from "./records.js";
import { daemonEnvironment, replaceOrAppendEnv } from "./oci-spec.js";

/** One exec instance (moby's `container.ExecConfig`). */
export interface ExecRecord {
  readonly id: string;
  readonly containerId: string;
  /** The command's first word, and the rest. */
  readonly entrypoint: string;
  readonly args: readonly string[];
  readonly tty: boolean;
  readonly env: readonly string[];
  readonly user: string;
  readonly workingDir: string;
  readonly privileged: boolean;
  readonly openStdin: boolean;
  readonly openStdout: boolean;
  readonly openStderr: boolean;
  /** The detach key sequence's bytes. */
  readonly detachKeys: readonly number[];
  running: boolean;
  /** Null until the process has exited (or failed to start). */
  exitCode: number | null;
  /** The process's pid on the host once started. */
  pid: number;
  /** Whether it is still in its container's exec list (`ExecIDs`): created or running, not exited. */
  active: boolean;
  /** Where the running process's output goes; null when detached. */
  stream: ResponseStream | null;
}

/** Bound `execsMax`: exec instances one dockerd keeps; beyond it the oldest exited ones are forgotten (moby's exec GC). */
export const execsMax = 10_000;
/** moby's exit codes for an exec that could not start. */
const exitCommandNotFound = 127;
const exitPermissionDenied = 126;
const exitUnknown = 128;
/** The longest one wait of an exec's stream, ms (it waits again until the process ends). */
const streamWaitStepMs = 86_400_000;

/** The control keys of moby/term's `ToBytes`: `ctrl-@` is 0, `ctrl-a` 1, ... `ctrl-_` 31. */
const controlKeys = ["ctrl-@", ..."abcdefghijklmnopqrstuvwxyz".split("").map((letter) => `ctrl-${letter}`), "ctrl-[", "ctrl-\\", "ctrl-]", "ctrl-^", "ctrl-_"];

/** moby/term's `ToBytes`: `ctrl-p,ctrl-q` to [16, 17]; null for an unknown key. */
export function detachKeyBytes(keys: string): number[] | null {
  const bytes: number[] = [];
  for (const key of keys.split(",")) {
    if (key.length === 1) {
      bytes.push(key.charCodeAt(0));
      continue;
    }
    const code = controlKeys.indexOf(key);
    if (code >= 0) bytes.push(code);
    else if (key === "DEL") bytes.push(127);
    else return null;
  }
  return bytes;
}

/** Users and groups of the images' /etc/passwd and /etc/group that swarmsim knows. */
const knownUsers: ReadonlySet<string> = new Set(["root", "daemon", "bin", "sys", "adm", "sync", "mail", "operator", "nobody", "www-data", "nginx", "redis", "guest"]);

/** moby's `getUser` check of an exec's `--user`: a name must be in the image's passwd (numbers always pass). */
function checkUser(user: string): void {
  const [name = "", group] = user.split(":");
  if (name !== "" && !/^\d+$/.test(name) && !knownUsers.has(name)) throw badRequest(`unable to find user ${name}: no matching entries in passwd file`);
  if (group !== undefined && group !== "" && !/^\d+$/.test(group) && !knownUsers.has(group)) throw badRequest(`unable to find group ${group}: no matching entries in group file`);
}

/** moby's `getActiveContainer`: the container, which must be running and not restarting. */
function activeContainer(daemon: Dockerd, reference: string): ContainerRecord {
  const record = daemon.findContainer(reference);
  if (!record.state.running) throw conflict(`container ${record.id} is not running`);
  if (record.state.restarting) throw conflict(`Container ${record.id} is restarting, wait until the container is running`);
  return record;
}

/** What `POST /containers/{id}/exec` asks for (moby's `container.ExecOptions`). */
export interface ExecOptions {
  readonly cmd: readonly string[];
  readonly attachStdin: boolean;
  readonly attachStdout: boolean;
  readonly attachStderr: boolean;
  readonly tty: boolean;
  readonly env: readonly string[];
  readonly user: string;
  readonly workingDir: string;
  readonly privileged: boolean;
  readonly detachKeys: string;
}

/** moby's `ContainerExecCreate`: records an exec instance in a running container; returns it. */
export function createExec(daemon: Dockerd, reference: string, options: ExecOptions): ExecRecord {
  const record = activeContainer(daemon, reference);
  if (options.user !== "") checkUser(options.user);
  const keys = options.detachKeys === "" ? [] : detachKeyBytes(options.detachKeys);
  if (keys === null) throw new ApiError(500, `Invalid escape keys (${options.detachKeys}) provided`);
  const exec: ExecRecord = {
    id: daemon.newId(),
    containerId: record.id,
    entrypoint: options.cmd[0]!,
    args: options.cmd.slice(1),
    tty: options.tty,
    env: replaceOrAppendEnv(daemonEnvironment(record, options.tty), options.env),
    user: options.user !== "" ? options.user : record.config.User,
    workingDir: options.workingDir !== "" ? options.workingDir : record.config.WorkingDir,
    privileged: options.privileged,
    openStdin: options.attachStdin,
    openStdout: options.attachStdout,
    openStderr: options.attachStderr,
    detachKeys: keys,
    running: false,
    exitCode: null,
    pid: 0,
    active: true,
    stream: null,
  };
  forgetOldExecs(daemon);
  daemon.execs.set(exec.id, exec);
  daemon.execEvent(record, exec, "exec_create");
  return exec;
}

/** The exec GC: past `execsMax`, the oldest exec instances that no longer run are forgotten. */
function forgetOldExecs(daemon: Dockerd): void {
  if (daemon.execs.size < execsMax) return;
  for (const [id, exec] of daemon.execs) {
    if (exec.active) continue;
    daemon.execs.delete(id);
    if (daemon.execs.size < execsMax) return;
  }
}

/**
 * moby's `getExecConfig`: the exec instance, whose container must exist and run (404 `No such
 * exec instance`, 404 `No such container`, 409 not running or restarting).
 */
export function findExec(daemon: Dockerd, id: string): ExecRecord {
  const exec = daemon.execs.get(id);
  if (exec === undefined) throw notFound(`No such exec instance: ${id}`);
  const record = daemon.containers.get(exec.containerId);
  if (record === undefined) throw notFound(`No such container: ${id}`);
  if (!record.state.running) throw conflict(`container ${record.id} is not running`);
  if (record.state.restarting) throw conflict(`Container ${record.id} is restarting, wait until the container is running`);
  return exec;
}

/** The exit code and error moby's `setExitCodeFromError` derives from containerd's error (for a container's start too). */
export function startFailure(message: string): { exitCode: number; error: ApiError } {
  const lower = message.toLowerCase();
  if (lower.includes("permission denied")) return { exitCode: exitPermissionDenied, error: badRequest(message) };
  if (["executable file not found", "no such file or directory", "system cannot find the file specified", "failed to run runc create/exec call"].some((text) => lower.includes(text))) {
    return { exitCode: exitCommandNotFound, error: badRequest(message) };
  }
  return { exitCode: exitUnknown, error: new ApiError(500, message) };
}

/**
 * moby's `ContainerExecStart`: starts the exec's process through containerd; with a stream, its
 * output is written there and this returns when the process has exited (or the client left);
 * without one (detached), it returns once the process runs. Errors: 409 already run or running;
 * a failed start sets the exit code and throws Docker's error (for the route to write).
 */
export function* startExec(daemon: Dockerd, id: string, stream: ResponseStream | null): Coroutine<void> {
  const exec = findExec(daemon, id);
  if (exec.exitCode !== null) throw conflict(`exec command ${exec.id} has already run`);
  if (exec.running) throw conflict(`exec command ${exec.id} is already running`);
  exec.running = true;
  exec.stream = stream;
  const record = daemon.containers.get(exec.containerId)!;
  daemon.execEvent(record, exec, "exec_start");
  const process: OciProcess = {
    terminal: exec.tty,
    user: { uid: 0, gid: 0 },
    args: [exec.entrypoint, ...exec.args],
    env: exec.env,
    cwd: exec.workingDir === "" ? "/" : exec.workingDir,
  };
  const wantsOutput = stream !== null && (exec.openStdout || exec.openStderr);
  const host = daemon.hostName;
  try {
    yield* containerd(host, "tasks.Exec", { containerId: exec.containerId, execId: exec.id, process, stdio: wantsOutput ? { host, process: daemon.processName } : null });
    const { pid } = yield* containerd(host, "tasks.Start", { containerId: exec.containerId, execId: exec.id });
    exec.pid = pid;
    daemon.wake(`exec-started:${exec.id}`);
  } catch (error) {
    if (!(error instanceof RpcError)) throw error;
    daemon.wake(`exec-started:${exec.id}`);
    // containerd's errdefs add the code's name to a message they relay.
    const message = error.code === "Unknown" ? `${error.message}: unknown` : error.message;
    const failure = startFailure(message);
    exec.active = false;
    exec.running = false;
    exec.exitCode ??= failure.exitCode;
    throw failure.error;
  }
  if (stream === null) return;
  while (exec.exitCode === null && !stream.closed) yield* waitFor(stream.key, streamWaitStepMs);
}

/**
 * An exec process ended (containerd's `/tasks/exit` with its id): its exit code is recorded, it
 * leaves its container's exec list, its stream ends, and an `exec_die` event is logged.
 */
export function handleExecExit(daemon: Dockerd, containerId: string, execId: string, exitCode: number): void {
  const exec = daemon.execs.get(execId);
  const record = daemon.containers.get(containerId);
  if (exec === undefined || record === undefined || exec.exitCode !== null) return;
  exec.active = false;
  exec.running = false;
  exec.exitCode = exitCode;
  daemon.execEvent(record, exec, "exec_die");
  if (exec.stream !== null) daemon.wake(exec.stream.key);
}

/** An output line of an exec process, copied by the shim: written to the exec's stream. */
export function execOutput(daemon: Dockerd, execId: string, stream: "stdout" | "stderr", text: string): void {
  const exec = daemon.execs.get(execId);
  if (exec === undefined || exec.stream === null) return;
  if (stream === "stdout" ? !exec.openStdout : !exec.openStderr) return;
  exec.stream.write(stream === "stdout" ? 1 : 2, `${text}${exec.tty ? "\r\n" : "\n"}`);
}

/** The ids of a container's exec instances that have not exited, in creation order (`ExecIDs`). */
export function activeExecIds(daemon: Dockerd, containerId: string): string[] {
  const ids: string[] = [];
  for (const exec of daemon.execs.values()) if (exec.containerId === containerId && exec.active) ids.push(exec.id);
  return ids;
}

/** Forgets a removed container's exec instances. */
export function forgetContainerExecs(daemon: Dockerd, containerId: string): void {
  for (const [id, exec] of daemon.execs) if (exec.containerId === containerId) daemon.execs.delete(id);
}

/** Standard base64 of bytes (Go's encoding of a `[]byte` in JSON). */
function base64(bytes: readonly number[]): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let text = "";
  for (let index = 0; index < bytes.length; index += 3) {
    const chunk = (bytes[index]! << 16) | ((bytes[index + 1] ?? 0) << 8) | (bytes[index + 2] ?? 0);
    text += alphabet[(chunk >> 18) & 63]! + alphabet[(chunk >> 12) & 63]!;
    text += index + 1 < bytes.length ? alphabet[(chunk >> 6) & 63]! : "=";
    text += index + 2 < bytes.length ? alphabet[chunk & 63]! : "=";
  }
  return text;
}

/** `GET /exec/{id}/json` (moby's `backend.ExecInspect`, fields in its order). */
export function execInspect(daemon: Dockerd, id: string): Record<string, unknown> {
  const exec = daemon.execs.get(id);
  if (exec === undefined || !daemon.containers.has(exec.containerId)) throw notFound(`No such exec instance: ${id}`);
  return {
    ID: exec.id,
    Running: exec.running,
    ExitCode: exec.exitCode,
    ProcessConfig: {
      tty: exec.tty,
      entrypoint: exec.entrypoint,
      arguments: [...exec.args],
      privileged: exec.privileged,
      ...(exec.user === "" ? {} : { user: exec.user }),
    },
    OpenStdin: exec.openStdin,
    OpenStderr: exec.openStderr,
    OpenStdout: exec.openStdout,
    CanRemove: false,
    ContainerID: exec.containerId,
    DetachKeys: base64(exec.detachKeys),
    Pid: exec.pid,
  };
}
