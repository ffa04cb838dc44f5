// The real docker CLI, run against a simulated Engine API over HTTP by the tests that compare with
// it. Asynchronous on purpose: the server answers on the test's own event loop. A missing binary
// fails the test loudly, saying how to install it.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { promisify } from "node:util";
import { parse } from "shell-quote";

const run = promisify(execFile);
const dockerBinary = ["/usr/local/bin/docker", "/usr/bin/docker"].find((path) => existsSync(path));

/** What one docker command printed, and its exit code. */
export interface DockerOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** Runs `docker -H url ...words` with the real CLI, `stdin` (default: none) on its standard input. */
export async function realDocker(url: string, words: readonly string[], stdin = ""): Promise<DockerOutput> {
  if (dockerBinary === undefined) {
    throw new Error("the docker CLI is not installed: this test needs the real client (apt-get install docker.io, or the static docker binary in /usr/local/bin)");
  }
  try {
    const running = run(dockerBinary, ["-H", url, ...words], { env: { PATH: process.env.PATH ?? "", HOME: tmpdir() }, timeout: 60_000 });
    running.child.stdin?.end(stdin);
    const { stdout, stderr } = await running;
    return { stdout, stderr, exitCode: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, exitCode: failed.code };
  }
}

/**
 * Why a non-detached `service create/scale/update/rollback` is not replayed through the real CLI:
 * it polls for convergence and counts its 5 s verification on the wall clock, while the simulated
 * API moves its clock only for streams.
 */
export const convergenceWait = "waits for convergence: the real CLI polls and counts its 5 s verification on the wall clock, which the simulated API does not move";

/** A recorded `docker ...` command line as the real CLI's arguments (without `docker`). */
export function dockerWords(command: string): string[] {
  const parsed = parse(command).map((entry) => {
    if (typeof entry !== "string") throw new Error(`not a plain command line: ${command}`);
    return entry;
  });
  if (parsed[0] !== "docker") throw new Error(`not a docker command: ${command}`);
  return parsed.slice(1);
}
