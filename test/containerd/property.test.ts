// Property: random sequences of containerd calls, signals and kills (of containerd, shims,
// container processes, the whole host) never leave a container process without its shim
// parent, and every task containerd reports running has a live container process. Once things
// settle, containerd's running tasks and the host's container processes match one to one.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { containerdProcessName } from "../../src/containerd/api.js";
import { callContainerd } from "../../src/containerd/client.js";
import { makeContainerdProcess } from "../../src/containerd/containerd.js";
import { shortId } from "../../src/containerd/paths.js";
import { RpcError, type Coroutine } from "../../src/sim/coroutine.js";
import { SimulationKernel } from "../../src/sim/simulation.js";
import { propertyOptions } from "../helpers/property.js";
import { Client, containerId, perform, specFor, testProgram } from "./harness.js";

const engine = "h1";
const programs: readonly (readonly string[])[] = [["serve"], ["stubborn"], ["exit", "0", "300"], ["oom", "200"], ["exit", "7", "40"]];
const ids = programs.map((_, index) => containerId(`box${index}`));
const callTimeoutMs = 2_000;

type Operation =
  | { kind: "run" | "create" | "start" | "deleteTask" | "deleteContainer" | "killShim" | "killContainer"; index: number }
  | { kind: "signal"; index: number; signal: string }
  | { kind: "killContainerd" | "restartContainerd" | "rebootHost" }
  | { kind: "wait"; durationMs: number }
  | { kind: "runDuringFault"; index: number; target: "containerd" | "shim" | "host"; delayMs: number };

const index = fc.integer({ min: 0, max: programs.length - 1 });
const operation: fc.Arbitrary<Operation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constantFrom("run", "create", "start", "deleteTask", "deleteContainer"), index }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant("signal"), index, signal: fc.constantFrom("SIGTERM", "SIGKILL", "SIGQUIT", "SIGWINCH") }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constantFrom("killShim", "killContainer"), index }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constantFrom("killContainerd", "restartContainerd", "rebootHost") }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("wait"), durationMs: fc.integer({ min: 0, max: 500 }) }), weight: 2 },
  {
    // A fault in the middle of a create and start (runC create takes 20 ms, start 5 ms).
    arbitrary: fc.record({
      kind: fc.constant("runDuringFault"),
      index,
      target: fc.constantFrom("containerd", "shim", "host"),
      delayMs: fc.integer({ min: 0, max: 40 }),
    }),
    weight: 2,
  },
) as fc.Arbitrary<Operation>;

function attempt(sim: SimulationKernel, client: Client, coroutine: () => Coroutine<unknown>): void {
  try {
    perform(sim, client, coroutine, 3 * callTimeoutMs);
  } catch (error) {
    if (!(error instanceof RpcError)) throw error;
  }
}

function apply(sim: SimulationKernel, client: Client, step: Operation): void {
  const host = sim.host(engine);
  switch (step.kind) {
    case "runDuringFault": {
      const shim = `shim:${shortId(ids[step.index]!)}`;
      sim.schedule(step.delayMs, () => {
        if (step.target === "host") sim.faults.restart(engine);
        else if (step.target === "containerd" && host.isRunning(containerdProcessName)) sim.faults.kill(engine, containerdProcessName);
        else if (step.target === "shim" && host.isRunning(shim)) sim.faults.kill(engine, shim);
      });
      apply(sim, client, { kind: "run", index: step.index });
      sim.runFor(50); // the fault has happened, even when the calls failed early
      return;
    }
    case "run":
    case "create": {
      const id = ids[step.index]!;
      const spec = specFor(programs[step.index]!);
      attempt(sim, client, function* () {
        yield* callContainerd(engine, "containers.Create", { container: { id, image: "test", spec, labels: {} } }, callTimeoutMs);
        yield* callContainerd(engine, "tasks.Create", { containerId: id, logKey: `/logs/${id}` }, callTimeoutMs);
        if (step.kind === "run") yield* callContainerd(engine, "tasks.Start", { containerId: id }, callTimeoutMs);
      });
      return;
    }
    case "start":
      attempt(sim, client, () => callContainerd(engine, "tasks.Start", { containerId: ids[step.index]! }, callTimeoutMs));
      return;
    case "signal":
      attempt(sim, client, () => callContainerd(engine, "tasks.Kill", { containerId: ids[step.index]!, signal: step.signal }, callTimeoutMs));
      return;
    case "deleteTask":
      attempt(sim, client, () => callContainerd(engine, "tasks.Delete", { containerId: ids[step.index]! }, callTimeoutMs));
      return;
    case "deleteContainer":
      attempt(sim, client, () => callContainerd(engine, "containers.Delete", { id: ids[step.index]! }, callTimeoutMs));
      return;
    case "killShim":
    case "killContainer": {
      const name = `${step.kind === "killShim" ? "shim" : "container"}:${shortId(ids[step.index]!)}`;
      if (host.isRunning(name)) sim.faults.kill(engine, name);
      return;
    }
    case "killContainerd":
      if (host.isRunning(containerdProcessName)) sim.faults.kill(engine, containerdProcessName);
      return;
    case "restartContainerd":
      sim.faults.restart(engine, containerdProcessName);
      return;
    case "rebootHost":
      sim.faults.restart(engine);
      return;
    case "wait":
      sim.runFor(step.durationMs);
      return;
  }
}

