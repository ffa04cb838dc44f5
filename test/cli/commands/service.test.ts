// docker service create/ls/ps/inspect/logs/scale/update/rm against a scripted engine answering
// with the recorded API bodies of a real single-node swarm, compared byte for byte with the
// recorded docker CLI output (test/fixtures/docker/swarm); the convergence wait of create and
// scale runs on a clock that moves 1 ms per request.
import { describe, expect, it } from "vitest";
import type { EngineJson } from "../../../src/engine/client.js";
import { daemonError, ScriptedEngine } from "./harness.js";
import { ClockedEngine, epochMs, expectedSwarmOutput, filterTasks, renderAtSomeTime, swarmApiBody, swarmCliStep } from "./swarm-harness.js";

const nodeId = "296cusshtatg3hnz2y0rjnyv4";
const helloId = "03ry61qd8jousom51h2q0fqz9";
const node = swarmApiBody("node", `GET /v1.41/nodes/${nodeId}`) as EngineJson;
const info = swarmApiBody("swarm-init", "GET /v1.41/info");

/** The service object `docker service inspect` printed (a recorded CLI output, as the API body). */
function inspectedService(scenario: string, command: string): EngineJson {
  return (JSON.parse(swarmCliStep(scenario, command).stdout) as EngineJson[])[0]!;
}

/** An engine that knows one node, the given services and tasks. */
function swarmEngine(services: EngineJson[], tasks: EngineJson[], engine: ScriptedEngine = new ScriptedEngine()): ScriptedEngine {
  const byReference = (reference: string): EngineJson | undefined =>
    services.find((service) => service.ID === reference || service.Spec?.Name === reference) ?? services.find((service) => String(service.ID).startsWith(reference));
  return engine
    .on("GET", "/info", { body: info })
    .on("GET", "/nodes", { body: [node] })
    .on("GET", `/nodes/${nodeId}`, { body: node })
    .on("GET", "/services", (request) => {
      const filters = JSON.parse(request.query?.filters ?? "{}") as Record<string, string[]>;
      return {
        body: services.filter(
          (service) =>
            (!filters.id || filters.id.some((id) => String(service.ID).startsWith(id))) && (!filters.name || filters.name.some((name) => String(service.Spec?.Name).startsWith(name))),
        ),
      };
    })
    .on("GET", /^\/services\/([^/]+)$/, (_request, match) => {
      const service = byReference(match[1]!);
      return service ? { body: service } : daemonError(404, `service ${match[1]} not found`);
    })
    .on("GET", "/tasks", (request) => ({ body: filterTasks(tasks, request.query?.filters) }))
    .on("GET", /^\/tasks\/([^/]+)$/, (_request, match) => {
      const task = tasks.find((candidate) => candidate.ID === match[1]);
      return task ? { body: task } : daemonError(404, `task ${match[1]} not found`);
    })
    .on("DELETE", /^\/services\/([^/]+)$/, (_request, match) => {
      const service = byReference(match[1]!);
      if (!service) return daemonError(404, `service ${match[1]} not found`);
      services.splice(services.indexOf(service), 1);
      return { statusCode: 200 };
    })
    .on("POST", /^\/services\/([^/]+)\/update$/, (request, match) => {
      const service = byReference(match[1]!);
      if (!service) return daemonError(404, `service ${match[1]} not found`);
      service.Spec = request.body;
      return { body: { Warnings: null } };
    });
}

