/**
 * What every docker command implementation shares: the environment it runs in (the host's
 * Engine API, the terminal), the two output streams it writes, the error types that end a
 * command the way the docker CLI's `main` ends it (`Error response from daemon: ...`, exit 1),
 * and the command table entry each command module exports.
 */
import { EngineApiError, type EngineClient } from "../../engine/client.js";
import type { CommandDefinition, ParsedCommandLine } from "../flags.js";

/** The environment one `docker` invocation runs in. */
export interface CommandEnvironment {
  /** The host's Engine API. */
  readonly client: EngineClient;
  /** Whether stdout (and stdin and stderr) are a terminal. */
  readonly tty: boolean;
  /** The terminal width in columns. */
  readonly columns: number;
  /** The simulation's wall-clock time, ms since the Unix epoch. */
  readonly nowWallMs: () => number;
  /**
   * Lets `durationMs` of simulated time pass, as the CLI sleeps between polls (absent: the clock
   * moves only as requests are answered).
   */
  readonly sleep?: (durationMs: number) => void;
  /** What the command reads on its standard input (`docker swarm unlock` reads the key); absent: nothing (EOF). */
  readonly stdin?: string;
  /**
   * The longest a command follows a stream (foreground `run`, `attach`, `exec`), virtual ms
   * (absent: the engine request bound, a day); past it the command stops as if interrupted (exit 130).
   */
  readonly streamTimeoutMs?: number;
}

/** The output one command has written so far. */
export class OutputStreams {
  /** Everything written to standard output. */
  stdout = "";
  /** Everything written to standard error. */
  stderr = "";

  /** Writes `text` to standard output. */
  out(text: string): void {
    this.stdout += text;
  }

  /** Writes `text` and a newline to standard output (Go's `fmt.Fprintln(out, ...)`). */
  outLine(text: string): void {
    this.stdout += `${text}\n`;
  }

  /** Writes `text` to standard error. */
  err(text: string): void {
    this.stderr += text;
  }

  /** Writes `text` and a newline to standard error. */
  errLine(text: string): void {
    this.stderr += `${text}\n`;
  }
}

/** What a command implementation gets: the environment and the streams to write to. */
export interface CommandContext extends CommandEnvironment {
  /** The output streams of this invocation. */
  readonly output: OutputStreams;
  /** The command path as invoked: `docker images`, `docker image ls`. */
  readonly commandPath: string;
}

/**
 * An error that ends a command: the docker CLI's `main` prints its message (when not empty) and
 * a newline to stderr, and exits with its status code (cli.StatusError, default 1).
 */
export class CommandError extends Error {
  override name = "CommandError";
  constructor(
    message: string,
    /** The exit code of the docker process. */
    readonly exitCode: number = 1,
  ) {
    super(message);
  }
}

/** The text the Go Engine API client gives a daemon error: `Error response from daemon: <message>`. */
export function daemonErrorText(error: EngineApiError): string {
  return `Error response from daemon: ${error.message.trim()}`;
}

/** The text of any error as the docker CLI would print it: daemon errors get their prefix. */
export function errorText(error: unknown): string {
  if (error instanceof EngineApiError) return daemonErrorText(error);
  if (error instanceof Error) return error.message;
  return String(error);
}

/** True if `error` is a daemon 404 (moby's errdefs.IsNotFound on the client side). */
export function isNotFound(error: unknown): boolean {
  return error instanceof EngineApiError && error.statusCode === 404;
}

/**
 * Calls `operation`, turning a daemon error into its printed text: the result, or the error
 * text (for commands that collect per-object errors, as `errors.Join` does).
 */
export function attempt<T>(operation: () => T): { ok: true; value: T } | { ok: false; error: unknown; text: string } {
  try {
    return { ok: true, value: operation() };
  } catch (error) {
    if (error instanceof EngineApiError || error instanceof CommandError) return { ok: false, error, text: errorText(error) };
    throw error;
  }
}

/** One docker command: its definition for the parser and help, and its implementation. */
export interface DockerCommand {
  /** The flags, usage and argument rule; `path` is the canonical path (`docker container ls`). */
  readonly definition: CommandDefinition;
  /**
   * Runs the command after parsing; writes to `context.output` and returns the exit code, or
   * throws a {@link CommandError} or an `EngineApiError` (printed and exit 1 by the dispatcher).
   */
  readonly run: (parsed: ParsedCommandLine, context: CommandContext) => number;
}

/** The usage text after the command path, e.g. `[OPTIONS] CONTAINER [CONTAINER...]`. */
export function usageArguments(definition: CommandDefinition): string {
  return definition.usage.startsWith(definition.path) ? definition.usage.slice(definition.path.length).trimStart() : definition.usage;
}

/** The same command under another path (`docker container stop` for `docker stop`), with its usage line adjusted. */
export function atPath(command: DockerCommand, path: string): DockerCommand {
  const argumentsText = usageArguments(command.definition);
  return {
    definition: { ...command.definition, path, usage: argumentsText === "" ? path : `${path} ${argumentsText}` },
    run: command.run,
  };
}

/**
 * docker's `sortorder.NaturalLess` (fvbommel/sortorder): compares runs of digits by value,
 * everything else byte by byte, as `network ls` and `volume ls` sort names.
 */
export function naturalLess(left: string, right: string): boolean {
  const isDigit = (character: string | undefined): boolean => character !== undefined && character >= "0" && character <= "9";
  let leftIndex = 0;
  let rightIndex = 0;
  while (leftIndex < left.length && rightIndex < right.length) {
    const leftCharacter = left[leftIndex]!;
    const rightCharacter = right[rightIndex]!;
    const leftDigit = isDigit(leftCharacter);
    const rightDigit = isDigit(rightCharacter);
    if (leftDigit !== rightDigit) return leftDigit;
    if (!leftDigit) {
      if (leftCharacter !== rightCharacter) return leftCharacter < rightCharacter;
      leftIndex++;
      rightIndex++;
      continue;
    }
    // Skip leading zeros, then compare the digit runs by length and value.
    let leftZeros = leftIndex;
    while (left[leftZeros] === "0") leftZeros++;
    let rightZeros = rightIndex;
    while (right[rightZeros] === "0") rightZeros++;
    let leftEnd = leftZeros;
    while (isDigit(left[leftEnd])) leftEnd++;
    let rightEnd = rightZeros;
    while (isDigit(right[rightEnd])) rightEnd++;
    const leftRun = left.slice(leftZeros, leftEnd);
    const rightRun = right.slice(rightZeros, rightEnd);
    if (leftRun.length !== rightRun.length) return leftRun.length < rightRun.length;
    if (leftRun !== rightRun) return leftRun < rightRun;
    // Equal values: the one whose digits start earlier (fewer zeros) first.
    if (leftZeros !== rightZeros) return leftZeros < rightZeros;
    leftIndex = leftEnd;
    rightIndex = rightEnd;
  }
  return left.length < right.length;
}

/** Sorts `items` by `key` with {@link naturalLess}, stably. */
export function sortNaturally<T>(items: readonly T[], key: (item: T) => string): T[] {
  return items.slice().sort((left, right) => (naturalLess(key(left), key(right)) ? -1 : naturalLess(key(right), key(left)) ? 1 : 0));
}
