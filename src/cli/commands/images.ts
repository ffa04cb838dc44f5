/**
 * `docker images` / `docker image ls`, `docker rmi` / `docker image rm`, and
 * `docker image inspect` (docker/cli `image/list.go`, `image/remove.go`, `formatter/image.go`):
 * one row per repository and tag (`<none>` for dangling images), short IDs, CREATED as
 * "2 days ago", SIZE as go-units does; `Untagged:`/`Deleted:` lines for removals.
 */
import type { EngineJson } from "../../engine/client.js";
import { familiarName, parseReference } from "../../engine/images/catalogue.js";
import type { ParsedCommandLine } from "../flags.js";
import { truncateId } from "../ids.js";
import { formatGoTime } from "../times.js";
import { createdSince, humanSizeWithPrecision } from "../units.js";
import { attempt, CommandError, isNotFound, type CommandContext, type DockerCommand } from "./context.js";
import { inspectFormatHelp, writeInspect } from "./inspect.js";
import { filterFlag, formatHelp, parseFilterFlags, writeFormatted } from "./table-format.js";

/** One row of the image table: a repository, a tag and a digest of an image summary. */
interface ImageRow {
  readonly summary: EngineJson;
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
}

/** True for an image without tags and digests (docker's `isDangling`). */
function isDangling(summary: EngineJson): boolean {
  const tags: string[] = summary.RepoTags ?? [];
  const digests: string[] = summary.RepoDigests ?? [];
  if (tags.length === 0 && digests.length === 0) return true;
  return tags.length === 1 && tags[0] === "<none>:<none>" && digests.length === 1 && digests[0] === "<none>@<none>";
}

/** docker/cli `imageFormatTaggedAndDigest` (repositories in the order first seen). */
function imageRows(summary: EngineJson, showDigests: boolean): ImageRow[] {
  if (isDangling(summary)) return [{ summary, repository: "<none>", tag: "<none>", digest: "<none>" }];
  const repositoryTags = new Map<string, string[]>();
  const repositoryDigests = new Map<string, string[]>();
  for (const text of (summary.RepoTags ?? []) as string[]) {
    try {
      const reference = parseReference(text);
      if (reference.tag === null) continue;
      const name = familiarName(reference);
      repositoryTags.set(name, [...(repositoryTags.get(name) ?? []), reference.tag]);
    } catch {
      continue;
    }
  }
  for (const text of (summary.RepoDigests ?? []) as string[]) {
    try {
      const reference = parseReference(text);
      if (reference.digest === null) continue;
      const name = familiarName(reference);
      repositoryDigests.set(name, [...(repositoryDigests.get(name) ?? []), reference.digest]);
    } catch {
      continue;
    }
  }
  const rows: ImageRow[] = [];
  for (const [repository, tags] of repositoryTags) {
    const digests = showDigests ? (repositoryDigests.get(repository) ?? []) : [];
    repositoryDigests.delete(repository);
    for (const tag of tags) {
      if (digests.length === 0) rows.push({ summary, repository, tag, digest: "<none>" });
      else for (const digest of digests) rows.push({ summary, repository, tag, digest });
    }
  }
  for (const [repository, digests] of repositoryDigests) {
    if (showDigests) for (const digest of digests) rows.push({ summary, repository, tag: "<none>", digest });
    else rows.push({ summary, repository, tag: "<none>", digest: "" });
  }
  return rows;
}

/** The template fields of one image row. */
function imageFields(row: ImageRow, truncate: boolean, nowMs: number): Record<string, unknown> {
  const { summary } = row;
  const created = Number(summary.Created ?? 0);
  const id = String(summary.Id ?? "");
  const sharedSize = Number(summary.SharedSize ?? -1);
  const size = Number(summary.Size ?? 0);
  return {
    ID: truncate ? truncateId(id) : id,
    Repository: row.repository,
    Tag: row.tag,
    Digest: row.digest,
    CreatedSince: created === 0 ? "N/A" : createdSince(created * 1000, nowMs),
    CreatedAt: formatGoTime(created * 1000),
    Size: humanSizeWithPrecision(size, 3),
    Containers: Number(summary.Containers ?? -1) === -1 ? "N/A" : String(summary.Containers),
    VirtualSize: humanSizeWithPrecision(size, 3),
    SharedSize: sharedSize === -1 ? "N/A" : humanSizeWithPrecision(sharedSize, 3),
    UniqueSize: sharedSize === -1 ? "N/A" : humanSizeWithPrecision(size - sharedSize, 3),
  };
}

const imageHeaders: Readonly<Record<string, string>> = {
  ID: "IMAGE ID",
  Repository: "REPOSITORY",
  Tag: "TAG",
  Digest: "DIGEST",
  CreatedSince: "CREATED",
  CreatedAt: "CREATED AT",
  Size: "SIZE",
  Containers: "CONTAINERS",
  VirtualSize: "SIZE",
  SharedSize: "SHARED SIZE",
  UniqueSize: "UNIQUE SIZE",
};