describe("docker service lifecycle (fixture service-lifecycle.json)", () => {
  const scenario = "service-lifecycle";
  const createdService = inspectedService(scenario, "docker service inspect helloworld");
  const tasksAfterScale = swarmApiBody(scenario, "GET /v1.41/tasks", 0) as EngineJson[];
  const tasksAfterUpdate = swarmApiBody(scenario, "GET /v1.41/tasks", 1) as EngineJson[];
  const serviceAfterScale = swarmApiBody(scenario, `GET /v1.41/services/${helloId}`) as EngineJson;

  it("create waits for convergence and prints docker's non-terminal progress", () => {
    const step = swarmCliStep(scenario, "docker service create --name helloworld alpine ping 127.0.0.1");
    const engine = new ClockedEngine(epochMs("2026-11-25T15:32:36Z"));
    const task: EngineJson = structuredClone(tasksAfterScale.find((candidate) => candidate.ID === "l0nwjtvpuwikazjp8h576i55y")!);
    const services: EngineJson[] = [];
    let createdAtMs = 0;
    swarmEngine(services, [], engine)
      .on("POST", "/services/create", () => {
        services.push(structuredClone(createdService));
        createdAtMs = engine.clockMs;
        return { statusCode: 201, body: { ID: helloId, Warnings: null } };
      })
      // The task runs from the fourth progress round on (as recorded: three rounds at 0 of 1).
      .on("GET", "/tasks", () => ({ body: [{ ...task, Status: { ...task.Status, State: engine.clockMs - createdAtMs > 500 ? "running" : "preparing" } }] }));
    expect(engine.runClocked(step.command)).toEqual(expectedSwarmOutput(step));
    expect(engine.requests.find((request) => request.path === "/services/create")!.body).toEqual({
      Name: "helloworld",
      Labels: {},
      TaskTemplate: {
        ContainerSpec: { Image: "alpine:latest", Args: ["ping", "127.0.0.1"], Init: false, DNSConfig: {} },
        Resources: { Limits: {}, Reservations: {} },
        Placement: {},
      },
      Mode: { Replicated: {} },
      EndpointSpec: { Mode: "vip" },
    });
  });

  it("scale prints the new count and waits for the new tasks", () => {
    const step = swarmCliStep(scenario, "docker service scale helloworld=3");
    const engine = new ClockedEngine(epochMs("2026-11-25T15:32:44Z"));
    const services = [structuredClone(createdService)];
    let updatedAtMs = 0;
    swarmEngine(services, [], engine)
      .on("POST", `/services/${helloId}/update`, (request) => {
        services[0]!.Spec = request.body;
        updatedAtMs = engine.clockMs;
        return { body: { Warnings: null } };
      })
      .on("GET", "/tasks", () => ({
        body: tasksAfterScale.map((task) => ({
          ...task,
          Status: { ...task.Status, State: task.Slot === 1 || engine.clockMs - updatedAtMs > 800 ? "running" : "starting" },
        })),
      }));
    expect(engine.runClocked(step.command)).toEqual(expectedSwarmOutput(step));
    expect(services[0]!.Spec.Mode).toEqual({ Replicated: { Replicas: 3 } });
  });

  it("ls counts running tasks; ps names slots and marks older tasks", () => {
    const services = [structuredClone(serviceAfterScale)];
    const engine = swarmEngine(services, tasksAfterScale);
    expect(engine.run("docker service ls")).toEqual(expectedSwarmOutput(swarmCliStep(scenario, "docker service ls", 1)));
    const psStep = swarmCliStep(scenario, "docker service ps helloworld", 1);
    const output = renderAtSomeTime(epochMs("2026-11-25T15:32:45Z"), psStep.stdout, (nowWallMs) => engine.run("docker service ps helloworld", { nowWallMs }));
    expect(output).toEqual(expectedSwarmOutput(psStep));
  });

  it("ps after an update: -q, --no-trunc and desired-state filters", () => {
    const service = structuredClone(serviceAfterScale);
    service.Spec.TaskTemplate.ContainerSpec.Image = "busybox:latest";
    const engine = swarmEngine([service], tasksAfterUpdate);
    for (const command of [
      "docker service ps helloworld",
      "docker service ps --no-trunc helloworld",
      "docker service ps -q helloworld",
      "docker service ps -f desired-state=running helloworld",
      "docker service ps -f desired-state=shutdown helloworld",
    ]) {
      const step = swarmCliStep(scenario, command, command === "docker service ps helloworld" ? 2 : 0);
      const output = renderAtSomeTime(epochMs("2026-11-25T15:33:15Z"), step.stdout, (nowWallMs) => engine.run(command, { nowWallMs }));
      expect(output, command).toEqual(expectedSwarmOutput(step));
    }
    expect(engine.run("docker service ls")).toEqual(expectedSwarmOutput(swarmCliStep(scenario, "docker service ls", 2)));
  });

  it("inspect prints the service as JSON or docker's pretty template", () => {
    const engine = swarmEngine([structuredClone(createdService)], []);
    for (const command of ["docker service inspect helloworld", "docker service inspect --pretty helloworld"]) {
      expect(engine.run(command), command).toEqual(expectedSwarmOutput(swarmCliStep(scenario, command)));
    }
    expect(engine.requests.find((request) => request.path === "/services/helloworld")!.query).toEqual({ insertDefaults: "1" });
  });

  it("logs prefixes each line with the task, node and padding", () => {
    const step = swarmCliStep(scenario, "docker service logs --tail 1 helloworld");
    const task = tasksAfterScale.find((candidate) => candidate.ID === "l0nwjtvpuwikazjp8h576i55y")!;
    const engine = swarmEngine([structuredClone(createdService)], tasksAfterScale).on("GET", `/services/helloworld/logs`, {
      body: {
        frames: [
          {
            stream: 1,
            text: `com.docker.swarm.node.id=${nodeId},com.docker.swarm.service.id=${helloId},com.docker.swarm.task.id=${task.ID} 64 bytes from 127.0.0.1: seq=7 ttl=64 time=0.079 ms\n`,
          },
        ],
      },
    });
    expect(engine.run(step.command)).toEqual(expectedSwarmOutput(step));
    expect(engine.requests.find((request) => request.path.endsWith("/logs"))!.query).toMatchObject({ tail: "1", details: "1", stdout: "1", stderr: "1" });
  });

  it("update -d and scale -d send the new spec with the service's version; rm removes", () => {
    const services = [structuredClone(serviceAfterScale)];
    const engine = swarmEngine(services, tasksAfterUpdate);
    for (const [command, occurrence] of [
      ["docker service update -d --replicas 1 helloworld", 0],
      ["docker service scale -d helloworld=2", 0],
      ["docker service rm helloworld", 0],
      ["docker service ls", 3],
      ["docker service ps helloworld", 3],
    ] as const) {
      expect(engine.run(command), command).toEqual(expectedSwarmOutput(swarmCliStep(scenario, command, occurrence)));
    }
    const updates = engine.requests.filter((request) => request.path.endsWith("/update"));
    expect(updates[0]!.query).toEqual({ version: "26" });
    expect((updates[0]!.body as EngineJson).Mode).toEqual({ Replicated: { Replicas: 1 } });
    expect((updates[1]!.body as EngineJson).Mode).toEqual({ Replicated: { Replicas: 2 } });
  });

  it("update --image waits through the rolling update and --force bumps ForceUpdate", () => {
    const engine = new ClockedEngine(epochMs("2026-11-25T15:32:50Z"));
    const services = [structuredClone(serviceAfterScale)];
    swarmEngine(services, [], engine).on("GET", "/tasks", () => ({ body: tasksAfterUpdate.filter((task) => task.DesiredState === "running") }));
    const output = engine.runClocked("docker service update --image busybox helloworld");
    expect(output.exitCode).toBe(0);
    const lines = output.stdout.split("\n");
    expect(lines.slice(0, 5)).toEqual(["helloworld", "overall progress: 0 out of 3 tasks", "1/3:  ", "2/3:  ", "3/3:  "]);
    expect(lines.at(-2)).toBe("verify: Service helloworld converged");
    expect(services[0]!.Spec.TaskTemplate.ContainerSpec.Image).toBe("busybox:latest");
    engine.runClocked("docker service update -d --force helloworld");
    expect(services[0]!.Spec.TaskTemplate.ForceUpdate).toBe(1);
  });
});

