/**
 * A typed client for containerd's API, for coroutines of other processes (dockerd, tests):
 * `const { task } = yield* callContainerd(host, "tasks.Get", { containerId })`.
 */
import { containerdProcessName, type ContainerdMethods } from "./api.js";
import { call, defaultCallTimeoutMs, type Coroutine } from "../sim/coroutine.js";

/** Calls a containerd method on `host` from a coroutine, typed by {@link ContainerdMethods}; throws `RpcError`. */
export function* callContainerd<M extends keyof ContainerdMethods>(
  host: string,
  method: M,
  params: ContainerdMethods[M]["params"],
  timeoutMs: number = defaultCallTimeoutMs,
): Coroutine<ContainerdMethods[M]["result"]> {
  return yield* call<ContainerdMethods[M]["result"]>(host, containerdProcessName, method, params, timeoutMs);
}
