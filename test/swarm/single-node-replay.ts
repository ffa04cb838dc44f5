// What replays of the single-node swarm recordings (test/fixtures/docker/swarm/, see its README)
// share: the recordings, the simulated machine they are replayed on (host `vm` with the recorded
// CPUs and memory, the recording's images already there, in a swarm where the recorder's was), the
// recorder's unrecorded waits, one replay of a scenario's steps that yields each command for a
// driver to run and compares what it printed with the recording, and the normalisation of what
// differs per run: ids, tokens and keys as placeholders in order of appearance, the recording's
// address, engine version and host facts, times, relative times and the column widths that follow
// them, digests the registry-less recording could not pin (see docs/differences.md).
// Driven by test/swarm/single-node-differential.test.ts (`sim.exec`) and
// test/node/fixtures-real-cli.test.ts (the real docker binary on the simulated API);
// test/swarm/autolock.test.ts uses the placeholders.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { Simulation } from "swarmsim";
import { swarmBootMs } from "../../src/simulation.js";
import { digestWarning, progressShape, roundCounts } from "./multinode-replay.js";
import { splitDockerTable } from "../support/docker-table.js";

/**
 * Replaces what differs per run (unlock keys, join tokens, 25-character swarm ids) with
 * placeholders numbered in order of first appearance, so that two runs of the same scenario
 * compare equal exactly when the same values appear in the same places.
 */
export class Placeholders {
  private readonly names = new Map<string, string>();
  private readonly values = new Map<string, string>();

  normalise(text: string): string {
    return text
      .replace(/SWMKEY-1-[A-Za-z0-9+/]{43}/g, (value) => this.name("key", value))
      .replace(/SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}/g, (value) => this.name("token", value))
      .replace(/\b[0-9a-z]{25}\b/g, (value) => this.name("id", value));
  }

  /** The value a placeholder stands for in this run. */
  value(placeholder: string): string {
    const found = this.values.get(placeholder);
    if (found === undefined) throw new Error(`no value for ${placeholder}`);
    return found;
  }

  /**
   * `text` of the other run with its values turned into this run's: each placeholder becomes this
   * run's value, or, for a value this run has not produced (a made-up key), the other run's, which
   * this run then adopts under the same placeholder.
   */
  translate(text: string, other: Placeholders): string {
    return other.normalise(text).replace(/<(key|token|id)\d+>/g, (placeholder) => {
      if (!this.values.has(placeholder)) {
        const value = other.value(placeholder);
        this.names.set(value, placeholder);
        this.values.set(placeholder, value);
      }
      return this.value(placeholder);
    });
  }

  private name(kind: string, value: string): string {
    let name = this.names.get(value);
    if (name === undefined) {
      name = `<${kind}${[...this.names.values()].filter((existing) => existing.startsWith(`<${kind}`)).length + 1}>`;
      this.names.set(value, name);
      this.values.set(name, value);
    }
    return name;
  }
}

/**
 * The recording's host facts turned into the simulation's: its address, hostname and engine
 * version. A simulation whose host is named `vm`, as the recording machine, keeps the hostname.
 */
export function asSimulated(text: string, hostname = "manager1"): string {
  const renamed = hostname === "vm" ? text : text.replaceAll("vm         ", "manager1   ");
  return renamed.replaceAll("127.0.0.1", "10.0.0.1").replaceAll("20.10.24+dfsg1", "28.2.2");
}

// ---------------------------------------------------------------- recordings

