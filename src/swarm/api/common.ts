/**
 * What the swarm's Engine API conversions share: the context they read (start time, cluster
 * state), the result of parsing a request body, and the small formatting rules of the daemon's
 * JSON (RFC 3339 times, nanosecond durations, `Version.Index`, gRPC error text, Go's `%q` and `%g`).
 */
import { formatRfc3339Nano } from "../../cli/times.js";
import type { ClusterState, ObjectMeta } from "../types.js";

/** What every conversion reads besides the object itself. */
export interface ApiContext {
  /** Milliseconds since the Unix epoch at virtual time 0. */
  readonly startTimeMs: number;
  /** The managers' state (services' tasks for `ServiceStatus`, ...). */
  readonly state: ClusterState;
}

/**
 * A parsed request body: the value with the daemon's warnings, or the error the daemon answers
 * with (HTTP status and the `message` of its JSON error body).
 */
export type SpecResult<T> = { ok: true; value: T; warnings: string[] } | { ok: false; statusCode: number; message: string };

/** A JSON object as built for the Engine API. */
export type ApiObject = Record<string, unknown>;

/** Nanoseconds per millisecond (Go's `time.Duration` is in nanoseconds). */
export const nanosecondsPerMillisecond = 1_000_000;

/** A virtual time as the Engine API writes it: RFC 3339 with nanoseconds. */
export function apiTime(virtualMs: number, context: ApiContext): string {
  return formatRfc3339Nano(context.startTimeMs + virtualMs);
}

/** Milliseconds as a Go `time.Duration` (integer nanoseconds). */
export function durationNanoseconds(durationMs: number): number {
  return Math.round(durationMs * nanosecondsPerMillisecond);
}

/** A Go `time.Duration` (nanoseconds) as milliseconds. */
export function durationMs(nanoseconds: number): number {
  return nanoseconds / nanosecondsPerMillisecond;
}

/** `ID`, `Version` (`Index` omitted when 0, as Go's omitempty does), `CreatedAt`, `UpdatedAt`. */
export function metaToApi(meta: ObjectMeta, context: ApiContext): ApiObject {
  return {
    ID: meta.id,
    Version: meta.version === 0 ? {} : { Index: meta.version },
    CreatedAt: apiTime(meta.createdAt, context),
    UpdatedAt: apiTime(meta.updatedAt, context),
  };
}

/** A copy of a label map (Go's `annotationsFromGRPC` always sends a map, never null). */
export function labelsToApi(labels: Readonly<Record<string, string>>): Record<string, string> {
  return { ...labels };
}

/** A failed {@link SpecResult}. */
export function failure(statusCode: number, message: string): { ok: false; statusCode: number; message: string } {
  return { ok: false, statusCode, message };
}

/** gRPC status codes the control API answers with, and the HTTP status moby maps each to. */
export const grpcCodes = {
  Unknown: 500,
  InvalidArgument: 400,
  FailedPrecondition: 400,
  Unimplemented: 501,
} as const;

/** A gRPC status code name. */
export type GrpcCode = keyof typeof grpcCodes;

/** A control API error as the daemon passes it on: `rpc error: code = InvalidArgument desc = ...` with moby's HTTP status. */
export function grpcFailure(code: GrpcCode, description: string): { ok: false; statusCode: number; message: string } {
  return failure(grpcCodes[code], `rpc error: code = ${code} desc = ${description}`);
}

/** Go's `%q` of a string: double-quoted with Go's escapes. */
export function goQuote(text: string): string {
  let quoted = '"';
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if (character === '"') quoted += '\\"';
    else if (character === "\\") quoted += "\\\\";
    else if (character === "\n") quoted += "\\n";
    else if (character === "\t") quoted += "\\t";
    else if (character === "\r") quoted += "\\r";
    else if (character === "\u0007") quoted += "\\a";
    else if (character === "\b") quoted += "\\b";
    else if (character === "\f") quoted += "\\f";
    else if (character === "\v") quoted += "\\v";
    else if (code < 0x20 || code === 0x7f) quoted += `\\x${code.toString(16).padStart(2, "0")}`;
    else quoted += character;
  }
  return `${quoted}"`;
}

/** Go's `%g` of a float64 (shortest digits; exponent form below 1e-4 and from 1e6, at least two exponent digits: `1e-07`). */
export function goFormatFloat(value: number): string {
  if (value === 0) return "0";
  const [mantissa, exponentText] = value.toExponential().split("e") as [string, string];
  const exponent = Number(exponentText);
  // strconv's 'g' with the shortest precision uses an exponent when exp < -4 || exp >= 6.
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return String(value);
}
