/**
 * `docker node ls|inspect|update|promote|demote|rm|ps` (docker/cli `cli/command/node`): the node
 * table (ID with ` *` for the node the CLI talks to, HOSTNAME, STATUS, AVAILABILITY, MANAGER
 * STATUS, ENGINE VERSION), `inspect --pretty`, spec updates through `/nodes/{id}/update` with
 * the node's version, and the task table of a node.
 */
import { EngineApiError, type EngineJson } from "../../engine/client.js";
import type { ParsedCommandLine } from "../flags.js";
import { bytesSize } from "../units.js";
import { attempt, CommandError, errorText, sortNaturally, type CommandContext, type DockerCommand } from "./context.js";
import { inspectFormatHelp, writeInspect } from "./inspect.js";
import { goTimeText, NameResolver, nodeReference, prettyPrint, renderTasks, type FilterMap } from "./swarm-values.js";
import { filterFlag, formatHelp, parseFilterFlags, writeFormatted } from "./table-format.js";

/** The headers of `docker node ls`. */
const nodeHeaders: Readonly<Record<string, string>> = {
  ID: "ID",
  Self: "",
  Hostname: "HOSTNAME",
  Status: "STATUS",
  Availability: "AVAILABILITY",
  ManagerStatus: "MANAGER STATUS",
  EngineVersion: "ENGINE VERSION",
  TLSStatus: "TLS STATUS",
};

const defaultNodeTableFormat = "table {{.ID}} {{if .Self}}*{{else}} {{ end }}\t{{.Hostname}}\t{{.Status}}\t{{.Availability}}\t{{.ManagerStatus}}\t{{.EngineVersion}}";

/** The fields of one `node ls` row. */
function nodeFields(node: EngineJson, info: EngineJson): Record<string, unknown> {
  let reachability = "";
  if (node.ManagerStatus) reachability = node.ManagerStatus.Leader === true ? "Leader" : String(node.ManagerStatus.Reachability ?? "");
  const clusterTls = info.Swarm?.Cluster?.TLSInfo;
  const nodeTls = node.Description?.TLSInfo;
  const empty = (tls: EngineJson | undefined): boolean => !tls || (!tls.TrustRoot && !tls.CertIssuerSubject && !tls.CertIssuerPublicKey);
  let tlsStatus = "Unknown";
  if (!empty(clusterTls) && !empty(nodeTls)) tlsStatus = JSON.stringify(clusterTls) === JSON.stringify(nodeTls) ? "Ready" : "Needs Rotation";
  return {
    ID: String(node.ID ?? ""),
    Self: node.ID === info.Swarm?.NodeID,
    Hostname: String(node.Description?.Hostname ?? ""),
    Status: prettyPrint(String(node.Status?.State ?? "")),
    Availability: prettyPrint(String(node.Spec?.Availability ?? "")),
    ManagerStatus: prettyPrint(reachability),
    EngineVersion: String(node.Description?.Engine?.EngineVersion ?? ""),
    TLSStatus: tlsStatus,
  };
}

/** `docker node ls [OPTIONS]`. */
export const nodeListCommand: DockerCommand = {
  definition: {
    path: "docker node ls",
    usage: "docker node ls [OPTIONS]",
    description: "List nodes in the swarm",
    aliases: ["docker node ls", "docker node list"],
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
    const nodes = context.client.nodeList(Object.keys(filters).length > 0 ? { filters } : undefined);
    const info = nodes.length > 0 && !quiet ? context.client.systemInfo() : {};
    let format = parsed.string("format");
    if (format === "" || format === "table") format = quiet ? "{{.ID}}" : defaultNodeTableFormat;
    const rows = sortNaturally(nodes, (node) => String(node.Description?.Hostname ?? "")).map((node) => nodeFields(node, info));
    context.output.out(writeFormatted(format, nodeHeaders, rows));
    return 0;
  },
};

/** `key=value` lines of a label map, sorted by key as Go templates range over maps. */
function labelLines(labels: Record<string, string> | undefined, prefix: string): string {
  return Object.keys(labels ?? {})
    .sort()
    .map((key) => `\n${prefix}${key}${labels![key] ? `=${labels![key]}` : ""}`)
    .join("");
}

