// The task reaper and rolling updates.
import { describe, expect, it } from "vitest";
import { Harness, makeNode, makeService, makeTask, type ServiceOptions } from "./fixtures.js";

const nodes = ["node1", "node2"].map((id) => makeNode(id));
const nodeIds = nodes.map((node) => node.id);

describe("task reaper", () => {
  it("keeps taskHistoryRetentionLimit tasks per slot, deleting the oldest stopped ones", () => {
    const service = makeService("service1", { replicas: 1 });
    const history = Array.from({ length: 6 }, (_, index) => makeTask(`old${index}`, service, { slot: 1, nodeId: "node1", state: "failed", desiredState: "shutdown", timestampMs: index }));
    const harness = new Harness({ nodes, services: [service], tasks: [...history, makeTask("current", service, { slot: 1, nodeId: "node1", timestampMs: 10 })] });
    harness.settle();
    // Nothing created yet: the slot is looked at when a task is created in it.
    expect(harness.tasks()).toHaveLength(7);
    harness.nowMs = 100;
    harness.setState("current", "failed");
    harness.settle();
    // 8 tasks (6 old, the failed one, its replacement): the 3 oldest go.
    expect(harness.tasks().map((task) => task.id).filter((id) => id.startsWith("old")).sort()).toEqual(["old3", "old4", "old5"]);
    expect(harness.tasks()).toHaveLength(5);
  });

  it("follows the cluster's retention limit, and keeps maxAttempts + 1 tasks when set", () => {
    const service = makeService("service1", { replicas: 1, restart: { maxAttempts: 3 } });
    const history = Array.from({ length: 6 }, (_, index) => makeTask(`old${index}`, service, { slot: 1, state: "failed", desiredState: "shutdown", timestampMs: index }));
    const harness = new Harness({ nodes, services: [service], tasks: history });
    harness.commit([{ kind: "create", collection: "tasks", object: makeTask("current", service, { slot: 1, timestampMs: 10 }) }]);
    harness.settle();
    expect(harness.tasks()).toHaveLength(4);
  });

  it("keeps every task with a negative limit", () => {
    const service = makeService("service1", { replicas: 1 });
    const history = Array.from({ length: 6 }, (_, index) => makeTask(`old${index}`, service, { slot: 1, state: "failed", desiredState: "shutdown", timestampMs: index }));
    const harness = new Harness({ nodes, services: [service], tasks: history, cluster: null });
    harness.commit([{ kind: "create", collection: "cluster", object: { ...makeClusterWith(-1) } }]);
    harness.commit([{ kind: "create", collection: "tasks", object: makeTask("current", service, { slot: 1, timestampMs: 10 }) }]);
    harness.settle();
    expect(harness.tasks()).toHaveLength(7);
  });
});

function makeClusterWith(limit: number) {
  return { id: "cluster000000000000000000", version: 0, createdAt: 0, updatedAt: 0, name: "default", taskHistoryRetentionLimit: limit, joinTokens: { worker: "", manager: "" }, rootCaDigest: "", ingressNetworkId: "ingress", heartbeatPeriodMs: 5_000, removedNodes: {}, raftSnapshotInterval: 10_000, raftKeepOldSnapshots: 0, nodeCertificateExpiryMs: 7_776_000_000 };
}

function deployed(options: ServiceOptions): Harness {
  const harness = new Harness({ nodes, services: [makeService("service1", options)] });
  harness.settle();
  harness.scheduleAndRun(nodeIds);
  harness.settle();
  return harness;
}

function changeImage(harness: Harness, image: string): void {
  harness.updateService("service1", (service) => ({
    ...service,
    previousSpec: service.spec,
    updateStatus: null,
    spec: { ...service.spec, task: { ...service.spec.task, container: { ...service.spec.task.container, image } } },
  }));
}

function images(harness: Harness, which: "live" | "all" = "live"): string[] {
  return (which === "live" ? harness.liveTasks() : harness.tasks()).map((task) => `${task.slot}:${task.spec.container.image}:${task.desiredState}`);
}

