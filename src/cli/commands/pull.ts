/**
 * `docker pull` / `docker image pull` (docker/cli `image/pull.go`): normalizes the reference
 * (`Using default tag: latest`), asks the engine to pull it (`POST /images/create`), shows the
 * progress messages as jsonmessage does, then prints the canonical reference
 * (`docker.io/library/alpine:latest`). Also the pull `docker run`/`create` do for a missing
 * image, whose progress goes to stderr.
 */
import {
  canonicalString,
  currentLowercaseErrorMessage,
  InvalidReferenceError,
  parseReference,
  withDefaultTag,
  type ImageReference,
} from "../../engine/images/catalogue.js";
import type { ParsedCommandLine } from "../flags.js";
import { CommandError, type CommandContext, type DockerCommand } from "./context.js";
import { displayJsonMessages } from "./json-messages.js";

/**
 * Parses an image reference as distribution/reference v0.6 (vendored by the docker 28 CLI)
 * does; throws a {@link CommandError} with its message.
 */
export function parseImageReference(text: string): ImageReference {
  try {
    return parseReference(text);
  } catch (error) {
    if (error instanceof InvalidReferenceError) {
      throw new CommandError(error.remoteName !== null ? currentLowercaseErrorMessage(error.remoteName) : error.message);
    }
    throw error;
  }
}

/** The `fromImage` and `tag` query parameters the Go client sends for a reference. */
function pullQuery(reference: ImageReference): { fromImage: string; tag?: string } {
  const tagged = withDefaultTag(reference);
  const tag = tagged.digest ?? tagged.tag;
  return { fromImage: `${reference.domain}/${reference.path}`, ...(tag !== null ? { tag } : {}) };
}

/**
 * Pulls `reference` and writes the progress to stdout or stderr (a terminal when the
 * environment is one). Throws the daemon's error, or a {@link CommandError} with the message of
 * an error inside the progress stream.
 */
export function pullWithProgress(context: CommandContext, reference: ImageReference, stream: "stdout" | "stderr", quiet: boolean): void {
  const messages = context.client.imageCreate(pullQuery(reference));
  const display = displayJsonMessages(messages, { terminal: context.tty, columns: context.columns, nowWallMs: context.nowWallMs() });
  if (!quiet) {
    if (stream === "stdout") context.output.out(display.text);
    else context.output.err(display.text);
  }
  if (display.error !== null) throw new CommandError(display.error);
}

/** `docker pull [-a] [-q] NAME[:TAG|@DIGEST]`. */
export const pullCommand: DockerCommand = {
  definition: {
    path: "docker pull",
    usage: "docker pull [OPTIONS] NAME[:TAG|@DIGEST]",
    description: "Download an image from a registry",
    aliases: ["docker image pull", "docker pull"],
    arguments: { kind: "exactly", count: 1 },
    flags: [
      { name: "all-tags", shorthand: "a", kind: "bool", description: "Download all tagged images in the repository" },
      { name: "quiet", shorthand: "q", kind: "bool", description: "Suppress verbose output" },
      { name: "platform", kind: "string", description: "Set platform if server is multi-platform capable" },
      { name: "disable-content-trust", kind: "bool", default: true, description: "Skip image verification" },
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const quiet = parsed.bool("quiet");
    const allTags = parsed.bool("all-tags");
    let reference = parseImageReference(parsed.positionals[0]!);
    const nameOnly = reference.tag === null && reference.digest === null;
    if (allTags && !nameOnly) throw new CommandError("tag can't be used with --all-tags/-a");
    if (!allTags && nameOnly) {
      reference = withDefaultTag(reference);
      if (!quiet) context.output.outLine(`Using default tag: ${reference.tag}`);
    }
    pullWithProgress(context, reference, "stdout", quiet);
    context.output.outLine(canonicalString(reference));
    return 0;
  },
};
