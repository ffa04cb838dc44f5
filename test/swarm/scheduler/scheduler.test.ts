// The scheduler end to end: spreading over the fewest tasks, placement preferences, filters and
// their explanations, pre-assigned tasks, recent failures, which tasks count, and determinism.
import { describe, expect, it } from "vitest";
import { assignedMessage, maxFailures, monitorFailuresMs, preassignedMessage, scheduleTasks } from "../../../src/swarm/scheduler/index.js";
import type { ClusterState, SwarmNode, Task } from "../../../src/swarm/types.js";
import { countByNode, hostPort, makeNode, makeService, makeState, makeTask, makeTaskSpec, pendingTasks } from "./fixtures.js";

const nowMs = 3_600_000;

function running(id: string, nodeId: string, options: Parameters<typeof makeTask>[1] = {}): Task {
  return makeTask(id, { state: "running", nodeId, ...options });
}

function schedule(state: ClusterState) {
  return scheduleTasks(state, { nowMs });
}

describe("spreading", () => {
  it("fills the nodes with the fewest tasks of the service first", () => {
    const state = makeState({
      nodes: [makeNode("node1"), makeNode("node2"), makeNode("node3")],
      services: [makeService("web")],
      tasks: [running("r1", "node1"), running("r2", "node1"), running("r3", "node2"), ...pendingTasks(3)],
    });
    const decisions = schedule(state);
    expect(decisions.unassigned).toEqual([]);
    expect(countByNode(decisions.assignments)).toEqual({ node2: 1, node3: 2 });
    expect(decisions.assignments.every((assignment) => assignment.message === assignedMessage)).toBe(true);
  });

  it("breaks ties on the service's tasks by the node's total tasks, then by node id", () => {
    const state = makeState({
      nodes: [makeNode("node1"), makeNode("node2"), makeNode("node3")],
      services: [makeService("web"), makeService("db")],
      tasks: [running("d1", "node1", { serviceId: "db" }), running("d2", "node2", { serviceId: "db" }), ...pendingTasks(1)],
    });
    expect(schedule(state).assignments).toEqual([{ taskId: "task1", nodeId: "node3", message: assignedMessage }]);
    const tied = makeState({ nodes: [makeNode("b"), makeNode("a"), makeNode("c")], services: [makeService("web")], tasks: pendingTasks(1) });
    expect(schedule(tied).assignments[0]!.nodeId).toBe("a");
  });

  it("goes round the nodes evenly with many tasks, in slot order", () => {
    const nodes = ["n1", "n2", "n3", "n4"].map((id) => makeNode(id));
    const decisions = schedule(makeState({ nodes, services: [makeService("web")], tasks: pendingTasks(10) }));
    expect(countByNode(decisions.assignments)).toEqual({ n1: 3, n2: 3, n3: 2, n4: 2 });
    expect(decisions.assignments.map((assignment) => assignment.taskId)).toEqual(pendingTasks(10).map((task) => task.id));
  });

  it("does not count tasks being shut down as active, but still counts their resources", () => {
    const state = makeState({
      nodes: [makeNode("node1", { memoryBytes: 2e9 }), makeNode("node2", { memoryBytes: 2e9 })],
      services: [makeService("web")],
      tasks: [
        running("old1", "node1", { desiredState: "shutdown" }),
        running("old2", "node1", { desiredState: "shutdown" }),
        running("big", "node2", { serviceId: "other", desiredState: "shutdown", spec: makeTaskSpec({ memoryBytes: 2e9 }) }),
        running("live", "node2"),
        ...pendingTasks(1, { spec: makeTaskSpec({ memoryBytes: 1e9 }) }),
      ],
    });
    // node1 has no active task of the service (preferred); node2 has no memory left anyway.
    expect(schedule(state).assignments).toEqual([{ taskId: "task1", nodeId: "node1", message: assignedMessage }]);
  });
});

