// Differential test of swarmsim against a REAL three-node Docker swarm (manager1, worker1,
// worker2 on 10.0.0.1-3; dockerd 20.10.24 with the docker CLI 28.2.2), recorded by
// scripts/fixtures/record-multinode.sh (errors.json: record-multinode-errors.sh) into
// test/fixtures/docker/multinode/ (see its README).
//
// Each scenario is replayed through `sim.exec` on a simulated cluster of the same shape (same
// host names, addresses, CPUs and memory), advancing simulated time between steps as the
// recording's clock advanced; where the recorder polled without recording ("worker2 Down"), the
// replay polls the same way, every 250 ms. Outputs are compared after normalising what differs
// per run: IDs (node IDs become the node's name), join tokens, relative times, the engine version
// and plugin list (swarmsim simulates a 28.2.2 engine), and the digest warning that only a
// registry-less recording prints. Tables are compared cell by cell; `service ps` by slot groups
// (which slot lands on which node is the scheduler's free choice; how many tasks each node gets
// is not); progress output by its structure. The last block holds what the first replay found
// different in swarmsim's control plane and engine, each now modelled after Docker's mechanism.
// The recordings, their normalisation, the replay and the comparisons live in ./multinode-replay.ts,
// shared with test/node/multinode-real-cli.test.ts (the same steps through the real docker CLI).
import { describe, expect, it } from "vitest";
import {
  column,
  compareProgress,
  comparePlacement,
  compareTable,
  compareText,
  normaliseNodeInspect,
  normaliseNodeInspectWithTls,
  normaliseOutput,
  normaliseText,
  pollLimitMs,
  progressShape,
  recordedNodeNames,
  recordedNodes,
  recordedOutput,
  recording,
  replay,
  simulatedNodeNames,
  startScenario,
  type Output,
  type Replayed,
  type ReplayedScenario,
} from "./multinode-replay.js";

// ---------------------------------------------------------------- replaying

const replays = new Map<string, ReplayedScenario>();

/** A scenario replayed once, on a fresh simulated cluster. */
function replayed(scenario: string): ReplayedScenario {
  const cached = replays.get(scenario);
  if (cached !== undefined) return cached;
  const { sim, rewrite, namesAtStart } = startScenario(scenario);
  const steps = replay(sim, recording(scenario), rewrite);
  const result = { sim, steps, nodeNames: new Map([...namesAtStart, ...simulatedNodeNames(sim)]) };
  replays.set(scenario, result);
  return result;
}

/** The `occurrence`-th replayed step whose command is `command`. */
function replayedStep(scenario: string, command: string, occurrence = 0): Replayed & { readonly actual: Output } {
  const found = replayed(scenario).steps.filter((replayedStep) => replayedStep.step.command === command)[occurrence];
  if (found?.actual === undefined) throw new Error(`no step "${command}" #${occurrence} in ${scenario}.json`);
  return found as Replayed & { readonly actual: Output };
}

function replayedEvent(scenario: string, event: string): Replayed {
  const found = replayed(scenario).steps.find((replayedStep) => replayedStep.step.event === event);
  if (found === undefined) throw new Error(`no event ${event} in ${scenario}.json`);
  return found;
}

// ---------------------------------------------------------------- comparisons

/** Same exit code and normalised stdout and stderr. */
function expectSameText(scenario: string, command: string, occurrence = 0): void {
  const { step, actual } = replayedStep(scenario, command, occurrence);
  compareText(actual, step, replayed(scenario).nodeNames, command);
}

/** Same exit code, no stderr beyond the stripped warning, and the same table cell by cell (but for `ignoring` columns). */
function expectSameTable(scenario: string, command: string, occurrence = 0, ignoring: readonly string[] = []): void {
  const { step, actual } = replayedStep(scenario, command, occurrence);
  compareTable(actual, step, replayed(scenario).nodeNames, command, ignoring);
}

/** `service ps` / `node ps`: see {@link comparePlacement}. */
function expectSamePlacement(scenario: string, command: string, occurrence = 0): void {
  const { step, actual } = replayedStep(scenario, command, occurrence);
  comparePlacement(actual, step, replayed(scenario).nodeNames, command);
}

/** A convergence wait: see {@link compareProgress}. */
function expectSameProgress(scenario: string, command: string, options: { readonly exactRounds?: boolean } = {}): void {
  const { step, actual } = replayedStep(scenario, command);
  compareProgress(actual, step, replayed(scenario).nodeNames, command, options);
}

