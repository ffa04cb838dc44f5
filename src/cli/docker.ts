/**
 * The docker CLI of a simulated host: `runDocker("docker run -d nginx", environment)` splits
 * the line as a shell would, parses the global flags and the command path as docker 28.2.2's
 * cobra tree does (`docker ps`, `docker container ls`, `docker network rm`, ...), runs the
 * command against the host's Engine API and returns what docker would have printed, and its
 * exit code. Usage mistakes give docker's usage errors; daemon errors give
 * `Error response from daemon: ...` and exit 1.
 */
import { EngineApiError, type EngineClient } from "../engine/client.js";
import { parseCommandLine, type CommandDefinition } from "./flags.js";
import { helpOutput, renderHelp } from "./help.js";
import { usageErrorOutput, unknownCommandOutput, type CommandOutput } from "./usage-errors.js";
import { CommandLineError, splitCommandLine } from "./words.js";
import { atPath, CommandError, daemonErrorText, OutputStreams, type CommandContext, type DockerCommand } from "./commands/context.js";
import { killCommand, logsCommand, removeCommand, restartCommand, startCommand, stopCommand } from "./commands/container-lifecycle.js";
import { imageInspectCommand, imagesCommand, removeImageCommand } from "./commands/images.js";
import { containerInspectCommand, inspectCommand } from "./commands/inspect.js";
import { networkCreateCommand, networkInspectCommand, networkListCommand, networkRemoveCommand } from "./commands/networks.js";
import { psCommand } from "./commands/ps.js";
import { pullCommand } from "./commands/pull.js";
import { createCommand, runCommand } from "./commands/run.js";
import { attachCommand, execCommand } from "./commands/exec.js";
import { eventsCommand } from "./commands/events.js";
import { portCommand } from "./commands/port.js";
import { clientFacts, infoCommand, versionCommand } from "./commands/system.js";
import {
  nodeDemoteCommand,
  nodeInspectCommand,
  nodeListCommand,
  nodePromoteCommand,
  nodeRemoveCommand,
  nodeTasksCommand,
  nodeUpdateCommand,
} from "./commands/node.js";
import {
  serviceCreateCommand,
  serviceInspectCommand,
  serviceListCommand,
  serviceLogsCommand,
  serviceRemoveCommand,
  serviceRollbackCommand,
  serviceScaleCommand,
  serviceTasksCommand,
  serviceUpdateCommand,
} from "./commands/service.js";
import {
  swarmInitCommand,
  swarmJoinCommand,
  swarmJoinTokenCommand,
  swarmLeaveCommand,
  swarmUnlockCommand,
  swarmUnlockKeyCommand,
  swarmUpdateCommand,
} from "./commands/swarm.js";
import { volumeCreateCommand, volumeInspectCommand, volumeListCommand, volumeRemoveCommand } from "./commands/volumes.js";

/** What the docker CLI of one host needs from the simulation. */
export interface DockerCliEnvironment {
  /** The host's Engine API. */
  readonly client: EngineClient;
  /** Whether the output is a terminal (pull progress is then redrawn in place). */
  readonly tty: boolean;
  /** The terminal width in columns. */
  readonly columns: number;
  /** The current wall-clock time of the simulation (ms since the epoch), for "2 minutes ago". */
  readonly nowWallMs: () => number;
  /**
   * Lets `durationMs` of simulated time pass, as the CLI sleeps between polls (absent: the clock
   * moves only as requests are answered).
   */
  readonly sleep?: (durationMs: number) => void;
  /** What the command reads on its standard input (`docker swarm unlock` reads the key); absent: nothing (EOF). */
  readonly stdin?: string;
  /**
   * The longest a command follows a stream (foreground `run`, `attach`, `exec`), virtual ms
   * (absent: the engine request bound, a day); past it the command stops as if interrupted (exit 130).
   */
  readonly streamTimeoutMs?: number;
}

/** A command group (`docker network`): its definition and its subcommands by every name they answer to. */
interface CommandGroup {
  readonly definition: CommandDefinition;
  readonly subcommands: ReadonlyMap<string, DockerCommand>;
}

/** Builds a group: each entry is [canonical name, aliases, command, description]. */
function group(name: string, description: string, entries: readonly (readonly [string, readonly string[], DockerCommand])[]): CommandGroup {
  const path = `docker ${name}`;
  const subcommands = new Map<string, DockerCommand>();
  for (const [subcommandName, aliases, command] of entries) {
    const placed = atPath(command, `${path} ${subcommandName}`);
    subcommands.set(subcommandName, placed);
    for (const alias of aliases) subcommands.set(alias, placed);
  }
  const summaries = entries
    .map(([subcommandName, , command]) => ({ name: subcommandName, description: command.definition.description }))
    .sort((left, right) => (left.name < right.name ? -1 : 1));
  return {
    definition: { path, usage: `${path} COMMAND`, description, arguments: { kind: "none" }, flags: [], subcommands: summaries },
    subcommands,
  };
}

