/**
 * A small subset of Go's text/template with the docker CLI's functions, for `--format`:
 * field chains (`{{.State.Status}}`), `{{json .HostConfig}}`, `index`, `join`, `upper`,
 * `lower`, `title`, `split`, `len`, `print`, `println`, pipelines (`{{.Name | upper}}`),
 * `if`/`else`/`with`/`range`/`end` blocks, and `{{-`/`-}}` trim markers. Values are plain JSON
 * (what the Engine API answered) or objects of strings built by the table formatters; they
 * print as Go's `%v` would print the decoded JSON (`map[a:1 b:2]`, `[x y]`).
 */

/** A template that cannot be parsed or executed, with Go's kind of message. */
export class TemplateError extends Error {
  override name = "TemplateError";
}

/** A parsed template node. */
type TemplateNode =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "action"; readonly pipeline: Pipeline }
  | { readonly kind: "if" | "with" | "range"; readonly pipeline: Pipeline; readonly body: TemplateNode[]; readonly otherwise: TemplateNode[] };

/** Commands joined by `|`. */
type Pipeline = readonly Command[];

/** One command of a pipeline: its words (a function name followed by arguments, or one operand). */
type Command = readonly Operand[];

/** An operand: a field chain from dot, a string or number literal, or an identifier (function name). */
type Operand =
  | { readonly kind: "field"; readonly path: readonly string[] }
  | { readonly kind: "literal"; readonly value: unknown }
  | { readonly kind: "identifier"; readonly name: string }
  | { readonly kind: "pipeline"; readonly pipeline: Pipeline };

/** A parsed template, ready to execute against values. */
export class GoTemplate {
  private constructor(private readonly nodes: readonly TemplateNode[]) {}

  /** Parses `source`; throws {@link TemplateError}. */
  static parse(source: string): GoTemplate {
    const tokens = splitActions(source);
    const [nodes, rest] = parseNodes(tokens, 0, false);
    if (rest < tokens.length) throw new TemplateError(`template: :1: unexpected {{${tokens[rest]!.text}}}`);
    return new GoTemplate(nodes);
  }

  /** Executes the template with `value` as dot; throws {@link TemplateError}. */
  execute(value: unknown): string {
    return executeNodes(this.nodes, value);
  }
}

/** A piece of the source: literal text, or the inside of one `{{ }}` action. */
interface SourceToken {
  readonly kind: "text" | "action";
  readonly text: string;
}

/** Splits the source into text and actions, applying `{{-` and `-}}` trimming. */
function splitActions(source: string): SourceToken[] {
  const tokens: SourceToken[] = [];
  let position = 0;
  let trimNext = false;
  while (position < source.length) {
    const open = source.indexOf("{{", position);
    let text = open < 0 ? source.slice(position) : source.slice(position, open);
    if (trimNext) text = text.replace(/^\s+/, "");
    if (open < 0) {
      if (text !== "") tokens.push({ kind: "text", text });
      break;
    }
    const close = source.indexOf("}}", open + 2);
    if (close < 0) throw new TemplateError("template: :1: unclosed action");
    let inside = source.slice(open + 2, close);
    if (/^-\s/.test(inside)) {
      text = text.replace(/\s+$/, "");
      inside = inside.slice(1);
    }
    trimNext = /\s-$/.test(inside);
    if (trimNext) inside = inside.slice(0, -1);
    if (text !== "") tokens.push({ kind: "text", text });
    tokens.push({ kind: "action", text: inside.trim() });
    position = close + 2;
  }
  return tokens;
}

/** Parses nodes until `{{end}}` or `{{else}}` (when inside a block); returns them and the index after. */
function parseNodes(tokens: readonly SourceToken[], start: number, inBlock: boolean): [TemplateNode[], number] {
  const nodes: TemplateNode[] = [];
  let index = start;
  while (index < tokens.length) {
    const token = tokens[index]!;
    if (token.kind === "text") {
      nodes.push({ kind: "text", text: token.text });
      index++;
      continue;
    }
    const keyword = /^(if|with|range|end|else)\b\s*(.*)$/s.exec(token.text);
    if (keyword) {
      const [, word, rest] = keyword;
      if (word === "end" || word === "else") {
        if (!inBlock) throw new TemplateError(`template: :1: unexpected {{${word}}}`);
        return [nodes, index];
      }
      const pipeline = parsePipeline(rest!);
      const [body, afterBody] = parseNodes(tokens, index + 1, true);
      let otherwise: TemplateNode[] = [];
      let next = afterBody;
      if (next < tokens.length && tokens[next]!.text === "else") {
        const [elseNodes, afterElse] = parseNodes(tokens, next + 1, true);
        otherwise = elseNodes;
        next = afterElse;
      }
      if (next >= tokens.length || tokens[next]!.text !== "end") throw new TemplateError("template: :1: unexpected EOF");
      nodes.push({ kind: word as "if" | "with" | "range", pipeline, body, otherwise });
      index = next + 1;
      continue;
    }
    if (token.text.startsWith("/*")) {
      index++;
      continue;
    }
    nodes.push({ kind: "action", pipeline: parsePipeline(token.text) });
    index++;
  }
  if (inBlock) throw new TemplateError("template: :1: unexpected EOF");
  return [nodes, index];
}

