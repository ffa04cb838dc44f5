/**
 * The message diagram: a Lamport (sequence) diagram of a window of virtual time, read from the
 * trace's `message.deliver` and `message.drop` events (recorded at trace level "all"). One
 * lifeline per process, time flowing down, one arrow per message from its sender at the send
 * time to its receiver at the delivery time, labelled with what it carries (a Raft message type,
 * an RPC method). Dropped messages end in a red cross; host crashes and restarts, partitions and
 * heals are marked across the lifelines.
 */
import type { ProcessAddress, SimulationEvent } from "../sim/events.js";
import type { Simulation } from "../simulation.js";
import { compareText, element, escapeXml, formatSecondsLabel, svgDocument, textElement, truncate } from "./svg.js";

/** Bound `messagesDrawnMax`: most messages one diagram draws (the earliest in the window). */
export const messagesDrawnMax = 300;
/** Bound `messageLifelinesMax`: most lifelines (processes) one diagram draws. */
export const messageLifelinesMax = 40;
/** Bound `messageFaultsDrawnMax`: most fault marks (crash, restart, partition, heal) one diagram draws. */
export const messageFaultsDrawnMax = 100;
/** Bound `traceEventsScannedMax`: most trace events read by one diagram or export. */
export const traceEventsScannedMax = 1_000_000;

/** Options of {@link renderMessages} and {@link messagesInWindow}. */
export interface MessageDiagramOptions {
  /** Start of the window, virtual ms: messages sent at or after it. */
  readonly fromMs: number;
  /** End of the window, virtual ms: messages delivered or dropped at or before it. */
  readonly toMs: number;
  /** Only messages between these hosts (both ends); default every host. */
  readonly hosts?: readonly string[];
  /** Only messages between these processes (both ends), by name (`swarm-manager`) or `host/process`; default every process. */
  readonly processes?: readonly string[];
  /** Most messages to draw, at most (and by default) `messagesDrawnMax`. */
  readonly messagesMax?: number;
  /** The picture's title. */
  readonly title?: string;
}

/** One message of the window, as the diagram draws it. */
export interface DiagramMessage {
  /** The sender. */
  readonly from: ProcessAddress;
  /** The receiver. */
  readonly to: ProcessAddress;
  /** When it was sent, virtual ms. */
  readonly sentAtMs: number;
  /** When it was delivered or dropped, virtual ms. */
  readonly atMs: number;
  /** Why it was dropped, or null when delivered. */
  readonly dropReason: string | null;
  /** Whether this is the network's second delivery of one message. */
  readonly duplicate: boolean;
  /** A short label of the content: Raft type and term, RPC method, or the message's first field. */
  readonly label: string;
}

/** A fault or network change in the window. */
export interface DiagramFault {
  /** When, virtual ms. */
  readonly atMs: number;
  /** The event type: `host.crash`, `host.restart`, `network.partition` or `network.heal`. */
  readonly type: "host.crash" | "host.restart" | "network.partition" | "network.heal";
  /** The host of a crash or restart, or null. */
  readonly host: string | null;
  /** A readable description. */
  readonly label: string;
}

/** The messages and faults of a window, from the trace. */
export interface MessageWindow {
  /** The messages drawn, in order of their delivery or drop, at most the bound. */
  readonly messages: readonly DiagramMessage[];
  /** How many messages the window holds (also those past the bound). */
  readonly matchedCount: number;
  /** The faults of the window. */
  readonly faults: readonly DiagramFault[];
}

const labelLengthMax = 30;

/**
 * A short label for a message: `append-request t2 (3)` for Raft (type, term, entries),
 * the method for an RPC request (`heartbeat`, `GET /services` for Engine API calls), `↩ method`
 * for its response when the request was seen, else the message's first field name.
 */
export function messageLabel(message: unknown, requestMethod?: string): string {
  if (typeof message !== "object" || message === null) return typeof message;
  const record = message as Record<string, unknown>;
  const raft = record.raft;
  if (typeof raft === "object" && raft !== null) {
    const raftRecord = raft as Record<string, unknown>;
    const entries = Array.isArray(raftRecord.entries) && raftRecord.entries.length > 0 ? ` (${raftRecord.entries.length})` : "";
    const rejected = raftRecord.granted === false || raftRecord.success === false ? " ✗" : "";
    return truncate(`${String(raftRecord.type)} t${String(raftRecord.term)}${entries}${rejected}`, labelLengthMax);
  }
  if (record.rpc === "request" && typeof record.method === "string") {
    const params = record.params as Record<string, unknown> | undefined;
    if (record.method === "http" && typeof params?.method === "string" && typeof params.path === "string") {
      return truncate(`${params.method} ${params.path.split("?")[0]}`, labelLengthMax);
    }
    return truncate(record.method, labelLengthMax);
  }
  if (record.rpc === "response") {
    const outcome = record.error !== undefined ? " error" : "";
    return truncate(`↩ ${requestMethod ?? "response"}${outcome}`, labelLengthMax);
  }
  const first = Object.keys(record)[0];
  return truncate(first ?? "{}", labelLengthMax);
}

