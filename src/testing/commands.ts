/**
 * Model-based testing of the docker CLI against a simulated swarm (fast-check's `fc.commands`
 * and `fc.modelRun`): a small model of what the cluster should hold (services with their mode
 * and replicas, the availability of every node) and commands that run real `docker` command
 * lines through `sim.exec`, check the CLI's answer against the model, let virtual time pass
 * and check the converged cluster state (`sim.clusterState()`) against the model too.
 */
import fc from "fast-check";
import { Simulation } from "../simulation.js";
import type { ClusterState, Task } from "../swarm/types.js";

/** A node's availability, as `docker node update --availability` sets it. */
export type NodeAvailability = "active" | "pause" | "drain";

/** The mode of a service in the model. */
export type ModelServiceMode = { readonly kind: "replicated"; readonly replicas: number } | { readonly kind: "global" };

/** What the cluster should hold, as the commands see it. */
export interface CommandsModel {
  /** Services by name. */
  readonly services: Map<string, ModelServiceMode>;
  /** Availability by host name, for every node of the swarm. */
  readonly availability: Map<string, NodeAvailability>;
}

/** The system under test: a simulated swarm and the manager the commands run on. */
export interface CommandsReal {
  /** The simulation. */
  readonly sim: Simulation;
  /** The host every command line runs on (a manager). */
  readonly host: string;
  /** Longest virtual time a command waits for the cluster to converge, ms. */
  readonly convergenceTimeoutMs: number;
}

/** One model-based command. */
export type SwarmCommand = fc.Command<CommandsModel, CommandsReal>;

/** Options of {@link commands} and {@link commandsSetup}. */
export interface CommandsOptions {
  /** Number of managers (manager1..N); commands run on manager1. Default 1. */
  readonly managers?: number;
  /** Number of workers (worker1..M). Default 2. */
  readonly workers?: number;
  /** Names services are drawn from (few, so that commands meet the same services). Default `["web", "db", "cache"]`. */
  readonly serviceNames?: readonly string[];
  /** Most replicas a create, scale or update asks for. Default 5. */
  readonly maxReplicas?: number;
  /** Most commands in one run. Default 10. */
  readonly maxCommands?: number;
}

/** Options of {@link commandsSetup}: those of {@link commands} plus the seed and the convergence timeout. */
export interface CommandsSetupOptions extends CommandsOptions {
  /** Seed of the simulation. */
  readonly seed: string;
  /** Longest virtual time a command waits for convergence, ms. Default 120,000. */
  readonly convergenceTimeoutMs?: number;
}

const defaultServiceNames: readonly string[] = ["web", "db", "cache"];
/** Raft timing the commands' swarms use: faster than swarmkit's, for quick elections. */
const commandsRaft = { electionTimeoutMs: [1_000, 2_000] as [number, number], heartbeatIntervalMs: 200 };

/** The host names of a swarm with these options: manager1..N, then worker1..M. */
export function commandsHostNames(options: Pick<CommandsOptions, "managers" | "workers"> = {}): string[] {
  const managers = options.managers ?? 1;
  const workers = options.workers ?? 2;
  return [...Array.from({ length: managers }, (_, index) => `manager${index + 1}`), ...Array.from({ length: workers }, (_, index) => `worker${index + 1}`)];
}

/** A fresh model: no services, every node active. */
export function initialCommandsModel(options: Pick<CommandsOptions, "managers" | "workers"> = {}): CommandsModel {
  return { services: new Map(), availability: new Map(commandsHostNames(options).map((host) => [host, "active" as NodeAvailability])) };
}

/**
 * The `setup` of `fc.modelRun`: builds a swarm (`Simulation.swarm` with the seed, trace off,
 * fast Raft timing) and a fresh model on each call.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(fc.string(), commands(), (seed, list) => fc.modelRun(commandsSetup({ seed }), list)));
 * ```
 */
export function commandsSetup(options: CommandsSetupOptions): () => { model: CommandsModel; real: CommandsReal } {
  return () => {
    const sim = Simulation.swarm({ seed: options.seed, managers: options.managers ?? 1, workers: options.workers ?? 2, trace: { level: "off" }, raft: commandsRaft });
    return { model: initialCommandsModel(options), real: { sim, host: "manager1", convergenceTimeoutMs: options.convergenceTimeoutMs ?? 120_000 } };
  };
}

