/**
 * The cluster view: one box per host with its swarm role, availability and status, the Raft
 * role and term of managers, the leader marked, and the host's current tasks as small
 * rectangles coloured by state. Hosts that are down are greyed; hosts cut off from each other by
 * network partitions are drawn in separate groups divided by dashed lines.
 */
import type { Simulation } from "../simulation.js";
import { taskStates, type ClusterState, type SwarmNode, type Task, type TaskState } from "../swarm/types.js";
import { compareText, element, escapeXml, legend, svgDocument, taskStateColour, taskStateColours, textElement, truncate } from "./svg.js";

/** Options of {@link renderCluster}. */
export interface ClusterViewOptions {
  /** Only these hosts, in this order (default the swarm's nodes in order of addition, or every host when there is no swarm). */
  readonly hosts?: readonly string[];
  /** The picture's title (default `Cluster at <time>`). */
  readonly title?: string;
}

/** Bound `clusterHostsDrawnMax`: most hosts the cluster view draws. */
export const clusterHostsDrawnMax = 64;
/** Bound `storeTasksScannedMax`: most tasks of the cluster store a picture reads. */
export const storeTasksScannedMax = 1_000_000;
/** Bound `clusterTasksPerHostDrawnMax`: most task rectangles drawn in one host's box. */
export const clusterTasksPerHostDrawnMax = 48;

const hostWidthPx = 190;
const hostGapPx = 16;
const partitionGapPx = 36;
const taskWidthPx = 42;
const taskHeightPx = 16;
const tasksPerRow = 4;
const marginPx = 20;
const headerHeightPx = 44;
const hostTextHeightPx = 92;

/** What the view shows of one host. */
interface HostFacts {
  readonly name: string;
  readonly address: string;
  readonly up: boolean;
  readonly node: SwarmNode | undefined;
  readonly raft: { readonly state: string; readonly term: number } | undefined;
  readonly leader: boolean;
  readonly tasks: readonly Task[];
}

/**
 * Renders the cluster as an SVG string: hosts as boxes (name, address, role, availability,
 * node status; Raft role and term for managers), the leader with a thick gold border and a
 * "leader" badge, the current (non-terminal) tasks of each node as rectangles coloured by task
 * state and labelled `service.slot`, hosts that are down greyed, and partition groups separated
 * by dashed red lines. Reads `sim.clusterState()` (the most up-to-date live manager's store) and
 * does not advance time; the same simulation state always gives the same string.
 */
export function renderCluster(sim: Simulation, options: ClusterViewOptions = {}): string {
  const state = sim.clusterState();
  const leader = sim.leader();
  const wanted = options.hosts ?? defaultHosts(sim.hosts().map((host) => host.name), state);
  const names = wanted.slice(0, clusterHostsDrawnMax);
  return drawCluster({
    title: options.title ?? `Cluster at ${sim.isoTime()} (virtual ${(sim.now / 1_000).toFixed(3)} s)`,
    state,
    leader,
    facts: names.map((name) => hostFacts(sim, name, state, leader?.host)),
    groups: partitionGroups(sim.network.partitions(), names),
    partitionsNote: `${sim.network.partitions().length} partition(s) in force`,
    hiddenHosts: wanted.length - names.length,
  });
}

/**
 * The cluster view at a past virtual time, drawn from the kept world state `sim.stateAt(timeMs)`
 * (time travel): the same picture as {@link renderCluster} at that time, the partitions then in
 * force included (and the count of links whose settings were changed). Throws as `stateAt` does
 * outside the kept history.
 */
