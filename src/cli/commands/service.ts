/**
 * `docker service create|ls|ps|inspect|logs|scale|update|rm` (docker/cli
 * `cli/command/service`): specs built from the flags, the service table (ID NAME MODE
 * REPLICAS IMAGE PORTS, replicas counted from the tasks), the task table, `inspect --pretty`,
 * task-prefixed logs, and the wait for convergence of `create`/`update`/`scale` without `-d`
 * (see `service-progress.ts`).
 */
import { EngineApiError, type EngineJson } from "../../engine/client.js";
import type { ParsedCommandLine } from "../flags.js";
import { shortId } from "../ids.js";
import { bytesSize, humanDuration } from "../units.js";
import { attempt, CommandError, errorText, isNotFound, sortNaturally, type CommandContext, type DockerCommand } from "./context.js";
import { inspectFormatHelp, writeInspect } from "./inspect.js";
import { applyServiceUpdate, buildServiceSpec, createFlags, updateFlags } from "./service-options.js";
import { waitOnService } from "./service-progress.js";
import { formatGoDuration, imageWithoutDigest, NameResolver, nodeReference, parseApiTime, renderTasks, type FilterMap } from "./swarm-values.js";
import { filterFlag, formatHelp, parseFilterFlags, writeFormatted } from "./table-format.js";

/**
 * docker/cli `convertNetworks`: each `--network` must name a swarm network (`GET
 * /networks/{name}?scope=swarm`), and the attachments are sorted by target. The daemon then
 * replaces names with ids (moby's `populateNetworkID`); here the CLI sends the id it found, which
 * gives the same spec.
 */
function resolveNetworks(spec: EngineJson, context: CommandContext): void {
  const networks = (spec.TaskTemplate?.Networks ?? []) as EngineJson[];
  if (networks.length === 0) return;
  const resolved = networks.map((network) => ({ ...network, Target: String(context.client.networkInspect(String(network.Target), { scope: "swarm" }).Id) }));
  spec.TaskTemplate.Networks = resolved.sort((left, right) => (left.Target < right.Target ? -1 : left.Target > right.Target ? 1 : 0));
}

/** `docker service create [OPTIONS] IMAGE [COMMAND] [ARG...]`. */
export const serviceCreateCommand: DockerCommand = {
  definition: {
    path: "docker service create",
    usage: "docker service create [OPTIONS] IMAGE [COMMAND] [ARG...]",
    description: "Create a new service",
    arguments: { kind: "atLeast", count: 1 },
    interspersed: false,
    flags: createFlags,
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const spec = buildServiceSpec(parsed);
    resolveNetworks(spec, context);
    // docker/cli: the registry is asked for the image's digest and platforms unless --no-resolve-image.
    const response = context.client.serviceCreate(spec, { queryRegistry: !parsed.bool("no-resolve-image") });
    for (const warning of response.Warnings ?? []) context.output.errLine(warning);
    context.output.outLine(response.ID);
    if (!parsed.bool("detach")) waitOnService(context, response.ID, parsed.bool("quiet"));
    return 0;
  },
};

/** The headers of `docker service ls`. */
const serviceHeaders: Readonly<Record<string, string>> = { ID: "ID", Name: "NAME", Mode: "MODE", Replicas: "REPLICAS", Image: "IMAGE", Ports: "PORTS" };

/** The MODE column. */
function serviceMode(service: EngineJson): string {
  const mode = service.Spec?.Mode ?? {};
  if (mode.Global) return "global";
  if (mode.Replicated) return "replicated";
  if (mode.ReplicatedJob) return "replicated job";
  if (mode.GlobalJob) return "global job";
  return "";
}

