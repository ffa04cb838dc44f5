/**
 * Timelines: the Raft role of every manager over a window of virtual time (from the trace's
 * `raft.state` events, with host crashes and member stops as "down"), and the tasks of every
 * slot of a service over time, state by state (from the store's tasks in the kept history).
 */
import { SimulationError } from "../sim/errors.js";
import type { SimulationEvent } from "../sim/events.js";
import type { Simulation } from "../simulation.js";
import { isTerminal, taskStates, type ClusterState, type Task, type TaskState } from "../swarm/types.js";
import { storeTasks } from "./cluster.js";
import { traceEventsScannedMax } from "./messages.js";
import { compareText, element, escapeXml, formatSecondsLabel, formatValue, legend, niceTicks, raftStateColour, raftStateColours, svgDocument, taskStateColour, textElement, truncate } from "./svg.js";

/** Options of {@link renderRaftTimeline}. */
export interface RaftTimelineOptions {
  /** Start of the window, virtual ms. */
  readonly fromMs: number;
  /** End of the window, virtual ms. */
  readonly toMs: number;
  /** Width of the picture, px (default 900). */
  readonly widthPx?: number;
  /** The picture's title. */
  readonly title?: string;
}

/** Options of {@link renderTaskTimeline}. */
export interface TaskTimelineOptions {
  /** Start of the time axis, virtual ms (default the service's creation). */
  readonly fromMs?: number;
  /** End of the time axis, virtual ms (default now). */
  readonly toMs?: number;
  /** Width of the picture, px (default 900). */
  readonly widthPx?: number;
  /** The picture's title. */
  readonly title?: string;
}

/** Bound `timelineRowsMax`: most rows (managers, slots) a timeline draws. */
export const timelineRowsMax = 100;
/** Bound `timelineSegmentsMax`: most state segments a timeline draws in all. */
export const timelineSegmentsMax = 5_000;

const marginPx = 20;
const labelWidthPx = 110;
const rowHeightPx = 26;
const headerHeightPx = 50;

/** A stretch of one row in one state. */
interface Segment {
  readonly fromMs: number;
  readonly toMs: number;
  readonly state: string;
  readonly label: string;
  readonly tooltip: string;
}

/** A virtual time as an attribute value: ms, to the microsecond. */
function timeAttribute(timeMs: number): string {
  return String(Math.round(timeMs * 1_000) / 1_000);
}

/** The horizontal time scale of a timeline: x of a time, and the axis with ticks in seconds. */
function timeScale(fromMs: number, toMs: number, widthPx: number) {
  const left = marginPx + labelWidthPx;
  const right = widthPx - marginPx;
  const spanMs = Math.max(1e-9, toMs - fromMs);
  const xOf = (timeMs: number) => left + ((Math.min(Math.max(timeMs, fromMs), toMs) - fromMs) / spanMs) * (right - left);
  const axis = (y: number): string => {
    const parts = [element("line", { x1: left, y1: y, x2: right, y2: y, stroke: "#424242" })];
    for (const tick of niceTicks(fromMs / 1_000, toMs / 1_000, 8)) {
      const x = xOf(tick * 1_000);
      parts.push(element("line", { x1: x, y1: y, x2: x, y2: y + 5, stroke: "#424242" }));
      parts.push(textElement(formatValue(tick), { x, y: y + 17, "text-anchor": "middle", "font-size": 10 }));
    }
    parts.push(textElement("virtual time (s)", { x: (left + right) / 2, y: y + 32, "text-anchor": "middle", "font-size": 11 }));
    return element("g", { class: "axis" }, parts.join(""));
  };
  return { xOf, axis, left, right };
}

/** One row: its label and its segments as rectangles. */
function timelineRow(label: string, segments: readonly Segment[], y: number, xOf: (timeMs: number) => number, className: string): string {
  const parts = [textElement(truncate(label, 17), { x: marginPx, y: y + rowHeightPx / 2 + 4, "font-size": 11, "font-weight": "bold" })];
  for (const segment of segments) {
    const x = xOf(segment.fromMs);
    const width = Math.max(1, xOf(segment.toMs) - x);
    parts.push(
      element(
        "g",
        { class: `${className} ${segment.state}`, "data-from-ms": timeAttribute(segment.fromMs), "data-to-ms": timeAttribute(segment.toMs) },
        element("title", {}, escapeXml(segment.tooltip)) +
          element("rect", { x, y: y + 3, width, height: rowHeightPx - 6, fill: segment.state === "earlier" ? "url(#swarmsim-earlier)" : className === "raft-state" ? raftStateColour(segment.state) : taskStateColour(segment.state), stroke: "#ffffff", "stroke-width": 0.5 }) +
          (width > segment.label.length * 6 + 4 ? textElement(segment.label, { x: x + width / 2, y: y + rowHeightPx / 2 + 3.5, "text-anchor": "middle", "font-size": 9, fill: "#212121" }) : ""),
      ),
    );
  }
  return element("g", { class: "row", "data-row": label }, parts.join(""));
}

