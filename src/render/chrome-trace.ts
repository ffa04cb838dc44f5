/**
 * Export of the trace in the Chrome trace event format (the JSON object form, with
 * `traceEvents`), which Perfetto (ui.perfetto.dev), chrome://tracing and the Chrome DevTools
 * Performance panel open: one trace "process" per host and one "thread" per simulated process,
 * instant events for faults and state changes, and for every message a 1 µs slice at its sender
 * and at its receiver joined by a flow arrow (a dropped message: a slice at the sender and an
 * instant at the receiver). Times are whole virtual microseconds, so two slices of one thread
 * either start together (and nest) or do not overlap; process and thread ids are never 0 and
 * thread ids are unique across the trace, as Perfetto's importer, which follows Linux's ids,
 * expects.
 */
import type { SimulationEvent } from "../sim/events.js";
import type { Simulation } from "../simulation.js";
import { messageLabel, traceEventsScannedMax } from "./messages.js";

/** One event of the Chrome trace event format (the fields swarmsim writes). */
export interface ChromeTraceEvent {
  /** Event name. */
  readonly name: string;
  /** Category (the simulation event type's first part: `host`, `raft`, `message`, ...). */
  readonly cat?: string;
  /** Phase: `M` metadata, `i` instant, `X` complete, `s`/`f` flow start/finish. */
  readonly ph: "M" | "i" | "X" | "s" | "f";
  /** Timestamp, whole microseconds of virtual time. */
  readonly ts?: number;
  /** Duration of a complete event, microseconds. */
  readonly dur?: number;
  /** The host's number (1: the cluster-wide events). */
  readonly pid: number;
  /** The simulated process's number, unique in the trace (each host has a thread `host` for host-wide events). */
  readonly tid: number;
  /** Scope of an instant event: `g` global, `p` process (host), `t` thread. */
  readonly s?: "g" | "p" | "t";
  /** Flow id. */
  readonly id?: number;
  /** Flow binding point: `e` binds a flow finish to the enclosing slice. */
  readonly bp?: "e";
  /** Arguments shown in the viewer. */
  readonly args?: Readonly<Record<string, unknown>>;
}

/** A trace in the Chrome trace event format's JSON object form. */
export interface ChromeTrace {
  /** The events, metadata first. */
  readonly traceEvents: ChromeTraceEvent[];
  /** How viewers show times. */
  readonly displayTimeUnit: "ms";
  /** The seed, the trace hash and the window, for the record. */
  readonly otherData: Readonly<Record<string, string | number>>;
}

/** Options of {@link exportTrace}. */
export interface TraceExportOptions {
  /** Only events at or after this virtual time, ms (default the start). */
  readonly fromMs?: number;
  /** Only events at or before this virtual time, ms (default now). */
  readonly toMs?: number;
  /** Include `timer.fire` events (many; default false). */
  readonly timers?: boolean;
}

/** Bound `exportTraceEventsMax`: most Chrome trace events one export writes (the earliest are kept). */
export const exportTraceEventsMax = 1_000_000;

/** The process id of the cluster-wide events (network faults); hosts are numbered from 2. */
export const traceNetworkPid = 1;
/**
 * The first thread id: thread ids count up from here across the whole trace, above every
 * possible process id (a simulation has at most `hostsMax` hosts), so no thread id is also a
 * process id and none is shared by two processes.
 */
export const traceThreadIdBase = 1_000_000;

/** Fields of a simulation event besides `type`, `time` and `host`, made JSON-safe and short. */
function argumentsOf(event: SimulationEvent): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (key === "type" || key === "time") continue;
    fields[key] = value;
  }
  return fields;
}

/** A virtual time in ms as a whole number of microseconds. */
function microseconds(timeMs: number): number {
  return Math.round(timeMs * 1_000);
}

/**
 * The retained trace as a Chrome trace event object; `JSON.stringify` it to a `.json` file and
 * open it in Perfetto or chrome://tracing. Hosts are trace processes (pid 2, 3, ... in order of
 * addition, registry included; pid 1 holds the cluster-wide events), simulated processes are
 * threads named after them (thread `host` carries host-wide events); thread ids are unique in
 * the trace, from {@link traceThreadIdBase}. Timestamps are whole virtual microseconds and
 * events come sorted by time after the metadata. Messages need trace level "all"; events
 * evicted from the bounded trace are not exported. Deterministic: the same simulation gives the
 * same object.
 */
