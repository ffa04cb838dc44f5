/**
 * A declarative command-line flag parser with the semantics of spf13/pflag and cobra as the
 * docker CLI (28.x) uses them: `--flag value`, `--flag=value`, `-f value`, `-fvalue`, `-f=value`,
 * combined booleans (`-dit`), `--bool=false`, the `--` terminator, repeatable flags, and
 * commands such as `docker run` that stop parsing flags at the first positional argument.
 *
 * Errors are returned as values carrying the exact text docker prints; the texts and exit codes
 * of the full stderr output are built by `usage-errors.ts`.
 */
import { goQuote, goQuoteCharacter } from "./go-quote.js";
import { parseGoBool, parseGoInt } from "./go-parse.js";

/**
 * The kind of value a flag takes: `string` and `int` keep the last value given, `bool` needs no
 * value (`--rm`, `--rm=false`), `stringArray` (pflag) and `list` (docker's ListOpts) collect
 * every value given, in order.
 */
export type FlagKind = "string" | "bool" | "int" | "stringArray" | "list";

/** A parsed flag value: a string, boolean, number, or the collected values of a repeatable flag. */
export type FlagValue = string | boolean | number | readonly string[];

/** One flag a command accepts. */
export interface FlagDefinition {
  /** The long name, without dashes: `name` for `--name`. */
  readonly name: string;
  /** The one-letter short name, without the dash: `n` for `-n`. */
  readonly shorthand?: string;
  /** How the flag takes values. */
  readonly kind: FlagKind;
  /** The value when the flag is not given; defaults to "", false, 0 or [] by kind. */
  readonly default?: FlagValue;
  /** The help text; a back-quoted word names the value in help (pflag's UnquoteUsage). */
  readonly description: string;
  /** Hidden flags parse normally but are left out of help. */
  readonly hidden?: boolean;
  /**
   * The value's type as help prints it (`--memory bytes`, `--filter filter`); defaults to the
   * kind (`string`, `int`, `stringArray`, `list`; nothing for `bool`).
   */
  readonly typeName?: string;
  /** Overrides the `(default ...)` text help prints, e.g. `"[]"`; empty string prints none. */
  readonly defaultText?: string;
  /**
   * Checks one given value as the flag's Go `Value.Set` would and returns the error text
   * (`invalid size: 'abc'`), or null if the value is accepted. Runs after the kind's own check.
   */
  readonly validate?: (value: string) => string | null;
  /** When set, the shorthand still works but prints `Flag shorthand -h has been deprecated, <this>`. */
  readonly shorthandDeprecated?: string;
}

/** How many positional arguments a command takes, as docker's `cli.NoArgs`, `cli.RequiresMinArgs`, ... check. */
export type ArgumentRule =
  | { readonly kind: "any" }
  | { readonly kind: "none" }
  | { readonly kind: "exactly"; readonly count: number }
  | { readonly kind: "atLeast"; readonly count: number }
  | { readonly kind: "atMost"; readonly count: number }
  | { readonly kind: "between"; readonly minimum: number; readonly maximum: number };

/** A subcommand listed in a command group's help. */
export interface SubcommandSummary {
  /** The subcommand's name: `ls`. */
  readonly name: string;
  /** Its one-line description. */
  readonly description: string;
}

/** A docker command as the parser, the error messages and the help text need it. */
export interface CommandDefinition {
  /** The command path: `docker run`, `docker network ls`. */
  readonly path: string;
  /** The usage line after `Usage:  `, e.g. `docker run [OPTIONS] IMAGE [COMMAND] [ARG...]`. */
  readonly usage: string;
  /** The one-line description shown in help: `Create and run a new container from an image`. */
  readonly description: string;
  /** The names help lists under `Aliases:`, e.g. `["docker container run", "docker run"]`. */
  readonly aliases?: readonly string[];
  /** The flags the command accepts (a hidden `--help` is added unless declared). */
  readonly flags: readonly FlagDefinition[];
  /**
   * Whether flags may follow positional arguments (pflag's interspersed mode; default true).
   * `docker run`, `create` and `exec` set false: everything after the image is the command.
   */
  readonly interspersed?: boolean;
  /** How many positional arguments are accepted; default `any`. */
  readonly arguments?: ArgumentRule;
  /** For a command group (`docker network`): its subcommands, for help and unknown-command errors. */
  readonly subcommands?: readonly SubcommandSummary[];
}

