/**
 * Go's `strconv` number and boolean parsing, with its exact error texts, as the docker CLI's
 * flags use it: `ParseBool`, `ParseInt(text, 0, 64)` (base prefixes, underscores) and
 * `ParseFloat(text, 64)` for decimal input.
 */
import { goQuote } from "./go-quote.js";

/** A parse result: the value, or the error text Go would print. */
export type GoParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

const trueWords = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const falseWords = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** `strconv.ParseBool`: `1 t T TRUE true True` and `0 f F FALSE false False`. */
export function parseGoBool(text: string): GoParseResult<boolean> {
  if (trueWords.has(text)) return { ok: true, value: true };
  if (falseWords.has(text)) return { ok: true, value: false };
  return { ok: false, error: `strconv.ParseBool: parsing ${goQuote(text)}: invalid syntax` };
}

const int64Maximum = (1n << 63n) - 1n;
const int64Minimum = -(1n << 63n);

/** True if underscores in `digits` (after any base prefix) only ever separate two digits, as Go's `underscoreOK` requires. */
function underscoresSeparateDigits(body: string, hasPrefix: boolean): boolean {
  if (!body.includes("_")) return true;
  const parts = body.split("_");
  // A leading underscore is allowed right after a base prefix ("0x_1f"), never doubled or trailing.
  return parts.every((part, index) => part.length > 0 || (index === 0 && hasPrefix));
}

/**
 * `strconv.ParseInt(text, 0, 64)`: optional sign, then decimal, `0x`/`0o`/`0b` or a leading-zero
 * octal number, with `_` allowed between digits. Values are exact within ±2^53 and rounded past.
 */
export function parseGoInt(text: string): GoParseResult<number> {
  const syntaxError = { ok: false as const, error: `strconv.ParseInt: parsing ${goQuote(text)}: invalid syntax` };
  const match = /^([+-]?)(0[xX]|0[oO]|0[bB]|0(?=.))?(.*)$/.exec(text);
  if (!match) return syntaxError;
  const [, sign = "", prefix = "", body = ""] = match;
  const radix = prefix === "" ? 10 : /[xX]/.test(prefix) ? 16 : /[bB]/.test(prefix) ? 2 : 8;
  const digitPattern = { 2: /^[01_]+$/, 8: /^[0-7_]+$/, 10: /^[0-9_]+$/, 16: /^[0-9a-fA-F_]+$/ }[radix]!;
  if (body.length === 0 || !digitPattern.test(body)) {
    return syntaxError;
  }
  if (!underscoresSeparateDigits(body, prefix !== "")) return syntaxError;
  const digits = body.replaceAll("_", "");
  if (digits.length === 0) return syntaxError;
  let magnitude = 0n;
  for (const digit of digits) magnitude = magnitude * BigInt(radix) + BigInt(parseInt(digit, radix));
  const value = sign === "-" ? -magnitude : magnitude;
  if (value > int64Maximum || value < int64Minimum) {
    return { ok: false, error: `strconv.ParseInt: parsing ${goQuote(text)}: value out of range` };
  }
  return { ok: true, value: Number(value) };
}

/**
 * `strconv.ParseFloat(text, 64)` for decimal input: optional sign, digits with an optional
 * fraction and exponent, `_` between digits, `inf`/`infinity`/`nan`. Hexadecimal floats
 * (`0x1p4`) are not accepted (Go accepts them).
 */
export function parseGoFloat(text: string): GoParseResult<number> {
  if (/^[+-]?(inf|infinity)$/i.test(text)) {
    return { ok: true, value: text.startsWith("-") ? -Infinity : Infinity };
  }
  if (/^[+-]?nan$/i.test(text)) return { ok: true, value: NaN };
  const underscoresValid = /^[+-]?[^_]*$/.test(text) || /^[+-]?(\d(_?\d)*)?(\.(\d(_?\d)*)?)?([eE][+-]?\d(_?\d)*)?$/.test(text);
  const digits = text.replaceAll("_", "");
  if (!underscoresValid || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(digits)) {
    return { ok: false, error: `strconv.ParseFloat: parsing ${goQuote(text)}: invalid syntax` };
  }
  const value = Number(digits);
  if (!Number.isFinite(value)) {
    return { ok: false, error: `strconv.ParseFloat: parsing ${goQuote(text)}: value out of range` };
  }
  return { ok: true, value };
}
