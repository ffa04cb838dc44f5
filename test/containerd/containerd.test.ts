// containerd, its shims and runC: the task lifecycle and its events, signals and exits,
// containerd and shim deaths, host crashes, the log, and containerd's error messages.
import { describe, expect, it } from "vitest";
import type { SimulationEventType } from "../../src/sim/events.js";
import { callContainerd } from "../../src/containerd/client.js";
import { bundleFileKey, bundleFiles, bundlePath, containerMetadataKey, taskBundlePrefix } from "../../src/containerd/paths.js";
import type { ContainerLogEntry } from "../../src/containerd/shim.js";
import "../../src/containerd/events.js";
import { containerId, failure, perform, setup, specFor, type Client } from "./harness.js";
import type { SimulationKernel as Simulation } from "../../src/sim/simulation.js";

const host = "h1";
const runtimeEvents: SimulationEventType[] = [
  "containerd.container.create",
  "containerd.container.delete",
  "containerd.task.create",
  "containerd.task.start",
  "containerd.task.exit",
  "containerd.task.delete",
  "shim.start",
  "shim.exit",
  "runc.create",
  "runc.start",
  "runc.exit",
];

function record(sim: Simulation): string[] {
  const seen: string[] = [];
  for (const type of runtimeEvents) {
    sim.on(type, (event) => {
      const fields = event as { command?: string; exitStatus?: number | null };
      seen.push(type + (fields.command === undefined ? "" : `(${fields.command})`) + (type.endsWith(".exit") ? ` ${fields.exitStatus}` : ""));
    });
  }
  return seen;
}

/** Creates and starts a container running `args`; returns its pid. */
function run(sim: Simulation, client: Client, id: string, args: readonly string[]): number {
  return perform(sim, client, function* () {
    yield* callContainerd(host, "containers.Create", { container: { id, image: "docker.io/library/test:latest", spec: specFor(args), labels: {} } });
    yield* callContainerd(host, "tasks.Create", { containerId: id, logKey: `/logs/${id}` });
    return (yield* callContainerd(host, "tasks.Start", { containerId: id })).pid;
  });
}

function subscribe(sim: Simulation, client: Client): void {
  perform(sim, client, () => callContainerd(host, "events.Subscribe", {}));
}

function taskOf(sim: Simulation, client: Client, id: string) {
  return perform(sim, client, () => callContainerd(host, "tasks.Get", { containerId: id })).task;
}

function exitsOf(client: Client) {
  return client.events.filter((event) => event.topic === "/tasks/exit").map((event) => [event.containerId, event.exitStatus]);
}

