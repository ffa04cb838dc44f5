/**
 * The typed events of the simulation. Every event is a plain object with `type`, `time`
 * (virtual ms) and `host` where it has one. Later layers add their events to
 * {@link SimulationEventMap}; the trace and `Simulation.on` are typed from it.
 */

/** Where a message came from or goes to: a process on a host, both by name. */
export interface ProcessAddress {
  /** Host name. */
  readonly host: string;
  /** Process name on that host. */
  readonly process: string;
}

/** Why a process stopped. */
export type ProcessStopReason = "exit" | "stopped" | "killed" | "crash" | "parent-died";

/** Why the network did not deliver a message. */
export type MessageDropReason = "loss" | "partition" | "unreachable";

/** A link's settings as the network uses them. */
export interface LinkSettings {
  /** One-way latency range in ms, drawn uniformly per message. */
  readonly latencyMs: readonly [number, number];
  /** Probability that a message is lost. */
  readonly lossRate: number;
  /** Probability that a delivered message is delivered a second time. */
  readonly duplicateRate: number;
}

/** Every event type and its fields (besides `type` and `time`). */
export interface SimulationEventMap {
  /** A host was added to the simulation. */
  "host.add": { host: string; address: string };
  /** A host lost power: every process died, memory is gone, the disk is kept. */
  "host.crash": { host: string };
  /** A host booted again; its boot-time processes start from what is on disk. */
  "host.restart": { host: string; bootCount: number };
  /** A process started. */
  "process.start": { host: string; process: string; pid: number; parent: string | null };
  /** A process stopped. */
  "process.stop": { host: string; process: string; pid: number; reason: ProcessStopReason; exitCode: number | null };
  /** A process wrote a line to its log. */
  "process.log": { host: string; process: string; text: string };
  /** A message reached its destination process. `host` is the destination host. */
  "message.deliver": {
    host: string;
    process: string;
    from: ProcessAddress;
    sentAt: number;
    duplicate: boolean;
    message: unknown;
  };
  /** The network did not deliver a message. `host` is the destination host. */
  "message.drop": {
    host: string;
    process: string;
    from: ProcessAddress;
    sentAt: number;
    reason: MessageDropReason;
    message: unknown;
  };
  /** A timer fired in a process. */
  "timer.fire": { host: string; process: string; payload: unknown };
  /** Two groups of hosts can no longer reach each other. */
  "network.partition": { groups: [readonly string[], readonly string[]] };
  /** Every partition was removed. */
  "network.heal": Record<string, never>;
  /** A link's settings were changed. */
  "network.link": { from: string; to: string; oneWay: boolean; settings: LinkSettings };
  /** A link was set back to the network's defaults. */
  "network.link.reset": { from: string; to: string; oneWay: boolean };
}

/** The name of an event type. */
export type SimulationEventType = keyof SimulationEventMap;

/** One event of type `T`, as recorded in the trace and passed to listeners. */
export type SimulationEventOf<T extends SimulationEventType> = { readonly type: T; readonly time: number } & Readonly<
  SimulationEventMap[T]
>;

/** Any event of the simulation. */
export type SimulationEvent = { [T in SimulationEventType]: SimulationEventOf<T> }[SimulationEventType];

/** High-volume event types, recorded only at trace level "all". */
export const kernelEventTypes: ReadonlySet<SimulationEventType> = new Set<SimulationEventType>([
  "message.deliver",
  "message.drop",
  "timer.fire",
]);
