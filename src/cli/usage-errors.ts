/**
 * The stderr text and exit code docker 28.x prints for usage mistakes: flag errors (cobra's
 * FlagErrorFunc, exit 125), argument-count errors (docker's `cli/required.go`, exit 1), unknown
 * commands (exit 1), and runtime failures decorated with `Run 'docker run --help'` (exit 125).
 */
import type { CommandDefinition, UsageError } from "./flags.js";

/** What a docker invocation printed, and its exit code. */
export interface CommandOutput {
  /** Everything written to standard output. */
  readonly stdout: string;
  /** Everything written to standard error. */
  readonly stderr: string;
  /** The process exit code. */
  readonly exitCode: number;
}

/** The exit code docker uses for errors in the docker CLI itself (bad flags, daemon errors in `run`). */
export const cliErrorExitCode = 125;

/** The exit code of errors without a status: argument-count errors, unknown commands. */
export const genericErrorExitCode = 1;

/**
 * The output of a usage error for `command`.
 *
 * A flag error prints `<message>\n\nUsage:  <usage>\n\nRun '<path> --help' for more information`
 * and exits 125, for every command (`docker ps --bogus` as `docker run --bogus`); an
 * argument-count error prints its own message and exits 1.
 */
export function usageErrorOutput(command: CommandDefinition, error: UsageError): CommandOutput {
  if (error.kind === "flag") {
    return {
      stdout: "",
      stderr: `${error.message}\n\nUsage:  ${command.usage}\n\nRun '${command.path} --help' for more information\n`,
      exitCode: cliErrorExitCode,
    };
  }
  return { stdout: "", stderr: `${error.message}\n`, exitCode: genericErrorExitCode };
}

/**
 * The output of `docker <word>` when `<word>` is not a docker command:
 * `docker: unknown command: docker frobnicate\n\nRun 'docker --help' for more information`.
 * Inside a command group (`docker network frobnicate`) pass the group: its usage line is shown.
 */
export function unknownCommandOutput(word: string, group?: CommandDefinition): CommandOutput {
  if (!group || !group.path.includes(" ")) {
    const binary = group?.path ?? "docker";
    return {
      stdout: "",
      stderr: `${binary}: unknown command: ${binary} ${word}\n\nRun '${binary} --help' for more information\n`,
      exitCode: genericErrorExitCode,
    };
  }
  const binary = group.path.split(" ")[0]!;
  return {
    stdout: "",
    stderr: `${binary}: unknown command: ${group.path} ${word}\n\nUsage:  ${group.usage}\n\nRun '${group.path} --help' for more information\n`,
    exitCode: genericErrorExitCode,
  };
}

/**
 * The output of a failure while running a command that decorates errors with help, as
 * `docker run` and `docker create` do: `docker: <message>\n\nRun 'docker run --help' for more
 * information`, exit 125 unless another code is given (126 and 127 for start failures).
 */
export function commandFailureOutput(commandName: string, message: string, exitCode: number = cliErrorExitCode): CommandOutput {
  return {
    stdout: "",
    stderr: `docker: ${message}\n\nRun 'docker ${commandName} --help' for more information\n`,
    exitCode,
  };
}
