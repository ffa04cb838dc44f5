/**
 * `docker exec` and `docker attach` (docker/cli `container/exec.go`, `attach.go`), and the
 * hijacked-stream reading they share with a foreground `docker run` (`hijack.go`): the output
 * is printed as it comes, stdout frames to stdout and stderr frames to stderr (everything to
 * stdout with a TTY), until the stream ends. `exec` then asks for the exec's exit code and
 * exits with it; `attach` exits with the container's, from the wait it started first.
 */
import { EngineApiError, type EngineJson, type EngineStream } from "../../engine/client.js";
import { engineRequestTimeoutMs } from "../../engine/transport.js";
import type { ParsedCommandLine } from "../flags.js";
import { CommandError, type CommandContext, type DockerCommand } from "./context.js";

/** The exit code a command gets when it stops following its stream (the time budget ran out): as interrupted by SIGINT. */
export const interruptedExitCode = 130;

/** docker/cli `CheckTty`: a TTY with stdin attached needs a terminal as input. */
export function checkTty(context: CommandContext, attachStdin: boolean, tty: boolean): void {
  if (tty && attachStdin && !context.tty) throw new CommandError("the input device is not a TTY");
}

/**
 * Prints a hijacked stream as it comes until it ends (the hijackedIOStreamer's output copy):
 * returns false when the time budget (`streamTimeoutMs`, virtual ms) ran out first.
 */
export function followStream(context: CommandContext, stream: EngineStream, tty: boolean, deadlineWallMs: number): boolean {
  const print = (): void => {
    for (const frame of stream.read()) {
      if (frame.stream === 2 && !tty && !stream.raw) context.output.err(frame.text);
      else context.output.out(frame.text);
    }
  };
  for (;;) {
    print();
    if (stream.ended) return true;
    const remainingMs = deadlineWallMs - context.nowWallMs();
    if (remainingMs <= 0) return false;
    stream.next(remainingMs);
  }
}

/** Waits for a streamed answer's end (the body of `wait`); false when the budget ran out. */
export function awaitAnswer(context: CommandContext, stream: EngineStream, deadlineWallMs: number): boolean {
  for (;;) {
    stream.read();
    if (stream.ended) return true;
    const remainingMs = deadlineWallMs - context.nowWallMs();
    if (remainingMs <= 0) return false;
    stream.next(remainingMs);
  }
}

/** The simulated wall time at which a command stops following its streams. */
export function streamDeadline(context: CommandContext): number {
  return context.nowWallMs() + (context.streamTimeoutMs ?? engineRequestTimeoutMs);
}

/** The exit status of a `wait` answer (the Go client's channels): its StatusCode, or its error. */
export function waitStatus(stream: EngineStream): { status: number; error: string | null } {
  const answer = stream.answer;
  if (answer === null) return { status: 125, error: stream.broken ? "unexpected EOF" : null };
  if (answer.statusCode >= 400) return { status: 125, error: (answer.body as { message?: string } | null)?.message ?? null };
  const body = answer.body as { StatusCode?: number; Error?: { Message?: string } | null } | null;
  if (body?.Error?.Message) return { status: 125, error: body.Error.Message };
  return { status: body?.StatusCode ?? 0, error: null };
}

/** How {@link attachStartAndWait} attaches and reports. */
export interface AttachStartOptions {
  /** Whether the container has a TTY (its output is raw, all to stdout). */
  readonly tty: boolean;
  /** Whether the daemon removes it when it exits (the wait is then for its removal). */
  readonly autoRemove: boolean;
  /** The attach query (`stream`, `stdin`, `stdout`, `stderr`). */
  readonly attach: { readonly stream: boolean; readonly stdin?: boolean; readonly stdout?: boolean; readonly stderr?: boolean };
  /** The error a failed start ends the command with. */
  readonly startError: (error: EngineApiError) => Error;
}

/**
 * docker/cli's attached start (`run` in the foreground, `start -a`): attach, start the wait for
 * the next exit (or the removal), start the container, print the output as it comes, then exit
 * with the container's status (125 when the wait failed).
 */
export function attachStartAndWait(context: CommandContext, id: string, options: AttachStartOptions): number {
  const deadline = streamDeadline(context);
  const attach = context.client.containerAttachStream(id, options.attach);
  let wait: EngineStream | null = null;
  try {
    wait = context.client.containerWaitStream(id, { condition: options.autoRemove ? "removed" : "next-exit" });
    try {
      context.client.containerStart(id);
    } catch (error) {
      if (!(error instanceof EngineApiError)) throw error;
      attach.close();
      // With AutoRemove the daemon removes the container that failed to start; the CLI waits for it.
      if (options.autoRemove) awaitAnswer(context, wait, deadline);
      throw options.startError(error);
    }
    if (!followStream(context, attach, options.tty, deadline)) return interruptedExitCode;
    if (!awaitAnswer(context, wait, deadline)) return interruptedExitCode;
    const { status } = waitStatus(wait);
    if (status !== 0) throw new CommandError("", status);
    return 0;
  } finally {
    attach.close();
    wait?.close();
  }
}

