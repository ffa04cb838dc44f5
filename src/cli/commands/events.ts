/**
 * `docker events` as docker/cli 28.2.2 runs it (`cli/command/system/events.go`): the daemon's
 * events between `--since` and `--until` (unix seconds, a Go duration before now, or an RFC 3339
 * time), filtered with `--filter`, each printed with `--format` or in docker's own line
 * (`<time> container start <id> (image=alpine, name=web)`). swarmsim's CLI reads the events the
 * daemon kept up to `--until` (or up to now when it is absent) and ends there: it does not keep
 * following new events as the real CLI does until interrupted.
 */
import type { ParsedCommandLine } from "../flags.js";
import { formatLogTimestamp } from "../times.js";
import { CommandError, type CommandContext, type DockerCommand } from "./context.js";
import { parseGoDuration } from "./swarm-values.js";
import { filterFlag, parseFilterFlags } from "./table-format.js";
import { GoTemplate, TemplateError } from "./templates.js";
import { inspectFormatHelp } from "./inspect.js";

/** Milliseconds per second, for unix seconds. */
const millisecondsPerSecond = 1000;

/**
 * A `--since`/`--until` value as the query docker/cli sends (`timetypes.GetTimestamp`): unix
 * seconds as given, a Go duration as that long before now, an RFC 3339 time as its unix seconds.
 */
function timestampQuery(value: string, nowMs: number): string {
  if (/^\d+(\.\d+)?$/.test(value)) return value;
  const duration = parseGoDuration(value);
  if (duration.ok) return String((nowMs - duration.value) / millisecondsPerSecond);
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw new CommandError(`Error response from daemon: invalid timestamp: ${value}`);
  return String(parsed / millisecondsPerSecond);
}

/** An event's attributes with sorted keys: a Go map, which `{{json}}` and the default line write sorted. */
function sortedAttributes(attributes: Readonly<Record<string, string>>): Record<string, string> {
  const sorted: Record<string, string> = {};
  for (const key of Object.keys(attributes).sort()) sorted[key] = attributes[key]!;
  return sorted;
}

/** An `EventMessage` as the API sends it. */
interface EventMessage {
  readonly Type: string;
  readonly Action: string;
  readonly Actor: { readonly ID: string; readonly Attributes: Readonly<Record<string, string>> };
  readonly time: number;
  readonly timeNano: number;
  readonly [field: string]: unknown;
}

/** docker's default event line (`prettyPrintEvent`): the time with nine fraction digits, type, action, actor id and its attributes. */
function prettyEvent(event: EventMessage): string {
  const attributes = Object.entries(sortedAttributes(event.Actor.Attributes)).map(([key, value]) => `${key}=${value}`);
  const time = formatLogTimestamp(event.timeNano / 1e6);
  return `${time} ${event.Type} ${event.Action} ${event.Actor.ID}${attributes.length === 0 ? "" : ` (${attributes.join(", ")})`}`;
}

/** `docker events [OPTIONS]`. */
export const eventsCommand: DockerCommand = {
  definition: {
    path: "docker events",
    usage: "docker events [OPTIONS]",
    description: "Get real time events from the server",
    aliases: ["docker system events", "docker events"],
    arguments: { kind: "none" },
    flags: [
      filterFlag("Filter output based on conditions provided"),
      { name: "format", kind: "string", description: inspectFormatHelp },
      { name: "since", kind: "string", description: "Show all events created since timestamp" },
      { name: "until", kind: "string", description: "Stream events until this timestamp" },
    ],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const format = parsed.string("format");
    let template: GoTemplate | null = null;
    try {
      if (format !== "") template = GoTemplate.parse(format.trim() === "json" ? "{{json .}}" : format);
    } catch (error) {
      if (error instanceof TemplateError) throw new CommandError(`template parsing error: ${error.message}`, 64);
      throw error;
    }
    const nowMs = context.nowWallMs();
    const filters = parseFilterFlags(parsed.list("filter"));
    const query: Record<string, string> = {};
    if (parsed.string("since") !== "") query.since = timestampQuery(parsed.string("since"), nowMs);
    if (parsed.string("until") !== "") query.until = timestampQuery(parsed.string("until"), nowMs);
    if (Object.keys(filters).length > 0) query.filters = JSON.stringify(filters);
    const answer = context.client.request({ method: "GET", path: "/events", query });
    if (answer.statusCode >= 400) throw new CommandError(`Error response from daemon: ${(answer.body as { message?: string } | null)?.message ?? `status ${answer.statusCode}`}`);
    for (const event of (answer.body as { events: readonly EventMessage[] }).events) {
      const shown: EventMessage = { ...event, Actor: { ...event.Actor, Attributes: sortedAttributes(event.Actor.Attributes) } };
      try {
        context.output.outLine(template === null ? prettyEvent(shown) : template.execute(shown));
      } catch (error) {
        if (error instanceof TemplateError) throw new CommandError(error.message);
        throw error;
      }
    }
    return 0;
  },
};