describe("docker service create options (fixture service-options.json)", () => {
  const scenario = "service-options";
  const service = inspectedService(scenario, "docker service inspect opts");

  it("sends resources, policies, env, ports and placement as docker does", () => {
    const command =
      "docker service create -d --name opts --replicas 2 --constraint node.role==manager --placement-pref spread=node.labels.zone --reserve-cpu 0.1 --reserve-memory 16m --limit-cpu 0.5 --limit-memory 64m --restart-condition on-failure --restart-delay 3s --restart-max-attempts 5 --restart-window 1m --publish 8080:80 -e A=1 --env B=2 --update-parallelism 2 --update-delay 5s --update-order start-first --update-failure-action rollback nginx";
    const engine = new ScriptedEngine().on("POST", "/services/create", { statusCode: 201, body: { ID: service.ID, Warnings: null } });
    expect(engine.run(command)).toEqual(expectedSwarmOutput(swarmCliStep(scenario, command)));
    const spec = engine.requests.find((request) => request.path === "/services/create")!.body as EngineJson;
    const recorded = service.Spec as EngineJson;
    expect(spec.TaskTemplate.Resources).toEqual(recorded.TaskTemplate.Resources);
    expect(spec.TaskTemplate.RestartPolicy).toEqual(recorded.TaskTemplate.RestartPolicy);
    expect(spec.TaskTemplate.Placement).toEqual(recorded.TaskTemplate.Placement);
    expect(spec.TaskTemplate.ContainerSpec.Env).toEqual(recorded.TaskTemplate.ContainerSpec.Env);
    expect(spec.UpdateConfig).toEqual(recorded.UpdateConfig);
    expect(spec.Mode).toEqual(recorded.Mode);
    expect(spec.EndpointSpec).toEqual(recorded.EndpointSpec);
  });

  it("ls shows published ports folded into ranges; inspect --pretty shows every section", () => {
    const withStatus: EngineJson = { ...structuredClone(service), ServiceStatus: { RunningTasks: 2, DesiredTasks: 2 } };
    const engine = swarmEngine([withStatus], []);
    expect(engine.run("docker service ls")).toEqual(expectedSwarmOutput(swarmCliStep(scenario, "docker service ls")));
    expect(engine.run("docker service inspect --pretty opts")).toEqual(expectedSwarmOutput(swarmCliStep(scenario, "docker service inspect --pretty opts")));
    withStatus.Endpoint.Ports.push({ Protocol: "tcp", TargetPort: 81, PublishedPort: 8081, PublishMode: "ingress" });
    expect(engine.run("docker service ls")).toEqual(expectedSwarmOutput(swarmCliStep(scenario, "docker service ls", 1)));
  });

  it("update --env-add/--env-rm/--constraint-add change the spec as docker does", () => {
    const services = [structuredClone(service)];
    const engine = swarmEngine(services, []);
    const command = "docker service update -d --env-add C=3 --env-rm A --constraint-add 'node.labels.zone!=b' opts";
    expect(engine.run(command)).toEqual(expectedSwarmOutput(swarmCliStep(scenario, command)));
    const format = "docker service inspect --format '{{json .Spec.TaskTemplate.ContainerSpec.Env}} {{json .Spec.TaskTemplate.Placement}}' opts";
    expect(engine.run(format)).toEqual(expectedSwarmOutput(swarmCliStep(scenario, format)));
    engine.run("docker service update -d --publish-add 8081:81 opts");
    expect(services[0]!.Spec.EndpointSpec.Ports).toEqual([
      { Protocol: "tcp", TargetPort: 80, PublishedPort: 8080, PublishMode: "ingress" },
      { Protocol: "tcp", TargetPort: 81, PublishedPort: 8081, PublishMode: "ingress" },
    ]);
  });
});

