// The replicated orchestrator, the restart supervisor and the allocator, driven through the harness.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Random } from "../../../src/sim/random.js";
import { ChangeBatch } from "../../../src/swarm/orchestrator/batch.js";
import { reconcileReplicated, scaleDownOrder } from "../../../src/swarm/orchestrator/replicated.js";
import { RestartSupervisor } from "../../../src/swarm/orchestrator/restart.js";
import { UpdateSupervisor } from "../../../src/swarm/orchestrator/update.js";
import { viewOf } from "../../../src/swarm/store/view.js";
import { emptyClusterState, taskStates, type TaskState } from "../../../src/swarm/types.js";
import { propertyOptions } from "../../helpers/property.js";
import { Harness, makeNode, makeService, makeTask, type ServiceOptions } from "./fixtures.js";

const nodes = ["node1", "node2", "node3"].map((id) => makeNode(id));
const nodeIds = nodes.map((node) => node.id);

function running(options: ServiceOptions = {}): Harness {
  const harness = new Harness({ nodes, services: [makeService("service1", options)] });
  harness.settle();
  harness.scheduleAndRun(nodeIds);
  harness.settle();
  return harness;
}

describe("replicated services", () => {
  it("create one task per slot 1..N, allocated to PENDING", () => {
    const harness = new Harness({ nodes, services: [makeService("service1", { replicas: 3 })] });
    const first = harness.tick();
    expect(first.filter((change) => change.kind === "create")).toHaveLength(3);
    expect(harness.tasks().map((task) => [task.slot, task.status.state, task.desiredState, task.name])).toEqual([
      [1, "new", "running", "web.1"],
      [2, "new", "running", "web.2"],
      [3, "new", "running", "web.3"],
    ]);
    harness.tick();
    expect(harness.tasks().map((task) => task.status.state)).toEqual(["pending", "pending", "pending"]);
    expect(harness.tasks()[0]!.status.message).toBe("pending task scheduling");
  });

  it("scale up fills the missing slots", () => {
    const harness = running({ replicas: 2 });
    harness.updateService("service1", (service) => ({ ...service, spec: { ...service.spec, mode: { kind: "replicated", replicas: 4 } } }));
    harness.settle();
    expect(harness.liveTasks().map((task) => task.slot)).toEqual([1, 2, 3, 4]);
  });

  it("scale down removes tasks from the nodes with the most copies first, then the highest slots", () => {
    const service = makeService("service1", { replicas: 4 });
    const tasks = [
      makeTask("t1", service, { slot: 1, nodeId: "node1" }),
      makeTask("t2", service, { slot: 2, nodeId: "node1" }),
      makeTask("t3", service, { slot: 3, nodeId: "node2" }),
      makeTask("t4", service, { slot: 4, nodeId: "node3" }),
    ];
    const harness = new Harness({ nodes, services: [service], tasks });
    harness.settle();
    harness.updateService("service1", (current) => ({ ...current, spec: { ...current.spec, mode: { kind: "replicated", replicas: 3 } } }));
    harness.settle();
    expect(harness.store.task("t2")!.desiredState).toBe("remove");
    expect(["t1", "t3", "t4"].map((id) => harness.store.task(id)!.desiredState)).toEqual(["running", "running", "running"]);
    harness.updateService("service1", (current) => ({ ...current, spec: { ...current.spec, mode: { kind: "replicated", replicas: 1 } } }));
    harness.settle();
    expect(harness.liveTasks().map((task) => task.id)).toEqual(["t1"]);
  });

  it("scale down prefers removing tasks that are not running", () => {
    const service = makeService("service1", { replicas: 3 });
    const slots = [
      makeTask("t1", service, { slot: 1, nodeId: "node1", state: "running" }),
      makeTask("t2", service, { slot: 2, nodeId: "node2", state: "preparing" }),
      makeTask("t3", service, { slot: 3, nodeId: "node3", state: "running" }),
    ].map((task) => [task]);
    expect(scaleDownOrder(slots).map((slot) => slot[0]!.id)).toEqual(["t1", "t3", "t2"]);
  });

  it("removed services get their tasks wanted REMOVE, deleted once stopped", () => {
    const harness = running({ replicas: 2 });
    harness.commit([{ kind: "delete", collection: "services", id: "service1" }]);
    harness.settle();
    expect(harness.tasks().map((task) => task.desiredState)).toEqual(["remove", "remove"]);
    for (const task of harness.tasks()) harness.setState(task.id, "shutdown");
    harness.settle();
    expect(harness.tasks()).toEqual([]);
  });
});