export function renderClusterAt(sim: Simulation, timeMs: number, options: ClusterViewOptions = {}): string {
  const world = sim.stateAt(timeMs);
  const state = world.store ?? undefined;
  const leader = world.leader ?? undefined;
  const wanted = options.hosts ?? defaultHosts(world.hosts.map((host) => host.name), state);
  const names = wanted.slice(0, clusterHostsDrawnMax);
  const facts = names.flatMap((name): HostFacts[] => {
    const host = world.hosts.find((candidate) => candidate.name === name);
    if (host === undefined) return [];
    const member = world.raft.find((candidate) => candidate.host === name);
    const node = state === undefined ? undefined : Object.values(state.nodes).find((candidate) => candidate.description.hostname === name);
    return [{ name, address: host.address, up: host.up, node, raft: host.up && member !== undefined ? { state: member.role, term: member.term } : undefined, leader: host.up && leader?.host === name, tasks: nodeTasks(state, node) }];
  });
  return drawCluster({
    title: options.title ?? `Cluster at ${sim.isoTime(world.timeMs)} (virtual ${(world.timeMs / 1_000).toFixed(3)} s, from the kept history)`,
    state,
    leader,
    facts,
    groups: partitionGroups(world.network.partitions, facts.map((fact) => fact.name)),
    partitionsNote: `${world.network.partitions.length + world.network.partitionsNotKept} partition(s) in force${world.network.links.length > 0 ? `, ${world.network.links.length} link direction(s) changed` : ""}`,
    hiddenHosts: wanted.length - names.length,
  });
}

/** What a cluster picture is drawn from, live or from the kept history. */
interface ClusterModel {
  readonly title: string;
  readonly state: ClusterState | undefined;
  readonly leader: { readonly host: string; readonly term: number } | undefined;
  readonly facts: readonly HostFacts[];
  /** Indexes into `facts`, one list per partition group. */
  readonly groups: readonly (readonly number[])[];
  readonly partitionsNote: string;
  readonly hiddenHosts: number;
}

function drawCluster(model: ClusterModel): string {
  const { state, leader, facts, groups, title } = model;

  const boxHeights = facts.map((host) => hostTextHeightPx + Math.ceil(Math.min(host.tasks.length, clusterTasksPerHostDrawnMax) / tasksPerRow) * (taskHeightPx + 4) + 8);
  const boxHeightPx = Math.max(120, ...boxHeights);
  const body: string[] = [];
  body.push(textElement(title, { x: marginPx, y: 22, "font-size": 15, "font-weight": "bold" }));
  const summary = leader === undefined ? "no leader" : `leader ${leader.host}, term ${leader.term}`;
  const hidden = model.hiddenHosts;
  body.push(
    textElement(`${summary}; ${model.partitionsNote}${hidden > 0 ? `; ${hidden} host(s) not drawn (bound ${clusterHostsDrawnMax})` : ""}`, {
      x: marginPx,
      y: 38,
      "font-size": 11,
      fill: "#424242",
    }),
  );

  let x = marginPx;
  const top = headerHeightPx + 12;
  groups.forEach((group, groupIndex) => {
    if (groupIndex > 0) {
      const lineX = x - hostGapPx + partitionGapPx / 2;
      body.push(element("line", { class: "partition", x1: lineX, y1: top - 8, x2: lineX, y2: top + boxHeightPx + 8, stroke: "#d32f2f", "stroke-width": 2, "stroke-dasharray": "6 4" }));
      body.push(textElement("partition", { x: lineX, y: top + boxHeightPx + 22, "text-anchor": "middle", "font-size": 10, fill: "#d32f2f" }));
      x += partitionGapPx - hostGapPx;
    }
    for (const index of group) {
      body.push(hostBox(facts[index]!, state, x, top, boxHeightPx));
      x += hostWidthPx + hostGapPx;
    }
  });
  const widthPx = Math.max(x - hostGapPx + marginPx, 640);
  const legendY = top + boxHeightPx + 44;
  body.push(legend(Object.entries(taskStateColours).filter(([name]) => ["pending", "assigned", "preparing", "starting", "running", "complete", "shutdown", "failed", "rejected"].includes(name)), marginPx, legendY));
  body.push(element("rect", { x: marginPx, y: legendY + 11, width: 10, height: 10, fill: "#ffffff", stroke: "#b71c1c", "stroke-width": 1.5, "stroke-dasharray": "3 2" }));
  body.push(textElement("dashed outline: the managers want the task stopped, its node has not confirmed; task states as the managers' store has them", { x: marginPx + 14, y: legendY + 20, "font-size": 10 }));
  return svgDocument(widthPx, legendY + 30, title, body);
}