/** A recorded CLI step (see test/fixtures/docker/engine/README.md for the format). */
export interface CliStep {
  readonly command: string;
  readonly stdin?: string;
  readonly note?: string;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

/** A recorded raw API step. */
export interface ApiStep {
  readonly request: string;
  readonly requestBody?: unknown;
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly durationMs: number;
  readonly note?: string;
}

export type RecordedStep = CliStep | ApiStep;

const fixtureDirectory = fileURLToPath(new URL("../fixtures/docker/swarm/", import.meta.url));

/** The recorded scenarios, by file name without `.json`, sorted. */
export const singleNodeScenarios: readonly string[] = readdirSync(fixtureDirectory)
  .filter((file) => file.endsWith(".json"))
  .map((file) => file.replace(/\.json$/, ""))
  .sort();

/** A scenario's recorded steps. */
export function singleNodeSteps(scenario: string): readonly RecordedStep[] {
  return (JSON.parse(readFileSync(`${fixtureDirectory}${scenario}.json`, "utf8")) as { steps: RecordedStep[] }).steps;
}

/** The simulated host is named as the recording machine was, so NODE columns and `@vm` match. */
export const hostname = "vm";

const recordedNode = (singleNodeSteps("node").find((step) => "request" in step && step.request.startsWith("GET /v1.41/nodes/296")) as ApiStep).body as {
  readonly Description: { readonly Resources: { readonly NanoCPUs: number; readonly MemoryBytes: number } };
};
/** The recording machine's CPUs and memory, given to the simulated host so `node inspect` and `docker info` can match. */
export const recordedHostFacts = {
  cpus: recordedNode.Description.Resources.NanoCPUs / 1e9,
  memoryBytes: recordedNode.Description.Resources.MemoryBytes,
};

/** The recording machine's images (busybox-based, imported before the first scenario: see ../engine/README.md). */
const recordedImages = ["alpine", "busybox", "nginx", "redis"] as const;

/**
 * The order the recorder ran the scenarios in, on one dockerd (scripts/fixtures/record-swarm.sh);
 * autolock was recorded later on a fresh one. `node` leaves the label `zone=a` on the node.
 */
const recordingOrder = ["not-in-swarm", "swarm-join-unreachable", "swarm-init", "node", "service-lifecycle", "service-detached", "service-global", "service-pending", "service-options", "service-errors", "swarm-leave"];

/** Scenarios recorded on a node that was already a swarm's only manager. */
const startsInSwarm = new Set(recordingOrder.slice(recordingOrder.indexOf("node")));

/**
 * The simulated machine a scenario starts on, as the recording machine was when the scenario
 * began: host `vm` (the recorded CPUs and memory) with the recorded images, booted; the swarm's
 * only manager (advertising 10.0.0.1, the recording's 127.0.0.1) for the scenarios recorded in
 * one, with the label `node` left. The seed is the scenario's name and `seedPrefix`.
 */
export function startSingleNode(scenario: string, seedPrefix: string): Simulation {
  const sim = new Simulation({ seed: `${seedPrefix}-${scenario}` });
  sim.addHost(hostname, recordedHostFacts);
  sim.runFor(swarmBootMs);
  for (const image of recordedImages) expect(sim.exec(hostname, `docker pull -q ${image}`).exitCode, `pull ${image}`).toBe(0);
  if (startsInSwarm.has(scenario)) {
    expect(sim.exec(hostname, "docker swarm init --advertise-addr 10.0.0.1").exitCode).toBe(0);
    if (recordingOrder.indexOf(scenario) > recordingOrder.indexOf("node")) expect(sim.exec(hostname, `docker node update --label-add zone=a ${hostname}`).exitCode).toBe(0);
  }
  return sim;
}

// ---------------------------------------------------------------- timing

/**
 * What the recorder did between a step and the next besides the recorded steps, ms: its own work
 * (jq, writing the step) before each step, estimated from service-lifecycle.json, where the
 * service's CreatedAt and the scale's UpdatedAt bracket six steps and a 2 s sleep with 0.3 s to spare.
 */
export const recorderOverheadMs = 50;
/** How often the recorder's `wait_replicas` polled `docker service ls`, ms. */
const waitPollIntervalMs = 500;
/** Bound `waitPollsMax`: polls of one `wait_replicas` (the recorder gave up after 60 s). */
const waitPollsMax = 120;

/** The recorder's unrecorded waits after a step (`scenario: command`): a sleep, or a poll until `holds`. */
const unrecordedWaits: Readonly<Record<string, number | ((sim: Simulation) => boolean)>> = {
  "service-lifecycle: docker service inspect helloworld": 2_000,
  "service-detached: docker service create -d --name helloworld alpine ping docker.com": 8_000,
  "service-pending: docker service create -d --name pending --constraint node.labels.zone==nowhere alpine sleep 3600": 3_000,
  // wait_replicas opts 2/2
  [`service-options: ${optionsCreate()}`]: (sim) => sim.exec(hostname, "docker service ls --filter name=opts --format '{{.Replicas}}'").stdout.split("\n")[0] === "2/2",
};

function optionsCreate(): string {
  return (singleNodeSteps("service-options")[0] as CliStep).command;
}

/**
 * Commands the recording machine ran differently from swarmsim for reasons of that machine (see
 * docs/differences.md, "Artefacts of the recording machine"), and the command with the same
 * observable behaviour the replay runs instead. `ping docker.com` found no DNS server there: busybox
 * waited for the resolver's 5 s timeout and exited 1 (`ping: bad address`); swarmsim resolves every name.
 */
const recordingMachineCommands: Readonly<Record<string, string>> = {
  "docker service create -d --name helloworld alpine ping docker.com": "docker service create -d --name helloworld alpine sh -c 'sleep 5; exit 1'",
};

/**
 * Where the recording's 127.0.0.1 is not the node's address: in service-lifecycle the service's
 * containers ping their own loopback (`ping 127.0.0.1`), which they do in swarmsim too.
 */
const loopbackScenarios = new Set(["service-lifecycle"]);

// ---------------------------------------------------------------- normalising

/** docker's `HumanDuration` followed by "ago". */
const relativeTime = / (?:less than a second|about an? \w+|\d+ \w+) ago/gi;
/** An image pinned by digest (the recording could not pin: no registry). */
const pinnedDigest = /@sha256:[0-9a-f]{64}/g;

/** One side of a comparison: its placeholders and how its text becomes comparable. */
class Side {
  readonly placeholders = new Placeholders();
  /**
   * @param prepare turns this side's text into the simulation's terms (address, engine version)
   * @param recorded whether this is the recording's side, whose 20.10 engine's answers are first
   *   brought to what a 28 engine answers where docs/differences.md ("Versions") says they differ
   */
  constructor(
    private readonly prepare: (text: string) => string,
    private readonly recorded: boolean,
  ) {}

