// Property tests of the scheduler over random clusters: every assignment satisfies the node's
// readiness, the constraints, resources, maxReplicas and host ports; every pending task gets
// exactly one decision; decisions do not depend on the state's key order; unconstrained tasks
// spread within one task of even.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hostPortKeys, nodeMatchesConstraints, parseConstraints, scheduleTasks, servicePorts, type SchedulingDecisions } from "../../../src/swarm/scheduler/index.js";
import type { ClusterState, Service, SwarmNode, Task } from "../../../src/swarm/types.js";
import { propertyOptions } from "../../helpers/property.js";
import { hostPort, makeNode, makeService, makeState, makeTask, makeTaskSpec } from "./fixtures.js";

const constraintChoices = ["node.labels.zone==a", "node.labels.zone!=b", "node.role==worker", "node.role!=worker", "node.labels.zone==c"];

const nodeArbitrary = fc.record({
  zone: fc.constantFrom("a", "b", "c", undefined),
  ready: fc.integer({ min: 0, max: 3 }).map((value) => value !== 0), // mostly ready
  drained: fc.integer({ min: 0, max: 5 }).map((value) => value === 0),
  manager: fc.boolean(),
  memoryHalfGigabytes: fc.integer({ min: 1, max: 12 }),
  cpus: fc.integer({ min: 1, max: 4 }),
});

const serviceArbitrary = fc.record({
  constraints: fc.subarray(constraintChoices, { maxLength: 2 }),
  memoryHalfGigabytes: fc.integer({ min: 0, max: 4 }),
  halfCpus: fc.integer({ min: 0, max: 3 }),
  maxReplicas: fc.integer({ min: 0, max: 3 }),
  spread: fc.boolean(),
  port: fc.option(fc.constantFrom(80, 443), { nil: undefined }),
  pending: fc.integer({ min: 0, max: 15 }),
});

const clusterArbitrary = fc
  .record({
    nodes: fc.array(nodeArbitrary, { minLength: 0, maxLength: 10 }),
    services: fc.array(serviceArbitrary, { minLength: 1, maxLength: 3 }),
    existing: fc.array(fc.record({ service: fc.nat(), node: fc.nat(), state: fc.constantFrom("assigned", "running", "complete", "failed") as fc.Arbitrary<Task["status"]["state"]> }), { maxLength: 12 }),
  })
  .map(({ nodes, services, existing }) => {
    const swarmNodes: SwarmNode[] = nodes.map((node, index) =>
      makeNode(`node${String(index).padStart(2, "0")}`, {
        labels: node.zone === undefined ? {} : { zone: node.zone },
        state: node.ready ? "ready" : "down",
        availability: node.drained ? "drain" : "active",
        role: node.manager ? "manager" : "worker",
        memoryBytes: node.memoryHalfGigabytes * 5e8,
        nanoCpus: node.cpus * 1e9,
      }),
    );
    const swarmServices: Service[] = services.map((service, index) =>
      makeService(`svc${index}`, {
        task: makeTaskSpec({
          constraints: service.constraints,
          memoryBytes: service.memoryHalfGigabytes * 5e8,
          nanoCpus: service.halfCpus * 5e8,
          maxReplicas: service.maxReplicas,
          preferences: service.spread ? ["node.labels.zone"] : [],
        }),
        ports: service.port === undefined ? [] : [hostPort(service.port)],
      }),
    );
    const tasks: Task[] = [];
    if (swarmNodes.length > 0) {
      existing.forEach((entry, index) => {
        const service = swarmServices[entry.service % swarmServices.length]!;
        // Existing tasks reserve nothing, so any over-commitment comes from the scheduler.
        tasks.push(makeTask(`existing${index}`, { serviceId: service.id, state: entry.state, nodeId: swarmNodes[entry.node % swarmNodes.length]!.id, spec: makeTaskSpec() }));
      });
    }
    swarmServices.forEach((service, serviceIndex) => {
      for (let slot = 1; slot <= services[serviceIndex]!.pending; slot++) {
        tasks.push(makeTask(`${service.id}-task${slot}`, { serviceId: service.id, slot, spec: service.spec.task }));
      }
    });
    return makeState({ nodes: swarmNodes, services: swarmServices, tasks });
  });

