/**
 * `docker swarm init|join|join-token|leave|update|unlock|unlock-key` (docker/cli
 * `cli/command/swarm`): the Engine API's `/swarm/*` calls with the CLI's messages ("Swarm
 * initialized: current node (...) is now a manager.", the join commands, "Node left the
 * swarm.", "Swarm updated.", the unlock key). Daemon refusals ("This node is already part of a
 * swarm...") are printed as `Error response from daemon: ...`, exit 1, by the dispatcher.
 */
import { EngineApiError, type EngineJson } from "../../engine/client.js";
import type { FlagDefinition, ParsedCommandLine } from "../flags.js";
import { renderHelp } from "../help.js";
import { CommandError, daemonErrorText, type CommandContext, type DockerCommand } from "./context.js";
import { parseGoDuration } from "./swarm-values.js";

/** The default `--listen-addr`. */
const defaultListenAddress = "0.0.0.0:2377";

/** docker/cli `NodeAddrOption.Set` (`opts.ParseTCPAddr` with the default `0.0.0.0:2377`): fills in host and port. */
function nodeAddress(value: string): string {
  let text = value.startsWith("tcp://") ? value.slice("tcp://".length) : value;
  if (text.startsWith("[")) return text.includes("]:") ? text : `${text}:2377`;
  const colon = text.lastIndexOf(":");
  if (colon < 0) text = `${text}:2377`;
  else if (colon === text.length - 1) text = `${text}2377`;
  if (text.startsWith(":")) text = `0.0.0.0${text}`;
  return text;
}

/** A flag value checked as a Go duration. */
function durationFlag(name: string, defaultText: string, description: string): FlagDefinition {
  return {
    name,
    kind: "string",
    typeName: "duration",
    default: defaultText,
    description,
    validate: (value) => {
      const parsed = parseGoDuration(value);
      return parsed.ok ? null : parsed.error;
    },
  };
}

/** The flags `swarm init` and `swarm update` share (docker/cli `addSwarmFlags`). */
const swarmSpecFlags: readonly FlagDefinition[] = [
  { name: "task-history-limit", kind: "int", typeName: "int", default: 5, description: "Task history retention limit" },
  durationFlag("dispatcher-heartbeat", "5s", "Dispatcher heartbeat period (ns|us|ms|s|m|h)"),
  { name: "max-snapshots", kind: "int", typeName: "uint", description: "Number of additional Raft snapshots to retain" },
  { name: "snapshot-interval", kind: "int", typeName: "uint", default: 10000, description: "Number of log entries between Raft snapshots" },
  durationFlag("cert-expiry", "2160h0m0s", "Validity period for node certificates (ns|us|ms|s|m|h)"),
];

/** docker/cli `swarmOptions.mergeSwarmSpec`: the changed flags applied to a swarm spec. */
function mergeSwarmSpec(spec: EngineJson, parsed: ParsedCommandLine): EngineJson {
  const merged: EngineJson = { ...spec };
  if (parsed.changed("task-history-limit")) merged.Orchestration = { ...merged.Orchestration, TaskHistoryRetentionLimit: parsed.int("task-history-limit") };
  if (parsed.changed("dispatcher-heartbeat")) {
    merged.Dispatcher = { ...merged.Dispatcher, HeartbeatPeriod: (parseGoDuration(parsed.string("dispatcher-heartbeat")) as { value: number }).value };
  }
  if (parsed.changed("max-snapshots")) merged.Raft = { ...merged.Raft, KeepOldSnapshots: parsed.int("max-snapshots") };
  if (parsed.changed("snapshot-interval")) merged.Raft = { ...merged.Raft, SnapshotInterval: parsed.int("snapshot-interval") };
  if (parsed.changed("autolock")) merged.EncryptionConfig = { ...merged.EncryptionConfig, AutoLockManagers: parsed.bool("autolock") };
  if (parsed.changed("cert-expiry")) {
    merged.CAConfig = { ...merged.CAConfig, NodeCertExpiry: (parseGoDuration(parsed.string("cert-expiry")) as { value: number }).value };
  }
  return merged;
}

