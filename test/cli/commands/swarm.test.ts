// docker swarm init/join/join-token/leave/update and docker node ls/inspect/update/promote/
// demote/rm/ps against a scripted engine answering with the recorded API bodies of a real
// single-node swarm, compared byte for byte with the recorded docker CLI output
// (test/fixtures/docker/swarm).
import { describe, expect, it } from "vitest";
import type { EngineJson } from "../../../src/engine/client.js";
import { daemonError, ScriptedEngine } from "./harness.js";
import { expectedSwarmOutput, swarmApiBody, swarmCliStep } from "./swarm-harness.js";

const notManager = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';
const alreadyInSwarm = 'This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.';
const nodeId = "296cusshtatg3hnz2y0rjnyv4";

/** Runs recorded commands of a scenario in order and compares each output. */
function expectSteps(engine: ScriptedEngine, scenario: string, commands: readonly string[], nowWallMs = 0): void {
  const seen = new Map<string, number>();
  for (const command of commands) {
    const occurrence = seen.get(command) ?? 0;
    seen.set(command, occurrence + 1);
    expect(engine.run(command, { nowWallMs }), command).toEqual(expectedSwarmOutput(swarmCliStep(scenario, command, occurrence)));
  }
}

/** An engine that is not part of a swarm. */
function inactiveEngine(): ScriptedEngine {
  const info = swarmApiBody("not-in-swarm", "GET /v1.41/info");
  const engine = new ScriptedEngine().on("GET", "/info", { body: info });
  for (const path of ["/swarm", "/nodes", "/services", "/tasks", /^\/nodes\/.*/]) engine.on("GET", path, daemonError(503, notManager));
  return engine
    .on("POST", "/services/create", daemonError(503, notManager))
    .on("POST", "/swarm/update", daemonError(503, notManager))
    .on("POST", "/swarm/leave", daemonError(503, "This node is not part of a swarm"))
    .on("POST", "/swarm/join", daemonError(400, "invalid join token"));
}

describe("swarm commands outside a swarm (fixture not-in-swarm.json)", () => {
  it("prints the daemon's refusals as docker does", () => {
    expectSteps(inactiveEngine(), "not-in-swarm", [
      "docker node ls",
      "docker service ls",
      "docker service create --name helloworld alpine ping docker.com",
      "docker swarm join-token worker",
      "docker swarm leave",
      "docker swarm update --task-history-limit 3",
      "docker node inspect self",
      "docker swarm join --token BAD 127.0.0.1:2377",
    ]);
  });

  it("swarm join sends the token and remote address and reports the new role", () => {
    const engine = new ScriptedEngine()
      .on("POST", "/swarm/join", { statusCode: 200 })
      .on("GET", "/info", { body: { Swarm: { NodeID: "n2", ControlAvailable: false } } });
    expect(engine.run("docker swarm join --token SWMTKN-1-abc 10.0.0.1:2377")).toEqual({ stdout: "This node joined a swarm as a worker.\n", stderr: "", exitCode: 0 });
    expect(engine.requests[0]!.body).toEqual({ ListenAddr: "0.0.0.0:2377", AdvertiseAddr: "", DataPathAddr: "", RemoteAddrs: ["10.0.0.1:2377"], JoinToken: "SWMTKN-1-abc" });
    expect(engine.run("docker swarm join").stderr).toBe(
      "docker: 'docker swarm join' requires 1 argument\n\nUsage:  docker swarm join [OPTIONS] HOST:PORT\n\nRun 'docker swarm join --help' for more information\n",
    );
  });
});

