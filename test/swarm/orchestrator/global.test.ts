// The global orchestrator and the constraint enforcer.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SwarmNode } from "../../../src/swarm/types.js";
import { propertyOptions } from "../../helpers/property.js";
import { Harness, makeNode, makeService, type NodeOptions } from "./fixtures.js";

function globalHarness(nodes: SwarmNode[], constraints: string[] = []): Harness {
  const harness = new Harness({ nodes, services: [makeService("service1", { global: true, name: "agent", constraints })] });
  harness.settle();
  return harness;
}

function liveNodes(harness: Harness): string[] {
  return harness.liveTasks().map((task) => task.nodeId).sort();
}

describe("global services", () => {
  it("run one task per node, named after the node", () => {
    const harness = globalHarness([makeNode("node1"), makeNode("node2")]);
    expect(liveNodes(harness)).toEqual(["node1", "node2"]);
    expect(harness.tasks().map((task) => [task.slot, task.name]).sort()).toEqual([
      [0, "agent.node1"],
      [0, "agent.node2"],
    ]);
  });

  it("follow nodes joining, draining and going down, and leave paused nodes alone", () => {
    const harness = globalHarness([makeNode("node1"), makeNode("node2"), makeNode("node3", { availability: "pause" })]);
    expect(liveNodes(harness)).toEqual(["node1", "node2"]);
    harness.commit([{ kind: "create", collection: "nodes", object: makeNode("node4") }]);
    harness.settle();
    expect(liveNodes(harness)).toEqual(["node1", "node2", "node4"]);
    harness.updateNode("node1", (node) => ({ ...node, spec: { ...node.spec, availability: "drain" } }));
    harness.updateNode("node2", (node) => ({ ...node, status: { ...node.status, state: "down" } }));
    harness.settle();
    expect(liveNodes(harness)).toEqual(["node4"]);
    // No replacement task for a global service on a down node.
    expect(harness.tasks().filter((task) => task.nodeId === "node2").map((task) => task.desiredState)).toEqual(["shutdown"]);
    harness.updateNode("node2", (node) => ({ ...node, status: { ...node.status, state: "ready" } }));
    harness.settle();
    expect(liveNodes(harness)).toEqual(["node2", "node4"]);
  });

  it("follow label changes through the constraints", () => {
    const harness = globalHarness([makeNode("node1", { labels: { zone: "a" } }), makeNode("node2", { labels: { zone: "b" } })], ["node.labels.zone==a"]);
    expect(liveNodes(harness)).toEqual(["node1"]);
    harness.updateNode("node2", (node) => ({ ...node, spec: { ...node.spec, labels: { zone: "a" } } }));
    harness.settle();
    expect(liveNodes(harness)).toEqual(["node1", "node2"]);
    for (const task of harness.liveTasks()) {
      harness.setState(task.id, "assigned");
      harness.setState(task.id, "running");
    }
    harness.updateNode("node1", (node) => ({ ...node, spec: { ...node.spec, labels: { zone: "c" } } }));
    harness.settle();
    // The constraint enforcer rejects the task; the global orchestrator does not restart it there.
    const onNode1 = harness.tasks().filter((task) => task.nodeId === "node1");
    expect(onNode1.map((task) => [task.status.state, task.desiredState])).toEqual([["rejected", "shutdown"]]);
    expect(liveNodes(harness)).toEqual(["node2"]);
  });

  it("restart a failed task on the same node", () => {
    const harness = globalHarness([makeNode("node1")]);
    const [task] = harness.tasks();
    harness.setState(task!.id, "assigned");
    harness.setState(task!.id, "failed");
    harness.settle();
    expect(harness.liveTasks().map((live) => [live.nodeId, live.desiredState])).toEqual([["node1", "ready"]]);
  });

  it("delete the tasks of a removed node", () => {
    const harness = globalHarness([makeNode("node1"), makeNode("node2")]);
    harness.commit([{ kind: "delete", collection: "nodes", id: "node2" }]);
    harness.settle();
    expect(harness.tasks().map((task) => task.nodeId)).toEqual(["node1"]);
  });

  it("give exactly one live task to each eligible node that meets the constraints (property)", () => {
    const nodeArbitrary = fc.record({
      availability: fc.constantFrom("active" as const, "pause" as const, "drain" as const),
      state: fc.constantFrom("ready" as const, "down" as const, "unknown" as const, "disconnected" as const),
      zone: fc.constantFrom("a", "b"),
    });
    fc.assert(
      fc.property(fc.array(nodeArbitrary, { maxLength: 8 }), fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), nodeArbitrary), { maxLength: 6 }), fc.boolean(), (initial, changes, constrained) => {
        const options = (spec: { availability: NodeOptions["availability"]; state: NodeOptions["state"]; zone: string }): NodeOptions => ({ availability: spec.availability, state: spec.state, labels: { zone: spec.zone } });
        const harness = globalHarness(
          initial.map((spec, index) => makeNode(`node${index}`, options(spec))),
          constrained ? ["node.labels.zone==a"] : [],
        );
        for (const [index, spec] of changes) {
          if (index >= initial.length) continue;
          harness.updateNode(`node${index}`, (node) => ({ ...makeNode(node.id, options(spec)), version: node.version }));
          harness.settle();
        }
        for (const node of harness.store.nodeList()) {
          const live = harness.liveTasks().filter((task) => task.nodeId === node.id);
          const eligible = node.spec.availability !== "drain" && node.status.state !== "down";
          const matches = !constrained || node.spec.labels.zone === "a";
          // A paused node keeps what it runs (even when it no longer matches: swarmkit's enforcer skips it too).
          if (node.spec.availability === "pause" && eligible) expect(live.length).toBeLessThanOrEqual(1);
          else expect(live).toHaveLength(eligible && matches ? 1 : 0);
        }
      }),
      propertyOptions("global reconcile", 150),
    );
  });
});
