// Swarm mode end to end through the Engine API: a swarm formed by init and joins, services
// scheduled and run by the agents, nodes going down and tasks replaced (never moved), leader
// failover, quorum loss, and Docker's errors for refused requests.
import { describe, expect, it } from "vitest";
import { EngineApiError, Simulation } from "swarmsim";
import { expectEngineApi } from "../support/engine-api-schema.js";

function apiError(action: () => unknown): [number, string] {
  try {
    action();
  } catch (error) {
    if (error instanceof EngineApiError) return [error.statusCode, error.message];
    throw error;
  }
  throw new Error("expected an EngineApiError");
}

function running(sim: Simulation, serviceName: string) {
  const state = sim.clusterState()!;
  const service = Object.values(state.services).find((candidate) => candidate.spec.name === serviceName)!;
  return Object.values(state.tasks).filter((task) => task.serviceId === service.id && task.status.state === "running" && task.desiredState === "running");
}

describe("swarm mode", () => {
  it("forms a swarm of managers and workers with a leader and every node ready", () => {
    const sim = Simulation.swarm({ seed: "form", managers: 3, workers: 2 });
    const nodes = sim.engine("manager1").nodeList();
    expect(nodes.map((node) => node.Description.Hostname).sort()).toEqual(["manager1", "manager2", "manager3", "worker1", "worker2"]);
    for (const node of nodes) {
      expectEngineApi("Node", node);
      expect(node.Status.State).toBe("ready");
    }
    const leaders = nodes.filter((node) => node.ManagerStatus?.Leader === true);
    expect(leaders).toHaveLength(1);
    expect(leaders[0]!.Description.Hostname).toBe(sim.leader()!.host);
    expect(sim.raftStatus("manager2").members).toEqual(["manager1", "manager2", "manager3"]);
    expectEngineApi("Swarm", sim.engine("manager2").swarmInspect());
  });

  it("runs a replicated service's tasks across the nodes, and a global service on every node", () => {
    const sim = Simulation.swarm({ seed: "services", managers: 1, workers: 2 });
    const manager = sim.engine("manager1");
    manager.serviceCreate({ Name: "web", TaskTemplate: { ContainerSpec: { Image: "nginx" } }, Mode: { Replicated: { Replicas: 6 } } });
    manager.serviceCreate({ Name: "agent", TaskTemplate: { ContainerSpec: { Image: "alpine", Args: ["sleep", "86400"] } }, Mode: { Global: {} } });
    expect(sim.runUntil(() => running(sim, "web").length === 6 && running(sim, "agent").length === 3, { timeoutMs: 60_000 })).toBe(true);
    const perNode = new Map<string, number>();
    for (const task of running(sim, "web")) perNode.set(task.nodeId, (perNode.get(task.nodeId) ?? 0) + 1);
    expect([...perNode.values()]).toEqual([2, 2, 2]);
    expect(new Set(running(sim, "agent").map((task) => task.nodeId)).size).toBe(3);
    for (const service of manager.serviceList()) expectEngineApi("Service", service);
    for (const task of manager.taskList()) expectEngineApi("Task", task);
    // Each running task is a container named <service>.<slot>.<task id> on its node.
    const task = running(sim, "web")[0]!;
    const host = sim.clusterState()!.nodes[task.nodeId]!.description.hostname;
    const names = sim.engine(host).containerList().map((container) => container.Names[0]);
    expect(names).toContain(`/web.${task.slot}.${task.id}`);
  });

  it("replaces the tasks of a node that goes down with new tasks elsewhere, never moving one", () => {
    const sim = Simulation.swarm({ seed: "down", managers: 1, workers: 2 });
    sim.engine("manager1").serviceCreate({ Name: "web", TaskTemplate: { ContainerSpec: { Image: "nginx" } }, Mode: { Replicated: { Replicas: 3 } } });
    expect(sim.runUntil(() => running(sim, "web").length === 3, { timeoutMs: 60_000 })).toBe(true);
    const nodeOfTask = new Map(Object.values(sim.clusterState()!.tasks).map((task) => [task.id, task.nodeId]));
    const worker1 = Object.values(sim.clusterState()!.nodes).find((node) => node.description.hostname === "worker1")!;
    sim.faults.crash("worker1");
    expect(sim.runUntil(() => sim.clusterState()!.nodes[worker1.id]!.status.state === "down", { timeoutMs: 30_000 })).toBe(true);
    expect(sim.runUntil(() => running(sim, "web").filter((task) => task.nodeId !== worker1.id).length === 3, { timeoutMs: 60_000 })).toBe(true);
    for (const task of Object.values(sim.clusterState()!.tasks)) {
      if (nodeOfTask.has(task.id)) expect(task.nodeId).toBe(nodeOfTask.get(task.id));
    }
    const slots = running(sim, "web").filter((task) => task.nodeId !== worker1.id).map((task) => task.slot).sort();
    expect(slots).toEqual([1, 2, 3]);
  });

  it("keeps serving after the leader dies, and refuses writes without quorum while containers keep running", () => {
    const sim = Simulation.swarm({ seed: "quorum", managers: 3, workers: 0, raft: { electionTimeoutMs: [1_000, 2_000], heartbeatIntervalMs: 200 } });
    sim.engine("manager1").serviceCreate({ Name: "web", TaskTemplate: { ContainerSpec: { Image: "nginx" } }, Mode: { Replicated: { Replicas: 3 } } });
    expect(sim.runUntil(() => running(sim, "web").length === 3, { timeoutMs: 60_000 })).toBe(true);
    const oldLeader = sim.leader()!.host;
    sim.faults.crash(oldLeader);
    expect(sim.runUntil(() => sim.leader() !== undefined && sim.leader()!.host !== oldLeader, { timeoutMs: 30_000 })).toBe(true);
    const survivor = sim.leader()!.host;
    sim.engine(survivor).serviceCreate({ Name: "after", TaskTemplate: { ContainerSpec: { Image: "alpine", Args: ["sleep", "3600"] } } });
    const other = ["manager1", "manager2", "manager3"].find((host) => host !== oldLeader && host !== survivor)!;
    sim.faults.crash(other);
    sim.runFor(10_000);
    const [status, message] = apiError(() => sim.engine(survivor).serviceCreate({ Name: "lost", TaskTemplate: { ContainerSpec: { Image: "nginx" } } }));
    expect(status).toBe(503);
    expect(message).toBe(
      "rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.",
    );
    const containers = sim.engine(survivor).containerList();
    expect(containers.length).toBeGreaterThan(0);
    expect(containers.every((container) => container.State === "running")).toBe(true);
  });

  it("answers refused requests in Docker's words and changes nothing", () => {
    const sim = Simulation.swarm({ seed: "errors", managers: 1, workers: 1 });
    const before = JSON.stringify(sim.clusterState());
    expect(apiError(() => sim.engine("worker1").nodeList())).toEqual([
      503,
      "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.",
    ]);
    expect(apiError(() => sim.engine("manager1").swarmInit({}))).toEqual([503, 'This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.']);
    expect(apiError(() => sim.engine("manager1").serviceCreate({ Name: "x", TaskTemplate: { ContainerSpec: {} } }))).toEqual([400, "rpc error: code = InvalidArgument desc = ContainerSpec: image reference must be provided"]);
    expect(apiError(() => sim.engine("manager1").serviceInspect("nosuch"))[0]).toBe(404);
    expect(JSON.stringify(sim.clusterState())).toBe(before);
    sim.addHost("outsider");
    sim.runFor(1_000);
    expect(apiError(() => sim.engine("outsider").nodeList())).toEqual([503, 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.']);
    expect(apiError(() => sim.engine("outsider").swarmJoin({ RemoteAddrs: ["10.0.0.1:2377"], JoinToken: "SWMTKN-1-" + "a".repeat(50) + "-" + "b".repeat(25) }))[1]).toMatch(/join token/);
  });

  it("gathers a service's logs from its tasks' nodes, merged by time, as docker service logs prints them", () => {
    const sim = Simulation.swarm({ seed: "logs", managers: 1, workers: 1 });
    expect(sim.exec("manager1", "docker service create -d --replicas 2 --name pinger alpine ping docker.com").exitCode).toBe(0);
    sim.runFor(4_000);
    const logs = sim.exec("manager1", "docker service logs pinger");
    expect(logs.exitCode).toBe(0);
    const lines = logs.stdout.trimEnd().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(6);
    for (const line of lines) expect(line).toMatch(/^pinger\.[12]\.[0-9a-z]{12}@(manager1|worker1) +\| (PING docker\.com|64 bytes from)/);
    expect(new Set(lines.map((line) => line.split("@")[1]!.split(" ")[0]))).toEqual(new Set(["manager1", "worker1"]));
  });

  it("promotes a worker into the Raft group and demotes it again; refuses to demote the last manager", () => {
    const sim = Simulation.swarm({ seed: "promote", managers: 1, workers: 2 });
    expect(sim.exec("manager1", "docker node promote worker1").stdout).toBe("Node worker1 promoted to a manager in the swarm.\n");
    expect(sim.runUntil(() => sim.raftStatus("manager1").members.includes("worker1"), { timeoutMs: 30_000 })).toBe(true);
    sim.runFor(10_000);
    expect(sim.exec("manager1", "docker node ls").stdout).toMatch(/worker1 +Ready +Active +Reachable /);
    expect(sim.exec("worker1", "docker node ls").exitCode).toBe(0);
    expect(sim.exec("manager1", "docker node demote worker1").stdout).toBe("Manager worker1 demoted in the swarm.\n");
    expect(sim.runUntil(() => sim.raftStatus("manager1").members.join() === "manager1" && !sim.host("worker1").isRunning("swarm-manager"), { timeoutMs: 30_000 })).toBe(true);
    sim.runFor(10_000);
    expect(sim.exec("manager1", "docker node ls").stdout).toMatch(/worker1 +Ready +Active +28\.2\.2/);
    const refused = sim.exec("manager1", "docker node demote manager1");
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toBe("Error response from daemon: rpc error: code = FailedPrecondition desc = attempting to demote the last manager of the swarm\n");
  });

  it("demoting the leader hands leadership over first, so the swarm is never without a leader for an election timeout", () => {
    const sim = Simulation.swarm({ seed: "demote-leader", managers: 3, workers: 1 });
    const oldLeader = sim.leader()!.host;
    let steppedDownAtMs: number | null = null;
    sim.on("raft.state", (event) => {
      if (event.host === oldLeader && event.state !== "leader") steppedDownAtMs ??= sim.now;
    });
    expect(sim.exec(oldLeader, `docker node demote ${oldLeader}`).stdout).toBe(`Manager ${oldLeader} demoted in the swarm.\n`);
    const newLeader = (): string | undefined => {
      const leader = sim.leader()?.host;
      return leader !== oldLeader ? leader : undefined;
    };
    expect(sim.runUntil(() => newLeader() !== undefined, { timeoutMs: 60_000 })).toBe(true);
    // Without the handover the others would wait a whole election timeout (10-20 s) after the old leader stepped down.
    expect(steppedDownAtMs).not.toBeNull();
    expect(sim.now - steppedDownAtMs!).toBeLessThan(1_000);
    const remaining = ["manager1", "manager2", "manager3"].filter((host) => host !== oldLeader);
    const removed = (): boolean => sim.raftStatus(newLeader() ?? remaining[0]!).members.join() === remaining.join() && !sim.host(oldLeader).isRunning("swarm-manager");
    expect(sim.runUntil(removed, { timeoutMs: 60_000 })).toBe(true);
    sim.runFor(10_000);
    expect(sim.exec(newLeader()!, "docker node ls").stdout).toMatch(new RegExp(`${oldLeader} +Ready +Active +28\\.2\\.2`));
  });

  it("a new leader's assignments reach agents that heard from the old leader (regression: tokens of equal pids collided)", () => {
    // Found by the swarm property (seed 1910372612): manager2's agent kept the old leader's
    // assignments token, the new leader issued an equal one, and a task stayed Assigned for ever.
    const sim = Simulation.swarm({ seed: " ", managers: 3, workers: 2, trace: { level: "off" }, raft: { electionTimeoutMs: [1_000, 2_000], heartbeatIntervalMs: 200 } });
    const oldLeader = sim.leader()!.host;
    sim.exec(oldLeader, "docker service create -d --name s0 --mode global nginx");
    sim.faults.isolate(oldLeader);
    sim.runFor(1_083);
    sim.faults.heal();
    const allRunning = () => {
      const tasks = Object.values(sim.clusterState()?.tasks ?? {}).filter((task) => task.desiredState === "running");
      return tasks.length === 5 && tasks.every((task) => task.status.state === "running");
    };
    expect(sim.runUntil(allRunning, { timeoutMs: 60_000 })).toBe(true);
  });

  it("an agent whose engine cannot stop a task (containerd killed) tries again instead of crashing (regression: seed fault-schedules/126)", () => {
    const sim = Simulation.swarm({ seed: "stop-retry", managers: 1, workers: 1 });
    const runningContainers = () => sim.exec("worker1", "docker ps -q").stdout.trim();
    /** Advances a second at a time (exec cannot run inside runUntil) until `done`, for at most `seconds`. */
    const within = (seconds: number, done: () => boolean): boolean => {
      for (let second = 0; second < seconds; second++) {
        if (done()) return true;
        sim.runFor(1_000);
      }
      return done();
    };
    expect(sim.exec("manager1", "docker service create -d --name web --constraint node.hostname==worker1 nginx").exitCode).toBe(0);
    expect(within(60, () => runningContainers() !== "")).toBe(true);
    sim.faults.kill("worker1", "containerd");
    expect(sim.exec("manager1", "docker service rm web").stdout).toBe("web\n");
    // The container outlives containerd (its shim keeps it); once containerd is back the stop succeeds.
    expect(within(120, () => runningContainers() === "")).toBe(true);
  });

  it("keeps a task that fits nowhere pending with the scheduler's explanation, shown by service ps as Docker shows it", () => {
    const sim = Simulation.swarm({ seed: "pending", managers: 1, workers: 1 });
    sim.exec("manager1", "docker service create -d --name pending --constraint node.labels.zone==nowhere alpine sleep 3600");
    sim.runFor(5_000);
    expect(sim.exec("manager1", "docker service ps pending").stdout).toMatch(/ +Running +Pending \d+ seconds ago +"no suitable node \(scheduling …" +\n$/);
    expect(sim.exec("manager1", "docker service ps --no-trunc pending").stdout).toContain('"no suitable node (scheduling constraints not satisfied on 2 nodes)"');
    const task = Object.values(sim.clusterState()!.tasks)[0]!;
    expect(task.status).toMatchObject({ state: "pending", message: "pending task scheduling", error: "no suitable node (scheduling constraints not satisfied on 2 nodes)" });
    // Once a node fits, the task is placed and the explanation goes with the new status.
    sim.exec("manager1", "docker node update --label-add zone=nowhere worker1");
    sim.runFor(30_000);
    expect(sim.exec("manager1", "docker service ps pending").stdout).toMatch(/pending\.1 +alpine:latest +worker1 +Running +Running \d+ seconds ago +\n$/);
  });

  it("lets nodes leave: a manager only with --force (removed from Raft), then docker node rm", () => {
    const sim = Simulation.swarm({ seed: "leave", managers: 3, workers: 1 });
    const refused = sim.exec("manager3", "docker swarm leave");
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toBe(
      "Error response from daemon: You are attempting to leave the swarm on a node that is participating as a manager. The only way to restore a swarm that has lost consensus is to reinitialize it with `--force-new-cluster`. Use `--force` to suppress this message.\n",
    );
    expect(sim.exec("manager3", "docker swarm leave --force").stdout).toBe("Node left the swarm.\n");
    sim.runFor(20_000);
    expect(sim.raftStatus(sim.leader()!.host).members).toEqual(["manager1", "manager2"]);
    const twoLeft = sim.exec("manager2", "docker swarm leave");
    expect(twoLeft.stderr).toMatch(/Removing this node leaves 1 managers out of 2\. Without a Raft quorum your swarm will be inaccessible\. /);
    expect(sim.exec("worker1", "docker swarm leave").stdout).toBe("Node left the swarm.\n");
    sim.runFor(20_000);
    expect(sim.exec("manager1", "docker node ls").stdout).toMatch(/worker1 +Down /);
    expect(sim.exec("manager1", "docker node rm worker1").stdout).toBe("worker1\n");
    expect(sim.exec("manager1", "docker node rm manager3").stdout).toBe("manager3\n");
    expect(sim.exec("manager1", "docker node ls").stdout.trimEnd().split("\n")).toHaveLength(3);
  });

  it("forms a swarm and converges on a network that loses one message in ten (calls are retransmitted)", () => {
    const sim = Simulation.swarm({ seed: "lossy", managers: 2, workers: 1, network: { latencyMs: [1, 5], lossRate: 0.1 } });
    sim.exec("manager1", "docker service create -d --replicas 3 --name web nginx");
    expect(sim.runUntil(() => running(sim, "web").length === 3, { timeoutMs: 120_000 })).toBe(true);
  });

  it("recovers from a lost majority with swarm init --force-new-cluster, keeping the services (Docker's admin guide)", () => {
    const sim = Simulation.swarm({ seed: "force-new-cluster", managers: 3, workers: 1 });
    sim.exec("manager1", "docker service create -d --replicas 2 --name web nginx");
    expect(sim.runUntil(() => running(sim, "web").length === 2, { timeoutMs: 60_000 })).toBe(true);
    sim.faults.crash("manager2");
    sim.faults.crash("manager3");
    sim.runFor(30_000);
    expect(sim.exec("manager1", "docker service ls").stderr).toMatch(/The swarm does not have a leader/);
    const recovered = sim.exec("manager1", "docker swarm init --force-new-cluster --advertise-addr 10.0.0.1");
    expect(recovered.exitCode).toBe(0);
    expect(sim.raftStatus("manager1").members).toEqual(["manager1"]);
    expect(sim.exec("manager1", "docker service ls").stdout).toMatch(/ web +replicated /);
    expect(sim.exec("manager1", "docker service create -d --name after alpine sleep 600").exitCode).toBe(0);
    sim.runFor(20_000);
    expect(sim.exec("manager1", "docker node ls").stdout).toMatch(/manager2 +Down +Active +Unreachable /);
    const onLiveNodes = () => running(sim, "web").filter((task) => sim.clusterState()!.nodes[task.nodeId]!.status.state === "ready").length;
    expect(sim.runUntil(() => onLiveNodes() === 2, { timeoutMs: 120_000 })).toBe(true);
    expect(sim.exec("manager1", "docker node demote manager2").exitCode).toBe(0);
    sim.runFor(5_000);
    expect(sim.exec("manager1", "docker node rm manager2").stdout).toBe("manager2\n");
  });
});
