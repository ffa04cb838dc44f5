// PLACEHOLDER written by the engine wiring so the package loads; the CLI commands engineer
// replaces this whole file with the real dispatcher (same exported names).
import type { EngineClient } from "../engine/client.js";
import type { CommandOutput } from "./usage-errors.js";

/** What a docker command needs from its surroundings. */
export interface DockerCliEnvironment {
  readonly client: EngineClient;
  readonly tty: boolean;
  readonly columns: number;
  readonly nowWallMs: () => number;
}

/** Runs one docker command line. */
export function runDocker(line: string, _environment: DockerCliEnvironment): CommandOutput {
  return { exitCode: 1, stdout: "", stderr: `not implemented yet: ${line}\n` };
}
