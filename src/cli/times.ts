/**
 * Times as the docker CLI prints them, from milliseconds since the Unix epoch on the simulation
 * clock (always UTC): Go's `time.Time.String()` for `{{.CreatedAt}}`, RFC 3339 with nanoseconds
 * for `inspect` and `logs --timestamps`, and "5 seconds ago" phrases.
 */
import { formatTime } from "../sim/calendar.js";
import { humanDuration } from "./units.js";

/**
 * Go's `time.Time.String()` of a UTC time, as `docker ps --format '{{.CreatedAt}}'` and
 * `docker images --format '{{.CreatedAt}}'` print it: `2025-01-01 00:00:05 +0000 UTC`, with a
 * fraction (`00:00:05.25`) only when the time has one.
 */
export function formatGoTime(epochMs: number): string {
  const text = formatTime(epochMs, 9, true);
  return `${text.slice(0, 10)} ${text.slice(11, -1)} +0000 UTC`;
}

/** RFC 3339 with trailing zeros of the fraction dropped (Go's `time.RFC3339Nano`), as `docker inspect` shows times: `2025-01-01T00:00:05.25Z`. */
export function formatRfc3339Nano(epochMs: number): string {
  return formatTime(epochMs, 9, true);
}

/** RFC 3339 with exactly nine fraction digits, as `docker logs --timestamps` prefixes lines: `2025-01-01T00:00:05.250000000Z`. */
export function formatLogTimestamp(epochMs: number): string {
  return formatTime(epochMs, 9, false);
}

/** "<duration> ago" from `thenMs` to `nowMs`, as `docker service ps` CURRENT STATE and `docker history` phrase it: `5 seconds ago`. */
export function timeAgo(thenMs: number, nowMs: number): string {
  return `${humanDuration(nowMs - thenMs)} ago`;
}
