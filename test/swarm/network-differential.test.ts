// Differential test of swarmsim's swarm networks against a REAL three-node Docker swarm (manager1,
// worker1, worker2 on 10.0.0.1-3; dockerd 20.10.24 with the docker CLI 28.2.2), recorded by
// scripts/fixtures/record-network.sh into test/fixtures/docker/multinode/networks.json (see the
// README there): `network ls` and `network inspect` of ingress, docker_gwbridge and user overlays
// before and after a published service and a service on an overlay, `service inspect`'s virtual
// IPs, and the errors on the way.
//
// The recording is replayed through `sim.exec` on a cluster formed the same way (init on
// manager1, the workers join), keeping the recording's time between steps; the recorder's
// unrecorded polls are polled the same way. What differs per run is normalised: IDs, endpoint IDs,
// creation times, the gossip names of peers (random 12 hex digits), the sandbox ids in gateway
// endpoint names. Which slot lands on which node is the scheduler's free choice, so task endpoints
// are compared by rule (the task of slot k has the address k after the service's virtual IP, as
// swarmkit allocates them in order) and by count per node; everything else (subnets, gateways,
// VXLAN ids, the ingress sandbox and load-balancer addresses, peers, options, labels) as recorded.
// `EnableIPv4` is left out: swarmsim simulates a 28.2.2 engine, which sends it; 20.10 did not.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";
import type { Recording, Step } from "./multinode-replay.js";

const recorded = JSON.parse(readFileSync(new URL("../fixtures/docker/multinode/networks.json", import.meta.url), "utf8")) as Recording;
const hostNames = ["manager1", "worker1", "worker2"] as const;

// ---------------------------------------------------------------- replaying