describe("placement preferences", () => {
  const zoned = (zones: Record<string, string | undefined>): SwarmNode[] =>
    Object.entries(zones).map(([id, zone]) => makeNode(id, { labels: zone === undefined ? {} : { zone } }));

  it("splits tasks evenly over label values, whatever the number of nodes per value", () => {
    const state = makeState({
      nodes: zoned({ a1: "a", b1: "b", b2: "b", b3: "b" }),
      services: [makeService("web")],
      tasks: pendingTasks(6, { spec: makeTaskSpec({ preferences: ["node.labels.zone"] }) }),
    });
    const counts = countByNode(schedule(state).assignments);
    expect(counts).toEqual({ a1: 3, b1: 1, b2: 1, b3: 1 });
  });

  it("puts nodes without the label in a branch of their own", () => {
    const state = makeState({
      nodes: zoned({ a1: "a", b1: "b", none1: undefined, none2: undefined }),
      services: [makeService("web")],
      tasks: pendingTasks(6, { spec: makeTaskSpec({ preferences: ["node.labels.zone"] }) }),
    });
    expect(countByNode(schedule(state).assignments)).toEqual({ a1: 2, b1: 2, none1: 1, none2: 1 });
  });

  it("counts the service's existing tasks per branch and gives remainders in value order", () => {
    const state = makeState({
      nodes: zoned({ a1: "a", b1: "b", c1: "c" }),
      services: [makeService("web")],
      tasks: [running("r1", "a1"), running("r2", "a1"), ...pendingTasks(5, { spec: makeTaskSpec({ preferences: ["node.labels.zone"] }) })],
    });
    // 7 tasks over 3 zones: 3, 2, 2 with the remainder to the first value; a already has 2.
    expect(countByNode(schedule(state).assignments)).toEqual({ a1: 1, b1: 2, c1: 2 });
  });

  it("gives a full branch's share to the others", () => {
    const state = makeState({
      nodes: [makeNode("a1", { labels: { zone: "a" }, memoryBytes: 1e9 }), makeNode("b1", { labels: { zone: "b" } }), makeNode("b2", { labels: { zone: "b" } })],
      services: [makeService("web")],
      tasks: pendingTasks(6, { spec: makeTaskSpec({ preferences: ["node.labels.zone"], memoryBytes: 1e9 }) }),
    });
    const decisions = schedule(state);
    // b gets 3, then 2 more once a is full; the fill pass stays on a node until the next is strictly better.
    expect(countByNode(decisions.assignments)).toEqual({ a1: 1, b1: 2, b2: 3 });
    expect(decisions.unassigned).toEqual([]);
  });

  it("nests several preferences", () => {
    const nodes = [
      makeNode("a-r1", { labels: { zone: "a", rack: "1" } }),
      makeNode("a-r2", { labels: { zone: "a", rack: "2" } }),
      makeNode("b-r1", { labels: { zone: "b", rack: "1" } }),
      makeNode("b-r1-bis", { labels: { zone: "b", rack: "1" } }),
    ];
    const state = makeState({ nodes, services: [makeService("web")], tasks: pendingTasks(8, { spec: makeTaskSpec({ preferences: ["node.labels.zone", "node.labels.rack"] }) }) });
    expect(countByNode(schedule(state).assignments)).toEqual({ "a-r1": 2, "a-r2": 2, "b-r1": 2, "b-r1-bis": 2 });
    const uneven = makeState({ nodes, services: [makeService("web")], tasks: pendingTasks(4, { spec: makeTaskSpec({ preferences: ["node.labels.zone", "node.labels.rack"] }) }) });
    expect(countByNode(schedule(uneven).assignments)).toEqual({ "a-r1": 1, "a-r2": 1, "b-r1": 1, "b-r1-bis": 1 });
  });

  it("ignores descriptors swarmkit does not support", () => {
    const state = makeState({
      nodes: zoned({ a1: "a", b1: "b", b2: "b" }),
      services: [makeService("web")],
      tasks: pendingTasks(3, { spec: makeTaskSpec({ preferences: ["node.hostname"] }) }),
    });
    expect(countByNode(schedule(state).assignments)).toEqual({ a1: 1, b1: 1, b2: 1 });
  });

  it("spreads over engine labels", () => {
    const state = makeState({
      nodes: [makeNode("x1", { engineLabels: { disk: "ssd" } }), makeNode("y1", { engineLabels: { disk: "hdd" } }), makeNode("y2", { engineLabels: { disk: "hdd" } })],
      services: [makeService("web")],
      tasks: pendingTasks(4, { spec: makeTaskSpec({ preferences: ["engine.labels.disk"] }) }),
    });
    expect(countByNode(schedule(state).assignments)).toEqual({ x1: 2, y1: 1, y2: 1 });
  });
});