/** Runs a command line; throws when the CLI answers otherwise than expected. */
function execExpecting(real: CommandsReal, line: string, expected: { readonly exitCode: 0; readonly stdout: RegExp } | { readonly exitCode: 1; readonly stderr: RegExp }): void {
  const result = real.sim.exec(real.host, line);
  const text = expected.exitCode === 0 ? result.stdout : result.stderr;
  const pattern = expected.exitCode === 0 ? expected.stdout : expected.stderr;
  if (result.exitCode !== expected.exitCode || !pattern.test(text)) {
    throw new Error(`${line}: expected exit code ${expected.exitCode} and ${expected.exitCode === 0 ? "stdout" : "stderr"} matching ${String(pattern)}, got exit code ${result.exitCode}, stdout ${JSON.stringify(result.stdout)}, stderr ${JSON.stringify(result.stderr)}`);
  }
}

/** Escapes a name for a regular expression. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * How the cluster state differs from the model once converged, or undefined when it matches:
 * the same services; every running task is wanted running (tasks being stopped have stopped); a replicated service has exactly its replicas running, none on a drained
 * node; a global service one task on every active node, at most one on a paused node and none
 * on a drained one; every node has the model's availability.
 */
export function modelMismatch(model: CommandsModel, state: ClusterState | undefined): string | undefined {
  if (state === undefined) return "no manager is running";
  const nodes = Object.values(state.nodes);
  const availabilityOfNode = new Map<string, NodeAvailability>();
  for (const node of nodes) {
    const wanted = model.availability.get(node.description.hostname);
    if (wanted !== undefined && node.spec.availability !== wanted) return `node ${node.description.hostname} is ${node.spec.availability}, the model says ${wanted}`;
    availabilityOfNode.set(node.id, node.spec.availability);
  }
  const services = Object.values(state.services);
  const names = services.map((service) => service.spec.name).sort();
  const modelNames = [...model.services.keys()].sort();
  if (names.join(",") !== modelNames.join(",")) return `services [${names.join(", ")}], the model has [${modelNames.join(", ")}]`;
  const serviceNameById = new Map(services.map((service) => [service.id, service.spec.name]));
  const runningByService = new Map<string, Task[]>();
  for (const task of Object.values(state.tasks)) {
    if (task.status.state !== "running") continue;
    const serviceName = serviceNameById.get(task.serviceId);
    if (serviceName === undefined) return `task ${task.id} of a removed service is still running`;
    if (task.desiredState !== "running") return `task ${task.id} of service ${serviceName} is still running, desired state ${task.desiredState}`;
    const list = runningByService.get(task.serviceId) ?? [];
    list.push(task);
    runningByService.set(task.serviceId, list);
  }
  for (const service of services) {
    const mode = model.services.get(service.spec.name)!;
    const actualMode = service.spec.mode.kind === "replicated" ? "replicated" : "global";
    if (actualMode !== mode.kind) return `service ${service.spec.name} is ${actualMode}, the model says ${mode.kind}`;
    const running = runningByService.get(service.id) ?? [];
    const onDrained = running.filter((task) => availabilityOfNode.get(task.nodeId) === "drain").length;
    if (onDrained > 0) return `service ${service.spec.name} has ${onDrained} task(s) running on drained nodes`;
    if (mode.kind === "replicated") {
      if (service.spec.mode.kind === "replicated" && service.spec.mode.replicas !== mode.replicas) return `service ${service.spec.name} wants ${service.spec.mode.replicas} replicas, the model says ${mode.replicas}`;
      if (running.length !== mode.replicas) return `service ${service.spec.name} has ${running.length} running task(s), the model says ${mode.replicas}`;
      continue;
    }
    const perNode = new Map<string, number>();
    for (const task of running) perNode.set(task.nodeId, (perNode.get(task.nodeId) ?? 0) + 1);
    for (const node of nodes) {
      const count = perNode.get(node.id) ?? 0;
      if (count > 1 || (node.spec.availability === "active" && count !== 1)) return `global service ${service.spec.name} has ${count} task(s) running on ${node.spec.availability} node ${node.description.hostname}`;
    }
  }
  return undefined;
}

/** Lets virtual time pass until the cluster matches the model; throws with the last difference when it does not within the timeout. */
function settle(model: CommandsModel, real: CommandsReal, after: string): void {
  const { sim } = real;
  if (sim.runUntil(() => modelMismatch(model, sim.clusterState()) === undefined, { timeoutMs: real.convergenceTimeoutMs })) return;
  throw new Error(`after ${after}: the cluster did not converge to the model within ${real.convergenceTimeoutMs} ms: ${modelMismatch(model, sim.clusterState())}`);
}

