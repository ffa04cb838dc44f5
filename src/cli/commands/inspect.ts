/**
 * `docker inspect` and the shared inspect writer of `docker network inspect` and
 * `docker volume inspect` (docker/cli `cli/command/inspect`): the raw API objects as one JSON
 * array indented with four spaces (Go's `json.Indent`), `[]` when nothing was found, or each
 * object through a `--format` template; then the errors joined, exit 1.
 */
import { EngineApiError, type EngineJson } from "../../engine/client.js";
import type { CommandDefinition, ParsedCommandLine } from "../flags.js";
import { CommandError, errorText, isNotFound, type CommandContext, type DockerCommand, type OutputStreams } from "./context.js";
import { GoTemplate, TemplateError } from "./templates.js";

/** docker/cli `flagsHelper.InspectFormatHelp`. */
export const inspectFormatHelp = `Format output using a custom template:
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`;

/**
 * JSON as Go's `json.Indent(dst, src, "", "    ")` leaves the daemon's encoding: four-space
 * indent, `{}`/`[]` for empty objects and arrays, U+2028/U+2029 escaped as Go's encoder does.
 */
export function indentJson(value: unknown): string {
  return JSON.stringify(value, null, 4).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** Go's `json.Compact` of the daemon's JSON (the `--format json` output). */
export function compactJson(value: unknown): string {
  return JSON.stringify(value).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** Fetches one object by reference, or throws (a daemon error, or a {@link CommandError}). */
export type ObjectGetter = (reference: string) => EngineJson;

/**
 * docker/cli `inspect.Inspect`: fetches every reference, writes the objects (indented JSON,
 * compact JSON for `json`, or a template per object), then fails with the joined errors.
 * `templateData` gives a template what the CLI's Go struct holds where the JSON has nothing
 * (a nil pointer left out by `omitempty` is `<nil>` to a template, not a missing key).
 */
export function writeInspect(
  output: OutputStreams,
  references: readonly string[],
  format: string,
  getter: ObjectGetter,
  templateData: (object: EngineJson) => EngineJson = (object) => object,
): number {
  let template: GoTemplate | null = null;
  if (format !== "" && format !== "json") {
    try {
      template = GoTemplate.parse(format);
    } catch (error) {
      if (error instanceof TemplateError) throw new CommandError(`template parsing error: ${error.message}`, 64);
      throw error;
    }
  }
  const objects: EngineJson[] = [];
  const errors: string[] = [];
  let templateText = "";
  for (const reference of references) {
    let object: EngineJson;
    try {
      object = getter(reference);
    } catch (error) {
      if (error instanceof EngineApiError || error instanceof CommandError) {
        errors.push(errorText(error));
        continue;
      }
      throw error;
    }
    if (template === null) {
      objects.push(object);
      continue;
    }
    try {
      templateText += `${template.execute(templateData(object))}\n`;
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      errors.push(`template parsing error: ${error.message}`);
    }
  }
  if (template !== null) output.out(templateText === "" ? "\n" : templateText);
  else if (objects.length === 0) output.out("[]\n");
  else output.out(`${format === "json" ? compactJson(objects) : indentJson(objects)}\n`);
  if (errors.length > 0) throw new CommandError(errors.join("\n"), 1);
  return 0;
}

/** The object types `docker inspect --type` accepts, in docker's order. */
const allTypes = ["config", "container", "image", "network", "node", "plugin", "secret", "service", "task", "volume"] as const;

/** How `docker inspect` looks for an object of one type. */
interface ObjectSearcher {
  readonly type: (typeof allTypes)[number];
  readonly swarmObject: boolean;
  readonly fetch: (context: CommandContext, reference: string) => EngineJson;
}

/** Fetches a raw Engine API path, throwing daemon errors as the typed client does. */
function fetchRaw(context: CommandContext, path: string, query?: Readonly<Record<string, string>>): EngineJson {
  const response = context.client.request({ method: "GET", path, ...(query ? { query } : {}) });
  if (response.statusCode >= 400) {
    const message = (response.body as { message?: string } | null)?.message ?? `status ${response.statusCode}`;
    throw new EngineApiError(response.statusCode, message);
  }
  return response.body as EngineJson;
}

/** Objects in the order `docker inspect` tries them (docker/cli `inspectAll`). */
const searchers: readonly ObjectSearcher[] = [
  { type: "container", swarmObject: false, fetch: (context, reference) => context.client.containerInspect(reference) },
  { type: "image", swarmObject: false, fetch: (context, reference) => context.client.imageInspect(reference) },
  { type: "network", swarmObject: false, fetch: (context, reference) => context.client.networkInspect(reference) },
  { type: "volume", swarmObject: false, fetch: (context, reference) => context.client.volumeInspect(reference) },
  { type: "service", swarmObject: true, fetch: (context, reference) => fetchRaw(context, `/services/${encodeURIComponent(reference)}`, { insertDefaults: "1" }) },
  { type: "task", swarmObject: true, fetch: (context, reference) => fetchRaw(context, `/tasks/${encodeURIComponent(reference)}`) },
  { type: "node", swarmObject: true, fetch: (context, reference) => fetchRaw(context, `/nodes/${encodeURIComponent(reference)}`) },
  { type: "plugin", swarmObject: false, fetch: (context, reference) => fetchRaw(context, `/plugins/${encodeURIComponent(reference)}/json`) },
  { type: "secret", swarmObject: true, fetch: (context, reference) => fetchRaw(context, `/secrets/${encodeURIComponent(reference)}`) },
  { type: "config", swarmObject: true, fetch: (context, reference) => fetchRaw(context, `/configs/${encodeURIComponent(reference)}`) },
];

/** docker/cli `isErrSkippable`: not found, not supported, or an invalid reference. */
function isSkippable(error: unknown): boolean {
  if (!(error instanceof EngineApiError)) return false;
  return isNotFound(error) || error.message.includes("not supported") || error.message.includes("invalid reference format");
}

/** docker inspect's object search for one reference (`inspectAll`). */
function inspectAny(context: CommandContext, typeConstraint: string, reference: string): EngineJson {
  let swarmSupported: boolean | null = null;
  for (const searcher of searchers) {
    if (typeConstraint !== "" && searcher.type !== typeConstraint) continue;
    if (typeConstraint === "" && searcher.swarmObject) {
      if (swarmSupported === null) {
        try {
          swarmSupported = context.client.systemInfo().Swarm?.ControlAvailable === true;
        } catch (error) {
          if (!(error instanceof EngineApiError)) throw error;
          context.output.errLine(errorText(error));
          swarmSupported = false;
        }
      }
      if (!swarmSupported) continue;
    }
    try {
      return searcher.fetch(context, reference);
    } catch (error) {
      if (typeConstraint === "" && isSkippable(error)) continue;
      throw error;
    }
  }
  throw new CommandError(`Error: No such object: ${reference}`);
}

const inspectDefinition: CommandDefinition = {
  path: "docker inspect",
  usage: "docker inspect [OPTIONS] NAME|ID [NAME|ID...]",
  description: "Return low-level information on Docker objects",
  arguments: { kind: "atLeast", count: 1 },
  flags: [
    { name: "format", shorthand: "f", kind: "string", description: inspectFormatHelp },
    { name: "type", kind: "string", description: "Only inspect objects of the given type" },
    { name: "size", shorthand: "s", kind: "bool", description: "Display total file sizes if the type is container" },
  ],
};

/** `docker inspect [--format F] [--type T] NAME|ID...`. */
export const inspectCommand: DockerCommand = {
  definition: inspectDefinition,
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const typeConstraint = parsed.string("type");
    const typeList = allTypes.join(`", "`);
    if (parsed.changed("type") && typeConstraint === "") throw new CommandError(`type is empty: must be one of "${typeList}"`);
    if (typeConstraint !== "" && !(allTypes as readonly string[]).includes(typeConstraint)) {
      throw new CommandError(`unknown type: "${typeConstraint}": must be one of "${typeList}"`);
    }
    return writeInspect(context.output, parsed.positionals, parsed.string("format"), (reference) => inspectAny(context, typeConstraint, reference));
  },
};

/** `docker container inspect [--format F] [--size] CONTAINER...`. */
export const containerInspectCommand: DockerCommand = {
  definition: {
    path: "docker container inspect",
    usage: "docker container inspect [OPTIONS] CONTAINER [CONTAINER...]",
    description: "Display detailed information on one or more containers",
    arguments: { kind: "atLeast", count: 1 },
    flags: [
      { name: "format", shorthand: "f", kind: "string", description: inspectFormatHelp },
      { name: "size", shorthand: "s", kind: "bool", description: "Display total file sizes" },
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    return writeInspect(context.output, parsed.positionals, parsed.string("format"), (reference) => context.client.containerInspect(reference));
  },
};
