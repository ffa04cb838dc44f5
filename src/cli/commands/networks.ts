/**
 * `docker network ls|create|rm|inspect` (docker/cli `cli/command/network`): the table sorted
 * naturally by name with short IDs, the new network's ID, removed names (errors printed as
 * they happen and `exit status 1` at the end), and inspect through the shared writer.
 */
import type { EngineJson } from "../../engine/client.js";
import type { ParsedCommandLine } from "../flags.js";
import { shortId } from "../ids.js";
import { formatGoTime } from "../times.js";
import { attempt, CommandError, isNotFound, sortNaturally, type CommandContext, type DockerCommand } from "./context.js";
import { inspectFormatHelp, writeInspect } from "./inspect.js";
import { filterFlag, formatHelp, parseFilterFlags, writeFormatted } from "./table-format.js";

const networkHeaders: Readonly<Record<string, string>> = {
  ID: "NETWORK ID",
  Name: "NAME",
  Driver: "DRIVER",
  Scope: "SCOPE",
  IPv4: "IPV4",
  IPv6: "IPV6",
  Internal: "INTERNAL",
  Labels: "LABELS",
  CreatedAt: "CREATED AT",
};

/** The template fields of one network row. */
function networkFields(network: EngineJson, truncate: boolean): Record<string, unknown> {
  const labels = (network.Labels ?? {}) as Record<string, string>;
  const created = Date.parse(String(network.Created ?? ""));
  return {
    ID: truncate ? shortId(String(network.Id)) : String(network.Id),
    Name: String(network.Name ?? ""),
    Driver: String(network.Driver ?? ""),
    Scope: String(network.Scope ?? ""),
    IPv4: String(network.EnableIPv4 ?? true),
    IPv6: String(network.EnableIPv6 === true),
    Internal: String(network.Internal === true),
    Labels: Object.keys(labels)
      .map((key) => `${key}=${labels[key]}`)
      .join(","),
    CreatedAt: Number.isNaN(created) ? "" : formatGoTime(created),
  };
}

