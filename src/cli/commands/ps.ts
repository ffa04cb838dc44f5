/**
 * `docker ps` / `docker container ls`: the container table of docker/cli's
 * `formatter/container.go` (CONTAINER ID, IMAGE, COMMAND quoted and cut to 20 columns, CREATED,
 * STATUS, PORTS grouped as `DisplayablePorts` does, NAMES), `-q`, `--no-trunc`, `-n`, `-l`,
 * `-f`, `-s` and `--format` templates.
 */
import type { EngineJson } from "../../engine/client.js";
import { familiarString, parseReference } from "../../engine/images/catalogue.js";
import type { ParsedCommandLine } from "../flags.js";
import { goQuote } from "../go-quote.js";
import { shortId, truncateId } from "../ids.js";
import { ellipsis } from "../text-width.js";
import { formatGoTime } from "../times.js";
import { createdSince, humanSizeWithPrecision } from "../units.js";
import type { CommandContext, DockerCommand } from "./context.js";
import { filterFlag, formatHelp, parseFilterFlags, writeFormatted } from "./table-format.js";

/** One port of a ContainerSummary. */
interface SummaryPort {
  readonly IP?: string;
  readonly PrivatePort: number;
  readonly PublicPort?: number;
  readonly Type: string;
}

/** Go's `net.JoinHostPort`: brackets around hosts containing a colon. */
function joinHostPort(host: string, port: string): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** docker/cli `formGroup`. */
function formGroup(key: string, first: number, last: number): string {
  const parts = key.split("/");
  let groupType = parts[0]!;
  let address = "";
  if (parts.length > 1) {
    address = parts[0]!;
    groupType = parts[1]!;
  }
  let group = String(first);
  if (first !== last) group = `${group}-${last}`;
  if (address !== "") group = `${joinHostPort(address, group)}->${group}`;
  return `${group}/${groupType}`;
}

/** docker/cli `DisplayablePorts`: `0.0.0.0:8080->80/tcp, [::]:8080->80/tcp`, `80/tcp`, ranges `8000-8002/tcp`. */
export function displayablePorts(ports: readonly SummaryPort[]): string {
  const sorted = ports.slice().sort((left, right) => {
    if (left.PrivatePort !== right.PrivatePort) return left.PrivatePort - right.PrivatePort;
    const leftAddress = left.IP ?? "";
    const rightAddress = right.IP ?? "";
    if (leftAddress !== rightAddress) return leftAddress < rightAddress ? -1 : 1;
    const leftPublic = left.PublicPort ?? 0;
    const rightPublic = right.PublicPort ?? 0;
    if (leftPublic !== rightPublic) return leftPublic - rightPublic;
    return left.Type < right.Type ? -1 : left.Type > right.Type ? 1 : 0;
  });
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  for (const port of sorted) {
    const current = port.PrivatePort;
    let key = port.Type;
    const address = port.IP ?? "";
    if (address !== "") {
      const publicPort = port.PublicPort ?? 0;
      if (publicPort !== current) {
        hostMappings.push(`${joinHostPort(address, String(publicPort))}->${port.PrivatePort}/${port.Type}`);
        continue;
      }
      key = `${address}/${port.Type}`;
    }
    const group = groups.get(key);
    if (group === undefined) {
      groups.set(key, { first: current, last: current });
      continue;
    }
    if (current === group.last + 1) {
      group.last = current;
      continue;
    }
    result.push(formGroup(key, group.first, group.last));
    // Re-inserting keeps Go's key order: the key was recorded when first created.
    groups.set(key, { first: current, last: current });
  }
  for (const [key, group] of groups) result.push(formGroup(key, group.first, group.last));
  result.push(...hostMappings);
  return result.join(", ");
}

/** The IMAGE column: a short ID when the container was made from an ID, else the familiar reference without digest. */
function imageColumn(summary: EngineJson, truncate: boolean): string {
  const image = String(summary.Image ?? "");
  if (image === "") return "<no image>";
  if (!truncate) return image;
  const imageId = String(summary.ImageID ?? "");
  if (truncateId(imageId) === truncateId(image)) return truncateId(imageId);
  try {
    const reference = parseReference(image);
    return familiarString({ ...reference, digest: null });
  } catch {
    return image;
  }
}

/** The NAMES column: names without their slash; truncated output keeps the first name without a link path. */
function namesColumn(summary: EngineJson, truncate: boolean): string {
  let names = ((summary.Names ?? []) as string[]).map((name) => name.slice(1));
  if (truncate) {
    const plain = names.find((name) => name.split("/").length === 1);
    if (plain !== undefined) names = [plain];
  }
  return names.join(",");
}

