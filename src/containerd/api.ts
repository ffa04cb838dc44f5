/**
 * containerd's API as dockerd uses it: CRUD calls over simulated gRPC (request/response
 * messages through `Coroutines.call`), in the "moby" namespace. Containers are metadata kept
 * on containerd's disk; tasks are the running processes, each kept by a shim that outlives a
 * containerd restart. Exits reach subscribers as event messages.
 */
import type { OciProcess, OciSpec } from "./oci.js";
import type { ProcessAddress } from "../sim/events.js";

/** The process name of containerd on every engine host. */
export const containerdProcessName = "containerd";

/** The runtime every task uses. */
export const runcRuntimeName = "io.containerd.runc.v2";

/** A container's metadata in containerd. */
export interface ContainerdContainer {
  /** The 64-hex-digit id dockerd chose. */
  readonly id: string;
  /** The image reference, e.g. `docker.io/library/nginx:latest`. */
  readonly image: string;
  readonly runtime: typeof runcRuntimeName;
  readonly spec: OciSpec;
  readonly labels: Readonly<Record<string, string>>;
  /** Virtual time of creation, ms. */
  readonly createdAt: number;
}

/** A task's status, as containerd's `task.Status`. */
export type TaskStatus = "created" | "running" | "stopped" | "unknown";

/** A task (the running container process) as containerd reports it. */
export interface ContainerdTask {
  readonly containerId: string;
  /** The container process's pid on its host (0 before start). */
  readonly pid: number;
  readonly status: TaskStatus;
  /** Exit code once stopped. */
  readonly exitStatus: number | null;
  /** Virtual time of the exit, ms. */
  readonly exitedAt: number | null;
  /** Whether the kernel's OOM killer ended it. */
  readonly oomKilled: boolean;
}

/** Parameters and results of each method, by method name. Errors are `RpcError`s (NotFound, AlreadyExists, FailedPrecondition, ...). */
export interface ContainerdMethods {
  "containers.Create": { params: { container: Omit<ContainerdContainer, "createdAt" | "runtime"> }; result: { container: ContainerdContainer } };
  "containers.Get": { params: { id: string }; result: { container: ContainerdContainer } };
  "containers.List": { params: Record<string, never>; result: { containers: ContainerdContainer[] } };
  "containers.Delete": { params: { id: string }; result: Record<string, never> };
  /**
   * Starts a shim for the container; the shim writes the OCI bundle and runs `runc create`.
   * `logKey` is the disk key the container's output is appended to (dockerd's json-file log).
   * `attachKey`, when given, is the disk key of the container's output FIFO (dockerd's
   * `init-stdout`): while it holds a reader's address, the shim also sends every output line there.
   */
  "tasks.Create": { params: { containerId: string; logKey: string; attachKey?: string }; result: { pid: number } };
  /**
   * Runs `runc start`: the container process starts (its parent is the shim). With `execId`,
   * starts that exec process instead (`runc exec`); its pid is the answer.
   */
  "tasks.Start": { params: { containerId: string; execId?: string }; result: { pid: number } };
  /**
   * Adds an exec process to a created or running task (containerd's `Task.Exec`): `process` is
   * the OCI process to run, `stdio` where its output lines go (dockerd's FIFOs), or null to
   * discard them. It starts with `tasks.Start` and `execId`; its exit is a `/tasks/exit` event
   * carrying `execId`.
   */
  "tasks.Exec": { params: { containerId: string; execId: string; process: OciProcess; stdio: ProcessAddress | null }; result: Record<string, never> };
  /** Sends a signal (a name such as "SIGTERM", "SIGKILL", "SIGQUIT") to the container process. */
  "tasks.Kill": { params: { containerId: string; signal: string }; result: Record<string, never> };
  /** Removes a stopped task; its shim exits. */
  "tasks.Delete": { params: { containerId: string }; result: { exitStatus: number | null; exitedAt: number | null } };
  "tasks.Get": { params: { containerId: string }; result: { task: ContainerdTask } };
  "tasks.List": { params: Record<string, never>; result: { tasks: ContainerdTask[] } };
  /** The caller receives {@link ContainerdEventMessage}s until containerd stops. */
  "events.Subscribe": { params: Record<string, never>; result: Record<string, never> };
}

/** A containerd method name. */
export type ContainerdMethod = keyof ContainerdMethods;

/** An event containerd publishes to subscribers (a plain message, not a response). */
export interface ContainerdEventMessage {
  readonly containerdEvent: {
    readonly topic: "/tasks/exit" | "/tasks/oom" | "/tasks/start" | "/tasks/delete";
    readonly containerId: string;
    readonly pid: number;
    readonly exitStatus: number | null;
    readonly exitedAt: number | null;
    /** For an exec process's exit: its id (absent for the task's own process). */
    readonly execId?: string;
  };
}

/**
 * One output line a shim copies to a reader, as the container's stdio FIFOs carry it to dockerd:
 * the container's own output while someone is attached (`execId` null), or an exec process's.
 */
export interface StdioCopyMessage {
  readonly stdioCopy: {
    readonly containerId: string;
    readonly execId: string | null;
    readonly stream: "stdout" | "stderr";
    readonly text: string;
  };
}