/** The `--availability` value checked as `swarm init`/`join` check it, or undefined when not given. */
function availabilityOf(parsed: ParsedCommandLine): string | undefined {
  if (!parsed.changed("availability")) return undefined;
  const given = parsed.string("availability");
  const availability = given.toLowerCase();
  if (availability !== "active" && availability !== "pause" && availability !== "drain") {
    throw new CommandError(`invalid availability ${JSON.stringify(given)}, only active, pause and drain are supported`);
  }
  return availability;
}

/** docker/cli `printJoinCommand`: the `docker swarm join --token ...` lines for a manager node. */
function printJoinCommand(context: CommandContext, nodeId: string, worker: boolean, manager: boolean): void {
  const node = context.client.nodeInspect(nodeId);
  const swarm = context.client.swarmInspect();
  if (!node.ManagerStatus) return;
  const address = String(node.ManagerStatus.Addr ?? "");
  if (worker) {
    context.output.out(`To add a worker to this swarm, run the following command:\n\n    docker swarm join --token ${swarm.JoinTokens?.Worker ?? ""} ${address}\n\n`);
  }
  if (manager) {
    context.output.out(`To add a manager to this swarm, run the following command:\n\n    docker swarm join --token ${swarm.JoinTokens?.Manager ?? ""} ${address}\n\n`);
  }
}

/** docker/cli `printUnlockCommand`: how to unlock a restarted manager, with the key (nothing when there is none). */
function printUnlockCommand(context: CommandContext, unlockKey: string): void {
  if (unlockKey === "") return;
  context.output.out(
    "To unlock a swarm manager after it restarts, run the `docker swarm unlock`\ncommand and provide the following key:\n\n" +
      `    ${unlockKey}\n\n` +
      "Remember to store this key in a password manager, since without it you\nwill not be able to restart the manager.\n",
  );
}

/** `GET /swarm/unlockkey`, with the CLI's wrapping of a failure (`could not fetch unlock key: ...`). */
function fetchUnlockKey(context: CommandContext): string {
  try {
    return String(context.client.swarmUnlockkey().UnlockKey ?? "");
  } catch (error) {
    if (error instanceof EngineApiError) throw new CommandError(`could not fetch unlock key: ${daemonErrorText(error)}`);
    throw error;
  }
}

const listenAddressFlag: FlagDefinition = {
  name: "listen-addr",
  kind: "string",
  typeName: "node-addr",
  default: defaultListenAddress,
  description: 'Listen address (format: "<ip|interface>[:port]")',
};
const advertiseAddressFlag: FlagDefinition = { name: "advertise-addr", kind: "string", description: 'Advertised address (format: "<ip|interface>[:port]")' };
const dataPathAddressFlag: FlagDefinition = { name: "data-path-addr", kind: "string", description: 'Address or interface to use for data path traffic (format: "<ip|interface>")' };
const availabilityFlag: FlagDefinition = { name: "availability", kind: "string", default: "active", description: 'Availability of the node ("active", "pause", "drain")' };