/** docker/cli `serviceContext.Ports`: ingress ports, consecutive ones folded into ranges. */
export function servicePorts(service: EngineJson): string {
  const ports = ((service.Endpoint?.Ports ?? []) as EngineJson[]).slice().sort((left, right) => {
    if (left.Protocol === right.Protocol) return Number(left.PublishedPort) - Number(right.PublishedPort);
    return String(left.Protocol) < String(right.Protocol) ? -1 : 1;
  });
  const unsigned = (value: number): number => value >>> 0;
  let range = { publishedStart: 0, publishedEnd: 0, targetStart: 0, targetEnd: 0, protocol: "" };
  const rangeText = (): string => {
    const published = range.publishedEnd > range.publishedStart ? `${range.publishedStart}-${range.publishedEnd}` : `${range.publishedStart}`;
    const target = range.targetEnd > range.targetStart ? `${range.targetStart}-${range.targetEnd}` : `${range.targetStart}`;
    return `*:${published}->${target}/${range.protocol}`;
  };
  const texts: string[] = [];
  for (const port of ports) {
    if (port.PublishMode !== "ingress") continue;
    const published = Number(port.PublishedPort ?? 0);
    const target = Number(port.TargetPort ?? 0);
    const isRange = range.targetEnd !== range.targetStart;
    const overlaps = target <= range.targetEnd;
    if (port.Protocol !== range.protocol || unsigned(published - range.publishedEnd) > 1 || unsigned(target - range.targetEnd) > 1 || (isRange && overlaps)) {
      if (range.publishedStart > 0) texts.push(rangeText());
      range = { publishedStart: published, publishedEnd: published, targetStart: target, targetEnd: target, protocol: String(port.Protocol) };
      continue;
    }
    range.publishedEnd = published;
    range.targetEnd = target;
  }
  if (range.publishedStart > 0) texts.push(rangeText());
  return texts.join(", ");
}

/** docker/cli `AppendServiceStatus`: running and desired task counts for services the daemon sent none for. */
function appendServiceStatus(context: CommandContext, services: EngineJson[]): EngineJson[] {
  const counted = new Map<string, { RunningTasks: number; DesiredTasks: number }>();
  const result = services.map((service) => {
    if (service.ServiceStatus) return service;
    if (service.Spec?.Mode?.Replicated) {
      counted.set(String(service.ID), { RunningTasks: 0, DesiredTasks: 0 });
      return { ...service, ServiceStatus: { RunningTasks: 0, DesiredTasks: Number(service.Spec.Mode.Replicated.Replicas ?? 0) } };
    }
    if (service.Spec?.Mode?.Global) {
      counted.set(String(service.ID), { RunningTasks: 0, DesiredTasks: 0 });
      return { ...service, ServiceStatus: { RunningTasks: 0, DesiredTasks: 0 } };
    }
    return service;
  });
  if (counted.size === 0) return result;
  const tasks = context.client.taskList({ filters: { service: [...counted.keys()] } });
  if (tasks.length === 0) return result;
  const activeNodes = new Set(context.client.nodeList().filter((node) => node.Status?.State !== "down").map((node) => String(node.ID)));
  for (const task of tasks) {
    const status = counted.get(String(task.ServiceID));
    if (!status) continue;
    if (task.DesiredState !== "shutdown") status.DesiredTasks++;
    if (activeNodes.has(String(task.NodeID)) && task.Status?.State === "running") status.RunningTasks++;
  }
  return result.map((service) => {
    const status = counted.get(String(service.ID));
    return status ? { ...service, ServiceStatus: status } : service;
  });
}

/** The fields of one `service ls` row. */
function serviceFields(service: EngineJson): Record<string, string> {
  const status = service.ServiceStatus ?? {};
  const running = Number(status.RunningTasks ?? 0);
  const desired = Number(status.DesiredTasks ?? 0);
  const completed = Number(status.CompletedTasks ?? 0);
  const mode = service.Spec?.Mode ?? {};
  let replicas = `${running}/${desired}`;
  const maxReplicas = Number(service.Spec?.TaskTemplate?.Placement?.MaxReplicas ?? 0);
  if (mode.ReplicatedJob) replicas = `${running}/${desired} (${completed}/${Number(mode.ReplicatedJob.TotalCompletions ?? 0)} completed)`;
  else if (mode.GlobalJob) replicas = `${running}/${desired} (${completed}/${desired + completed} completed)`;
  else if (mode.Replicated && maxReplicas > 0) replicas = `${running}/${desired} (max ${maxReplicas} per node)`;
  return {
    ID: shortId(String(service.ID ?? "")),
    Name: String(service.Spec?.Name ?? ""),
    Mode: serviceMode(service),
    Replicas: replicas,
    Image: imageWithoutDigest(String(service.Spec?.TaskTemplate?.ContainerSpec?.Image ?? "")),
    Ports: servicePorts(service),
  };
}

