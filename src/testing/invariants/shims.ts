/**
 * The invariant `container-has-shim`: every container process runs under its own shim, on the
 * host's process tree (the shim is the container's parent; a container without its shim would
 * be an orphan nobody reaps or reports).
 */
import type { SimulationEvent } from "../../sim/events.js";
import type { ProcessInfo } from "../../sim/process.js";
import { ViolationReporter, type Invariant, type InvariantContext, type InvariantOptions } from "./types.js";

/** The invariant's name. */
export const containerHasShimName = "container-has-shim";

/** Bound `pendingShimChecksMax`: most shim exits waiting to be checked (older ones are checked at once). */
export const pendingShimChecksMax = 1_000;

const containerPrefix = "container:";
const shimPrefix = "shim:";

/** Why a container process has no proper shim on its host, or null. */
function orphanReason(container: ProcessInfo, processes: readonly ProcessInfo[]): string | null {
  const shimName = shimPrefix + container.name.slice(containerPrefix.length);
  if (!processes.some((process) => process.name === shimName)) return `${container.name} (pid ${container.pid}) runs without ${shimName}`;
  if (container.parent !== shimName) return `${container.name} (pid ${container.pid}) has parent ${container.parent ?? "init"}, not ${shimName}`;
  return null;
}

/**
 * `container-has-shim`: every live process named `container:<id>` has a live `shim:<id>` on the
 * same host, and that shim is its parent. Checked when a container process starts, after a shim
 * exits (once the kill's cascade is over: at the next event seen at a later time, or `check()`),
 * and over every host at `check()`. Limits: only processes named as containerd names them.
 */
export function containerHasShim(options: InvariantOptions = {}): Invariant {
  const reporter = new ViolationReporter(containerHasShimName, options);
  /** Shim exits not checked yet. */
  let pending: Extract<SimulationEvent, { type: "process.stop" }>[] = [];
  const checkHost = (context: InvariantContext, host: string, only: string | null, events: readonly SimulationEvent[]) => {
    if (!context.hostUp(host)) return;
    const processes = context.processes(host);
    for (const process of processes) {
      if (!process.name.startsWith(containerPrefix) || (only !== null && process.name !== only)) continue;
      const reason = orphanReason(process, processes);
      if (reason !== null) reporter.report(context, `${host}/${process.name}/${process.pid}`, { hosts: [host], events, message: `on ${host}: ${reason}` });
    }
  };
  const checkPending = (context: InvariantContext, beforeMs: number) => {
    if (pending.length === 0) return;
    const due = pending.filter((event) => event.time < beforeMs);
    if (due.length === 0) return;
    pending = pending.filter((event) => event.time >= beforeMs);
    for (const event of due) checkHost(context, event.host, containerPrefix + event.process.slice(shimPrefix.length), [event]);
  };
  return {
    name: containerHasShimName,
    description: "every container process runs under its own shim",
    eventTypes: ["process.start", "process.stop"],
    observe(event: SimulationEvent, context: InvariantContext) {
      checkPending(context, event.time);
      if (event.type === "process.start" && event.process.startsWith(containerPrefix)) {
        checkHost(context, event.host, event.process, [event]);
      } else if (event.type === "process.stop" && event.process.startsWith(shimPrefix)) {
        if (pending.length >= pendingShimChecksMax) checkPending(context, Number.POSITIVE_INFINITY);
        pending.push(event);
      }
    },
    check(context: InvariantContext) {
      checkPending(context, Number.POSITIVE_INFINITY);
      for (const host of context.hostNames()) checkHost(context, host, null, []);
    },
  };
}