  /** Free text: prepared, ids as placeholders, relative times and digests normalised. */
  text(text: string): string {
    return this.placeholders.normalise(this.prepare(text)).replace(relativeTime, " <ago>").replace(pinnedDigest, "");
  }

  /** A docker table: its column names and each row's cells, normalised by column (see {@link splitDockerTable}). */
  table(stdout: string): { readonly columns: readonly string[]; readonly rows: readonly (readonly string[])[] } {
    return splitDockerTable(this.prepare(stdout), (cell, column) => {
      if (column === "ID") return /^[0-9a-z]{12}( \*)?$/.test(cell) ? cell.replace(/^[0-9a-z]{12}/, "<short id>") : this.text(cell);
      return this.text(cell);
    });
  }

  /**
   * JSON: per-run values (times, Version.Index, certificates, container ids and PIDs, engine
   * version and plugins) as placeholders; ids as in text, numbered after lists of tasks are put in
   * slot order (the engine lists them by id). `key` names the value (a `--format` expression's field).
   */
  json(text: string, key = ""): unknown {
    const parsed = JSON.parse(this.prepare(text)) as unknown;
    const current = this.recorded ? asCurrentEngine(parsed) : parsed;
    return normaliseJson(JSON.parse(this.placeholders.normalise(JSON.stringify(inSlotOrder(current)))) as unknown, key);
  }