describe("global and pending services (fixtures service-global.json, service-pending.json)", () => {
  it("a global service: ls, ps names tasks by node, pretty, scale and --replicas refused", () => {
    const scenario = "service-global";
    const service = (swarmApiBody(scenario, "GET /v1.41/services") as EngineJson[])[0]!;
    // As the daemon answers with insertDefaults=1.
    const defaults = inspectedService("service-lifecycle", "docker service inspect helloworld").Spec;
    service.Spec.UpdateConfig = defaults.UpdateConfig;
    service.Spec.RollbackConfig = defaults.RollbackConfig;
    const task: EngineJson = {
      ID: "xai2410zp9dd1234567890abc",
      CreatedAt: "2026-11-25T15:33:53.9Z",
      ServiceID: service.ID,
      NodeID: nodeId,
      Spec: { ContainerSpec: { Image: "alpine:latest" } },
      Status: { Timestamp: "2026-11-25T15:33:54.5Z", State: "running" },
      DesiredState: "running",
    };
    const engine = swarmEngine([service], [task]);
    for (const command of ["docker service ls", "docker service inspect --pretty g", "docker service scale g=2", "docker service update --replicas 2 g"]) {
      expect(engine.run(command), command).toEqual(expectedSwarmOutput(swarmCliStep(scenario, command)));
    }
    const step = swarmCliStep(scenario, "docker service ps g");
    expect(renderAtSomeTime(epochMs("2026-11-25T15:33:55Z"), step.stdout, (nowWallMs) => engine.run("docker service ps g", { nowWallMs }))).toEqual(expectedSwarmOutput(step));
  });

  it("a pending task shows the scheduler's error, truncated unless --no-trunc", () => {
    const scenario = "service-pending";
    const tasks = swarmApiBody(scenario, "GET /v1.41/tasks") as EngineJson[];
    const service = { ID: tasks[0]!.ServiceID, Version: { Index: 100 }, Spec: { Name: "pending", Mode: { Replicated: { Replicas: 1 } }, TaskTemplate: { ContainerSpec: { Image: "alpine:latest" } } } };
    const engine = swarmEngine([service], tasks);
    for (const command of ["docker service ps pending", "docker service ps --no-trunc pending"]) {
      const step = swarmCliStep(scenario, command);
      expect(renderAtSomeTime(epochMs("2026-11-25T15:34:13Z"), step.stdout, (nowWallMs) => engine.run(command, { nowWallMs })), command).toEqual(expectedSwarmOutput(step));
    }
    expect(engine.run("docker service ls")).toEqual(expectedSwarmOutput(swarmCliStep(scenario, "docker service ls")));
  });
});

