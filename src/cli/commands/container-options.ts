/**
 * The container flags shared by `docker run` and `docker create` (docker/cli
 * `cli/command/container/opts.go`, the subset swarmsim supports) and their translation into
 * the Engine API's create body: Config, HostConfig and NetworkingConfig. Also the parsing of
 * `-p` port specs (docker/go-connections `nat.ParsePortSpec`) and `--restart` policies.
 */
import type { EngineJson } from "../../engine/client.js";
import type { FlagDefinition, ParsedCommandLine } from "../flags.js";
import { parseMemoryBytes, parseNanoCpus } from "../units.js";
import { CommandError } from "./context.js";

/** The flags `docker run` and `docker create` both take. */
export const containerFlags: readonly FlagDefinition[] = [
  { name: "name", kind: "string", description: "Assign a name to the container" },
  { name: "pull", kind: "string", default: "missing", description: 'Pull image before running ("always", "missing", "never")' },
  { name: "quiet", shorthand: "q", kind: "bool", description: "Suppress the pull output" },
  { name: "help", kind: "bool", description: "Print usage", hidden: true },
  { name: "interactive", shorthand: "i", kind: "bool", description: "Keep STDIN open even if not attached" },
  { name: "tty", shorthand: "t", kind: "bool", description: "Allocate a pseudo-TTY" },
  { name: "rm", kind: "bool", description: "Automatically remove the container and its associated anonymous volumes when it exits" },
  { name: "hostname", shorthand: "h", kind: "string", description: "Container host name" },
  { name: "env", shorthand: "e", kind: "list", description: "Set environment variables" },
  { name: "label", shorthand: "l", kind: "list", description: "Set meta data on a container" },
  { name: "publish", shorthand: "p", kind: "list", description: "Publish a container's port(s) to the host" },
  { name: "expose", kind: "list", description: "Expose a port or a range of ports" },
  { name: "restart", kind: "string", default: "no", description: "Restart policy to apply when a container exits" },
  { name: "stop-timeout", kind: "int", description: "Timeout (in seconds) to stop a container" },
  { name: "stop-signal", kind: "string", description: "Signal to stop the container" },
  { name: "entrypoint", kind: "string", description: "Overwrite the default ENTRYPOINT of the image" },
  { name: "workdir", shorthand: "w", kind: "string", description: "Working directory inside the container" },
  { name: "user", shorthand: "u", kind: "string", description: "Username or UID (format: <name|uid>[:<group|gid>])" },
  { name: "network", kind: "string", typeName: "network", default: "default", defaultText: "", description: "Connect a container to a network" },
  { name: "privileged", kind: "bool", description: "Give extended privileges to this container" },
  { name: "publish-all", shorthand: "P", kind: "bool", description: "Publish all exposed ports to random ports" },
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
  { name: "volume", shorthand: "v", kind: "list", description: "Bind mount a volume" },
];

/** A parsed `-p` spec: the exposed port key (`80/tcp`) and its host binding. */
export interface PortMapping {
  readonly port: string;
  readonly binding: { readonly HostIp: string; readonly HostPort: string };
}

/** Parses `first[-last]` into a port range; throws docker's error. */
function parsePortRange(text: string, what: string): [number, number] {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!match) throw new CommandError(`invalid ${what}: ${text}`);
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  if (first > 65535 || last > 65535) throw new CommandError(`invalid ${what}: ${text}`);
  if (last < first) throw new CommandError(`invalid range specified for ${what}: ${text}`);
  return [first, last];
}

/** go-connections `nat.ParsePortSpec`: `[ip:][hostPort:]containerPort[/proto]`, with ranges. */
export function parsePortSpec(spec: string): PortMapping[] {
  const slash = spec.lastIndexOf("/");
  let protocol = "tcp";
  let rest = spec;
  if (slash >= 0) {
    protocol = spec.slice(slash + 1).toLowerCase();
    rest = spec.slice(0, slash);
    if (!["tcp", "udp", "sctp"].includes(protocol)) throw new CommandError(`invalid proto: ${protocol}`);
  }
  let address = "";
  let hostPart = "";
  let containerPart: string;
  const bracket = /^\[([^\]]*)\]:(.*)$/.exec(rest);
  if (bracket) {
    address = bracket[1]!;
    const parts = bracket[2]!.split(":");
    if (parts.length !== 2) throw new CommandError(`invalid port format for --publish: ${spec}`);
    [hostPart, containerPart] = [parts[0]!, parts[1]!];
  } else {
    const parts = rest.split(":");
    if (parts.length === 1) containerPart = parts[0]!;
    else if (parts.length === 2) [hostPart, containerPart] = [parts[0]!, parts[1]!];
    else if (parts.length === 3) [address, hostPart, containerPart] = [parts[0]!, parts[1]!, parts[2]!];
    else {
      address = parts.slice(0, -2).join(":");
      [hostPart, containerPart] = [parts[parts.length - 2]!, parts[parts.length - 1]!];
    }
  }
  if (address !== "" && !/^[0-9a-fA-F.:]+$/.test(address)) throw new CommandError(`invalid IP address: ${address}`);
  if (containerPart === "") throw new CommandError(`no port specified: ${spec}<empty>`);
  const [containerFirst, containerLast] = parsePortRange(containerPart, "containerPort");
  let hostFirst = 0;
  let hostLast = 0;
  if (hostPart !== "") [hostFirst, hostLast] = parsePortRange(hostPart, "hostPort");
  const count = containerLast - containerFirst;
  const hostRangeMatches = hostLast - hostFirst === count;
  if (hostPart !== "" && !hostRangeMatches && count !== 0) {
    throw new CommandError(`invalid ranges specified for container and host Ports: ${containerPart} and ${hostPart}`);
  }
  const mappings: PortMapping[] = [];
  for (let offset = 0; offset <= count; offset++) {
    let hostPort = "";
    if (hostPart !== "") hostPort = hostRangeMatches ? String(hostFirst + offset) : `${hostFirst}-${hostLast}`;
    mappings.push({ port: `${containerFirst + offset}/${protocol}`, binding: { HostIp: address, HostPort: hostPort } });
  }
  return mappings;
}

