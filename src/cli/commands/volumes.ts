/**
 * `docker volume ls|create|rm|inspect` (docker/cli `cli/command/volume`): DRIVER and VOLUME
 * NAME sorted naturally by name, the new volume's name, removed names with the errors joined
 * at the end, and inspect through the shared writer.
 */
import type { EngineJson } from "../../engine/client.js";
import type { ParsedCommandLine } from "../flags.js";
import { attempt, CommandError, sortNaturally, type CommandContext, type DockerCommand } from "./context.js";
import { inspectFormatHelp, writeInspect } from "./inspect.js";
import { filterFlag, formatHelp, parseFilterFlags, writeFormatted } from "./table-format.js";

const volumeHeaders: Readonly<Record<string, string>> = {
  Name: "VOLUME NAME",
  Driver: "DRIVER",
  Scope: "SCOPE",
  Mountpoint: "MOUNTPOINT",
  Labels: "LABELS",
  Links: "LINKS",
  Size: "SIZE",
  Group: "GROUP",
  Availability: "AVAILABILITY",
  Status: "STATUS",
};

/** The template fields of one volume row. */
function volumeFields(volume: EngineJson): Record<string, unknown> {
  const labels = (volume.Labels ?? {}) as Record<string, string>;
  return {
    Name: String(volume.Name ?? ""),
    Driver: String(volume.Driver ?? ""),
    Scope: String(volume.Scope ?? ""),
    Mountpoint: String(volume.Mountpoint ?? ""),
    Labels: Object.keys(labels)
      .map((key) => `${key}=${labels[key]}`)
      .join(","),
    Links: volume.UsageData ? String(volume.UsageData.RefCount) : "N/A",
    Size: "N/A",
    Group: "",
    Availability: "",
    Status: "",
  };
}

/** `docker volume ls`. */
export const volumeListCommand: DockerCommand = {
  definition: {
    path: "docker volume ls",
    usage: "docker volume ls [OPTIONS]",
    description: "List volumes",
    aliases: ["docker volume ls", "docker volume list"],
    arguments: { kind: "none" },
    flags: [
      { name: "quiet", shorthand: "q", kind: "bool", description: "Only display volume names" },
      { name: "format", kind: "string", description: formatHelp },
      filterFlag('Provide filter values (e.g. "dangling=true")'),
      { name: "cluster", kind: "bool", description: "Display only cluster volumes, and use cluster volume list formatting" },
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const filters = parseFilterFlags(parsed.list("filter"));
    const answer = context.client.volumeList(Object.keys(filters).length > 0 ? { filters } : undefined);
    const volumes = sortNaturally(answer.Volumes ?? [], (volume) => String(volume.Name));
    let format = parsed.string("format");
    if (format === "" || format === "table") format = parsed.bool("quiet") ? "{{.Name}}" : "table {{.Driver}}\t{{.Name}}";
    else if (parsed.bool("quiet")) format = "{{.Name}}";
    context.output.out(writeFormatted(format, volumeHeaders, volumes.map(volumeFields)));
    return 0;
  },
};

/** `docker volume create [-d DRIVER] [--label ...] [VOLUME]`. */
export const volumeCreateCommand: DockerCommand = {
  definition: {
    path: "docker volume create",
    usage: "docker volume create [OPTIONS] [VOLUME]",
    description: "Create a volume",
    arguments: { kind: "atMost", count: 1 },
    flags: [
      { name: "driver", shorthand: "d", kind: "string", default: "local", description: "Specify volume driver name" },
      { name: "name", kind: "string", description: "Specify volume name", hidden: true },
      { name: "opt", shorthand: "o", kind: "list", typeName: "map", defaultText: "map[]", description: "Set driver specific options" },
      { name: "label", kind: "list", description: "Set metadata for a volume" },
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    let name = parsed.string("name");
    if (parsed.positionals.length === 1) {
      if (name !== "") throw new CommandError("conflicting options: cannot specify a volume-name through both --name and as a positional arg");
      name = parsed.positionals[0]!;
    }
    const keyValues = (values: readonly string[]): Record<string, string> => {
      const map: Record<string, string> = {};
      for (const value of values) {
        const equals = value.indexOf("=");
        if (equals < 0) map[value] = "";
        else map[value.slice(0, equals)] = value.slice(equals + 1);
      }
      return map;
    };
    const volume = context.client.volumeCreate({
      Driver: parsed.string("driver"),
      DriverOpts: keyValues(parsed.list("opt")),
      Labels: keyValues(parsed.list("label")),
      Name: name,
    });
    context.output.outLine(String(volume.Name));
    return 0;
  },
};

/** `docker volume rm [-f] VOLUME...`. */
export const volumeRemoveCommand: DockerCommand = {
  definition: {
    path: "docker volume rm",
    usage: "docker volume rm [OPTIONS] VOLUME [VOLUME...]",
    description: "Remove one or more volumes",
    aliases: ["docker volume rm", "docker volume remove"],
    arguments: { kind: "atLeast", count: 1 },
    flags: [{ name: "force", shorthand: "f", kind: "bool", description: "Force the removal of one or more volumes" }],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const errors: string[] = [];
    for (const name of parsed.positionals) {
      const outcome = attempt(() => context.client.volumeDelete(name, parsed.bool("force") ? { force: true } : undefined));
      if (outcome.ok) context.output.outLine(name);
      else errors.push(outcome.text);
    }
    if (errors.length > 0) throw new CommandError(errors.join("\n"));
    return 0;
  },
};

/** `docker volume inspect [--format F] VOLUME...`. */
export const volumeInspectCommand: DockerCommand = {
  definition: {
    path: "docker volume inspect",
    usage: "docker volume inspect [OPTIONS] VOLUME [VOLUME...]",
    description: "Display detailed information on one or more volumes",
    arguments: { kind: "atLeast", count: 1 },
    flags: [{ name: "format", shorthand: "f", kind: "string", description: inspectFormatHelp }],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    return writeInspect(context.output, parsed.positionals, parsed.string("format"), (reference) => context.client.volumeInspect(reference));
  },
};
