// Tests of the named invariants and `watch`: each invariant fires on a hand-made violation (a
// fabricated event sequence and store fed through a hand-made context, or a real simulation
// driven into the bad situation) and stays silent on correct runs of a real swarm with
// services, faults and a heal.
import { beforeAll, describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";
import { allInvariants, formatViolation, invariants, InvariantViolationError, watch, type Invariant, type InvariantContext, type InvariantViolation, type Watcher } from "swarmsim/testing";
import { markFault, probeWrites } from "../../src/testing/measures.js";
import type { SimulationEvent } from "../../src/sim/events.js";
import type { RaftObserverFunction, ManagerStore } from "../../src/testing/invariants/types.js";
import type { RaftStatus } from "../../src/swarm/raft/index.js";
import type { ClusterState, Service, SwarmNode, Task, TaskState } from "../../src/swarm/types.js";
import type { WriteProbeRecord } from "../../src/testing/measures.js";
import type { ProcessInfo } from "../../src/sim/process.js";

// ------------------------------------------------------------------ hand-made states and contexts

const gigabyte = 2 ** 30;

function node(id: string, hostname: string, fields: { labels?: Record<string, string>; availability?: SwarmNode["spec"]["availability"]; state?: SwarmNode["status"]["state"]; nanoCpus?: number; updatedAt?: number } = {}): SwarmNode {
  return {
    id,
    version: 1,
    createdAt: 0,
    updatedAt: fields.updatedAt ?? 0,
    spec: { name: "", labels: fields.labels ?? {}, desiredRole: "worker", availability: fields.availability ?? "active" },
    role: "worker",
    description: {
      hostname,
      platform: { architecture: "x86_64", os: "linux" },
      resources: { nanoCpus: fields.nanoCpus ?? 2e9, memoryBytes: 2 * gigabyte },
      engine: { engineVersion: "28.2.2", labels: {} },
    },
    status: { state: fields.state ?? "ready", message: "", address: "10.0.0.1" },
    managerStatus: null,
  };
}

function service(id: string, name: string, mode: Service["spec"]["mode"], fields: { constraints?: string[]; reserveNanoCpus?: number; updatedAt?: number } = {}): Service {
  const policy = { parallelism: 1, delayMs: 0, failureAction: "pause" as const, monitorMs: 5_000, maxFailureRatio: 0, order: "stop-first" as const };
  return {
    id,
    version: 1,
    createdAt: 0,
    updatedAt: fields.updatedAt ?? 0,
    spec: {
      name,
      labels: {},
      task: {
        container: { image: "nginx", command: null, args: null, env: [], labels: {}, stopGracePeriodMs: null },
        resources: { limits: { nanoCpus: 0, memoryBytes: 0 }, reservations: { nanoCpus: fields.reserveNanoCpus ?? 0, memoryBytes: 0 } },
        restartPolicy: { condition: "any", delayMs: 5_000, maxAttempts: 0, windowMs: 0 },
        placement: { constraints: fields.constraints ?? [], preferences: [], maxReplicas: 0, platforms: [] },
        forceUpdate: 0,
      },
      mode,
      update: policy,
      rollback: policy,
      endpoint: { mode: "vip", ports: [] },
    },
    previousSpec: null,
    endpoint: { ports: [], virtualIps: [] },
    updateStatus: null,
  };
}

function task(id: string, owner: Service, slot: number, nodeId: string, state: TaskState, desiredState: TaskState = "running"): Task {
  return {
    id,
    version: 1,
    createdAt: 0,
    updatedAt: 0,
    serviceId: owner.id,
    slot,
    nodeId,
    spec: owner.spec.task,
    serviceVersion: owner.version,
    status: { timestamp: 0, state, message: "", error: "", containerId: null, pid: 0, exitCode: null },
    desiredState,
    name: `${owner.spec.name}.${slot}`,
  };
}

function clusterState(nodes: SwarmNode[], services: Service[], tasks: Task[]): ClusterState {
  return {
    cluster: null,
    nodes: Object.fromEntries(nodes.map((item) => [item.id, item])),
    services: Object.fromEntries(services.map((item) => [item.id, item])),
    tasks: Object.fromEntries(tasks.map((item) => [item.id, item])),
  };
}

/** A context over hand-made data; `stores` and `now` may be changed between events. */
interface HandMade {
  readonly context: InvariantContext;
  readonly violations: InvariantViolation[];
  now: number;
  lastFaultMs: number | null;
  stores: Map<string, ClusterState>;
  processes: Map<string, ProcessInfo[]>;
  writeProbes: WriteProbeRecord | undefined;
  applied: Map<string, { index: number; term: number; data: unknown }[]>;
  raftObserver: RaftObserverFunction | undefined;
}

function handMade(hosts: string[] = ["manager1", "worker1", "worker2"]): HandMade {
  const incarnation = {};
  const made: HandMade = {
    violations: [],
    now: 0,
    lastFaultMs: null,
    stores: new Map(),
    processes: new Map(),
    writeProbes: undefined,
    applied: new Map(),
    raftObserver: undefined,
    context: undefined as unknown as InvariantContext,
  };
  const context: InvariantContext = {
    get nowMs() {
      return made.now;
    },
    hostNames: () => hosts,
    hostUp: () => true,
    processes: (host) => made.processes.get(host) ?? [],
    managerStore: (host): ManagerStore | undefined => {
      const state = made.stores.get(host);
      return state === undefined ? undefined : { incarnation, state };
    },
    clusterState: () => made.stores.get("manager1"),
    leader: () => ({ host: "manager1", term: 1 }),
    appliedEntries: (host) => made.applied.get(host),
    writeProbes: () => made.writeProbes,
    lastFaultMs: () => made.lastFaultMs,
    recentFaultEvents: () => [],
    observeRaft: (observer) => {
      made.raftObserver = observer;
    },
    report: (violation) => {
      made.violations.push(violation);
    },
  };
  (made as { context: InvariantContext }).context = context;
  return made;
}

function commit(host: string, index: number, term: number, time: number): SimulationEvent {
  return { type: "raft.commit", time, host, index, term };
}

/** Starts an invariant on a hand-made context, feeds it `raft.commit` events of `manager1` for each store in turn. */
function feedStores(invariant: Invariant, made: HandMade, states: ClusterState[]): void {
  invariant.start?.(made.context);
  states.forEach((state, position) => {
    made.stores.set("manager1", state);
    made.now = (position + 1) * 1_000;
    invariant.observe?.(commit("manager1", position + 1, 1, made.now), made.context);
  });
}

function status(state: RaftStatus["state"], term: number, id: string): RaftStatus {
  return { id, state, term, leader: state === "leader" ? id : null, votedFor: id, commitIndex: 0, appliedIndex: 0, lastLogIndex: 0, lastLogTerm: 0, snapshotIndex: 0, members: ["m1", "m2", "m3"] };
}

// ------------------------------------------------------------------ correct runs

const raftTiming = { electionTimeoutMs: [1_000, 2_000] as [number, number], heartbeatIntervalMs: 200 };

interface CorrectRun {
  readonly sim: Simulation;
  readonly watcher: Watcher;
  /** The same liveness and count invariants with no settle window and a 1 ms deadline: they must see the transient shortfalls. */
  readonly eager: Watcher;
}

/** A swarm with replicated, global, constrained and reserving services, under crashes, a partition, daemon kills, a leader crash and a heal. */
function correctSwarmRun(seed: string): CorrectRun {
  const sim = Simulation.swarm({ seed, managers: 3, workers: 2, trace: { level: "off" }, raft: raftTiming });
  const watcher = watch(sim, allInvariants({ settleMs: 30_000, convergenceWithinMs: 120_000 }), { throwOnViolation: false });
  const eager = watch(sim, [invariants.replicaCount({ settleMs: 0 }), invariants.globalCount({ settleMs: 0 }), invariants.convergenceAfterHeal({ withinMs: 1 })]);
  const run = (line: string) => expect(sim.exec(sim.leader()!.host, line).exitCode, line).toBe(0);
  run("docker service create -d --name web --replicas 4 nginx");
  run("docker service create -d --name agent --mode global nginx");
  run("docker service create -d --name pinned --replicas 2 --constraint node.role==worker nginx");
  run("docker service create -d --name heavy --replicas 3 --reserve-cpu 1 nginx");
  sim.runFor(60_000);
  sim.faults.crash("worker1");
  sim.runFor(30_000);
  sim.faults.kill("worker2", "containerd");
  sim.faults.isolate("manager3");
  sim.runFor(20_000);
  sim.faults.heal();
  sim.faults.restart("worker1");
  sim.faults.restart("worker2", "containerd");
  sim.runFor(60_000);
  run("docker service scale -d web=6");
  sim.faults.crash(sim.leader()!.host);
  sim.runFor(200_000);
  return { sim, watcher, eager };
}

describe("invariants stay silent on correct runs", () => {
  let swarm: CorrectRun;
  let swarmViolations: readonly InvariantViolation[];

  beforeAll(() => {
    swarm = correctSwarmRun("invariants/correct");
    swarmViolations = swarm.watcher.check();
  });

  it("the correct run is not vacuous: faults were seen and every service converged", () => {
    expect(swarm.watcher.lastFaultMs).not.toBeNull();
    const state = swarm.sim.clusterState()!;
    const running = (name: string) => Object.values(state.tasks).filter((item) => state.services[item.serviceId]!.spec.name === name && item.desiredState === "running" && item.status.state === "running");
    expect(running("web")).toHaveLength(6);
    expect(running("pinned")).toHaveLength(2);
    expect(running("agent").length).toBeGreaterThanOrEqual(4);
    expect(Object.values(state.tasks).filter((item) => item.createdAt > 60_000).length).toBeGreaterThan(0);
    expect(swarm.watcher.names).toHaveLength(10);
    // The count and liveness invariants did look during the faults: without their settle window
    // and deadline they see the shortfalls a correct swarm goes through while it recovers.
    const eagerNames = new Set(swarm.eager.check().map((violation) => violation.invariant));
    expect([...eagerNames].sort()).toEqual(["convergence-after-heal", "global-count", "replica-count"]);
  });

  it.each([
    "raft-safety",
    "task-immutability",
    "task-states-forward",
    "replica-count",
    "global-count",
    "constraints-respected",
    "reservations-fit",
    "acknowledged-writes-kept",
    "container-has-shim",
    "convergence-after-heal",
  ])("%s is silent on a swarm with services, faults and a heal", (name) => {
    expect(swarm.watcher.names).toContain(name);
    expect(swarmViolations.filter((violation) => violation.invariant === name).map(formatViolation)).toEqual([]);
  });

  it("acknowledged-writes-kept is silent on a Raft-only group whose leader crashes while writes are probed", () => {
    const sim = Simulation.swarm({ seed: "invariants/writes", managers: 3, engine: false, trace: { level: "off" }, raft: { electionTimeoutMs: [150, 300], heartbeatIntervalMs: 50 } });
    const watcher = watch(sim, [invariants.acknowledgedWritesKept(), invariants.raftSafety()]);
    probeWrites(sim, { intervalMs: 10, durationMs: 500 });
    markFault(sim, "crash");
    sim.faults.crash(sim.leader()!.host);
    const record = probeWrites(sim, { intervalMs: 10, durationMs: 3_000 });
    sim.runFor(1_000);
    expect(record.probes.filter((probe) => probe.committedAtMs !== null).length).toBeGreaterThan(100);
    expect(watcher.check().map(formatViolation)).toEqual([]);
  });
});

// ------------------------------------------------------------------ hand-made violations

describe("each invariant fires on a hand-made violation", () => {
  it("raft-safety reports two leaders in one term fed to the wrapped checker", () => {
    const made = handMade();
    const invariant = invariants.raftSafety();
    invariant.start?.(made.context);
    expect(made.raftObserver).toBeDefined();
    made.raftObserver!("m1", null, status("leader", 2, "m1"));
    expect(made.violations).toEqual([]);
    made.raftObserver!("m2", null, status("leader", 2, "m2"));
    expect(made.violations).toHaveLength(1);
    expect(made.violations[0]!.invariant).toBe("raft-safety");
    expect(made.violations[0]!.hosts).toEqual(["m1", "m2"]);
    expect(made.violations[0]!.message).toMatch(/election-safety.*two leaders in term 2/);
  });

  it("task-immutability reports an assigned task that changes node", () => {
    const made = handMade();
    const web = service("s1", "web", { kind: "replicated", replicas: 1 });
    const nodes = [node("n1", "worker1"), node("n2", "worker2")];
    const invariant = invariants.taskImmutability();
    feedStores(invariant, made, [
      clusterState(nodes, [web], [task("t1", web, 1, "", "pending")]),
      clusterState(nodes, [web], [task("t1", web, 1, "n1", "assigned")]),
      clusterState(nodes, [web], [task("t1", web, 1, "n1", "running")]),
    ]);
    expect(made.violations).toEqual([]);
    feedStores(invariant, made, [clusterState(nodes, [web], [task("t1", web, 1, "n2", "running")])]);
    expect(made.violations).toHaveLength(1);
    const [violation] = made.violations;
    expect(violation!.invariant).toBe("task-immutability");
    expect(violation!.hosts).toEqual(["manager1", "worker1", "worker2"]);
    expect(violation!.message).toMatch(/task t1 \(web\.1\).*node n1 -> n2/);
    expect(violation!.events).toEqual([commit("manager1", 1, 1, 1_000)]);
  });

  it("task-states-forward reports a running task going back to assigned, and a desired state going back", () => {
    const made = handMade();
    const web = service("s1", "web", { kind: "replicated", replicas: 2 });
    const nodes = [node("n1", "worker1")];
    feedStores(invariants.taskStatesForward(), made, [
      clusterState(nodes, [web], [task("t1", web, 1, "n1", "running"), task("t2", web, 2, "n1", "running", "shutdown")]),
      clusterState(nodes, [web], [task("t1", web, 1, "n1", "assigned"), task("t2", web, 2, "n1", "running", "shutdown")]),
      clusterState(nodes, [web], [task("t1", web, 1, "n1", "assigned"), task("t2", web, 2, "n1", "running", "running")]),
    ]);
    expect(made.violations.map((violation) => violation.message)).toEqual([
      expect.stringMatching(/task t1 .*state running -> assigned/),
      expect.stringMatching(/task t2 .*desired state shutdown -> running/),
    ]);
    expect(made.violations.every((violation) => violation.invariant === "task-states-forward" && violation.hosts.includes("worker1"))).toBe(true);
  });

  it("replica-count reports a settled service short of replicas, and not before it settles", () => {
    const made = handMade();
    const web = service("s1", "web", { kind: "replicated", replicas: 3 }, { updatedAt: 10_000 });
    const nodes = [node("n1", "worker1"), node("n2", "worker2")];
    made.stores.set("manager1", clusterState(nodes, [web], [task("t1", web, 1, "n1", "running"), task("t2", web, 2, "n2", "running"), task("t3", web, 3, "n2", "failed", "shutdown")]));
    const invariant = invariants.replicaCount({ settleMs: 30_000 });
    made.now = 39_999;
    invariant.check?.(made.context);
    expect(made.violations).toEqual([]);
    made.now = 40_000;
    invariant.check?.(made.context);
    expect(made.violations).toHaveLength(1);
    expect(made.violations[0]!.invariant).toBe("replica-count");
    expect(made.violations[0]!.message).toMatch(/service web: 2 running and 0 pending tasks, 3 replicas wanted/);
    expect(made.violations[0]!.hosts).toEqual(["worker1", "worker2"]);
  });

  it("global-count reports an eligible node without the task and a drained node running it", () => {
    const made = handMade();
    const agent = service("s1", "agent", { kind: "global" });
    const nodes = [node("n1", "worker1"), node("n2", "worker2")];
    made.stores.set("manager1", clusterState(nodes, [agent], [task("t1", agent, 0, "n1", "running")]));
    made.now = 100_000;
    const invariant = invariants.globalCount({ settleMs: 30_000 });
    invariant.check?.(made.context);
    expect(made.violations.map((violation) => violation.message)).toEqual([expect.stringMatching(/node worker2 \(active\) has 0 tasks desired running, 1 wanted/)]);

    const drained = handMade();
    drained.stores.set("manager1", clusterState([node("n1", "worker1", { availability: "drain" })], [agent], [task("t1", agent, 0, "n1", "running")]));
    drained.now = 100_000;
    invariants.globalCount().check?.(drained.context);
    expect(drained.violations.map((violation) => violation.message)).toEqual([expect.stringMatching(/node worker1 \(drain\) has 1 tasks desired running, 0 wanted/)]);
  });

  it("constraints-respected reports a task assigned to a node that breaks its constraint", () => {
    const made = handMade();
    const pinned = service("s1", "pinned", { kind: "replicated", replicas: 1 }, { constraints: ["node.labels.zone==a"] });
    const nodes = [node("n1", "worker1", { labels: { zone: "a" } }), node("n2", "worker2", { labels: { zone: "b" } })];
    const invariant = invariants.constraintsRespected();
    feedStores(invariant, made, [
      clusterState(nodes, [pinned], [task("t1", pinned, 1, "", "pending"), task("t2", pinned, 1, "", "pending")]),
      clusterState(nodes, [pinned], [task("t1", pinned, 1, "n1", "assigned"), task("t2", pinned, 1, "", "pending")]),
    ]);
    expect(made.violations).toEqual([]);
    feedStores(invariant, made, [clusterState(nodes, [pinned], [task("t1", pinned, 1, "n1", "assigned"), task("t2", pinned, 1, "n2", "assigned")])]);
    expect(made.violations).toHaveLength(1);
    expect(made.violations[0]!.invariant).toBe("constraints-respected");
    expect(made.violations[0]!.hosts).toEqual(["manager1", "worker2"]);
    expect(made.violations[0]!.message).toMatch(/task t2 .*node worker2, which breaks its constraint node\.labels\.zone==a/);
  });

  it("reservations-fit reports a node whose tasks reserve more CPU than it has", () => {
    const made = handMade();
    const heavy = service("s1", "heavy", { kind: "replicated", replicas: 3 }, { reserveNanoCpus: 1.5e9 });
    const nodes = [node("n1", "worker1", { nanoCpus: 2e9 }), node("n2", "worker2", { nanoCpus: 2e9 })];
    const invariant = invariants.reservationsFit();
    feedStores(invariant, made, [
      clusterState(nodes, [heavy], [task("t1", heavy, 1, "n1", "running"), task("t2", heavy, 2, "n2", "running"), task("t3", heavy, 3, "n1", "failed", "shutdown")]),
    ]);
    invariant.check?.(made.context);
    expect(made.violations).toEqual([]);
    feedStores(invariant, made, [clusterState(nodes, [heavy], [task("t1", heavy, 1, "n1", "running"), task("t2", heavy, 2, "n2", "running"), task("t3", heavy, 3, "n1", "assigned")])]);
    expect(made.violations).toHaveLength(1);
    expect(made.violations[0]!.invariant).toBe("reservations-fit");
    expect(made.violations[0]!.message).toMatch(/2 tasks reserve 3 CPUs .* on node worker1, which has 2 CPUs/);
  });

  it("acknowledged-writes-kept reports an applied index applied again with another term, and a probed write missing from the leader", () => {
    const made = handMade();
    const invariant = invariants.acknowledgedWritesKept();
    invariant.observe?.(commit("m1", 5, 2, 100), made.context);
    invariant.observe?.(commit("m2", 5, 2, 110), made.context);
    expect(made.violations).toEqual([]);
    invariant.observe?.(commit("m3", 5, 3, 900), made.context);
    expect(made.violations).toHaveLength(1);
    expect(made.violations[0]!.hosts).toEqual(["m1", "m3"]);
    expect(made.violations[0]!.events).toEqual([commit("m1", 5, 2, 100), commit("m3", 5, 3, 900)]);

    made.writeProbes = {
      startMs: 0,
      endMs: 100,
      refusedCount: 0,
      probes: [
        { data: "probe/0", host: "manager2", index: 7, term: 1, proposedAtMs: 0, committedAtMs: 5 },
        { data: "probe/1", host: "manager2", index: 8, term: 1, proposedAtMs: 10, committedAtMs: 15 },
      ],
    };
    made.applied.set("manager1", [{ index: 7, term: 1, data: "probe/0" }]);
    invariant.check?.(made.context);
    expect(made.violations).toHaveLength(2);
    expect(made.violations[1]!.message).toMatch(/write probe\/1 acknowledged by manager2 .* missing from leader manager1/);
  });

  it("container-has-shim reports a container process started outside any shim, live and at check()", () => {
    const sim = Simulation.swarm({ seed: "invariants/shim", managers: 1, workers: 1, trace: { level: "off" } });
    const watcher = watch(sim, [invariants.containerHasShim()]);
    expect(sim.exec("manager1", "docker run -d --name ok nginx").exitCode).toBe(0);
    sim.runFor(1_000);
    expect(watcher.check()).toEqual([]);
    sim.spawn("worker1", "container:0123456789ab", {});
    expect(watcher.violations).toHaveLength(1);
    expect(watcher.violations[0]!.invariant).toBe("container-has-shim");
    expect(watcher.violations[0]!.hosts).toEqual(["worker1"]);
    expect(watcher.violations[0]!.events.map((event) => event.type)).toEqual(["process.start"]);
    expect(watcher.violations[0]!.message).toMatch(/container:0123456789ab .* runs without shim:0123456789ab/);
    // The after-the-run pass finds it too, in a watcher started afterwards.
    const late = watch(sim, [invariants.containerHasShim()]);
    expect(late.check().map((violation) => violation.message)).toEqual([watcher.violations[0]!.message]);
  });

  it("container-has-shim reports, after the cascade, a container whose shim exited while it kept running", () => {
    const made = handMade();
    const invariant = invariants.containerHasShim();
    made.processes.set("worker1", [
      { name: "shim:aaaaaaaaaaaa", pid: 10, parent: null },
      { name: "container:aaaaaaaaaaaa", pid: 11, parent: "shim:aaaaaaaaaaaa" },
    ]);
    invariant.check?.(made.context);
    expect(made.violations).toEqual([]);
    made.processes.set("worker1", [{ name: "container:aaaaaaaaaaaa", pid: 11, parent: "shim:aaaaaaaaaaaa" }]);
    const shimStop: SimulationEvent = { type: "process.stop", time: 500, host: "worker1", process: "shim:aaaaaaaaaaaa", pid: 10, reason: "killed", exitCode: 137 };
    invariant.observe?.(shimStop, made.context);
    expect(made.violations).toEqual([]); // the cascade may still kill the container at this time
    invariant.observe?.({ type: "process.start", time: 600, host: "worker2", process: "dockerd", pid: 3, parent: null }, made.context);
    expect(made.violations).toHaveLength(1);
    expect(made.violations[0]!.events).toEqual([shimStop]);
  });

  it("convergence-after-heal reports a swarm that lost its quorum and never converges after the last fault", () => {
    const sim = Simulation.swarm({ seed: "invariants/no-quorum", managers: 3, workers: 1, trace: { level: "off" }, raft: raftTiming });
    const watcher = watch(sim, [invariants.convergenceAfterHeal({ withinMs: 60_000 })]);
    expect(sim.exec("manager1", "docker service create -d --name web --replicas 2 nginx").exitCode).toBe(0);
    sim.runFor(30_000);
    const followers = ["manager1", "manager2", "manager3"].filter((host) => host !== sim.leader()!.host);
    sim.faults.crash(followers[0]!);
    sim.faults.crash(followers[1]!);
    const lastFaultMs = sim.now;
    sim.runFor(59_000);
    expect(watcher.check()).toEqual([]); // before the deadline: undecided
    sim.runFor(2_000);
    const violations = watcher.check();
    expect(violations).toHaveLength(1);
    expect(violations[0]!.invariant).toBe("convergence-after-heal");
    expect(violations[0]!.message).toMatch(/not converged 6\d{4}(\.\d+)? ms after the last fault \(no live leader\); wanted within 60000 ms/);
    expect(violations[0]!.hosts).toEqual([...followers].sort());
    expect(violations[0]!.events.map((event) => event.type)).toEqual(["host.crash", "host.crash"]);
    expect(watcher.lastFaultMs).toBe(lastFaultMs);
  });

  it("convergence-after-heal reports a convergence seen only after the deadline", () => {
    const made = handMade();
    const web = service("s1", "web", { kind: "replicated", replicas: 1 });
    const nodes = [node("n1", "worker1")];
    made.lastFaultMs = 1_000;
    const invariant = invariants.convergenceAfterHeal({ withinMs: 10_000 });
    made.stores.set("manager1", clusterState(nodes, [web], [task("t1", web, 1, "n1", "preparing")]));
    made.now = 5_000;
    invariant.observe?.(commit("manager1", 3, 1, made.now), made.context);
    expect(made.violations).toEqual([]);
    made.stores.set("manager1", clusterState(nodes, [web], [task("t1", web, 1, "n1", "running")]));
    made.now = 12_000;
    invariant.observe?.(commit("manager1", 4, 1, made.now), made.context);
    expect(made.violations.map((violation) => violation.message)).toEqual(["converged only 11000 ms after the last fault; wanted within 10000 ms"]);
  });
});

describe("watch", () => {
  it("throws at the first violation with throwOnViolation, and stop() ends listening", () => {
    const sim = Simulation.swarm({ seed: "invariants/throw", managers: 1, workers: 1, trace: { level: "off" } });
    const throwing = watch(sim, [invariants.containerHasShim()], { throwOnViolation: true });
    expect(() => sim.spawn("worker1", "container:bbbbbbbbbbbb", {})).toThrow(InvariantViolationError);
    throwing.stop();
    const quiet = watch(sim, [invariants.containerHasShim()]);
    quiet.stop();
    sim.spawn("worker1", "container:cccccccccccc", {});
    expect(quiet.violations).toEqual([]);
    expect(throwing.violationCount).toBe(1);
    expect(quiet.ok).toBe(true);
  });

  it("tracks faults: crashes, heals and daemon kills, not container kills; noteFault adds one", () => {
    const sim = Simulation.swarm({ seed: "invariants/faults", managers: 1, workers: 1, trace: { level: "off" } });
    const watcher = watch(sim, []);
    expect(watcher.lastFaultMs).toBeNull();
    expect(sim.exec("worker1", "docker run -d --name web nginx").exitCode).toBe(0);
    expect(sim.exec("worker1", "docker kill web").exitCode).toBe(0);
    expect(watcher.lastFaultMs).toBeNull();
    sim.runFor(1_000);
    sim.faults.kill("worker1", "containerd");
    const killedAt = sim.now;
    sim.runFor(1_000);
    expect(watcher.lastFaultMs).toBe(killedAt);
    watcher.noteFault();
    expect(watcher.lastFaultMs).toBe(sim.now);
  });
});
