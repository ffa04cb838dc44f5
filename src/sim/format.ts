/**
 * Readable one-line renderings of trace events, for demos, notebooks and failure reports:
 * `   3.000s manager2     host.crash`.
 */
import type { SimulationEvent } from "./events.js";

/** Virtual milliseconds as seconds with millisecond precision, e.g. `12.350s`. */
export function formatSeconds(timeMs: number): string {
  return `${(timeMs / 1000).toFixed(3)}s`;
}

function summarize(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** One event as a line: time, host, type and the interesting fields. */
export function formatTraceEvent(event: SimulationEvent): string {
  const time = formatSeconds(event.time).padStart(10);
  const host = ("host" in event ? event.host : "").padEnd(10);
  let detail: string;
  switch (event.type) {
    case "message.deliver":
      detail = `${event.from.host}/${event.from.process} -> ${event.process}${event.duplicate ? " (duplicate)" : ""} ${summarize(event.message)}`;
      break;
    case "message.drop":
      detail = `${event.from.host}/${event.from.process} -> ${event.process} dropped (${event.reason}) ${summarize(event.message)}`;
      break;
    case "timer.fire":
      detail = `${event.process} ${summarize(event.payload)}`;
      break;
    case "process.start":
      detail = `${event.process} pid ${event.pid}${event.parent ? ` (parent ${event.parent})` : ""}`;
      break;
    case "process.stop":
      detail = `${event.process} pid ${event.pid} ${event.reason}${event.exitCode === null ? "" : ` (exit ${event.exitCode})`}`;
      break;
    case "process.log":
      detail = `${event.process}: ${event.text}`;
      break;
    case "network.partition":
      detail = `[${event.groups[0].join(" ")}] | [${event.groups[1].join(" ")}]`;
      break;
    case "network.link":
      detail = `${event.from} ${event.oneWay ? "->" : "<->"} ${event.to} ${summarize(event.settings)}`;
      break;
    case "network.link.reset":
      detail = `${event.from} ${event.oneWay ? "->" : "<->"} ${event.to}`;
      break;
    default: {
      const { type: _type, time: _time, host: _host, ...rest } = event as SimulationEvent & { host?: string };
      detail = Object.keys(rest).length > 0 ? summarize(rest) : "";
    }
  }
  return `${time} ${host} ${event.type.padEnd(18)} ${detail}`.trimEnd();
}