/** `docker service create -d --name <name> (--replicas <n> | --mode global) nginx`. */
export class CreateServiceCommand implements SwarmCommand {
  /** @param name service name; @param mode replicated with a count, or global */
  constructor(readonly name: string, readonly mode: ModelServiceMode) {}
  /** Always runnable: creating an existing service checks the error. */
  check(): boolean {
    return true;
  }
  /** Runs the line, checks the answer (an id, or "already exists"), updates the model and waits for convergence. */
  run(model: CommandsModel, real: CommandsReal): void {
    const line = this.toString();
    if (model.services.has(this.name)) {
      execExpecting(real, line, { exitCode: 1, stderr: new RegExp(`service ${literal(this.name)} already exists`) });
    } else {
      execExpecting(real, line, { exitCode: 0, stdout: /^[0-9a-z]{25}\n$/ });
      model.services.set(this.name, this.mode);
    }
    settle(model, real, line);
  }
  /** The command line. */
  toString(): string {
    return `docker service create -d --name ${this.name} ${this.mode.kind === "global" ? "--mode global" : `--replicas ${this.mode.replicas}`} nginx`;
  }
}

/**
 * A command that sets a replicated service's replica count (`scale`, `update --replicas`): a
 * missing service and a global one are refused in Docker's words; otherwise the model takes the
 * new count and the cluster must converge to it.
 */
abstract class ReplicasCommand implements SwarmCommand {
  /** @param name service name; @param replicas the new count */
  constructor(
    readonly name: string,
    readonly replicas: number,
  ) {}
  /** What the CLI prints when it succeeds. */
  protected abstract readonly acknowledgement: string;
  /** How Docker refuses the command for a global service. */
  protected abstract readonly globalRefusal: RegExp;
  /** Always runnable: a missing or global service checks the error. */
  check(): boolean {
    return true;
  }
  /** Runs the line, checks the answer against the model, updates it and waits for convergence. */
  run(model: CommandsModel, real: CommandsReal): void {
    const line = this.toString();
    const mode = model.services.get(this.name);
    if (mode === undefined) execExpecting(real, line, { exitCode: 1, stderr: new RegExp(`service ${literal(this.name)} not found`) });
    else if (mode.kind === "global") execExpecting(real, line, { exitCode: 1, stderr: this.globalRefusal });
    else {
      execExpecting(real, line, { exitCode: 0, stdout: new RegExp(`^${literal(this.acknowledgement)}\n$`) });
      model.services.set(this.name, { kind: "replicated", replicas: this.replicas });
    }
    settle(model, real, line);
  }
  /** The command line. */
  abstract toString(): string;
}

/** `docker service scale -d <name>=<n>`. */
export class ScaleServiceCommand extends ReplicasCommand {
  protected readonly globalRefusal = /scale can only be used with replicated/;
  protected get acknowledgement(): string {
    return `${this.name} scaled to ${this.replicas}`;
  }
  /** The command line. */
  toString(): string {
    return `docker service scale -d ${this.name}=${this.replicas}`;
  }
}

/** `docker service update -d --replicas <n> <name>`. */
export class UpdateReplicasCommand extends ReplicasCommand {
  protected readonly globalRefusal = /replicas can only be used with replicated mode/;
  protected get acknowledgement(): string {
    return this.name;
  }
  /** The command line. */
  toString(): string {
    return `docker service update -d --replicas ${this.replicas} ${this.name}`;
  }
}

/** `docker service rm <name>`. */
export class RemoveServiceCommand implements SwarmCommand {
  /** @param name service name */
  constructor(readonly name: string) {}
  /** Always runnable: removing a missing service checks the error. */
  check(): boolean {
    return true;
  }
  /** Runs the line, checks the answer, updates the model and waits until the service's tasks are gone. */
  run(model: CommandsModel, real: CommandsReal): void {
    const line = this.toString();
    if (model.services.has(this.name)) {
      execExpecting(real, line, { exitCode: 0, stdout: new RegExp(`^${literal(this.name)}\n$`) });
      model.services.delete(this.name);
    } else {
      execExpecting(real, line, { exitCode: 1, stderr: new RegExp(`service ${literal(this.name)} not found`) });
    }
    settle(model, real, line);
  }
  /** The command line. */
  toString(): string {
    return `docker service rm ${this.name}`;
  }
}

/** `docker node update --availability <availability> <host>`. */
export class NodeAvailabilityCommand implements SwarmCommand {
  /** @param host node's host name; @param availability the new availability */
  constructor(readonly host: string, readonly availability: NodeAvailability) {}
  /** Runnable when at least one node stays active (so that every replica has somewhere to run). */
  check(model: Readonly<CommandsModel>): boolean {
    if (this.availability === "active") return true;
    return [...model.availability].some(([host, availability]) => host !== this.host && availability === "active");
  }
  /** Runs the line, checks the answer, updates the model and waits for convergence. */
  run(model: CommandsModel, real: CommandsReal): void {
    const line = this.toString();
    execExpecting(real, line, { exitCode: 0, stdout: new RegExp(`^${literal(this.host)}\n$`) });
    model.availability.set(this.host, this.availability);
    settle(model, real, line);
  }
  /** The command line. */
  toString(): string {
    return `docker node update --availability ${this.availability} ${this.host}`;
  }
}

