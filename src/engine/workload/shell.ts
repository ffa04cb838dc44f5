/**
 * A small busybox `sh -c` for container commands: sequences (`;`, `&&`, `||`), `while true`
 * and `for x in ...` loops, `$VAR` expansion, output redirection to nowhere, and the builtins
 * and applets scripts in tutorials use (echo, sleep, exit, true, false, date, hostname, env,
 * printenv, and the applets of `applets.ts` when the caller provides them: ls, ps, cat FILE,
 * pwd, id, whoami, uname). Unknown commands print busybox's `sh: foo: not found` and set status 127. A script
 * using other syntax (pipes, subshells, command substitution) is reported as unsupported, and
 * the caller runs it as a generic long-running process.
 */
import { parse, type ParseEntry } from "shell-quote";
import { sleep, type Coroutine } from "../../sim/coroutine.js";
import { busyboxDate, parseSleepSeconds } from "./formats.js";
import type { AppletResult } from "./applets.js";

/** Bound `scriptWordsMax`: the most words and operators a script may have. */
export const scriptWordsMax = 10_000;
/** Bound `loopNestingMax`: the deepest loop nesting a script may have. */
const loopNestingMax = 16;
/**
 * The least time one loop iteration takes, in ms. A loop body that never sleeps would spin in
 * zero virtual time and stall the simulation, so each iteration costs at least this much.
 */
export const loopIterationMinimumMs = 10;
/** Marks a variable reference in parsed words, expanded when the command runs. */
const variableMark = "\u0000";

/** A simple command with its words (unexpanded), whether its output is discarded, and whether it goes to stderr (`>&2`). */
interface SimpleCommand {
  readonly kind: "command";
  readonly words: readonly string[];
  readonly outputDiscarded: boolean;
  readonly outputToStderr: boolean;
}

/** `while COND; do BODY; done`. */
interface WhileLoop {
  readonly kind: "while";
  readonly condition: Statement[];
  readonly body: Statement[];
}

/** `for NAME in WORDS; do BODY; done`. */
interface ForLoop {
  readonly kind: "for";
  readonly variable: string;
  readonly words: readonly string[];
  readonly body: Statement[];
}

/** A command and how it joins the previous one. */
interface Statement {
  readonly connector: ";" | "&&" | "||";
  readonly node: SimpleCommand | WhileLoop | ForLoop;
}

/** A parsed script. */
export interface ShellScript {
  readonly statements: readonly Statement[];
}

/** What the script can do to the world: write lines, read its environment and the clock. */
export interface ShellEnvironment {
  /** Writes a line to stdout. */
  out(text: string): void;
  /** Writes a line to stderr. */
  err(text: string): void;
  /** Variables (`KEY` -> value) from the container's environment. */
  readonly variables: Map<string, string>;
  /** The container's hostname. */
  readonly hostname: string;
  /** Wall-clock time now, ms since the Unix epoch. */
  wallTimeMs(): number;
  /** Runs a busybox applet (null: not one); absent, only the builtins above exist. */
  readonly applet?: (name: string, args: readonly string[]) => AppletResult | null;
}

/** A word or operator as shell-quote gives it. */
type Entry = ParseEntry;

class UnsupportedScript extends Error {}

/** Parses `script`; null when it uses syntax this shell does not support. */
export function parseScript(script: string): ShellScript | null {
  let entries: Entry[];
  try {
    entries = parse(script, (key: string) => `${variableMark}${key}${variableMark}`) as Entry[];
  } catch {
    return null;
  }
  if (entries.length > scriptWordsMax) return null;
  try {
    const parser = new Parser(entries);
    const statements = parser.list(new Set(), 0);
    if (!parser.atEnd()) return null;
    return { statements };
  } catch (error) {
    if (error instanceof UnsupportedScript) return null;
    throw error;
  }
}

/** A recursive-descent parser over shell-quote's entries. */
class Parser {
  private index = 0;
  constructor(private readonly entries: readonly Entry[]) {}

  atEnd(): boolean {
    return this.index >= this.entries.length;
  }

  private peek(): Entry | undefined {
    return this.entries[this.index];
  }