/** The fields of one `docker ps` row, by template field name. */
function containerFields(summary: EngineJson, truncate: boolean, nowMs: number): Record<string, unknown> {
  const command = String(summary.Command ?? "");
  const created = Number(summary.Created ?? 0) * 1000;
  const labels = (summary.Labels ?? {}) as Record<string, string>;
  const sizeRw = Number(summary.SizeRw ?? 0);
  const sizeRootFs = Number(summary.SizeRootFs ?? 0);
  const size = sizeRootFs > 0 ? `${humanSizeWithPrecision(sizeRw, 3)} (virtual ${humanSizeWithPrecision(sizeRootFs, 3)})` : humanSizeWithPrecision(sizeRw, 3);
  const mounts = ((summary.Mounts ?? []) as EngineJson[]).map((mount) => {
    const name = mount.Name ? String(mount.Name) : String(mount.Source ?? "");
    return truncate ? ellipsis(name, 15) : name;
  });
  return {
    ID: truncate ? shortId(String(summary.Id)) : String(summary.Id),
    Names: namesColumn(summary, truncate),
    Image: imageColumn(summary, truncate),
    Command: goQuote(truncate ? ellipsis(command, 20) : command),
    CreatedAt: formatGoTime(created),
    RunningFor: createdSince(created, nowMs),
    Ports: displayablePorts((summary.Ports ?? []) as SummaryPort[]),
    State: String(summary.State ?? ""),
    Status: String(summary.Status ?? ""),
    Size: size,
    Labels: Object.keys(labels)
      .map((key) => `${key}=${labels[key]}`)
      .sort()
      .join(","),
    Mounts: mounts.join(","),
    LocalVolumes: String(((summary.Mounts ?? []) as EngineJson[]).filter((mount) => mount.Driver === "local").length),
    Networks: Object.keys(summary.NetworkSettings?.Networks ?? {}).join(","),
    Platform: "",
  };
}

/** The headers of `docker ps` table columns. */
const containerHeaders: Readonly<Record<string, string>> = {
  ID: "CONTAINER ID",
  Names: "NAMES",
  Image: "IMAGE",
  Command: "COMMAND",
  CreatedAt: "CREATED AT",
  RunningFor: "CREATED",
  Ports: "PORTS",
  State: "STATE",
  Status: "STATUS",
  Size: "SIZE",
  Labels: "LABELS",
  Mounts: "MOUNTS",
  LocalVolumes: "LOCAL VOLUMES",
  Networks: "NETWORKS",
  Platform: "PLATFORM",
};

const defaultTableFormat = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";

/** `docker ps [OPTIONS]`. */
export const psCommand: DockerCommand = {
  definition: {
    path: "docker ps",
    usage: "docker ps [OPTIONS]",
    description: "List containers",
    aliases: ["docker container ls", "docker container list", "docker container ps", "docker ps"],
    arguments: { kind: "none" },
    flags: [
      { name: "quiet", shorthand: "q", kind: "bool", description: "Only display container IDs" },
      { name: "size", shorthand: "s", kind: "bool", description: "Display total file sizes" },
      { name: "all", shorthand: "a", kind: "bool", description: "Show all containers (default shows just running)" },
      { name: "no-trunc", kind: "bool", description: "Don't truncate output" },
      { name: "latest", shorthand: "l", kind: "bool", description: "Show the latest created container (includes all states)" },
      { name: "last", shorthand: "n", kind: "int", default: -1, description: "Show n last created containers (includes all states)" },
      { name: "format", kind: "string", description: formatHelp },
      filterFlag("Filter output based on conditions provided"),
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const quiet = parsed.bool("quiet");
    let format = parsed.string("format");
    if (format !== "" && quiet) context.output.err("WARNING: Ignoring custom format, because both --format and --quiet are set.\n");
    let limit = parsed.int("last");
    if (parsed.bool("latest") && limit === -1) limit = 1;
    const filters = parseFilterFlags(parsed.list("filter"));
    let size = parsed.bool("size");
    if (format !== "" && !quiet && !size && !parsed.changed("size") && format.includes(".Size")) size = true;
    // The daemon lists every state when a limit is given (moby's `foldFilter`); asking for all
    // explicitly gives the same answer from any engine.
    const containers = context.client.containerList({
      ...(parsed.bool("all") || limit > 0 ? { all: true } : {}),
      ...(limit > 0 ? { limit } : {}),
      ...(size ? { size: true } : {}),
      ...(Object.keys(filters).length > 0 ? { filters } : {}),
    } as Parameters<typeof context.client.containerList>[0]);
    if (format === "" || format === "table") format = quiet ? "{{.ID}}" : size ? `${defaultTableFormat}\t{{.Size}}` : defaultTableFormat;
    else if (quiet) format = "{{.ID}}";
    const truncate = !parsed.bool("no-trunc");
    const nowMs = context.nowWallMs();
    const rows = containers.map((summary) => containerFields(summary, truncate, nowMs));
    context.output.out(writeFormatted(format, containerHeaders, rows));
    return 0;
  },
};