/** `docker service ls [OPTIONS]`. */
export const serviceListCommand: DockerCommand = {
  definition: {
    path: "docker service ls",
    usage: "docker service ls [OPTIONS]",
    description: "List services",
    aliases: ["docker service ls", "docker service list"],
    arguments: { kind: "none" },
    flags: [
      { name: "quiet", shorthand: "q", kind: "bool", description: "Only display IDs" },
      { name: "format", kind: "string", description: formatHelp },
      filterFlag("Filter output based on conditions provided"),
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const quiet = parsed.bool("quiet");
    const filters = parseFilterFlags(parsed.list("filter"));
    let services = context.client.serviceList({ ...(Object.keys(filters).length > 0 ? { filters } : {}), ...(quiet ? {} : { status: true }) });
    if (!quiet) services = appendServiceStatus(context, services);
    let format = parsed.string("format");
    if (format === "" || format === "table") format = quiet ? "{{.ID}}" : "table {{.ID}}\t{{.Name}}\t{{.Mode}}\t{{.Replicas}}\t{{.Image}}\t{{.Ports}}";
    const rows = sortNaturally(services, (service) => String(service.Spec?.Name ?? "")).map(serviceFields);
    context.output.out(writeFormatted(format, serviceHeaders, rows));
    return 0;
  },
};

/** `docker service ps [OPTIONS] SERVICE [SERVICE...]`. */
export const serviceTasksCommand: DockerCommand = {
  definition: {
    path: "docker service ps",
    usage: "docker service ps [OPTIONS] SERVICE [SERVICE...]",
    description: "List the tasks of one or more services",
    arguments: { kind: "atLeast", count: 1 },
    flags: [
      { name: "quiet", shorthand: "q", kind: "bool", description: "Only display task IDs" },
      { name: "no-trunc", kind: "bool", description: "Do not truncate output" },
      { name: "no-resolve", kind: "bool", description: "Do not map IDs to Names" },
      { name: "format", kind: "string", description: "Pretty-print tasks using a Go template" },
      filterFlag("Filter output based on conditions provided"),
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const { client } = context;
    const references = parsed.positionals;
    const filters: FilterMap = parseFilterFlags(parsed.list("filter"));
    const byId = client.serviceList({ filters: { id: [...references] } });
    const byName = client.serviceList({ filters: { name: [...references] } });
    const notFound: string[] = [];
    let found = 0;
    const addService = (id: string): void => {
      (filters.service ??= []).includes(id) || filters.service.push(id);
      found++;
    };
    for (const reference of references) {
      const exact = byId.find((service) => service.ID === reference) ?? byName.find((service) => service.Spec?.Name === reference);
      if (exact) {
        addService(String(exact.ID));
        continue;
      }
      const prefixed = byId.filter((service) => String(service.ID).startsWith(reference));
      if (prefixed.length > 1) throw new CommandError(`multiple services found with provided prefix: ${reference}`);
      if (prefixed.length === 1) addService(String(prefixed[0]!.ID));
      else notFound.push(`no such service: ${reference}`);
    }
    if (found === 0) throw new CommandError(notFound.join("\n"));
    if (filters.node) filters.node = filters.node.map((node) => nodeReference(client, node));
    const tasks = client.taskList({ filters });
    const quiet = parsed.bool("quiet");
    const resolver = new NameResolver(client, parsed.bool("no-resolve"));
    context.output.out(renderTasks(tasks, resolver, { truncate: !(parsed.bool("no-trunc") || quiet), quiet, format: parsed.string("format"), nowMs: context.nowWallMs() }));
    if (notFound.length > 0) throw new CommandError(notFound.join("\n"));
    return 0;
  },
};

/** Go's `%v` of a float32: the shortest decimal that reads back as the same float32. */
function float32Text(value: number): string {
  for (let precision = 1; precision <= 9; precision++) {
    const text = value.toPrecision(precision);
    if (Math.fround(Number(text)) === Math.fround(value)) return String(Number(text));
  }
  return String(value);
}

/** The `UpdateConfig:`/`RollbackConfig:` block of the pretty template. */
function prettyUpdateConfig(title: string, orderTitle: string, config: EngineJson): string {
  let text = `\n${title}:\n Parallelism:\t${Number(config.Parallelism ?? 0)}`;
  if (Number(config.Delay ?? 0) > 0) text += `\n Delay:\t\t${formatGoDuration(Number(config.Delay))}`;
  text += `\n On failure:\t${config.FailureAction ?? ""}`;
  if (Number(config.Monitor ?? 0) > 0) text += `\n Monitoring Period: ${formatGoDuration(Number(config.Monitor))}`;
  text += `\n Max failure ratio: ${float32Text(Number(config.MaxFailureRatio ?? 0))}`;
  text += `\n ${orderTitle}${config.Order ?? ""}`;
  return text;
}

/** docker/cli's `serviceInspectPrettyTemplate` for one service, with the newline the formatter adds. */
export function prettyService(service: EngineJson, networkNames: ReadonlyMap<string, string>, nowMs: number): string {
  const spec = service.Spec ?? {};
  const task = spec.TaskTemplate ?? {};
  const container = task.ContainerSpec ?? {};
  let text = `\nID:\t\t${service.ID ?? ""}\nName:\t\t${spec.Name ?? ""}`;
  const labels = (spec.Labels ?? {}) as Record<string, string>;
  if (Object.keys(labels).length > 0) {
    text += "\nLabels:";
    for (const key of Object.keys(labels).sort()) text += `\n ${key}${labels[key] ? `=${labels[key]}` : ""}`;
  }
  text += "\nService Mode:";
  if (spec.Mode?.Global) text += "\tGlobal";
  else if (spec.Mode?.Replicated) {
    text += "\tReplicated";
    if (spec.Mode.Replicated.Replicas !== undefined && spec.Mode.Replicated.Replicas !== null) text += `\n Replicas:\t${spec.Mode.Replicated.Replicas}`;
  }
  const updateStatus = service.UpdateStatus;
  if (updateStatus && updateStatus.State) {
    text += `\nUpdateStatus:\n State:\t\t${updateStatus.State}`;
    if (updateStatus.StartedAt) text += `\n Started:\t${humanDuration(nowMs - parseApiTime(updateStatus.StartedAt))} ago`;
    if (updateStatus.State === "completed" && updateStatus.CompletedAt) text += `\n Completed:\t${humanDuration(nowMs - parseApiTime(updateStatus.CompletedAt))} ago`;
    text += `\n Message:\t${updateStatus.Message ?? ""}`;
  }
  text += "\nPlacement:";
  const placement = task.Placement ?? {};
  if ((placement.Constraints ?? []).length > 0) text += `\n Constraints:\t[${(placement.Constraints as string[]).join(" ")}]`;
  const preferences = ((placement.Preferences ?? []) as EngineJson[]).filter((preference) => preference.Spread).map((preference) => `spread=${preference.Spread.SpreadDescriptor}`);
  if (preferences.length > 0) text += `\n Preferences:   [${preferences.join(" ")}]`;
  if (Number(placement.MaxReplicas ?? 0) > 0) text += `\n Max Replicas Per Node:   ${placement.MaxReplicas}`;
  if (spec.UpdateConfig) text += prettyUpdateConfig("UpdateConfig", "Update order:      ", spec.UpdateConfig);
  if (spec.RollbackConfig) text += prettyUpdateConfig("RollbackConfig", "Rollback order:    ", spec.RollbackConfig);
  text += `\nContainerSpec:\n Image:\t\t${container.Image ?? ""}`;
  if ((container.Args ?? []).length > 0) text += `\n Args:\t\t${(container.Args as string[]).map((argument) => `${argument} `).join("")}`;
  if ((container.Env ?? []).length > 0) text += `\n Env:\t\t${(container.Env as string[]).map((entry) => `${entry} `).join("")}`;
  if (container.Dir) text += `\n Dir:\t\t${container.Dir}`;
  if (container.Init !== undefined && container.Init !== null) text += `\n Init:\t\t${container.Init}`;
  if (container.User) text += `\n User: ${container.User}`;
  const mounts = (container.Mounts ?? []) as EngineJson[];
  if (mounts.length > 0) {
    text += "\nMounts:";
    for (const mount of mounts) text += `\n Target:\t${mount.Target ?? ""}\n  Source:\t${mount.Source ?? ""}\n  ReadOnly:\t${mount.ReadOnly === true}\n  Type:\t\t${mount.Type ?? ""}`;
  }
  const resources = task.Resources;
  if (resources) {
    text += "\nResources:";
    const reservations = resources.Reservations;
    if (reservations && (Number(reservations.NanoCPUs ?? 0) > 0 || Number(reservations.MemoryBytes ?? 0) > 0)) {
      text += "\n Reservations:";
      if (Number(reservations.NanoCPUs ?? 0) > 0) text += `\n  CPU:\t\t${Number(reservations.NanoCPUs) / 1e9}`;
      if (Number(reservations.MemoryBytes ?? 0) > 0) text += `\n  Memory:\t${bytesSize(Number(reservations.MemoryBytes))}`;
    }
    const limits = resources.Limits;
    if (limits && (Number(limits.NanoCPUs ?? 0) > 0 || Number(limits.MemoryBytes ?? 0) > 0 || Number(limits.Pids ?? 0) > 0)) {
      text += "\n Limits:";
      if (Number(limits.NanoCPUs ?? 0) > 0) text += `\n  CPU:\t\t${Number(limits.NanoCPUs) / 1e9}`;
      if (Number(limits.MemoryBytes ?? 0) > 0) text += `\n  Memory:\t${bytesSize(Number(limits.MemoryBytes))}`;
    }
    if (Number(limits?.Pids ?? 0) > 0) text += `\n  PIDs:\t\t${limits.Pids}`;
  }
  const networks = ((task.Networks ?? []) as EngineJson[]).map((network) => networkNames.get(String(network.Target)) ?? String(network.Target));
  if (networks.length > 0) text += `\nNetworks:${networks.map((name) => ` ${name}`).join("")} `;
  text += `\nEndpoint Mode:\t${spec.EndpointSpec?.Mode ?? ""}`;
  const ports = (service.Endpoint?.Ports ?? []) as EngineJson[];
  if (ports.length > 0) {
    text += "\nPorts:";
    for (const port of ports) text += `\n PublishedPort = ${port.PublishedPort ?? 0}\n  Protocol = ${port.Protocol ?? ""}\n  TargetPort = ${port.TargetPort ?? 0}\n  PublishMode = ${port.PublishMode ?? ""}`;
    text += " ";
  }
  return `${text}\n\n`;
}

/** `docker service inspect [OPTIONS] SERVICE [SERVICE...]`. */
export const serviceInspectCommand: DockerCommand = {
  definition: {
    path: "docker service inspect",
    usage: "docker service inspect [OPTIONS] SERVICE [SERVICE...]",
    description: "Display detailed information on one or more services",
    arguments: { kind: "atLeast", count: 1 },
    flags: [
      { name: "format", shorthand: "f", kind: "string", description: inspectFormatHelp },
      { name: "pretty", kind: "bool", description: "Print the information in a human friendly format" },
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const pretty = parsed.bool("pretty");
    if (pretty && parsed.string("format") !== "") throw new CommandError("--format is incompatible with human friendly format");
    const format = pretty ? "pretty" : parsed.string("format") === "" ? "raw" : parsed.string("format");
    if (format.startsWith("pretty") && format !== "pretty") throw new CommandError("Cannot supply extra formatting options to the pretty template");
    const getter = (reference: string): EngineJson => {
      try {
        return context.client.serviceInspect(reference, { insertDefaults: true });
      } catch (error) {
        if (isNotFound(error)) throw new CommandError(`Error: no such service: ${reference}`);
        throw error;
      }
    };
    if (format !== "pretty") return writeInspect(context.output, parsed.positionals, format.startsWith("raw") ? format.slice(3) : format, getter);
    let text = "";
    for (const reference of parsed.positionals) {
      const outcome = attempt(() => getter(reference));
      if (!outcome.ok) throw new CommandError(outcome.text);
      const names = new Map<string, string>();
      for (const network of (outcome.value.Spec?.TaskTemplate?.Networks ?? []) as EngineJson[]) {
        const found = attempt(() => context.client.networkInspect(String(network.Target)));
        if (found.ok) names.set(String(found.value.Id ?? network.Target), String(found.value.Name));
      }
      text += prettyService(outcome.value, names, context.nowWallMs());
    }
    context.output.out(text);
    return 0;
  },
};

/** moby `logdetails.Parse`: `k=v,k2=v2` with URL-escaped values. */
function parseLogDetails(text: string): Map<string, string> | null {
  const details = new Map<string, string>();
  for (const pair of text.split(",")) {
    const equals = pair.indexOf("=");
    if (equals < 0) return null;
    try {
      details.set(decodeURIComponent(pair.slice(0, equals)), decodeURIComponent(pair.slice(equals + 1)));
    } catch {
      return null;
    }
  }
  return details;
}

/** `docker service logs [OPTIONS] SERVICE|TASK`. */
export const serviceLogsCommand: DockerCommand = {
  definition: {
    path: "docker service logs",
    usage: "docker service logs [OPTIONS] SERVICE|TASK",
    description: "Fetch the logs of a service or task",
    arguments: { kind: "exactly", count: 1 },
    flags: [
      { name: "no-resolve", kind: "bool", description: "Do not map IDs to Names in output" },
      { name: "no-trunc", kind: "bool", description: "Do not truncate output" },
      { name: "raw", kind: "bool", description: "Do not neatly format logs" },
      { name: "no-task-ids", kind: "bool", description: "Do not include task IDs in output" },
      { name: "follow", shorthand: "f", kind: "bool", description: "Follow log output" },
      { name: "since", kind: "string", description: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
      { name: "timestamps", shorthand: "t", kind: "bool", description: "Show timestamps" },
      { name: "details", kind: "bool", description: "Show extra details provided to logs" },
      { name: "tail", shorthand: "n", kind: "string", default: "all", description: "Number of lines to show from the end of the logs" },
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const { client } = context;
    const target = parsed.positionals[0]!;
    const raw = parsed.bool("raw");
    const timestamps = parsed.bool("timestamps");
    const query = { stdout: true, stderr: true, timestamps, tail: parsed.string("tail"), details: parsed.bool("details") || !raw };
    let padding = 1;
    let tty = false;
    let frames: { stream: 1 | 2; text: string }[];
    const serviceOutcome = attempt(() => client.serviceInspect(target));
    if (serviceOutcome.ok) {
      const service = serviceOutcome.value;
      tty = service.Spec?.TaskTemplate?.ContainerSpec?.TTY === true;
      const replicas = service.Spec?.Mode?.Replicated?.Replicas;
      if (replicas !== undefined && replicas !== null) padding = String(replicas).length;
      if (tty && !raw) throw new CommandError("tty service logs only supported with --raw");
      frames = client.serviceLogs(target, query);
    } else {
      if (!isNotFound(serviceOutcome.error)) throw serviceOutcome.error;
      let task: EngineJson;
      try {
        task = client.taskInspect(target);
      } catch (error) {
        if (isNotFound(error)) throw new CommandError(`no such task or service: ${target}`);
        throw error;
      }
      tty = task.Spec?.ContainerSpec?.TTY === true;
      padding = String(Number(task.Slot ?? 0)).length;
      if (tty && !raw) throw new CommandError("tty service logs only supported with --raw");
      const response = client.request({ method: "GET", path: `/tasks/${encodeURIComponent(target)}/logs`, query: Object.fromEntries(Object.entries(query).map(([key, value]) => [key, typeof value === "boolean" ? (value ? "1" : "0") : String(value)])) });
      if (response.statusCode >= 400) throw new EngineApiError(response.statusCode, String((response.body as { message?: string } | null)?.message ?? ""));
      frames = (response.body as { frames: { stream: 1 | 2; text: string }[] }).frames;
    }
    const resolver = new NameResolver(client, parsed.bool("no-resolve"));
    const prefixes = new Map<string, string>();
    const prefix = (details: Map<string, string>): string => {
      const key = `${details.get("com.docker.swarm.node.id")}/${details.get("com.docker.swarm.service.id")}/${details.get("com.docker.swarm.task.id")}`;
      const cached = prefixes.get(key);
      if (cached !== undefined) return cached;
      const nodeName = resolver.node(details.get("com.docker.swarm.node.id")!);
      const serviceName = resolver.service(details.get("com.docker.swarm.service.id")!);
      const task = client.taskInspect(details.get("com.docker.swarm.task.id")!);
      const slot = Number(task.Slot ?? 0);
      let name = `${serviceName}.${slot}`;
      if (!parsed.bool("no-task-ids")) name += `.${parsed.bool("no-trunc") ? task.ID : shortId(String(task.ID))}`;
      const text = `${name}@${nodeName}${" ".repeat(Math.max(0, padding - String(slot).length))}`;
      prefixes.set(key, text);
      return text;
    };
    for (const frame of frames) {
      const write = (text: string): void => (frame.stream === 2 ? context.output.err(text) : context.output.out(text));
      if (tty || raw) {
        write(frame.text);
        continue;
      }
      const parts = frame.text.split(" ");
      const detailsIndex = timestamps ? 1 : 0;
      const details = parts.length > detailsIndex + 1 ? parseLogDetails(parts[detailsIndex]!) : null;
      if (details === null || !details.has("com.docker.swarm.node.id") || !details.has("com.docker.swarm.service.id") || !details.has("com.docker.swarm.task.id")) {
        throw new CommandError(`invalid context in log message: ${frame.text}`);
      }
      const message = parts.slice(detailsIndex + 1).join(" ");
      let line = timestamps ? `${parts[0]} ` : "";
      line += `${prefix(details)}    | `;
      if (parsed.bool("details")) {
        const extra = [...details].filter(([key]) => !key.startsWith("com.docker.swarm.")).map(([key, value]) => `${key}=${value}`);
        line += `${extra.sort().join(",")} `;
      }
      write(line + message);
    }
    return 0;
  },
};

/** The usage error of a malformed `service scale` argument (docker/cli `scaleArgs`). */
function checkScaleArguments(arguments_: readonly string[]): void {
  for (const argument of arguments_) {
    const equals = argument.indexOf("=");
    if (equals <= 0 || equals === argument.length - 1) {
      throw new CommandError(
        `invalid scale specifier '${argument}'.\nSee 'docker service scale --help'.\n\nUsage:  docker service scale SERVICE=REPLICAS [SERVICE=REPLICAS...]\n\nScale one or multiple replicated services`,
      );
    }
  }
}

/** `docker service scale SERVICE=REPLICAS [SERVICE=REPLICAS...]`. */
export const serviceScaleCommand: DockerCommand = {
  definition: {
    path: "docker service scale",
    usage: "docker service scale SERVICE=REPLICAS [SERVICE=REPLICAS...]",
    description: "Scale one or multiple replicated services",
    arguments: { kind: "atLeast", count: 1 },
    flags: [{ name: "detach", shorthand: "d", kind: "bool", description: "Exit immediately instead of waiting for the service to converge" }],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    checkScaleArguments(parsed.positionals);
    const errors: string[] = [];
    const scaled: string[] = [];
    for (const argument of parsed.positionals) {
      const equals = argument.indexOf("=");
      const serviceId = argument.slice(0, equals);
      const scaleText = argument.slice(equals + 1);
      if (!/^\d+$/.test(scaleText)) {
        errors.push(`${serviceId}: invalid replicas value ${scaleText}: strconv.ParseUint: parsing ${JSON.stringify(scaleText)}: invalid syntax`);
        continue;
      }
      const scale = Number(scaleText);
      const outcome = attempt(() => {
        const service = context.client.serviceInspect(serviceId);
        const spec: EngineJson = JSON.parse(JSON.stringify(service.Spec ?? {})) as EngineJson;
        if (spec.Mode?.Replicated) spec.Mode.Replicated.Replicas = scale;
        else if (spec.Mode?.ReplicatedJob) spec.Mode.ReplicatedJob.TotalCompletions = scale;
        else throw new CommandError("scale can only be used with replicated or replicated-job mode");
        return context.client.serviceUpdate(String(service.ID), spec, { version: Number(service.Version?.Index ?? 0) });
      });
      if (!outcome.ok) {
        errors.push(`${serviceId}: ${outcome.text}`);
        continue;
      }
      for (const warning of outcome.value.Warnings ?? []) context.output.errLine(warning);
      context.output.outLine(`${serviceId} scaled to ${scale}`);
      scaled.push(serviceId);
    }
    if (!parsed.bool("detach")) {
      for (const serviceId of scaled) {
        const outcome = attempt(() => waitOnService(context, serviceId, false));
        if (!outcome.ok) errors.push(`${serviceId}: ${outcome.text}`);
      }
    }
    if (errors.length > 0) throw new CommandError(errors.join("\n"));
    return 0;
  },
};

/** `docker service update [OPTIONS] SERVICE`. */
export const serviceUpdateCommand: DockerCommand = {
  definition: {
    path: "docker service update",
    usage: "docker service update [OPTIONS] SERVICE",
    description: "Update a service",
    arguments: { kind: "exactly", count: 1 },
    flags: updateFlags,
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const reference = parsed.positionals[0]!;
    const service = context.client.serviceInspect(reference);
    const rollback = parsed.bool("rollback");
    if (rollback && updateFlags.some((flag) => !["rollback", "detach", "quiet"].includes(flag.name) && parsed.changed(flag.name))) {
      throw new CommandError("other flags may not be combined with --rollback");
    }
    const spec = rollback ? (service.Spec ?? {}) : applyServiceUpdate(service.Spec ?? {}, parsed);
    // docker/cli: a new --image is pinned to its digest unless --no-resolve-image.
    const queryRegistry = parsed.changed("image") && !parsed.bool("no-resolve-image");
    const response = context.client.serviceUpdate(
      String(service.ID),
      spec,
      { version: Number(service.Version?.Index ?? 0), ...(rollback ? { rollback: "previous" as const } : {}) },
      { queryRegistry },
    );
    for (const warning of response.Warnings ?? []) context.output.errLine(warning);
    context.output.outLine(reference);
    if (!parsed.bool("detach")) waitOnService(context, reference, parsed.bool("quiet"));
    return 0;
  },
};

/**
 * `docker service rollback [OPTIONS] SERVICE` (docker/cli `runRollback`): the service's current
 * spec sent back with `rollback=previous`, the reference printed, then the convergence wait
 * unless `-d` (whose progress shows `rollback: <message>` and `rolling back update:` rounds when
 * the daemon reports the rollback in the service's UpdateStatus).
 */
export const serviceRollbackCommand: DockerCommand = {
  definition: {
    path: "docker service rollback",
    usage: "docker service rollback [OPTIONS] SERVICE",
    description: "Revert changes to a service's configuration",
    arguments: { kind: "exactly", count: 1 },
    flags: [
      { name: "detach", shorthand: "d", kind: "bool", description: "Exit immediately instead of waiting for the service to converge" },
      { name: "quiet", shorthand: "q", kind: "bool", description: "Suppress progress output" },
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const reference = parsed.positionals[0]!;
    const service = context.client.serviceInspect(reference);
    const response = context.client.serviceUpdate(String(service.ID), service.Spec ?? {}, { version: Number(service.Version?.Index ?? 0), rollback: "previous" });
    for (const warning of response.Warnings ?? []) context.output.errLine(warning);
    context.output.outLine(reference);
    if (!parsed.bool("detach")) waitOnService(context, reference, parsed.bool("quiet"));
    return 0;
  },
};

/** `docker service rm SERVICE [SERVICE...]`. */
export const serviceRemoveCommand: DockerCommand = {
  definition: {
    path: "docker service rm",
    usage: "docker service rm SERVICE [SERVICE...]",
    description: "Remove one or more services",
    aliases: ["docker service rm", "docker service remove"],
    arguments: { kind: "atLeast", count: 1 },
    flags: [],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const errors: string[] = [];
    for (const reference of parsed.positionals) {
      const outcome = attempt(() => context.client.serviceDelete(reference));
      if (outcome.ok) context.output.outLine(reference);
      else errors.push(errorText(outcome.error));
    }
    if (errors.length > 0) throw new CommandError(errors.join("\n"));
    return 0;
  },
};
