// Each filter accepting and rejecting a node, with swarmkit's explanation texts, and the
// pipeline's failure counting and explanation order.
import { describe, expect, it } from "vitest";
import {
  ConstraintFilter,
  HostPortFilter,
  MaxReplicasFilter,
  NodeInfo,
  Pipeline,
  PlatformFilter,
  PluginFilter,
  ReadyFilter,
  ResourceFilter,
  defaultFilters,
  taskFootprint,
  type FilterTask,
  type SchedulerFilter,
} from "../../../src/swarm/scheduler/index.js";
import { hostPort, makeNode, makeTask, makeTaskSpec, type NodeOptions, type TaskSpecOptions } from "./fixtures.js";

function filterTask(spec: TaskSpecOptions = {}, ports = [] as FilterTask["ports"]): FilterTask {
  return { task: makeTask("t", { spec: makeTaskSpec(spec) }), ports };
}

function nodeInfo(options: NodeOptions = {}, id = "node1"): NodeInfo {
  return new NodeInfo(makeNode(id, options));
}

function check(filter: SchedulerFilter, task: FilterTask, node: NodeInfo): boolean {
  expect(filter.setTask(task)).toBe(true);
  return filter.check(node);
}

describe("ReadyFilter", () => {
  it("accepts ready active nodes only", () => {
    const filter = new ReadyFilter();
    expect(check(filter, filterTask(), nodeInfo())).toBe(true);
    expect(check(filter, filterTask(), nodeInfo({ state: "down" }))).toBe(false);
    expect(check(filter, filterTask(), nodeInfo({ state: "unknown" }))).toBe(false);
    expect(check(filter, filterTask(), nodeInfo({ availability: "drain" }))).toBe(false);
    expect(check(filter, filterTask(), nodeInfo({ availability: "pause" }))).toBe(false);
    expect(filter.explain(1)).toBe("1 node not available for new tasks");
    expect(filter.explain(2)).toBe("2 nodes not available for new tasks");
  });
});

describe("ResourceFilter", () => {
  it("is off without reservations", () => {
    expect(new ResourceFilter().setTask(filterTask())).toBe(false);
  });

  it("compares reservations with what the node has left", () => {
    const filter = new ResourceFilter();
    const node = nodeInfo({ nanoCpus: 2e9, memoryBytes: 1e9 });
    expect(check(filter, filterTask({ nanoCpus: 2e9 }), node)).toBe(true);
    expect(check(filter, filterTask({ nanoCpus: 2e9 + 1 }), node)).toBe(false);
    expect(check(filter, filterTask({ memoryBytes: 1e9 + 1 }), node)).toBe(false);
    node.addTask(taskFootprint(makeTask("running", { state: "running", spec: makeTaskSpec({ nanoCpus: 1e9, memoryBytes: 5e8 }) }), []));
    expect(check(filter, filterTask({ nanoCpus: 1e9, memoryBytes: 5e8 }), node)).toBe(true);
    expect(check(filter, filterTask({ nanoCpus: 1e9 + 1 }), node)).toBe(false);
    expect(filter.explain(1)).toBe("insufficient resources on 1 node");
    expect(filter.explain(3)).toBe("insufficient resources on 3 nodes");
  });
});

describe("PluginFilter", () => {
  it("never applies (no plugins are modelled) but keeps swarmkit's wording", () => {
    const filter = new PluginFilter();
    expect(filter.setTask()).toBe(false);
    expect(filter.explain(1)).toBe("missing plugin on 1 node");
    expect(filter.explain(2)).toBe("missing plugin on 2 nodes");
  });
});

describe("ConstraintFilter", () => {
  it("is off without constraints, or with constraints that do not parse", () => {
    expect(new ConstraintFilter().setTask(filterTask())).toBe(false);
    expect(new ConstraintFilter().setTask(filterTask({ constraints: ["bogus"] }))).toBe(false);
  });

  it("matches the node", () => {
    const filter = new ConstraintFilter();
    const task = filterTask({ constraints: ["node.labels.zone==a"] });
    expect(check(filter, task, nodeInfo({ labels: { zone: "a" } }))).toBe(true);
    expect(check(filter, task, nodeInfo({ labels: { zone: "b" } }))).toBe(false);
    expect(filter.explain(1)).toBe("scheduling constraints not satisfied on 1 node");
    expect(filter.explain(4)).toBe("scheduling constraints not satisfied on 4 nodes");
  });
});

