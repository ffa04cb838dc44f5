/**
 * Which simulation events count as faults for the invariants: the moment the last of them
 * happened is when "faults stop" (the start of a settle window and of the liveness deadline of
 * `convergence-after-heal`). A watcher can be told of other faults with `noteFault`.
 */
import type { SimulationEvent, SimulationEventType } from "../../sim/events.js";

/** The event types that are faults whatever their fields: power, partitions, heals and link changes. */
export const faultEventTypes: ReadonlySet<SimulationEventType> = new Set<SimulationEventType>([
  "host.crash",
  "host.restart",
  "network.partition",
  "network.heal",
  "network.link",
  "network.link.reset",
]);

/** Process-name prefixes whose kills are the engine's own doing (a shim killing its container, runC), not faults. */
const engineKilledPrefixes: readonly string[] = ["container:", "runc:"];

/**
 * Whether an event is an injected fault: a host crash or restart, a partition, a heal, a link
 * change or reset, or a process killed (`process.stop` with reason `"killed"`) other than a
 * container or runC process (those are killed by their shim when docker asks: `docker kill`,
 * `docker stop`). A fault injected as a container kill (`sim.faults.kill(host, "container:web")`)
 * is therefore not seen: tell the watcher with `noteFault`.
 */
export function isInjectedFault(event: SimulationEvent): boolean {
  if (faultEventTypes.has(event.type)) return true;
  if (event.type !== "process.stop" || event.reason !== "killed") return false;
  return !engineKilledPrefixes.some((prefix) => event.process.startsWith(prefix));
}