/** A flag-parsing error, with the first line of docker's message (`unknown flag: --bogus`). */
export interface FlagError {
  /** Always "flag": the error came from pflag, and docker exits 125. */
  readonly kind: "flag";
  /** The message, e.g. `flag needs an argument: 'n' in -n`. */
  readonly message: string;
}

/** An argument-count error: the full message docker prints (`docker: 'docker run' requires ...`). */
export interface ArgumentError {
  /** Always "arguments": cobra's argument check failed, and docker exits 1. */
  readonly kind: "arguments";
  /** The complete message, several lines, without the final newline. */
  readonly message: string;
}

/** Either kind of usage error. */
export type UsageError = FlagError | ArgumentError;

/** The outcome of parsing: the parsed command line, or a usage error. */
export type ParseOutcome = { readonly ok: true; readonly value: ParsedCommandLine } | { readonly ok: false; readonly error: UsageError };

/** The flag that every docker command inherits from the root: hidden `--help`, `-h` deprecated. */
export const helpFlag: FlagDefinition = {
  name: "help",
  shorthand: "h",
  kind: "bool",
  description: "Print usage",
  hidden: true,
  shorthandDeprecated: "use --help",
};

/** The zero value of a kind, used when a flag declares no default. */
function zeroValue(kind: FlagKind): FlagValue {
  switch (kind) {
    case "string":
      return "";
    case "bool":
      return false;
    case "int":
      return 0;
    case "stringArray":
    case "list":
      return [];
  }
}

/** The flags of `command` including the inherited `--help` (its `-h` only if no flag of the command claims it). */
export function effectiveFlags(command: CommandDefinition): FlagDefinition[] {
  const flags = command.flags.slice();
  if (!flags.some((flag) => flag.name === "help")) {
    const shorthandTaken = flags.some((flag) => flag.shorthand === "h");
    flags.push(shorthandTaken ? { ...helpFlag, shorthand: undefined, shorthandDeprecated: undefined } : helpFlag);
  }
  return flags;
}

/** The result of a successful parse: flag values, which flags were given, and the positionals. */
export class ParsedCommandLine {
  /**
   * @param definitions - the flags of the command, by long name.
   * @param values - every flag's value, given or default.
   * @param changedNames - the long names of the flags given on the command line.
   * @param positionals - the positional arguments, in order.
   * @param dashPosition - how many positionals came before a `--` terminator, or null if none.
   * @param notices - lines docker prints to stdout while parsing (shorthand deprecations).
   */
  constructor(
    private readonly definitions: ReadonlyMap<string, FlagDefinition>,
    private readonly values: ReadonlyMap<string, FlagValue>,
    private readonly changedNames: ReadonlySet<string>,
    readonly positionals: readonly string[],
    readonly dashPosition: number | null,
    readonly notices: readonly string[],
  ) {}

  /** True if `--help` (or `-h`) was given: the caller prints help and exits 0. */
  get help(): boolean {
    return this.values.get("help") === true;
  }

  /** True if the flag was given on the command line (pflag's `Changed`). */
  changed(name: string): boolean {
    this.definition(name);
    return this.changedNames.has(name);
  }

  /** The value of a `string` flag. */
  string(name: string): string {
    return this.valueOf(name, "string") as string;
  }

  /** The value of a `bool` flag. */
  bool(name: string): boolean {
    return this.valueOf(name, "bool") as boolean;
  }

  /** The value of an `int` flag. */
  int(name: string): number {
    return this.valueOf(name, "int") as number;
  }

  /** The collected values of a `stringArray` or `list` flag. */
  list(name: string): readonly string[] {
    const definition = this.definition(name);
    if (definition.kind !== "stringArray" && definition.kind !== "list") {
      throw new TypeError(`flag --${name} is a ${definition.kind} flag, not a list`);
    }
    return this.values.get(name) as readonly string[];
  }

  private definition(name: string): FlagDefinition {
    const definition = this.definitions.get(name);
    if (!definition) throw new TypeError(`no flag --${name} is declared`);
    return definition;
  }

  private valueOf(name: string, kind: FlagKind): FlagValue {
    const definition = this.definition(name);
    if (definition.kind !== kind) throw new TypeError(`flag --${name} is a ${definition.kind} flag, not ${kind}`);
    return this.values.get(name)!;
  }
}