describe("PlatformFilter", () => {
  it("is off without platforms", () => {
    expect(new PlatformFilter().setTask(filterTask())).toBe(false);
  });

  it("normalises architectures and treats empty fields as wildcards", () => {
    const filter = new PlatformFilter();
    const amd64 = filterTask({ platforms: [{ architecture: "amd64", os: "linux" }] });
    expect(check(filter, amd64, nodeInfo({ architecture: "x86_64" }))).toBe(true);
    expect(check(filter, amd64, nodeInfo({ architecture: "aarch64" }))).toBe(false);
    expect(check(filter, amd64, nodeInfo({ os: "windows" }))).toBe(false);
    const arm = filterTask({ platforms: [{ architecture: "s390x", os: "" }, { architecture: "aarch64", os: "" }] });
    expect(check(filter, arm, nodeInfo({ architecture: "arm64", os: "freebsd" }))).toBe(true);
    const anyArchitecture = filterTask({ platforms: [{ architecture: "", os: "windows" }] });
    expect(check(filter, anyArchitecture, nodeInfo({ os: "windows", architecture: "riscv64" }))).toBe(true);
    expect(filter.explain(1)).toBe("unsupported platform on 1 node");
    expect(filter.explain(3)).toBe("unsupported platform on 3 nodes");
  });
});

describe("HostPortFilter", () => {
  it("is off without host-mode published ports", () => {
    expect(new HostPortFilter().setTask(filterTask({}, [{ ...hostPort(80), publishMode: "ingress" }]))).toBe(false);
    expect(new HostPortFilter().setTask(filterTask({}, [hostPort(0)]))).toBe(false);
  });

  it("rejects nodes where the port and protocol are in use", () => {
    const filter = new HostPortFilter();
    const node = nodeInfo();
    node.addTask(taskFootprint(makeTask("other", { state: "running" }), [hostPort(8080)]));
    expect(check(filter, filterTask({}, [hostPort(8080)]), node)).toBe(false);
    expect(check(filter, filterTask({}, [hostPort(8080, "udp")]), node)).toBe(true);
    expect(check(filter, filterTask({}, [hostPort(8081)]), node)).toBe(true);
    expect(filter.explain(1)).toBe("host-mode port already in use on 1 node");
    expect(filter.explain(2)).toBe("host-mode port already in use on 2 nodes");
  });
});

describe("MaxReplicasFilter", () => {
  it("counts the service's active tasks on the node", () => {
    const filter = new MaxReplicasFilter();
    expect(filter.setTask(filterTask({ maxReplicas: 0 }))).toBe(false);
    const task = filterTask({ maxReplicas: 2 });
    const node = nodeInfo();
    node.addTask(taskFootprint(makeTask("a", { state: "running" }), []));
    node.addTask(taskFootprint(makeTask("other", { state: "running", serviceId: "other" }), []));
    node.addTask(taskFootprint(makeTask("stopping", { state: "running", desiredState: "shutdown" }), []));
    expect(check(filter, task, node)).toBe(true);
    node.addTask(taskFootprint(makeTask("b", { state: "running" }), []));
    expect(check(filter, task, node)).toBe(false);
    expect(filter.explain()).toBe("max replicas per node limit exceed");
  });
});

describe("Pipeline", () => {
  it("runs the filters in swarmkit's order", () => {
    expect(defaultFilters().map((filter) => filter.name)).toEqual(["ReadyFilter", "ResourceFilter", "PluginFilter", "ConstraintFilter", "PlatformFilter", "HostPortFilter", "MaxReplicasFilter"]);
  });

  it("counts each rejected node against the first filter that rejected it", () => {
    const pipeline = new Pipeline();
    pipeline.setTask(filterTask({ nanoCpus: 8e9, constraints: ["node.labels.zone==a"] }));
    expect(pipeline.process(nodeInfo({ state: "down", labels: { zone: "b" } }))).toBe(false);
    expect(pipeline.process(nodeInfo({ labels: { zone: "b" } }))).toBe(false);
    expect(pipeline.process(nodeInfo({ labels: { zone: "b" } }))).toBe(false);
    expect(pipeline.process(nodeInfo({ labels: { zone: "b" }, nanoCpus: 8e9 }))).toBe(false);
    expect(pipeline.failureCounts()).toEqual({ ReadyFilter: 1, ResourceFilter: 2, ConstraintFilter: 1 });
    expect(pipeline.explain()).toBe("insufficient resources on 2 nodes; 1 node not available for new tasks; scheduling constraints not satisfied on 1 node");
  });

  it("lists ties in filter order and resets the counts when a node passes", () => {
    const pipeline = new Pipeline();
    pipeline.setTask(filterTask({ constraints: ["node.labels.zone==a"], platforms: [{ architecture: "arm64", os: "" }] }));
    pipeline.process(nodeInfo({ architecture: "arm64" }));
    pipeline.process(nodeInfo({ labels: { zone: "a" } }));
    expect(pipeline.explain()).toBe("scheduling constraints not satisfied on 1 node; unsupported platform on 1 node");
    expect(pipeline.process(nodeInfo({ labels: { zone: "a" }, architecture: "arm64" }))).toBe(true);
    expect(pipeline.explain()).toBe("");
    pipeline.setTask(filterTask());
    expect(pipeline.explain()).toBe("");
  });
});