  /** Parses statements until one of `terminators` starts a command (not consumed). */
  list(terminators: ReadonlySet<string>, depth: number): Statement[] {
    if (depth > loopNestingMax) throw new UnsupportedScript("too deep");
    const statements: Statement[] = [];
    let connector: Statement["connector"] = ";";
    while (!this.atEnd()) {
      const next = this.peek()!;
      if (typeof next === "string" && terminators.has(next)) break;
      if (typeof next === "object") {
        if ("comment" in next) {
          this.index++;
          continue;
        }
        if (next.op === ";") {
          this.index++;
          connector = ";";
          continue;
        }
        throw new UnsupportedScript(`operator ${"op" in next ? next.op : "?"}`);
      }
      statements.push({ connector, node: this.node(depth) });
      const after = this.peek();
      if (after !== undefined && typeof after === "object" && "op" in after && (after.op === "&&" || after.op === "||")) {
        connector = after.op;
        this.index++;
      } else {
        connector = ";";
      }
    }
    return statements;
  }

  private expectWord(word: string): void {
    const next = this.peek();
    if (next !== word) throw new UnsupportedScript(`expected ${word}`);
    this.index++;
  }

  private skipSeparators(): void {
    for (let next = this.peek(); typeof next === "object" && next !== null && "op" in next && next.op === ";"; next = this.peek()) this.index++;
  }

  private node(depth: number): Statement["node"] {
    const first = this.peek();
    if (first === "while") {
      this.index++;
      const condition = this.list(new Set(["do"]), depth + 1);
      this.expectWord("do");
      const body = this.list(new Set(["done"]), depth + 1);
      this.expectWord("done");
      return { kind: "while", condition, body };
    }
    if (first === "for") {
      this.index++;
      const variable = this.peek();
      if (typeof variable !== "string") throw new UnsupportedScript("for without a name");
      this.index++;
      this.expectWord("in");
      const words: string[] = [];
      for (let next = this.peek(); typeof next === "string"; next = this.peek()) {
        words.push(next);
        this.index++;
      }
      this.skipSeparators();
      this.expectWord("do");
      const body = this.list(new Set(["done"]), depth + 1);
      this.expectWord("done");
      return { kind: "for", variable, words, body };
    }
    if (first === "if" || first === "until" || first === "case" || first === "{") throw new UnsupportedScript(String(first));
    const words: string[] = [];
    let outputDiscarded = false;
    let outputToStderr = false;
    for (let next = this.peek(); next !== undefined; next = this.peek()) {
      if (typeof next === "string") {
        words.push(next);
        this.index++;
        continue;
      }
      if ("op" in next && (next.op === ">" || next.op === ">>")) {
        this.index++;
        if (typeof this.peek() !== "string") throw new UnsupportedScript("redirection without a target");
        this.index++;
        outputDiscarded = true;
        continue;
      }
      if ("op" in next && next.op === ">&") {
        // `2>&1` (nothing to do) or `>&2` / `1>&2` (stdout to stderr): drop the descriptor word before and the target after.
        const source = words.length > 0 && /^\d$/.test(words[words.length - 1]!) ? words.pop()! : "1";
        this.index++;
        const target = this.peek();
        if (typeof target === "string") this.index++;
        if (source === "1" && target === "2") outputToStderr = true;
        continue;
      }
      if ("op" in next && next.op === "glob") {
        words.push(next.pattern);
        this.index++;
        continue;
      }
      break;
    }
    if (words.length === 0) throw new UnsupportedScript("empty command");
    return { kind: "command", words, outputDiscarded, outputToStderr };
  }
}

/** Thrown by `exit` to unwind the script. */
class ShellExit {
  constructor(readonly code: number) {}
}

/** A running script: its variables and last status. */
class Interpreter {
  status = 0;
  private readonly locals = new Map<string, string>();

  constructor(private readonly environment: ShellEnvironment) {}

  private lookup(name: string): string {
    if (name === "?") return String(this.status);
    if (name === "$") return "1";
    if (name === "HOSTNAME" && !this.environment.variables.has("HOSTNAME")) return this.environment.hostname;
    return this.locals.get(name) ?? this.environment.variables.get(name) ?? "";
  }

  private expand(word: string): string {
    if (!word.includes(variableMark)) return word;
    return word.replace(/\u0000([^\u0000]*)\u0000/g, (_, name: string) => this.lookup(name));
  }