// ---------------------------------------------------------------- the tests

describe("multi-node differential: cluster formation (cluster-formation.json)", () => {
  const scenario = "cluster-formation";
  it("swarm init prints the same instructions, with the advertised address", () => expectSameText(scenario, "docker swarm init --advertise-addr 10.0.0.1"));
  it("both workers join as workers", () => {
    const joins = replayed(scenario).steps.filter((replayedStep) => replayedStep.step.command?.startsWith("docker swarm join ") === true);
    expect(joins).toHaveLength(2);
    for (const { step, actual } of joins) expect(normaliseOutput(actual!, new Map())).toEqual(normaliseOutput(recordedOutput(step), new Map()));
  });
  it("node ls lists three ready nodes, the leader marked", () => expectSameTable(scenario, "docker node ls"));
  it("node inspect --pretty worker1 shows the worker's address and resources", () => {
    const { step, actual } = replayedStep(scenario, "docker node inspect --pretty worker1");
    expect(actual.exitCode).toBe(0);
    expect(normaliseNodeInspect(actual.stdout, replayed(scenario).nodeNames)).toBe(normaliseNodeInspect(step.stdout!, recordedNodeNames));
  });
  it("node ps worker1 is an empty table", () => expectSameText(scenario, "docker node ps worker1"));
  it("a worker refuses cluster commands", () => {
    expectSameText(scenario, "docker node ls", 1);
    expectSameText(scenario, "docker service ls");
    expectSameText(scenario, "docker swarm join-token worker");
  });
  it("docker info's swarm part on a worker and on the manager", () => {
    expectSameText(scenario, "docker info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.Nodes}} {{.Swarm.Managers}}'", 0);
    expectSameText(scenario, "docker info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.Nodes}} {{.Swarm.Managers}}'", 1);
  });
});

/** The object keys of a JSON value, as paths (`[].Description.Hostname`). */
function keyPaths(value: unknown, prefix = ""): string[] {
  if (Array.isArray(value)) return [...new Set(value.flatMap((item) => keyPaths(item, `${prefix}[]`)))];
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([key, item]) => [`${prefix}.${key}`, ...keyPaths(item, `${prefix}.${key}`)]);
  return [];
}

/** Whether a polled observation held after about as long as in the recording (within 1 s or 50%). */
function expectSimilarWait(scenario: string, event: string): void {
  const { observedAfterMs, recordedAfterMs } = replayedEvent(scenario, event);
  expect(observedAfterMs, `${event}: never observed within ${pollLimitMs} ms`).toBeDefined();
  expect(Math.abs(observedAfterMs! - recordedAfterMs!), `${event}: simulated ${observedAfterMs} ms, recorded ${recordedAfterMs} ms`).toBeLessThanOrEqual(
    Math.max(1_000, recordedAfterMs! / 2),
  );
}

/** Whether a waiting command took about as long as in the recording (within 25%). */
function expectSimilarDuration(scenario: string, command: string): void {
  const { step, simDurationMs } = replayedStep(scenario, command);
  expect(Math.abs(simDurationMs - step.durationMs!) / step.durationMs!, `${command}: simulated ${simDurationMs} ms, recorded ${step.durationMs} ms`).toBeLessThan(0.25);
}

describe("multi-node differential: Engine API (cluster-formation.json)", () => {
  it("GET /nodes answers with the same fields, the root CA's TLS info included", () => {
    expect(keyPaths(replayed("cluster-formation").sim.engine("manager1").nodeList()).sort()).toEqual(keyPaths(recordedNodes).sort());
  });
});

describe("multi-node differential: promote and demote (node-roles.json)", () => {
  const scenario = "node-roles";
  it("promote, promote again, demote, demote again print Docker's messages", () => {
    expectSameText(scenario, "docker node promote worker1");
    expectSameText(scenario, "docker node promote worker1", 1);
    expectSameText(scenario, "docker node demote worker1");
    expectSameText(scenario, "docker node demote worker1", 1);
  });
  it("the promoted worker answers node ls about as soon as in Docker, marking itself", () => {
    expectSimilarWait(scenario, "worker1-manager");
    expectSameTable(scenario, "docker node ls", 1, ["MANAGER STATUS"]);
  });
  it("node ls after the promotion and after the demotion (MANAGER STATUS right after a promotion: see the control-plane block)", () => {
    expectSameTable(scenario, "docker node ls", 0, ["MANAGER STATUS"]);
    expectSameTable(scenario, "docker node ls", 2);
  });
  it("the last manager cannot be demoted, a live node cannot be removed, a member cannot init", () => {
    expectSameText(scenario, "docker node demote manager1");
    expectSameText(scenario, "docker node rm worker1");
    expectSameText(scenario, "docker swarm init");
  });
});