/** The flag's name as pflag prints it in `invalid argument` errors: `-m, --memory` or `--cpus`. */
function displayName(flag: FlagDefinition): string {
  return flag.shorthand && !flag.shorthandDeprecated ? `-${flag.shorthand}, --${flag.name}` : `--${flag.name}`;
}

/** Mutable state of one parse. */
interface ParseState {
  readonly values: Map<string, FlagValue>;
  readonly changed: Set<string>;
  readonly positionals: string[];
  readonly notices: string[];
}

/** Applies one value to a flag as pflag's `FlagSet.Set` does; returns an error message or null. */
function setFlag(state: ParseState, flag: FlagDefinition, text: string): string | null {
  let value: FlagValue;
  let failure: string | null = null;
  switch (flag.kind) {
    case "bool": {
      const parsed = parseGoBool(text);
      if (parsed.ok) value = parsed.value;
      else failure = parsed.error;
      break;
    }
    case "int": {
      const parsed = parseGoInt(text);
      if (parsed.ok) value = parsed.value;
      else failure = parsed.error;
      break;
    }
    case "string":
      value = text;
      break;
    case "stringArray": {
      // pflag's stringArray replaces its default on the first Set, then appends.
      const previous = state.changed.has(flag.name) ? (state.values.get(flag.name) as readonly string[]) : [];
      value = [...previous, text];
      break;
    }
    case "list":
      // docker's ListOpts always appends, to its default values too.
      value = [...(state.values.get(flag.name) as readonly string[]), text];
      break;
  }
  if (failure === null && flag.validate) failure = flag.validate(text);
  if (failure !== null) return `invalid argument ${goQuote(text)} for ${goQuote(displayName(flag))} flag: ${failure}`;
  state.values.set(flag.name, value!);
  state.changed.add(flag.name);
  return null;
}

/** Parses `--name`, `--name=value` or `--name value`; returns the remaining arguments or an error. */
function parseLongFlag(
  state: ParseState,
  byName: ReadonlyMap<string, FlagDefinition>,
  argument: string,
  rest: string[],
): { rest: string[] } | { error: string } {
  const body = argument.slice(2);
  if (body.length === 0 || body.startsWith("-") || body.startsWith("=")) {
    return { error: `bad flag syntax: ${argument}` };
  }
  const equalsIndex = body.indexOf("=");
  const name = equalsIndex < 0 ? body : body.slice(0, equalsIndex);
  const flag = byName.get(name);
  if (!flag) return { error: `unknown flag: --${name}` };
  let value: string;
  if (equalsIndex >= 0) value = body.slice(equalsIndex + 1);
  else if (flag.kind === "bool") value = "true";
  else if (rest.length > 0) {
    value = rest[0]!;
    rest = rest.slice(1);
  } else return { error: `flag needs an argument: ${argument}` };
  const failure = setFlag(state, flag, value);
  return failure === null ? { rest } : { error: failure };
}

/** Parses a group of shorthands (`-dit`, `-n5`, `-n=5`, `-n 5`); returns the remaining arguments or an error. */
function parseShortFlags(
  state: ParseState,
  byShorthand: ReadonlyMap<string, FlagDefinition>,
  argument: string,
  rest: string[],
): { rest: string[] } | { error: string } {
  let shorthands = argument.slice(1);
  while (shorthands.length > 0) {
    const letter = String.fromCodePoint(shorthands.codePointAt(0)!);
    const after = shorthands.slice(letter.length);
    const flag = byShorthand.get(letter);
    if (!flag) return { error: `unknown shorthand flag: ${goQuoteCharacter(letter)} in -${shorthands}` };
    let value: string;
    if (after.length > 1 && after.startsWith("=")) {
      value = after.slice(1);
      shorthands = "";
    } else if (flag.kind === "bool") {
      value = "true";
      shorthands = after;
    } else if (after.length > 0) {
      value = after;
      shorthands = "";
    } else if (rest.length > 0) {
      value = rest[0]!;
      rest = rest.slice(1);
      shorthands = "";
    } else {
      return { error: `flag needs an argument: ${goQuoteCharacter(letter)} in -${shorthands}` };
    }
    if (flag.shorthandDeprecated) {
      state.notices.push(`Flag shorthand -${flag.shorthand} has been deprecated, ${flag.shorthandDeprecated}`);
    }
    const failure = setFlag(state, flag, value);
    if (failure !== null) return { error: failure };
  }
  return { rest };
}