describe("restarts", () => {
  it("replace a failed task in the same slot, READY until the delay has passed", () => {
    const harness = running({ replicas: 1 });
    const [old] = harness.tasks();
    harness.nowMs = 1_000;
    harness.setState(old!.id, "failed");
    harness.settle();
    const replacement = harness.tasks().find((task) => task.id !== old!.id)!;
    expect(harness.store.task(old!.id)!.desiredState).toBe("shutdown");
    expect(replacement).toMatchObject({ slot: 1, desiredState: "ready", nodeId: "" });
    expect(harness.orchestrator.nextWakeMs(harness.nowMs)).toBe(6_000);
    harness.advanceTo(5_999);
    expect(harness.store.task(replacement.id)!.desiredState).toBe("ready");
    harness.advanceTo(6_000);
    expect(harness.store.task(replacement.id)!.desiredState).toBe("running");
  });

  const conditions: [string, "none" | "on-failure" | "any", TaskState, boolean][] = [
    ["none never restarts", "none", "failed", false],
    ["on-failure restarts a failed task", "on-failure", "failed", true],
    ["on-failure leaves a completed task", "on-failure", "complete", false],
    ["any restarts a completed task", "any", "complete", true],
  ];
  for (const [what, condition, state, restarted] of conditions) {
    it(`condition ${what}`, () => {
      const harness = running({ replicas: 1, restart: { condition } });
      const old = harness.tasks()[0]!;
      harness.setState(old.id, state);
      harness.settle();
      expect(harness.tasks()).toHaveLength(restarted ? 2 : 1);
      expect(harness.store.task(old.id)!.desiredState).toBe("shutdown");
    });
  }

  it("stop after maxAttempts within the window", () => {
    const harness = running({ replicas: 1, restart: { maxAttempts: 2, windowMs: 60_000, delayMs: 0 } });
    const failCurrent = (): void => {
      const live = harness.liveTasks();
      expect(live).toHaveLength(1);
      harness.setState(live[0]!.id, "failed");
      harness.settle();
      harness.scheduleAndRun(nodeIds);
      harness.settle();
    };
    harness.nowMs = 1_000;
    failCurrent(); // restart 1
    harness.nowMs = 2_000;
    failCurrent(); // restart 2
    harness.nowMs = 3_000;
    const last = harness.liveTasks()[0]!;
    harness.setState(last.id, "failed");
    harness.settle();
    expect(harness.liveTasks()).toHaveLength(0);
    expect(harness.tasks()).toHaveLength(3);
  });

  it("restart the tasks of a node that goes down elsewhere, without waiting for them", () => {
    const harness = running({ replicas: 3 });
    const onNode1 = harness.tasks().filter((task) => task.nodeId === "node1");
    harness.nowMs = 10_000;
    harness.updateNode("node1", (node) => ({ ...node, status: { ...node.status, state: "down" } }));
    harness.settle();
    for (const task of onNode1) expect(harness.store.task(task.id)!.desiredState).toBe("shutdown");
    const replacements = harness.liveTasks().filter((task) => task.nodeId === "");
    expect(replacements.map((task) => task.slot)).toEqual(onNode1.map((task) => task.slot));
    harness.advanceTo(15_000);
    expect(replacements.map((task) => harness.store.task(task.id)!.desiredState)).toEqual(onNode1.map(() => "running"));
  });

  it("restart the tasks of a drained node with no delay", () => {
    const harness = running({ replicas: 3 });
    harness.updateNode("node2", (node) => ({ ...node, spec: { ...node.spec, availability: "drain" } }));
    harness.settle();
    const replacement = harness.liveTasks().find((task) => task.nodeId === "")!;
    // The old task still runs: the replacement waits for it to stop (or one minute).
    expect(replacement.desiredState).toBe("ready");
    const old = harness.tasks().find((task) => task.nodeId === "node2")!;
    harness.setState(old.id, "shutdown");
    harness.settle();
    expect(harness.store.task(replacement.id)!.desiredState).toBe("running");
  });
});