/** `docker swarm init [OPTIONS]`. */
export const swarmInitCommand: DockerCommand = {
  definition: {
    path: "docker swarm init",
    usage: "docker swarm init [OPTIONS]",
    description: "Initialize a swarm",
    arguments: { kind: "none" },
    flags: [
      listenAddressFlag,
      advertiseAddressFlag,
      dataPathAddressFlag,
      {
        name: "data-path-port",
        kind: "int",
        typeName: "uint32",
        description: "Port number to use for data path traffic (1024 - 49151). If no value is set or is set to 0, the default port (4789) is used.",
      },
      { name: "force-new-cluster", kind: "bool", description: "Force create a new cluster from current state" },
      { name: "autolock", kind: "bool", description: "Enable manager autolocking (requiring an unlock key to start a stopped manager)" },
      availabilityFlag,
      { name: "default-addr-pool", kind: "list", typeName: "ipNetSlice", defaultText: "[]", description: "default address pool in CIDR format" },
      { name: "default-addr-pool-mask-length", kind: "int", typeName: "uint32", default: 24, description: "default address pool subnet mask length" },
      ...swarmSpecFlags,
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const availability = availabilityOf(parsed);
    const request: EngineJson = {
      ListenAddr: parsed.changed("listen-addr") ? nodeAddress(parsed.string("listen-addr")) : defaultListenAddress,
      AdvertiseAddr: parsed.string("advertise-addr"),
      DataPathAddr: parsed.string("data-path-addr"),
      DataPathPort: parsed.int("data-path-port"),
      DefaultAddrPool: parsed.list("default-addr-pool"),
      ForceNewCluster: parsed.bool("force-new-cluster"),
      Spec: mergeSwarmSpec({}, parsed),
      AutoLockManagers: parsed.bool("autolock"),
      SubnetSize: parsed.int("default-addr-pool-mask-length"),
      ...(availability !== undefined ? { Availability: availability } : {}),
    };
    let nodeId: string;
    try {
      nodeId = context.client.swarmInit(request);
    } catch (error) {
      if (error instanceof EngineApiError && (error.message.includes("could not choose an IP address to advertise") || error.message.includes("could not find the system's IP address"))) {
        throw new CommandError(`Error response from daemon: ${error.message} - specify one with --advertise-addr`);
      }
      throw error;
    }
    context.output.out(`Swarm initialized: current node (${nodeId}) is now a manager.\n\n`);
    printJoinCommand(context, nodeId, true, false);
    context.output.outLine("To add a manager to this swarm, run 'docker swarm join-token manager' and follow the instructions.");
    if (parsed.bool("autolock")) printUnlockCommand(context, fetchUnlockKey(context));
    return 0;
  },
};

/** `docker swarm join [OPTIONS] HOST:PORT`. */
export const swarmJoinCommand: DockerCommand = {
  definition: {
    path: "docker swarm join",
    usage: "docker swarm join [OPTIONS] HOST:PORT",
    description: "Join a swarm as a node and/or manager",
    arguments: { kind: "exactly", count: 1 },
    flags: [listenAddressFlag, advertiseAddressFlag, dataPathAddressFlag, { name: "token", kind: "string", description: "Token for entry into the swarm" }, availabilityFlag],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const availability = availabilityOf(parsed);
    context.client.swarmJoin({
      ListenAddr: parsed.changed("listen-addr") ? nodeAddress(parsed.string("listen-addr")) : defaultListenAddress,
      AdvertiseAddr: parsed.string("advertise-addr"),
      DataPathAddr: parsed.string("data-path-addr"),
      RemoteAddrs: [parsed.positionals[0]!],
      JoinToken: parsed.string("token"),
      ...(availability !== undefined ? { Availability: availability } : {}),
    });
    const info = context.client.systemInfo();
    context.output.outLine(info.Swarm?.ControlAvailable === true ? "This node joined a swarm as a manager." : "This node joined a swarm as a worker.");
    return 0;
  },
};

/** `docker swarm join-token [OPTIONS] (worker|manager)`. */
export const swarmJoinTokenCommand: DockerCommand = {
  definition: {
    path: "docker swarm join-token",
    usage: "docker swarm join-token [OPTIONS] (worker|manager)",
    description: "Manage join tokens",
    arguments: { kind: "exactly", count: 1 },
    flags: [
      { name: "rotate", kind: "bool", description: "Rotate join token" },
      { name: "quiet", shorthand: "q", kind: "bool", description: "Only display token" },
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const role = parsed.positionals[0]!;
    const worker = role === "worker";
    const manager = role === "manager";
    if (!worker && !manager) throw new CommandError(`unknown role ${role}`);
    const quiet = parsed.bool("quiet");
    if (parsed.bool("rotate")) {
      const current = context.client.swarmInspect();
      context.client.swarmUpdate(current.Spec ?? {}, {
        version: Number(current.Version?.Index ?? 0),
        ...(worker ? { rotateWorkerToken: true } : {}),
        ...(manager ? { rotateManagerToken: true } : {}),
      });
      if (!quiet) context.output.out(`Successfully rotated ${role} join token.\n\n`);
    }
    const swarm = context.client.swarmInspect();
    if (quiet) {
      context.output.outLine(String((worker ? swarm.JoinTokens?.Worker : swarm.JoinTokens?.Manager) ?? ""));
      return 0;
    }
    const info = context.client.systemInfo();
    printJoinCommand(context, String(info.Swarm?.NodeID ?? ""), worker, manager);
    return 0;
  },
};

/** `docker swarm leave [OPTIONS]`. */
export const swarmLeaveCommand: DockerCommand = {
  definition: {
    path: "docker swarm leave",
    usage: "docker swarm leave [OPTIONS]",
    description: "Leave the swarm",
    arguments: { kind: "none" },
    flags: [{ name: "force", shorthand: "f", kind: "bool", description: "Force this node to leave the swarm, ignoring warnings" }],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    context.client.swarmLeave(parsed.bool("force") ? { force: true } : {});
    context.output.outLine("Node left the swarm.");
    return 0;
  },
};

/** `docker swarm update [OPTIONS]`. */
export const swarmUpdateCommand: DockerCommand = {
  definition: {
    path: "docker swarm update",
    usage: "docker swarm update [OPTIONS]",
    description: "Update the swarm",
    arguments: { kind: "none" },
    flags: [{ name: "autolock", kind: "bool", description: "Change manager autolocking setting (true|false)" }, ...swarmSpecFlags],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    // cobra's PreRunE returns pflag.ErrHelp without flags: the help is printed, exit 0.
    if (!swarmUpdateCommand.definition.flags.some((flag) => parsed.changed(flag.name))) {
      context.output.out(renderHelp(swarmUpdateCommand.definition));
      return 0;
    }
    const current = context.client.swarmInspect();
    const previousAutolock = current.Spec?.EncryptionConfig?.AutoLockManagers === true;
    const spec = mergeSwarmSpec(current.Spec ?? {}, parsed);
    context.client.swarmUpdate(spec, { version: Number(current.Version?.Index ?? 0) });
    context.output.outLine("Swarm updated.");
    if (spec.EncryptionConfig?.AutoLockManagers === true && !previousAutolock) printUnlockCommand(context, fetchUnlockKey(context));
    return 0;
  },
};

/** `docker swarm unlock-key [OPTIONS]`. */
export const swarmUnlockKeyCommand: DockerCommand = {
  definition: {
    path: "docker swarm unlock-key",
    usage: "docker swarm unlock-key [OPTIONS]",
    description: "Manage the unlock key",
    arguments: { kind: "none" },
    flags: [
      { name: "rotate", kind: "bool", description: "Rotate unlock key" },
      { name: "quiet", shorthand: "q", kind: "bool", description: "Only display token" },
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const quiet = parsed.bool("quiet");
    if (parsed.bool("rotate")) {
      const current = context.client.swarmInspect();
      if (current.Spec?.EncryptionConfig?.AutoLockManagers !== true) throw new CommandError("cannot rotate because autolock is not turned on");
      context.client.swarmUpdate(current.Spec ?? {}, { version: Number(current.Version?.Index ?? 0), rotateManagerUnlockKey: true });
      if (!quiet) context.output.outLine("Successfully rotated manager unlock key.");
    }
    const unlockKey = fetchUnlockKey(context);
    if (unlockKey === "") throw new CommandError("no unlock key is set");
    if (quiet) context.output.outLine(unlockKey);
    else printUnlockCommand(context, unlockKey);
    return 0;
  },
};

/**
 * docker/cli `readKey`: on a terminal, the prompt, the typed line (not echoed) and a newline;
 * otherwise the first line of standard input without surrounding white space.
 */
function readKey(context: CommandContext, prompt: string): string {
  const input = context.stdin ?? "";
  const newline = input.indexOf("\n");
  const line = newline < 0 ? input : input.slice(0, newline);
  if (context.tty) {
    context.output.out(`${prompt}\n`);
    return line.endsWith("\r") ? line.slice(0, -1) : line;
  }
  return line.trim();
}

/** `docker swarm unlock`: reads the key from standard input (see `sim.exec`'s `stdin` option). */
export const swarmUnlockCommand: DockerCommand = {
  definition: {
    path: "docker swarm unlock",
    usage: "docker swarm unlock",
    description: "Unlock swarm",
    arguments: { kind: "none" },
    flags: [],
  },
  run(_parsed: ParsedCommandLine, context: CommandContext): number {
    // As docker/cli: only a locked node is asked for the key.
    const state: unknown = context.client.systemInfo().Swarm?.LocalNodeState;
    if (state === "inactive") throw new CommandError("Error: This node is not part of a swarm");
    if (state === "pending" || state === "active" || state === "error") throw new CommandError("Error: swarm is not locked");
    context.client.swarmUnlock({ UnlockKey: readKey(context, "Enter unlock key: ") });
    return 0;
  },
};