describe("rolling updates", () => {
  it("replace tasks in batches of `parallelism`, waiting `delayMs` between them (stop-first)", () => {
    const harness = deployed({ replicas: 4, update: { parallelism: 2, delayMs: 10_000 } });
    harness.nowMs = 1_000;
    changeImage(harness, "nginx:2");
    harness.settle();
    expect(harness.store.service("service1")!.updateStatus).toMatchObject({ state: "updating", message: "update in progress" });
    expect(images(harness)).toEqual(["1:nginx:2:ready", "2:nginx:2:ready", "3:nginx:1:running", "4:nginx:1:running"]);
    // stop-first: the new tasks start once the old ones stopped.
    harness.scheduleAndRun(nodeIds);
    harness.settle();
    expect(images(harness)).toEqual(["1:nginx:2:running", "2:nginx:2:running", "3:nginx:1:running", "4:nginx:1:running"]);
    harness.scheduleAndRun(nodeIds);
    harness.settle();
    expect(harness.orchestrator.nextWakeMs(harness.nowMs)).toBe(11_000);
    harness.advanceTo(10_999);
    expect(images(harness).filter((text) => text.includes("nginx:2"))).toHaveLength(2);
    harness.advanceTo(11_000);
    expect(images(harness).filter((text) => text.includes("nginx:2"))).toHaveLength(4);
    harness.scheduleAndRun(nodeIds);
    harness.settle();
    harness.scheduleAndRun(nodeIds);
    harness.settle();
    // After the last batch: its delay, then one more monitoring period (delay >= monitor: delay + 1 s).
    harness.advanceTo(21_000);
    expect(harness.store.service("service1")!.updateStatus!.state).toBe("updating");
    harness.advanceTo(32_000);
    expect(harness.store.service("service1")!.updateStatus).toMatchObject({ state: "completed", message: "update completed", completedAt: 32_000 });
    expect(images(harness)).toEqual(["1:nginx:2:running", "2:nginx:2:running", "3:nginx:2:running", "4:nginx:2:running"]);
  });

  it("start-first keeps the old task until the new one runs", () => {
    const harness = deployed({ replicas: 1, update: { order: "start-first" } });
    changeImage(harness, "nginx:2");
    harness.settle();
    expect(images(harness).sort()).toEqual(["1:nginx:1:running", "1:nginx:2:running"]);
    const fresh = harness.liveTasks().find((task) => task.spec.container.image === "nginx:2")!;
    harness.assign(fresh.id, "node2");
    harness.setState(fresh.id, "running");
    harness.settle();
    expect(images(harness)).toEqual(["1:nginx:2:running"]);
  });

  it("pause on a failed new task (failureAction pause)", () => {
    const harness = deployed({ replicas: 2, update: { parallelism: 1, failureAction: "pause" } });
    changeImage(harness, "nginx:broken");
    harness.settle();
    harness.scheduleAndRun(nodeIds);
    harness.settle();
    const fresh = harness.liveTasks().find((task) => task.spec.container.image === "nginx:broken")!;
    harness.setState(fresh.id, "running");
    harness.nowMs = 1_000;
    harness.setState(fresh.id, "failed");
    harness.settle();
    expect(harness.store.service("service1")!.updateStatus).toMatchObject({ state: "paused", message: `update paused due to failure or early termination of task ${fresh.id}` });
    // Paused: the other slot keeps the old image.
    harness.advanceTo(60_000);
    expect(images(harness).filter((text) => text.includes("nginx:1"))).toHaveLength(1);
  });

  it("roll back to the previous spec (failureAction rollback)", () => {
    const harness = deployed({ replicas: 1, update: { failureAction: "rollback" } });
    changeImage(harness, "nginx:broken");
    harness.settle();
    harness.scheduleAndRun(nodeIds);
    harness.settle();
    const fresh = harness.liveTasks()[0]!;
    harness.setState(fresh.id, "failed");
    harness.settle();
    expect(harness.store.service("service1")!.updateStatus!.state).toBe("rollback_started");
    expect(harness.store.service("service1")!.spec.task.container.image).toBe("nginx:1");
    harness.scheduleAndRun(nodeIds);
    harness.settle();
    harness.scheduleAndRun(nodeIds);
    harness.advanceTo(60_000);
    expect(harness.store.service("service1")!.updateStatus!.state).toBe("rollback_completed");
    expect(images(harness)).toEqual(["1:nginx:1:running"]);
  });
});