/** docker/cli's `nodeInspectPrettyTemplate` for one node, with the newline the formatter adds. */
export function prettyNode(node: EngineJson): string {
  const spec = node.Spec ?? {};
  const description = node.Description ?? {};
  const status = node.Status ?? {};
  let text = `ID:\t\t\t${node.ID ?? ""}`;
  if (spec.Name) text += `\nName:\t\t\t${spec.Name}`;
  if (spec.Labels && Object.keys(spec.Labels).length > 0) text += `\nLabels:${labelLines(spec.Labels, " - ")}`;
  text += `\nHostname:              \t${description.Hostname ?? ""}`;
  text += `\nJoined at:             \t${prettyPrint(goTimeText(node.CreatedAt))}`;
  text += `\nStatus:\n State:\t\t\t${prettyPrint(String(status.State ?? ""))}`;
  if (status.Message) text += `\n Message:              \t${prettyPrint(String(status.Message))}`;
  text += `\n Availability:         \t${prettyPrint(String(spec.Availability ?? ""))}`;
  if (status.Addr) text += `\n Address:\t\t${status.Addr}`;
  if (node.ManagerStatus) {
    text += `\nManager Status:\n Address:\t\t${node.ManagerStatus.Addr ?? ""}\n Raft Status:\t\t${prettyPrint(String(node.ManagerStatus.Reachability ?? ""))}`;
    text += node.ManagerStatus.Leader === true ? "\n Leader:\t\tYes" : "\n Leader:\t\tNo";
  }
  text += `\nPlatform:\n Operating System:\t${description.Platform?.OS ?? ""}\n Architecture:\t\t${description.Platform?.Architecture ?? ""}`;
  const nanoCpus = Number(description.Resources?.NanoCPUs ?? 0);
  const memory = Number(description.Resources?.MemoryBytes ?? 0);
  text += `\nResources:\n CPUs:\t\t\t${Math.trunc(nanoCpus / 1e9)}\n Memory:\t\t${memory === 0 ? "" : bytesSize(memory)}`;
  const plugins = (description.Engine?.Plugins ?? []) as EngineJson[];
  if (plugins.length > 0) {
    const byType = new Map<string, string[]>();
    for (const plugin of plugins) byType.set(String(plugin.Type), [...(byType.get(String(plugin.Type)) ?? []), String(plugin.Name)]);
    text += "\nPlugins:";
    for (const type of [...byType.keys()].sort()) {
      const names = byType.get(type)!.join(", ");
      text += `\n ${type}:${names ? `\t\t${names}` : ""}`;
    }
  }
  text += `\nEngine Version:\t\t${description.Engine?.EngineVersion ?? ""}`;
  if (description.Engine?.Labels && Object.keys(description.Engine.Labels).length > 0) text += `\nEngine Labels:${labelLines(description.Engine.Labels, " - ")}`;
  const tls = description.TLSInfo;
  if (tls && (tls.TrustRoot || tls.CertIssuerSubject || tls.CertIssuerPublicKey)) {
    text += `\nTLS Info:\n TrustRoot:\n${tls.TrustRoot ?? ""}\n Issuer Subject:\t${tls.CertIssuerSubject ?? ""}\n Issuer Public Key:\t${tls.CertIssuerPublicKey ?? ""}`;
  }
  return `${text}\n`;
}