/** The tasks of the store, at most `storeTasksScannedMax` of them. */
export function storeTasks(state: ClusterState): Task[] {
  return Object.values(state.tasks).slice(0, storeTasksScannedMax);
}

/** The hosts that are nodes of the swarm (not, e.g., the simulated registry), or every host when there is no swarm. */
function defaultHosts(all: readonly string[], state: ClusterState | undefined): string[] {
  if (state === undefined) return [...all];
  const nodeHosts = new Set(Object.values(state.nodes).map((node) => node.description.hostname));
  const swarmHosts = all.filter((name) => nodeHosts.has(name));
  return swarmHosts.length > 0 ? swarmHosts : [...all];
}

function hostFacts(sim: Simulation, name: string, state: ClusterState | undefined, leaderHost: string | undefined): HostFacts {
  const host = sim.host(name);
  const node = state === undefined ? undefined : Object.values(state.nodes).find((candidate) => candidate.description.hostname === name);
  let raft: HostFacts["raft"];
  if (host.up) {
    try {
      const status = sim.raftStatus(name);
      raft = { state: status.state, term: status.term };
    } catch {
      raft = undefined;
    }
  }
  return { name, address: host.address, up: host.up, node, raft, leader: host.up && leaderHost === name, tasks: nodeTasks(state, node) };
}

/** A node's current (non-terminal) tasks in the store, in service, slot and id order. */
function nodeTasks(state: ClusterState | undefined, node: SwarmNode | undefined): Task[] {
  if (state === undefined || node === undefined) return [];
  return storeTasks(state)
    .filter((task) => task.nodeId === node.id && !isTerminalState(task.status.state))
    .sort((left, right) => compareText(left.serviceId, right.serviceId) || left.slot - right.slot || compareText(left.id, right.id));
}

/** A task state's position in swarmkit's order (unknown states first). */
function taskOrder(state: string): number {
  return Object.hasOwn(taskStates, state) ? taskStates[state as TaskState] : -1;
}

/** Whether a task in `state` has finished (swarmkit: complete and every state after it). */
function isTerminalState(state: string): boolean {
  return ["complete", "shutdown", "failed", "rejected", "remove", "orphaned"].includes(state);
}

/**
 * Groups hosts by the side of every partition they are on: hosts in the same group can reach
 * each other as far as partitions go. Returns indexes into `names`, groups in first-host order.
 */
function partitionGroups(partitions: ReadonlyArray<readonly [readonly string[], readonly string[]]>, names: readonly string[]): number[][] {
  const groups = new Map<string, number[]>();
  names.forEach((name, index) => {
    const signature = partitions.map(([groupA, groupB]) => (groupA.includes(name) ? "a" : groupB.includes(name) ? "b" : "-")).join("");
    groups.set(signature, [...(groups.get(signature) ?? []), index]);
  });
  return [...groups.values()];
}

