/**
 * `docker start`, `stop`, `kill`, `restart` and `rm` of one or more containers, as docker/cli
 * 28.2.2 runs them: each container in argument order, its name (as given) printed on success,
 * daemon errors collected and printed joined at the end, exit 1. `start` prints each error as
 * it happens, then `Error: failed to start containers: a, b`. `rm -f` of a missing container
 * prints the error but does not fail. (Docker runs stop/kill/rm in parallel; here they run one
 * after another, so stopping several slow containers takes the sum of their grace periods.)
 */
import type { ParsedCommandLine } from "../flags.js";
import { attempt, CommandError, isNotFound, type CommandContext, type DockerCommand } from "./context.js";
import { attachStartAndWait } from "./exec.js";

/** Runs `operation` for every container; prints successes, returns the error texts in order. */
function forEachContainer(context: CommandContext, containers: readonly string[], operation: (container: string) => void): string[] {
  const errors: string[] = [];
  for (const container of containers) {
    const outcome = attempt(() => operation(container));
    if (outcome.ok) context.output.outLine(container);
    else errors.push(outcome.text);
  }
  return errors;
}

/** Ends the command with Go's `errors.Join` of the collected errors, if any. */
function finish(errors: readonly string[]): number {
  if (errors.length > 0) throw new CommandError(errors.join("\n"));
  return 0;
}

/** The stop timeout given with `-t`/`--timeout`/`--time`, or undefined for the container's own. */
function stopTimeout(parsed: ParsedCommandLine): number | undefined {
  if (parsed.changed("time") && parsed.changed("timeout")) throw new CommandError("conflicting options: cannot specify both --timeout and --time");
  return parsed.changed("timeout") || parsed.changed("time") ? parsed.int("timeout") || parsed.int("time") : undefined;
}

/** The stop flags shared by `stop` and `restart`. */
const stopFlags = [
  { name: "signal", shorthand: "s", kind: "string", description: "Signal to send to the container" },
  { name: "timeout", shorthand: "t", kind: "int", description: "Seconds to wait before killing the container" },
  { name: "time", kind: "int", description: "Seconds to wait before killing the container (deprecated: use --timeout)", hidden: true },
] as const;

