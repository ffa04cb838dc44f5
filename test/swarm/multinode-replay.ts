// What the multi-node differential tests share: the recordings of a real three-node Docker swarm
// (test/fixtures/docker/multinode/, see its README), their normalisation, the replay of a
// scenario's steps on a simulated cluster (simulated time advancing as the recording's clock
// did; polls and faults as the recorder's), and the comparisons of an output with the recorded
// one. Used by test/swarm/multinode-differential.test.ts (the steps through `sim.exec`) and
// test/node/multinode-real-cli.test.ts (through the real docker binary on the simulated API).
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { Simulation } from "swarmsim";
import { splitDockerTable, type DockerTable } from "../support/docker-table.js";

// ---------------------------------------------------------------- recordings

export interface Step {
  readonly host: string;
  /** When the step started, ms since its scenario began. */
  readonly atMs: number;
  readonly command?: string;
  readonly exitCode?: number;
  readonly stdout?: string;
  readonly stderr?: string;
  readonly durationMs?: number;
  readonly request?: string;
  readonly body?: unknown;
  readonly event?: string;
  readonly note?: string;
}

export interface Recording {
  readonly scenario: string;
  readonly nodes: Readonly<Record<string, string>>;
  readonly steps: readonly Step[];
}

export interface Output {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export function recording(name: string): Recording {
  return JSON.parse(readFileSync(new URL(`../fixtures/docker/multinode/${name}.json`, import.meta.url), "utf8")) as Recording;
}

interface RecordedNode {
  readonly ID: string;
  readonly Description: { readonly Hostname: string; readonly Resources: { readonly NanoCPUs: number; readonly MemoryBytes: number } };
}

/** The real cluster's nodes, as `GET /nodes` answered after the workers joined. */
export const recordedNodes = recording("cluster-formation").steps.find((step) => step.request === "GET /v1.41/nodes")!.body as RecordedNode[];
export const recordedNodeNames = new Map(recordedNodes.map((node) => [node.ID, node.Description.Hostname]));
/** The simulated hosts get the recorded machine's CPUs and memory, so `node inspect` can match. */
export const hostFacts = {
  cpus: recordedNodes[0]!.Description.Resources.NanoCPUs / 1e9,
  memoryBytes: recordedNodes[0]!.Description.Resources.MemoryBytes,
};
export const hostNames = ["manager1", "worker1", "worker2"] as const;

// ---------------------------------------------------------------- normalising

/** moby's digest warning (plus the empty line the CLI prints after warnings): only a recording without a registry prints it. */
export const digestWarning = /image \S+ could not be accessed on a registry to record\nits digest\. Each node will access \S+ independently,\npossibly leading to different nodes running different\nversions of the image\.\n\n?/g;
/** docker's `HumanDuration` followed by "ago". */
const relativeTime = / (?:less than a second|about an? \w+|\d+ \w+) ago/gi;

/** Normalises free text: the digest warning dropped, join tokens, IDs (node IDs as the node's name), relative times. */
export function normaliseText(text: string, nodeNames: ReadonlyMap<string, string>): string {
  return text
    .replace(digestWarning, "")
    .replace(/SWMTKN-1-[0-9a-z]+-[0-9a-z]+/g, "<token>")
    .replace(/\b[0-9a-z]{25}\b/g, (id) => (nodeNames.has(id) ? `<node:${nodeNames.get(id)}>` : "<id>"))
    .replace(relativeTime, " <ago>");
}

export function normaliseOutput(output: Output, nodeNames: ReadonlyMap<string, string>): Output {
  return { stdout: normaliseText(output.stdout, nodeNames), stderr: normaliseText(output.stderr, nodeNames), exitCode: output.exitCode };
}

/** A docker table: its column names and each row's cells. */
export type Table = DockerTable;

/** A docker table split at its header's column starts, each cell normalised by its column. */
export function parseTable(stdout: string, nodeNames: ReadonlyMap<string, string>): Table {
  return splitDockerTable(stdout, (cell, column) => {
    if (column === "ID") return cell === "" ? "" : cell.endsWith(" *") ? "<id> *" : "<id>";
    if (column === "ENGINE VERSION") return "<engine>";
    return normaliseText(cell, nodeNames);
  });
}

/**
 * `service ps` / `node ps` rows grouped by slot (the current task, then its ` \_ ` history),
 * each group one line without IDs and slot numbers, sorted: the placement as a multiset.
 */
export function slotGroups(table: Table): string[] {
  const groups: string[][] = [];
  const name = table.columns.indexOf("NAME");
  for (const row of table.rows) {
    const signature = row
      .map((cell, index) => (index === name ? cell.replace(/\.\d+$/, ".N") : cell))
      .filter((_, index) => table.columns[index] !== "ID")
      .join(" | ");
    if (row[name]!.startsWith("\\_ ") && groups.length > 0) groups.at(-1)!.push(signature);
    else groups.push([signature]);
  }
  return groups.map((group) => group.join("  //  ")).sort();
}

/** The names of the current tasks (rows that are not ` \_ ` history), in order. */
export function currentNames(table: Table): string[] {
  const name = table.columns.indexOf("NAME");
  return table.rows.map((row) => row[name]!).filter((cell) => !cell.startsWith("\\_ "));
}

/** How many tasks each node runs (desired and current state running). */
export function runningPerNode(table: Table): Record<string, number> {
  const node = table.columns.indexOf("NODE");
  const desired = table.columns.indexOf("DESIRED STATE");
  const current = table.columns.indexOf("CURRENT STATE");
  const counts: Record<string, number> = {};
  for (const row of table.rows) {
    if (row[desired] === "Running" && row[current]!.startsWith("Running")) counts[row[node]!] = (counts[row[node]!] ?? 0) + 1;
  }
  return counts;
}

/** The shape of a convergence wait's output (docker/cli's progress to a non-terminal). */
export interface Progress {
  /** Up to the first repeated `overall progress` line: the service, the first round, the `i/N:  ` lines. */
  readonly head: readonly string[];
  /** The `overall progress` lines after the first, consecutive repeats collapsed. */
  readonly rounds: readonly string[];
  /** The distinct `verify:` lines in order, and how often each appeared. */
  readonly verify: readonly string[];
  readonly verifyCounts: readonly number[];
  /** What follows the last `verify:` line. */
  readonly tail: readonly string[];
}

export function progressShape(stdout: string): Progress {
  // A global service's first poll may come before the orchestrator made its tasks (timing).
  const lines = stdout.split("\n").filter((line) => line !== "overall progress: waiting for new tasks");
  const firstRound = lines.findIndex((line) => line.startsWith("overall progress:"));
  const secondRound = lines.findIndex((line, index) => index > firstRound && line.startsWith("overall progress:"));
  const head = lines.slice(0, secondRound < 0 ? firstRound + 1 : secondRound);
  const rounds: string[] = [];
  const verify: string[] = [];
  const verifyCounts: number[] = [];
  let lastVerify = head.length - 1;
  for (const [index, line] of lines.entries()) {
    if (index < head.length) continue;
    if (line.startsWith("overall progress:")) {
      if (rounds.at(-1) !== line) rounds.push(line);
    } else if (line.startsWith("verify:")) {
      if (verify.at(-1) === line) verifyCounts[verifyCounts.length - 1]! += 1;
      else {
        verify.push(line);
        verifyCounts.push(1);
      }
      lastVerify = index;
    }
  }
  return { head, rounds, verify, verifyCounts, tail: lines.slice(lastVerify + 1) };
}

/** The k of each `overall progress: [rolling back update: ]k out of N tasks` line. */
export function roundCounts(rounds: readonly string[]): number[] {
  return rounds.map((line) => Number(/(\d+) out of \d+ tasks/.exec(line)?.[1] ?? Number.NaN));
}

/** `node inspect --pretty` without what is the machine's or the engine version's, and without the TLS section (see the control-plane block). */
export function normaliseNodeInspect(stdout: string, nodeNames: ReadonlyMap<string, string>): string {
  return normaliseText(stdout, nodeNames)
    .replace(/^(Joined at:\s+).*$/m, "$1<time>")
    .replace(/^(Engine Version:\s+).*$/m, "$1<engine>")
    .replace(/^( Log:\s+).*$/m, "$1<log drivers>")
    .replace(/^TLS Info:\n[\s\S]*$/m, "");
}

// ---------------------------------------------------------------- replaying

export interface Replayed {
  readonly step: Step;
  /** What the simulated docker CLI printed (command steps). */
  readonly actual?: Output;
  /** Simulated ms the command took. */
  readonly simDurationMs: number;
  /** For a polled observation: simulated ms from the previous step's start until it held (undefined: never within 90 s). */
  readonly observedAfterMs?: number;
  /** The same span in the recording. */
  readonly recordedAfterMs?: number;
}

export interface ReplayedScenario {
  readonly sim: Simulation;
  readonly steps: readonly Replayed[];
  /** Simulated node IDs by hostname, for normalising. */
  readonly nodeNames: ReadonlyMap<string, string>;
}

export const pollIntervalMs = 250;
export const pollLimitMs = 90_000;

/** The recorder's unrecorded polls, each a condition checked through the CLI as the recorder did. */
export const observations: Readonly<Record<string, (sim: Simulation) => boolean>> = {
  "all-ready": (sim) => sim.exec("manager1", "docker node ls --format '{{.Status}}'").stdout.split("\n").filter((line) => line === "Ready").length === 3,
  "worker1-manager": (sim) => sim.exec("worker1", "docker node ls").exitCode === 0,
  "worker1-worker": (sim) => sim.exec("worker1", "docker node ls").exitCode !== 0,
  "worker1-demoted": (sim) => sim.exec("manager1", "docker node inspect -f '{{.ManagerStatus}}' worker1").stdout === "<nil>\n",
  converged: (sim) => sim.exec("manager1", "docker service ls --filter name=web --format '{{.Replicas}}'").stdout.split("\n")[0] === "6/6",
  rescheduled: (sim) => runningTasks(sim, "web") === 6,
  "global-drained": (sim) => runningTasks(sim, "cache") === 2,
  "global-back": (sim) => runningTasks(sim, "cache") === 3,
  "worker2-down": (sim) => nodeStatus(sim, "worker2") === "Down",
  "worker2-ready": (sim) => nodeStatus(sim, "worker2") === "Ready",
  "old-tasks-stopped": (sim) => sim.exec("worker2", "docker ps -q").stdout === "",
  "old-worker2-down": (sim) => sim.exec("manager1", "docker node ls --format '{{.Hostname}} {{.Status}}'").stdout.split("\n").filter((line) => line === "worker2 Down").length === 1,
};

/** How long the recorder slept after an observation held. */
export const observationSlackMs: Readonly<Record<string, number>> = { "worker1-demoted": 1_000 };

/** Faults the recorder injected, as simulated faults. */
export const faults: Readonly<Record<string, (sim: Simulation, host: string) => void>> = {
  "kill-dockerd": (sim, host) => sim.faults.kill(host, "dockerd"),
  "after-kill": () => {},
  "restart-dockerd": (sim, host) => sim.faults.restart(host, "dockerd"),
};

function runningTasks(sim: Simulation, service: string): number {
  const states = sim.exec("manager1", `docker service ps ${service} -f desired-state=running --format '{{.CurrentState}}'`).stdout;
  return states.split("\n").filter((line) => line.startsWith("Running")).length;
}

function nodeStatus(sim: Simulation, hostname: string): string | undefined {
  const lines = sim.exec("manager1", `docker node ls --filter name=${hostname} --format '{{.Hostname}} {{.Status}}'`).stdout.split("\n");
  return lines.find((line) => line.startsWith(`${hostname} `))?.split(" ")[1];
}

export function simulatedNodeNames(sim: Simulation): Map<string, string> {
  return new Map(Object.values(sim.clusterState()?.nodes ?? {}).map((node) => [node.id, node.description.hostname]));
}

/** A command step for the replay's driver to run, on `host`, as `command` (the recorded one, rewritten). */
export interface CommandToRun {
  readonly step: Step;
  readonly host: string;
  readonly command: string;
}

/**
 * Replays a recording's steps on `sim`, keeping the recording's time between step starts: yields
 * each command step for the driver to run (it returns what the command printed), polls and injects
 * faults itself. Driven by {@link replay} (`sim.exec`) and {@link replayAsync} (any async runner).
 */
export function* replaySteps(sim: Simulation, recorded: Recording, rewrite: (command: string) => string = (command) => command): Generator<CommandToRun, Replayed[], Output> {
  const results: Replayed[] = [];
  let previousRecordedMs = 0;
  let previousSimMs = sim.now;
  for (const step of recorded.steps) {
    const recordedGapMs = step.atMs - previousRecordedMs;
    if (step.event !== undefined && step.event in observations) {
      // Poll from where the previous step left off, as the recorder did.
      const holds = observations[step.event]!;
      let observedAfterMs: number | undefined;
      while (sim.now - previousSimMs <= pollLimitMs) {
        if (holds(sim)) {
          sim.runFor(observationSlackMs[step.event] ?? 0);
          observedAfterMs = sim.now - previousSimMs;
          break;
        }
        sim.runFor(pollIntervalMs);
      }
      results.push({ step, simDurationMs: 0, observedAfterMs, recordedAfterMs: recordedGapMs });
    } else {
      const targetMs = previousSimMs + recordedGapMs;
      if (sim.now < targetMs) sim.runFor(targetMs - sim.now);
      if (step.event !== undefined) {
        const fault = faults[step.event];
        if (fault === undefined) throw new Error(`no replay for the recorded event ${step.event}`);
        fault(sim, step.host);
        results.push({ step, simDurationMs: 0 });
      } else if (step.command !== undefined) {
        const startMs = sim.now;
        const actual = yield { step, host: step.host, command: rewrite(step.command) };
        results.push({ step, actual, simDurationMs: sim.now - startMs });
      } else {
        results.push({ step, simDurationMs: 0 }); // API steps: recorded for reference
      }
    }
    previousRecordedMs = step.atMs;
    previousSimMs = sim.now - results.at(-1)!.simDurationMs; // the step's start (an observation: when it held)
  }
  return results;
}

/** Replays a recording's steps on `sim`, each command through `sim.exec`. */
export function replay(sim: Simulation, recorded: Recording, rewrite?: (command: string) => string): Replayed[] {
  const steps = replaySteps(sim, recorded, rewrite);
  let next = steps.next();
  while (next.done !== true) next = steps.next(sim.exec(next.value.host, next.value.command));
  return next.value;
}

/** Replays a recording's steps on `sim`, each command through `run` (which may let the simulation move meanwhile). */
export async function replayAsync(sim: Simulation, recorded: Recording, run: (command: CommandToRun) => Promise<Output>, rewrite?: (command: string) => string): Promise<Replayed[]> {
  const steps = replaySteps(sim, recorded, rewrite);
  let next = steps.next();
  while (next.done !== true) next = steps.next(await run(next.value));
  return next.value;
}

/** A scenario's simulated cluster, before its first step, and how its commands are rewritten (join tokens). */
export interface ScenarioStart {
  readonly sim: Simulation;
  readonly rewrite: (command: string) => string;
  /** Simulated node IDs by hostname at the start (nodes may leave during the scenario). */
  readonly namesAtStart: ReadonlyMap<string, string>;
}

/** A fresh simulated cluster for a scenario (the same for a given scenario each time: the seed is its name). */
export function startScenario(scenario: string): ScenarioStart {
  if (scenario === "cluster-formation") {
    // Formed through the CLI, as recorded: init on manager1, the workers join with its token.
    const sim = new Simulation({ seed: `multinode-${scenario}` });
    for (const name of hostNames) sim.addHost(name, hostFacts);
    sim.runFor(1_000);
    const rewrite = (command: string) => command.replace(/SWMTKN-1-\S+/, () => (sim.engine("manager1").swarmInspect().JoinTokens as { Worker: string }).Worker);
    return { sim, rewrite, namesAtStart: new Map() };
  }
  const sim = Simulation.swarm({ seed: `multinode-${scenario}`, managers: 1, workers: 2, host: hostFacts });
  if (scenario === "errors") return { sim, rewrite: errorsRewrite(sim), namesAtStart: simulatedNodeNames(sim) };
  return { sim, rewrite: (command) => command, namesAtStart: simulatedNodeNames(sim) };
}

/**
 * errors.json joins with recorded tokens and removes the departed worker2 by its recorded ID:
 * each token gets the simulated root CA digest and, for a secret the recording printed (the
 * worker token before and after `--rotate`, the manager token), the simulated secret it stands
 * for (the made-up wrong secret is kept); `node rm <id>` names the simulated node Down as worker2.
 */
function errorsRewrite(sim: Simulation): (command: string) => string {
  const recorded = recording("errors").steps;
  const printed = (command: string) => recorded.find((step) => step.command === command)?.stdout ?? "";
  const secretOf = (token: string) => token.split("-")[3] ?? "";
  const tokens = () => sim.engine("manager1").swarmInspect().JoinTokens as { Worker: string; Manager: string };
  const oldWorker = secretOf(tokens().Worker);
  const secrets = new Map([
    [secretOf(printed("docker swarm join-token -q worker").trim()), () => oldWorker],
    [secretOf(printed("docker swarm join-token -q manager").trim()), () => secretOf(tokens().Manager)],
    [secretOf(/SWMTKN-1-\S+/.exec(printed("docker swarm join-token --rotate worker"))?.[0] ?? ""), () => secretOf(tokens().Worker)],
  ]);
  return (command) => {
    const nodeRm = /^docker node rm [0-9a-z]{25}$/.test(command);
    if (nodeRm) {
      const down = Object.values(sim.clusterState()?.nodes ?? {}).find((node) => node.description.hostname === "worker2" && node.status.state === "down");
      return `docker node rm ${down?.id ?? "nosuch"}`;
    }
    return command.replace(/SWMTKN-1-[0-9a-z]+-([0-9a-z]+)/, (_token, secret: string) => {
      const digest = tokens().Worker.split("-")[2]!;
      return `SWMTKN-1-${digest}-${secrets.get(secret)?.() ?? secret}`;
    });
  };
}

export function recordedOutput(step: Step): Output {
  return { stdout: step.stdout ?? "", stderr: step.stderr ?? "", exitCode: step.exitCode ?? -1 };
}

// ---------------------------------------------------------------- comparisons
//
// Each compares what a replayed command printed (`actual`, its node IDs named by `nodeNames`)
// with what the recorded `step` printed.

/** Same exit code and normalised stdout and stderr. */
export function compareText(actual: Output, step: Step, nodeNames: ReadonlyMap<string, string>, label: string): void {
  expect(normaliseOutput(actual, nodeNames), label).toEqual(normaliseOutput(recordedOutput(step), recordedNodeNames));
}

/** Same exit code, no stderr beyond the stripped warning, and the same table cell by cell (but for `ignoring` columns). */
export function compareTable(actual: Output, step: Step, nodeNames: ReadonlyMap<string, string>, label: string, ignoring: readonly string[] = []): void {
  expect(actual.exitCode, `${label}: ${actual.stderr}`).toBe(step.exitCode);
  expect(normaliseText(actual.stderr, new Map())).toBe(normaliseText(step.stderr ?? "", new Map()));
  const without = (table: Table): Table => ({
    columns: table.columns,
    rows: table.rows.map((row) => row.map((cell, index) => (ignoring.includes(table.columns[index]!) ? "(ignored)" : cell))),
  });
  expect(without(parseTable(actual.stdout, nodeNames)), label).toEqual(without(parseTable(step.stdout ?? "", recordedNodeNames)));
}

/** One column of a table, normalised. */
export function column(stdout: string, name: string, nodeNames: ReadonlyMap<string, string>): string[] {
  const table = parseTable(stdout, nodeNames);
  return table.rows.map((row) => row[table.columns.indexOf(name)]!);
}

/**
 * `service ps` / `node ps`: the same columns, current task names, slot groups and tasks per node.
 * `node ps` lists whichever slots the scheduler put on the node: its slot numbers are not compared.
 */
export function comparePlacement(actual: Output, step: Step, nodeNames: ReadonlyMap<string, string>, command: string): void {
  expect(actual.exitCode, `${command}: ${actual.stderr}`).toBe(step.exitCode);
  const simulated = parseTable(actual.stdout, nodeNames);
  const real = parseTable(step.stdout ?? "", recordedNodeNames);
  expect(simulated.columns, command).toEqual(real.columns);
  const names = (table: Table) => currentNames(table).map((name) => (command.startsWith("docker node ps") ? name.replace(/\.\d+$/, ".N") : name)).sort();
  expect(names(simulated), command).toEqual(names(real)); // sorted: a global task is named after its node's ID
  expect(runningPerNode(simulated), command).toEqual(runningPerNode(real));
  expect(slotGroups(simulated), command).toEqual(slotGroups(real));
}

/**
 * A convergence wait: the same head (service, first round, one `i/N:  ` line per replica),
 * rounds that only go up and end at N of N (or exactly the recorded rounds with `exactRounds`),
 * the 5-second verification countdown at about five polls a second, the same last lines.
 */
export function compareProgress(actual: Output, step: Step, nodeNames: ReadonlyMap<string, string>, command: string, options: { readonly exactRounds?: boolean } = {}): void {
  expect(actual.exitCode, `${command}: ${actual.stderr}`).toBe(step.exitCode);
  expect(normaliseText(actual.stderr, nodeNames)).toBe(normaliseText(step.stderr ?? "", recordedNodeNames));
  const simulated = progressShape(normaliseText(actual.stdout, nodeNames));
  const real = progressShape(normaliseText(step.stdout ?? "", recordedNodeNames));
  expect(simulated.head, command).toEqual(real.head);
  expect(simulated.rounds.at(-1), command).toBe(real.rounds.at(-1));
  if (options.exactRounds === true) expect(simulated.rounds, command).toEqual(real.rounds);
  const counts = roundCounts(simulated.rounds);
  expect(counts, command).toEqual([...counts].sort((left, right) => left - right));
  expect(simulated.verify, command).toEqual(real.verify);
  for (const [index, count] of simulated.verifyCounts.entries()) {
    if (simulated.verify[index]!.includes("Waiting")) expect(Math.abs(count - 5), simulated.verify[index]).toBeLessThanOrEqual(1);
  }
  expect(simulated.tail, command).toEqual(real.tail);
}

/** `node inspect --pretty` with the TLS section kept: the CA certificate and its public key differ per swarm. */
export function normaliseNodeInspectWithTls(stdout: string, nodeNames: ReadonlyMap<string, string>): string {
  return normaliseText(stdout, nodeNames)
    .replace(/^(Joined at:\s+).*$/m, "$1<time>")
    .replace(/^(Engine Version:\s+).*$/m, "$1<engine>")
    .replace(/^( Log:\s+).*$/m, "$1<log drivers>")
    .replace(/-----BEGIN CERTIFICATE-----\n[\s\S]*?\n-----END CERTIFICATE-----/, "<certificate>")
    .replace(/^( Issuer Public Key:\t).*$/m, "$1<public key>");
}

/** `docker ps -a --format '{{.Names}} {{.Status}}'` as sorted lines, relative times and slot numbers normalised. */
export function containerLines(stdout: string): string[] {
  return normaliseText(stdout, new Map())
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.replace(/^web\.\d+\./, "web.N."))
    .sort();
}
