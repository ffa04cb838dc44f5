// The cluster store: applying change sets, versions and timestamps, validation, indexes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AssertionFailure } from "../../../src/sim/errors.js";
import { Random } from "../../../src/sim/random.js";
import { isObjectId, newObjectId, taskDisplayName, taskFullName } from "../../../src/swarm/identifiers.js";
import { applyChanges, checkChanges } from "../../../src/swarm/store/apply.js";
import type { StoreChange } from "../../../src/swarm/store/changes.js";
import { recentResultCount, recentResultsMax } from "../../../src/swarm/store/recent-results.js";
import { ClusterStore, viewOf } from "../../../src/swarm/store/view.js";
import { emptyClusterState, type TaskState } from "../../../src/swarm/types.js";
import { propertyOptions } from "../../helpers/property.js";
import { makeNode, makeService, makeTask } from "../orchestrator/fixtures.js";

const service = makeService("service1");

describe("identifiers", () => {
  it("draws 25-character base-36 ids, the same for the same seed", () => {
    const first = new Random("ids");
    const second = new Random("ids");
    const ids = Array.from({ length: 200 }, () => newObjectId(first));
    expect(ids.every(isObjectId)).toBe(true);
    expect(new Set(ids).size).toBe(200);
    expect(ids.slice(0, 3)).toEqual(Array.from({ length: 3 }, () => newObjectId(second)));
  });

  it("names tasks as docker service ps does", () => {
    expect(taskDisplayName("web", { slot: 3, nodeId: "" })).toBe("web.3");
    expect(taskDisplayName("agent", { slot: 0, nodeId: "node1" })).toBe("agent.node1");
    expect(taskFullName("web", { slot: 3, nodeId: "", id: "abc" })).toBe("web.3.abc");
  });
});

describe("applyChanges", () => {
  it("sets versions and timestamps, reports events, and leaves the old state alone", () => {
    const created = applyChanges(emptyClusterState, [{ kind: "create", collection: "services", object: service }], 7, 1_000);
    const stored = created.state.services.service1!;
    expect(stored).toMatchObject({ version: 7, createdAt: 1_000, updatedAt: 1_000 });
    expect(created.events).toEqual([{ kind: "create", collection: "services", before: null, after: stored }]);
    expect(emptyClusterState.services).toEqual({});
    expect(Object.isFrozen(stored)).toBe(true);

    const renamed = { ...stored, spec: { ...stored.spec, name: "api" } };
    const updated = applyChanges(created.state, [{ kind: "update", collection: "services", object: renamed }], 9, 2_000);
    expect(updated.state.services.service1).toMatchObject({ version: 9, createdAt: 1_000, updatedAt: 2_000 });
    expect(updated.events[0]).toMatchObject({ kind: "update", before: stored });
    expect(created.state.services.service1!.spec.name).toBe("web");

    const deleted = applyChanges(updated.state, [{ kind: "delete", collection: "services", id: "service1" }], 10, 3_000);
    expect(deleted.state.services).toEqual({});
    expect(deleted.events[0]).toMatchObject({ kind: "delete", after: null });
  });

  it("keeps each collection a frozen plain object: the usual prototype, ids in the order they were created", () => {
    const ids = ["zeta", "alpha", "m1d", "beta"];
    let state = emptyClusterState;
    for (const [index, id] of ids.entries()) {
      state = applyChanges(state, [{ kind: "create", collection: "tasks", object: makeTask(id, service, { state: "new" }) }], index + 1, index).state;
    }
    state = applyChanges(state, [{ kind: "delete", collection: "tasks", id: "alpha" }], 9, 9).state;
    expect(Object.getPrototypeOf(state.tasks)).toBe(Object.prototype);
    expect(Object.isFrozen(state.tasks)).toBe(true);
    expect(Object.keys(state.tasks)).toEqual(["zeta", "m1d", "beta"]);
    expect(state.tasks.hasOwnProperty("beta")).toBe(true);
    expect(JSON.parse(JSON.stringify(state.tasks))).toEqual({ zeta: expect.anything(), m1d: expect.anything(), beta: expect.anything() });
  });

  it("applies a change set in order, later changes seeing earlier ones", () => {
    const task = makeTask("task1", service, { state: "new" });
    const { state, events } = applyChanges(
      emptyClusterState,
      [
        { kind: "create", collection: "tasks", object: task },
        { kind: "update", collection: "tasks", object: { ...task, status: { ...task.status, state: "pending" } } },
      ],
      3,
      5,
    );
    expect(state.tasks.task1!.status.state).toBe("pending");
    expect(events.map((event) => event.kind)).toEqual(["create", "update"]);
  });

  const assigned = makeTask("task1", service, { nodeId: "node1", state: "running" });
  const base = applyChanges(emptyClusterState, [{ kind: "create", collection: "tasks", object: assigned }], 1, 0).state;
  const refused: [string, StoreChange][] = [
    ["a task moved to another node", { kind: "update", collection: "tasks", object: { ...assigned, nodeId: "node2" } }],
    ["a task state moving backwards", { kind: "update", collection: "tasks", object: { ...assigned, status: { ...assigned.status, state: "starting" } } }],
    ["a desired state moving backwards", { kind: "update", collection: "tasks", object: { ...assigned, desiredState: "ready" } }],
    ["a task changing slot", { kind: "update", collection: "tasks", object: { ...assigned, slot: 2 } }],
    ["an id created twice", { kind: "create", collection: "tasks", object: assigned }],
    ["an update of a missing object", { kind: "update", collection: "services", object: service }],
    ["a delete of a missing object", { kind: "delete", collection: "nodes", id: "node9" }],
  ];
  for (const [what, change] of refused) {
    it(`refuses ${what} with an assertion`, () => {
      expect(() => applyChanges(base, [change], 2, 0)).toThrow(AssertionFailure);
      expect(checkChanges(base, [change])).toHaveLength(1);
    });
  }

  it("lets an unassigned task get its node, and states move forward", () => {
    const fresh = makeTask("task2", service, { state: "pending" });
    const state = applyChanges(base, [{ kind: "create", collection: "tasks", object: fresh }], 2, 0).state;
    const next = applyChanges(state, [{ kind: "update", collection: "tasks", object: { ...fresh, nodeId: "node1", status: { ...fresh.status, state: "assigned" }, desiredState: "shutdown" } }], 3, 0);
    expect(next.state.tasks.task2!.nodeId).toBe("node1");
  });

  it("reports stale versions only when asked", () => {
    const stale = { ...base.tasks.task1!, version: 0 };
    const change: StoreChange = { kind: "update", collection: "tasks", object: stale };
    expect(checkChanges(base, [change])).toEqual([]);
    expect(checkChanges(base, [change], { checkVersions: true })[0]).toMatch(/stale version/);
  });
});