/** Checks every assignment against the filters' rules, counting the final load per node. */
function checkAssignments(state: ClusterState, decisions: SchedulingDecisions): void {
  const memoryUsed = new Map<string, number>();
  const cpuUsed = new Map<string, number>();
  const perServiceNode = new Map<string, number>();
  const portsUsed = new Set<string>();
  for (const task of Object.values(state.tasks)) {
    if (task.nodeId === "" || !["assigned", "running"].includes(task.status.state)) continue;
    const key = `${task.serviceId}@${task.nodeId}`;
    perServiceNode.set(key, (perServiceNode.get(key) ?? 0) + 1);
    for (const port of hostPortKeys(servicePorts(state.services[task.serviceId]))) portsUsed.add(`${task.nodeId}:${port}`);
  }
  for (const assignment of decisions.assignments) {
    const task = state.tasks[assignment.taskId]!;
    const node = state.nodes[assignment.nodeId]!;
    expect(node.status.state).toBe("ready");
    expect(node.spec.availability).toBe("active");
    expect(nodeMatchesConstraints(parseConstraints(task.spec.placement.constraints), node)).toBe(true);
    const reservations = task.spec.resources.reservations;
    memoryUsed.set(node.id, (memoryUsed.get(node.id) ?? 0) + reservations.memoryBytes);
    cpuUsed.set(node.id, (cpuUsed.get(node.id) ?? 0) + reservations.nanoCpus);
    expect(memoryUsed.get(node.id)!).toBeLessThanOrEqual(node.description.resources.memoryBytes);
    expect(cpuUsed.get(node.id)!).toBeLessThanOrEqual(node.description.resources.nanoCpus);
    const key = `${task.serviceId}@${node.id}`;
    perServiceNode.set(key, (perServiceNode.get(key) ?? 0) + 1);
    if (task.spec.placement.maxReplicas > 0) expect(perServiceNode.get(key)!).toBeLessThanOrEqual(task.spec.placement.maxReplicas);
    for (const port of hostPortKeys(servicePorts(state.services[task.serviceId]))) {
      expect(portsUsed.has(`${node.id}:${port}`)).toBe(false);
      portsUsed.add(`${node.id}:${port}`);
    }
  }
}

/** The same state with its records' keys in reverse order. */
function reversed(state: ClusterState): ClusterState {
  const reverse = <T>(record: Readonly<Record<string, T>>): Record<string, T> => Object.fromEntries(Object.entries(record).reverse());
  return { ...state, nodes: reverse(state.nodes), services: reverse(state.services), tasks: reverse(state.tasks) };
}

describe("scheduler properties", () => {
  it("places tasks only where they fit, decides each pending task once, and is deterministic", () => {
    fc.assert(
      fc.property(clusterArbitrary, (state) => {
        const decisions = scheduleTasks(state, { nowMs: 0 });
        checkAssignments(state, decisions);
        const pending = Object.values(state.tasks).filter((task) => task.status.state === "pending").map((task) => task.id).sort();
        const decided = [...decisions.assignments.map((entry) => entry.taskId), ...decisions.unassigned.map((entry) => entry.taskId)].sort();
        expect(decided).toEqual(pending);
        for (const entry of decisions.unassigned) expect(entry.explanation).toMatch(/^no suitable node( \((.+)\))?$/);
        expect(scheduleTasks(reversed(state), { nowMs: 0 })).toEqual(decisions);
      }),
      propertyOptions("scheduler assignments are valid and deterministic", 300),
    );
  });

  it("spreads unconstrained tasks within one of even on an empty cluster", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 100 }), (nodeCount, taskCount) => {
        const nodes = Array.from({ length: nodeCount }, (_, index) => makeNode(`n${index}`));
        const tasks = Array.from({ length: taskCount }, (_, index) => makeTask(`t${index}`, { slot: index + 1 }));
        const decisions = scheduleTasks(makeState({ nodes, services: [makeService("web")], tasks }), { nowMs: 0 });
        expect(decisions.assignments.length).toBe(taskCount);
        const counts = nodes.map((node) => decisions.assignments.filter((assignment) => assignment.nodeId === node.id).length);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      }),
      propertyOptions("scheduler spreads evenly", 200),
    );
  });
});
