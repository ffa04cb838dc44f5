// The same flows through dockerode, a typed Docker SDK for Node, against the simulated Engine
// API over HTTP: version, a container's life (pull, create, start, inspect, logs, stop, remove),
// and swarm mode (init, a service, its tasks, node list).
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";
import { listen, type EngineServer } from "../../src/node/http-server.js";

describe("dockerode against a simulated engine", () => {
  let sim: Simulation;
  let server: EngineServer;
  let docker: Docker;

  beforeAll(async () => {
    sim = new Simulation({ seed: "dockerode" });
    sim.addHost("host1");
    server = await listen(sim, "host1", { port: 0 });
    docker = new Docker({ host: "127.0.0.1", port: server.port!, protocol: "http" });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("reads the version and info", async () => {
    const version = await docker.version();
    expect(version.Version).toBe("28.2.2");
    expect(version.ApiVersion).toBe("1.50");
    const info = await docker.info();
    expect(info.Name).toBe("host1");
  });

  it("pulls, creates, starts, inspects, reads the logs of, stops and removes a container", async () => {
    const stream = await docker.pull("redis:latest");
    const messages = await new Promise<{ status: string }[]>((resolve, reject) => docker.modem.followProgress(stream, (error, output) => (error ? reject(error) : resolve(output as { status: string }[]))));
    expect(messages.at(-1)!.status).toBe("Status: Downloaded newer image for redis:latest");
    const container = await docker.createContainer({ Image: "redis", name: "cache" });
    await container.start();
    sim.runFor(1_000);
    const inspected = await container.inspect();
    expect(inspected.State.Running).toBe(true);
    expect(inspected.Name).toBe("/cache");
    const logs = (await container.logs({ stdout: true, stderr: true })) as unknown as Buffer;
    expect(logs.toString("latin1")).toContain("Ready to accept connections tcp");
    await container.stop();
    expect((await container.inspect()).State.Running).toBe(false);
    await container.remove();
    expect((await docker.listContainers({ all: true })).map((summary) => summary.Names)).toEqual([]);
  });

  it("forms a swarm and runs a service", async () => {
    const nodeId = (await docker.swarmInit({ ListenAddr: "0.0.0.0:2377", AdvertiseAddr: "" })) as unknown as string;
    expect(nodeId).toMatch(/^[0-9a-z]{25}$/);
    const created = await docker.createService({ Name: "web", TaskTemplate: { ContainerSpec: { Image: "nginx:latest" } }, Mode: { Replicated: { Replicas: 2 } } });
    expect(created.id).toMatch(/^[0-9a-z]{25}$/);
    sim.runFor(30_000);
    const services = await docker.listServices();
    expect(services.map((service) => service.Spec?.Name)).toEqual(["web"]);
    const tasks = await docker.listTasks({ filters: { service: ["web"], "desired-state": ["running"] } });
    expect(tasks.map((task) => task.Status?.State)).toEqual(["running", "running"]);
    const nodes = await docker.listNodes();
    expect(nodes.map((node) => node.ID)).toEqual([nodeId]);
  });
});