/** `docker start CONTAINER...`. */
export const startCommand: DockerCommand = {
  definition: {
    path: "docker start",
    usage: "docker start [OPTIONS] CONTAINER [CONTAINER...]",
    description: "Start one or more stopped containers",
    aliases: ["docker container start", "docker start"],
    arguments: { kind: "atLeast", count: 1 },
    flags: [
      { name: "attach", shorthand: "a", kind: "bool", description: "Attach STDOUT/STDERR and forward signals" },
      { name: "interactive", shorthand: "i", kind: "bool", description: "Attach container's STDIN" },
      { name: "detach-keys", kind: "string", description: "Override the key sequence for detaching a container" },
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const containers = parsed.positionals;
    if (parsed.bool("attach") || parsed.bool("interactive")) {
      if (containers.length > 1) throw new CommandError("you cannot start and attach multiple containers at once");
      // Attached start (docker/cli start.go): attach, wait, start, then the output as it comes.
      const inspected = context.client.containerInspect(containers[0]!);
      return attachStartAndWait(context, String(inspected.Id), {
        tty: inspected.Config?.Tty === true,
        autoRemove: inspected.HostConfig?.AutoRemove === true,
        attach: { stream: true, ...(parsed.bool("interactive") && inspected.Config?.OpenStdin === true ? { stdin: true } : {}), stdout: true, stderr: true },
        startError: (error) => error,
      });
    }
    const failed: string[] = [];
    for (const container of containers) {
      const outcome = attempt(() => context.client.containerStart(container));
      if (outcome.ok) {
        context.output.outLine(container);
        continue;
      }
      context.output.errLine(outcome.text);
      failed.push(container);
    }
    if (failed.length > 0) throw new CommandError(`Error: failed to start containers: ${failed.join(", ")}`);
    return 0;
  },
};

/** The query of `stop` and `restart`: the grace period and the stop signal, when given. */
function stopQuery(parsed: ParsedCommandLine): { t?: number; signal?: string } {
  const timeout = stopTimeout(parsed);
  const signal = parsed.string("signal");
  return { ...(timeout !== undefined ? { t: timeout } : {}), ...(signal !== "" ? { signal } : {}) };
}

/** `docker stop [-t N] [-s SIGNAL] CONTAINER...`. */
export const stopCommand: DockerCommand = {
  definition: {
    path: "docker stop",
    usage: "docker stop [OPTIONS] CONTAINER [CONTAINER...]",
    description: "Stop one or more running containers",
    aliases: ["docker container stop", "docker stop"],
    arguments: { kind: "atLeast", count: 1 },
    flags: [...stopFlags],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const query = stopQuery(parsed);
    return finish(forEachContainer(context, parsed.positionals, (container) => context.client.containerStop(container, query)));
  },
};

/** `docker kill [-s SIGNAL] CONTAINER...`. */
export const killCommand: DockerCommand = {
  definition: {
    path: "docker kill",
    usage: "docker kill [OPTIONS] CONTAINER [CONTAINER...]",
    description: "Kill one or more running containers",
    aliases: ["docker container kill", "docker kill"],
    arguments: { kind: "atLeast", count: 1 },
    flags: [{ name: "signal", shorthand: "s", kind: "string", description: "Signal to send to the container" }],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const signal = parsed.string("signal");
    return finish(forEachContainer(context, parsed.positionals, (container) => context.client.containerKill(container, signal !== "" ? { signal } : {})));
  },
};

/** `docker restart [-t N] CONTAINER...`. */
export const restartCommand: DockerCommand = {
  definition: {
    path: "docker restart",
    usage: "docker restart [OPTIONS] CONTAINER [CONTAINER...]",
    description: "Restart one or more containers",
    aliases: ["docker container restart", "docker restart"],
    arguments: { kind: "atLeast", count: 1 },
    flags: [...stopFlags],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const query = stopQuery(parsed);
    return finish(forEachContainer(context, parsed.positionals, (container) => context.client.containerRestart(container, query)));
  },
};

/** `docker rm [-f] [-v] CONTAINER...`. */
export const removeCommand: DockerCommand = {
  definition: {
    path: "docker rm",
    usage: "docker rm [OPTIONS] CONTAINER [CONTAINER...]",
    description: "Remove one or more containers",
    aliases: ["docker container rm", "docker container remove", "docker rm"],
    arguments: { kind: "atLeast", count: 1 },
    flags: [
      { name: "force", shorthand: "f", kind: "bool", description: "Force the removal of a running container (uses SIGKILL)" },
      { name: "link", shorthand: "l", kind: "bool", description: "Remove the specified link" },
      { name: "volumes", shorthand: "v", kind: "bool", description: "Remove anonymous volumes associated with the container" },
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const force = parsed.bool("force");
    const errors: string[] = [];
    for (const container of parsed.positionals) {
      const outcome = attempt(() => {
        const trimmed = container.replace(/^\/+|\/+$/g, "");
        if (trimmed === "") throw new CommandError("container name cannot be empty");
        context.client.containerDelete(trimmed, { ...(force ? { force: true } : {}), ...(parsed.bool("volumes") ? { v: true } : {}) });
      });
      if (outcome.ok) {
        context.output.outLine(container);
        continue;
      }
      if (force && isNotFound(outcome.error)) {
        context.output.errLine(outcome.text);
        continue;
      }
      errors.push(outcome.text);
    }
    return finish(errors);
  },
};

/** `docker logs [-t] [-n N] CONTAINER`: stdout frames to stdout, stderr frames to stderr (both to stdout for a TTY container). */
export const logsCommand: DockerCommand = {
  definition: {
    path: "docker logs",
    usage: "docker logs [OPTIONS] CONTAINER",
    description: "Fetch the logs of a container",
    aliases: ["docker container logs", "docker logs"],
    arguments: { kind: "exactly", count: 1 },
    flags: [
      { name: "follow", shorthand: "f", kind: "bool", description: "Follow log output" },
      { name: "since", kind: "string", description: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
      { name: "until", kind: "string", description: 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
      { name: "timestamps", shorthand: "t", kind: "bool", description: "Show timestamps" },
      { name: "details", kind: "bool", description: "Show extra details provided to logs" },
      { name: "tail", shorthand: "n", kind: "string", default: "all", description: "Number of lines to show from the end of the logs" },
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const inspected = context.client.containerInspect(parsed.positionals[0]!);
    const frames = context.client.containerLogs(String(inspected.Id), {
      stdout: true,
      stderr: true,
      ...(parsed.bool("timestamps") ? { timestamps: true } : {}),
      tail: parsed.string("tail"),
    });
    const tty = inspected.Config?.Tty === true;
    for (const frame of frames) {
      if (frame.stream === 2 && !tty) context.output.err(frame.text);
      else context.output.out(frame.text);
    }
    return 0;
  },
};