function hostBox(host: HostFacts, state: ClusterState | undefined, x: number, y: number, heightPx: number): string {
  const parts: string[] = [];
  const classes = ["host", host.up ? "up" : "down", ...(host.leader ? ["leader"] : [])].join(" ");
  parts.push(
    element("rect", {
      x,
      y,
      width: hostWidthPx,
      height: heightPx,
      rx: 6,
      fill: host.up ? "#fafafa" : "#bdbdbd",
      stroke: host.leader ? "#f9a825" : host.up ? "#546e7a" : "#757575",
      "stroke-width": host.leader ? 4 : 1.5,
      "stroke-dasharray": host.up ? undefined : "4 3",
    }),
  );
  const ink = host.up ? "#212121" : "#616161";
  parts.push(textElement(host.name, { x: x + 10, y: y + 20, "font-size": 14, "font-weight": "bold", fill: ink }));
  if (host.leader) {
    parts.push(element("rect", { x: x + hostWidthPx - 62, y: y + 7, width: 54, height: 17, rx: 8, fill: "#f9a825" }));
    parts.push(textElement("leader", { x: x + hostWidthPx - 35, y: y + 19, "font-size": 11, "font-weight": "bold", "text-anchor": "middle", fill: "#ffffff" }));
  }
  if (!host.up) {
    parts.push(element("rect", { x: x + hostWidthPx - 52, y: y + 7, width: 44, height: 17, rx: 8, fill: "#424242" }));
    parts.push(textElement("down", { x: x + hostWidthPx - 30, y: y + 19, "font-size": 11, "font-weight": "bold", "text-anchor": "middle", fill: "#ffffff" }));
  }
  parts.push(textElement(host.address, { x: x + 10, y: y + 35, "font-size": 10, fill: "#616161" }));
  const node = host.node;
  const roleLine = node === undefined ? "not in the swarm" : `${node.role} · ${node.spec.availability} · ${node.status.state}`;
  parts.push(textElement(roleLine, { x: x + 10, y: y + 52, "font-size": 11, fill: ink }));
  const raftLine = !host.up
    ? node?.role === "manager"
      ? "raft: down (host off)"
      : ""
    : host.raft === undefined
      ? node?.role === "manager"
        ? "raft: not running"
        : ""
      : `raft: ${host.raft.state}, term ${host.raft.term}`;
  if (raftLine !== "") parts.push(textElement(raftLine, { x: x + 10, y: y + 68, "font-size": 11, fill: ink }));
  const drawn = host.tasks.slice(0, clusterTasksPerHostDrawnMax);
  const overflow = host.tasks.length - drawn.length;
  parts.push(textElement(`${host.tasks.length} task(s)${overflow > 0 ? `, ${overflow} not drawn` : ""}`, { x: x + 10, y: y + 84, "font-size": 10, fill: "#616161" }));
  drawn.forEach((task, index) => {
    const taskX = x + 10 + (index % tasksPerRow) * (taskWidthPx + 2);
    const taskY = y + hostTextHeightPx + Math.floor(index / tasksPerRow) * (taskHeightPx + 4);
    const service = state?.services[task.serviceId]?.spec.name ?? task.serviceId.slice(0, 6);
    const label = task.slot > 0 ? `${service}.${task.slot}` : service;
    // A task the managers want stopped that still reports its old state (e.g. on an unreachable node).
    const leaving = task.desiredState !== task.status.state && task.desiredState !== "running" && taskOrder(task.desiredState) > taskOrder(task.status.state);
    parts.push(
      element(
        "g",
        { class: `task ${task.status.state}${leaving ? " leaving" : ""}` },
        element("title", {}, escapeXml(`${task.name || label} ${task.status.state} (desired ${task.desiredState})${leaving ? "; the managers want it stopped" : ""}`)) +
          element("rect", {
            x: taskX,
            y: taskY,
            width: taskWidthPx,
            height: taskHeightPx,
            rx: 2,
            fill: taskStateColour(task.status.state),
            stroke: leaving ? "#b71c1c" : "#37474f",
            "stroke-width": leaving ? 1.5 : 0.5,
            "stroke-dasharray": leaving ? "3 2" : undefined,
            opacity: host.up ? undefined : 0.5,
          }) +
          textElement(truncate(label, 8), { x: taskX + taskWidthPx / 2, y: taskY + 11.5, "font-size": 9, "text-anchor": "middle", fill: "#ffffff" }),
      ),
    );
  });
  return element("g", { class: classes, "data-host": host.name }, parts.join(""));
}