  /** `docker info`'s Swarm section, the recording's as a 28 engine prints it. */
  infoSwarm(stdout: string): string {
    const section = infoSwarmSection(stdout);
    const current = this.recorded && !section.includes("\n  Default Address Pool: ") ? section.replace("\n  Data Path Port: ", `\n  Default Address Pool: ${inbuiltAddressPool}  \n  SubnetSize: ${inbuiltSubnetSize}\n  Data Path Port: `) : section;
    return this.text(current);
  }
}

/** swarmkit's inbuilt default address pool and subnet size (manager/controlapi/cluster.go). */
const inbuiltAddressPool = "10.0.0.0/8";
const inbuiltSubnetSize = 24;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isTask(value: unknown): value is Record<string, unknown> {
  return isObject(value) && "ServiceID" in value && "DesiredState" in value;
}

/**
 * A 20.10 answer as a 28 engine gives it (docs/differences.md, "Versions"): the cluster's
 * `DefaultAddrPool` filled in with swarmkit's inbuilt pool "for CLI display" (20.10 answered
 * null), and tasks' `Volumes` (API 1.42, null without cluster volumes).
 */
function asCurrentEngine(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asCurrentEngine);
  if (!isObject(value)) return value;
  const entries = Object.entries(value).map(([name, item]) => [name, name === "DefaultAddrPool" && item === null ? [inbuiltAddressPool] : asCurrentEngine(item)] as const);
  return { ...Object.fromEntries(entries), ...(isTask(value) && !("Volumes" in value) ? { Volumes: null } : {}) };
}

/** Lists of tasks by slot (or node), then creation: the engine lists them by id, which differs per run. */
function inSlotOrder(value: unknown): unknown {
  if (!Array.isArray(value) || !value.every(isTask)) return value;
  const key = (task: Record<string, unknown>) => `${String(task.Slot ?? 0).padStart(6, "0")} ${String(task.CreatedAt ?? "")}`;
  return [...value].sort((left, right) => (key(left) < key(right) ? -1 : key(left) > key(right) ? 1 : 0));
}

const timeKeys = new Set(["CreatedAt", "UpdatedAt", "Timestamp", "StartedAt", "FinishedAt"]);
/** The root CA's certificate and public key differ per swarm. */
const certificateKeys = new Set(["TrustRoot", "CertIssuerPublicKey"]);

/**
 * JSON with what differs per run, or by engine version, replaced by placeholders that keep its
 * type: times, `Version.Index`, the root CA, the engine's version and plugin list (20.10's
 * includes `logentries`, removed since); digests dropped and `Placement.Platforms` left out (the
 * registry-less recording could not learn them: docs/differences.md).
 */
function normaliseJson(value: unknown, key: string): unknown {
  if (Array.isArray(value)) return value.map((item) => normaliseJson(item, ""));
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([name]) => !(key === "Placement" && name === "Platforms"));
    return Object.fromEntries(entries.map(([name, item]) => [name, normaliseJsonField(name, item, key)]));
  }
  if (typeof value === "string") return value.replace(pinnedDigest, "");
  return value;
}

function normaliseJsonField(name: string, item: unknown, parent: string): unknown {
  if (timeKeys.has(name) && typeof item === "string") return "<time>";
  if (parent === "Version" && name === "Index" && typeof item === "number") return "<index>";
  if (certificateKeys.has(name) && typeof item === "string") return "<certificate>";
  if (name === "ContainerID" && typeof item === "string" && /^[0-9a-f]{64}$/.test(item)) return "<container id>";
  if (name === "PID" && typeof item === "number" && item > 0) return "<pid>";
  if (parent === "Engine" && name === "EngineVersion") return "<engine>";
  if (parent === "Engine" && name === "Plugins" && Array.isArray(item)) return "<plugins>";
  return normaliseJson(item, name);
}

/** `node inspect --pretty` without what is the time's, the engine version's or the swarm's certificate. */
function prettyNode(text: string): string {
  return text
    .replace(/^(Joined at:\s+).*$/m, "$1<time>")
    .replace(/^(Engine Version:\s+).*$/m, "$1<engine>")
    .replace(/^( Log:\s+).*$/m, "$1<log drivers>")
    .replace(/-----BEGIN CERTIFICATE-----\n[\s\S]*?\n-----END CERTIFICATE-----/, "<certificate>")
    .replace(/^( Issuer Public Key:\t).*$/m, "$1<public key>");
}

/**
 * `docker info`'s Swarm section (what the swarm recordings are about; the rest is the machine's:
 * kernel, storage driver, containerd and runc versions, see ../engine/README.md).
 */
function infoSwarmSection(stdout: string): string {
  const start = stdout.indexOf("\n Swarm: ");
  const end = stdout.indexOf("\n Runtimes: ");
  return start < 0 || end < start ? `(no Swarm section)\n${stdout}` : stdout.slice(start + 1, end);
}