/** `docker service ls`: the table lists exactly the model's services, with their mode and (replicated) `n/n` replicas. */
export class ListServicesCommand implements SwarmCommand {
  /** Always runnable. */
  check(): boolean {
    return true;
  }
  /** Runs the line and compares its rows with the model (the cluster has converged after the previous command). */
  run(model: CommandsModel, real: CommandsReal): void {
    const line = this.toString();
    const result = real.sim.exec(real.host, line);
    if (result.exitCode !== 0) throw new Error(`${line}: exit code ${result.exitCode}, stderr ${JSON.stringify(result.stderr)}`);
    const rows = result.stdout.split("\n").slice(1).filter((row) => row.trim() !== "").map((row) => row.trim().split(/\s{2,}/));
    const listed = rows.map((cells) => cells[1] ?? "").sort();
    const expected = [...model.services.keys()].sort();
    if (listed.join(",") !== expected.join(",")) throw new Error(`${line}: lists [${listed.join(", ")}], the model has [${expected.join(", ")}]\n${result.stdout}`);
    for (const cells of rows) {
      const [, name = "", mode = "", replicas = ""] = cells;
      const wanted = model.services.get(name)!;
      if (mode !== wanted.kind) throw new Error(`${line}: ${name} is listed as ${mode}, the model says ${wanted.kind}\n${result.stdout}`);
      if (wanted.kind === "replicated" && replicas !== `${wanted.replicas}/${wanted.replicas}`) {
        throw new Error(`${line}: ${name} shows replicas ${replicas}, the model says ${wanted.replicas}/${wanted.replicas}\n${result.stdout}`);
      }
    }
  }
  /** The command line. */
  toString(): string {
    return "docker service ls";
  }
}

/**
 * fast-check model-based commands (`fc.commands`) for docker CLI operations against a model, for
 * use with `fc.modelRun` and {@link commandsSetup}: service create (replicated or global),
 * scale, update `--replicas` and rm, node update `--availability` (keeping one node active) and
 * service ls. Each command checks the CLI's answer (including the errors for a missing, existing
 * or global service), then waits for the cluster to converge to the model.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(fc.string({ maxLength: 4 }), commands({ workers: 2 }), (seed, list) => {
 *   fc.modelRun(commandsSetup({ seed, workers: 2 }), list);
 * }), { numRuns: 10 });
 * ```
 */
export function commands(options: CommandsOptions = {}): fc.Arbitrary<Iterable<SwarmCommand>> {
  const serviceNames = options.serviceNames ?? defaultServiceNames;
  if (serviceNames.length === 0) throw new RangeError("commands: expected at least one service name");
  for (const name of serviceNames) if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new RangeError(`commands: invalid service name ${JSON.stringify(name)}`);
  const maxReplicas = options.maxReplicas ?? 5;
  if (!Number.isInteger(maxReplicas) || maxReplicas < 0) throw new RangeError(`commands: invalid maxReplicas ${JSON.stringify(maxReplicas)}: expected a whole number >= 0`);
  const hosts = commandsHostNames(options);
  const name = fc.constantFrom(...serviceNames);
  const replicas = fc.integer({ min: 0, max: maxReplicas });
  const mode: fc.Arbitrary<ModelServiceMode> = fc.oneof(
    replicas.map((count) => ({ kind: "replicated" as const, replicas: count })),
    fc.constant({ kind: "global" as const }),
  );
  return fc.commands(
    [
      fc.record({ name, mode }).map(({ name: drawn, mode: drawnMode }) => new CreateServiceCommand(drawn, drawnMode)),
      fc.record({ name, replicas }).map(({ name: drawn, replicas: count }) => new ScaleServiceCommand(drawn, count)),
      fc.record({ name, replicas }).map(({ name: drawn, replicas: count }) => new UpdateReplicasCommand(drawn, count)),
      name.map((drawn) => new RemoveServiceCommand(drawn)),
      fc.record({ host: fc.constantFrom(...hosts), availability: fc.constantFrom<NodeAvailability>("active", "pause", "drain") }).map(({ host, availability }) => new NodeAvailabilityCommand(host, availability)),
      fc.constant(new ListServicesCommand()),
    ],
    { maxCommands: options.maxCommands ?? 10 },
  );
}
