// Properties of swarm mode under random services and faults (node crashes and restarts,
// partitions, leader crashes): the store refuses any task that changes node or moves backwards
// (an assertion stops the run), and once the faults stop every replicated service has exactly
// its replicas running, one per slot, and every global service one task per eligible node.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";
import { propertyOptions } from "../helpers/property.js";

type Step =
  | { kind: "create"; global: boolean; replicas: number }
  | { kind: "scale"; pick: number; replicas: number }
  | { kind: "remove"; pick: number }
  | { kind: "crash" | "restart"; host: number }
  | { kind: "partition"; host: number }
  | { kind: "heal" }
  | { kind: "wait"; durationMs: number };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("create" as const), global: fc.boolean(), replicas: fc.integer({ min: 0, max: 6 }) }),
  fc.record({ kind: fc.constant("scale" as const), pick: fc.nat(10), replicas: fc.integer({ min: 0, max: 6 }) }),
  fc.record({ kind: fc.constant("remove" as const), pick: fc.nat(10) }),
  fc.record({ kind: fc.constantFrom("crash" as const, "restart" as const), host: fc.nat(4) }),
  fc.record({ kind: fc.constant("partition" as const), host: fc.nat(4) }),
  fc.record({ kind: fc.constant("heal" as const) }),
  fc.record({ kind: fc.constant("wait" as const), durationMs: fc.integer({ min: 0, max: 20_000 }) }),
);

describe("swarm mode under faults", () => {
  it("converges to the desired tasks once faults stop, without moving a task", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 6 }), fc.array(stepArbitrary, { maxLength: 12 }), (seed, steps) => {
        const sim = Simulation.swarm({ seed, managers: 3, workers: 2, trace: { level: "off" }, raft: { electionTimeoutMs: [1_000, 2_000], heartbeatIntervalMs: 200 } });
        const hosts = ["manager1", "manager2", "manager3", "worker1", "worker2"];
        let created = 0;
        const manager = () => hosts.find((host) => host.startsWith("manager") && sim.host(host).up && sim.leader()?.host === host);
        const firstNodeOfTask = new Map<string, string>();
        for (const step of steps) {
          const leader = manager();
          switch (step.kind) {
            case "create":
              if (leader) sim.exec(leader, `docker service create -d --name s${created++} ${step.global ? "--mode global" : `--replicas ${step.replicas}`} nginx`);
              break;
            case "scale":
            case "remove": {
              const services = Object.values(sim.clusterState()?.services ?? {}).map((service) => service.spec.name).sort();
              const name = services[step.pick % Math.max(1, services.length)];
              if (leader && name !== undefined) {
                const service = Object.values(sim.clusterState()!.services).find((candidate) => candidate.spec.name === name)!;
                if (step.kind === "remove") sim.exec(leader, `docker service rm ${name}`);
                else if (service.spec.mode.kind === "replicated") sim.exec(leader, `docker service scale -d ${name}=${step.replicas}`);
              }
              break;
            }
            case "crash":
              if (sim.host(hosts[step.host]!).up) sim.faults.crash(hosts[step.host]!);
              break;
            case "restart":
              sim.faults.restart(hosts[step.host]!);
              break;
            case "partition":
              sim.faults.isolate(hosts[step.host]!);
              break;
            case "heal":
              sim.faults.heal();
              break;
            case "wait":
              sim.runFor(step.durationMs);
              break;
          }
          for (const task of Object.values(sim.clusterState()?.tasks ?? {})) {
            if (task.nodeId === "") continue;
            const first = firstNodeOfTask.get(task.id);
            if (first === undefined) firstNodeOfTask.set(task.id, task.nodeId);
            else expect(task.nodeId, `task ${task.id} moved`).toBe(first);
          }
        }
        sim.faults.heal();
        for (const host of hosts) if (!sim.host(host).up) sim.faults.restart(host);
        const converged = () => {
          const state = sim.clusterState();
          if (state === undefined || sim.leader() === undefined) return false;
          const nodes = Object.values(state.nodes);
          if (!nodes.every((node) => node.status.state === "ready")) return false;
          for (const service of Object.values(state.services)) {
            const live = Object.values(state.tasks).filter((task) => task.serviceId === service.id && task.desiredState === "running" && task.status.state === "running");
            if (service.spec.mode.kind === "replicated") {
              const slots = live.map((task) => task.slot);
              if (live.length !== service.spec.mode.replicas || new Set(slots).size !== slots.length) return false;
            } else {
              const eligible = nodes.filter((node) => node.spec.availability === "active").map((node) => node.id).sort();
              if (JSON.stringify(live.map((task) => task.nodeId).sort()) !== JSON.stringify(eligible)) return false;
            }
          }
          return true;
        };
        expect(sim.runUntil(converged, { timeoutMs: 300_000 }), `seed ${JSON.stringify(seed)}: did not converge`).toBe(true);
      }),
      propertyOptions("swarm converges after faults", 40),
    );
  });
});
