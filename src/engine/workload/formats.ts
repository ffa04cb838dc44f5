/**
 * Text formats of the simulated programs: the timestamps nginx, redis, httpd and busybox
 * `date` print (computed from wall-clock milliseconds by hand, never from a real clock), and
 * the argument parsing of `sleep` and progrium/stress.
 */
import { formatTime } from "../../sim/calendar.js";

/** Milliseconds in a day. */
const millisecondsPerDay = 86_400_000;
const monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;
const weekdayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;

/** The parts of a UTC wall-clock time. */
interface WallClock {
  readonly year: string;
  readonly month: number;
  readonly day: string;
  readonly hours: string;
  readonly minutes: string;
  readonly seconds: string;
  /** Microseconds within the second, 6 digits. */
  readonly microseconds: string;
  readonly weekday: string;
}

function wallClock(epochMilliseconds: number): WallClock {
  const iso = formatTime(epochMilliseconds, 6);
  const days = Math.floor(epochMilliseconds / millisecondsPerDay);
  return {
    year: iso.slice(0, 4),
    month: Number(iso.slice(5, 7)),
    day: iso.slice(8, 10),
    hours: iso.slice(11, 13),
    minutes: iso.slice(14, 16),
    seconds: iso.slice(17, 19),
    microseconds: iso.slice(20, 26),
    // 1970-01-01 was a Thursday.
    weekday: weekdayNames[(((days + 4) % 7) + 7) % 7]!,
  };
}

/** nginx's error log time: `2025/01/01 00:00:00`. */
export function nginxTime(epochMilliseconds: number): string {
  const clock = wallClock(epochMilliseconds);
  return `${clock.year}/${String(clock.month).padStart(2, "0")}/${clock.day} ${clock.hours}:${clock.minutes}:${clock.seconds}`;
}

/** redis 7's log time: `01 Jan 2025 00:00:00.000`. */
export function redisTime(epochMilliseconds: number): string {
  const clock = wallClock(epochMilliseconds);
  return `${clock.day} ${monthNames[clock.month - 1]} ${clock.year} ${clock.hours}:${clock.minutes}:${clock.seconds}.${clock.microseconds.slice(0, 3)}`;
}

/** redis 3's log time (no year): `01 Jan 00:00:00.000`. */
export function legacyRedisTime(epochMilliseconds: number): string {
  const clock = wallClock(epochMilliseconds);
  return `${clock.day} ${monthNames[clock.month - 1]} ${clock.hours}:${clock.minutes}:${clock.seconds}.${clock.microseconds.slice(0, 3)}`;
}

/** Apache httpd's error log time: `Wed Jan 01 00:00:00.000000 2025`. */
export function httpdTime(epochMilliseconds: number): string {
  const clock = wallClock(epochMilliseconds);
  return `${clock.weekday} ${monthNames[clock.month - 1]} ${clock.day} ${clock.hours}:${clock.minutes}:${clock.seconds}.${clock.microseconds} ${clock.year}`;
}

/** busybox `date` in UTC: `Wed Jan  1 00:00:05 UTC 2025`. */
export function busyboxDate(epochMilliseconds: number): string {
  const clock = wallClock(epochMilliseconds);
  return `${clock.weekday} ${monthNames[clock.month - 1]} ${String(Number(clock.day)).padStart(2, " ")} ${clock.hours}:${clock.minutes}:${clock.seconds} UTC ${clock.year}`;
}

/** A parse result: a value, or the error line the program prints. */
export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