/** Checks the number of positional arguments against the command's rule, as docker's `cli/required.go` does. */
export function checkArguments(command: CommandDefinition, positionals: readonly string[]): ArgumentError | null {
  const rule = command.arguments ?? { kind: "any" };
  const count = positionals.length;
  const binary = command.path.split(" ")[0]!;
  const path = command.path;
  const plural = (number: number): string => (number === 1 ? "argument" : "arguments");
  const fail = (message: string): ArgumentError => ({ kind: "arguments", message });
  switch (rule.kind) {
    case "any":
      return null;
    case "none":
      if (count === 0) return null;
      if (command.subcommands && command.subcommands.length > 0) {
        return fail(
          `${binary}: unknown command: ${path} ${positionals[0]}\n\nUsage:  ${command.usage}\n\nRun '${path} --help' for more information`,
        );
      }
      return fail(`${binary}: '${path}' accepts no arguments\n\nUsage:  ${command.usage}\n\nRun '${path} --help' for more information`);
    case "atLeast":
      if (count >= rule.count) return null;
      return fail(
        `${binary}: '${path}' requires at least ${rule.count} ${plural(rule.count)}\n\nUsage:  ${command.usage}\n\nSee '${path} --help' for more information`,
      );
    case "atMost":
      if (count <= rule.count) return null;
      // docker 28.2.2 prints "SRun" here: a typo in cli/required.go, reproduced on purpose.
      return fail(
        `${binary}: '${path}' requires at most ${rule.count} ${plural(rule.count)}\n\nUsage:  ${command.usage}\n\nSRun '${path} --help' for more information`,
      );
    case "between":
      if (count >= rule.minimum && count <= rule.maximum) return null;
      return fail(
        `${binary}: '${path}' requires at least ${rule.minimum} and at most ${rule.maximum} ${plural(rule.maximum)}\n\nUsage:  ${command.usage}\n\nRun '${path} --help' for more information`,
      );
    case "exactly":
      if (count === rule.count) return null;
      return fail(`${binary}: '${path}' requires ${rule.count} ${plural(rule.count)}\n\nUsage:  ${command.usage}\n\nRun '${path} --help' for more information`);
  }
}

/**
 * Parses the arguments that follow the command path (`["-d", "--name", "web", "nginx"]` for
 * `docker run -d --name web nginx`) against the command's flags, then checks the number of
 * positional arguments, as cobra does: flag errors first, and no argument check when `--help`
 * was given.
 */
export function parseCommandLine(command: CommandDefinition, args: readonly string[]): ParseOutcome {
  const flags = effectiveFlags(command);
  const byName = new Map<string, FlagDefinition>();
  const byShorthand = new Map<string, FlagDefinition>();
  const state: ParseState = { values: new Map(), changed: new Set(), positionals: [], notices: [] };
  for (const flag of flags) {
    byName.set(flag.name, flag);
    if (flag.shorthand) byShorthand.set(flag.shorthand, flag);
    state.values.set(flag.name, flag.default ?? zeroValue(flag.kind));
  }
  const interspersed = command.interspersed ?? true;
  let dashPosition: number | null = null;
  let rest = args.slice();
  while (rest.length > 0) {
    const argument = rest[0]!;
    rest = rest.slice(1);
    if (argument.length < 2 || !argument.startsWith("-")) {
      state.positionals.push(argument);
      if (!interspersed) {
        state.positionals.push(...rest);
        break;
      }
      continue;
    }
    if (argument === "--") {
      dashPosition = state.positionals.length;
      state.positionals.push(...rest);
      break;
    }
    const step = argument.startsWith("--")
      ? parseLongFlag(state, byName, argument, rest)
      : parseShortFlags(state, byShorthand, argument, rest);
    if ("error" in step) return { ok: false, error: { kind: "flag", message: step.error } };
    rest = step.rest;
  }
  const parsed = new ParsedCommandLine(byName, state.values, state.changed, state.positionals, dashPosition, state.notices);
  if (!parsed.help) {
    const argumentError = checkArguments(command, state.positionals);
    if (argumentError) return { ok: false, error: argumentError };
  }
  return { ok: true, value: parsed };
}
