/**
 * The container runtime layer under dockerd: containerd, its shims and runC. Start containerd
 * on an engine host with `sim.spawn(host, containerdProcessName, containerdProcess(), { startOnBoot: true })`
 * and talk to it with {@link callContainerd} from a coroutine.
 */
import "./events.js";
import { makeContainerdProcess } from "./containerd.js";
import type { ProgramFactory } from "./shim.js";
import type { ProcessFactory } from "../sim/process.js";
import { createProgram } from "../engine/workload/programs.js";

export * from "./api.js";
export { callContainerd } from "./client.js";
export * from "./oci.js";
export type { RuncCommand } from "./events.js";
export {
  containerdSubscribersMax,
  containerdTasksMax,
  containerdUndeliveredEventsMax,
  deadShimExitStatus,
  identifierLengthMax,
  makeContainerdProcess,
  shimCallTimeoutMs,
  type ContainerdOptions,
} from "./containerd.js";
export {
  containerLogEntriesMax,
  containerLogRotateEntries,
  shimOutboxMax,
  shimProcess,
  taskStatusOf,
  type ContainerLogEntry,
  type ProgramFactory,
  type ShimEventAckMessage,
  type ShimEventMessage,
  type ShimMethods,
  type ShimOptions,
  type ShimState,
  type ShimStatus,
} from "./shim.js";
export { lastRuncError, runcCreateDurationMs, runcLogEntriesMax, runcProcess, runcStartDurationMs, type RuncLogEntry, type RuncOptions } from "./runc.js";
export * from "./paths.js";
export * from "./signals.js";

/**
 * containerd's behaviour, fresh for each incarnation. Container programs come from the
 * workload programs' `createProgram` unless `programFactory` is given (a test double).
 */
export function containerdProcess(options: { readonly programFactory?: ProgramFactory } = {}): ProcessFactory {
  return makeContainerdProcess({ programFactory: options.programFactory ?? createProgram });
}