/** Whether an address passes the host and process filters. */
function admitted(address: ProcessAddress, hosts: ReadonlySet<string> | null, processes: ReadonlySet<string> | null): boolean {
  if (hosts !== null && !hosts.has(address.host)) return false;
  if (processes !== null && !processes.has(address.process) && !processes.has(`${address.host}/${address.process}`)) return false;
  return true;
}

/** The key of an RPC exchange between two processes: caller, callee, request id. */
function exchangeKey(caller: ProcessAddress, callee: ProcessAddress, id: unknown): string {
  return `${caller.host}/${caller.process}|${callee.host}/${callee.process}|${String(id)}`;
}

/**
 * The messages (sent at or after `fromMs`, delivered or dropped at or before `toMs`, both ends
 * passing the filters) and the faults of a window, from the trace. Needs trace level "all".
 */
export function messagesInWindow(sim: Simulation, options: MessageDiagramOptions): MessageWindow {
  const { fromMs, toMs } = options;
  const messagesMax = Math.max(0, Math.min(options.messagesMax ?? messagesDrawnMax, messagesDrawnMax));
  const hosts = options.hosts === undefined ? null : new Set(options.hosts);
  const processes = options.processes === undefined ? null : new Set(options.processes);
  const methods = new Map<string, string>();
  const messages: DiagramMessage[] = [];
  const faults: DiagramFault[] = [];
  let matchedCount = 0;
  const trace = sim.trace;
  const scanned = Math.min(trace.length, traceEventsScannedMax);
  for (let index = 0; index < scanned; index++) {
    const event: SimulationEvent = trace[index]!;
    if (event.time > toMs) break;
    if (event.type === "message.deliver" || event.type === "message.drop") {
      const to = { host: event.host, process: event.process };
      const message = event.message as Record<string, unknown> | null;
      const isRequest = typeof message === "object" && message !== null && message.rpc === "request" && typeof message.method === "string";
      if (isRequest) methods.set(exchangeKey(event.from, to, message.id), message.method as string);
      if (event.sentAt < fromMs || !admitted(event.from, hosts, processes) || !admitted(to, hosts, processes)) continue;
      matchedCount++;
      if (messages.length >= messagesMax) continue;
      const isResponse = typeof message === "object" && message !== null && message.rpc === "response";
      const method = isResponse ? methods.get(exchangeKey(to, event.from, message.id)) : undefined;
      messages.push({
        from: event.from,
        to,
        sentAtMs: event.sentAt,
        atMs: event.time,
        dropReason: event.type === "message.drop" ? event.reason : null,
        duplicate: event.type === "message.deliver" && event.duplicate,
        label: messageLabel(event.message, method),
      });
    } else if (event.time >= fromMs && faults.length < messageFaultsDrawnMax) {
      if (event.type === "host.crash" || event.type === "host.restart") {
        if (hosts !== null && !hosts.has(event.host)) continue;
        faults.push({ atMs: event.time, type: event.type, host: event.host, label: `${event.host} ${event.type === "host.crash" ? "crashed" : "restarted"}` });
      } else if (event.type === "network.partition") {
        const [groupA, groupB] = event.groups;
        faults.push({ atMs: event.time, type: event.type, host: null, label: `partition [${groupA.join(" ")}] | [${groupB.join(" ")}]` });
      } else if (event.type === "network.heal") {
        faults.push({ atMs: event.time, type: event.type, host: null, label: "network healed" });
      }
    }
  }
  return { messages, matchedCount, faults };
}

const marginPx = 20;
const axisWidthPx = 92;
const laneWidthPx = 120;
const headerHeightPx = 84;
const rowHeightPx = 18;
/** A gap between consecutive rows longer than this is marked with its length, ms. */
const gapMarkMs = 5;

/**
 * Renders a sequence diagram of the messages in `[fromMs, toMs]` as an SVG string. Time flows
 * down but is not to scale: every distinct instant (a send, a delivery, a drop, a fault) gets a
 * row, in order, and gaps longer than a few ms are labelled with their length, so bursts stay
 * readable. Lifelines are the processes that sent or received a drawn message, grouped by host
 * in the order hosts were added. At most `messagesDrawnMax` messages are drawn (the earliest);
 * the header says how many the window held. Needs `trace: { level: "all" }` and events not yet
 * evicted from the trace.
 */