describe("multi-node differential: a replicated service (service-replicated.json)", () => {
  const scenario = "service-replicated";
  it("create waits for 3 tasks with Docker's progress output, for about as long", () => {
    expectSameProgress(scenario, "docker service create --name web --replicas 3 nginx");
    expectSimilarDuration(scenario, "docker service create --name web --replicas 3 nginx");
  });
  it("the three tasks are spread one per node", () => {
    expectSameTable(scenario, "docker service ls");
    expectSamePlacement(scenario, "docker service ps web");
    expectSamePlacement(scenario, "docker node ps worker1");
  });
  it("scale to 6 waits with Docker's progress and puts two tasks on each node", () => {
    expectSameProgress(scenario, "docker service scale web=6");
    expectSimilarDuration(scenario, "docker service scale web=6");
    expectSameTable(scenario, "docker service ls", 1);
    expectSamePlacement(scenario, "docker service ps web", 1);
  });
  it("update --image replaces every task on its node, one at a time, with Docker's progress lines", () => {
    expectSameProgress(scenario, "docker service update --image nginx:alpine web");
    expectSamePlacement(scenario, "docker service ps web", 2);
  });
  it("rollback prints the service, waits, and brings every slot back to the previous image on its node", () => {
    const { actual } = replayedStep(scenario, "docker service rollback web");
    expect(actual.exitCode, actual.stderr).toBe(0);
    expect(actual.stdout.split("\n")[0]).toBe("web");
    const shape = progressShape(actual.stdout);
    expect(shape.rounds.at(-1)).toMatch(/ 6 out of 6 tasks$/);
    expect(shape.verify.at(-1)).toBe("verify: Service web converged");
    expectSamePlacement(scenario, "docker service ps web", 3);
    expectSameText(scenario, "docker service rm web");
  });
});

describe("multi-node differential: draining a node (drain.json)", () => {
  const scenario = "drain";
  it("six tasks converge, two per node, about as fast as in Docker", () => {
    expectSameText(scenario, "docker service create -d --name web --replicas 6 nginx");
    expectSimilarWait(scenario, "converged");
    expectSamePlacement(scenario, "docker service ps web");
  });
  it("drain prints the node and node ls shows it Drain", () => {
    expectSameText(scenario, "docker node update --availability drain worker1");
    expectSameTable(scenario, "docker node ls");
  });
  it("the drained node's tasks are shut down and placed one on each other node", () => {
    expectSamePlacement(scenario, "docker service ps web", 1);
    expectSamePlacement(scenario, "docker node ps worker1");
    expectSameTable(scenario, "docker service ls");
  });
  it("making the node active again moves nothing back", () => {
    expectSameText(scenario, "docker node update --availability active worker1");
    expectSamePlacement(scenario, "docker service ps web", 2);
  });
});

describe("multi-node differential: a global service (service-global.json)", () => {
  const scenario = "service-global";
  it("create waits for one task per node, with Docker's global progress", () => {
    expectSameProgress(scenario, "docker service create --mode global --name cache redis:3.0.6");
    expectSimilarDuration(scenario, "docker service create --mode global --name cache redis:3.0.6");
    expectSameTable(scenario, "docker service ls");
    expectSamePlacement(scenario, "docker service ps cache");
  });
  it("draining a node stops its task; activating it starts a new one for the same node", () => {
    expectSameText(scenario, "docker node update --availability drain worker2");
    expectSimilarWait(scenario, "global-drained");
    expectSameText(scenario, "docker node update --availability active worker2");
    expectSimilarWait(scenario, "global-back");
    expectSamePlacement(scenario, "docker service ps cache", 2);
  });
  it("the drained node's task is desired Shutdown at once", () => {
    const { actual } = replayedStep(scenario, "docker service ps cache", 1);
    const nodeNames = replayed(scenario).nodeNames;
    const byNode = (stdout: string, names: ReadonlyMap<string, string>) =>
      column(stdout, "NODE", names).map((node, index) => `${node} ${column(stdout, "DESIRED STATE", names)[index]}`).sort();
    expect(byNode(actual.stdout, nodeNames)).toEqual(byNode(replayedStep(scenario, "docker service ps cache", 1).step.stdout!, recordedNodeNames));
  });
});

