/**
 * `docker port CONTAINER [PRIVATE_PORT[/PROTO]]` as docker/cli 28.2.2 runs it
 * (`cli/command/container/port.go`): the container's published ports from its inspect
 * (`NetworkSettings.Ports`), each as `80/tcp -> 0.0.0.0:8080` (or only the host address for one
 * port asked for), in natural order.
 */
import type { ParsedCommandLine } from "../flags.js";
import { CommandError, sortNaturally, type CommandContext, type DockerCommand } from "./context.js";

/** Go's `net.JoinHostPort`: an IPv6 address in brackets. */
function joinHostPort(host: string, port: string): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The largest port number (`strconv.ParseUint(port, 10, 16)`). */
const portNumberMax = 65_535;

/** One host binding of a port, as inspect shows it. */
interface PortBinding {
  readonly HostIp: string;
  readonly HostPort: string;
}

/** `docker port CONTAINER [PRIVATE_PORT[/PROTO]]`. */
export const portCommand: DockerCommand = {
  definition: {
    path: "docker port",
    usage: "docker port CONTAINER [PRIVATE_PORT[/PROTO]]",
    description: "List port mappings or a specific mapping for the container",
    aliases: ["docker container port", "docker port"],
    arguments: { kind: "between", minimum: 1, maximum: 2 },
    flags: [],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const [container, asked] = parsed.positionals as [string, string | undefined];
    const inspected = context.client.containerInspect(container);
    const ports = (inspected.NetworkSettings?.Ports ?? {}) as Record<string, readonly PortBinding[] | null>;
    const lines: string[] = [];
    if (asked !== undefined) {
      const [port = "", protocol = "tcp"] = asked.split("/", 2);
      if (!/^\d+$/.test(port) || Number(port) > portNumberMax) {
        throw new CommandError(`Error: invalid port (${port}): strconv.ParseUint: parsing ${JSON.stringify(port)}: ${/^\d+$/.test(port) ? "value out of range" : "invalid syntax"}`);
      }
      const frontends = ports[`${port}/${protocol || "tcp"}`] ?? [];
      if (frontends.length === 0) throw new CommandError(`Error: No public port '${asked}' published for ${container}`);
      for (const frontend of frontends) lines.push(joinHostPort(frontend.HostIp, frontend.HostPort));
    } else {
      for (const [from, frontends] of Object.entries(ports)) {
        for (const frontend of frontends ?? []) lines.push(`${from} -> ${joinHostPort(frontend.HostIp, frontend.HostPort)}`);
      }
    }
    if (lines.length > 0) context.output.outLine(sortNaturally(lines, (line) => line).join("\n"));
    return 0;
  },
};