const sleepSuffixSeconds: Readonly<Record<string, number>> = { "": 1, s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * busybox `sleep` operands: numbers with an optional s/m/h/d suffix, fractions allowed,
 * `inf`/`infinity`; several operands add up. Errors: `sleep: invalid number 'x'`.
 */
export function parseSleepSeconds(operands: readonly string[]): ParseResult<number> {
  if (operands.length === 0) return { ok: false, error: "sleep: missing operand" };
  let total = 0;
  for (const operand of operands) {
    if (/^\+?inf(inity)?$/i.test(operand)) return { ok: true, value: Infinity };
    const match = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(operand);
    if (match === null) return { ok: false, error: `sleep: invalid number '${operand}'` };
    total += Number(match[1]) * sleepSuffixSeconds[match[2]!]!;
  }
  return { ok: true, value: total };
}

/** What `stress` was asked to do. */
export interface StressOptions {
  readonly verbose: boolean;
  readonly quiet: boolean;
  /** Seconds, or 0 for no timeout. */
  readonly timeoutSeconds: number;
  readonly cpuWorkers: number;
  readonly ioWorkers: number;
  readonly vmWorkers: number;
  readonly vmBytes: number;
  readonly vmStrideBytes: number;
  /** Seconds to hold the memory before freeing it; -1 for none, 0 for ever. */
  readonly vmHangSeconds: number;
  readonly hddWorkers: number;
  readonly backoffMicroseconds: number;
}

/** stress's `atoll_b`: a number with an optional b/k/m/g suffix (binary). */
function parseStressBytes(text: string): number | null {
  const match = /^(\d+)([bBkKmMgG]?)$/.exec(text);
  if (match === null) return null;
  const shift = { "": 0, b: 0, k: 10, m: 20, g: 30 }[match[2]!.toLowerCase()]!;
  return Number(match[1]) * 2 ** shift;
}

/** stress's `atoll_s`: a number with an optional s/m/h/d/y suffix. */
function parseStressSeconds(text: string): number | null {
  const match = /^(\d+)([sSmMhHdDyY]?)$/.exec(text);
  if (match === null) return null;
  const factor = { "": 1, s: 1, m: 60, h: 3600, d: 86_400, y: 31_536_000 }[match[2]!.toLowerCase()]!;
  return Number(match[1]) * factor;
}

/**
 * Parses stress 1.0's options (`--cpu 2 --vm 1 --vm-bytes 256M --timeout 30s`, short forms
 * `-c -i -m -d -t -v -q`). Errors are stress's text without its `stress: FAIL: [1] (line)` prefix.
 */
export function parseStressOptions(args: readonly string[]): ParseResult<StressOptions> {
  const options = {
    verbose: false,
    quiet: false,
    timeoutSeconds: 0,
    cpuWorkers: 0,
    ioWorkers: 0,
    vmWorkers: 0,
    vmBytes: 256 * 2 ** 20,
    vmStrideBytes: 4096,
    vmHangSeconds: -1,
    hddWorkers: 0,
    backoffMicroseconds: 3000,
  };
  for (let index = 0; index < args.length; index++) {
    const argument = args[index]!;
    const value = (): string | null => {
      const next = args[index + 1];
      if (next === undefined || (next.startsWith("-") && !/^-\d/.test(next))) return null;
      index++;
      return next;
    };
    const count = (name: string, label: string): number | string => {
      const text = value();
      if (text === null) return `missing argument to option '${name}'`;
      const parsed = parseStressBytes(text);
      if (parsed === null || parsed <= 0) return `invalid number of ${label} hogs: ${text}`;
      return parsed;
    };
    let result: number | string | undefined;
    switch (argument) {
      case "--verbose":
      case "-v":
        options.verbose = true;
        break;
      case "--quiet":
      case "-q":
        options.quiet = true;
        break;
      case "--timeout":
      case "-t": {
        const text = value();
        const seconds = text === null ? null : parseStressSeconds(text);
        if (text === null) return { ok: false, error: "missing argument to option '--timeout'" };
        if (seconds === null || seconds <= 0) return { ok: false, error: `invalid timeout value: ${text}` };
        options.timeoutSeconds = seconds;
        break;
      }
      case "--cpu":
      case "-c":
        result = count("--cpu", "cpu");
        if (typeof result === "string") return { ok: false, error: result };
        options.cpuWorkers = result;
        break;
      case "--io":
      case "-i":
        result = count("--io", "io");
        if (typeof result === "string") return { ok: false, error: result };
        options.ioWorkers = result;
        break;
      case "--vm":
      case "-m":
        result = count("--vm", "vm");
        if (typeof result === "string") return { ok: false, error: result };
        options.vmWorkers = result;
        break;
      case "--hdd":
      case "-d":
        result = count("--hdd", "hdd");
        if (typeof result === "string") return { ok: false, error: result };
        options.hddWorkers = result;
        break;
      case "--vm-bytes":
      case "--vm-stride":
      case "--hdd-bytes":
      case "--vm-hang":
      case "--backoff": {
        const text = value();
        if (text === null) return { ok: false, error: `missing argument to option '${argument}'` };
        const parsed = parseStressBytes(text);
        if (parsed === null) return { ok: false, error: `invalid number: ${text}` };
        if (argument === "--vm-bytes") options.vmBytes = parsed;
        else if (argument === "--vm-stride") options.vmStrideBytes = parsed;
        else if (argument === "--vm-hang") options.vmHangSeconds = parsed;
        else if (argument === "--backoff") options.backoffMicroseconds = parsed;
        break;
      }
      case "--vm-keep":
      case "--dry-run":
      case "-n":
        break;
      default:
        return { ok: false, error: `unrecognized option: ${argument}` };
    }
  }
  return { ok: true, value: options };
}