/** docker/cli `opts.ParseRestartPolicy`: `no`, `always`, `unless-stopped`, `on-failure[:N]`. */
export function parseRestartPolicy(text: string): { Name: string; MaximumRetryCount: number } {
  if (text === "") return { Name: "no", MaximumRetryCount: 0 };
  const colon = text.indexOf(":");
  const name = colon < 0 ? text : text.slice(0, colon);
  if (colon >= 0) {
    const count = text.slice(colon + 1);
    if (!/^-?\d+$/.test(count)) throw new CommandError("invalid restart policy format: maximum retry count must be an integer");
    return { Name: name, MaximumRetryCount: Number(count) };
  }
  return { Name: name, MaximumRetryCount: 0 };
}

/** The create body for a container, and the name to give it. */
export interface ContainerCreateRequest {
  /** The body of `POST /containers/create`. */
  readonly body: EngineJson;
  /** The `--name`, or "". */
  readonly name: string;
}

/**
 * Builds the create request from `docker run`/`create` flags and positionals (image, command
 * words), as docker/cli's `parse` does. `detached` clears the attach flags, as `docker run -d`
 * does. Throws a {@link CommandError} with docker's text for an invalid value.
 */
export function buildCreateRequest(parsed: ParsedCommandLine, detached: boolean): ContainerCreateRequest {
  const [image = "", ...command] = parsed.positionals;
  const interactive = parsed.bool("interactive");
  const tty = parsed.bool("tty");
  const exposedPorts: Record<string, Record<string, never>> = {};
  const portBindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const spec of parsed.list("publish")) {
    for (const mapping of parsePortSpec(spec)) {
      exposedPorts[mapping.port] ??= {};
      (portBindings[mapping.port] ??= []).push(mapping.binding);
    }
  }
  for (const spec of parsed.list("expose")) {
    const [portText = "", protocol = "tcp"] = spec.split("/");
    const [first, last] = parsePortRange(portText, "range format for --expose");
    for (let port = first; port <= last; port++) exposedPorts[`${port}/${protocol}`] ??= {};
  }
  const labels: Record<string, string> = {};
  for (const label of parsed.list("label")) {
    const equals = label.indexOf("=");
    if (equals < 0) labels[label] = "";
    else labels[label.slice(0, equals)] = label.slice(equals + 1);
  }
  const restartPolicy = parseRestartPolicy(parsed.string("restart"));
  const autoRemove = parsed.bool("rm");
  if (autoRemove && restartPolicy.Name !== "no" && restartPolicy.Name !== "") {
    throw new CommandError("conflicting options: cannot specify both --restart and --rm");
  }
  const memory = parsed.changed("memory") ? (parseMemoryBytes(parsed.string("memory")) as { value: number }).value : 0;
  const nanoCpus = parsed.changed("cpus") ? (parseNanoCpus(parsed.string("cpus")) as { value: number }).value : 0;
  let entrypoint: string[] | null = null;
  if (parsed.string("entrypoint") !== "") entrypoint = [parsed.string("entrypoint")];
  else if (parsed.changed("entrypoint")) entrypoint = [""];
  const attachStreams = !detached;
  const config: EngineJson = {
    Hostname: parsed.string("hostname"),
    Domainname: "",
    User: parsed.string("user"),
    AttachStdin: attachStreams && interactive,
    AttachStdout: attachStreams,
    AttachStderr: attachStreams,
    ...(Object.keys(exposedPorts).length > 0 ? { ExposedPorts: exposedPorts } : {}),
    Tty: tty,
    OpenStdin: interactive,
    StdinOnce: attachStreams && interactive,
    Env: [...parsed.list("env")],
    // Docker sends null for an unset Cmd/Entrypoint, which the daemon reads as "the image's";
    // leaving them out means the same to every engine.
    ...(command.length > 0 ? { Cmd: command } : {}),
    Image: image,
    WorkingDir: parsed.string("workdir"),
    ...(entrypoint !== null ? { Entrypoint: entrypoint } : {}),
    Labels: labels,
    ...(parsed.changed("stop-signal") ? { StopSignal: parsed.string("stop-signal") } : {}),
    ...(parsed.changed("stop-timeout") ? { StopTimeout: parsed.int("stop-timeout") } : {}),
  };
  const networkMode = parsed.string("network");
  const hostConfig: EngineJson = {
    Binds: parsed.list("volume").length > 0 ? [...parsed.list("volume")] : null,
    NetworkMode: networkMode,
    PortBindings: portBindings,
    RestartPolicy: restartPolicy,
    AutoRemove: autoRemove,
    Privileged: parsed.bool("privileged"),
    PublishAllPorts: parsed.bool("publish-all"),
    Memory: memory,
    NanoCpus: nanoCpus,
  };
  const networkingConfig: EngineJson = { EndpointsConfig: { [networkMode]: {} } };
  return { body: { ...config, HostConfig: hostConfig, NetworkingConfig: networkingConfig }, name: parsed.string("name") };
}