/** Splits an action into words, keeping quoted strings and parenthesised groups whole. */
function splitWords(text: string): string[] {
  const words: string[] = [];
  let index = 0;
  while (index < text.length) {
    const character = text[index]!;
    if (/\s/.test(character)) {
      index++;
      continue;
    }
    let end = index;
    if (character === '"' || character === "`") {
      end = index + 1;
      while (end < text.length && text[end] !== character) end += text[end] === "\\" && character === '"' ? 2 : 1;
      if (end >= text.length) throw new TemplateError("template: :1: unterminated quoted string");
      end++;
    } else if (character === "(") {
      let depth = 0;
      for (; end < text.length; end++) {
        if (text[end] === "(") depth++;
        else if (text[end] === ")" && --depth === 0) break;
      }
      if (depth !== 0) throw new TemplateError("template: :1: unclosed left paren");
      end++;
    } else if (character === "|") {
      end = index + 1;
    } else {
      while (end < text.length && !/[\s|()]/.test(text[end]!)) end++;
    }
    words.push(text.slice(index, end));
    index = end;
  }
  return words;
}

/** Parses a pipeline: commands separated by `|`. */
function parsePipeline(text: string): Pipeline {
  const words = splitWords(text);
  if (words.length === 0) throw new TemplateError("template: :1: missing value for command");
  const commands: Operand[][] = [[]];
  for (const word of words) {
    if (word === "|") {
      commands.push([]);
      continue;
    }
    commands[commands.length - 1]!.push(parseOperand(word));
  }
  if (commands.some((command) => command.length === 0)) throw new TemplateError("template: :1: missing command");
  return commands;
}

/** Parses one word of a command. */
function parseOperand(word: string): Operand {
  if (word.startsWith("(")) return { kind: "pipeline", pipeline: parsePipeline(word.slice(1, -1)) };
  if (word.startsWith('"')) return { kind: "literal", value: JSON.parse(word) as string };
  if (word.startsWith("`")) return { kind: "literal", value: word.slice(1, -1) };
  if (word === ".") return { kind: "field", path: [] };
  if (word.startsWith(".")) return { kind: "field", path: word.slice(1).split(".") };
  if (/^-?\d+(\.\d+)?$/.test(word)) return { kind: "literal", value: Number(word) };
  if (word === "true" || word === "false") return { kind: "literal", value: word === "true" };
  if (word === "nil") return { kind: "literal", value: null };
  if (!(word in functions)) throw new TemplateError(`template: :1: function "${word}" not defined`);
  return { kind: "identifier", name: word };
}

