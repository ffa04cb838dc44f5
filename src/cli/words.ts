/**
 * Splitting one `docker ...` command line into words the way a POSIX shell would: single and
 * double quotes, backslash escapes and line continuations, but no expansion of any kind
 * (`$HOME`, `$(pwd)`, globs and `~` stay literal) and no control operators (`|`, `>`, `&&`,
 * `;`), since `sim.exec` runs exactly one docker command. Tokenizing is done by shell-quote;
 * a small quote-aware pre-pass makes `$` and mid-word `#` literal and finds unterminated quotes.
 */
import { parse } from "shell-quote";

/** A command line that cannot be split into the words of one command. */
export class CommandLineError extends Error {
  override name = "CommandLineError";
}

/** Characters that end an unquoted word (whitespace and the shell's metacharacters). */
const wordBoundaryCharacters = " \t\n|&;()<>";

/**
 * Rewrites `line` so that shell-quote sees no expansions: every `$` outside single quotes is
 * escaped, `#` that does not start a word is escaped (POSIX: only a word-initial `#` starts a
 * comment), backslash-newline continuations are removed, and `\`` in double quotes becomes a
 * plain backtick. Throws {@link CommandLineError} on an unterminated quote or trailing backslash.
 */
function neutralizeExpansions(line: string): string {
  let output = "";
  let quote: "'" | '"' | null = null;
  let atWordStart = true;
  for (let index = 0; index < line.length; index++) {
    const character = line[index]!;
    if (quote === "'") {
      output += character;
      if (character === "'") quote = null;
      continue;
    }
    if (quote === '"') {
      if (character === "\\") {
        const next = line[index + 1];
        if (next === undefined) break;
        index++;
        if (next === "\n") continue;
        output += next === "`" ? "`" : `\\${next}`;
      } else if (character === "$") {
        output += "\\$";
      } else {
        output += character;
        if (character === '"') quote = null;
      }
      continue;
    }
    if (character === "\\") {
      const next = line[index + 1];
      if (next === undefined) throw new CommandLineError(`unexpected end of line after "\\" in: ${line}`);
      index++;
      if (next === "\n") continue;
      output += `\\${next}`;
      atWordStart = false;
      continue;
    }
    if (character === "'" || character === '"') {
      quote = character;
      output += character;
      atWordStart = false;
      continue;
    }
    if (character === "$") {
      output += "\\$";
      atWordStart = false;
      continue;
    }
    if (character === "#" && !atWordStart) {
      output += "\\#";
      continue;
    }
    output += character;
    atWordStart = wordBoundaryCharacters.includes(character);
  }
  if (quote !== null) {
    throw new CommandLineError(`unterminated ${quote === "'" ? "single" : "double"} quote in: ${line}`);
  }
  return output;
}

/**
 * Splits one command line into words like a POSIX shell, without expansions.
 *
 * `docker run -e 'A=b c' alpine echo "$HOME"` gives
 * `["docker", "run", "-e", "A=b c", "alpine", "echo", "$HOME"]`. A word-initial `#` starts
 * a comment that runs to the end of the line. An unescaped newline outside quotes separates
 * commands and is rejected like `;`.
 *
 * @throws {@link CommandLineError} on a shell operator (`|`, `||`, `&`, `&&`, `;`, `<`, `>`,
 *   `(`, `)`, ...), an unterminated quote or a trailing backslash.
 */
export function splitCommandLine(line: string): string[] {
  const prepared = neutralizeExpansions(line);
  if (hasSecondCommand(prepared)) {
    throw new CommandLineError(
      `a command line holds exactly one command; found a line break in: ${line}`,
    );
  }
  const words: string[] = [];
  for (const entry of parse(prepared)) {
    if (typeof entry === "string") {
      words.push(entry);
      continue;
    }
    if ("comment" in entry) continue;
    if (entry.op === "glob") {
      words.push(entry.pattern);
      continue;
    }
    throw new CommandLineError(
      `shell operator "${entry.op}" is not supported: a command line holds exactly one command, without pipes, redirections or command lists`,
    );
  }
  return words;
}

/**
 * True if `prepared` (already neutralized) has a newline outside quotes that is followed by
 * more than whitespace and comments, i.e. a second command.
 */
function hasSecondCommand(prepared: string): boolean {
  let quote: "'" | '"' | null = null;
  let inComment = false;
  let atWordStart = true;
  let sawNewline = false;
  for (let index = 0; index < prepared.length; index++) {
    const character = prepared[index]!;
    if (inComment) {
      if (character === "\n") {
        inComment = false;
        sawNewline = true;
        atWordStart = true;
      }
      continue;
    }
    if (quote === "'") {
      if (character === "'") quote = null;
      continue;
    }
    if (quote === '"') {
      if (character === "\\") index++;
      else if (character === '"') quote = null;
      continue;
    }
    if (character === "#" && atWordStart) {
      inComment = true;
      continue;
    }
    if (character === "\n") {
      sawNewline = true;
      atWordStart = true;
      continue;
    }
    if (character === " " || character === "\t") {
      atWordStart = true;
      continue;
    }
    if (sawNewline) return true;
    if (character === "\\") {
      index++;
      atWordStart = false;
      continue;
    }
    if (character === "'" || character === '"') quote = character;
    atWordStart = wordBoundaryCharacters.includes(character);
  }
  return false;
}

/** Characters that make a word need quoting to survive {@link splitCommandLine}. */
const needsQuoting = /[^A-Za-z0-9_@%+=:,./-]/;

/**
 * Joins words into one command line that {@link splitCommandLine} splits back into the same
 * words: plain words stay bare, others are single-quoted (`'` written as `'\''`).
 */
export function joinCommandLine(words: readonly string[]): string {
  return words
    .map((word) => (word.length > 0 && !needsQuoting.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`))
    .join(" ");
}
