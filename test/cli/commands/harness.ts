// Test harness for the docker command implementations: the recorded fixtures of a real docker
// CLI and engine (test/fixtures/docker/engine), and a scripted Engine API transport that answers
// requests from handlers shaped like the recorded API bodies.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { EngineClient, type EngineJson } from "../../../src/engine/client.js";
import type { HttpRequest, HttpResponse } from "../../../src/engine/api/http.js";
import { runDocker } from "../../../src/cli/docker.js";
import type { CommandOutput } from "../../../src/cli/usage-errors.js";

const fixtureDirectory = fileURLToPath(new URL("../../fixtures/docker/engine/", import.meta.url));

/** One recorded CLI step. */
export interface CliStep {
  readonly command: string;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** One recorded API step. */
export interface ApiStep {
  readonly request: string;
  readonly statusCode: number;
  readonly body: unknown;
}

/** A whole recorded scenario. */
interface Scenario {
  readonly steps: readonly (CliStep | ApiStep)[];
}

/** Reads a scenario file. */
export function loadScenario(name: string): Scenario {
  return JSON.parse(readFileSync(`${fixtureDirectory}${name}.json`, "utf8")) as Scenario;
}

/** The `occurrence`-th CLI step of a scenario whose command is `command`. */
export function cliStep(name: string, command: string, occurrence = 0): CliStep {
  const steps = loadScenario(name).steps.filter((step): step is CliStep => "command" in step && step.command === command);
  const step = steps[occurrence];
  if (!step) throw new Error(`no step "${command}" #${occurrence} in ${name}.json`);
  return step;
}

/** The `occurrence`-th API step of a scenario whose request starts with `request`. */
export function apiStep(name: string, request: string, occurrence = 0): ApiStep {
  const steps = loadScenario(name).steps.filter((step): step is ApiStep => "request" in step && step.request.startsWith(request));
  const step = steps[occurrence];
  if (!step) throw new Error(`no step "${request}" #${occurrence} in ${name}.json`);
  return step;
}

/** What a scripted route answers. */
export interface ScriptedAnswer {
  readonly statusCode?: number;
  readonly body?: unknown;
}

/** A route of the scripted engine: method, path pattern (without version prefix) and answer. */
interface ScriptedRoute {
  readonly method: HttpRequest["method"];
  readonly pattern: RegExp;
  readonly answer: (request: HttpRequest, match: RegExpExecArray) => ScriptedAnswer;
}

/** An Engine API whose answers are scripted per route; records every request it gets. */
export class ScriptedEngine {
  readonly requests: HttpRequest[] = [];
  private readonly routes: ScriptedRoute[] = [];
  readonly client = new EngineClient((request) => this.handle(request));

  /** Adds a route (a path string matches exactly); later routes win over earlier ones. */
  on(method: HttpRequest["method"], path: string | RegExp, answer: ScriptedAnswer | ((request: HttpRequest, match: RegExpExecArray) => ScriptedAnswer)): this {
    const pattern = typeof path === "string" ? new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, "\\$&")}$`) : path;
    this.routes.unshift({ method, pattern, answer: typeof answer === "function" ? answer : () => answer });
    return this;
  }

  private handle(request: HttpRequest): HttpResponse {
    this.requests.push(request);
    for (const route of this.routes) {
      if (route.method !== request.method) continue;
      const match = route.pattern.exec(request.path);
      if (!match) continue;
      const answer = route.answer(request, match);
      return { statusCode: answer.statusCode ?? 200, headers: {}, body: answer.body ?? null };
    }
    return { statusCode: 404, headers: {}, body: { message: "page not found" } };
  }

  /** Runs a docker command line against this engine. */
  run(line: string, options: { tty?: boolean; columns?: number; nowWallMs?: number } = {}): CommandOutput {
    return runDocker(line, {
      client: this.client,
      tty: options.tty ?? false,
      columns: options.columns ?? 80,
      nowWallMs: () => options.nowWallMs ?? 0,
    });
  }

  /** The requests made, as `METHOD path`. */
  requestLines(): string[] {
    return this.requests.map((request) => `${request.method} ${request.path}`);
  }
}

/** An error answer as the daemon sends it. */
export function daemonError(statusCode: number, message: string): ScriptedAnswer {
  return { statusCode, body: { message } };
}

/** A recorded step as the output `runDocker` must give. */
export function expectedOutput(step: CliStep): CommandOutput {
  return { stdout: step.stdout, stderr: step.stderr, exitCode: step.exitCode };
}

/** A shallow copy of a JSON object with some fields replaced. */
export function withFields(object: unknown, fields: EngineJson): EngineJson {
  return { ...(object as EngineJson), ...fields };
}