describe("multi-node differential: placement constraints (constraints.json)", () => {
  const scenario = "constraints";
  it("node.hostname==worker2 puts both tasks on worker2", () => {
    expectSameProgress(scenario, "docker service create --name pinned --replicas 2 --constraint node.hostname==worker2 nginx");
    expectSamePlacement(scenario, "docker service ps pinned");
  });
  it("node.role==manager puts both tasks on manager1", () => {
    expectSameProgress(scenario, "docker service create --name mgr --replicas 2 --constraint node.role==manager nginx");
    expectSamePlacement(scenario, "docker service ps mgr");
  });
  it("a constraint no node satisfies leaves the task pending with Docker's error", () => {
    expectSameText(scenario, "docker service create -d --name nowhere --constraint node.hostname==nosuch nginx");
    expectSamePlacement(scenario, "docker service ps nowhere");
    expectSameTable(scenario, "docker service ls");
    expectSameText(scenario, "docker service rm pinned mgr nowhere");
  });
});

describe("multi-node differential: a worker's dockerd killed and restarted (worker-down.json)", () => {
  const scenario = "worker-down";
  it("the node stays Ready at first, then is Down after the heartbeat timeout, as in Docker", () => {
    expectSamePlacement(scenario, "docker service ps web");
    expectSameTable(scenario, "docker node ls");
    expectSimilarWait(scenario, "worker2-down");
    expectSameTable(scenario, "docker node ls", 1);
  });
  it("its tasks are replaced on the other nodes, Ready during the restart delay, then Running", () => {
    expectSamePlacement(scenario, "docker service ps web", 1);
    expectSamePlacement(scenario, "docker node ps worker2");
    expectSimilarWait(scenario, "rescheduled");
    expectSamePlacement(scenario, "docker service ps web", 2);
  });
  it("service ls counts the unreachable node's still-running tasks too (8/6)", () => expectSameTable(scenario, "docker service ls"));
  it("after the restart the node is Ready and its old containers have exited", () => {
    expectSameTable(scenario, "docker node ls", 2);
    expectSimilarWait(scenario, "old-tasks-stopped");
    const { step, actual } = replayedStep(scenario, "docker ps -a --format '{{.Names}} {{.Status}}'");
    const lines = (stdout: string) =>
      normaliseText(stdout, new Map())
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => line.replace(/^web\.\d+\./, "web.N."))
        .sort();
    expect(lines(actual.stdout)).toEqual(lines(step.stdout!));
  });
});

describe("multi-node differential: a worker leaves (leave.json)", () => {
  const scenario = "leave";
  it("leave succeeds, the manager sees the node Down only after the heartbeat timeout", () => {
    expectSameText(scenario, "docker swarm leave");
    expectSameTable(scenario, "docker node ls");
    expectSimilarWait(scenario, "worker2-down");
    expectSameTable(scenario, "docker node ls", 1);
  });
  it("the node can then be removed; the departed node is outside any swarm", () => {
    expectSameText(scenario, "docker node rm worker2");
    expectSameTable(scenario, "docker node ls", 2);
    expectSameText(scenario, "docker node ls", 3);
    expectSameText(scenario, "docker swarm leave", 1);
  });
});

