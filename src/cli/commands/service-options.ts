/**
 * The flags of `docker service create` and `docker service update` (docker/cli
 * `cli/command/service/opts.go`, `update.go`) and how they become a ServiceSpec: the spec
 * `create` sends (`serviceOptions.ToService`) and the changes `update` makes to the current
 * spec (`updateService`). Values are checked as the Go flag types check them, with pflag's
 * `invalid argument` errors (exit 125).
 */
import type { EngineJson } from "../../engine/client.js";
import type { FlagDefinition, ParsedCommandLine } from "../flags.js";
import { parseMemoryBytes, parseNanoCpus } from "../units.js";
import { CommandError } from "./context.js";
import { parseGoDuration } from "./swarm-values.js";

/** swarmkit's default update and rollback configuration (`defaults.Service.Update`). */
const defaultUpdateConfig: Readonly<EngineJson> = { Parallelism: 1, FailureAction: "pause", Monitor: 5_000_000_000, MaxFailureRatio: 0, Order: "stop-first" };

/** swarmkit's default restart policy (`defaults.Service.Task.Restart`). */
const defaultRestartPolicy: Readonly<EngineJson> = { Condition: "any", Delay: 5_000_000_000, MaxAttempts: 0 };

/** Go's `strconv.ParseUint(s, 0, 64)` error, or null. */
function checkUnsigned(value: string): string | null {
  return /^(0[xX][0-9a-fA-F]+|0[oO]?[0-7]*|[1-9][0-9]*|0[bB][01]+)$/.test(value) ? null : `strconv.ParseUint: parsing ${JSON.stringify(value)}: invalid syntax`;
}

/** Go's `strconv.ParseUint` value (bases by prefix, as base 0 does). */
function unsignedValue(value: string): number {
  if (/^0[oO]/.test(value)) return parseInt(value.slice(2), 8);
  if (/^0[0-7]+$/.test(value)) return parseInt(value.slice(1), 8);
  return Number(value);
}

/** Checks a Go duration. */
function checkDuration(value: string): string | null {
  const parsed = parseGoDuration(value);
  return parsed.ok ? null : parsed.error;
}

/** A Go duration flag's value in nanoseconds. */
function durationValue(parsed: ParsedCommandLine, name: string): number {
  return (parseGoDuration(parsed.string(name)) as { value: number }).value;
}

