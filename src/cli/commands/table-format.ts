/**
 * The docker CLI's list output (docker/cli `formatter.Context`): `table TEMPLATE` rows under a
 * header row through docker's tabwriter, `json` (one JSON object per line), or a bare
 * template per row; plus the `--filter key=value` flag shared by the list commands.
 */
import type { FlagDefinition } from "../flags.js";
import { tabwrite } from "../table.js";
import { CommandError } from "./context.js";
import { GoTemplate, TemplateError } from "./templates.js";

/** docker/cli `flagsHelper.FormatHelp`. */
export const formatHelp = `Format output using a custom template:
'table':            Print output in table format with column headers (default)
'table TEMPLATE':   Print output in table format using the given Go template
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`;

/** A `--filter`/`-f` flag (docker's FilterOpt) with its description. */
export function filterFlag(description: string, shorthand: string | undefined = "f"): FlagDefinition {
  return {
    name: "filter",
    ...(shorthand !== undefined ? { shorthand } : {}),
    kind: "list",
    typeName: "filter",
    description,
    validate: (value) => (value.includes("=") ? null : "bad format of filter (expected name=value)"),
  };
}

/** `--filter` values as the Engine API's filters: `{"status": ["running"]}`. */
export function parseFilterFlags(values: readonly string[]): Record<string, string[]> {
  const filters: Record<string, string[]> = {};
  for (const value of values) {
    const equals = value.indexOf("=");
    if (equals < 0) throw new CommandError("bad format of filter (expected name=value)");
    const key = value.slice(0, equals).trim().toLowerCase();
    const filterValue = value.slice(equals + 1).trim();
    (filters[key] ??= []).includes(filterValue) || filters[key]!.push(filterValue);
  }
  return filters;
}

/** Parses a list template, turning template errors into docker's message and exit code. */
function parseTemplate(source: string): GoTemplate {
  try {
    return GoTemplate.parse(source);
  } catch (error) {
    if (error instanceof TemplateError) throw new CommandError(`template parsing error: ${error.message}`, 64);
    throw error;
  }
}

/** Runs a template on one row, turning template errors into docker's message. */
function executeTemplate(template: GoTemplate, row: unknown): string {
  try {
    return template.execute(row);
  } catch (error) {
    if (error instanceof TemplateError) throw new CommandError(error.message);
    throw error;
  }
}

/**
 * Writes rows with a format: `table ...` (header row from `headers`, then the rows, aligned by
 * docker's tabwriter), `json`, or a bare template. `\t` and `\n` written as two characters in
 * the format become a tab and a newline, as docker's `preFormat` does.
 */
export function writeFormatted(format: string, headers: Readonly<Record<string, string>>, rows: readonly Readonly<Record<string, unknown>>[]): string {
  const isTable = format.startsWith("table");
  let source = format;
  if (isTable) source = source.slice("table".length);
  else if (source.trim() === "json") source = "{{json .}}";
  source = source.trim().replaceAll("\\t", "\t").replaceAll("\\n", "\n");
  const template = parseTemplate(source);
  const body = rows.map((row) => `${executeTemplate(template, row)}\n`).join("");
  if (!isTable) return body;
  const header = executeTemplate(template, headerRow(headers, rows[0]));
  return tabwrite(`${header}\n${body}`);
}

/** The header context: every field name maps to its column title (unknown fields to ""). */
function headerRow(headers: Readonly<Record<string, string>>, sample: Readonly<Record<string, unknown>> | undefined): Record<string, string> {
  const row: Record<string, string> = {};
  for (const key of Object.keys(sample ?? headers)) row[key] = headers[key] ?? "";
  for (const key of Object.keys(headers)) row[key] = headers[key]!;
  return row;
}
