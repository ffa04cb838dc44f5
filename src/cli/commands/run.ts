/**
 * `docker run` and `docker create` (docker/cli `container/run.go`, `create.go`): build the
 * create body from the flags, create the container (pulling a missing image first, with
 * `Unable to find image 'x:latest' locally` and the pull progress on stderr), then for `run`
 * start it and either print its ID (`-d`) or, in the foreground, attach to it first (a hijacked
 * stream), start the wait for its next exit (or its removal with `--rm`), start it, print its
 * output as it comes and exit with its exit code, as docker/cli's `runContainer` does. Errors of
 * `run` are decorated with `Run 'docker run --help'` (exit 125, or 126/127 for start failures of
 * the command), errors of `create` are not.
 */
import { EngineApiError } from "../../engine/client.js";
import { familiarString, withDefaultTag } from "../../engine/images/catalogue.js";
import type { ParsedCommandLine } from "../flags.js";
import { CommandError, errorText, isNotFound, type CommandContext, type DockerCommand } from "./context.js";
import { buildCreateRequest, containerFlags, type ContainerCreateRequest } from "./container-options.js";
import { parseImageReference, pullWithProgress } from "./pull.js";
import { attachStartAndWait, checkTty } from "./exec.js";

/** docker/cli `withHelp`: `docker: <message>\n\nRun 'docker <command> --help' for more information`. */
function withHelp(message: string, commandName: string): string {
  return `docker: ${message}\n\nRun 'docker ${commandName} --help' for more information`;
}

/** docker/cli `toStatusError`: 127 for a missing executable, 126 for permissions, else 125; with help. */
function toStatusError(error: unknown): CommandError {
  const message = errorText(error);
  let exitCode = 125;
  if (message.includes("executable file not found") || message.includes("no such file or directory") || message.includes("system cannot find the file specified")) {
    exitCode = 127;
  } else if (message.includes("permission denied") || message.includes("is a directory")) {
    exitCode = 126;
  }
  return new CommandError(withHelp(message, "run"), exitCode);
}

/** Checks `--pull`; throws docker's error decorated for `commandName`. */
function validatePullOption(value: string, commandName: string): void {
  if (["always", "missing", "never", ""].includes(value)) return;
  throw new CommandError(withHelp(`invalid pull option: '${value}': must be one of "always", "missing" or "never"`, commandName), 125);
}

/** Builds the create request, decorating option errors for `commandName` (exit 125). */
function createRequest(parsed: ParsedCommandLine, detached: boolean, commandName: string): ContainerCreateRequest {
  try {
    return buildCreateRequest(parsed, detached);
  } catch (error) {
    if (error instanceof CommandError) throw new CommandError(withHelp(error.message, commandName), 125);
    throw error;
  }
}

/**
 * docker/cli `createContainer`: creates the container, pulling the image first with
 * `--pull always` or when the engine does not have it. Returns the new container's ID.
 */
function createContainer(parsed: ParsedCommandLine, context: CommandContext, request: ContainerCreateRequest): string {
  const image = String(request.body.Image);
  // An image ID (ParseAnyReference's digest form) is used as is and never pulled.
  const reference = /^(sha256:)?[a-f0-9]{64}$/.test(image) ? null : withDefaultTag(parseImageReference(image));
  const pullMode = parsed.string("pull");
  const quiet = parsed.bool("quiet");
  const query = request.name !== "" ? { name: request.name } : undefined;
  if (pullMode === "always" && reference !== null) pullWithProgress(context, reference, "stderr", quiet);
  let response: { Id: string; Warnings: string[] | null };
  try {
    response = context.client.containerCreate(request.body, query);
  } catch (error) {
    // As docker does, any "not found" answer means the image is missing.
    if (!(isNotFound(error) && reference !== null && pullMode === "missing")) throw error;
    if (!quiet) context.output.errLine(`Unable to find image '${familiarString(reference)}' locally`);
    pullWithProgress(context, reference, "stderr", quiet);
    response = context.client.containerCreate(request.body, query);
  }
  for (const warning of response.Warnings ?? []) context.output.errLine(`WARNING: ${warning}`);
  return response.Id;
}

/** The flags of `docker run`: the container flags plus `--detach`, `--sig-proxy`, `--detach-keys`. */
const runFlags = [
  { name: "detach", shorthand: "d", kind: "bool", description: "Run container in background and print container ID" } as const,
  { name: "sig-proxy", kind: "bool", default: true, description: "Proxy received signals to the process" } as const,
  { name: "detach-keys", kind: "string", description: "Override the key sequence for detaching a container" } as const,
  ...containerFlags,
];

/** `docker run [OPTIONS] IMAGE [COMMAND] [ARG...]`. */
export const runCommand: DockerCommand = {
  definition: {
    path: "docker run",
    usage: "docker run [OPTIONS] IMAGE [COMMAND] [ARG...]",
    description: "Create and run a new container from an image",
    aliases: ["docker container run", "docker run"],
    arguments: { kind: "atLeast", count: 1 },
    interspersed: false,
    flags: runFlags,
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    validatePullOption(parsed.string("pull"), "run");
    const detached = parsed.bool("detach");
    const request = createRequest(parsed, detached, "run");
    const body = request.body;
    if (!detached) checkTty(context, body.AttachStdin === true, body.Tty === true);
    let id: string;
    try {
      id = createContainer(parsed, context, request);
    } catch (error) {
      if (error instanceof EngineApiError || error instanceof CommandError) throw toStatusError(error);
      throw error;
    }
    const attach = body.AttachStdin === true || body.AttachStdout === true || body.AttachStderr === true;
    if (!attach) {
      context.output.outLine(id);
      try {
        context.client.containerStart(id);
      } catch (error) {
        if (error instanceof EngineApiError) throw toStatusError(error);
        throw error;
      }
      return 0;
    }
    return attachStartAndWait(context, id, {
      tty: body.Tty === true,
      autoRemove: body.HostConfig.AutoRemove === true,
      attach: {
        stream: true,
        ...(body.AttachStdin === true ? { stdin: true } : {}),
        ...(body.AttachStdout === true ? { stdout: true } : {}),
        ...(body.AttachStderr === true ? { stderr: true } : {}),
      },
      startError: toStatusError,
    });
  },
};

/** `docker create [OPTIONS] IMAGE [COMMAND] [ARG...]`. */
export const createCommand: DockerCommand = {
  definition: {
    path: "docker create",
    usage: "docker create [OPTIONS] IMAGE [COMMAND] [ARG...]",
    description: "Create a new container",
    aliases: ["docker container create", "docker create"],
    arguments: { kind: "atLeast", count: 1 },
    interspersed: false,
    flags: containerFlags,
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    validatePullOption(parsed.string("pull"), "create");
    const request = createRequest(parsed, false, "create");
    context.output.outLine(createContainer(parsed, context, request));
    return 0;
  },
};