describe("docker swarm init and join-token (fixture swarm-init.json)", () => {
  const swarm = swarmApiBody("swarm-init", "GET /v1.41/swarm");
  const node = swarmApiBody("node", `GET /v1.41/nodes/${nodeId}`);
  const info = swarmApiBody("swarm-init", "GET /v1.41/info");
  const firstWorkerToken = swarmCliStep("swarm-init", "docker swarm join-token -q worker").stdout.trim();
  const rotatedWorkerToken = swarm.JoinTokens.Worker as string;

  function activeEngine(): ScriptedEngine {
    let initialized = false;
    let workerToken = firstWorkerToken;
    return new ScriptedEngine()
      .on("POST", "/swarm/init", () => {
        if (initialized) return daemonError(503, alreadyInSwarm);
        initialized = true;
        return { body: nodeId };
      })
      .on("GET", "/swarm", () => ({ body: { ...swarm, JoinTokens: { ...swarm.JoinTokens, Worker: workerToken } } }))
      .on("GET", `/nodes/${nodeId}`, { body: node })
      .on("GET", "/info", { body: info })
      .on("POST", "/swarm/join", daemonError(503, alreadyInSwarm))
      .on("POST", "/swarm/update", (request) => {
        if (request.query?.rotateWorkerToken === "1") workerToken = rotatedWorkerToken;
        return { statusCode: 200 };
      });
  }

  it("init prints the worker join command; a second init is refused", () => {
    const engine = activeEngine();
    expectSteps(engine, "swarm-init", [
      "docker swarm init --advertise-addr 127.0.0.1",
      "docker swarm init --advertise-addr 127.0.0.1",
      "docker swarm init",
      "docker swarm join-token worker",
      "docker swarm join-token manager",
      "docker swarm join-token -q manager",
      "docker swarm join-token -q worker",
      "docker swarm join-token nobody",
      "docker swarm join-token --rotate worker",
      "docker swarm join-token -q worker",
      "docker swarm join --token BAD 127.0.0.1:2377",
      "docker swarm update --task-history-limit 3",
    ]);
    expect(engine.requests[0]!.body).toMatchObject({ ListenAddr: "0.0.0.0:2377", AdvertiseAddr: "127.0.0.1", ForceNewCluster: false, SubnetSize: 24 });
    const update = engine.requests.filter((request) => request.path === "/swarm/update").at(-1)!;
    expect(update.query).toEqual({ version: "13" });
    expect((update.body as EngineJson).Orchestration.TaskHistoryRetentionLimit).toBe(3);
  });

  it("init --force-new-cluster and --listen-addr are sent; swarm update without flags prints help", () => {
    const engine = activeEngine();
    engine.run("docker swarm init --force-new-cluster --listen-addr 10.0.0.5");
    expect(engine.requests[0]!.body).toMatchObject({ ListenAddr: "10.0.0.5:2377", ForceNewCluster: true });
    const help = engine.run("docker swarm update");
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain("Usage:  docker swarm update [OPTIONS]");
  });
});

describe("docker swarm leave (fixture swarm-leave.json)", () => {
  it("refuses the last manager without --force", () => {
    let inSwarm = true;
    const engine = new ScriptedEngine()
      .on("POST", "/swarm/leave", (request) => {
        if (!inSwarm) return daemonError(503, "This node is not part of a swarm");
        if (request.query?.force !== "1") {
          return daemonError(
            503,
            "You are attempting to leave the swarm on a node that is participating as a manager. Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message.",
          );
        }
        inSwarm = false;
        return { statusCode: 200 };
      })
      .on("GET", "/nodes", daemonError(503, notManager));
    expectSteps(engine, "swarm-leave", ["docker swarm leave", "docker swarm leave --force", "docker node ls", "docker swarm leave", "docker swarm leave --force"]);
  });
});