/**
 * Renders the Raft role of every manager over `[fromMs, toMs]` as an SVG string: one row per
 * host with `raft.state` events in the trace, coloured by role (follower, pre-candidate,
 * candidate, leader) and labelled with the term; grey where the host is crashed or the member
 * stopped, light grey where the trace says nothing (before the first event, or evicted). Needs
 * lifecycle events in the trace (level "lifecycle" or "all").
 */
export function renderRaftTimeline(sim: Simulation, options: RaftTimelineOptions): string {
  const { fromMs, toMs } = options;
  const widthPx = options.widthPx ?? 900;
  const hostOrder = sim.hosts().map((host) => host.name);
  const current = new Map<string, { state: string; term: number; sinceMs: number }>();
  const segments = new Map<string, Segment[]>();
  let segmentCount = 0;
  const close = (host: string, atMs: number) => {
    const open = current.get(host);
    if (open === undefined) return;
    const start = Math.max(open.sinceMs, fromMs);
    const end = Math.min(atMs, toMs);
    if (end > start && segmentCount < timelineSegmentsMax) {
      segmentCount++;
      const label = open.state === "down" || open.state === "unknown" ? open.state : `t${open.term}`;
      const tooltip = `${host}: ${open.state}${open.state === "down" || open.state === "unknown" ? "" : ` in term ${open.term}`} from ${formatSecondsLabel(start)} to ${formatSecondsLabel(end)}`;
      segments.get(host)?.push({ fromMs: start, toMs: end, state: open.state, label, tooltip });
    }
  };
  const move = (host: string, state: string, term: number, atMs: number) => {
    if (!segments.has(host)) {
      segments.set(host, []);
      if (atMs > fromMs) current.set(host, { state: "unknown", term: 0, sinceMs: fromMs });
    }
    close(host, atMs);
    current.set(host, { state, term, sinceMs: atMs });
  };
  const trace = sim.trace;
  const scanned = Math.min(trace.length, traceEventsScannedMax);
  for (let index = 0; index < scanned; index++) {
    const event: SimulationEvent = trace[index]!;
    if (event.time > toMs) break;
    if (event.type === "raft.state") move(event.host, event.state, event.term, event.time);
    else if (event.type === "host.crash" && segments.has(event.host)) move(event.host, "down", 0, event.time);
    else if (event.type === "host.restart" && segments.has(event.host)) move(event.host, "unknown", 0, event.time);
    else if (event.type === "process.stop" && (event.process === "swarm-manager" || event.process === "raft") && segments.has(event.host) && current.get(event.host)?.state !== "down") {
      move(event.host, "down", 0, event.time);
    }
  }
  for (const host of current.keys()) close(host, Math.min(toMs, sim.now));
  const rows = [...segments.keys()].sort((left, right) => hostOrder.indexOf(left) - hostOrder.indexOf(right)).slice(0, timelineRowsMax);

  const scale = timeScale(fromMs, toMs, widthPx);
  const title = options.title ?? `Raft roles from ${formatSecondsLabel(fromMs)} to ${formatSecondsLabel(toMs)}`;
  const body: string[] = [textElement(title, { x: marginPx, y: 22, "font-size": 15, "font-weight": "bold" })];
  body.push(textElement(`${rows.length} member(s); label: term`, { x: marginPx, y: 38, "font-size": 11, fill: "#424242" }));
  rows.forEach((host, index) => body.push(timelineRow(host, segments.get(host) ?? [], headerHeightPx + index * rowHeightPx, scale.xOf, "raft-state")));
  if (rows.length === 0) body.push(textElement("no raft.state events in the trace", { x: marginPx, y: headerHeightPx + 16, fill: "#757575" }));
  const axisY = headerHeightPx + Math.max(1, rows.length) * rowHeightPx + 6;
  body.push(scale.axis(axisY));
  body.push(legend(Object.entries(raftStateColours), marginPx, axisY + 56));
  return svgDocument(widthPx, axisY + 70, title, body);
}