/** The command groups of the docker CLI that swarmsim implements. */
const groups: ReadonlyMap<string, CommandGroup> = new Map([
  [
    "container",
    group("container", "Manage containers", [
      ["attach", [], attachCommand],
      ["create", [], createCommand],
      ["exec", [], execCommand],
      ["inspect", [], containerInspectCommand],
      ["kill", [], killCommand],
      ["logs", [], logsCommand],
      ["ls", ["list", "ps"], psCommand],
      ["port", [], portCommand],
      ["restart", [], restartCommand],
      ["rm", ["remove"], removeCommand],
      ["run", [], runCommand],
      ["start", [], startCommand],
      ["stop", [], stopCommand],
    ]),
  ],
  [
    "image",
    group("image", "Manage images", [
      ["inspect", [], imageInspectCommand],
      ["ls", ["list"], imagesCommand],
      ["pull", [], pullCommand],
      ["rm", ["remove", "rmi"], removeImageCommand],
    ]),
  ],
  [
    "network",
    group("network", "Manage networks", [
      ["create", [], networkCreateCommand],
      ["inspect", [], networkInspectCommand],
      ["ls", ["list"], networkListCommand],
      ["rm", ["remove"], networkRemoveCommand],
    ]),
  ],
  [
    "volume",
    group("volume", "Manage volumes", [
      ["create", [], volumeCreateCommand],
      ["inspect", [], volumeInspectCommand],
      ["ls", ["list"], volumeListCommand],
      ["rm", ["remove"], volumeRemoveCommand],
    ]),
  ],
  [
    "system",
    group("system", "Manage Docker", [
      ["events", [], atPath(eventsCommand, "docker system events")],
      ["info", [], atPath(infoCommand, "docker system info")],
    ]),
  ],
  [
    "swarm",
    group("swarm", "Manage Swarm", [
      ["init", [], swarmInitCommand],
      ["join", [], swarmJoinCommand],
      ["join-token", [], swarmJoinTokenCommand],
      ["leave", [], swarmLeaveCommand],
      ["unlock", [], swarmUnlockCommand],
      ["unlock-key", [], swarmUnlockKeyCommand],
      ["update", [], swarmUpdateCommand],
    ]),
  ],
  [
    "node",
    group("node", "Manage Swarm nodes", [
      ["demote", [], nodeDemoteCommand],
      ["inspect", [], nodeInspectCommand],
      ["ls", ["list"], nodeListCommand],
      ["promote", [], nodePromoteCommand],
      ["ps", [], nodeTasksCommand],
      ["rm", ["remove"], nodeRemoveCommand],
      ["update", [], nodeUpdateCommand],
    ]),
  ],
  [
    "service",
    group("service", "Manage Swarm services", [
      ["create", [], serviceCreateCommand],
      ["inspect", [], serviceInspectCommand],
      ["logs", [], serviceLogsCommand],
      ["ls", ["list"], serviceListCommand],
      ["ps", [], serviceTasksCommand],
      ["rm", ["remove"], serviceRemoveCommand],
      ["rollback", [], serviceRollbackCommand],
      ["scale", [], serviceScaleCommand],
      ["update", [], serviceUpdateCommand],
    ]),
  ],
]);

/** The top-level commands (`docker ps`, `docker run`, ...). */
const topLevelCommands: ReadonlyMap<string, DockerCommand> = new Map([
  ["attach", attachCommand],
  ["create", createCommand],
  ["events", eventsCommand],
  ["exec", execCommand],
  ["images", imagesCommand],
  ["info", infoCommand],
  ["inspect", inspectCommand],
  ["kill", killCommand],
  ["logs", logsCommand],
  ["port", portCommand],
  ["ps", psCommand],
  ["pull", pullCommand],
  ["restart", restartCommand],
  ["rm", removeCommand],
  ["rmi", removeImageCommand],
  ["run", runCommand],
  ["start", startCommand],
  ["stop", stopCommand],
  ["version", versionCommand],
]);

