/**
 * docker/go-units v0.5.0 and the docker CLI's value formats: human durations ("About a
 * minute"), the STATUS and CREATED columns of `docker ps`, sizes ("7.8MB", "1.5GiB"), and the
 * parsing of `--memory` (RAMInBytes) and `--cpus` (big.Rat) values with docker's error texts.
 * Times are milliseconds since the Unix epoch, taken from the simulation clock by the caller.
 */
import { formatGoFloatG } from "./go-format.js";
import { parseGoFloat } from "./go-parse.js";

/** A parse result: the value, or the error text docker prints after `invalid argument ... flag: `. */
export type UnitParseResult = { ok: true; value: number } | { ok: false; error: string };

const millisecondsPerSecond = 1000;
const millisecondsPerMinute = 60_000;
const millisecondsPerHour = 3_600_000;

/**
 * go-units `HumanDuration`: "Less than a second", "1 second", "12 seconds", "About a minute",
 * "5 minutes", "About an hour", "3 hours", "2 days", "3 weeks", "4 months", "2 years".
 */
export function humanDuration(durationMs: number): string {
  const seconds = Math.trunc(durationMs / millisecondsPerSecond);
  if (seconds < 1) return "Less than a second";
  if (seconds === 1) return "1 second";
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(durationMs / millisecondsPerMinute);
  if (minutes === 1) return "About a minute";
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(durationMs / millisecondsPerHour + 0.5);
  if (hours === 1) return "About an hour";
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(durationMs / millisecondsPerHour) / 24 / 365)} years`;
}

/**
 * The CREATED column of `docker ps` and `docker images` ("2 minutes ago"): the Engine API
 * reports creation in whole Unix seconds, so `createdMs` is truncated to a second first, as
 * docker's `time.Unix(created, 0)` does.
 */
export function createdSince(createdMs: number, nowMs: number): string {
  const createdSeconds = Math.floor(createdMs / millisecondsPerSecond) * millisecondsPerSecond;
  return `${humanDuration(nowMs - createdSeconds)} ago`;
}

/** A container's state, as the daemon's `State.String()` needs it for the STATUS column. */
export interface ContainerStatusState {
  /** The container's process is running (also while paused or restarting). */
  readonly running: boolean;
  /** The container is paused. */
  readonly paused: boolean;
  /** The container is being restarted by its restart policy. */
  readonly restarting: boolean;
  /** The container is being removed. */
  readonly removalInProgress: boolean;
  /** The container is dead (failed removal). */
  readonly dead: boolean;
  /** When the container last started, or null if it never did. */
  readonly startedAtMs: number | null;
  /** When the container last stopped, or null if it never did. */
  readonly finishedAtMs: number | null;
  /** The exit code of the last run. */
  readonly exitCode: number;
  /** The health check status, or null when the container has no health check. */
  readonly health: "starting" | "healthy" | "unhealthy" | null;
}

/**
 * The STATUS column of `docker ps`, as moby's `container.State.String()` builds it:
 * "Up 5 seconds", "Up 2 minutes (Paused)", "Up 3 hours (healthy)", "Up 1 second (health: starting)",
 * "Restarting (1) 4 seconds ago", "Removal In Progress", "Dead", "Created",
 * "Exited (0) 2 minutes ago".
 */
export function containerStatus(state: ContainerStatusState, nowMs: number): string {
  const since = (timeMs: number | null): string => humanDuration(nowMs - (timeMs ?? nowMs));
  if (state.running) {
    if (state.paused) return `Up ${since(state.startedAtMs)} (Paused)`;
    if (state.restarting) return `Restarting (${state.exitCode}) ${since(state.finishedAtMs)} ago`;
    if (state.health !== null) {
      const health = state.health === "starting" ? "health: starting" : state.health;
      return `Up ${since(state.startedAtMs)} (${health})`;
    }
    return `Up ${since(state.startedAtMs)}`;
  }
  if (state.removalInProgress) return "Removal In Progress";
  if (state.dead) return "Dead";
  if (state.startedAtMs === null) return "Created";
  if (state.finishedAtMs === null) return "";
  return `Exited (${state.exitCode}) ${since(state.finishedAtMs)} ago`;
}

const decimalUnits = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
const binaryUnits = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];

/** Divides by `base` until below it (or out of units); go-units' getSizeAndUnit. */
function scaleSize(size: number, base: number, units: readonly string[]): [number, string] {
  let index = 0;
  while (size >= base && index < units.length - 1) {
    size /= base;
    index++;
  }
  return [size, units[index]!];
}

/** go-units `HumanSizeWithPrecision`: decimal units, `precision` significant digits ("%.*g"). */
export function humanSizeWithPrecision(bytes: number, precision: number): string {
  const [size, unit] = scaleSize(bytes, 1000, decimalUnits);
  return `${formatGoFloatG(size, precision)}${unit}`;
}

/**
 * A size as `docker images` (SIZE) and `docker ps --size` show it: go-units
 * `HumanSizeWithPrecision(bytes, 3)`, e.g. "7.8MB", "142MB", "0B", and "1e+03kB" for 999,999
 * bytes (a go-units quirk, kept).
 */
export function humanSize(bytes: number): string {
  return humanSizeWithPrecision(bytes, 3);
}

/** go-units `BytesSize`: binary units, 4 significant digits, e.g. "1.5GiB" (`docker info`'s Total Memory). */
export function bytesSize(bytes: number): string {
  const [size, unit] = scaleSize(bytes, 1024, binaryUnits);
  return `${formatGoFloatG(size, 4)}${unit}`;
}

const binaryMultipliers: Readonly<Record<string, number>> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
const decimalMultipliers: Readonly<Record<string, number>> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };

/** Go's `int64(float)` on amd64: truncation, and the minimum int64 for values out of range. */
function toInt64(value: number): number {
  if (!(Math.abs(value) < 2 ** 63)) return -(2 ** 63);
  return Math.trunc(value) + 0;
}

/** go-units `parseSize` with the given unit multipliers. */
function parseSize(text: string, multipliers: Readonly<Record<string, number>>): UnitParseResult {
  let separator = -1;
  for (let index = text.length - 1; index >= 0; index--) {
    if ("01234567890. ".includes(text[index]!)) {
      separator = index;
      break;
    }
  }
  if (separator === -1) return { ok: false, error: `invalid size: '${text}'` };
  const numberText = text[separator] === " " ? text.slice(0, separator) : text.slice(0, separator + 1);
  let suffix = text.slice(separator + 1);
  const parsed = parseGoFloat(numberText);
  if (!parsed.ok) return parsed;
  let size = parsed.value;
  if (size < 0) return { ok: false, error: `invalid size: '${text}'` };
  if (suffix.length === 0) return { ok: true, value: toInt64(size) };
  const badSuffix = (): UnitParseResult => ({ ok: false, error: `invalid suffix: '${suffix}'` });
  if (suffix.length > 3) return badSuffix();
  suffix = suffix.toLowerCase();
  if (suffix[0] === "b") return suffix.length > 1 ? badSuffix() : { ok: true, value: toInt64(size) };
  const multiplier = multipliers[suffix[0]!];
  if (multiplier === undefined) return badSuffix();
  size *= multiplier;
  if ((suffix.length === 2 && suffix[1] !== "b") || (suffix.length === 3 && suffix.slice(1) !== "ib")) return badSuffix();
  return { ok: true, value: toInt64(size) };
}

/**
 * go-units `RAMInBytes`, as `--memory`/`-m` parses its value: binary multipliers whatever the
 * spelling ("512m", "1g", "1.5GiB", "1 kb", "100" bytes). Errors: `invalid size: 'abc'`,
 * `invalid suffix: 'x'`, `strconv.ParseFloat: parsing "1.5.5": invalid syntax`.
 */
export function parseMemoryBytes(text: string): UnitParseResult {
  return parseSize(text, binaryMultipliers);
}

/** go-units `FromHumanSize`: like {@link parseMemoryBytes} with decimal multipliers ("1kB" = 1000). */
export function parseHumanSize(text: string): UnitParseResult {
  return parseSize(text, decimalMultipliers);
}

/** An exact rational number as numerator and positive denominator. */
interface Rational {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/** Parses an unsigned integer as Go's big.Int scan with base 0: `0x`, `0o`, `0b`, leading-`0` octal, `_` between digits. */
function parseUnsignedInteger(text: string, leadingZeroIsOctal: boolean): bigint | null {
  const match = /^(0[xX]|0[oO]|0[bB])?(.+)$/.exec(text);
  if (!match) return null;
  const prefix = match[1] ?? "";
  let body = match[2]!;
  let radix = prefix === "" ? 10 : /[xX]/.test(prefix) ? 16 : /[oO]/.test(prefix) ? 8 : 2;
  if (prefix === "" && leadingZeroIsOctal && body.length > 1 && body.startsWith("0")) {
    radix = 8;
    body = body.slice(1);
  }
  const digitClass = { 2: "[01]", 8: "[0-7]", 10: "[0-9]", 16: "[0-9a-fA-F]" }[radix]!;
  const separatorStart = prefix === "" && radix !== 8 ? "" : "_?";
  if (!new RegExp(`^${separatorStart}${digitClass}(_?${digitClass})*$`).test(body)) return null;
  let value = 0n;
  for (const digit of body.replaceAll("_", "")) value = value * BigInt(radix) + BigInt(parseInt(digit, radix));
  return value;
}

/** The largest decimal exponent accepted in a `--cpus` value, to keep the exact arithmetic bounded. */
const maximumDecimalExponent = 10_000;

/** Parses a rational the way Go's `big.Rat.SetString` does for the forms docker users type. */
function parseRational(text: string): Rational | null {
  const slash = text.indexOf("/");
  if (slash >= 0) {
    const signMatch = /^([+-]?)(.*)$/.exec(text.slice(0, slash))!;
    const numerator = parseUnsignedInteger(signMatch[2]!, true);
    const denominator = parseUnsignedInteger(text.slice(slash + 1), true);
    if (numerator === null || denominator === null || denominator === 0n) return null;
    return { numerator: signMatch[1] === "-" ? -numerator : numerator, denominator };
  }
  const match = /^([+-]?)(.*)$/.exec(text)!;
  const negative = match[1] === "-";
  const body = match[2]!;
  const prefixed = parseUnsignedInteger(body, false);
  if (prefixed !== null && /^0[xXoObB]/.test(body)) return { numerator: negative ? -prefixed : prefixed, denominator: 1n };
  const decimal = /^(\d(?:_?\d)*)?(?:\.(\d(?:_?\d)*)?)?(?:[eE]([+-]?\d+))?$/.exec(body);
  if (!decimal || (decimal[1] === undefined && decimal[2] === undefined)) return null;
  const integerDigits = (decimal[1] ?? "").replaceAll("_", "");
  const fractionDigits = (decimal[2] ?? "").replaceAll("_", "");
  const exponent = Number(decimal[3] ?? "0") - fractionDigits.length;
  // Go would go on computing; past this the int64 result is meaningless anyway.
  if (Math.abs(exponent) > maximumDecimalExponent) return null;
  let numerator = BigInt((integerDigits + fractionDigits) || "0");
  let denominator = 1n;
  if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
  else denominator = 10n ** BigInt(-exponent);
  return { numerator: negative ? -numerator : numerator, denominator };
}

/**
 * docker's `opts.ParseCPUs`, as `--cpus` parses its value: a rational number ("1.5", "0.25",
 * "3/2", "1e-3") times 10^9, which must come out whole. Errors: `failed to parse abc as a
 * rational number`, `value is too precise`.
 */
export function parseNanoCpus(text: string): UnitParseResult {
  const rational = parseRational(text);
  if (!rational) return { ok: false, error: `failed to parse ${text} as a rational number` };
  const scaled = rational.numerator * 1_000_000_000n;
  if (scaled % rational.denominator !== 0n) return { ok: false, error: "value is too precise" };
  return { ok: true, value: Number(BigInt.asIntN(64, scaled / rational.denominator)) };
}
