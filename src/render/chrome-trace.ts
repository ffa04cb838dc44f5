/**
 * Export of the trace in the Chrome trace event format (the JSON object form, with
 * `traceEvents`), which Perfetto (ui.perfetto.dev) and chrome://tracing open: one trace
 * "process" per host and one "thread" per simulated process, instant events for faults and
 * state changes, and for every message a short slice at its sender and at its receiver joined by
 * a flow arrow (a dropped message: a slice at the sender and an instant at the receiver).
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
  /** Timestamp, microseconds of virtual time. */
  readonly ts?: number;
  /** Duration of a complete event, microseconds. */
  readonly dur?: number;
  /** The host's number. */
  readonly pid: number;
  /** The process's number on its host (0: the host itself). */
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

/** Fields of a simulation event besides `type`, `time` and `host`, made JSON-safe and short. */
function argumentsOf(event: SimulationEvent): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (key === "type" || key === "time") continue;
    fields[key] = value;
  }
  return fields;
}

/**
 * The retained trace as a Chrome trace event object; `JSON.stringify` it to a `.json` file and
 * open it in Perfetto or chrome://tracing. Hosts are trace processes (numbered in order of
 * addition, registry included), simulated processes are threads named after them (thread 0,
 * `host`, carries host-wide events). Timestamps are virtual microseconds. Messages need trace
 * level "all"; events evicted from the bounded trace are not exported. Deterministic: the same
 * simulation gives the same object.
 */
export function exportTrace(sim: Simulation, options: TraceExportOptions = {}): ChromeTrace {
  const fromMs = options.fromMs ?? 0;
  const toMs = options.toMs ?? sim.now;
  const hostIds = new Map<string, number>();
  const threadIds = new Map<string, Map<string, number>>();
  const metadata: ChromeTraceEvent[] = [];
  const events: ChromeTraceEvent[] = [];
  const hostId = (host: string): number => {
    let id = hostIds.get(host);
    if (id === undefined) {
      id = hostIds.size + 1;
      hostIds.set(host, id);
      threadIds.set(host, new Map());
      metadata.push({ name: "process_name", ph: "M", pid: id, tid: 0, args: { name: host } });
      metadata.push({ name: "process_sort_index", ph: "M", pid: id, tid: 0, args: { sort_index: id } });
      metadata.push({ name: "thread_name", ph: "M", pid: id, tid: 0, args: { name: "host" } });
    }
    return id;
  };
  const threadId = (host: string, process: string): number => {
    const pid = hostId(host);
    const threads = threadIds.get(host)!;
    let id = threads.get(process);
    if (id === undefined) {
      id = threads.size + 1;
      threads.set(process, id);
      metadata.push({ name: "thread_name", ph: "M", pid, tid: id, args: { name: process } });
      metadata.push({ name: "thread_sort_index", ph: "M", pid, tid: id, args: { sort_index: id } });
    }
    return id;
  };
  metadata.push({ name: "process_name", ph: "M", pid: 0, tid: 0, args: { name: "network (cluster-wide events)" } });
  for (const host of sim.hosts()) hostId(host.name);

  const microseconds = (timeMs: number) => Math.round(timeMs * 1_000 * 1_000) / 1_000;
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
      const tid = typeof fields.process === "string" ? threadId(host, fields.process) : 0;
      events.push({ name: event.type, cat: category, ph: "i", s: tid === 0 ? "p" : "t", ts: microseconds(event.time), pid, tid, args: argumentsOf(event) });
    } else {
      events.push({ name: event.type, cat: category, ph: "i", s: "g", ts: microseconds(event.time), pid: 0, tid: 0, args: argumentsOf(event) });
    }
  }
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