/** Every container process has its live shim as parent; every runC too. */
function checkParents(sim: SimulationKernel): void {
  const processes = sim.host(engine).processes();
  const running = new Set(processes.map((process) => process.name));
  for (const process of processes) {
    const [kind, id12] = process.name.split(":");
    if (kind !== "container" && kind !== "runc") continue;
    expect(process.parent).toBe(`shim:${id12}`);
    expect(running.has(`shim:${id12}`)).toBe(true);
  }
}

/** Every task containerd reports running had a live container process with its pid when containerd answered. */
function checkRunningTasks(sim: SimulationKernel, client: Client): Map<string, number> | null {
  if (!sim.host(engine).isRunning(containerdProcessName)) return null;
  const askedAt = sim.now;
  let tasks;
  try {
    tasks = perform(sim, client, () => callContainerd(engine, "tasks.List", {}, callTimeoutMs), 3 * callTimeoutMs).tasks;
  } catch (error) {
    if (error instanceof RpcError) return null; // containerd went away meanwhile
    throw error;
  }
  const running = new Map<string, number>();
  for (const task of tasks) {
    if (task.status !== "running") continue;
    running.set(task.containerId, task.pid);
    const name = `container:${shortId(task.containerId)}`;
    const live = sim.host(engine).processes().find((process) => process.name === name);
    if (live?.pid === task.pid) continue;
    // It may have ended between containerd's answer and now.
    const ended = sim.trace.some(
      (event) => event.type === "process.stop" && event.host === engine && event.process === name && event.pid === task.pid && event.time >= askedAt,
    );
    expect(ended, `task ${task.containerId} reported running with pid ${task.pid}`).toBe(true);
  }
  return running;
}

describe("containerd property", () => {
  it("never orphans a container process, and never reports a dead task running", () => {
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 25 }), fc.integer({ min: 0, max: 1_000_000 }), (steps, seed) => {
        const sim = new SimulationKernel({ seed, trace: { level: "lifecycle" } });
        sim.addHost(engine);
        sim.addHost("tester");
        sim.spawn(engine, containerdProcessName, makeContainerdProcess({ programFactory: testProgram }), { startOnBoot: true });
        const client = new Client();
        sim.spawn("tester", "client", client);
        for (const step of steps) {
          apply(sim, client, step);
          checkParents(sim);
          checkRunningTasks(sim, client);
          checkParents(sim);
        }
        // Settle: containerd back, every pending exit done; then tasks and processes match.
        if (!sim.host(engine).isRunning(containerdProcessName)) sim.faults.restart(engine, containerdProcessName);
        sim.runFor(5_000);
        checkParents(sim);
        const running = checkRunningTasks(sim, client)!;
        const containers = sim.host(engine).processes().filter((process) => process.name.startsWith("container:"));
        expect(new Map(containers.map((process) => [process.name, process.pid]))).toEqual(
          new Map([...running].map(([id, pid]) => [`container:${shortId(id)}`, pid])),
        );
        const listed = perform(sim, client, () => callContainerd(engine, "tasks.List", {}, callTimeoutMs)).tasks.map((task) => shortId(task.containerId));
        for (const process of sim.host(engine).processes()) {
          if (process.name.startsWith("shim:")) expect(listed).toContain(process.name.slice("shim:".length));
        }
      }),
      propertyOptions("containerd never orphans containers", 100),
    );
  });
});