/** The root command's global flags (docker/cli `cli/flags/options.go`). */
const rootDefinition: CommandDefinition = {
  path: "docker",
  usage: "docker [OPTIONS] COMMAND [ARG...]",
  description: "A self-sufficient runtime for containers",
  interspersed: false,
  flags: [
    { name: "config", kind: "string", default: "/root/.docker", description: "Location of client config files" },
    { name: "context", shorthand: "c", kind: "string", description: 'Name of the context to use to connect to the daemon (overrides DOCKER_HOST env var and default context set with "docker context use")' },
    { name: "debug", shorthand: "D", kind: "bool", description: "Enable debug mode" },
    { name: "host", shorthand: "H", kind: "list", description: "Daemon socket to connect to" },
    { name: "log-level", shorthand: "l", kind: "string", default: "info", description: 'Set the logging level ("debug", "info", "warn", "error", "fatal")' },
    { name: "tls", kind: "bool", description: "Use TLS; implied by --tlsverify" },
    { name: "tlsverify", kind: "bool", description: "Use TLS and verify the remote" },
    { name: "version", shorthand: "v", kind: "bool", description: "Print version information and quit" },
  ],
  subcommands: [...[...topLevelCommands].map(([name, command]) => ({ name, description: command.definition.description })), ...[...groups].map(([name, entry]) => ({ name, description: entry.definition.description }))].sort(
    (left, right) => (left.name < right.name ? -1 : 1),
  ),
};

/** Parses and runs one command with the remaining arguments; turns errors into docker's output. */
function executeCommand(command: DockerCommand, args: readonly string[], environment: DockerCliEnvironment): CommandOutput {
  const outcome = parseCommandLine(command.definition, args);
  if (!outcome.ok) return usageErrorOutput(command.definition, outcome.error);
  const parsed = outcome.value;
  if (parsed.help) return helpOutput(command.definition, parsed);
  const output = new OutputStreams();
  for (const notice of parsed.notices) output.outLine(notice);
  const context: CommandContext = { ...environment, output, commandPath: command.definition.path };
  let exitCode: number;
  try {
    exitCode = command.run(parsed, context);
  } catch (error) {
    if (error instanceof CommandError) {
      if (error.message !== "") output.errLine(error.message);
      exitCode = error.exitCode;
    } else if (error instanceof EngineApiError) {
      output.errLine(daemonErrorText(error));
      exitCode = 1;
    } else {
      throw error;
    }
  }
  return { stdout: output.stdout, stderr: output.stderr, exitCode };
}

/** Runs `docker <group> ...`: a subcommand, the group's help, or an unknown-command error. */
function runGroup(entry: CommandGroup, args: readonly string[], environment: DockerCliEnvironment): CommandOutput {
  const [first, ...rest] = args;
  if (first !== undefined && !first.startsWith("-")) {
    const subcommand = entry.subcommands.get(first);
    if (subcommand) return executeCommand(subcommand, rest, environment);
  }
  const outcome = parseCommandLine(entry.definition, args);
  if (!outcome.ok) return usageErrorOutput(entry.definition, outcome.error);
  if (outcome.value.help) return helpOutput(entry.definition, outcome.value);
  // cobra's ShowHelp: a group without a subcommand prints its help to stderr and succeeds.
  return { stdout: "", stderr: renderHelp(entry.definition), exitCode: 0 };
}

/**
 * Runs one `docker ...` command line against a host's Engine API and returns what the docker
 * CLI 28.2.2 would print, and its exit code. Lines that are not one docker command (pipes,
 * other programs) fail as a shell would: exit 2 for syntax, 127 for an unknown program.
 */
export function runDocker(line: string, environment: DockerCliEnvironment): CommandOutput {
  let words: string[];
  try {
    words = splitCommandLine(line);
  } catch (error) {
    if (error instanceof CommandLineError) return { stdout: "", stderr: `sh: ${error.message}\n`, exitCode: 2 };
    throw error;
  }
  if (words.length === 0) return { stdout: "", stderr: "", exitCode: 0 };
  if (words[0] !== "docker") return { stdout: "", stderr: `sh: ${words[0]}: command not found\n`, exitCode: 127 };
  const rootOutcome = parseCommandLine(rootDefinition, words.slice(1));
  if (!rootOutcome.ok) return usageErrorOutput(rootDefinition, rootOutcome.error);
  const root = rootOutcome.value;
  if (root.bool("version")) return { stdout: `Docker version ${clientFacts.version}, build ${clientFacts.gitCommit}\n`, stderr: "", exitCode: 0 };
  const [name, ...args] = root.positionals;
  if (name === undefined) return { stdout: renderHelp(rootDefinition), stderr: "", exitCode: 0 };
  if (name === "help") return { stdout: renderHelp(rootDefinition), stderr: "", exitCode: 0 };
  const command = topLevelCommands.get(name);
  if (command) return executeCommand(command, args, environment);
  const entry = groups.get(name);
  if (entry) return runGroup(entry, args, environment);
  return unknownCommandOutput(name);
}
