/**
 * The container runtime layer under dockerd: containerd, its shims and runC. Start containerd
 * on an engine host with `sim.spawn(host, containerdProcessName, containerdProcess(), { startOnBoot: true })`
 * and talk to it with {@link callContainerd} from a coroutine.
 */
import "./events.js";
import { makeContainerdProcess } from "./containerd.js";
import type { ProgramFactory } from "./shim.js";
import type { ProcessFactory } from "../sim/process.js";
import { createProgram, executableExists } from "../engine/workload/programs.js";

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
  execNamespacePidStride,
  firstExecNamespacePid,
  shimExecsMax,
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
export { lastRuncError, runcCreateDurationMs, runcExecDurationMs, runcLogEntriesMax, runcProcess, runcStartDurationMs, type LookPath, type RuncLogEntry, type RuncOptions } from "./runc.js";
export * from "./paths.js";
export * from "./signals.js";

/**
 * containerd's behaviour, fresh for each incarnation. Container programs come from the
 * workload programs' `createProgram` (and `runc exec` finds programs with `executableExists`)
 * unless `programFactory` is given (a test double, which then finds every program).
 */
export function containerdProcess(options: { readonly programFactory?: ProgramFactory } = {}): ProcessFactory {
  if (options.programFactory !== undefined) return makeContainerdProcess({ programFactory: options.programFactory });
  return makeContainerdProcess({ programFactory: createProgram, lookPath: executableExists });
}