/** `docker node inspect [OPTIONS] self|NODE [NODE...]`. */
export const nodeInspectCommand: DockerCommand = {
  definition: {
    path: "docker node inspect",
    usage: "docker node inspect [OPTIONS] self|NODE [NODE...]",
    description: "Display detailed information on one or more nodes",
    arguments: { kind: "atLeast", count: 1 },
    flags: [
      { name: "format", shorthand: "f", kind: "string", description: inspectFormatHelp },
      { name: "pretty", kind: "bool", description: "Print the information in a human friendly format" },
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const format = parsed.bool("pretty") ? "pretty" : parsed.string("format");
    if (format.startsWith("pretty") && format !== "pretty") throw new CommandError("cannot supply extra formatting options to the pretty template");
    const getter = (reference: string): EngineJson => context.client.nodeInspect(nodeReference(context.client, reference));
    // swarm.Node's ManagerStatus is a pointer: nil (`<nil>` to a template) on a worker.
    if (format !== "pretty") return writeInspect(context.output, parsed.positionals, format, getter, (node) => ({ ManagerStatus: null, ...node }));
    let text = "";
    for (const reference of parsed.positionals) {
      const outcome = attempt(() => getter(reference));
      if (!outcome.ok) throw new CommandError(outcome.text);
      text += prettyNode(outcome.value);
    }
    context.output.out(text);
    return 0;
  },
};

/** Raised by a node change that is already in effect (docker/cli `errNoRoleChange`). */
const noRoleChange = Symbol("no role change");

/** docker/cli `updateNodes`: inspect, change the spec, update with the node's version; stops at the first error. */
function updateNodes(context: CommandContext, references: readonly string[], change: (node: EngineJson) => typeof noRoleChange | void, success: (reference: string) => void): void {
  for (const reference of references) {
    const node = context.client.nodeInspect(reference);
    const spec: EngineJson = { ...(node.Spec ?? {}) };
    const changed = { ...node, Spec: spec };
    if (change(changed) === noRoleChange) continue;
    context.client.nodeUpdate(String(node.ID), spec, { version: Number(node.Version?.Index ?? 0) });
    success(reference);
  }
}

/** `docker node update [OPTIONS] NODE`. */
export const nodeUpdateCommand: DockerCommand = {
  definition: {
    path: "docker node update",
    usage: "docker node update [OPTIONS] NODE",
    description: "Update a node",
    arguments: { kind: "exactly", count: 1 },
    flags: [
      { name: "role", kind: "string", description: 'Role of the node ("worker", "manager")' },
      { name: "availability", kind: "string", description: 'Availability of the node ("active", "pause", "drain")' },
      { name: "label-add", kind: "list", defaultText: "[]", description: 'Add or update a node label ("key=value")' },
      { name: "label-rm", kind: "list", defaultText: "[]", description: "Remove a node label if exists" },
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const reference = parsed.positionals[0]!;
    updateNodes(
      context,
      [reference],
      (node) => {
        const spec = node.Spec as EngineJson;
        if (parsed.changed("role")) spec.Role = parsed.string("role");
        if (parsed.changed("availability")) spec.Availability = parsed.string("availability");
        const labels: Record<string, string> = { ...(spec.Labels ?? {}) };
        for (const entry of parsed.list("label-add")) {
          const equals = entry.indexOf("=");
          if (equals < 0) labels[entry] = "";
          else labels[entry.slice(0, equals)] = entry.slice(equals + 1);
        }
        for (const key of parsed.list("label-rm")) {
          if (!(key in labels)) throw new CommandError(`key ${key} doesn't exist in node's labels`);
          delete labels[key];
        }
        spec.Labels = labels;
      },
      () => context.output.outLine(reference),
    );
    return 0;
  },
};

/** `docker node promote` and `docker node demote`: the same command with the role and the words changed. */
function roleCommand(role: "manager" | "worker", verb: "promote" | "demote", description: string, done: (reference: string) => string): DockerCommand {
  return {
    definition: {
      path: `docker node ${verb}`,
      usage: `docker node ${verb} NODE [NODE...]`,
      description,
      arguments: { kind: "atLeast", count: 1 },
      flags: [],
    },
    run(parsed: ParsedCommandLine, context: CommandContext): number {
      updateNodes(
        context,
        parsed.positionals,
        (node) => {
          if (node.Spec.Role === role) {
            context.output.outLine(`Node ${node.ID} is already a ${role}.`);
            return noRoleChange;
          }
          node.Spec.Role = role;
        },
        (reference) => context.output.outLine(done(reference)),
      );
      return 0;
    },
  };
}

/** `docker node promote NODE [NODE...]`. */
export const nodePromoteCommand: DockerCommand = roleCommand("manager", "promote", "Promote one or more nodes to manager in the swarm", (reference) => `Node ${reference} promoted to a manager in the swarm.`);

/** `docker node demote NODE [NODE...]`. */
export const nodeDemoteCommand: DockerCommand = roleCommand("worker", "demote", "Demote one or more nodes from manager in the swarm", (reference) => `Manager ${reference} demoted in the swarm.`);

/** `docker node rm [OPTIONS] NODE [NODE...]`. */
export const nodeRemoveCommand: DockerCommand = {
  definition: {
    path: "docker node rm",
    usage: "docker node rm [OPTIONS] NODE [NODE...]",
    description: "Remove one or more nodes from the swarm",
    aliases: ["docker node rm", "docker node remove"],
    arguments: { kind: "atLeast", count: 1 },
    flags: [{ name: "force", shorthand: "f", kind: "bool", description: "Force remove a node from the swarm" }],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const errors: string[] = [];
    for (const reference of parsed.positionals) {
      const outcome = attempt(() => context.client.nodeDelete(reference, parsed.bool("force") ? { force: true } : {}));
      if (outcome.ok) context.output.outLine(reference);
      else errors.push(outcome.text);
    }
    if (errors.length > 0) throw new CommandError(errors.join("\n"));
    return 0;
  },
};

/** `docker node ps [OPTIONS] [NODE...]`. */
export const nodeTasksCommand: DockerCommand = {
  definition: {
    path: "docker node ps",
    usage: "docker node ps [OPTIONS] [NODE...]",
    description: "List tasks running on one or more nodes, defaults to current node",
    arguments: { kind: "any" },
    flags: [
      { name: "no-trunc", kind: "bool", description: "Do not truncate output" },
      { name: "no-resolve", kind: "bool", description: "Do not map IDs to Names" },
      filterFlag("Filter output based on conditions provided"),
      { name: "format", kind: "string", description: "Pretty-print tasks using a Go template" },
      { name: "quiet", shorthand: "q", kind: "bool", description: "Only display task IDs" },
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const references = parsed.positionals.length > 0 ? parsed.positionals : ["self"];
    const errors: string[] = [];
    const tasks: EngineJson[] = [];
    for (const reference of references) {
      try {
        const node = context.client.nodeInspect(nodeReference(context.client, reference));
        const filters: FilterMap = parseFilterFlags(parsed.list("filter"));
        (filters.node ??= []).push(String(node.ID));
        tasks.push(...context.client.taskList({ filters }));
      } catch (error) {
        if (!(error instanceof EngineApiError || error instanceof CommandError)) throw error;
        errors.push(errorText(error));
      }
    }
    if (errors.length === 0 || tasks.length > 0) {
      const resolver = new NameResolver(context.client, parsed.bool("no-resolve"));
      context.output.out(
        renderTasks(tasks, resolver, { truncate: !parsed.bool("no-trunc"), quiet: parsed.bool("quiet"), format: parsed.string("format"), nowMs: context.nowWallMs() }),
      );
    }
    if (errors.length > 0) throw new CommandError(errors.join("\n"));
    return 0;
  },
};
