/**
 * The host view: the process tree of one host as `ps -ef --forest` shows it (the same
 * processes and parent links `formatProcessTree` prints), drawn as boxes with parent links as
 * lines: containerd, dockerd and its swarm processes, one shim per container and the container
 * under it. Processes that ran on the host and are down now are drawn dashed and grey.
 */
import type { Simulation } from "../simulation.js";
import { element, svgDocument, textElement, truncate } from "./svg.js";

/** Bound `hostProcessesDrawnMax`: most processes (live and down) the host view draws. */
export const hostProcessesDrawnMax = 200;
/** Bound `hostContainerNamesScannedMax`: most trace events read to name containers. */
export const hostContainerNamesScannedMax = 100_000;

/** One process of the picture. */
interface ProcessBox {
  readonly name: string;
  readonly pid: number | null;
  readonly parent: string | null;
  readonly up: boolean;
}

const rowHeightPx = 30;
const indentPx = 44;
const boxWidthPx = 330;
const marginPx = 20;
const headerHeightPx = 50;

/**
 * Renders the processes of `hostName` as an SVG string: one box per process (name, PID and,
 * for containers, the Docker container name found in the trace), children below and to the right
 * of their parent with an elbow line to it. Processes that were started on the host and are not
 * running now (stopped, crashed, or lost with the host) are drawn dashed and grey, without a
 * PID. Does not advance time.
 */
export function renderHost(sim: Simulation, hostName: string): string {
  const host = sim.host(hostName);
  const live = host.processes();
  const liveNames = new Set(live.map((process) => process.name));
  const boxes: ProcessBox[] = live.map((process) => ({ name: process.name, pid: process.pid, parent: process.parent, up: true }));
  for (const unit of host.units.values()) {
    if (boxes.length >= hostProcessesDrawnMax) break;
    if (liveNames.has(unit.name)) continue;
    boxes.push({ name: unit.name, pid: null, parent: unit.options.parent ?? null, up: false });
  }
  const drawn = boxes.slice(0, hostProcessesDrawnMax);
  // Every process ever started here is a unit (live ones included); live ones without a unit are counted too.
  const total = host.units.size + live.filter((process) => !host.units.has(process.name)).length;
  const containerNames = containerNamesOf(sim, hostName);

  // The same forest as formatProcessTree: a parent that is not among the processes makes a root.
  const byName = new Map(drawn.map((box) => [box.name, box]));
  const children = new Map<string | null, ProcessBox[]>();
  for (const box of drawn) {
    const parent = box.parent !== null && byName.has(box.parent) ? box.parent : null;
    children.set(parent, [...(children.get(parent) ?? []), box]);
  }
  const rows: Array<{ box: ProcessBox; depth: number; parentRow: number | null }> = [];
  const visit = (box: ProcessBox, depth: number, parentRow: number | null) => {
    const row = rows.length;
    rows.push({ box, depth, parentRow });
    for (const child of children.get(box.name) ?? []) visit(child, depth + 1, row);
  };
  for (const root of children.get(null) ?? []) visit(root, 0, null);

  const body: string[] = [];
  const title = `Processes of ${hostName} (${host.up ? "up" : "down"}, boot ${host.bootCount}) at ${(sim.now / 1_000).toFixed(3)} s`;
  body.push(textElement(title, { x: marginPx, y: 22, "font-size": 15, "font-weight": "bold" }));
  const downCount = drawn.filter((box) => !box.up).length;
  const hidden = total - drawn.length;
  body.push(
    textElement(`${drawn.length - downCount} running, ${downCount} down${hidden > 0 ? `, ${hidden} not drawn (bound ${hostProcessesDrawnMax})` : ""}; processes without a parent hang from init`, {
      x: marginPx,
      y: 38,
      "font-size": 11,
      fill: "#424242",
    }),
  );
  let depthMax = 0;
  rows.forEach((row, index) => {
    depthMax = Math.max(depthMax, row.depth);
    const x = marginPx + row.depth * indentPx;
    const y = headerHeightPx + index * rowHeightPx;
    if (row.parentRow !== null) {
      const parent = rows[row.parentRow]!;
      const parentX = marginPx + parent.depth * indentPx + 14;
      const parentBottom = headerHeightPx + row.parentRow * rowHeightPx + 22;
      body.push(element("path", { class: "link", d: `M ${parentX} ${parentBottom} V ${y + 11} H ${x}`, fill: "none", stroke: "#78909c", "stroke-width": 1.2 }));
    }
    const { box } = row;
    const kind = processKind(box.name);
    const containerName = kind === "container" ? containerNames.get(box.name.slice("container:".length)) : undefined;
    const label = `${box.name}${containerName === undefined ? "" : ` (${containerName})`}`;
    const detail = box.up ? `pid ${box.pid}` : "down";
    body.push(
      element(
        "g",
        { class: `process ${kind} ${box.up ? "up" : "down"}`, "data-process": box.name },
        element("rect", {
          x,
          y,
          width: boxWidthPx,
          height: 22,
          rx: 4,
          fill: box.up ? kindColours[kind] : "#e0e0e0",
          stroke: box.up ? "#455a64" : "#9e9e9e",
          "stroke-dasharray": box.up ? undefined : "4 3",
        }) +
          textElement(truncate(label, 44), { x: x + 8, y: y + 15, "font-size": 11, fill: box.up ? "#212121" : "#757575" }) +
          textElement(detail, { x: x + boxWidthPx - 8, y: y + 15, "font-size": 10, "text-anchor": "end", fill: box.up ? "#424242" : "#9e9e9e" }),
      ),
    );
  });
  const widthPx = Math.max(520, marginPx * 2 + depthMax * indentPx + boxWidthPx);
  const heightPx = headerHeightPx + Math.max(1, rows.length) * rowHeightPx + marginPx;
  if (rows.length === 0) body.push(textElement("no processes", { x: marginPx, y: headerHeightPx + 15, fill: "#757575" }));
  return svgDocument(widthPx, heightPx, title, body);
}

/** What a process is, from its name: the Engine's and swarm's daemons, shims, containers, others. */
function processKind(name: string): "containerd" | "dockerd" | "swarm" | "shim" | "container" | "other" {
  if (name === "containerd" || name === "dockerd") return name;
  if (name.startsWith("swarm-") || name === "raft") return "swarm";
  if (name.startsWith("shim:")) return "shim";
  if (name.startsWith("container:")) return "container";
  return "other";
}

const kindColours: Readonly<Record<ReturnType<typeof processKind>, string>> = {
  containerd: "#b3e5fc",
  dockerd: "#bbdefb",
  swarm: "#d1c4e9",
  shim: "#ffe0b2",
  container: "#c8e6c9",
  other: "#f5f5f5",
};

/** Docker container names by short id (12 hex digits), from the trace's `engine.container.create` events on the host. */
function containerNamesOf(sim: Simulation, hostName: string): Map<string, string> {
  const names = new Map<string, string>();
  const trace = sim.trace;
  const start = Math.max(0, trace.length - hostContainerNamesScannedMax);
  for (let index = start; index < trace.length; index++) {
    const event = trace[index]!;
    if (event.type === "engine.container.create" && event.host === hostName) names.set(event.id.slice(0, 12), event.name);
  }
  return names;
}
