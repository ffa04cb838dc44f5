// Test fixtures: a few docker 28.2.2 commands declared for the flag parser, with the flags,
// descriptions, usage lines and argument rules of docker/cli v28.2.2 (cli/command/container/list.go,
// cli/command/container/run.go + opts.go, cli/command/network/list.go, cli/flags/options.go).
import type { CommandDefinition } from "../../src/cli/flags.js";
import { parseMemoryBytes, parseNanoCpus } from "../../src/cli/units.js";

/** docker/cli `flagsHelper.FormatHelp`. */
export const formatHelp = `Format output using a custom template:
'table':            Print output in table format with column headers (default)
'table TEMPLATE':   Print output in table format using the given Go template
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`;

export const dockerPs: CommandDefinition = {
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
    { name: "filter", shorthand: "f", kind: "list", typeName: "filter", description: "Filter output based on conditions provided" },
  ],
};

export const dockerRun: CommandDefinition = {
  path: "docker run",
  usage: "docker run [OPTIONS] IMAGE [COMMAND] [ARG...]",
  description: "Create and run a new container from an image",
  aliases: ["docker container run", "docker run"],
  arguments: { kind: "atLeast", count: 1 },
  interspersed: false,
  flags: [
    { name: "detach", shorthand: "d", kind: "bool", description: "Run container in background and print container ID" },
    { name: "interactive", shorthand: "i", kind: "bool", description: "Keep STDIN open even if not attached" },
    { name: "tty", shorthand: "t", kind: "bool", description: "Allocate a pseudo-TTY" },
    { name: "rm", kind: "bool", description: "Automatically remove the container and its associated anonymous volumes when it exits" },
    { name: "name", kind: "string", description: "Assign a name to the container" },
    { name: "hostname", shorthand: "h", kind: "string", description: "Container host name" },
    { name: "env", shorthand: "e", kind: "list", description: "Set environment variables" },
    { name: "publish", shorthand: "p", kind: "list", description: "Publish a container's port(s) to the host" },
    {
      name: "memory",
      shorthand: "m",
      kind: "string",
      typeName: "bytes",
      description: "Memory limit",
      validate: (value) => {
        const parsed = parseMemoryBytes(value);
        return parsed.ok ? null : parsed.error;
      },
    },
    {
      name: "cpus",
      kind: "string",
      typeName: "decimal",
      description: "Number of CPUs",
      validate: (value) => {
        const parsed = parseNanoCpus(value);
        return parsed.ok ? null : parsed.error;
      },
    },
  ],
};

export const dockerExec: CommandDefinition = {
  path: "docker exec",
  usage: "docker exec [OPTIONS] CONTAINER COMMAND [ARG...]",
  description: "Execute a command in a running container",
  arguments: { kind: "atLeast", count: 2 },
  interspersed: false,
  flags: [
    { name: "detach", shorthand: "d", kind: "bool", description: "Detached mode: run command in the background" },
    { name: "interactive", shorthand: "i", kind: "bool", description: "Keep STDIN open even if not attached" },
    { name: "tty", shorthand: "t", kind: "bool", description: "Allocate a pseudo-TTY" },
  ],
};

export const dockerImages: CommandDefinition = {
  path: "docker images",
  usage: "docker images [OPTIONS] [REPOSITORY[:TAG]]",
  description: "List images",
  arguments: { kind: "atMost", count: 1 },
  flags: [{ name: "quiet", shorthand: "q", kind: "bool", description: "Only show image IDs" }],
};

export const dockerLogs: CommandDefinition = {
  path: "docker logs",
  usage: "docker logs [OPTIONS] CONTAINER",
  description: "Fetch the logs of a container",
  arguments: { kind: "exactly", count: 1 },
  flags: [{ name: "follow", shorthand: "f", kind: "bool", description: "Follow log output" }],
};

export const dockerNetworkLs: CommandDefinition = {
  path: "docker network ls",
  usage: "docker network ls [OPTIONS]",
  description: "List networks",
  aliases: ["docker network ls", "docker network list"],
  arguments: { kind: "none" },
  flags: [
    { name: "quiet", shorthand: "q", kind: "bool", description: "Only display network IDs" },
    { name: "no-trunc", kind: "bool", description: "Do not truncate the output" },
    { name: "format", kind: "string", description: formatHelp },
    { name: "filter", shorthand: "f", kind: "list", typeName: "filter", description: `Provide filter values (e.g. "driver=bridge")` },
  ],
};

export const dockerNetwork: CommandDefinition = {
  path: "docker network",
  usage: "docker network",
  description: "Manage networks",
  arguments: { kind: "none" },
  flags: [],
  subcommands: [
    { name: "connect", description: "Connect a container to a network" },
    { name: "create", description: "Create a network" },
    { name: "disconnect", description: "Disconnect a container from a network" },
    { name: "inspect", description: "Display detailed information on one or more networks" },
    { name: "ls", description: "List networks" },
    { name: "prune", description: "Remove all unused networks" },
    { name: "rm", description: "Remove one or more networks" },
  ],
};

export const dockerRoot: CommandDefinition = {
  path: "docker",
  usage: "docker [OPTIONS] COMMAND [ARG...]",
  description: "A self-sufficient runtime for containers",
  interspersed: false,
  flags: [
    { name: "debug", shorthand: "D", kind: "bool", description: "Enable debug mode" },
    { name: "host", shorthand: "H", kind: "list", description: "Daemon socket to connect to" },
  ],
};