describe("allocator", () => {
  it("publishes ports from 30000, gives the virtual IP the network allocation holds (after the three nodes' sandboxes), refuses a port in use", () => {
    const ports = (publishedPort: number) => [{ name: "", protocol: "tcp" as const, targetPort: 80, publishedPort, publishMode: "ingress" as const }];
    const harness = new Harness({ nodes, services: [makeService("service1", { ports: ports(0) }), makeService("service2", { name: "api", ports: ports(8080) })] });
    harness.settle();
    expect(harness.store.service("service1")!.endpoint).toEqual({ ports: ports(30_000), virtualIps: [{ networkId: "ingressnetwork00000000000", address: "10.0.0.5/24" }] });
    expect(harness.store.service("service2")!.endpoint.virtualIps[0]!.address).toBe("10.0.0.6/24");
    harness.commit([{ kind: "create", collection: "services", object: makeService("service3", { name: "clash", ports: ports(8080) }) }]);
    const result = harness.orchestrator.tick(harness.store, harness.nowMs);
    expect(result.allocationFailures).toEqual([{ serviceId: "service3", message: "port '8080' is already in use by another service" }]);
    harness.commit(result.changes);
    harness.settle();
    expect(harness.tasks("service3").map((task) => task.status.state)).toEqual(["new"]);
  });
});

describe("replicated reconcile (properties)", () => {
  const states: TaskState[] = ["new", "pending", "assigned", "running", "complete", "shutdown", "failed", "rejected"];
  const desired: TaskState[] = ["ready", "running", "shutdown", "remove"];
  const taskArbitrary = fc.record({ slot: fc.integer({ min: 1, max: 8 }), state: fc.constantFrom(...states), desired: fc.constantFrom(...desired), node: fc.integer({ min: 0, max: 3 }), time: fc.integer({ min: 0, max: 100 }) });

  it("leaves exactly `replicas` slots with one live task each", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.array(taskArbitrary, { maxLength: 20 }), (replicas, specs) => {
        const service = makeService("service1", { replicas, restart: { delayMs: 0 } });
        const liveSlots = new Set<number>();
        const tasks = specs.flatMap((spec, index) => {
          // A random state has at most one live task per slot, as the orchestrator keeps it.
          const live = taskStates[spec.desired] <= taskStates.running;
          if (live && liveSlots.has(spec.slot)) return [];
          if (live) liveSlots.add(spec.slot);
          return [makeTask(`task${String(index).padStart(2, "0")}`, service, { slot: spec.slot, nodeId: spec.node === 0 ? "" : `node${spec.node}`, state: spec.state, desiredState: spec.desired, timestampMs: spec.time })];
        });
        const harness = new Harness({ nodes, services: [service], tasks });
        harness.nowMs = 1_000;
        harness.settle();
        harness.advanceTo(200_000);
        const live = harness.liveTasks();
        const slots = new Set(live.map((task) => task.slot));
        expect(slots.size).toBe(live.length);
        expect(slots.size).toBe(replicas);
      }),
      propertyOptions("replicated reconcile", 150),
    );
  });

  it("as a pure step never gives a slot two live tasks", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.array(taskArbitrary, { maxLength: 20 }), fc.constantFrom("none" as const, "on-failure" as const, "any" as const), (replicas, specs, condition) => {
        const service = makeService("service1", { replicas, restart: { condition } });
        const liveSlots = new Set<number>();
        const state = { ...emptyClusterState, services: { service1: service }, tasks: {} as Record<string, ReturnType<typeof makeTask>> };
        specs.forEach((spec, index) => {
          const live = taskStates[spec.desired] <= taskStates.running;
          if (live && liveSlots.has(spec.slot)) return;
          if (live) liveSlots.add(spec.slot);
          state.tasks[`task${index}`] = makeTask(`task${index}`, service, { slot: spec.slot, state: spec.state, desiredState: spec.desired, timestampMs: spec.time });
        });
        const batch = new ChangeBatch(viewOf(state));
        const restarts = new RestartSupervisor();
        reconcileReplicated(batch, service, { restarts, updates: new UpdateSupervisor(restarts) }, { nowMs: 1_000, random: new Random("property") });
        const live = batch.tasksOfService("service1").filter((task) => taskStates[task.desiredState] <= taskStates.running);
        expect(new Set(live.map((task) => task.slot)).size).toBe(live.length);
        expect(live.length).toBeLessThanOrEqual(Math.max(replicas, liveSlots.size));
      }),
      propertyOptions("replicated reconcile step", 200),
    );
  });
});