describe("containerd", () => {
  it("creates and starts a task: shim, runc create, runc start, a container process under the shim", () => {
    const { sim, client } = setup();
    const seen = record(sim);
    const id = containerId("web");
    subscribe(sim, client);
    const pid = run(sim, client, id, ["serve"]);
    expect(seen).toEqual([
      "containerd.container.create",
      "containerd.task.create",
      "shim.start",
      "runc.create",
      "runc.exit(create) 0",
      "runc.start",
      "runc.exit(start) 0",
      "containerd.task.start",
    ]);
    const processes = sim.host(host).processes();
    const id12 = id.slice(0, 12);
    expect(processes.find((process) => process.name === `container:${id12}`)).toEqual({ name: `container:${id12}`, pid, parent: `shim:${id12}` });
    expect(processes.find((process) => process.name === `shim:${id12}`)?.parent).toBe(null); // detached: adopted by init, as a real shim
    expect(processes.some((process) => process.name.startsWith("runc:"))).toBe(false);
    expect(taskOf(sim, client, id)).toEqual({ containerId: id, pid, status: "running", exitStatus: null, exitedAt: null, oomKilled: false });
    const disk = sim.host(host).disk;
    expect(disk.read(containerMetadataKey(id))).toMatchObject({ id, runtime: "io.containerd.runc.v2", image: "docker.io/library/test:latest" });
    expect(disk.read(bundleFileKey(id, bundleFiles.config))).toEqual(specFor(["serve"]));
    expect(disk.read(bundleFileKey(id, bundleFiles.address))).toBe(`shim:${id12}`);
    expect(disk.read(bundleFileKey(id, bundleFiles.initPid))).toBe(pid);
    expect(disk.read<ContainerLogEntry[]>(`/logs/${id}`)).toEqual([{ stream: "stdout", text: "ready", time: expect.any(Number) }]);
    expect(client.events.map((event) => event.topic)).toEqual(["/tasks/start"]);
    const listed = perform(sim, client, () => callContainerd(host, "containers.List", {})).containers;
    expect(listed.map((container) => container.id)).toEqual([id]);
  });

  it("forwards SIGTERM to the program and kills on SIGKILL; exits reach subscribers; delete ends the shim", () => {
    const { sim, client } = setup();
    const seen = record(sim);
    subscribe(sim, client);
    const polite = containerId("polite");
    const stubborn = containerId("stubborn");
    run(sim, client, polite, ["serve"]);
    run(sim, client, stubborn, ["stubborn"]);
    perform(sim, client, () => callContainerd(host, "tasks.Kill", { containerId: polite, signal: "SIGTERM" }));
    perform(sim, client, () => callContainerd(host, "tasks.Kill", { containerId: stubborn, signal: "SIGTERM" }));
    sim.runFor(1_000);
    expect(exitsOf(client)).toEqual([[polite, 143]]);
    expect(sim.host(host).isRunning(`container:${stubborn.slice(0, 12)}`)).toBe(true);
    perform(sim, client, () => callContainerd(host, "tasks.Kill", { containerId: stubborn, signal: "KILL" }));
    sim.runFor(1_000);
    expect(exitsOf(client)).toEqual([
      [polite, 143],
      [stubborn, 137],
    ]);
    expect(taskOf(sim, client, stubborn)).toMatchObject({ status: "stopped", exitStatus: 137, oomKilled: false });
    expect(sim.host(host).disk.read<ContainerLogEntry[]>(`/logs/${stubborn}`)!.map((entry) => entry.text)).toEqual(["ready", "got SIGTERM"]);
    seen.length = 0;
    const deleted = perform(sim, client, () => callContainerd(host, "tasks.Delete", { containerId: polite }));
    expect(deleted).toEqual({ exitStatus: 143, exitedAt: expect.any(Number) });
    perform(sim, client, () => callContainerd(host, "containers.Delete", { id: polite }));
    sim.runFor(100);
    expect(seen).toEqual(["containerd.task.delete", "shim.exit 0", "containerd.container.delete"]);
    expect(sim.host(host).isRunning(`shim:${polite.slice(0, 12)}`)).toBe(false);
    expect(sim.host(host).disk.keys(bundlePath(polite))).toEqual([]);
    expect(sim.host(host).disk.has(containerMetadataKey(polite))).toBe(false);
    expect(client.events.at(-1)).toMatchObject({ topic: "/tasks/delete", containerId: polite, exitStatus: 143 });
  });

  it("keeps containers running while containerd is down; a restarted containerd reconnects to their shims", () => {
    const { sim, client } = setup();
    subscribe(sim, client);
    const id = containerId("survivor");
    const pid = run(sim, client, id, ["serve"]);
    sim.faults.kill(host, "containerd");
    sim.runFor(5_000);
    expect(sim.host(host).processes().find((process) => process.name === `container:${id.slice(0, 12)}`)?.pid).toBe(pid);
    sim.faults.restart(host, "containerd");
    expect(taskOf(sim, client, id)).toMatchObject({ pid, status: "running" });
    subscribe(sim, client);
    perform(sim, client, () => callContainerd(host, "tasks.Kill", { containerId: id, signal: "SIGTERM" }));
    sim.runFor(1_000);
    expect(exitsOf(client)).toEqual([[id, 143]]);
    expect(perform(sim, client, () => callContainerd(host, "tasks.Delete", { containerId: id })).exitStatus).toBe(143);
  });

  it("reports an exit that happened while containerd was down once it is back", () => {
    const { sim, client } = setup();
    subscribe(sim, client);
    const id = containerId("quitter");
    run(sim, client, id, ["exit", "3", "2000"]);
    sim.faults.kill(host, "containerd");
    sim.runFor(5_000);
    expect(sim.host(host).isRunning(`container:${id.slice(0, 12)}`)).toBe(false);
    expect(sim.host(host).isRunning(`shim:${id.slice(0, 12)}`)).toBe(true);
    sim.faults.restart(host, "containerd");
    sim.runFor(1_000);
    expect(taskOf(sim, client, id)).toMatchObject({ status: "stopped", exitStatus: 3 });
    expect(exitsOf(client)).toEqual([]);
    subscribe(sim, client);
    sim.runFor(100);
    expect(exitsOf(client)).toEqual([[id, 3]]);
    // Published once: a second restart does not report it again.
    sim.faults.restart(host, "containerd");
    sim.runFor(10); // the client learns that its connection to the old containerd closed
    subscribe(sim, client);
    sim.runFor(1_000);
    expect(exitsOf(client)).toEqual([[id, 3]]);
  });

  it("kills the container with its shim and reports exit 137", () => {
    const { sim, client } = setup();
    const seen = record(sim);
    subscribe(sim, client);
    const id = containerId("orphan");
    const pid = run(sim, client, id, ["serve"]);
    seen.length = 0;
    sim.faults.kill(host, `shim:${id.slice(0, 12)}`);
    expect(sim.host(host).isRunning(`container:${id.slice(0, 12)}`)).toBe(false);
    sim.runFor(100);
    expect(seen).toEqual(["shim.exit 137", "containerd.task.exit 137"]);
    expect(client.events.slice(-2)).toEqual([
      { topic: "/tasks/exit", containerId: id, pid, exitStatus: 137, exitedAt: expect.any(Number) },
      { topic: "/tasks/delete", containerId: id, pid, exitStatus: 137, exitedAt: expect.any(Number) },
    ]);
    expect(failure(sim, client, () => callContainerd(host, "tasks.Get", { containerId: id }))).toEqual({ code: "NotFound", message: `task ${id} not found` });
    expect(sim.host(host).disk.keys(bundlePath(id))).toEqual([]);
    // The container itself is still known, and can run again.
    perform(sim, client, function* () {
      yield* callContainerd(host, "tasks.Create", { containerId: id, logKey: `/logs/${id}` });
      yield* callContainerd(host, "tasks.Start", { containerId: id });
    });
    expect(taskOf(sim, client, id).status).toBe("running");
  });

  it("cleans up a shim that died while containerd was down and reports the task exited", () => {
    const { sim, client } = setup();
    subscribe(sim, client);
    const id = containerId("lost");
    const pid = run(sim, client, id, ["serve"]);
    sim.faults.kill(host, "containerd");
    sim.faults.kill(host, `shim:${id.slice(0, 12)}`);
    sim.faults.restart(host, "containerd");
    sim.runFor(10); // the client learns that its connection to the old containerd closed
    subscribe(sim, client);
    sim.runFor(100);
    // Nobody was subscribed when containerd published: the exit is kept for the next subscriber.
    expect(client.events.map((event) => [event.topic, event.pid, event.exitStatus])).toEqual([
      ["/tasks/start", pid, null],
      ["/tasks/exit", pid, 137],
    ]);
    expect(failure(sim, client, () => callContainerd(host, "tasks.Get", { containerId: id })).code).toBe("NotFound");
  });

  it("loses tasks but keeps container metadata across a host crash", () => {
    const { sim, client } = setup();
    subscribe(sim, client);
    const id = containerId("durable");
    run(sim, client, id, ["serve"]);
    sim.faults.crash(host);
    sim.faults.restart(host);
    // A real host boots with an empty /run (tmpfs); containerd copes either way.
    const restarted = new (client.constructor as new () => Client)();
    sim.spawn(host, "client", restarted);
    sim.runFor(100);
    expect(sim.host(host).processes().map((process) => process.name)).toEqual(["containerd", "client"]);
    expect(perform(sim, restarted, () => callContainerd(host, "containers.List", {})).containers.map((container) => container.id)).toEqual([id]);
    expect(perform(sim, restarted, () => callContainerd(host, "tasks.List", {})).tasks).toEqual([]);
    expect(sim.host(host).disk.keys(taskBundlePrefix)).toEqual([]);
    expect(failure(sim, restarted, () => callContainerd(host, "tasks.Get", { containerId: id }))).toEqual({ code: "NotFound", message: `task ${id} not found` });
  });

  it("records an OOM kill and publishes /tasks/oom before /tasks/exit", () => {
    const { sim, client } = setup();
    subscribe(sim, client);
    const id = containerId("hungry");
    run(sim, client, id, ["oom", "50"]);
    sim.runFor(1_000);
    expect(client.events.map((event) => event.topic)).toEqual(["/tasks/start", "/tasks/oom", "/tasks/exit"]);
    expect(taskOf(sim, client, id)).toMatchObject({ status: "stopped", exitStatus: 137, oomKilled: true });
  });

  it("answers with containerd's errors", () => {
    const { sim, client } = setup();
    const id = containerId("errors");
    const missing = containerId("missing");
    const create = () =>
      callContainerd(host, "containers.Create", { container: { id, image: "docker.io/library/test:latest", spec: specFor(["serve"]), labels: {} } });
    expect(failure(sim, client, () => callContainerd(host, "containers.Get", { id: missing }))).toEqual({
      code: "NotFound",
      message: `container "${missing}" in namespace "moby": not found`,
    });
    expect(failure(sim, client, () => callContainerd(host, "containers.Delete", { id: missing }))).toEqual({
      code: "NotFound",
      message: `container ${missing}: not found`,
    });
    expect(failure(sim, client, () => callContainerd(host, "tasks.Create", { containerId: missing, logKey: "/l" }))).toEqual({
      code: "NotFound",
      message: `container "${missing}" in namespace "moby": not found`,
    });
    expect(
      failure(sim, client, () => callContainerd(host, "containers.Create", { container: { id: "", image: "x", spec: specFor(["serve"]), labels: {} } })),
    ).toEqual({ code: "InvalidArgument", message: "create container failed validation: container.ID: identifier must not be empty: invalid argument" });
    perform(sim, client, create);
    expect(failure(sim, client, create)).toEqual({ code: "AlreadyExists", message: `container "${id}": already exists` });
    expect(failure(sim, client, () => callContainerd(host, "tasks.Get", { containerId: id }))).toEqual({ code: "NotFound", message: `task ${id} not found` });
    expect(failure(sim, client, () => callContainerd(host, "tasks.Start", { containerId: id }))).toEqual({ code: "NotFound", message: `task ${id} not found` });
    perform(sim, client, () => callContainerd(host, "tasks.Create", { containerId: id, logKey: "/l" }));
    expect(taskOf(sim, client, id)).toMatchObject({ status: "created", pid: 0 });
    expect(failure(sim, client, () => callContainerd(host, "tasks.Create", { containerId: id, logKey: "/l" }))).toEqual({
      code: "AlreadyExists",
      message: `task ${id}: already exists`,
    });
    perform(sim, client, () => callContainerd(host, "tasks.Start", { containerId: id }));
    expect(failure(sim, client, () => callContainerd(host, "tasks.Start", { containerId: id }))).toEqual({ code: "Unknown", message: "cannot start a running process" });
    expect(failure(sim, client, () => callContainerd(host, "containers.Delete", { id }))).toEqual({
      code: "FailedPrecondition",
      message: `cannot delete running task ${id}: failed precondition`,
    });
    expect(failure(sim, client, () => callContainerd(host, "tasks.Delete", { containerId: id }))).toEqual({
      code: "FailedPrecondition",
      message: "task must be stopped before deletion: running: failed precondition",
    });
    expect(failure(sim, client, () => callContainerd(host, "tasks.Kill", { containerId: id, signal: "SIGNOPE" }))).toEqual({
      code: "InvalidArgument",
      message: 'invalid signal "SIGNOPE": invalid argument',
    });
    perform(sim, client, () => callContainerd(host, "tasks.Kill", { containerId: id, signal: "9" }));
    sim.runFor(100);
    expect(failure(sim, client, () => callContainerd(host, "tasks.Kill", { containerId: id, signal: "SIGTERM" }))).toEqual({
      code: "NotFound",
      message: "process already finished: not found",
    });
    expect(failure(sim, client, () => callContainerd(host, "tasks.Start", { containerId: id }))).toEqual({ code: "Unknown", message: "cannot start a stopped process" });
  });

  it("fails tasks.Create when runC fails, leaving no shim or bundle behind", () => {
    const { sim, client } = setup();
    const seen = record(sim);
    const id = containerId("broken");
    const error = failure(sim, client, function* () {
      yield* callContainerd(host, "containers.Create", { container: { id, image: "x", spec: specFor([]), labels: {} } });
      yield* callContainerd(host, "tasks.Create", { containerId: id, logKey: "/l" });
    });
    expect(error).toEqual({ code: "Unknown", message: "failed to create shim task: OCI runtime create failed: runc create failed: args must not be empty" });
    sim.runFor(100);
    expect(seen).toEqual(["containerd.container.create", "containerd.task.create", "shim.start", "runc.create", "runc.exit(create) 1", "shim.exit 0"]);
    expect(sim.host(host).processes().map((process) => process.name)).toEqual(["containerd", "client"]);
    expect(sim.host(host).disk.keys(taskBundlePrefix)).toEqual([]);
    expect(failure(sim, client, () => callContainerd(host, "tasks.Get", { containerId: id })).code).toBe("NotFound");
  });

  it("kills a created task that never started, and deletes it", () => {
    const { sim, client } = setup();
    subscribe(sim, client);
    const id = containerId("created");
    perform(sim, client, function* () {
      yield* callContainerd(host, "containers.Create", { container: { id, image: "x", spec: specFor(["serve"]), labels: {} } });
      yield* callContainerd(host, "tasks.Create", { containerId: id, logKey: "/l" });
      yield* callContainerd(host, "tasks.Kill", { containerId: id, signal: "SIGTERM" });
    });
    sim.runFor(100);
    expect(exitsOf(client)).toEqual([[id, 143]]);
    expect(perform(sim, client, () => callContainerd(host, "tasks.Delete", { containerId: id })).exitStatus).toBe(143);
  });

  it("delivers exits nobody heard to the next subscriber", () => {
    const { sim, client } = setup();
    const id = containerId("unheard");
    run(sim, client, id, ["exit", "0", "10"]);
    sim.runFor(100);
    expect(client.events).toEqual([]);
    subscribe(sim, client);
    sim.runFor(100);
    expect(exitsOf(client)).toEqual([[id, 0]]);
  });
});
