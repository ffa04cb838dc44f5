// containerd with the real workload programs (the default of `containerdProcess()`): output in
// the log, PID 1 signal semantics through the shim, exits reported to subscribers.
import { describe, expect, it } from "vitest";
import { callContainerd, containerdProcess, containerdProcessName, type ContainerLogEntry } from "../../src/containerd/index.js";
import { SimulationKernel } from "../../src/sim/simulation.js";
import { Client, containerId, perform, specFor } from "./harness.js";

const host = "h1";

function setupWithPrograms(): { sim: SimulationKernel; client: Client } {
  const sim = new SimulationKernel({ seed: "programs" });
  sim.addHost(host);
  sim.spawn(host, containerdProcessName, containerdProcess(), { startOnBoot: true });
  const client = new Client();
  sim.spawn(host, "client", client);
  perform(sim, client, () => callContainerd(host, "events.Subscribe", {}));
  return { sim, client };
}

function run(sim: SimulationKernel, client: Client, id: string, args: readonly string[]): number {
  return perform(sim, client, function* () {
    yield* callContainerd(host, "containers.Create", { container: { id, image: "docker.io/library/alpine:latest", spec: specFor(args), labels: {} } });
    yield* callContainerd(host, "tasks.Create", { containerId: id, logKey: `/logs/${id}` });
    return (yield* callContainerd(host, "tasks.Start", { containerId: id })).pid;
  });
}

describe("containerd with the workload programs", () => {
  it("runs echo: its output lands in the log and its exit reaches the subscriber", () => {
    const { sim, client } = setupWithPrograms();
    const id = containerId("echo");
    run(sim, client, id, ["echo", "hello", "world"]);
    sim.runFor(1_000);
    const log = sim.host(host).disk.read<ContainerLogEntry[]>(`/logs/${id}`) ?? [];
    expect(log.map((entry) => [entry.stream, entry.text.trimEnd()])).toEqual([["stdout", "hello world"]]);
    expect(client.events.filter((event) => event.topic === "/tasks/exit").map((event) => event.exitStatus)).toEqual([0]);
  });

  it("sleep as PID 1 ignores SIGTERM; SIGKILL from the shim ends it with 137", () => {
    const { sim, client } = setupWithPrograms();
    const id = containerId("sleep");
    run(sim, client, id, ["sleep", "3600"]);
    perform(sim, client, () => callContainerd(host, "tasks.Kill", { containerId: id, signal: "SIGTERM" }));
    sim.runFor(1_000);
    expect(sim.host(host).isRunning(`container:${id.slice(0, 12)}`)).toBe(true);
    perform(sim, client, () => callContainerd(host, "tasks.Kill", { containerId: id, signal: "SIGKILL" }));
    sim.runFor(100);
    expect(client.events.filter((event) => event.topic === "/tasks/exit").map((event) => event.exitStatus)).toEqual([137]);
  });
});