describe("docker node (fixture node.json)", () => {
  const recordedNode = swarmApiBody("node", `GET /v1.41/nodes/${nodeId}`) as EngineJson;
  const info = swarmApiBody("swarm-init", "GET /v1.41/info");

  function nodeEngine(): { engine: ScriptedEngine; node: EngineJson } {
    const node: EngineJson = { ...recordedNode, Spec: { ...recordedNode.Spec, Labels: {}, Availability: "active" } };
    const engine = new ScriptedEngine()
      .on("GET", "/info", { body: info })
      .on("GET", "/nodes", () => ({ body: [node] }))
      .on("GET", /^\/nodes\/(.+)$/, (_request, match) => (match[1] === nodeId ? { body: node } : daemonError(404, `node ${match[1]} not found`)))
      .on("POST", `/nodes/${nodeId}/update`, (request) => {
        const spec = request.body as EngineJson;
        if (!["active", "pause", "drain"].includes(spec.Availability)) return daemonError(400, `invalid Availability: "${spec.Availability}"`);
        if (spec.Role === "worker") return daemonError(400, "rpc error: code = FailedPrecondition desc = attempting to demote the last manager of the swarm");
        node.Spec = spec;
        return { statusCode: 200 };
      })
      .on("DELETE", /^\/nodes\/(.+)$/, (_request, match) =>
        match[1] === nodeId
          ? daemonError(
              400,
              `rpc error: code = FailedPrecondition desc = node ${nodeId} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal`,
            )
          : daemonError(404, `node ${match[1]} not found`),
      )
      .on("GET", "/tasks", { body: [] });
    return { engine, node };
  }

  it("ls marks the current node, inspect --pretty prints docker's template, updates print the node", () => {
    const { engine } = nodeEngine();
    expectSteps(engine, "node", [
      "docker node ls",
      "docker node ls -q",
      "docker node inspect self --pretty",
      "docker node inspect nosuch",
      `docker node update --availability drain ${nodeId}`,
      "docker node ls",
      `docker node update --availability pause ${nodeId}`,
      "docker node ls",
      `docker node update --availability active ${nodeId}`,
      `docker node update --label-add zone=a ${nodeId}`,
      `docker node update --label-add tier ${nodeId}`,
      "docker node inspect --pretty self",
      `docker node update --label-rm tier ${nodeId}`,
      `docker node update --label-rm nosuch ${nodeId}`,
      `docker node update --availability bogus ${nodeId}`,
      `docker node demote ${nodeId}`,
      `docker node update --role worker ${nodeId}`,
      `docker node promote ${nodeId}`,
      `docker node rm ${nodeId}`,
      `docker node rm --force ${nodeId}`,
      "docker node rm nosuch",
      "docker node ps",
      "docker node ps self",
      "docker node ls",
    ]);
    const update = engine.requests.find((request) => request.path === `/nodes/${nodeId}/update`)!;
    expect(update.query).toEqual({ version: "19" });
    expect((update.body as EngineJson).Availability).toBe("drain");
  });

  it("inspect prints the node as JSON", () => {
    const step = swarmCliStep("node", "docker node inspect self");
    const [recorded] = JSON.parse(step.stdout) as EngineJson[];
    const engine = new ScriptedEngine().on("GET", "/info", { body: info }).on("GET", `/nodes/${nodeId}`, { body: recorded });
    expect(engine.run("docker node inspect self")).toEqual(expectedSwarmOutput(step));
    expect(engine.run("docker node inspect --format '{{.Spec.Role}}' self").stdout).toBe("manager\n");
  });

  it("ps lists the node's tasks by name, newest first within a slot", () => {
    const { engine } = nodeEngine();
    const tasks = swarmApiBody("service-lifecycle", "GET /v1.41/tasks", 1) as EngineJson[];
    const service = swarmApiBody("service-lifecycle", "GET /v1.41/services/03ry61qd8jousom51h2q0fqz9");
    engine.on("GET", "/tasks", { body: tasks }).on("GET", /^\/services\/.+$/, { body: service });
    const nowWallMs = Date.parse("2026-11-25T15:33:20Z");
    const output = engine.run("docker node ps", { nowWallMs });
    expect(output.stdout.split("\n").slice(0, 3)).toEqual([
      "ID             NAME               IMAGE            NODE      DESIRED STATE   CURRENT STATE                     ERROR     PORTS",
      "ltm6xm3azr6m   helloworld.1       busybox:latest   vm        Running         Running 4 seconds ago                       ",
      "l0nwjtvpuwik    \\_ helloworld.1   alpine:latest    vm        Shutdown        Shutdown 5 seconds ago                      ",
    ]);
    expect(engine.requests.find((request) => request.path === "/tasks")!.query).toEqual({ filters: JSON.stringify({ node: [nodeId] }) });
  });
});
