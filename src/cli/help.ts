/**
 * The text of `docker <command> --help`: docker's cobra usage template (Usage, description,
 * Aliases, Options, Commands) with the flag table laid out and wrapped exactly as pflag's
 * `FlagUsagesWrapped` does for a terminal 80 columns wide (docker wraps at width - 1).
 */
import { effectiveFlags, type CommandDefinition, type FlagDefinition, type ParsedCommandLine } from "./flags.js";
import { goQuote } from "./go-quote.js";
import type { CommandOutput } from "./usage-errors.js";

/** The terminal width docker assumes when its output is not a terminal. */
export const defaultTerminalWidth = 80;

/** Splits `text` at the last whitespace before `limit`, allowing `slop` more to finish it (pflag's wrapN). */
function wrapOnce(limit: number, slop: number, text: string): [string, string] {
  if (limit + slop > text.length) return [text, ""];
  const head = text.slice(0, limit);
  const space = Math.max(head.lastIndexOf(" "), head.lastIndexOf("\t"), head.lastIndexOf("\n"));
  if (space <= 0) return [text, ""];
  const newline = head.lastIndexOf("\n");
  if (newline > 0 && newline < space) return [text.slice(0, newline), text.slice(newline + 1)];
  return [text.slice(0, space), text.slice(space + 1)];
}

/** Wraps `text` to `width` columns with continuation lines indented by `indent` (pflag's wrap). */
function wrapText(indent: number, width: number, text: string): string {
  const newlineIndent = (count: number): string => `\n${" ".repeat(count)}`;
  if (width === 0) return text.replaceAll("\n", newlineIndent(indent));
  let room = width - indent;
  let output = "";
  if (room < 24) {
    indent = 16;
    room = width - indent;
    output += newlineIndent(indent);
  }
  if (room < 24) return text.replaceAll("\n", output);
  const slop = 5;
  room -= slop;
  let [line, remainder] = wrapOnce(room, slop, text);
  output += line.replaceAll("\n", newlineIndent(indent));
  while (remainder !== "") {
    [line, remainder] = wrapOnce(room, slop, remainder);
    output += newlineIndent(indent) + line.replaceAll("\n", newlineIndent(indent));
  }
  return output;
}

/** The value name and description of a flag: a back-quoted word in the description names the value. */
function valueNameAndUsage(flag: FlagDefinition): [string, string] {
  const match = /`([^`]*)`/.exec(flag.description);
  if (match) {
    return [match[1]!, flag.description.replace(match[0], match[1]!)];
  }
  const typeName = flag.typeName ?? (flag.kind === "bool" ? "" : flag.kind);
  return [typeName, flag.description];
}

/** The `(default ...)` suffix pflag adds when the default is not the zero value. */
function defaultSuffix(flag: FlagDefinition): string {
  if (flag.defaultText !== undefined) return flag.defaultText === "" ? "" : ` (default ${flag.defaultText})`;
  const value = flag.default;
  if (value === undefined) return "";
  switch (flag.kind) {
    case "bool":
      return value === true ? " (default true)" : "";
    case "int":
      return value === 0 ? "" : ` (default ${String(value)})`;
    case "string":
      return value === "" ? "" : ` (default ${goQuote(value as string)})`;
    case "stringArray": {
      const items = value as readonly string[];
      return items.length === 0 ? "" : ` (default [${items.join(",")}])`;
    }
    case "list": {
      const items = value as readonly string[];
      return items.length === 0 ? "" : ` (default [${items.join(" ")}])`;
    }
  }
}

/** The flag table of `docker <command> --help`, one flag per line (pflag's FlagUsagesWrapped). */
export function renderFlagUsages(flags: readonly FlagDefinition[], columns: number = defaultTerminalWidth - 1): string {
  const visible = flags.filter((flag) => !flag.hidden).sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
  const entries = visible.map((flag) => {
    let left = flag.shorthand && !flag.shorthandDeprecated ? `  -${flag.shorthand}, --${flag.name}` : `      --${flag.name}`;
    const [valueName, usage] = valueNameAndUsage(flag);
    if (valueName !== "") left += ` ${valueName}`;
    return { left, usage: usage + defaultSuffix(flag) };
  });
  // pflag measures each left part plus a separator character it later drops.
  const maximum = Math.max(0, ...entries.map((entry) => entry.left.length + 1));
  return entries
    .map((entry) => `${entry.left} ${" ".repeat(maximum - entry.left.length)} ${wrapText(maximum + 2, columns, entry.usage)}\n`)
    .join("");
}

/** The full text of `docker <command> --help`, as printed to stdout. */
export function renderHelp(command: CommandDefinition): string {
  const subcommands = command.subcommands ?? [];
  const flags = effectiveFlags(command).filter((flag) => !flag.hidden);
  let text = "Usage:";
  if (subcommands.length === 0) text += `  ${command.usage}`;
  else text += `  ${command.path}${flags.length > 0 ? " [OPTIONS]" : ""} COMMAND`;
  text += `\n\n${command.description.trim()}`;
  if (command.aliases && command.aliases.length > 0) text += `\n\nAliases:\n  ${command.aliases.join(", ")}`;
  if (flags.length > 0) text += `\n\nOptions:\n${renderFlagUsages(flags).trimEnd()}`;
  if (subcommands.length > 0) {
    // cobra pads names to the longest sibling name, at least 11 columns.
    const padding = Math.max(11, ...subcommands.map((subcommand) => subcommand.name.length));
    text += "\n\nCommands:";
    for (const subcommand of subcommands) text += `\n  ${subcommand.name.padEnd(padding)} ${subcommand.description}`;
    text += `\n\nRun '${command.path} COMMAND --help' for more information on a command.`;
  }
  return `${text}\n`;
}

/** The output of a parse that asked for help: any deprecation notices, then the help text; exit 0. */
export function helpOutput(command: CommandDefinition, parsed: ParsedCommandLine): CommandOutput {
  const notices = parsed.notices.map((notice) => `${notice}\n`).join("");
  return { stdout: notices + renderHelp(command), stderr: "", exitCode: 0 };
}