describe("filters and explanations", () => {
  it("says `no suitable node` when there are no nodes", () => {
    const decisions = schedule(makeState({ services: [makeService("web")], tasks: pendingTasks(2) }));
    expect(decisions.assignments).toEqual([]);
    expect(decisions.unassigned).toEqual([
      { taskId: "task1", explanation: "no suitable node" },
      { taskId: "task2", explanation: "no suitable node" },
    ]);
  });

  it("lists the rejections, most first", () => {
    const state = makeState({
      nodes: [makeNode("n1", { labels: { zone: "b" } }), makeNode("n2", { labels: { zone: "b" } }), makeNode("n3"), makeNode("n4", { labels: { zone: "a" }, memoryBytes: 1e9 })],
      services: [makeService("web")],
      tasks: pendingTasks(1, { spec: makeTaskSpec({ constraints: ["node.labels.zone==a"], memoryBytes: 2e9 }) }),
    });
    expect(schedule(state).unassigned).toEqual([{ taskId: "task1", explanation: "no suitable node (scheduling constraints not satisfied on 3 nodes; insufficient resources on 1 node)" }]);
  });

  it("matches swarmkit's not-ready test", () => {
    const state = makeState({
      nodes: [makeNode("underprovisioned", { memoryBytes: 1e9 }), makeNode("nonready1", { state: "down" }), makeNode("nonready2", { state: "unknown" })],
      services: [makeService("web")],
      tasks: pendingTasks(1, { spec: makeTaskSpec({ memoryBytes: 2e9 }) }),
    });
    expect(schedule(state).unassigned[0]!.explanation).toBe("no suitable node (2 nodes not available for new tasks; insufficient resources on 1 node)");
  });

  it("counts only rejections since the last node that passed, in node-id order", () => {
    const spec = makeTaskSpec({ constraints: ["node.labels.zone==a"], memoryBytes: 1e9 });
    const fits = makeNode("m-fits", { labels: { zone: "a" }, memoryBytes: 1e9 });
    const before = makeState({ nodes: [fits, makeNode("z1"), makeNode("z2")], services: [makeService("web")], tasks: pendingTasks(2, { spec }) });
    const decisionsBefore = schedule(before);
    expect(decisionsBefore.assignments.map((assignment) => assignment.nodeId)).toEqual(["m-fits"]);
    expect(decisionsBefore.unassigned[0]!.explanation).toBe("no suitable node (scheduling constraints not satisfied on 2 nodes; insufficient resources on 1 node)");
    const after = makeState({ nodes: [fits, makeNode("a1"), makeNode("a2")], services: [makeService("web")], tasks: pendingTasks(2, { spec }) });
    expect(schedule(after).unassigned[0]!.explanation).toBe("no suitable node (insufficient resources on 1 node)");
  });

  it("keeps host-mode ports to one task per node", () => {
    const state = makeState({
      nodes: [makeNode("n1"), makeNode("n2"), makeNode("n3")],
      services: [makeService("web", { ports: [hostPort(8080)] }), makeService("other", { ports: [hostPort(9090)] })],
      tasks: [running("o1", "n3", { serviceId: "other" }), ...pendingTasks(4)],
    });
    const decisions = schedule(state);
    expect(countByNode(decisions.assignments)).toEqual({ n1: 1, n2: 1, n3: 1 });
    expect(decisions.unassigned).toEqual([{ taskId: "task4", explanation: "no suitable node (host-mode port already in use on 3 nodes)" }]);
    const taken = makeState({
      nodes: [makeNode("n1"), makeNode("n2")],
      services: [makeService("web", { ports: [hostPort(8080)] })],
      tasks: [running("r1", "n1"), running("r2", "n2"), ...pendingTasks(1)],
    });
    expect(schedule(taken).unassigned[0]!.explanation).toBe("no suitable node (host-mode port already in use on 2 nodes)");
  });

  it("respects maxReplicas", () => {
    const spec = makeTaskSpec({ maxReplicas: 2 });
    const state = makeState({
      nodes: [makeNode("n1"), makeNode("n2")],
      services: [makeService("web", { task: spec })],
      tasks: [running("r1", "n1", { spec }), ...pendingTasks(4, { spec })],
    });
    const decisions = schedule(state);
    expect(countByNode(decisions.assignments)).toEqual({ n1: 1, n2: 2 });
    expect(decisions.unassigned).toEqual([{ taskId: "task4", explanation: "no suitable node (max replicas per node limit exceed)" }]);
  });

  it("checks platforms", () => {
    const spec = makeTaskSpec({ platforms: [{ architecture: "arm64", os: "linux" }] });
    const state = makeState({ nodes: [makeNode("n1"), makeNode("n2"), makeNode("n3", { os: "windows", architecture: "arm64" })], services: [makeService("web")], tasks: pendingTasks(1, { spec }) });
    expect(schedule(state).unassigned[0]!.explanation).toBe("no suitable node (unsupported platform on 3 nodes)");
    const withArm = makeState({ nodes: [makeNode("n1"), makeNode("pi", { architecture: "aarch64" })], services: [makeService("web")], tasks: pendingTasks(1, { spec }) });
    expect(schedule(withArm).assignments[0]!.nodeId).toBe("pi");
  });

  it("places constrained tasks only on matching nodes", () => {
    const spec = makeTaskSpec({ constraints: ["node.role==manager"] });
    const state = makeState({ nodes: [makeNode("w1"), makeNode("m1", { role: "manager" }), makeNode("w2")], services: [makeService("web")], tasks: pendingTasks(3, { spec }) });
    expect(countByNode(schedule(state).assignments)).toEqual({ m1: 3 });
  });
});