/** Go's `%v` of a decoded JSON value. */
export function formatGoValue(value: unknown): string {
  if (value === undefined) return "<no value>";
  if (value === null) return "<nil>";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(formatGoValue).join(" ")}]`;
  const entries = Object.keys(value as object)
    .sort()
    .map((key) => `${key}:${formatGoValue((value as Record<string, unknown>)[key])}`);
  return `map[${entries.join(" ")}]`;
}

/** Go's template truth: false, 0, nil, empty string/array/map are false. */
function isTrue(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

/** The docker CLI's template functions (cli/templates) and Go's builtins used with them. */
const functions: Readonly<Record<string, (...values: unknown[]) => unknown>> = {
  json: (value) => JSON.stringify(value ?? null),
  index: (value, ...keys) => {
    let current = value;
    for (const key of keys) {
      if (current === null || typeof current !== "object") throw new TemplateError(`template: :1: error calling index: can't index item of type ${typeof current}`);
      current = (current as Record<string, unknown>)[String(key)];
    }
    return current;
  },
  join: (value, separator) => (Array.isArray(value) ? value.map(formatGoValue).join(String(separator)) : formatGoValue(value)),
  split: (value, separator) => String(value).split(String(separator)),
  upper: (value) => formatGoValue(value).toUpperCase(),
  lower: (value) => formatGoValue(value).toLowerCase(),
  title: (value) => formatGoValue(value).replace(/(^|[^\p{L}\p{N}'])(\p{L})/gu, (_match, before: string, letter: string) => before + letter.toUpperCase()),
  len: (value) => (Array.isArray(value) ? value.length : typeof value === "string" ? value.length : value && typeof value === "object" ? Object.keys(value).length : 0),
  print: (...values) => values.map(formatGoValue).join(""),
  println: (...values) => `${values.map(formatGoValue).join(" ")}\n`,
  truncate: (value, length) => Array.from(formatGoValue(value)).slice(0, Number(length)).join(""),
  pad: (value, before, after) => `${" ".repeat(Number(before))}${formatGoValue(value)}${" ".repeat(Number(after))}`,
  eq: (left, ...rights) => rights.some((right) => right === left),
  ne: (left, right) => left !== right,
  not: (value) => !isTrue(value),
  and: (...values) => values.find((value) => !isTrue(value)) ?? values[values.length - 1],
  or: (...values) => values.find((value) => isTrue(value)) ?? values[values.length - 1],
};

/** Looks up a field chain from `dot`. */
function lookupField(dot: unknown, path: readonly string[]): unknown {
  let current = dot;
  for (const name of path) {
    if (current === null || current === undefined) throw new TemplateError(`template: :1: nil pointer evaluating .${path.join(".")}`);
    if (typeof current !== "object" || Array.isArray(current)) {
      throw new TemplateError(`template: :1: can't evaluate field ${name} in type ${Array.isArray(current) ? "[]interface {}" : typeof current}`);
    }
    const record = current as Record<string, unknown>;
    if (!(name in record)) throw new TemplateError(`template: :1: map has no entry for key "${name}"`);
    current = record[name];
  }
  return current;
}

/** Evaluates an operand (a function name is called without arguments). */
function evaluateOperand(operand: Operand, dot: unknown): unknown {
  switch (operand.kind) {
    case "field":
      return lookupField(dot, operand.path);
    case "literal":
      return operand.value;
    case "pipeline":
      return evaluatePipeline(operand.pipeline, dot);
    case "identifier":
      return functions[operand.name]!();
  }
}

/** Evaluates a pipeline: each command's result is the last argument of the next. */
function evaluatePipeline(pipeline: Pipeline, dot: unknown): unknown {
  let result: unknown;
  pipeline.forEach((command, position) => {
    const [head, ...rest] = command;
    const piped = position > 0 ? [result] : [];
    if (head!.kind === "identifier") {
      const argumentsList = [...rest.map((operand) => evaluateOperand(operand, dot)), ...piped];
      result = functions[head!.name]!(...argumentsList);
    } else {
      if (rest.length > 0 || piped.length > 0) throw new TemplateError("template: :1: can't give argument to non-function");
      result = evaluateOperand(head!, dot);
    }
  });
  return result;
}

/** Executes nodes with `dot`. */
function executeNodes(nodes: readonly TemplateNode[], dot: unknown): string {
  let output = "";
  for (const node of nodes) {
    switch (node.kind) {
      case "text":
        output += node.text;
        break;
      case "action":
        output += formatGoValue(evaluatePipeline(node.pipeline, dot));
        break;
      case "if": {
        const value = evaluatePipeline(node.pipeline, dot);
        output += executeNodes(isTrue(value) ? node.body : node.otherwise, dot);
        break;
      }
      case "with": {
        const value = evaluatePipeline(node.pipeline, dot);
        output += isTrue(value) ? executeNodes(node.body, value) : executeNodes(node.otherwise, dot);
        break;
      }
      case "range": {
        const value = evaluatePipeline(node.pipeline, dot);
        const items = Array.isArray(value)
          ? value
          : value !== null && typeof value === "object"
            ? Object.keys(value).sort().map((key) => (value as Record<string, unknown>)[key])
            : [];
        if (items.length === 0) output += executeNodes(node.otherwise, dot);
        for (const item of items) output += executeNodes(node.body, item);
        break;
      }
    }
  }
  return output;
}
