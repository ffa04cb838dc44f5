// Test harness for the swarm-mode commands: the recorded fixtures of a real docker CLI and a
// real single-node swarm (test/fixtures/docker/swarm), and a scripted engine whose clock moves
// 1 ms per request, so that `service create|update|scale` can wait for convergence.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { EngineClient, type EngineJson } from "../../../src/engine/client.js";
import { runDocker } from "../../../src/cli/docker.js";
import type { CommandOutput } from "../../../src/cli/usage-errors.js";
import { ScriptedEngine, type ApiStep, type CliStep } from "./harness.js";

const fixtureDirectory = fileURLToPath(new URL("../../fixtures/docker/swarm/", import.meta.url));

/** The steps of a recorded swarm scenario. */
function steps(name: string): readonly (CliStep | ApiStep)[] {
  return (JSON.parse(readFileSync(`${fixtureDirectory}${name}.json`, "utf8")) as { steps: (CliStep | ApiStep)[] }).steps;
}

/** The `occurrence`-th CLI step of a swarm scenario whose command is `command`. */
export function swarmCliStep(name: string, command: string, occurrence = 0): CliStep {
  const found = steps(name).filter((step): step is CliStep => "command" in step && step.command === command)[occurrence];
  if (!found) throw new Error(`no step "${command}" #${occurrence} in ${name}.json`);
  return found;
}

/** The body of the `occurrence`-th API step of a swarm scenario whose request is `request`. */
export function swarmApiBody(name: string, request: string, occurrence = 0): any {
  const found = steps(name).filter((step): step is ApiStep => "request" in step && step.request === request)[occurrence];
  if (!found) throw new Error(`no step "${request}" #${occurrence} in ${name}.json`);
  return structuredClone(found.body);
}

/**
 * The output the simulation must give for a recorded step, verbatim. The recording had no
 * registry (see REAL-DOCKER.md), so `service create` printed moby's digest warning; the scripted
 * engine answers no `GET /distribution/...` either, so the CLI prints the same warning.
 */
export function expectedSwarmOutput(step: CliStep): CommandOutput {
  return { stdout: step.stdout, stderr: step.stderr, exitCode: step.exitCode };
}

/** A scripted engine with a clock that advances 1 ms per request. */
export class ClockedEngine extends ScriptedEngine {
  /** The simulated wall clock, ms since the epoch. */
  clockMs: number;
  readonly clockedClient: EngineClient;

  constructor(startMs: number) {
    super();
    this.clockMs = startMs;
    this.clockedClient = new EngineClient((request) => {
      this.clockMs += 1;
      return this.client.request(request);
    });
  }

  /** Runs a docker command line against this engine, on its clock. */
  runClocked(line: string): CommandOutput {
    return runDocker(line, { client: this.clockedClient, tty: false, columns: 80, nowWallMs: () => this.clockMs });
  }
}

/** Milliseconds since the epoch of an RFC 3339 time. */
export function epochMs(text: string): number {
  return Date.parse(text);
}

/**
 * Finds a wall-clock time at which `render` gives `expected` (relative times such as "Running
 * 5 seconds ago" depend on when the recording's command ran): tries every 100 ms from `fromMs`
 * for a minute. Returns the output at the first match, or the output at `fromMs`.
 */
export function renderAtSomeTime(fromMs: number, expected: string, render: (nowMs: number) => CommandOutput): CommandOutput {
  for (let nowMs = fromMs; nowMs < fromMs + 60_000; nowMs += 100) {
    const output = render(nowMs);
    if (output.stdout === expected) return output;
  }
  return render(fromMs);
}

/** Applies docker's task filters that the fake engine needs (`service`, `desired-state`, `node`). */
export function filterTasks(tasks: readonly EngineJson[], filtersText: string | undefined): EngineJson[] {
  const filters = (filtersText ? JSON.parse(filtersText) : {}) as Record<string, string[]>;
  return tasks.filter(
    (task) =>
      (!filters.service || filters.service.includes(task.ServiceID)) &&
      (!filters["desired-state"] || filters["desired-state"].includes(task.DesiredState)) &&
      (!filters.node || filters.node.includes(task.NodeID)),
  );
}