/** Checks a `--publish` value. */
function checkPort(value: string): string | null {
  try {
    parsePublish(value);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * docker/cli `swarmopts.PortOpt.Set`: `8080:80`, `8080:80/udp`, `80` (target only), or the long
 * form `published=8080,target=80,protocol=udp,mode=host`.
 */
export function parsePublish(value: string): EngineJson[] {
  if (value.includes("=")) {
    const port: EngineJson = { Protocol: "tcp", TargetPort: 0, PublishedPort: 0, PublishMode: "ingress" };
    for (const field of value.split(",")) {
      const equals = field.indexOf("=");
      if (equals < 0) throw new Error(`invalid field ${field}`);
      const key = field.slice(0, equals).toLowerCase();
      const fieldValue = field.slice(equals + 1);
      if (key === "protocol") port.Protocol = fieldValue.toLowerCase();
      else if (key === "mode") port.PublishMode = fieldValue.toLowerCase();
      else if (key === "target") port.TargetPort = Number(fieldValue);
      else if (key === "published") port.PublishedPort = Number(fieldValue);
      else throw new Error(`invalid field key ${key}`);
    }
    if (port.TargetPort === 0) throw new Error("missing mandatory field 'target'");
    return [port];
  }
  const [ports, protocol = "tcp"] = value.split("/");
  const parts = ports!.split(":");
  const target = parts[parts.length - 1]!;
  const published = parts.length > 1 ? parts[parts.length - 2]! : "";
  const range = (text: string): [number, number] => {
    const [first, last = first] = text.split("-");
    const start = Number(first);
    const end = Number(last);
    if (!/^\d+(-\d+)?$/.test(text) || start > end) throw new Error(`invalid containerPort: ${text}`);
    return [start, end];
  };
  const [targetStart, targetEnd] = range(target);
  const [publishedStart, publishedEnd] = published === "" ? [0, 0] : range(published);
  const result: EngineJson[] = [];
  for (let offset = 0; offset <= targetEnd - targetStart; offset++) {
    result.push({
      Protocol: protocol.toLowerCase(),
      TargetPort: targetStart + offset,
      PublishedPort: published === "" ? 0 : publishedEnd > publishedStart ? publishedStart + offset : publishedStart,
      PublishMode: "ingress",
    });
  }
  return result;
}

const cpuCheck = (value: string): string | null => {
  const parsed = parseNanoCpus(value);
  return parsed.ok ? null : parsed.error;
};
const memoryCheck = (value: string): string | null => {
  const parsed = parseMemoryBytes(value);
  return parsed.ok ? null : parsed.error;
};

/** A flag of a Go duration. */
function duration(name: string, description: string): FlagDefinition {
  return { name, kind: "string", typeName: "duration", description, validate: checkDuration };
}

/** The flags `create` and `update` share (docker/cli `addServiceFlags`, the subset swarmsim models). */
const commonFlags: readonly FlagDefinition[] = [
  { name: "detach", shorthand: "d", kind: "bool", description: "Exit immediately instead of waiting for the service to converge" },
  { name: "quiet", shorthand: "q", kind: "bool", description: "Suppress progress output" },
  { name: "workdir", shorthand: "w", kind: "string", description: "Working directory inside the container" },
  { name: "user", shorthand: "u", kind: "string", description: "Username or UID (format: <name|uid>[:<group|gid>])" },
  { name: "hostname", kind: "string", description: "Container hostname" },
  { name: "limit-cpu", kind: "string", typeName: "decimal", description: "Limit CPUs", validate: cpuCheck },
  { name: "limit-memory", kind: "string", typeName: "bytes", description: "Limit Memory", validate: memoryCheck },
  { name: "reserve-cpu", kind: "string", typeName: "decimal", description: "Reserve CPUs", validate: cpuCheck },
  { name: "reserve-memory", kind: "string", typeName: "bytes", description: "Reserve Memory", validate: memoryCheck },
  { name: "limit-pids", kind: "int", description: "Limit maximum number of processes (default 0 = unlimited)" },
  duration("stop-grace-period", "Time to wait before force killing a container (ns|us|ms|s|m|h) (default 10s)"),
  { name: "replicas", kind: "string", typeName: "uint", description: "Number of tasks", validate: checkUnsigned },
  { name: "replicas-max-per-node", kind: "string", typeName: "uint", description: "Maximum number of tasks per node (default 0 = unlimited)", validate: checkUnsigned },
  { name: "restart-condition", kind: "string", description: 'Restart when condition is met ("none", "on-failure", "any") (default "any")' },
  duration("restart-delay", "Delay between restart attempts (ns|us|ms|s|m|h) (default 5s)"),
  { name: "restart-max-attempts", kind: "string", typeName: "uint", description: "Maximum number of restarts before giving up", validate: checkUnsigned },
  duration("restart-window", "Window used to evaluate the restart policy (ns|us|ms|s|m|h)"),
  { name: "update-parallelism", kind: "string", typeName: "uint", default: "1", description: "Maximum number of tasks updated simultaneously (0 to update all at once)", validate: checkUnsigned },
  duration("update-delay", "Delay between updates (ns|us|ms|s|m|h) (default 0s)"),
  duration("update-monitor", "Duration after each task update to monitor for failure (ns|us|ms|s|m|h) (default 5s)"),
  { name: "update-failure-action", kind: "string", description: 'Action on update failure ("pause", "continue", "rollback") (default "pause")' },
  { name: "update-max-failure-ratio", kind: "string", typeName: "float", description: "Failure rate to tolerate during an update (default 0)" },
  { name: "update-order", kind: "string", description: 'Update order ("start-first", "stop-first") (default "stop-first")' },
  { name: "rollback-parallelism", kind: "string", typeName: "uint", default: "1", description: "Maximum number of tasks rolled back simultaneously (0 to roll back all at once)", validate: checkUnsigned },
  duration("rollback-delay", "Delay between task rollbacks (ns|us|ms|s|m|h) (default 0s)"),
  duration("rollback-monitor", "Duration after each task rollback to monitor for failure (ns|us|ms|s|m|h) (default 5s)"),
  { name: "rollback-failure-action", kind: "string", description: 'Action on rollback failure ("pause", "continue") (default "pause")' },
  { name: "rollback-max-failure-ratio", kind: "string", typeName: "float", description: "Failure rate to tolerate during a rollback (default 0)" },
  { name: "rollback-order", kind: "string", description: 'Rollback order ("start-first", "stop-first") (default "stop-first")' },
  { name: "endpoint-mode", kind: "string", default: "vip", description: "Endpoint mode (vip or dnsrr)" },
  { name: "with-registry-auth", kind: "bool", description: "Send registry authentication details to swarm agents" },
  { name: "no-resolve-image", kind: "bool", description: "Do not query the registry to resolve image digest and supported platforms" },
  { name: "tty", shorthand: "t", kind: "bool", description: "Allocate a pseudo-TTY" },
  { name: "read-only", kind: "bool", description: "Mount the container's root filesystem as read only" },
  { name: "stop-signal", kind: "string", description: "Signal to stop the container" },
  { name: "init", kind: "bool", description: "Use an init inside each service container to forward signals and reap processes" },
];

/** The flags of `docker service create`. */
export const createFlags: readonly FlagDefinition[] = [
  { name: "mode", kind: "string", default: "replicated", description: 'Service mode ("replicated", "global", "replicated-job", "global-job")' },
  { name: "name", kind: "string", description: "Service name" },
  ...commonFlags,
  { name: "label", shorthand: "l", kind: "list", description: "Service labels" },
  { name: "container-label", kind: "list", description: "Container labels" },
  { name: "env", shorthand: "e", kind: "list", description: "Set environment variables" },
  { name: "constraint", kind: "list", description: "Placement constraints" },
  { name: "placement-pref", kind: "list", typeName: "pref", description: "Add a placement preference", validate: checkPlacementPreference },
  { name: "network", kind: "list", typeName: "network", description: "Network attachments" },
  { name: "publish", shorthand: "p", kind: "list", typeName: "port", description: "Publish a port as a node port", validate: checkPort },
  { name: "entrypoint", kind: "string", typeName: "command", description: "Overwrite the default ENTRYPOINT of the image" },
];

/** The flags of `docker service update`. */
export const updateFlags: readonly FlagDefinition[] = [
  ...commonFlags,
  { name: "image", kind: "string", description: "Service image tag" },
  { name: "args", kind: "string", typeName: "command", description: "Service command args" },
  { name: "force", kind: "bool", description: "Force update even if no changes require it" },
  { name: "rollback", kind: "bool", description: "Rollback to previous specification" },
  { name: "label-add", kind: "list", description: "Add or update a service label" },
  { name: "label-rm", kind: "list", description: "Remove a label by its key" },
  { name: "container-label-add", kind: "list", description: "Add or update a container label" },
  { name: "container-label-rm", kind: "list", description: "Remove a container label by its key" },
  { name: "env-add", kind: "list", description: "Add or update an environment variable" },
  { name: "env-rm", kind: "list", description: "Remove an environment variable" },
  { name: "constraint-add", kind: "list", description: "Add or update a placement constraint" },
  { name: "constraint-rm", kind: "list", description: "Remove a constraint" },
  { name: "placement-pref-add", kind: "list", typeName: "pref", description: "Add a placement preference", validate: checkPlacementPreference },
  { name: "placement-pref-rm", kind: "list", typeName: "pref", description: "Remove a placement preference", validate: checkPlacementPreference },
  { name: "publish-add", kind: "list", typeName: "port", description: "Add or update a published port", validate: checkPort },
  { name: "publish-rm", kind: "list", typeName: "port", description: "Remove a published port by its target port", validate: checkPort },
  { name: "entrypoint", kind: "string", typeName: "command", description: "Overwrite the default ENTRYPOINT of the image" },
];

/** docker/cli `placementPrefOpts.Set`. */
function checkPlacementPreference(value: string): string | null {
  const equals = value.indexOf("=");
  if (equals <= 0) return 'placement preference must be of the format "<strategy>=<arg>"';
  const strategy = value.slice(0, equals);
  if (strategy !== "spread") return `unsupported placement preference ${strategy} (only spread is supported)`;
  return null;
}

/** `k=v` entries as a map (docker/cli `ConvertKVStringsToMap`: `k` alone maps to ""). */
function keyValueMap(entries: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const entry of entries) {
    const equals = entry.indexOf("=");
    if (equals < 0) map[entry] = "";
    else map[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  return map;
}

/** The key of an environment entry. */
function environmentKey(entry: string): string {
  const equals = entry.indexOf("=");
  return equals < 0 ? entry : entry.slice(0, equals);
}

/** docker/cli `makeEnv`: later entries replace earlier ones of the same key. */
function makeEnvironment(entries: readonly string[]): string[] {
  let current: string[] = [];
  for (const entry of entries) {
    const key = environmentKey(entry);
    current = current.filter((existing) => existing === entry || !existing.startsWith(`${key}=`));
    current.push(entry);
  }
  return current;
}

/** True if any of the flags was given. */
function anyChanged(parsed: ParsedCommandLine, ...names: string[]): boolean {
  return names.some((name) => parsed.changed(name));
}

/** A float flag (`strconv.ParseFloat(s, 32)`), or the pflag error. */
function floatValue(parsed: ParsedCommandLine, name: string): number {
  const text = parsed.string(name);
  const value = Number(text);
  if (text.trim() === "" || Number.isNaN(value)) throw new CommandError(`invalid argument ${JSON.stringify(text)} for "--${name}" flag: strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`, 125);
  return Math.fround(value);
}

/** An update or rollback configuration from its flags (`prefix` is `update` or `rollback`), applied to `base`. */
function mergeUpdateConfig(parsed: ParsedCommandLine, prefix: string, base: EngineJson): EngineJson {
  const config: EngineJson = { ...base };
  if (parsed.changed(`${prefix}-parallelism`)) config.Parallelism = unsignedValue(parsed.string(`${prefix}-parallelism`));
  if (parsed.changed(`${prefix}-delay`)) config.Delay = durationValue(parsed, `${prefix}-delay`);
  if (parsed.changed(`${prefix}-monitor`)) config.Monitor = durationValue(parsed, `${prefix}-monitor`);
  if (parsed.changed(`${prefix}-failure-action`)) config.FailureAction = parsed.string(`${prefix}-failure-action`);
  if (parsed.changed(`${prefix}-max-failure-ratio`)) config.MaxFailureRatio = floatValue(parsed, `${prefix}-max-failure-ratio`);
  if (parsed.changed(`${prefix}-order`)) config.Order = parsed.string(`${prefix}-order`);
  return config;
}

/** True if a flag of the update (or rollback) configuration was given. */
function updateConfigChanged(parsed: ParsedCommandLine, prefix: string): boolean {
  return ["parallelism", "delay", "monitor", "failure-action", "max-failure-ratio", "order"].some((suffix) => parsed.changed(`${prefix}-${suffix}`));
}

/** The restart policy from its flags, applied to `base`. */
function mergeRestartPolicy(parsed: ParsedCommandLine, base: EngineJson): EngineJson {
  const policy: EngineJson = { ...base };
  if (parsed.changed("restart-condition")) policy.Condition = parsed.string("restart-condition");
  if (parsed.changed("restart-delay")) policy.Delay = durationValue(parsed, "restart-delay");
  if (parsed.changed("restart-max-attempts")) policy.MaxAttempts = unsignedValue(parsed.string("restart-max-attempts"));
  if (parsed.changed("restart-window")) policy.Window = durationValue(parsed, "restart-window");
  return policy;
}

/** The value of a CPU flag in nano CPUs (0 when not given). */
function nanoCpus(parsed: ParsedCommandLine, name: string): number {
  const text = parsed.string(name);
  return text === "" ? 0 : (parseNanoCpus(text) as { value: number }).value;
}

/** The value of a memory flag in bytes (0 when not given). */
function memoryBytes(parsed: ParsedCommandLine, name: string): number {
  const text = parsed.string(name);
  return text === "" ? 0 : (parseMemoryBytes(text) as { value: number }).value;
}

/** Drops undefined, empty-string, false and zero fields, as Go's `omitempty` does. */
function compact(object: EngineJson): EngineJson {
  const result: EngineJson = {};
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined || value === "" || value === false || value === 0) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    result[key] = value;
  }
  return result;
}

/** Splits a `--entrypoint`/`--args` value as docker's ShlexOpt does (whitespace, quotes). */
function shellWords(text: string): string[] {
  const words: string[] = [];
  let current = "";
  let quote: string | null = null;
  let inWord = false;
  for (const character of text) {
    if (quote !== null) {
      if (character === quote) quote = null;
      else current += character;
    } else if (character === "'" || character === '"') {
      quote = character;
      inWord = true;
    } else if (/\s/.test(character)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += character;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

/** docker/cli `serviceOptions.ToService`: the ServiceSpec `docker service create` sends. */
export function buildServiceSpec(parsed: ParsedCommandLine): EngineJson {
  const [image, ...args] = parsed.positionals;
  const mode = parsed.string("mode");
  const replicasGiven = parsed.changed("replicas");
  const replicas = replicasGiven ? unsignedValue(parsed.string("replicas")) : undefined;
  const maxReplicas = parsed.changed("replicas-max-per-node") ? unsignedValue(parsed.string("replicas-max-per-node")) : 0;
  let serviceMode: EngineJson;
  switch (mode) {
    case "global":
      if (replicasGiven) throw new CommandError("replicas can only be used with replicated or replicated-job mode");
      if (maxReplicas > 0) throw new CommandError("replicas-max-per-node can only be used with replicated or replicated-job mode");
      serviceMode = { Global: {} };
      break;
    case "replicated":
      serviceMode = { Replicated: replicas === undefined ? {} : { Replicas: replicas } };
      break;
    case "replicated-job":
      serviceMode = { ReplicatedJob: compact({ MaxConcurrent: replicas, TotalCompletions: replicas }) };
      break;
    case "global-job":
      if (replicasGiven) throw new CommandError("replicas can only be used with replicated or replicated-job mode");
      serviceMode = { GlobalJob: {} };
      break;
    default:
      throw new CommandError(`Unknown mode: ${mode}, only replicated and global supported`);
  }
  const updateConfig = updateConfigChanged(parsed, "update") ? mergeUpdateConfig(parsed, "update", defaultUpdateConfig) : undefined;
  const rollbackConfig = updateConfigChanged(parsed, "rollback") ? mergeUpdateConfig(parsed, "rollback", defaultUpdateConfig) : undefined;
  if ((serviceMode.ReplicatedJob || serviceMode.GlobalJob) && (updateConfig || rollbackConfig)) throw new CommandError("update and rollback configuration is not supported for jobs");
  const restartPolicy = anyChanged(parsed, "restart-condition", "restart-delay", "restart-max-attempts", "restart-window") ? mergeRestartPolicy(parsed, defaultRestartPolicy) : undefined;
  const ports = parsed.list("publish").flatMap((value) => parsePublish(value));
  const preferences = parsed.list("placement-pref").map((value) => ({ Spread: { SpreadDescriptor: value.slice(value.indexOf("=") + 1) } }));
  const containerSpec: EngineJson = {
    ...compact({
      Image: image,
      // Go's omitempty drops an empty label map here (the service's own Labels are always sent).
      Labels: parsed.list("container-label").length > 0 ? keyValueMap(parsed.list("container-label")) : undefined,
      Command: parsed.changed("entrypoint") ? shellWords(parsed.string("entrypoint")) : undefined,
      Args: args.length > 0 ? args : undefined,
      Hostname: parsed.string("hostname"),
      Env: makeEnvironment(parsed.list("env")),
      Dir: parsed.string("workdir"),
      User: parsed.string("user"),
      StopSignal: parsed.string("stop-signal"),
      TTY: parsed.bool("tty"),
      ReadOnly: parsed.bool("read-only"),
      StopGracePeriod: parsed.changed("stop-grace-period") ? durationValue(parsed, "stop-grace-period") : undefined,
    }),
    Init: parsed.bool("init"),
    DNSConfig: {},
  };
  const spec: EngineJson = {
    Name: parsed.string("name"),
    Labels: keyValueMap(parsed.list("label")),
    TaskTemplate: compact({
      ContainerSpec: containerSpec,
      Resources: {
        Limits: compact({ NanoCPUs: nanoCpus(parsed, "limit-cpu"), MemoryBytes: memoryBytes(parsed, "limit-memory"), Pids: parsed.int("limit-pids") }),
        Reservations: compact({ NanoCPUs: nanoCpus(parsed, "reserve-cpu"), MemoryBytes: memoryBytes(parsed, "reserve-memory") }),
      },
      RestartPolicy: restartPolicy,
      Placement: compact({ Constraints: parsed.list("constraint"), Preferences: preferences, MaxReplicas: maxReplicas }),
      Networks: parsed.list("network").map(parseNetworkAttachment),
    }),
    Mode: serviceMode,
    ...(updateConfig ? { UpdateConfig: updateConfig } : {}),
    ...(rollbackConfig ? { RollbackConfig: rollbackConfig } : {}),
    EndpointSpec: compact({ Mode: parsed.string("endpoint-mode").toLowerCase(), Ports: ports }),
  };
  return spec;
}

/**
 * One `--network` value (docker/cli `opts.NetworkOpt`): a network name or id, or the long form
 * `name=NET,alias=A,driver-opt=K=V`.
 */
export function parseNetworkAttachment(value: string): EngineJson {
  if (!value.includes("=")) return { Target: value };
  const attachment: EngineJson = { Target: "" };
  const aliases: string[] = [];
  const driverOpts: Record<string, string> = {};
  for (const field of value.split(",")) {
    const equals = field.indexOf("=");
    const key = (equals < 0 ? field : field.slice(0, equals)).trim().toLowerCase();
    const fieldValue = equals < 0 ? "" : field.slice(equals + 1).trim();
    if (key === "name" || key === "target") attachment.Target = fieldValue;
    else if (key === "alias") aliases.push(fieldValue);
    else if (key === "driver-opt") {
      const optEquals = fieldValue.indexOf("=");
      driverOpts[optEquals < 0 ? fieldValue : fieldValue.slice(0, optEquals)] = optEquals < 0 ? "" : fieldValue.slice(optEquals + 1);
    } else throw new CommandError(`invalid argument "${value}" for "--network" flag: invalid field key ${key}`);
  }
  if (aliases.length > 0) attachment.Aliases = aliases;
  if (Object.keys(driverOpts).length > 0) attachment.DriverOpts = driverOpts;
  return attachment;
}

/** The text docker/cli's `portConfigToString` gives a port, to compare and sort ports. */
function portKey(port: EngineJson): string {
  return `${port.PublishedPort ?? 0}:${port.TargetPort ?? 0}/${String(port.Protocol ?? "tcp").toLowerCase()}/${String(port.PublishMode ?? "ingress").toLowerCase()}`;
}

/**
 * docker/cli `updateService`: the changes the update flags make to a copy of the current spec.
 * Environment variables added by `--env-add` keep the order they had, new ones follow in the
 * order given (Go's map order makes docker's own order vary from run to run).
 */
export function applyServiceUpdate(current: EngineJson, parsed: ParsedCommandLine): EngineJson {
  const spec: EngineJson = JSON.parse(JSON.stringify(current)) as EngineJson;
  spec.TaskTemplate ??= {};
  const task = spec.TaskTemplate as EngineJson;
  task.ContainerSpec ??= {};
  const container = task.ContainerSpec as EngineJson;
  if (anyChanged(parsed, "label-add", "label-rm")) {
    const labels: Record<string, string> = { ...(spec.Labels ?? {}), ...keyValueMap(parsed.list("label-add")) };
    for (const key of parsed.list("label-rm")) delete labels[key];
    spec.Labels = labels;
  }
  if (anyChanged(parsed, "container-label-add", "container-label-rm")) {
    const labels: Record<string, string> = { ...(container.Labels ?? {}), ...keyValueMap(parsed.list("container-label-add")) };
    for (const key of parsed.list("container-label-rm")) delete labels[key];
    container.Labels = labels;
  }
  if (parsed.changed("image")) container.Image = parsed.string("image");
  if (parsed.changed("args")) container.Args = shellWords(parsed.string("args"));
  if (parsed.changed("entrypoint")) container.Command = shellWords(parsed.string("entrypoint"));
  if (anyChanged(parsed, "env-add", "env-rm")) {
    const removed = new Set(parsed.list("env-rm"));
    const environment = ((container.Env ?? []) as string[]).filter((entry) => !removed.has(environmentKey(entry)) && !removed.has(entry));
    for (const entry of parsed.list("env-add")) {
      const index = environment.findIndex((existing) => environmentKey(existing) === environmentKey(entry));
      if (index >= 0) environment[index] = entry;
      else environment.push(entry);
    }
    container.Env = environment;
  }
  if (parsed.changed("workdir")) container.Dir = parsed.string("workdir");
  if (parsed.changed("user")) container.User = parsed.string("user");
  if (parsed.changed("hostname")) container.Hostname = parsed.string("hostname");
  if (parsed.changed("init")) container.Init = parsed.bool("init");
  if (anyChanged(parsed, "limit-cpu", "limit-memory", "limit-pids")) {
    task.Resources = { Limits: {}, Reservations: {}, ...(task.Resources ?? {}) };
    const limits: EngineJson = { ...(task.Resources.Limits ?? {}) };
    if (parsed.changed("limit-cpu")) limits.NanoCPUs = nanoCpus(parsed, "limit-cpu");
    if (parsed.changed("limit-memory")) limits.MemoryBytes = memoryBytes(parsed, "limit-memory");
    if (parsed.changed("limit-pids")) limits.Pids = parsed.int("limit-pids");
    task.Resources.Limits = limits;
  }
  if (anyChanged(parsed, "reserve-cpu", "reserve-memory")) {
    task.Resources = { Limits: {}, Reservations: {}, ...(task.Resources ?? {}) };
    const reservations: EngineJson = { ...(task.Resources.Reservations ?? {}) };
    if (parsed.changed("reserve-cpu")) reservations.NanoCPUs = nanoCpus(parsed, "reserve-cpu");
    if (parsed.changed("reserve-memory")) reservations.MemoryBytes = memoryBytes(parsed, "reserve-memory");
    task.Resources.Reservations = reservations;
  }
  if (parsed.changed("stop-grace-period")) container.StopGracePeriod = durationValue(parsed, "stop-grace-period");
  if (anyChanged(parsed, "restart-condition", "restart-delay", "restart-max-attempts", "restart-window")) {
    task.RestartPolicy = mergeRestartPolicy(parsed, task.RestartPolicy ?? defaultRestartPolicy);
  }
  if (anyChanged(parsed, "constraint-add", "constraint-rm")) {
    task.Placement ??= {};
    const removed = new Set(parsed.list("constraint-rm"));
    const constraints = [...((task.Placement.Constraints ?? []) as string[]), ...parsed.list("constraint-add")].filter((constraint) => !removed.has(constraint));
    task.Placement.Constraints = constraints.sort();
  }
  if (anyChanged(parsed, "placement-pref-add", "placement-pref-rm")) {
    task.Placement ??= {};
    const removed = new Set(parsed.list("placement-pref-rm").map((value) => value.slice(value.indexOf("=") + 1)));
    const preferences = ((task.Placement.Preferences ?? []) as EngineJson[]).filter((preference) => !removed.has(String(preference.Spread?.SpreadDescriptor)));
    for (const value of parsed.list("placement-pref-add")) preferences.push({ Spread: { SpreadDescriptor: value.slice(value.indexOf("=") + 1) } });
    task.Placement.Preferences = preferences;
  }
  if (parsed.changed("replicas")) {
    if (!spec.Mode?.Replicated) throw new CommandError("replicas can only be used with replicated mode");
    spec.Mode.Replicated.Replicas = unsignedValue(parsed.string("replicas"));
  }
  if (parsed.changed("replicas-max-per-node")) {
    task.Placement ??= {};
    task.Placement.MaxReplicas = unsignedValue(parsed.string("replicas-max-per-node"));
  }
  if (updateConfigChanged(parsed, "update")) spec.UpdateConfig = mergeUpdateConfig(parsed, "update", spec.UpdateConfig ?? defaultUpdateConfig);
  if (updateConfigChanged(parsed, "rollback")) spec.RollbackConfig = mergeUpdateConfig(parsed, "rollback", spec.RollbackConfig ?? defaultUpdateConfig);
  if (parsed.changed("endpoint-mode")) spec.EndpointSpec = { ...(spec.EndpointSpec ?? {}), Mode: parsed.string("endpoint-mode") };
  if (anyChanged(parsed, "publish-add", "publish-rm")) {
    spec.EndpointSpec ??= {};
    const existing = new Map<string, EngineJson>();
    for (const port of (spec.EndpointSpec.Ports ?? []) as EngineJson[]) if (!existing.has(portKey(port))) existing.set(portKey(port), port);
    const removed = parsed.list("publish-rm").flatMap((value) => parsePublish(value));
    const ports = [...existing.values()].filter(
      (port) => !removed.some((remove) => String(port.Protocol ?? "tcp") === String(remove.Protocol ?? "tcp") && port.TargetPort === remove.TargetPort),
    );
    for (const port of parsed.list("publish-add").flatMap((value) => parsePublish(value))) if (!existing.has(portKey(port))) ports.push(port);
    spec.EndpointSpec.Ports = ports.sort((left, right) => (portKey(left) < portKey(right) ? -1 : portKey(left) > portKey(right) ? 1 : 0));
  }
  if (parsed.bool("force")) task.ForceUpdate = Number(task.ForceUpdate ?? 0) + 1;
  if (parsed.changed("tty")) container.TTY = parsed.bool("tty");
  if (parsed.changed("read-only")) container.ReadOnly = parsed.bool("read-only");
  if (parsed.changed("stop-signal")) container.StopSignal = parsed.string("stop-signal");
  return spec;
}