describe("service errors (fixture service-errors.json)", () => {
  it("usage errors, missing services and name conflicts read as docker's", () => {
    const scenario = "service-errors";
    const dup = { ID: "vk86wcgm519srnm97nj9jfdhx", Version: { Index: 120 }, Spec: { Name: "dup", Mode: { Replicated: { Replicas: 1 } }, TaskTemplate: { ContainerSpec: { Image: "alpine:latest" } } } };
    const services: EngineJson[] = [];
    const engine = swarmEngine(services, [])
      .on("POST", "/services/create", (request) => {
        const spec = request.body as EngineJson;
        if (spec.TaskTemplate?.RestartPolicy?.Condition === "sometimes") return daemonError(400, 'invalid RestartCondition: "sometimes"');
        if (spec.UpdateConfig?.Order === "sideways") return daemonError(400, "unrecognized update order sideways");
        if (services.length > 0) return daemonError(409, "rpc error: code = AlreadyExists desc = name conflicts with an existing object: service dup already exists");
        services.push(dup);
        return { statusCode: 201, body: { ID: dup.ID } };
      })
      .on("GET", /^\/tasks\/.+$/, daemonError(404, "task nosuch not found"));
    for (const command of [
      "docker service create",
      "docker service create --name x",
      "docker service create --replicas 2 --mode global alpine",
      "docker service create --replicas x alpine",
      "docker service create --restart-condition sometimes alpine",
      "docker service create --update-order sideways alpine",
      "docker service ps nosuch",
      "docker service inspect nosuch",
      "docker service inspect --pretty nosuch",
      "docker service rm nosuch",
      "docker service logs nosuch",
      "docker service scale nosuch=2",
      "docker service scale helloworld",
      "docker service scale x=y",
      "docker service update nosuch",
      "docker service update --image busybox nosuch",
      "docker service create -d --name dup alpine sleep 3600",
      "docker service create -d --name dup alpine sleep 3600",
      "docker service rm dup nosuch",
    ]) {
      const occurrence = command === "docker service create -d --name dup alpine sleep 3600" && services.length > 0 ? 1 : 0;
      expect(engine.run(command), command).toEqual(expectedSwarmOutput(swarmCliStep(scenario, command, occurrence)));
    }
  });
});