/** `docker exec [OPTIONS] CONTAINER COMMAND [ARG...]`. */
export const execCommand: DockerCommand = {
  definition: {
    path: "docker exec",
    usage: "docker exec [OPTIONS] CONTAINER COMMAND [ARG...]",
    description: "Execute a command in a running container",
    aliases: ["docker container exec", "docker exec"],
    arguments: { kind: "atLeast", count: 2 },
    interspersed: false,
    flags: [
      { name: "detach", shorthand: "d", kind: "bool", description: "Detached mode: run command in the background" },
      { name: "detach-keys", kind: "string", description: "Override the key sequence for detaching a container" },
      { name: "env", shorthand: "e", kind: "list", description: "Set environment variables" },
      { name: "env-file", kind: "list", description: "Read in a file of environment variables" },
      { name: "interactive", shorthand: "i", kind: "bool", description: "Keep STDIN open even if not attached" },
      { name: "privileged", kind: "bool", description: "Give extended privileges to the command" },
      { name: "tty", shorthand: "t", kind: "bool", description: "Allocate a pseudo-TTY" },
      { name: "user", shorthand: "u", kind: "string", description: 'Username or UID (format: "<name|uid>[:<group|gid>]")' },
      { name: "workdir", shorthand: "w", kind: "string", description: "Working directory inside the container" },
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const [container, ...command] = parsed.positionals as [string, ...string[]];
    const detach = parsed.bool("detach");
    const tty = parsed.bool("tty");
    const interactive = parsed.bool("interactive");
    // swarmsim's CLI has no files to read: an env file cannot be opened.
    const envFiles = parsed.list("env-file");
    if (envFiles.length > 0) throw new CommandError(`open ${envFiles[0]}: no such file or directory`);
    // The CLI's terminal size when -t (0x0 when output is not a terminal).
    const consoleSize = context.tty ? ([24, context.columns] as const) : ([0, 0] as const);
    // docker/cli `parseExec`: without -d, stdout and stderr are attached (and stdin with -i).
    const body: EngineJson = {
      User: parsed.string("user"),
      Privileged: parsed.bool("privileged"),
      Tty: tty,
      ...(tty ? { ConsoleSize: [...consoleSize] } : {}),
      AttachStdin: !detach && interactive,
      AttachStderr: !detach,
      AttachStdout: !detach,
      DetachKeys: parsed.string("detach-keys"),
      Env: [...parsed.list("env")],
      WorkingDir: parsed.string("workdir"),
      Cmd: command,
      Detach: detach,
    };
    // An inspect first, so that "no such container" wins over other errors (as the CLI does).
    context.client.containerInspect(container);
    if (!detach) checkTty(context, interactive, tty);
    const { Id: execId } = context.client.containerExec(container, body);
    if (detach) {
      context.client.execStart(execId, { Detach: true, Tty: tty, ...(tty ? { ConsoleSize: consoleSize } : {}) });
      return 0;
    }
    const stream = context.client.execStartStream(execId, { Tty: tty, ...(tty ? { ConsoleSize: consoleSize } : {}) });
    if (!followStream(context, stream, tty, streamDeadline(context))) {
      stream.close();
      return interruptedExitCode;
    }
    const exitCode = Number(context.client.execInspect(execId).ExitCode ?? 0);
    if (exitCode !== 0) throw new CommandError("", exitCode);
    return 0;
  },
};

/** docker/cli `inspectContainerAndCheckState`: the container must be running (not paused or restarting). */
function inspectRunning(context: CommandContext, container: string): EngineJson {
  const inspected = context.client.containerInspect(container);
  if (inspected.State?.Running !== true) throw new CommandError("You cannot attach to a stopped container, start it first");
  if (inspected.State?.Paused === true) throw new CommandError("You cannot attach to a paused container, unpause it first");
  if (inspected.State?.Restarting === true) throw new CommandError("You cannot attach to a restarting container, wait until it is running");
  return inspected;
}

/** `docker attach [OPTIONS] CONTAINER`. */
export const attachCommand: DockerCommand = {
  definition: {
    path: "docker attach",
    usage: "docker attach [OPTIONS] CONTAINER",
    description: "Attach local standard input, output, and error streams to a running container",
    aliases: ["docker container attach", "docker attach"],
    arguments: { kind: "exactly", count: 1 },
    flags: [
      { name: "detach-keys", kind: "string", description: "Override the key sequence for detaching a container" },
      { name: "no-stdin", kind: "bool", description: "Do not attach STDIN" },
      { name: "sig-proxy", kind: "bool", default: true, description: "Proxy all received signals to the process" },
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const container = parsed.positionals[0]!;
    const deadline = streamDeadline(context);
    // The wait starts first (its head is read at once); its error only matters after the inspect.
    let wait: EngineStream | null = null;
    try {
      wait = context.client.containerWaitStream(container);
    } catch (error) {
      if (!(error instanceof EngineApiError)) throw error;
    }
    try {
      const inspected = inspectRunning(context, container);
      const tty = inspected.Config?.Tty === true;
      checkTty(context, !parsed.bool("no-stdin"), tty);
      const detachKeys = parsed.string("detach-keys");
      const attach = context.client.containerAttachStream(container, {
        stream: true,
        ...(!parsed.bool("no-stdin") && inspected.Config?.OpenStdin === true ? { stdin: true } : {}),
        stdout: true,
        stderr: true,
        ...(detachKeys === "" ? {} : { detachKeys }),
      });
      try {
        // The container may have stopped since the first look: look again, so as not to block.
        inspectRunning(context, container);
        if (!followStream(context, attach, tty, deadline)) return interruptedExitCode;
      } finally {
        attach.close();
      }
      if (wait === null) return 0;
      if (!awaitAnswer(context, wait, deadline)) return interruptedExitCode;
      const { status, error } = waitStatus(wait);
      if (error !== null) throw new CommandError(error);
      if (status !== 0) throw new CommandError("", status);
      return 0;
    } finally {
      wait?.close();
    }
  },
};