/** `docker network ls`. */
export const networkListCommand: DockerCommand = {
  definition: {
    path: "docker network ls",
    usage: "docker network ls [OPTIONS]",
    description: "List networks",
    aliases: ["docker network ls", "docker network list"],
    arguments: { kind: "none" },
    flags: [
      { name: "quiet", shorthand: "q", kind: "bool", description: "Only display network IDs" },
      { name: "no-trunc", kind: "bool", description: "Do not truncate the output" },
      { name: "format", kind: "string", description: formatHelp },
      filterFlag('Provide filter values (e.g. "driver=bridge")'),
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const filters = parseFilterFlags(parsed.list("filter"));
    const networks = sortNaturally(context.client.networkList(Object.keys(filters).length > 0 ? { filters } : undefined), (network) => String(network.Name));
    let format = parsed.string("format");
    if (format === "" || format === "table") format = parsed.bool("quiet") ? "{{.ID}}" : "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}";
    else if (parsed.bool("quiet")) format = "{{.ID}}";
    const truncate = !parsed.bool("no-trunc");
    context.output.out(writeFormatted(format, networkHeaders, networks.map((network) => networkFields(network, truncate))));
    return 0;
  },
};

/** `docker network create [-d DRIVER] [--label ...] NETWORK`. */
export const networkCreateCommand: DockerCommand = {
  definition: {
    path: "docker network create",
    usage: "docker network create [OPTIONS] NETWORK",
    description: "Create a network",
    arguments: { kind: "exactly", count: 1 },
    flags: [
      { name: "driver", shorthand: "d", kind: "string", default: "bridge", description: "Driver to manage the Network" },
      { name: "opt", shorthand: "o", kind: "list", typeName: "map", defaultText: "map[]", description: "Set driver specific options" },
      { name: "label", kind: "list", description: "Set metadata on a network" },
      { name: "internal", kind: "bool", description: "Restrict external access to the network" },
      { name: "ipv4", kind: "bool", default: true, description: "Enable or disable IPv4 address assignment" },
      { name: "ipv6", kind: "bool", description: "Enable or disable IPv6 address assignment" },
      { name: "attachable", kind: "bool", description: "Enable manual container attachment" },
      { name: "ingress", kind: "bool", description: "Create swarm routing-mesh network" },
      { name: "scope", kind: "string", description: "Control the network's scope" },
      { name: "subnet", kind: "stringArray", typeName: "strings", description: "Subnet in CIDR format that represents a network segment" },
      { name: "gateway", kind: "stringArray", typeName: "strings", description: "IPv4 or IPv6 Gateway for the master subnet" },
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const keyValues = (values: readonly string[]): Record<string, string> => {
      const map: Record<string, string> = {};
      for (const value of values) {
        const equals = value.indexOf("=");
        if (equals < 0) map[value] = "";
        else map[value.slice(0, equals)] = value.slice(equals + 1);
      }
      return map;
    };
    const subnets = parsed.list("subnet").flatMap((value) => value.split(","));
    const gateways = parsed.list("gateway").flatMap((value) => value.split(","));
    if (subnets.length < gateways.length) throw new CommandError("every ip-range or gateway must have a corresponding subnet");
    const ipamConfig = subnets.map((subnet, index) => ({ Subnet: subnet, ...(gateways[index] !== undefined ? { Gateway: gateways[index] } : {}) }));
    const response = context.client.networkCreate({
      Name: parsed.positionals[0],
      Driver: parsed.string("driver"),
      Scope: parsed.string("scope"),
      ...(parsed.changed("ipv4") ? { EnableIPv4: parsed.bool("ipv4") } : {}),
      ...(parsed.changed("ipv6") ? { EnableIPv6: parsed.bool("ipv6") } : {}),
      IPAM: { Driver: "default", Config: ipamConfig, Options: {} },
      Internal: parsed.bool("internal"),
      Attachable: parsed.bool("attachable"),
      Ingress: parsed.bool("ingress"),
      ConfigOnly: false,
      Options: keyValues(parsed.list("opt")),
      Labels: keyValues(parsed.list("label")),
    });
    context.output.outLine(response.Id);
    return 0;
  },
};

/** `docker network rm [-f] NETWORK...`. */
export const networkRemoveCommand: DockerCommand = {
  definition: {
    path: "docker network rm",
    usage: "docker network rm NETWORK [NETWORK...]",
    description: "Remove one or more networks",
    aliases: ["docker network rm", "docker network remove"],
    arguments: { kind: "atLeast", count: 1 },
    flags: [{ name: "force", shorthand: "f", kind: "bool", description: "Do not error if the network does not exist" }],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    let failed = false;
    for (const name of parsed.positionals) {
      const outcome = attempt(() => context.client.networkDelete(name));
      if (outcome.ok) {
        context.output.outLine(name);
        continue;
      }
      if (parsed.bool("force") && isNotFound(outcome.error)) continue;
      context.output.errLine(outcome.text);
      failed = true;
    }
    if (failed) throw new CommandError("exit status 1");
    return 0;
  },
};

/** `docker network inspect [--format F] NETWORK...`. */
export const networkInspectCommand: DockerCommand = {
  definition: {
    path: "docker network inspect",
    usage: "docker network inspect [OPTIONS] NETWORK [NETWORK...]",
    description: "Display detailed information on one or more networks",
    arguments: { kind: "atLeast", count: 1 },
    flags: [
      { name: "format", shorthand: "f", kind: "string", description: inspectFormatHelp },
      { name: "verbose", shorthand: "v", kind: "bool", description: "Verbose output for diagnostics" },
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    return writeInspect(context.output, parsed.positionals, parsed.string("format"), (reference) => context.client.networkInspect(reference));
  },
};