/** `docker service logs` lines: the task's short id, and ping's round-trip time (a time). */
function logLines(text: string): string {
  return text.replace(/\.[0-9a-z]{12}@/g, ".<short id>@").replace(/ time=\d+\.\d+ ms$/gm, " time=<ms> ms");
}

// ---------------------------------------------------------------- comparing

/** What a driver's command printed. */
export interface CliOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** What a driver's API request answered. */
export interface ApiOutput {
  readonly statusCode: number;
  readonly body: unknown;
}

/** A step for a replay's driver to run, already in the simulation's terms. */
export type Runnable =
  | { readonly kind: "cli"; readonly step: CliStep; readonly command: string; readonly stdin?: string }
  | { readonly kind: "api"; readonly step: ApiStep; readonly method: string; readonly path: string; readonly body?: unknown };

/** What the driver gives back for a runnable: its output, or why it was not compared. */
export type DriverAnswer = { readonly cli: CliOutput; readonly notCompared?: string } | { readonly api: ApiOutput; readonly notCompared?: string };

/** A replayed scenario: how many steps were compared, and a message per step that differed. */
export interface ReplayResult {
  readonly compared: number;
  readonly differences: readonly string[];
}

function isTable(command: string): boolean {
  return /^docker (service|node) (ls|ps)\b/.test(command) && !/ (-q|--quiet|--format)\b/.test(command);
}

function isProgress(step: CliStep): boolean {
  return /^docker service (create|update|scale|rollback) /.test(step.command) && step.stdout.includes("\noverall progress: ");
}

function looksLikeJson(text: string): boolean {
  const trimmed = text.trim();
  if (!(trimmed.startsWith("[") || trimmed.startsWith("{"))) return false;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}

/** Compares a CLI step's output with the recording's, as `expect`s (the replay turns a failure into a difference). */
function compareCli(step: CliStep, actual: CliOutput, recorded: Side, simulated: Side, label: string): void {
  const expectedStderr = recorded.text(step.stderr.replace(digestWarning, ""));
  expect({ exitCode: actual.exitCode, stderr: simulated.text(actual.stderr) }, label).toEqual({ exitCode: step.exitCode, stderr: expectedStderr });
  const command = step.command;
  if (command === "docker info") {
    expect(simulated.infoSwarm(actual.stdout), label).toBe(recorded.infoSwarm(step.stdout));
  } else if (isProgress(step)) {
    compareProgress(step, actual, recorded, simulated, label);
  } else if (isTable(command) && step.exitCode === 0) {
    expect(simulated.table(actual.stdout), label).toEqual(recorded.table(step.stdout));
  } else if (/^docker node inspect (--pretty self|self --pretty)$/.test(command)) {
    expect(simulated.text(prettyNode(actual.stdout)), label).toBe(recorded.text(prettyNode(step.stdout)));
  } else if (command.startsWith("docker service logs ")) {
    expect(logLines(simulated.text(actual.stdout)), label).toBe(logLines(recorded.text(step.stdout)));
  } else if (looksLikeJson(step.stdout)) {
    expect(simulated.json(actual.stdout), label).toEqual(recorded.json(step.stdout));
  } else if (/\{\{json [^}]*\}\} \{\{json /.test(command)) {
    // Two JSON values on a line (service-options' `inspect --format`), each named by its field.
    const fields = [...command.matchAll(/\{\{json [^}]*?(\w+)\}\}/g)].map((match) => match[1]!);
    // docker/cli's `updateEnvironment` rebuilds Env from a Go map (no sort after `--env-add`): the real CLI's order varies per run.
    const unordered = (value: unknown, field: string | undefined) => (field === "Env" && Array.isArray(value) ? [...value].sort() : value);
    const values = (side: Side, text: string) => text.trim().split(/(?<=[\]}]) (?=[[{])/).map((part, index) => unordered(side.json(part, fields[index]), fields[index]));
    expect(values(simulated, actual.stdout), label).toEqual(values(recorded, step.stdout));
  } else {
    expect(simulated.text(actual.stdout), label).toBe(recorded.text(step.stdout));
  }
}