describe("pre-assigned tasks", () => {
  it("confirms them on their node first, before grouped tasks take resources", () => {
    const global = makeTaskSpec({ memoryBytes: 6e9 });
    const state = makeState({
      nodes: [makeNode("n1", { memoryBytes: 8e9 })],
      services: [makeService("agent", { global: true, task: global }), makeService("web")],
      tasks: [
        makeTask("zz-global", { serviceId: "agent", nodeId: "n1", slot: 0, spec: global }),
        ...pendingTasks(1, { spec: makeTaskSpec({ memoryBytes: 4e9 }) }),
      ],
    });
    const decisions = schedule(state);
    expect(decisions.assignments).toEqual([{ taskId: "zz-global", nodeId: "n1", message: preassignedMessage }]);
    expect(decisions.unassigned).toEqual([{ taskId: "task1", explanation: "no suitable node (insufficient resources on 1 node)" }]);
  });

  it("explains a refusal without the `no suitable node` wrapper, and skips tasks of unknown nodes", () => {
    const state = makeState({
      nodes: [makeNode("n1", { availability: "drain" })],
      services: [makeService("agent", { global: true })],
      tasks: [makeTask("g1", { serviceId: "agent", nodeId: "n1", slot: 0 }), makeTask("g2", { serviceId: "agent", nodeId: "gone", slot: 0 })],
    });
    expect(schedule(state)).toEqual({ assignments: [], unassigned: [{ taskId: "g1", explanation: "1 node not available for new tasks" }] });
  });
});

describe("recent failures", () => {
  const failed = (id: string, nodeId: string, timestampMs: number, serviceVersion = 1): Task =>
    makeTask(id, { state: id.startsWith("rej") ? "rejected" : "failed", desiredState: "shutdown", nodeId, timestampMs, serviceVersion });

  it("puts a node with maxFailures recent failures of the service version last (swarmkit's TestSchedulerFaultyNode)", () => {
    expect(maxFailures).toBe(5);
    expect(monitorFailuresMs).toBe(300_000);
    const base = [makeNode("id1"), makeNode("id2")];
    const failures = (count: number, timestampMs = nowMs - 1_000, serviceVersion = 1) =>
      Array.from({ length: count }, (_, index) => failed(`${index % 2 === 0 ? "fail" : "rej"}${index}`, "id2", timestampMs, serviceVersion));
    const place = (tasks: Task[]) => schedule(makeState({ nodes: base, services: [makeService("web")], tasks: [running("r1", "id1"), ...tasks, ...pendingTasks(1)] })).assignments[0]!.nodeId;
    expect(place(failures(4))).toBe("id2");
    expect(place(failures(5))).toBe("id1");
    expect(place(failures(5, nowMs - monitorFailuresMs))).toBe("id1"); // exactly 5 minutes ago still counts
    expect(place(failures(5, nowMs - monitorFailuresMs - 1))).toBe("id2");
    expect(place(failures(5, nowMs, 2))).toBe("id2"); // another service version
  });

  it("places on a failing node when nothing else fits", () => {
    const state = makeState({
      nodes: [makeNode("bad"), makeNode("full", { state: "down" })],
      services: [makeService("web")],
      tasks: [...Array.from({ length: 6 }, (_, index) => failed(`fail${index}`, "bad", nowMs)), ...pendingTasks(2)],
    });
    expect(countByNode(schedule(state).assignments)).toEqual({ bad: 2 });
  });

  it("keeps swarmkit's first pass: the node before a failing one takes the rest", () => {
    const state = makeState({
      nodes: [makeNode("a"), makeNode("b"), makeNode("c")],
      services: [makeService("web")],
      tasks: [...Array.from({ length: 5 }, (_, index) => failed(`fail${index}`, "a", nowMs)), ...pendingTasks(6)],
    });
    // Order: b, c, a (last). After b's first task, c is preferred; a never is, so c keeps taking tasks.
    expect(countByNode(schedule(state).assignments)).toEqual({ b: 1, c: 5 });
  });
});