/** One state a task went through, and when it began (its status timestamp), virtual ms. */
export interface TaskStateStep {
  /** The task state. */
  readonly state: TaskState;
  /** When the task entered it, virtual ms (the status timestamp its reporter gave). */
  readonly sinceMs: number;
  /** The status message of that state (`preparing`, `started`, ...). */
  readonly message: string;
  /** The status error, if any (`task: non-zero exit (137)`). */
  readonly error: string;
}

/**
 * Bound `taskTimelineStatesMax`: most states kept for one task. Swarmkit's task states only move
 * forward, so a task goes through at most 14; the bound guards against anything else.
 */
export const taskTimelineStatesMax = 16;

/**
 * The states each of `taskIds` went through, as the managers' store recorded them, oldest first:
 * read from the kept world states (`sim.keptStates()`, at most `historySnapshotsMax` of them)
 * and then `store` (the store now). Each state appears once, with the status timestamp at which
 * the task entered it; states are kept only when they move forward in swarmkit's order, and at
 * most `taskTimelineStatesMax` per task. A state that never reached the store (an agent reports
 * only the latest status of a task with each heartbeat, so `accepted` or `ready` are often
 * skipped), or that the store held only before the oldest kept state, is not in the list.
 */
export function taskStateSteps(sim: Simulation, store: ClusterState, taskIds: readonly string[]): Map<string, TaskStateStep[]> {
  const steps = new Map<string, TaskStateStep[]>(taskIds.map((id) => [id, []]));
  const lastSeen = new Map<string, Task>();
  const record = (task: Task) => {
    if (lastSeen.get(task.id) === task) return;
    lastSeen.set(task.id, task);
    const list = steps.get(task.id)!;
    const last = list[list.length - 1];
    const status = task.status;
    if (last !== undefined && taskStates[status.state] <= taskStates[last.state]) return;
    if (list.length >= taskTimelineStatesMax) return;
    list.push({ state: status.state, sinceMs: Math.max(status.timestamp, last?.sinceMs ?? Number.NEGATIVE_INFINITY), message: status.message, error: status.error });
  };
  let previousTasks: ClusterState["tasks"] | undefined;
  for (const world of sim.keptStates()) {
    const tasks = world.store?.tasks;
    if (tasks === undefined || tasks === previousTasks) continue;
    previousTasks = tasks;
    for (const id of taskIds) {
      const task = tasks[id];
      if (task !== undefined) record(task);
    }
  }
  for (const id of taskIds) {
    const task = store.tasks[id];
    if (task !== undefined) record(task);
  }
  return steps;
}

/**
 * Renders the tasks of service `serviceName` over time as an SVG string: one row per slot
 * (replicated) or node (global), and per task one bar with a stretch per state it went through
 * (new, pending, assigned, preparing, starting, running, ...), each from the time the task
 * entered it, in the state's colour. A live task's last state runs to now; a finished task ends
 * with a mark in its final state's colour (failed, shutdown, complete, rejected). States come from
 * the kept history of the store ({@link taskStateSteps}); the part of a task before the oldest
 * state known is hatched. A replacement that overlaps an old task gets a lane of its own. Reads
 * the tasks of `sim.clusterState()`, which keeps the task history its retention limit allows
 * (default 5 per slot). Throws when the service does not exist.
 */