/**
 * A convergence wait (docker/cli's progress to a non-terminal): the same head (service, first
 * round, one `i/N:  ` line per replica), rounds that only go up and end as recorded, the 5-second
 * verification counted down at about five polls a second, the same last line. How many rounds
 * appear depends on the 200 ms polls' timing (see the swarm fixtures' README).
 */
function compareProgress(step: CliStep, actual: CliOutput, recorded: Side, simulated: Side, label: string): void {
  const real = progressShape(recorded.text(step.stdout));
  const shape = progressShape(simulated.text(actual.stdout));
  expect(shape.head, label).toEqual(real.head);
  expect(shape.rounds.at(-1), label).toBe(real.rounds.at(-1));
  const counts = roundCounts(shape.rounds);
  expect(counts, label).toEqual([...counts].sort((left, right) => left - right));
  expect(shape.verify, label).toEqual(real.verify);
  for (const [index, count] of shape.verifyCounts.entries()) {
    if (shape.verify[index]!.includes("Waiting")) expect(Math.abs(count - 5), `${label}: ${shape.verify[index]}`).toBeLessThanOrEqual(1);
  }
  expect(shape.tail, label).toEqual(real.tail);
}

/**
 * Compares an API step's answer with the recording's: the status code, and the body as JSON with
 * per-run values normalised; of `/info` only the `Swarm` part (the rest is the machine's).
 */
function compareApi(step: ApiStep, path: string, actual: ApiOutput, recorded: Side, simulated: Side, label: string): void {
  expect(actual.statusCode, `${label}: ${JSON.stringify(actual.body)}`).toBe(step.statusCode);
  const part = (body: unknown) => (path === "/info" ? (body as { Swarm: unknown }).Swarm : body);
  expect(simulated.json(JSON.stringify(part(actual.body) ?? null)), label).toEqual(recorded.json(JSON.stringify(part(step.body) ?? null)));
}

/**
 * Replays a scenario on `sim` (from {@link startSingleNode}), keeping the recording's time between
 * step starts (each step's recorded duration, the recorder's overhead and its unrecorded waits):
 * yields each step for the driver to run (a CLI command or a raw API request, in the simulation's
 * terms) and compares what it gives back with the recording. dockerd is restarted where the
 * recorder restarted it.
 */
export function* replaySingleNode(sim: Simulation, scenario: string): Generator<Runnable, ReplayResult, DriverAnswer> {
  const keepLoopback = loopbackScenarios.has(scenario);
  const fromRecording = (text: string) => (keepLoopback ? text.replaceAll("20.10.24+dfsg1", "28.2.2") : asSimulated(text, hostname));
  const recorded = new Side(fromRecording, true);
  const simulated = new Side((text) => text, false);
  const differences: string[] = [];
  let compared = 0;
  for (const [index, step] of singleNodeSteps(scenario).entries()) {
    if (step.note?.startsWith("dockerd restarted") === true) {
      sim.faults.restart(hostname, "dockerd");
      sim.runFor(2_000);
    }
    sim.runFor(recorderOverheadMs);
    const startMs = sim.now;
    const label = `${scenario}.json step ${index} ${"command" in step ? step.command : step.request}`;
    let answer: DriverAnswer;
    if ("command" in step) {
      const recordedCommand = recordingMachineCommands[step.command] ?? step.command;
      const command = simulated.placeholders.translate(fromRecording(recordedCommand), recorded.placeholders);
      const stdin = step.stdin === undefined ? undefined : simulated.placeholders.translate(step.stdin, recorded.placeholders);
      answer = yield { kind: "cli", step, command, ...(stdin === undefined ? {} : { stdin }) };
    } else {
      const [method = "GET", versioned = "/"] = step.request.split(" ");
      const path = simulated.placeholders.translate(versioned, recorded.placeholders);
      const body = step.requestBody === undefined ? undefined : (JSON.parse(simulated.placeholders.translate(JSON.stringify(step.requestBody), recorded.placeholders)) as unknown);
      answer = yield { kind: "api", step, method, path, ...(body === undefined ? {} : { body }) };
    }
    if (sim.now < startMs + step.durationMs) sim.runFor(startMs + step.durationMs - sim.now);
    if (answer.notCompared === undefined) {
      compared += 1;
      try {
        if ("command" in step && "cli" in answer) compareCli(step, answer.cli, recorded, simulated, label);
        else if ("request" in step && "api" in answer) compareApi(step, step.request.split(" ")[1]!.replace(/^\/v1\.\d+/, ""), answer.api, recorded, simulated, label);
        else throw new Error(`${label}: the driver answered the wrong kind of step`);
      } catch (error) {
        differences.push(`${label}:\n${describeFailure(error)}`);
      }
    } else {
      // Not compared, but seen: later steps name what it printed (a service's id).
      if ("cli" in answer) {
        simulated.placeholders.normalise(answer.cli.stdout);
        if ("command" in step) recorded.placeholders.normalise(fromRecording(step.stdout));
      }
    }
    if ("command" in step) unrecordedWait(sim, `${scenario}: ${step.command}`);
  }
  return { compared, differences };
}