  *statements(list: readonly Statement[]): Coroutine<void> {
    for (const statement of list) {
      if (statement.connector === "&&" && this.status !== 0) continue;
      if (statement.connector === "||" && this.status === 0) continue;
      yield* this.node(statement.node);
    }
  }

  private *node(node: Statement["node"]): Coroutine<void> {
    if (node.kind === "command") {
      yield* this.command(node);
      return;
    }
    if (node.kind === "for") {
      for (const word of node.words.map((item) => this.expand(item)).flatMap((item) => item.split(/\s+/).filter((part) => part !== ""))) {
        this.locals.set(node.variable, word);
        const before = this.environment.wallTimeMs();
        yield* this.statements(node.body);
        if (this.environment.wallTimeMs() === before) yield* sleep(loopIterationMinimumMs);
      }
      return;
    }
    // while: runs as long as the condition succeeds; each iteration takes some virtual time.
    for (;;) {
      yield* this.statements(node.condition);
      if (this.status !== 0) {
        this.status = 0;
        return;
      }
      const before = this.environment.wallTimeMs();
      yield* this.statements(node.body);
      if (this.environment.wallTimeMs() === before) yield* sleep(loopIterationMinimumMs);
    }
  }

  private *command(command: SimpleCommand): Coroutine<void> {
    const words = command.words.map((word) => this.expand(word));
    const [name, ...args] = words as [string, ...string[]];
    const out = command.outputDiscarded ? () => {} : command.outputToStderr ? (text: string) => this.environment.err(text) : (text: string) => this.environment.out(text);
    switch (name) {
      case "echo": {
        const noNewline = args[0] === "-n";
        out((noNewline ? args.slice(1) : args).join(" "));
        this.status = 0;
        return;
      }
      case "true":
      case ":":
        this.status = 0;
        return;
      case "false":
        this.status = 1;
        return;
      case "exit": {
        const code = args[0] === undefined ? this.status : Number.parseInt(args[0], 10);
        throw new ShellExit(Number.isFinite(code) ? code & 255 : 2);
      }
      case "sleep": {
        const seconds = parseSleepSeconds(args);
        if (!seconds.ok) {
          this.environment.err(seconds.error);
          this.status = 1;
          return;
        }
        if (seconds.value === Infinity) yield* this.forever();
        yield* sleep(seconds.value * 1000);
        this.status = 0;
        return;
      }
      case "date":
        out(busyboxDate(this.environment.wallTimeMs()));
        this.status = 0;
        return;
      case "hostname":
        out(this.environment.hostname);
        this.status = 0;
        return;
      case "env":
      case "printenv":
        if (this.runApplet(name, args, out)) return;
        for (const [key, value] of this.environment.variables) out(`${key}=${value}`);
        this.status = 0;
        return;
      case "tail":
      case "top":
      case "cat":
        // `tail -f`, `top`, `cat` with an open input: they never end on their own.
        yield* this.forever();
        return;
      default:
        if (this.runApplet(name, args, out)) return;
        this.environment.err(`sh: ${name}: not found`);
        this.status = 127;
    }
  }

  /** Runs `name` as an applet when the environment has it; returns whether it did. */
  private runApplet(name: string, args: readonly string[], out: (text: string) => void): boolean {
    const result = this.environment.applet?.(name, args) ?? null;
    if (result === null) return false;
    for (const line of result.out) out(line);
    for (const line of result.err) this.environment.err(line);
    this.status = result.code;
    return true;
  }

  /** Waits forever (in long steps, so each wait stays a finite timer). */
  private *forever(): Coroutine<void> {
    for (;;) yield* sleep(foreverStepMs);
  }
}

/** The length of one wait of a command that never ends (a day), in ms. */
const foreverStepMs = 86_400_000;

/** Runs a parsed script; returns its exit status. */
export function* runScript(script: ShellScript, environment: ShellEnvironment): Coroutine<number> {
  const interpreter = new Interpreter(environment);
  try {
    yield* interpreter.statements(script.statements);
  } catch (error) {
    if (error instanceof ShellExit) return error.code;
    throw error;
  }
  return interpreter.status;
}