export function exportTrace(sim: Simulation, options: TraceExportOptions = {}): ChromeTrace {
  const fromMs = options.fromMs ?? 0;
  const toMs = options.toMs ?? sim.now;
  const hostIds = new Map<string, number>();
  const threadIds = new Map<string, Map<string, number>>();
  const metadata: ChromeTraceEvent[] = [];
  const events: ChromeTraceEvent[] = [];
  let threadCount = 0;
  const newThread = (pid: number, name: string): number => {
    const tid = traceThreadIdBase + threadCount++;
    metadata.push({ name: "thread_name", ph: "M", pid, tid, args: { name } });
    metadata.push({ name: "thread_sort_index", ph: "M", pid, tid, args: { sort_index: tid - traceThreadIdBase } });
    return tid;
  };
  metadata.push({ name: "process_name", ph: "M", pid: traceNetworkPid, tid: traceThreadIdBase, args: { name: "network (cluster-wide events)" } });
  metadata.push({ name: "process_sort_index", ph: "M", pid: traceNetworkPid, tid: traceThreadIdBase, args: { sort_index: traceNetworkPid } });
  const networkTid = newThread(traceNetworkPid, "faults");
  const hostId = (host: string): number => {
    let id = hostIds.get(host);
    if (id === undefined) {
      id = traceNetworkPid + 1 + hostIds.size;
      const hostTid = traceThreadIdBase + threadCount;
      hostIds.set(host, id);
      threadIds.set(host, new Map([["", hostTid]]));
      metadata.push({ name: "process_name", ph: "M", pid: id, tid: hostTid, args: { name: host } });
      metadata.push({ name: "process_sort_index", ph: "M", pid: id, tid: hostTid, args: { sort_index: id } });
      newThread(id, "host");
    }
    return id;
  };
  /** The thread of `process` on `host`; the empty name is the host's own thread. */
  const threadId = (host: string, process: string): number => {
    const pid = hostId(host);
    const threads = threadIds.get(host)!;
    let id = threads.get(process);
    if (id === undefined) {
      id = newThread(pid, process);
      threads.set(process, id);
    }
    return id;
  };
  for (const host of sim.hosts()) hostId(host.name);

  const methods = new Map<string, string>();
  let flowId = 0;
  const trace = sim.trace;
  const scanned = Math.min(trace.length, traceEventsScannedMax);
  let truncated = false;
  for (let index = 0; index < scanned; index++) {
    const event: SimulationEvent = trace[index]!;
    if (event.time > toMs) break;
    if (event.type === "message.deliver" || event.type === "message.drop") {
      const message = event.message as Record<string, unknown> | null;
      const isRequest = typeof message === "object" && message !== null && message.rpc === "request" && typeof message.method === "string";
      const fromKey = `${event.from.host}/${event.from.process}`;
      const toKey = `${event.host}/${event.process}`;
      if (isRequest) methods.set(`${fromKey}|${toKey}|${String(message.id)}`, message.method as string);
      if (event.sentAt < fromMs) continue;
      if (events.length + 4 > exportTraceEventsMax) {
        truncated = true;
        break;
      }
      const isResponse = typeof message === "object" && message !== null && message.rpc === "response";
      const label = messageLabel(event.message, isResponse ? methods.get(`${toKey}|${fromKey}|${String(message.id)}`) : undefined);
      const senderPid = hostId(event.from.host);
      const senderTid = threadId(event.from.host, event.from.process);
      const receiverPid = hostId(event.host);
      const receiverTid = threadId(event.host, event.process);
      const args = { from: fromKey, to: toKey, sentAtMs: event.sentAt, atMs: event.time };
      if (event.type === "message.drop") {
        events.push({ name: `send ${label}`, cat: "message", ph: "X", ts: microseconds(event.sentAt), dur: 1, pid: senderPid, tid: senderTid, args: { ...args, dropped: event.reason } });
        events.push({ name: `dropped ${label} (${event.reason})`, cat: "message.drop", ph: "i", s: "t", ts: microseconds(event.time), pid: receiverPid, tid: receiverTid, args: { ...args, reason: event.reason } });
      } else {
        flowId++;
        events.push({ name: `send ${label}`, cat: "message", ph: "X", ts: microseconds(event.sentAt), dur: 1, pid: senderPid, tid: senderTid, args });
        events.push({ name: label, cat: "message", ph: "s", id: flowId, ts: microseconds(event.sentAt), pid: senderPid, tid: senderTid });
        events.push({ name: `receive ${label}`, cat: "message", ph: "X", ts: microseconds(event.time), dur: 1, pid: receiverPid, tid: receiverTid, args: { ...args, duplicate: event.duplicate } });
        events.push({ name: label, cat: "message", ph: "f", bp: "e", id: flowId, ts: microseconds(event.time), pid: receiverPid, tid: receiverTid });
      }
      continue;
    }
    if (event.time < fromMs) continue;
    if (event.type === "timer.fire" && options.timers !== true) continue;
    if (events.length + 1 > exportTraceEventsMax) {
      truncated = true;
      break;
    }
    const category = event.type.split(".")[0]!;
    const fields = event as unknown as Record<string, unknown>;
    if (typeof fields.host === "string") {
      const host = fields.host;
      const pid = hostId(host);
      const process = typeof fields.process === "string" ? fields.process : "";
      const tid = threadId(host, process);
      events.push({ name: event.type, cat: category, ph: "i", s: process === "" ? "p" : "t", ts: microseconds(event.time), pid, tid, args: argumentsOf(event) });
    } else {
      events.push({ name: event.type, cat: category, ph: "i", s: "g", ts: microseconds(event.time), pid: traceNetworkPid, tid: networkTid, args: argumentsOf(event) });
    }
  }
  // A message's sender slice is written when it arrives, so sort by time; the sort is stable, so
  // a flow's start and end stay right after the slices they bind to.
  events.sort((left, right) => left.ts! - right.ts!);
  return {
    traceEvents: [...metadata, ...events],
    displayTimeUnit: "ms",
    otherData: {
      generator: "swarmsim",
      seed: sim.seed,
      traceHash: sim.traceHash(),
      traceLevel: sim.traceInfo.level,
      fromMs,
      toMs,
      evictedEvents: sim.traceInfo.evictedCount,
      truncated: truncated ? `yes, at the exportTraceEventsMax bound (${exportTraceEventsMax})` : "no",
    },
  };
}