describe("indexes", () => {
  it("answer tasks by service, node and slot", () => {
    const other = makeService("service2");
    const store = new ClusterStore();
    store.apply(
      [
        { kind: "create", collection: "nodes", object: makeNode("node1") },
        { kind: "create", collection: "tasks", object: makeTask("b", service, { slot: 1, nodeId: "node1" }) },
        { kind: "create", collection: "tasks", object: makeTask("a", service, { slot: 1 }) },
        { kind: "create", collection: "tasks", object: makeTask("c", other, { slot: 2, nodeId: "node1" }) },
      ],
      1,
      0,
    );
    expect(store.tasksOfService("service1").map((task) => task.id)).toEqual(["a", "b"]);
    expect(store.tasksOfNode("node1").map((task) => task.id)).toEqual(["b", "c"]);
    expect(store.tasksInSlot("service1", 1).map((task) => task.id)).toEqual(["a", "b"]);
    store.apply([{ kind: "update", collection: "tasks", object: { ...store.task("a")!, nodeId: "node1" } }, { kind: "delete", collection: "tasks", id: "b" }], 2, 0);
    expect(store.tasksOfNode("node1").map((task) => task.id)).toEqual(["a", "c"]);
    expect(store.tasksOfNode("").map((task) => task.id)).toEqual([]);
    expect(store.tasksInSlot("service1", 1).map((task) => task.id)).toEqual(["a"]);
  });

  it("kept incrementally, match an index built from the state (property)", () => {
    const states: TaskState[] = ["new", "pending", "assigned", "running", "failed", "shutdown"];
    const operation = fc.record({ kind: fc.constantFrom("create", "update", "delete"), task: fc.integer({ min: 0, max: 9 }), service: fc.integer({ min: 0, max: 2 }), slot: fc.integer({ min: 1, max: 3 }), node: fc.integer({ min: 0, max: 3 }), state: fc.integer({ min: 0, max: 5 }) });
    fc.assert(
      fc.property(fc.array(fc.array(operation, { maxLength: 5 }), { maxLength: 30 }), (batches) => {
        const store = new ClusterStore();
        batches.forEach((batch, index) => {
          const changes: StoreChange[] = [];
          const seen = new Set<string>();
          for (const step of batch) {
            const id = `task${step.task}`;
            if (seen.has(id)) continue;
            seen.add(id);
            const existing = store.task(id);
            if (step.kind === "delete" && existing !== undefined) changes.push({ kind: "delete", collection: "tasks", id });
            else if (existing === undefined) {
              const task = makeTask(id, makeService(`service${step.service}`), { slot: step.slot, nodeId: step.node === 0 ? "" : `node${step.node}`, state: states[step.state]! });
              changes.push({ kind: "create", collection: "tasks", object: task });
            } else if (step.kind === "update" && existing.nodeId === "") {
              changes.push({ kind: "update", collection: "tasks", object: { ...existing, nodeId: step.node === 0 ? "" : `node${step.node}` } });
            }
          }
          store.apply(changes, index + 1, index);
        });
        const fresh = viewOf(store.state);
        for (let service = 0; service < 3; service++) {
          expect(store.tasksOfService(`service${service}`)).toEqual(fresh.tasksOfService(`service${service}`));
          for (let slot = 1; slot <= 3; slot++) expect(store.tasksInSlot(`service${service}`, slot)).toEqual(fresh.tasksInSlot(`service${service}`, slot));
        }
        for (let node = 0; node < 4; node++) {
          const nodeId = node === 0 ? "" : `node${node}`;
          expect(store.tasksOfNode(nodeId)).toEqual(fresh.tasksOfNode(nodeId));
        }
      }),
      propertyOptions("store indexes", 100),
    );
  });

  it("answers from the index with 10,000 tasks", () => {
    const store = new ClusterStore();
    const services = Array.from({ length: 100 }, (_, index) => makeService(`service${index}`));
    const changes: StoreChange[] = [];
    for (let index = 0; index < 10_000; index++) changes.push({ kind: "create", collection: "tasks", object: makeTask(`task${index}`, services[index % 100]!, { slot: 1 + Math.floor(index / 100), nodeId: `node${index % 10}` }) });
    store.apply(changes, 1, 0);
    for (let index = 0; index < 20; index++) {
      const task = store.task(`task${index}`)!;
      store.apply([{ kind: "update", collection: "tasks", object: { ...task, status: { ...task.status, state: "failed" } } }], index + 2, index);
    }
    expect(store.tasksOfService("service7")).toHaveLength(100);
    expect(store.tasksInSlot("service7", 1).map((task) => task.id)).toEqual(["task7"]);
    expect(store.tasksOfNode("node3")).toHaveLength(1_000);
  });
});

