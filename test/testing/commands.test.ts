// Model-based commands of swarmsim/testing: random sequences of docker CLI lines (service
// create, scale, update --replicas, rm, node update --availability, service ls) run against a
// simulated swarm, and after each one the CLI's answer and the converged cluster state match
// a small model.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { commands, commandsSetup, CreateServiceCommand, ListServicesCommand, modelMismatch, NodeAvailabilityCommand, RemoveServiceCommand, ScaleServiceCommand, UpdateReplicasCommand } from "swarmsim/testing";
import { propertyOptions } from "../helpers/property.js";

describe("commands", () => {
  it("keeps the CLI and the converged cluster in step with the model", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 4 }), commands({ workers: 2, maxCommands: 8 }), (seed, list) => {
        fc.modelRun(commandsSetup({ seed, workers: 2 }), list);
      }),
      propertyOptions("docker CLI commands against a model", 40),
    );
  });

  it("runs a fixed sequence, including the CLI's errors, and prints commands as command lines", () => {
    const setup = commandsSetup({ seed: "fixed", workers: 2 });
    const sequence = [
      new CreateServiceCommand("web", { kind: "replicated", replicas: 3 }),
      new CreateServiceCommand("web", { kind: "global" }),
      new CreateServiceCommand("cache", { kind: "global" }),
      new ScaleServiceCommand("cache", 2),
      new UpdateReplicasCommand("cache", 2),
      new ScaleServiceCommand("db", 2),
      new NodeAvailabilityCommand("worker1", "drain"),
      new NodeAvailabilityCommand("worker2", "pause"),
      new UpdateReplicasCommand("web", 5),
      new ListServicesCommand(),
      new RemoveServiceCommand("web"),
      new RemoveServiceCommand("web"),
      new NodeAvailabilityCommand("worker1", "active"),
      new ListServicesCommand(),
    ];
    expect(sequence.map(String).slice(0, 2)).toEqual(["docker service create -d --name web --replicas 3 nginx", "docker service create -d --name web --mode global nginx"]);
    const { model, real } = setup();
    for (const command of sequence) if (command.check(model)) command.run(model, real);
    expect([...model.services]).toEqual([["cache", { kind: "global" }]]);
    expect(modelMismatch(model, real.sim.clusterState())).toBeUndefined();
    // Draining the last active node is never generated: a replica would have nowhere to run.
    expect(new NodeAvailabilityCommand("manager1", "drain").check({ services: new Map(), availability: new Map([["manager1", "active"], ["worker1", "drain"]]) })).toBe(false);
  });

  it("reports a cluster that differs from the model", () => {
    const { model, real } = commandsSetup({ seed: "differs", workers: 1 })();
    real.sim.exec("manager1", "docker service create -d --name web --replicas 2 nginx");
    real.sim.runFor(10_000);
    expect(modelMismatch(model, real.sim.clusterState())).toBe("services [web], the model has []");
    model.services.set("web", { kind: "replicated", replicas: 3 });
    expect(modelMismatch(model, real.sim.clusterState())).toBe("service web wants 2 replicas, the model says 3");
    expect(() => new ListServicesCommand().run(model, real)).toThrow(/web shows replicas 2\/2, the model says 3\/3/);
  });
});