describe("multi-node differential: refused joins, failing tasks, unschedulable services (errors.json)", () => {
  const scenario = "errors";
  it("join-token --rotate prints Docker's message; the old worker token and a wrong manager secret are refused, the new token joins", () => {
    expectSameText(scenario, "docker swarm join-token -q worker");
    expectSameText(scenario, "docker swarm join-token --rotate worker");
    expectSameText(scenario, "docker swarm leave");
    const joins = replayed(scenario).steps.filter((replayedStep) => replayedStep.step.command?.startsWith("docker swarm join ") === true);
    expect(joins.map(({ step }) => step.exitCode)).toEqual([1, 1, 0]);
    for (const { step, actual } of joins) expect(normaliseOutput(actual!, new Map())).toEqual(normaliseOutput(recordedOutput(step), new Map()));
  });
  it("the departed node's old entry is Down at once, can be removed, and the rejoined node is Ready", () => {
    expectSimilarWait(scenario, "old-worker2-down");
    const removal = replayed(scenario).steps.find((replayedStep) => replayedStep.step.command?.startsWith("docker node rm ") === true)!;
    expect(normaliseOutput(removal.actual!, new Map())).toEqual(normaliseOutput(recordedOutput(removal.step), new Map()));
    expectSameText(scenario, "docker node ls --format '{{.Hostname}} {{.Status}} {{.Availability}}'");
  });
  it("a task exiting 3 with --restart-condition none fails once; --restart-max-attempts 2 leaves three failed tasks", () => {
    // Which node a task lands on is the scheduler's free choice (no service task runs): NODE is not compared.
    expectSameText(scenario, "docker service create -d --name fail --restart-condition none alpine sh -c 'exit 3'");
    expectSameTable(scenario, "docker service ps fail", 0, ["NODE"]);
    expectSameText(scenario, "docker service create -d --name flap --restart-max-attempts 2 --restart-delay 1s alpine sh -c 'exit 1'");
    expectSameTable(scenario, "docker service ps flap", 0, ["NODE"]);
    expectSameTable(scenario, "docker service ls");
  });
  it("a reservation no node meets and all nodes drained leave the task pending with Docker's explanations", () => {
    expectSameTable(scenario, "docker service ps big");
    expectSameText(scenario, "docker service ps --no-trunc --format '{{.Name}} {{.CurrentState}} {{.Error}}' big");
    for (const node of ["manager1", "worker1", "worker2"]) expectSameText(scenario, `docker node update --availability drain ${node}`);
    expectSameTable(scenario, "docker service ps stuck");
    expectSameText(scenario, "docker service ps --no-trunc --format '{{.Name}} {{.CurrentState}} {{.Error}}' stuck");
    expectSameText(scenario, "docker service rm stuck");
  });
});

// ------------------------------------------------------ once different, now modelled as Docker
//
// What the first replay found different in the control plane and the engine, each fixed by
// modelling Docker's own mechanism (see docs/swarm.md and docs/engine.md): the agent's session
// back-off, the root CA's TLS info, manager status from Raft membership, a demoted manager's role,
// a manual rollback's status, the task manager's retry delay and container start/stop latencies,
// and a restarted node's exited tasks.

describe("control plane and engine, once different from Docker", () => {
  it("after swarm init, the manager's own node is Ready within a second, as in Docker", () => {
    expectSimilarWait("cluster-formation", "all-ready");
  });
  it("node inspect --pretty shows the node's TLS Info (trust root, issuer subject and public key)", () => {
    const { step, actual } = replayedStep("cluster-formation", "docker node inspect --pretty worker1");
    expect(normaliseNodeInspectWithTls(actual.stdout, replayed("cluster-formation").nodeNames)).toBe(normaliseNodeInspectWithTls(step.stdout!, recordedNodeNames));
    expect(keyPaths(replayed("cluster-formation").sim.engine("manager1").nodeList()).sort()).toEqual(keyPaths(recordedNodes).sort());
  });
  it("right after a promotion the node has no MANAGER STATUS yet (not Unknown)", () => {
    expectSameTable("node-roles", "docker node ls", 0);
  });
  it("a promoted node that answers node ls is Reachable", () => {
    expectSameTable("node-roles", "docker node ls", 1);
  });
  it("a demoted node refuses cluster commands with Docker's worker message", () => {
    expectSameText("node-roles", "docker node ls", 3);
    expectSameText("node-roles", "docker service create --name x nginx");
  });
  it("service rollback shows Docker's manual rollback status and rolling-back rounds", () => {
    expectSameProgress("service-replicated", "docker service rollback web");
  });
  it("update --image and rollback of 6 tasks take about as long as in Docker (about 2 s per task)", () => {
    expectSimilarDuration("service-replicated", "docker service update --image nginx:alpine web");
    expectSimilarDuration("service-replicated", "docker service rollback web");
  });
  it("a drained node's tasks run elsewhere after about as long as in Docker", () => {
    expectSimilarWait("drain", "rescheduled");
  });
  it("right after a drain the global task on the node is still running, and service ls counts it (3/2)", () => {
    expectSamePlacement("service-global", "docker service ps cache", 1);
    expectSameTable("service-global", "docker service ls", 1);
  });
  it("the old tasks of a node whose dockerd restarted end Complete (dockerd stops their containers at start)", () => {
    expectSamePlacement("worker-down", "docker service ps web", 3);
  });
});