describe("which tasks are scheduled", () => {
  it("skips pending tasks desired beyond complete and drops tasks of deleted services", () => {
    const state = makeState({
      nodes: [makeNode("n1", { state: "down" })],
      services: [makeService("web")],
      tasks: [makeTask("shutdown", { desiredState: "shutdown" }), makeTask("orphan", { serviceId: "gone" }), makeTask("new", { state: "new" }), makeTask("task1")],
    });
    expect(schedule(state)).toEqual({ assignments: [], unassigned: [{ taskId: "task1", explanation: "no suitable node (1 node not available for new tasks)" }] });
  });

  it("ignores terminal tasks and tasks on unknown nodes when counting", () => {
    const spec = makeTaskSpec({ memoryBytes: 4e9 });
    const state = makeState({
      nodes: [makeNode("n1", { memoryBytes: 4e9 })],
      services: [makeService("web")],
      tasks: [makeTask("done", { state: "complete", nodeId: "n1", spec }), makeTask("dead", { state: "failed", nodeId: "n1", spec }), running("lost", "gone", { spec }), ...pendingTasks(1, { spec })],
    });
    expect(schedule(state).assignments).toEqual([{ taskId: "task1", nodeId: "n1", message: assignedMessage }]);
  });

  it("schedules each service version as its own group, in (service, version) order", () => {
    const nodes = [makeNode("n1", { memoryBytes: 3e9 }), makeNode("n2", { memoryBytes: 3e9 })];
    const v1 = makeTaskSpec({ memoryBytes: 1e9 });
    const v2 = makeTaskSpec({ memoryBytes: 2e9 });
    const state = makeState({
      nodes,
      services: [makeService("web")],
      tasks: [makeTask("x-v2", { serviceVersion: 2, spec: v2, slot: 1 }), makeTask("y-v2", { serviceVersion: 2, spec: v2, slot: 2 }), makeTask("v1", { serviceVersion: 1, spec: v1, slot: 3 })],
    });
    expect(schedule(state).assignments).toEqual([
      { taskId: "v1", nodeId: "n1", message: assignedMessage },
      { taskId: "x-v2", nodeId: "n2", message: assignedMessage },
      { taskId: "y-v2", nodeId: "n1", message: assignedMessage },
    ]);
  });
});

describe("determinism", () => {
  it("decides the same whatever the order of the state's keys", () => {
    const nodes = Array.from({ length: 7 }, (_, index) => makeNode(`node${index}`, { labels: index % 3 === 0 ? {} : { zone: `z${index % 2}` }, memoryBytes: (index + 1) * 1e9 }));
    const services = [makeService("web"), makeService("api")];
    const tasks = [
      ...pendingTasks(9, { spec: makeTaskSpec({ preferences: ["node.labels.zone"], memoryBytes: 5e8 }) }),
      ...pendingTasks(5, { prefix: "api", serviceId: "api", spec: makeTaskSpec({ memoryBytes: 2e9 }) }),
      running("r1", "node2"),
    ];
    const forward = schedule(makeState({ nodes, services, tasks }));
    const backward = schedule(makeState({ nodes: [...nodes].reverse(), services: [...services].reverse(), tasks: [...tasks].reverse() }));
    expect(backward).toEqual(forward);
    expect(schedule(makeState({ nodes, services, tasks }))).toEqual(forward);
  });

  it("does not change the state it reads", () => {
    const state = makeState({ nodes: [makeNode("n1")], services: [makeService("web")], tasks: pendingTasks(2) });
    const copy = structuredClone(state);
    schedule(state);
    expect(state).toEqual(copy);
  });
});
