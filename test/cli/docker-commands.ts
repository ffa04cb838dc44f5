// Test fixtures for the flag parser: the real command definitions of swarmsim's docker CLI
// (so the parser's golden tests check them against docker/cli v28.2.2's help and errors), plus a
// few commands swarmsim does not implement (exec, network, the root), declared from docker/cli
// v28.2.2 (cli/command/container/exec.go, cli/command/network/cmd.go, cli/flags/options.go).
import type { CommandDefinition } from "../../src/cli/flags.js";
import { logsCommand } from "../../src/cli/commands/container-lifecycle.js";
import { imagesCommand } from "../../src/cli/commands/images.js";
import { networkListCommand } from "../../src/cli/commands/networks.js";
import { psCommand } from "../../src/cli/commands/ps.js";
import { runCommand } from "../../src/cli/commands/run.js";

export const dockerPs: CommandDefinition = psCommand.definition;

export const dockerRun: CommandDefinition = runCommand.definition;

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

export const dockerImages: CommandDefinition = imagesCommand.definition;

export const dockerLogs: CommandDefinition = logsCommand.definition;

export const dockerNetworkLs: CommandDefinition = networkListCommand.definition;

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