/** Where an `expect` found the actual value different from the expected one: each differing path, at most 20. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { actual, expected } = error as Error & { actual?: unknown; expected?: unknown };
  if (actual === undefined && expected === undefined) return error.message;
  const lines = valueDifferences(actual, expected, "");
  return lines.slice(0, 20).join("\n") + (lines.length > 20 ? `\n... ${lines.length - 20} more` : "");
}

function valueDifferences(actual: unknown, expected: unknown, path: string): string[] {
  if (typeof actual === "string" && typeof expected === "string" && actual.includes("\n") && expected.includes("\n")) {
    const actualLines = actual.split("\n");
    const expectedLines = expected.split("\n");
    const found: string[] = [];
    for (let index = 0; index < Math.max(actualLines.length, expectedLines.length); index++) {
      if (actualLines[index] !== expectedLines[index]) found.push(`${path} line ${index + 1}:\n    expected ${JSON.stringify(expectedLines[index])}\n    actual   ${JSON.stringify(actualLines[index])}`);
    }
    return found;
  }
  const bothObjects = actual !== null && expected !== null && typeof actual === "object" && typeof expected === "object" && Array.isArray(actual) === Array.isArray(expected);
  if (!bothObjects) return JSON.stringify(actual) === JSON.stringify(expected) ? [] : [`${path || "(value)"}:\n    expected ${JSON.stringify(expected)}\n    actual   ${JSON.stringify(actual)}`];
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
  return keys.flatMap((key) => {
    const child = `${path}${Array.isArray(actual) ? `[${key}]` : `.${key}`}`;
    if (!(key in expected)) return [`${child}: not expected, actual ${JSON.stringify((actual as Record<string, unknown>)[key])}`];
    if (!(key in actual)) return [`${child}: missing, expected ${JSON.stringify((expected as Record<string, unknown>)[key])}`];
    return valueDifferences((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], child);
  });
}

function unrecordedWait(sim: Simulation, key: string): void {
  const wait = unrecordedWaits[key];
  if (wait === undefined) return;
  if (typeof wait === "number") {
    sim.runFor(wait);
    return;
  }
  for (let poll = 0; poll < waitPollsMax && !wait(sim); poll++) sim.runFor(waitPollIntervalMs);
}

/** Replays a scenario through `sim.exec` (CLI steps) and the engine's typed request (API steps). */
export function replayThroughSimExec(sim: Simulation, scenario: string): ReplayResult {
  const steps = replaySingleNode(sim, scenario);
  let next = steps.next();
  while (next.done !== true) {
    const runnable = next.value;
    if (runnable.kind === "cli") {
      next = steps.next({ cli: sim.exec(hostname, runnable.command, runnable.stdin === undefined ? {} : { stdin: runnable.stdin }) });
    } else {
      const path = runnable.path.replace(/^\/v1\.\d+/, "");
      const response = sim.engine(hostname).request({ method: runnable.method as "GET", path, query: {}, ...(runnable.body === undefined ? {} : { body: runnable.body }) });
      next = steps.next({ api: { statusCode: response.statusCode, body: response.body ?? null } });
    }
  }
  return next.value;
}