export function renderTaskTimeline(sim: Simulation, serviceName: string, options: TaskTimelineOptions = {}): string {
  const state = sim.clusterState();
  const service = state === undefined ? undefined : Object.values(state.services).find((candidate) => candidate.spec.name === serviceName);
  if (state === undefined || service === undefined) throw new SimulationError(`renderTaskTimeline: no service named "${serviceName}" in the cluster state`);
  const tasks = storeTasks(state)
    .filter((task) => task.serviceId === service.id)
    .sort((left, right) => left.createdAt - right.createdAt || compareText(left.id, right.id));
  const hostOf = (task: Task) => state.nodes[task.nodeId]?.description.hostname ?? (task.nodeId === "" ? "unassigned" : task.nodeId.slice(0, 8));
  const rowKey = (task: Task) => (task.slot > 0 ? `${serviceName}.${task.slot}` : `${serviceName} @ ${hostOf(task)}`);
  const fromMs = options.fromMs ?? Math.min(service.createdAt, ...tasks.slice(0, 1).map((task) => task.createdAt));
  const toMs = options.toMs ?? sim.now;
  const widthPx = options.widthPx ?? 900;
  const stepsOf = taskStateSteps(sim, state, tasks.map((task) => task.id));
  // Each slot's tasks in lanes: a task goes to the first lane free at its creation, so a
  // replacement that overlaps an old task still reported running gets a lane of its own.
  const rows = new Map<string, Array<{ endMs: number; segments: Segment[]; marks: Array<{ atMs: number; state: string; tooltip: string }> }>>();
  const slotOf = new Map<string, number>();
  let segmentCount = 0;
  for (const task of tasks) {
    const key = rowKey(task);
    if (!rows.has(key)) {
      if (rows.size >= timelineRowsMax) continue;
      rows.set(key, []);
      slotOf.set(key, task.slot);
    }
    const steps = stepsOf.get(task.id) ?? [];
    if (segmentCount + steps.length + 1 > timelineSegmentsMax) break;
    const where = hostOf(task);
    const name = task.name || key;
    const final = steps[steps.length - 1]!;
    const terminal = isTerminal(final.state);
    const endMs = terminal ? final.sinceMs : sim.now;
    const lanes = rows.get(key)!;
    let lane = lanes.find((candidate) => candidate.endMs <= task.createdAt);
    if (lane === undefined) {
      lane = { endMs, segments: [], marks: [] };
      lanes.push(lane);
    }
    lane.endMs = endMs;
    const firstMs = steps[0]!.sinceMs;
    if (firstMs > task.createdAt) {
      lane.segments.push({ fromMs: task.createdAt, toMs: firstMs, state: "earlier", label: where, tooltip: `${name} on ${where}: created ${formatSecondsLabel(task.createdAt)}; its states before ${formatSecondsLabel(firstMs)} are older than the kept history` });
      segmentCount++;
    }
    steps.forEach((step, index) => {
      const next = steps[index + 1];
      const detail = `${step.message === "" ? "" : ` (${step.message})`}${step.error === "" ? "" : `: ${step.error}`}`;
      if (next === undefined && terminal) {
        lane.marks.push({ atMs: step.sinceMs, state: step.state, tooltip: `${name} on ${where}: ${step.state} at ${formatSecondsLabel(step.sinceMs)}${detail}` });
        return;
      }
      const untilMs = next?.sinceMs ?? sim.now;
      const leaving = next === undefined && task.desiredState !== "running" ? ` → ${task.desiredState}` : "";
      const label = next === undefined ? `${step.state} ${where}${leaving}` : step.state;
      const tooltip = `${name} on ${where}: ${step.state}${detail} from ${formatSecondsLabel(step.sinceMs)} ${next === undefined ? `until now (desired ${task.desiredState})` : `to ${formatSecondsLabel(untilMs)}`}`;
      lane.segments.push({ fromMs: step.sinceMs, toMs: untilMs, state: step.state, label, tooltip });
      segmentCount++;
    });
  }
  const rowNames = [...rows.keys()].sort((left, right) => (slotOf.get(left) ?? 0) - (slotOf.get(right) ?? 0) || compareText(left, right));
  const scale = timeScale(fromMs, toMs, widthPx);
  const title = options.title ?? `Tasks of ${serviceName} until ${formatSecondsLabel(toMs)}`;
  const body: string[] = [
    element("defs", {}, element("pattern", { id: "swarmsim-earlier", width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" }, element("rect", { width: 6, height: 6, fill: "#eceff1" }) + element("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: "#b0bec5", "stroke-width": 2 }))),
    textElement(title, { x: marginPx, y: 22, "font-size": 15, "font-weight": "bold" }),
    textElement(`${tasks.length} task(s) in the store, each state from when the store recorded it; hatched: older than the kept history; ▮ end of a finished task`, { x: marginPx, y: 38, "font-size": 11, fill: "#424242" }),
  ];
  let laneCount = 0;
  for (const name of rowNames) {
    (rows.get(name) ?? []).forEach((lane, laneIndex) => {
      const y = headerHeightPx + laneCount * rowHeightPx;
      laneCount++;
      body.push(timelineRow(laneIndex === 0 ? name : "", lane.segments, y, scale.xOf, "task-state"));
      for (const mark of lane.marks) {
        body.push(element("rect", { class: `task-end ${mark.state}`, "data-at-ms": timeAttribute(mark.atMs), x: scale.xOf(mark.atMs) - 2, y: y + 1, width: 4, height: rowHeightPx - 2, fill: taskStateColour(mark.state) }, element("title", {}, escapeXml(mark.tooltip))));
      }
    });
  }
  const axisY = headerHeightPx + Math.max(1, laneCount) * rowHeightPx + 6;
  body.push(scale.axis(axisY));
  const states = ["new", "pending", "assigned", "accepted", "preparing", "ready", "starting", "running", "complete", "shutdown", "failed", "rejected"];
  body.push(legend(states.map((name) => [name, taskStateColour(name)] as const), marginPx, axisY + 56));
  return svgDocument(widthPx, axisY + 70, title, body);
}