describe("results shared between managers", () => {
  const create = (id: string): StoreChange[] => [{ kind: "create", collection: "services", object: makeService(id) }];

  it("hands a store the result another store got for the same change set on the same state", () => {
    const leader = new ClusterStore();
    const follower = new ClusterStore();
    const changes = create("shared1");
    const leaderEvents = leader.apply(changes, 1, 500);
    const followerEvents = follower.apply(changes, 1, 500);
    expect(follower.state).toBe(leader.state);
    expect(followerEvents).toBe(leaderEvents);
    expect(Object.isFrozen(followerEvents)).toBe(true);
    // Each store keeps its own index and Raft index.
    expect(follower.raftIndex).toBe(1);
    expect(follower.serviceList().map((stored) => stored.id)).toEqual(["shared1"]);
  });

  it("computes its own result from an equal but distinct state, or for another index or time, keeping the shared one", () => {
    const first = new ClusterStore();
    const changes = create("shared2");
    first.apply(changes, 1, 500);
    const restored = new ClusterStore({ ...emptyClusterState }, 0);
    restored.apply(changes, 1, 500);
    expect(restored.state).not.toBe(first.state);
    expect(restored.state).toEqual(first.state);
    // ...without displacing the result the stores on the first chain share.
    const follower = new ClusterStore();
    follower.apply(changes, 1, 500);
    expect(follower.state).toBe(first.state);
    const later = new ClusterStore();
    later.apply(changes, 2, 500);
    expect(later.state.services.shared2!.version).toBe(2);
    const laterTime = new ClusterStore();
    laterTime.apply(changes, 1, 900);
    expect(laterTime.state.services.shared2!.createdAt).toBe(900);
  });

  it("keeps at most recentResultsMax results, forgetting the oldest", () => {
    const oldest = create("oldest");
    const original = new ClusterStore();
    original.apply(oldest, 1, 0);
    for (let index = 0; index < recentResultsMax; index++) new ClusterStore().apply(create(`newer${index}`), 1, 0);
    expect(recentResultCount()).toBe(recentResultsMax);
    const first = new ClusterStore();
    first.apply(oldest, 1, 0);
    // Forgotten, so computed again (a new object), then shared again.
    expect(first.state).not.toBe(original.state);
    const second = new ClusterStore();
    second.apply(oldest, 1, 0);
    expect(second.state).toBe(first.state);
  });

  it("remembers nothing for a change set that is refused", () => {
    const changes: StoreChange[] = [{ kind: "delete", collection: "services", id: "missing" }];
    const before = recentResultCount();
    expect(() => new ClusterStore().apply(changes, 1, 0)).toThrow(AssertionFailure);
    expect(() => new ClusterStore().apply(changes, 1, 0)).toThrow(AssertionFailure);
    expect(recentResultCount()).toBe(before);
  });
});
