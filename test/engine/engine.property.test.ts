// Property: random sequences of docker CLI commands and faults at every layer never crash
// the simulator, never leave a container process without its shim parent, and once the
// daemons are back and settled, dockerd's running containers are exactly those whose
// processes run under their shims.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";
import { propertyOptions } from "../helpers/property.js";

type Step =
  | { kind: "run"; image: "nginx" | "alpine-sleep" | "alpine-exit" | "crasher"; restart: "no" | "always" | "on-failure" }
  | { kind: "stop" | "kill" | "remove" | "start"; pick: number }
  | { kind: "fault"; target: "dockerd" | "containerd" | "shim" | "container"; pick: number; restart: boolean }
  | { kind: "crash-host" }
  | { kind: "wait"; durationMs: number };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("run" as const), image: fc.constantFrom("nginx" as const, "alpine-sleep" as const, "alpine-exit" as const, "crasher" as const), restart: fc.constantFrom("no" as const, "always" as const, "on-failure" as const) }),
  fc.record({ kind: fc.constantFrom("stop" as const, "kill" as const, "remove" as const, "start" as const), pick: fc.nat(20) }),
  fc.record({ kind: fc.constant("fault" as const), target: fc.constantFrom("dockerd" as const, "containerd" as const, "shim" as const, "container" as const), pick: fc.nat(20), restart: fc.boolean() }),
  fc.record({ kind: fc.constant("crash-host" as const) }),
  fc.record({ kind: fc.constant("wait" as const), durationMs: fc.integer({ min: 0, max: 20_000 }) }),
);

const commands: Record<string, { image: string; Cmd?: string[] }> = {
  nginx: { image: "nginx" },
  "alpine-sleep": { image: "alpine", Cmd: ["sleep", "3600"] },
  "alpine-exit": { image: "alpine", Cmd: ["sh", "-c", "exit 2"] },
  crasher: { image: "swarmsim/crasher" },
};

interface StoredContainer {
  id: string;
  state: { running: boolean; restarting: boolean };
}

function containersOnDisk(sim: Simulation): StoredContainer[] {
  const disk = sim.host("node1").disk;
  return disk.keys("/var/lib/docker/containers/").filter((key) => key.endsWith("/config.v2.json")).map((key) => disk.read<StoredContainer>(key)!);
}

function checkParents(sim: Simulation): void {
  const host = sim.host("node1");
  const running = new Map(host.processes().map((process) => [process.name, process]));
  for (const process of running.values()) {
    if (!process.name.startsWith("container:")) continue;
    const shim = `shim:${process.name.slice("container:".length)}`;
    expect(process.parent, `${process.name} has parent ${process.parent}`).toBe(shim);
    expect(running.has(shim), `${process.name}'s shim runs`).toBe(true);
  }
}

describe("engine under random operations and faults", () => {
  it("keeps containers parented by their shims and dockerd's view true to the processes", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 8 }), fc.array(stepArbitrary, { maxLength: 25 }), (seed, steps) => {
        const sim = new Simulation({ seed, trace: { level: "lifecycle" } });
        sim.addHost("node1");
        sim.runFor(100);
        for (const image of ["nginx", "alpine", "swarmsim/crasher"]) expect(sim.exec("node1", `docker pull ${image}`).exitCode).toBe(0);
        const pick = (index: number) => {
          const containers = containersOnDisk(sim);
          return containers.length === 0 ? undefined : containers[index % containers.length]!.id;
        };
        for (const step of steps) {
          const host = sim.host("node1");
          switch (step.kind) {
            case "run": {
              const { image, Cmd } = commands[step.image]!;
              const result = sim.exec("node1", `docker run -d --restart ${step.restart} ${image} ${(Cmd ?? []).map((word) => `'${word}'`).join(" ")}`);
              expect([0, 1, 125]).toContain(result.exitCode);
              break;
            }
            case "stop":
            case "kill":
            case "remove":
            case "start": {
              const id = pick(step.pick);
              if (id === undefined) break;
              const line = { stop: "docker stop -t 1", kill: "docker kill", remove: "docker rm -f", start: "docker start" }[step.kind];
              const result = sim.exec("node1", `${line} ${id.slice(0, 12)}`);
              expect(result.exitCode === 0 || result.stderr !== "", `${line}: ${result.stderr}`).toBe(true);
              break;
            }
            case "fault": {
              if (!host.up) break;
              if (step.target === "dockerd" || step.target === "containerd") {
                if (step.restart) sim.faults.restart("node1", step.target);
                else if (host.isRunning(step.target)) sim.faults.kill("node1", step.target);
                break;
              }
              const id = pick(step.pick);
              if (id !== undefined && host.isRunning(`${step.target}:${id.slice(0, 12)}`)) sim.faults.kill("node1", `${step.target}:${id}`);
              break;
            }
            case "crash-host":
              if (host.up) sim.faults.crash("node1");
              sim.runFor(500);
              sim.faults.restart("node1");
              break;
            case "wait":
              sim.runFor(step.durationMs);
              break;
          }
          checkParents(sim);
        }
        // Bring the daemons back and let restarts, restores and back-offs settle.
        const host = sim.host("node1");
        if (!host.isRunning("containerd")) sim.faults.restart("node1", "containerd");
        if (!host.isRunning("dockerd")) sim.faults.restart("node1", "dockerd");
        sim.runFor(120_000);
        checkParents(sim);
        const processes = new Set(host.processes().map((process) => process.name));
        // Freeze: containers whose restart policy may bring them back are compared at one instant.
        for (const container of containersOnDisk(sim)) {
          const hasProcess = processes.has(`container:${container.id.slice(0, 12)}`);
          if (container.state.restarting) continue;
          expect(hasProcess, `container ${container.id.slice(0, 12)} running=${container.state.running} process=${hasProcess}`).toBe(container.state.running);
        }
      }),
      propertyOptions("engine operations and faults", 200),
    );
  });
});