/** Subcommands of `docker image`, for the "did you mean" hint of `docker images ls`. */
const imageSubcommandNames = new Set(["build", "history", "import", "inspect", "list", "load", "ls", "prune", "pull", "push", "rm", "save", "tag"]);

/** `docker images [OPTIONS] [REPOSITORY[:TAG]]`. */
export const imagesCommand: DockerCommand = {
  definition: {
    path: "docker images",
    usage: "docker images [OPTIONS] [REPOSITORY[:TAG]]",
    description: "List images",
    aliases: ["docker image ls", "docker image list", "docker images"],
    arguments: { kind: "atMost", count: 1 },
    flags: [
      { name: "quiet", shorthand: "q", kind: "bool", description: "Only show image IDs" },
      { name: "all", shorthand: "a", kind: "bool", description: "Show all images (default hides intermediate images)" },
      { name: "no-trunc", kind: "bool", description: "Don't truncate output" },
      { name: "digests", kind: "bool", description: "Show digests" },
      { name: "format", kind: "string", description: formatHelp },
      filterFlag("Filter output based on conditions provided"),
      { name: "tree", kind: "bool", description: "List multi-platform images as a tree (EXPERIMENTAL)" },
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const filters = parseFilterFlags(parsed.list("filter"));
    const matchName = parsed.positionals[0] ?? "";
    if (matchName !== "") (filters.reference ??= []).push(matchName);
    const images = context.client.imageList({
      ...(parsed.bool("all") ? { all: true } : {}),
      ...(Object.keys(filters).length > 0 ? { filters } : {}),
    });
    const showDigests = parsed.bool("digests");
    const quiet = parsed.bool("quiet");
    let format = parsed.string("format");
    if (format === "" || format === "table") {
      if (quiet) format = "{{.ID}}";
      else if (showDigests) format = "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
      else format = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
    } else if (quiet) format = "{{.ID}}";
    const truncate = !parsed.bool("no-trunc");
    const nowMs = context.nowWallMs();
    const rows = images.flatMap((summary) => imageRows(summary, showDigests || format.includes("{{.Digest}}"))).map((row) => imageFields(row, truncate, nowMs));
    context.output.out(writeFormatted(format, imageHeaders, rows));
    const calledAs = context.commandPath.split(" ").pop();
    if (matchName !== "" && images.length === 0 && calledAs === "images" && imageSubcommandNames.has(matchName)) {
      context.output.err(`\nNo images found matching "${matchName}": did you mean "docker image ${matchName}"?\n`);
    }
    return 0;
  },
};

/** `docker rmi [-f] [--no-prune] IMAGE...`. */
export const removeImageCommand: DockerCommand = {
  definition: {
    path: "docker rmi",
    usage: "docker rmi [OPTIONS] IMAGE [IMAGE...]",
    description: "Remove one or more images",
    aliases: ["docker image rm", "docker image remove", "docker rmi"],
    arguments: { kind: "atLeast", count: 1 },
    flags: [
      { name: "force", shorthand: "f", kind: "bool", description: "Force removal of the image" },
      { name: "no-prune", kind: "bool", description: "Do not delete untagged parents" },
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const force = parsed.bool("force");
    let fatal = false;
    const errors: string[] = [];
    for (const image of parsed.positionals) {
      const outcome = attempt(() => context.client.imageDelete(image, { ...(force ? { force: true } : {}), ...(parsed.bool("no-prune") ? { noprune: true } : {}) }));
      if (!outcome.ok) {
        if (!isNotFound(outcome.error)) fatal = true;
        errors.push(outcome.text);
        continue;
      }
      for (const item of outcome.value) {
        if (typeof item.Deleted === "string" && item.Deleted !== "") context.output.outLine(`Deleted: ${item.Deleted}`);
        else context.output.outLine(`Untagged: ${item.Untagged ?? ""}`);
      }
    }
    if (errors.length > 0) {
      if (!force || fatal) throw new CommandError(errors.join("\n"));
      context.output.errLine(errors.join("\n"));
    }
    return 0;
  },
};

/** `docker image inspect [--format F] IMAGE...`. */
export const imageInspectCommand: DockerCommand = {
  definition: {
    path: "docker image inspect",
    usage: "docker image inspect [OPTIONS] IMAGE [IMAGE...]",
    description: "Display detailed information on one or more images",
    arguments: { kind: "atLeast", count: 1 },
    flags: [{ name: "format", shorthand: "f", kind: "string", description: inspectFormatHelp }],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    return writeInspect(context.output, parsed.positionals, parsed.string("format"), (reference) => context.client.imageInspect(reference));
  },
};