interface Output {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

interface Replayed {
  readonly step: Step;
  /** What the simulated CLI printed (command steps). */
  readonly actual?: Output;
  /** What the simulated engine answered (API steps). */
  readonly answer?: unknown;
}

const pollIntervalMs = 250;
const pollLimitMs = 90_000;

function noContainersNamed(sim: Simulation, prefix: string): boolean {
  return hostNames.every((host) => sim.exec(host, `docker ps -q --filter name=${prefix}`).stdout === "");
}

/** The recorder's unrecorded polls. */
const observations: Readonly<Record<string, (sim: Simulation) => boolean>> = {
  "all-ready": (sim) => sim.exec("manager1", "docker node ls --format '{{.Status}}'").stdout.split("\n").filter((line) => line === "Ready").length === 3,
  "api-gone": (sim) => noContainersNamed(sim, "api."),
  "appnet-gone": (sim) => sim.exec("worker1", "docker network inspect appnet").exitCode !== 0,
  "web-gone": (sim) => noContainersNamed(sim, "web."),
};

/** The recorded command, with what names this run's objects put in their place. */
function rewrite(sim: Simulation, command: string): string {
  if (command.startsWith("docker swarm join ")) return command.replace(/SWMTKN-1-\S+/, () => (sim.engine("manager1").swarmInspect().JoinTokens as { Worker: string }).Worker);
  if (command.startsWith("docker container inspect ")) {
    const id = sim.exec("worker1", "docker ps -q --filter name=web.").stdout.split("\n")[0]!;
    return command.replace(/\S+$/, id);
  }
  return command;
}

function apiAnswer(sim: Simulation, step: Step): unknown {
  const engine = sim.engine(step.host);
  if (step.request === "GET /v1.41/networks/ingress") return engine.networkInspect("ingress");
  if (step.request === "GET /v1.41/networks") return engine.networkList();
  throw new Error(`no replay for ${step.request}`);
}

function replay(): { sim: Simulation; steps: Replayed[] } {
  const sim = new Simulation({ seed: "network-differential" });
  for (const name of hostNames) sim.addHost(name);
  sim.runFor(1_000);
  const steps: Replayed[] = [];
  let previousRecordedMs = 0;
  let previousSimMs = sim.now;
  for (const step of recorded.steps) {
    const gapMs = step.atMs - previousRecordedMs;
    let startMs: number;
    if (step.event !== undefined) {
      const holds = observations[step.event];
      if (holds === undefined) throw new Error(`no replay for the recorded event ${step.event}`);
      while (!holds(sim) && sim.now - previousSimMs <= pollLimitMs) sim.runFor(pollIntervalMs);
      steps.push({ step });
      startMs = sim.now;
    } else {
      if (sim.now < previousSimMs + gapMs) sim.runFor(previousSimMs + gapMs - sim.now);
      startMs = sim.now;
      if (step.command !== undefined) steps.push({ step, actual: sim.exec(step.host, rewrite(sim, step.command)) });
      else steps.push({ step, answer: apiAnswer(sim, step) });
    }
    previousRecordedMs = step.atMs;
    previousSimMs = startMs;
  }
  return { sim, steps };
}

let replayedRun: { sim: Simulation; steps: Replayed[] } | undefined;
function run(): { sim: Simulation; steps: Replayed[] } {
  replayedRun ??= replay();
  return replayedRun;
}

/** The `occurrence`-th step with `command` on `host`, recorded and replayed. */
function stepOf(host: string, command: string, occurrence = 0): { step: Step; actual: Output } {
  const found = run().steps.filter((replayed) => replayed.step.host === host && replayed.step.command === command)[occurrence];
  if (found?.actual === undefined) throw new Error(`no step "${command}" #${occurrence} on ${host} in networks.json`);
  return { step: found.step, actual: found.actual };
}

function recordedOutput(step: Step): Output {
  return { stdout: step.stdout ?? "", stderr: step.stderr ?? "", exitCode: step.exitCode ?? -1 };
}

// ---------------------------------------------------------------- normalising

/** moby's digest warning: only a recording without a registry prints it. */
const digestWarning = /image \S+ could not be accessed on a registry to record\nits digest\. Each node will access \S+ independently,\npossibly leading to different nodes running different\nversions of the image\.\n\n?/g;

function normaliseText(text: string): string {
  return text
    .replace(digestWarning, "")
    .replace(/SWMTKN-1-[0-9a-z]+-[0-9a-z]+/g, "<token>")
    .replace(/\b[0-9a-z]{25}\b/g, "<id>");
}

/** A `network ls` table: the rows without the ID column, in order. */
function networkRows(stdout: string): string[] {
  return stdout
    .split("\n")
    .slice(1)
    .filter((line) => line !== "")
    .map((line) => line.split(/\s{2,}/).slice(1).join(" | "));
}

type Json = Record<string, any>;

/** One `Containers` entry, classified. */
interface Endpoint {
  readonly key: string;
  readonly name: string;
  readonly ipv4: string;
}

/** A network as `network inspect` shows it, with what varies per run set apart. */
interface NormalisedNetwork {
  /** Every field but Id, Created, EnableIPv4, Containers and Peers, compared as is. */
  readonly rest: Json;
  readonly id: string;
  /** Null: the cluster's view. */
  readonly endpoints: readonly Endpoint[] | null;
  readonly peers: readonly string[] | undefined;
}

function normaliseNetwork(json: Json): NormalisedNetwork {
  const { Id, Created, EnableIPv4, Containers, Peers, ...rest } = json;
  void Created;
  void EnableIPv4;
  const endpoints =
    Containers === null
      ? null
      : Object.entries(Containers as Record<string, Json>).map(([key, entry]) => {
          // Every endpoint's MAC address is 02:42 and its IPv4 address; endpoint ids are 64 hex digits.
          expect(entry.MacAddress).toBe(`02:42:${String(entry.IPv4Address).split("/")[0]!.split(".").map((part) => Number(part).toString(16).padStart(2, "0")).join(":")}`);
          expect(entry.EndpointID).toMatch(/^[0-9a-f]{64}$/);
          expect(entry.IPv6Address).toBe("");
          const task = /^[0-9a-f]{64}$/.test(key);
          const name = String(entry.Name)
            .replace(/^gateway_[0-9a-f]{12}$/, "gateway_<sandbox>")
            .replace(/^(\w+)\.(\d+)\.[0-9a-z]{25}$/, "$1.$2.<task>");
          return { key: task ? "<container>" : key, name, ipv4: String(entry.IPv4Address) };
        });
  if (Peers !== undefined) for (const peer of Peers as Json[]) expect(peer.Name).toMatch(/^[0-9a-f]{12}$/);
  return { rest, id: String(Id), endpoints, peers: Peers === undefined ? undefined : (Peers as Json[]).map((peer) => String(peer.IP)) };
}

function inspected(output: Output): NormalisedNetwork {
  expect(output.exitCode, output.stderr).toBe(0);
  const parsed = JSON.parse(output.stdout) as Json[];
  expect(parsed).toHaveLength(1);
  return normaliseNetwork(parsed[0]!);
}

/** The endpoints that are not task containers (ingress-sbox, lb-*, gateway of the sandbox), exactly. */
function fixedEndpoints(network: NormalisedNetwork): Endpoint[] {
  return (network.endpoints ?? []).filter((endpoint) => endpoint.key !== "<container>");
}

/** The task containers' endpoints: service, slot and address. */
function taskEndpoints(network: NormalisedNetwork): { service: string; slot: number; address: string }[] {
  return (network.endpoints ?? [])
    .filter((endpoint) => endpoint.key === "<container>" && !endpoint.name.startsWith("gateway_"))
    .map((endpoint) => {
      const [, service, slot] = /^(\w+)\.(\d+)\./.exec(endpoint.name)!;
      return { service: service!, slot: Number(slot), address: endpoint.ipv4 };
    });
}

/** An address plus `offset` in its last byte, with the prefix (`10.0.0.5/24`, 1: `10.0.0.6/24`). */
function plus(cidr: string, offset: number): string {
  const [address, prefix] = cidr.split("/");
  const parts = address!.split(".").map(Number);
  parts[3]! += offset;
  return `${parts.join(".")}/${prefix}`;
}

/** Both sides of a `network inspect` step, normalised. */
function bothInspected(host: string, network: string, occurrence = 0): { real: NormalisedNetwork; simulated: NormalisedNetwork } {
  const { step, actual } = stepOf(host, `docker network inspect ${network}`, occurrence);
  return { real: inspected(recordedOutput(step)), simulated: inspected(actual) };
}

/**
 * A `network inspect` compared: every plain field, the fixed endpoints exactly, as many task
 * endpoints, each slot's address `virtualIp` plus the slot, the peers' addresses in order.
 */
function expectSameNetwork(host: string, network: string, occurrence: number, virtualIps: { real?: string; simulated?: string } = {}): void {
  const { real, simulated } = bothInspected(host, network, occurrence);
  const label = `${host}: network inspect ${network} #${occurrence}`;
  expect(simulated.rest, label).toEqual(real.rest);
  expect(simulated.endpoints === null, label).toBe(real.endpoints === null);
  expect(fixedEndpoints(simulated), label).toEqual(fixedEndpoints(real));
  const realTasks = taskEndpoints(real);
  const simulatedTasks = taskEndpoints(simulated);
  expect(simulatedTasks.length, label).toBe(realTasks.length);
  for (const task of realTasks) expect(task.address, `${label}: recorded ${task.service}.${task.slot}`).toBe(plus(virtualIps.real!, task.slot));
  for (const task of simulatedTasks) expect(task.address, `${label}: ${task.service}.${task.slot}`).toBe(plus(virtualIps.simulated!, task.slot));
  const gateways = (side: NormalisedNetwork) => (side.endpoints ?? []).filter((endpoint) => endpoint.name === "gateway_<sandbox>").map((endpoint) => endpoint.ipv4).sort();
  expect(gateways(simulated), label).toEqual(gateways(real));
  expect(simulated.peers, label).toEqual(real.peers);
}

/** A service's virtual IPs from its `service inspect`, by network name. */
function virtualIps(output: Output, networkIds: ReadonlyMap<string, string>): Record<string, string> {
  expect(output.exitCode, output.stderr).toBe(0);
  const service = (JSON.parse(output.stdout) as Json[])[0]!;
  return Object.fromEntries((service.Endpoint.VirtualIPs as Json[]).map((ip) => [networkIds.get(String(ip.NetworkID)) ?? "?", String(ip.Addr)]));
}

/** Network ids by name, from the inspect steps of each side. */
function networkIds(side: "real" | "simulated"): Map<string, string> {
  const ids = new Map<string, string>();
  for (const replayed of run().steps) {
    const output = side === "real" ? recordedOutput(replayed.step) : replayed.actual;
    if (output === undefined || !replayed.step.command?.startsWith("docker network inspect ") || output.exitCode !== 0) continue;
    const network = (JSON.parse(output.stdout) as Json[])[0]!;
    ids.set(String(network.Id), String(network.Name));
  }
  return ids;
}

function serviceVirtualIps(service: string): { real: Record<string, string>; simulated: Record<string, string> } {
  const { step, actual } = stepOf("manager1", `docker service inspect ${service}`);
  return { real: virtualIps(recordedOutput(step), networkIds("real")), simulated: virtualIps(actual, networkIds("simulated")) };
}

// ---------------------------------------------------------------- the tests

describe("network differential: the swarm's networks on every node (networks.json)", () => {
  it("every network ls lists the same networks: right after init ingress only (docker_gwbridge comes with the sandbox), overlays where a node is on them", () => {
    const lists = run().steps.filter((replayed) => replayed.step.command?.startsWith("docker network ls") === true);
    expect(lists.length).toBeGreaterThan(10);
    for (const { step, actual } of lists) {
      expect(actual!.exitCode, `${step.host} at ${step.atMs} ms: ${actual!.stderr}`).toBe(step.exitCode);
      expect(networkRows(actual!.stdout), `${step.host}: ${step.command} at ${step.atMs} ms`).toEqual(networkRows(step.stdout!));
    }
  });

  it("ingress on the manager and on a worker: subnet, VXLAN id, the node's ingress-sbox, three peers in join order", () => {
    expectSameNetwork("manager1", "ingress", 0);
    expectSameNetwork("worker1", "ingress", 0);
    const { simulated } = bothInspected("worker1", "ingress", 0);
    expect(fixedEndpoints(simulated)).toEqual([{ key: "ingress-sbox", name: "ingress-endpoint", ipv4: "10.0.0.3/24" }]);
    expect(simulated.peers).toEqual(["10.0.0.1", "10.0.0.2", "10.0.0.3"]);
  });

  it("docker_gwbridge holds the ingress sandbox's gateway endpoint", () => {
    expectSameNetwork("manager1", "docker_gwbridge", 0);
    expectSameNetwork("worker1", "docker_gwbridge", 0);
  });

  it("GET /networks/ingress answers what network inspect printed", () => {
    const replayed = run().steps.find((step) => step.step.request === "GET /v1.41/networks/ingress")!;
    const real = normaliseNetwork(replayed.step.body as Json);
    const simulated = normaliseNetwork(replayed.answer as Json);
    expect(simulated.rest).toEqual(real.rest);
    expect(fixedEndpoints(simulated)).toEqual(fixedEndpoints(real));
    expect(simulated.peers).toEqual(real.peers);
  });

  it("GET /networks: a manager lists the cluster's view of ingress (no labels, no peers), a worker its own", () => {
    const lists = run().steps.filter((step) => step.step.request === "GET /v1.41/networks");
    expect(lists).toHaveLength(2);
    const summary = (networks: Json[]) =>
      networks.map((network) => ({ Name: network.Name, Scope: network.Scope, Driver: network.Driver, Labels: network.Labels === null ? null : "map", Peers: network.Peers === undefined ? "none" : network.Peers.length })).sort((left, right) => (left.Name < right.Name ? -1 : 1));
    for (const list of lists) expect(summary(list.answer as Json[]), list.step.host).toEqual(summary(list.step.body as Json[]));
    // The manager's list starts with the swarm's networks.
    expect((lists[0]!.answer as Json[])[0]!.Name).toBe("ingress");
  });
});

describe("network differential: a published service on ingress (networks.json)", () => {
  it("the service's virtual IP follows the three nodes' sandboxes on ingress", () => {
    const { real, simulated } = serviceVirtualIps("web");
    expect(real).toEqual({ ingress: "10.0.0.5/24" });
    expect(simulated).toEqual(real);
  });

  it("service create waits until the three tasks run, one per node", () => {
    const { step, actual } = stepOf("manager1", "docker service create --name web --replicas 3 --publish published=8080,target=80 nginx");
    expect(actual.exitCode).toBe(step.exitCode);
    expect(normaliseText(actual.stdout).split("\n").slice(-2)).toEqual(normaliseText(step.stdout!).split("\n").slice(-2));
    const running = (stdout: string) => stdout.split("\n").slice(1).filter((line) => line.includes("Running")).map((line) => line.split(/\s{2,}/)[3]).sort();
    expect(running(stepOf("manager1", "docker service ps web").actual.stdout)).toEqual(running(stepOf("manager1", "docker service ps web").step.stdout!));
  });

  it("ingress shows the node's task container, its address the virtual IP plus its slot", () => {
    const { real, simulated } = serviceVirtualIps("web");
    for (const host of ["manager1", "worker1"]) expectSameNetwork(host, "ingress", 1, { real: real.ingress!, simulated: simulated.ingress! });
  });

  it("docker_gwbridge gets a gateway endpoint for the task container", () => {
    expectSameNetwork("manager1", "docker_gwbridge", 1);
    expectSameNetwork("worker1", "docker_gwbridge", 1);
  });
});

describe("network differential: user overlays (networks.json)", () => {
  it("a worker cannot create an overlay network", () => {
    const { step, actual } = stepOf("worker1", "docker network create -d overlay appnet");
    expect(actual).toEqual(recordedOutput(step));
  });

  it("a manager creates it, lists it at once and shows the cluster's view; a worker without a task does not see it", () => {
    const created = stepOf("manager1", "docker network create -d overlay appnet");
    expect(normaliseText(created.actual.stdout)).toBe(normaliseText(created.step.stdout!));
    expectSameNetwork("manager1", "appnet", 0);
    const { step, actual } = stepOf("worker1", "docker network inspect appnet", 0);
    expect(actual).toEqual(recordedOutput(step));
  });

  it("a service on it gets a virtual IP there, its spec names the network by id", () => {
    const { real, simulated } = serviceVirtualIps("api");
    expect(real).toEqual({ appnet: "10.0.1.2/24" });
    expect(simulated).toEqual(real);
    const spec = (output: Output) => {
      const service = (JSON.parse(output.stdout) as Json[])[0]!;
      return { networks: (service.Spec.TaskTemplate.Networks as Json[]).map((network) => Object.keys(network)), endpointSpec: service.Spec.EndpointSpec, endpoint: Object.keys(service.Endpoint) };
    };
    const { step, actual } = stepOf("manager1", "docker service inspect api");
    expect(spec(actual)).toEqual(spec(recordedOutput(step)));
  });

  it("nodes running a task see the network (with their task, their load balancer and the peers), the other worker does not", () => {
    const { real, simulated } = serviceVirtualIps("api");
    const loadBalancers: { real: string[]; simulated: string[] } = { real: [], simulated: [] };
    for (const host of ["manager1", "worker1"]) {
      const both = bothInspected(host, "appnet", 1);
      expect(both.simulated.rest, host).toEqual(both.real.rest);
      expect(taskEndpoints(both.simulated).length, host).toBe(1);
      for (const task of taskEndpoints(both.real)) expect(task.address).toBe(plus(real.appnet!, task.slot));
      for (const task of taskEndpoints(both.simulated)) expect(task.address).toBe(plus(simulated.appnet!, task.slot));
      // The load balancers come after the tasks' addresses; which node got which depends on placement.
      loadBalancers.real.push(...fixedEndpoints(both.real).map((endpoint) => `${endpoint.key} ${endpoint.name} ${endpoint.ipv4}`));
      loadBalancers.simulated.push(...fixedEndpoints(both.simulated).map((endpoint) => `${endpoint.key} ${endpoint.name} ${endpoint.ipv4}`));
      // Each node lists itself first, then the other.
      expect(both.simulated.peers, host).toEqual(both.real.peers);
    }
    expect(loadBalancers.simulated.sort()).toEqual(loadBalancers.real.sort());
    const { step, actual } = stepOf("worker2", "docker network inspect appnet");
    expect(actual).toEqual(recordedOutput(step));
  });

  it("a task container on an overlay gets its own gateway endpoint too", () => {
    const { real, simulated } = bothInspected("worker1", "docker_gwbridge", 2);
    expect(simulated.rest).toEqual(real.rest);
    expect(fixedEndpoints(simulated)).toEqual(fixedEndpoints(real));
    expect((simulated.endpoints ?? []).map((endpoint) => endpoint.ipv4).sort()).toEqual((real.endpoints ?? []).map((endpoint) => endpoint.ipv4).sort());
  });

  it("a network in use by a service is not removed", () => {
    const { step, actual } = stepOf("manager1", "docker network rm appnet");
    expect({ ...actual, stderr: normaliseText(actual.stderr) }).toEqual({ ...recordedOutput(step), stderr: normaliseText(step.stderr!) });
  });

  it("an attachable overlay: the next /24 and VXLAN id, Attachable true, not on a worker", () => {
    const created = stepOf("manager1", "docker network create -d overlay --attachable attnet");
    expect(normaliseText(created.actual.stdout)).toBe(normaliseText(created.step.stdout!));
    expectSameNetwork("manager1", "attnet", 0);
    const { step, actual } = stepOf("worker2", "docker network inspect attnet");
    expect(actual).toEqual(recordedOutput(step));
  });

  it("once the service's tasks are gone both networks can be removed", () => {
    const removed = stepOf("manager1", "docker network rm appnet attnet");
    expect(removed.actual).toEqual(recordedOutput(removed.step));
  });

  it("without tasks, ingress and docker_gwbridge keep only the sandbox's endpoints", () => {
    expectSameNetwork("worker1", "ingress", 3);
    expectSameNetwork("worker1", "docker_gwbridge", 3);
  });

  it("a node that left keeps docker_gwbridge without endpoints, and no ingress", () => {
    expectSameNetwork("worker2", "docker_gwbridge", 0);
  });
});

describe("network differential: task containers and departures (networks.json)", () => {
  // The managers keep a worker that left Ready until its heartbeats expire; its engine tells the
  // others' at once (moby's networkdb), and they drop it from Peers.
  it("a worker that left is no longer a peer of ingress", () => {
    const { real, simulated } = bothInspected("manager1", "ingress", 2);
    expect(simulated.peers).toEqual(real.peers);
  });
  it("docker ps shows a task container on ingress", () => {
    const { step, actual } = stepOf("worker1", "docker ps --format '{{.Names}} {{.Networks}} {{.Ports}}'");
    expect(normaliseText(actual.stdout).replace(/\.\d\./, ".N.")).toBe(normaliseText(step.stdout!).replace(/\.\d\./, ".N."));
  });
  it("container inspect shows the task container's ingress endpoint", () => {
    const { step, actual } = run().steps.filter((replayed) => replayed.step.command?.startsWith("docker container inspect ")).map((replayed) => ({ step: replayed.step, actual: replayed.actual! }))[0]!;
    const simulated = (JSON.parse(actual.stdout) as Json).Networks as Json;
    const real = (JSON.parse(step.stdout!) as Json).Networks as Json;
    expect(Object.keys(simulated)).toEqual(["ingress"]);
    // The fields that vary per run (ids, the address of whichever slot landed there) by rule; the rest as recorded.
    const shape = (entry: Json) => ({ ...entry, IPAMConfig: Object.keys(entry.IPAMConfig as Json), Aliases: (entry.Aliases as string[]).map((alias) => alias.length), NetworkID: "", EndpointID: String(entry.EndpointID).length, IPAddress: String(entry.IPAddress).startsWith("10.0.0."), MacAddress: entry.MacAddress === `02:42:${String(entry.IPAddress).split(".").map((part) => Number(part).toString(16).padStart(2, "0")).join(":")}` });
    expect(shape(simulated.ingress as Json)).toEqual(shape(real.ingress as Json));
  });
});