export function renderMessages(sim: Simulation, options: MessageDiagramOptions): string {
  const window = messagesInWindow(sim, options);
  const hostOrder = new Map(sim.hosts().map((host, index) => [host.name, index]));
  const laneKeys = new Map<string, ProcessAddress>();
  for (const message of window.messages) {
    for (const address of [message.from, message.to]) laneKeys.set(`${address.host}/${address.process}`, address);
  }
  const lanes = [...laneKeys.values()]
    .sort((left, right) => (hostOrder.get(left.host) ?? 0) - (hostOrder.get(right.host) ?? 0) || compareText(left.host, right.host) || compareText(left.process, right.process))
    .slice(0, messageLifelinesMax);
  const laneIndex = new Map(lanes.map((lane, index) => [`${lane.host}/${lane.process}`, index]));
  const drawable = window.messages.filter((message) => laneIndex.has(`${message.from.host}/${message.from.process}`) && laneIndex.has(`${message.to.host}/${message.to.process}`));

  const instants = [...new Set([...drawable.flatMap((message) => [message.sentAtMs, message.atMs]), ...window.faults.map((fault) => fault.atMs)])].sort((left, right) => left - right);
  const rowOf = new Map(instants.map((time, index) => [time, index]));
  const yOf = (timeMs: number) => headerHeightPx + 12 + (rowOf.get(timeMs) ?? 0) * rowHeightPx;
  const laneX = (address: ProcessAddress) => marginPx + axisWidthPx + (laneIndex.get(`${address.host}/${address.process}`) ?? 0) * laneWidthPx + laneWidthPx / 2;
  const widthPx = Math.max(640, marginPx * 2 + axisWidthPx + Math.max(1, lanes.length) * laneWidthPx);
  const bottomPx = yOf(instants[instants.length - 1] ?? 0) + rowHeightPx;
  const heightPx = bottomPx + 30;

  const body: string[] = [];
  body.push(
    element(
      "defs",
      {},
      element("marker", { id: "swarmsim-arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, element("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#37474f" })),
    ),
  );
  const title = options.title ?? `Messages from ${formatSecondsLabel(options.fromMs)} to ${formatSecondsLabel(options.toMs)}`;
  body.push(textElement(title, { x: marginPx, y: 22, "font-size": 15, "font-weight": "bold" }));
  const droppedCount = drawable.filter((message) => message.dropReason !== null).length;
  const notDrawn = window.matchedCount - drawable.length;
  body.push(
    textElement(
      `${drawable.length} message(s) drawn, ${droppedCount} dropped (✗)${notDrawn > 0 ? `; ${notDrawn} more in the window not drawn (bound ${messagesDrawnMax}, ${messageLifelinesMax} lifelines)` : ""}; time runs down, not to scale`,
      { x: marginPx, y: 38, "font-size": 11, fill: "#424242" },
    ),
  );
  if (sim.traceInfo.level !== "all") {
    body.push(textElement(`trace level is "${sim.traceInfo.level}": messages are not recorded (use trace: { level: "all" })`, { x: marginPx, y: 54, "font-size": 11, fill: "#d32f2f" }));
  }

  // Lifelines, with alternating bands per host.
  let previousHost = "";
  let band = 0;
  lanes.forEach((lane) => {
    const x = laneX(lane);
    if (lane.host !== previousHost) {
      band++;
      previousHost = lane.host;
    }
    body.push(element("rect", { x: x - laneWidthPx / 2, y: headerHeightPx - 28, width: laneWidthPx, height: bottomPx - headerHeightPx + 28, fill: band % 2 === 0 ? "#f5f5f5" : "#fafafa" }));
    body.push(
      element(
        "g",
        { class: "lifeline", "data-process": `${lane.host}/${lane.process}` },
        textElement(truncate(lane.host, 18), { x, y: headerHeightPx - 16, "text-anchor": "middle", "font-size": 11, "font-weight": "bold" }) +
          textElement(truncate(lane.process, 20), { x, y: headerHeightPx - 3, "text-anchor": "middle", "font-size": 10, fill: "#424242" }) +
          element("line", { x1: x, y1: headerHeightPx + 2, x2: x, y2: bottomPx, stroke: "#90a4ae", "stroke-dasharray": "3 3" }),
      ),
    );
  });

  // The time axis: every row's time, and the length of long gaps.
  instants.forEach((time, index) => {
    const y = yOf(time);
    body.push(textElement(formatSecondsLabel(time), { x: marginPx + axisWidthPx - 8, y: y + 3, "text-anchor": "end", "font-size": 9, fill: "#616161" }));
    const previous = instants[index - 1];
    if (previous !== undefined && time - previous > gapMarkMs) {
      const gapY = y - rowHeightPx / 2;
      body.push(element("line", { x1: marginPx + axisWidthPx, y1: gapY, x2: widthPx - marginPx, y2: gapY, stroke: "#cfd8dc", "stroke-dasharray": "1 3" }));
      body.push(textElement(`+${(time - previous).toFixed(1)} ms`, { x: marginPx, y: gapY + 3, "font-size": 8, fill: "#9e9e9e" }));
    }
  });

  // Faults across the lifelines.
  for (const fault of window.faults) {
    const y = yOf(fault.atMs);
    const colour = fault.type === "host.crash" || fault.type === "network.partition" ? "#d32f2f" : "#2e7d32";
    let x1 = marginPx + axisWidthPx;
    let x2 = widthPx - marginPx;
    if (fault.host !== null) {
      const hostLanes = lanes.filter((lane) => lane.host === fault.host).map((lane) => laneX(lane));
      if (hostLanes.length > 0) {
        x1 = Math.min(...hostLanes) - laneWidthPx / 2 + 4;
        x2 = Math.max(...hostLanes) + laneWidthPx / 2 - 4;
      }
    }
    body.push(
      element(
        "g",
        { class: `fault ${fault.type.replace(".", "-")}` },
        element("line", { x1, y1: y, x2, y2: y, stroke: colour, "stroke-width": fault.host === null ? 2 : 4, "stroke-dasharray": fault.host === null ? "8 4" : undefined, opacity: 0.8 }) +
          textElement(fault.label, { x: x1 + 4, y: y - 4, "font-size": 10, "font-weight": "bold", fill: colour }),
      ),
    );
  }

  // The messages.
  for (const message of drawable) {
    const x1 = laneX(message.from);
    const x2 = laneX(message.to);
    const y1 = yOf(message.sentAtMs);
    const y2 = yOf(message.atMs);
    const tooltip = element("title", {}, escapeXml(`${message.from.host}/${message.from.process} → ${message.to.host}/${message.to.process}: ${message.label}; sent ${formatSecondsLabel(message.sentAtMs)}, ${message.dropReason === null ? "delivered" : `dropped (${message.dropReason})`} ${formatSecondsLabel(message.atMs)}`));
    const selfMessage = x1 === x2;
    if (message.dropReason === null) {
      const path = selfMessage
        ? `M ${round(x1)} ${round(y1)} C ${round(x1 + 40)} ${round(y1)} ${round(x1 + 40)} ${round(y2 + 6)} ${round(x2 + 2)} ${round(y2 + 6)}`
        : `M ${round(x1)} ${round(y1)} L ${round(x2)} ${round(y2)}`;
      body.push(
        element(
          "g",
          { class: `message${message.duplicate ? " duplicate" : ""}` },
          tooltip +
            element("path", { d: path, fill: "none", stroke: message.duplicate ? "#8e24aa" : "#37474f", "stroke-width": 1, "marker-end": "url(#swarmsim-arrow)" }) +
            messageText(message.label + (message.duplicate ? " (dup)" : ""), x1, y1, x2, y2, "#263238"),
        ),
      );
    } else {
      const endX = selfMessage ? x1 + 30 : x1 + (x2 - x1) * 0.75;
      body.push(
        element(
          "g",
          { class: "message dropped" },
          tooltip +
            element("line", { x1, y1, x2: endX, y2, stroke: "#d32f2f", "stroke-width": 1, "stroke-dasharray": "4 2" }) +
            element("path", { class: "cross", d: `M ${round(endX - 4)} ${round(y2 - 4)} l 8 8 m 0 -8 l -8 8`, stroke: "#d32f2f", "stroke-width": 2 }) +
            messageText(`${message.label} ✗ ${message.dropReason}`, x1, y1, endX, y2, "#c62828"),
        ),
      );
    }
  }
  if (drawable.length === 0) body.push(textElement("no messages in this window", { x: marginPx, y: headerHeightPx + 20, fill: "#757575" }));
  return svgDocument(widthPx, heightPx, title, body);
}

/** A coordinate rounded to two decimals, for path data. */
function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A message's label at the middle of its arrow, with a white halo to stay readable over lines. */
function messageText(label: string, x1: number, y1: number, x2: number, y2: number, colour: string): string {
  return textElement(label, {
    x: (x1 + x2) / 2,
    y: (y1 + y2) / 2 - 3,
    "text-anchor": "middle",
    "font-size": 9,
    fill: colour,
    stroke: "#ffffff",
    "stroke-width": 3,
    "paint-order": "stroke",
  });
}
